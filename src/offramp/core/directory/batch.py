"""The program directory's tables: Open Referral HSDS 3.0's core objects plus what HSDS users asked for.

HSDS 3.0 (openreferral.org, docs/SOURCES.md#hsds-3) gives organization, service, location and
service_at_location, with UUID ids. Offramp keeps those objects and their HSDS field names, and adds on
the service what the standard lacks and a diversion unit needs (HSDS issues 221 and 468): capacity,
vacancies, waitlist and the date they were updated; machine-readable eligibility; the kinds of service
(MOUD medications, levels of care, education, work, housing, restorative justice); cost; languages; and
whether people who take MOUD are accepted. On export the extensions travel as HSDS `attributes`
(taxonomy terms of the `offramp` taxonomy), so an HSDS consumer keeps them.

Every importer (HSDS 3.0 JSON and tabular, HSDS 1.x tabular, the SAMHSA locator files) produces a
`DirectoryBatch` in these schemas; the web layer stores it field for field; the matcher reads
`match_frame(batch)`. Pure Python + Polars.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import polars as pl

from offramp.core.enums import DescribedEnum

#: uuid5 namespace for ids Offramp derives (a source row without a UUID gets the same id on every import)
OFFRAMP_NAMESPACE = uuid.UUID("6f1f5a3e-0b7d-5c2a-9f4e-0ff1a3a0d1a0")


def derived_id(*parts: str) -> str:
    """A stable UUID (v5) from text parts: the same source record gets the same id on every machine."""
    return str(uuid.uuid5(OFFRAMP_NAMESPACE, "\x1f".join(parts)))


class ServiceType(DescribedEnum):
    """The kinds of service a program offers (an Offramp taxonomy; exported as HSDS taxonomy terms)."""

    MOUD_BUPRENORPHINE = ("moud_buprenorphine", "Medication for opioid use disorder: buprenorphine.")
    MOUD_METHADONE = (
        "moud_methadone",
        "Medication for opioid use disorder: methadone (only a certified opioid treatment program).",
    )
    MOUD_NALTREXONE = ("moud_naltrexone", "Medication for opioid use disorder: extended-release naltrexone.")
    SUD_TREATMENT = (
        "sud_treatment",
        "Substance-use treatment whose level of care the source does not say (a SAMHSA listing).",
    )
    OUTPATIENT = ("outpatient", "Outpatient substance-use treatment (ASAM level 1).")
    INTENSIVE_OUTPATIENT = ("intensive_outpatient", "Intensive outpatient treatment (ASAM level 2.1).")
    RESIDENTIAL = ("residential", "Residential substance-use treatment (ASAM level 3).")
    DETOX = ("detox", "Withdrawal management (detoxification).")
    MENTAL_HEALTH = ("mental_health", "Mental-health treatment.")
    PEER_SUPPORT = ("peer_support", "Peer recovery support.")
    EDUCATION = ("education", "Education, such as GED / high-school equivalency classes.")
    JOB_TRAINING = ("job_training", "Job training.")
    JOB_PLACEMENT = ("job_placement", "Job placement and counselling.")
    HOUSING = ("housing", "Housing assistance or recovery housing.")
    RESTORATIVE_JUSTICE = ("restorative_justice", "Restorative justice (victim-offender conferencing).")
    CHILDCARE = (
        "childcare",
        "Childcare or care for dependants while the person attends (on site, or paid for).",
    )
    PRENATAL_CARE = (
        "prenatal_care",
        "Prenatal care, or a program that serves pregnant women (e.g. a SAMHSA-listed program for pregnant "
        "or postpartum women, where the office records it).",
    )
    VETERANS_SERVICES = (
        "veterans_services",
        "Services for veterans: VA health-care and benefits linkage, veterans' peer mentors.",
    )


MOUD_TYPES = (ServiceType.MOUD_BUPRENORPHINE, ServiceType.MOUD_METHADONE, ServiceType.MOUD_NALTREXONE)
TREATMENT_TYPES = (
    *MOUD_TYPES,
    ServiceType.SUD_TREATMENT,
    ServiceType.OUTPATIENT,
    ServiceType.INTENSIVE_OUTPATIENT,
    ServiceType.RESIDENTIAL,
    ServiceType.DETOX,
)

#: a policy outcome's program type (policies/*.yaml `program_types`) -> the service types that fill it
PROGRAM_TYPE_SERVICES: dict[str, tuple[ServiceType, ...]] = {
    "treatment": TREATMENT_TYPES,
    "education": (ServiceType.EDUCATION,),
    "job_training": (ServiceType.JOB_TRAINING, ServiceType.JOB_PLACEMENT),
    "mental_health": (ServiceType.MENTAL_HEALTH,),
    "housing": (ServiceType.HOUSING,),
    "restorative_justice": (ServiceType.RESTORATIVE_JUSTICE,),
    "peer_support": (ServiceType.PEER_SUPPORT,),
}

#: a need tag (offramp.core.evaluation.criteria.enums.Need) -> the service types that meet it
NEED_SERVICES: dict[str, tuple[ServiceType, ...]] = {
    "treatment": TREATMENT_TYPES,
    "work": (ServiceType.JOB_TRAINING, ServiceType.JOB_PLACEMENT),
    "education": (ServiceType.EDUCATION,),
    "housing": (ServiceType.HOUSING,),
    "mental_health": (ServiceType.MENTAL_HEALTH,),
    "reentry": (ServiceType.PEER_SUPPORT, ServiceType.HOUSING, ServiceType.JOB_PLACEMENT),
    # the person's own account (issue 13; docs/SOURCES.md#motivating-factors): caregiving, pregnancy and,
    # not a `Need` but the `veteran` fact (MatchRequest.veteran), veterans' services
    "childcare": (ServiceType.CHILDCARE,),
    "prenatal_care": (ServiceType.PRENATAL_CARE,),
    "veterans": (ServiceType.VETERANS_SERVICES,),
}


class Sex(DescribedEnum):
    ANY = ("any", "Serves people of any sex.")
    FEMALE = ("female", "Serves women only.")
    MALE = ("male", "Serves men only.")


class MoudPolicy(DescribedEnum):
    """Whether a program accepts people who take medication for opioid use disorder. Refusing them is
    a barrier to care the matcher never crosses (docs/SOURCES.md#krawczyk-2017)."""

    ACCEPTS = ("accepts", "Accepts people who take MOUD.")
    FORBIDS = ("forbids", "Requires people to stop MOUD: never matched to someone on MOUD.")
    UNKNOWN = ("unknown", "The source does not say.")


class Payment(DescribedEnum):
    MEDICAID = ("medicaid", "Medicaid: public health coverage for people with low income.")
    MEDICARE = ("medicare", "Medicare: federal health insurance for people 65 or older or with a disability.")
    PRIVATE = ("private", "Private health insurance.")
    UNINSURED = ("uninsured", "People without insurance (free or sliding-scale care).")


class Cost(DescribedEnum):
    FREE = ("free", "No cost to the person.")
    SLIDING_SCALE = ("sliding_scale", "Fee on a sliding scale by income.")
    FEE = ("fee", "A fee (see fees_description).")
    UNKNOWN = ("unknown", "The source does not say.")


ORGANIZATION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),  # UUID
    "name": pl.String(),
    "alternate_name": pl.String(),
    "description": pl.String(),
    "email": pl.String(),
    "website": pl.String(),
    "phone": pl.String(),
}

SERVICE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),  # UUID
    "organization_id": pl.String(),
    "name": pl.String(),
    "alternate_name": pl.String(),
    "description": pl.String(),
    "url": pl.String(),
    "email": pl.String(),
    "status": pl.String(),  # HSDS: active, inactive, defunct, temporarily closed
    "fees_description": pl.String(),
    "eligibility_description": pl.String(),
    "schedule_description": pl.String(),
    # --- Offramp extensions (HSDS issues 221, 468) ---
    "service_types": pl.List(pl.String()),  # ServiceType values
    "moud_policy": pl.String(),  # MoudPolicy
    "minimum_age": pl.Int32(),  # HSDS 3.0 has these two on service
    "maximum_age": pl.Int32(),
    "sex": pl.String(),  # Sex
    "offense_kinds": pl.List(pl.String()),  # core OffenseKind values accepted; null = any
    "plea_stages": pl.List(pl.String()),  # PleaStage values; null = any
    "residency_states": pl.List(pl.String()),  # two-letter states a person must live in; null = any
    "residency_counties": pl.List(pl.String()),  # county names; null = any
    "payments": pl.List(pl.String()),  # Payment values accepted; null = unknown
    "languages": pl.List(pl.String()),  # ISO 639-1 codes services are given in; null = unknown
    "cost": pl.String(),  # Cost
    "capacity": pl.Int32(),
    "vacancies": pl.Int32(),
    "waitlist": pl.Int32(),
    "capacity_updated": pl.Date(),
    # --- provenance ---
    "sources": pl.List(pl.String()),  # "<format>:<file>:<row>" of every source record merged into it
}

LOCATION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),  # UUID
    "organization_id": pl.String(),
    "name": pl.String(),
    "address_1": pl.String(),
    "address_2": pl.String(),
    "city": pl.String(),
    "state_province": pl.String(),
    "postal_code": pl.String(),  # five digits
    "county": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "phone": pl.String(),
}

SERVICE_AT_LOCATION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),  # UUID
    "service_id": pl.String(),
    "location_id": pl.String(),
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with exactly `schema`'s columns, in order and cast; a missing column is null."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


@dataclass(frozen=True)
class DirectoryBatch:
    """Organizations, services, locations and the services offered at each location, plus the
    data-quality warnings the reader raised (file, row, message), never fatal."""

    organizations: pl.DataFrame
    services: pl.DataFrame
    locations: pl.DataFrame
    service_at_locations: pl.DataFrame
    warnings: tuple[tuple[str, int, str], ...] = ()

    @classmethod
    def of(
        cls,
        organizations: pl.DataFrame,
        services: pl.DataFrame,
        locations: pl.DataFrame,
        service_at_locations: pl.DataFrame,
        warnings: tuple[tuple[str, int, str], ...] = (),
    ) -> DirectoryBatch:
        """A batch with every table conformed to its schema."""
        return cls(
            conform(organizations, ORGANIZATION_SCHEMA),
            conform(services, SERVICE_SCHEMA),
            conform(locations, LOCATION_SCHEMA),
            conform(service_at_locations, SERVICE_AT_LOCATION_SCHEMA),
            warnings,
        )

    @classmethod
    def empty(cls) -> DirectoryBatch:
        return cls.of(
            empty(ORGANIZATION_SCHEMA),
            empty(SERVICE_SCHEMA),
            empty(LOCATION_SCHEMA),
            empty(SERVICE_AT_LOCATION_SCHEMA),
        )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "organizations": self.organizations.height,
            "services": self.services.height,
            "locations": self.locations.height,
            "service_at_locations": self.service_at_locations.height,
        }


#: the matcher's input: one row per service at a location (a "program" as a coordinator sees it)
MATCH_SCHEMA: dict[str, pl.DataType] = {
    "service_at_location_id": pl.String(),
    "service_id": pl.String(),
    "location_id": pl.String(),
    "organization_name": pl.String(),
    "service_name": pl.String(),
    **{
        name: SERVICE_SCHEMA[name]
        for name in (
            "status",
            "service_types",
            "moud_policy",
            "minimum_age",
            "maximum_age",
            "sex",
            "offense_kinds",
            "plea_stages",
            "residency_states",
            "residency_counties",
            "payments",
            "languages",
            "cost",
            "capacity",
            "vacancies",
            "waitlist",
            "capacity_updated",
        )
    },
    "city": pl.String(),
    "state_province": pl.String(),
    "postal_code": pl.String(),
    "county": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
}


def match_frame(batch: DirectoryBatch) -> pl.DataFrame:
    """One row per service_at_location with the service's eligibility and capacity and the location's
    place: what `offramp.core.directory.matching` ranks."""
    services = batch.services.rename({"id": "service_id", "name": "service_name"})
    locations = batch.locations.rename({"id": "location_id"}).drop("organization_id", "name", "phone")
    orgs = batch.organizations.select(
        pl.col("id").alias("organization_id"), pl.col("name").alias("organization_name")
    )
    joined = (
        batch.service_at_locations.rename({"id": "service_at_location_id"})
        .join(services, on="service_id", how="inner")
        .join(locations, on="location_id", how="inner")
        .join(orgs, on="organization_id", how="left")
    )
    return conform(joined, MATCH_SCHEMA)
