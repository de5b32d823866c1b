"""The nested domain model of one drug case, as frozen Pydantic models.

This is the shape of one line of an `offramp-jsonl` file and of a case sent to the API; its JSON Schema is
published in docs/schemas/offramp-jsonl.schema.json (see `core.intake.json_schemas`). Intake flattens it into the same
`CaseBatch` tables as the CSV format (`core.intake.batch`).

An unknown fact is None (null in JSON, or left out), never False or 0: "no weapon found" and "nobody
recorded whether there was a weapon" lead to different findings. Numeric bounds match the offramp-csv
columns (`core.intake.offramp_csv.COLUMNS`); a test checks they agree.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from offramp.core.enums import (
    CaseStage,
    DispositionKind,
    Drug,
    Ethnicity,
    Harm,
    NibrsCode,
    OffenseKind,
    QuantityUnit,
    Race,
    SentenceType,
    Severity,
    Sex,
)
from offramp.core.intake.common import EARLIEST_PLAUSIBLE_YEAR, this_year

#: the same pattern as offramp-csv's `zip` column (a test checks they agree)
ZIP_PATTERN = r"^\d{5}(-\d{4})?$"
EARLIEST_BIRTH_YEAR = 1850
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _blank_to_none(value: object) -> object:
    """Blank text means unknown, as a blank cell does in offramp-csv."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD text (or a date): no timestamps, no times, no other orders of day and month."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid("a date as YYYY-MM-DD")


def _optional_iso_date(value: object) -> object:
    """A date as `_iso_date` reads it; null, blank or left out means unknown."""
    value = _blank_to_none(value)
    return None if value is None else _iso_date(value)


#: optional free text; blank or only spaces is read as unknown (null)
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
#: a calendar date written YYYY-MM-DD
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
#: an optional calendar date written YYYY-MM-DD (blank or null: unknown)
OptionalIsoDate = Annotated[dt.date | None, BeforeValidator(_optional_iso_date)]


def invalid(expected: str) -> PydanticCustomError:
    """An error whose `expected` text intake shows as is."""
    return PydanticCustomError("invalid", "expected {expected}", {"expected": expected})


def inconsistent(at: str, value: object, expected: str) -> PydanticCustomError:
    """A cross-field error; `at` is the field (relative to the model raising it) that should change.

    Intake appends `at` to the error's location, so the user sees e.g. `charges.2.primary`.
    """
    return PydanticCustomError(
        "inconsistent", "expected {expected}", {"at": at, "value": value, "expected": expected}
    )


class Frozen(BaseModel):
    """Base of every model here: immutable, unknown field names rejected, surrounding spaces trimmed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Person(Frozen):
    """The person the case is about, identified only by a pseudonymous id."""

    person_id: str = Field(
        min_length=1,
        description="The source's pseudonymous id for the person (never a name, birth date or ID number). "
        "The same person_id on several cases links them to one person.",
    )
    birth_year: int | None = Field(
        default=None,
        strict=True,
        ge=EARLIEST_BIRTH_YEAR,
        description="Year of birth, not after the current year. A person under 10 or over 100 is imported "
        "with a data-quality warning.",
    )
    sex: Sex | None = Field(default=None, description="Sex as recorded by the arresting agency.")
    race: Race | None = Field(
        default=None, description="Race (U.S. OMB categories) as recorded by the source."
    )
    ethnicity: Ethnicity | None = Field(default=None, description="Hispanic or Latino ethnicity (OMB).")
    zip: str | None = Field(
        default=None,
        pattern=ZIP_PATTERN,
        description="ZIP code of residence: 5 digits or ZIP+4 (12345-6789). A string, so leading zeros stay.",
    )

    @field_validator("birth_year")
    @classmethod
    def _not_in_future(cls, value: int | None) -> int | None:
        if value is not None and value > this_year():
            raise invalid(f"a year from {EARLIEST_BIRTH_YEAR} to the current year (or null if unknown)")
        return value


class Charge(Frozen):
    """One charge (count) of the case, as written by the source and as classified."""

    statute: OptionalText = Field(
        default=None, description="The statute cited, as written by the source (e.g. 720 ILCS 570/402(c))."
    )
    title: OptionalText = Field(default=None, description="The charge title, as written by the source.")
    offense_kind: OffenseKind = Field(description="What kind of offence the charge is.")
    severity: Severity | None = Field(default=None, description="Felony or misdemeanor.")
    nibrs_code: NibrsCode | None = Field(
        default=None,
        description="NIBRS offence code. When left out it is derived from offense_kind: 35B for "
        "paraphernalia, none for other, 35A for every other drug offence.",
    )
    drug: Drug | None = Field(
        default=None, description="The drug the charge concerns (none for a non-drug charge)."
    )
    quantity: float | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Amount of the drug, in quantity_unit. Over 100,000 g (after conversion) is imported "
        "with a data-quality warning.",
    )
    quantity_unit: QuantityUnit | None = Field(
        default=None, description="Unit of quantity; required when quantity is given."
    )
    quantity_raw: OptionalText = Field(
        default=None,
        description="The quantity exactly as the source wrote it (e.g. '12 bags, 3.1 g gross'), kept beside "
        "the normalised quantity.",
    )
    primary: bool = Field(
        default=False,
        strict=True,
        description="true on the charge the case is mainly about (at most one). When no charge says so, the "
        "first charge is primary.",
    )

    @model_validator(mode="after")
    def _unit_with_quantity(self) -> Charge:
        if self.quantity is not None and self.quantity_unit is None:
            units = " | ".join(QuantityUnit.values())
            raise inconsistent("quantity_unit", None, f"the unit of the quantity: one of {units}")
        return self


class Evidence(Frozen):
    """Facts of the arrest that bear on seller role and public safety (Holder memo, USSG §3B1.2)."""

    weapon: bool | None = Field(default=None, strict=True, description="A weapon was present or used.")
    violence: bool | None = Field(default=None, strict=True, description="Violence was used or threatened.")
    cash_usd: float | None = Field(
        default=None, strict=True, ge=0, description="Cash seized, in U.S. dollars."
    )
    packaging: bool | None = Field(
        default=None,
        strict=True,
        description="The drugs were individually packaged (an indicator argued for intent to sell).",
    )
    scales_or_ledgers: bool | None = Field(
        default=None,
        strict=True,
        description="Scales, ledgers or sale messages were found (indicators argued for intent to sell).",
    )
    sale_to_minor: bool | None = Field(
        default=None, strict=True, description="A sale to a person under 18 is alleged."
    )
    near_school: bool | None = Field(
        default=None, strict=True, description="The offence is alleged near a school or park."
    )
    organizer_role: bool | None = Field(
        default=None,
        strict=True,
        description="The person is alleged to organise, lead, manage or supervise others.",
    )
    trafficking_org_ties: bool | None = Field(
        default=None,
        strict=True,
        description="Evidence ties the person to a large-scale drug trafficking organisation (the Holder "
        "memo's 'significant ties'), beyond buying from or selling for someone.",
    )
    weapon_in_connection: bool | None = Field(
        default=None,
        strict=True,
        description="A weapon was possessed or used in connection with the offence (not merely present "
        "somewhere; O.C.G.A. 16-13-31(g)(2)(B), Holder memo).",
    )
    sought_help_for_overdose: bool | None = Field(
        default=None,
        strict=True,
        description="The drugs were found because someone sought medical help for an overdose (the person or "
        "the person helped; Georgia's medical amnesty, O.C.G.A. 16-13-5).",
    )
    harm_reduction_supplies_only: bool | None = Field(
        default=None,
        strict=True,
        description="The only items are syringes, fentanyl test strips or other drug-checking or "
        "harm-reduction supplies (no drug charged).",
    )


class History(Frozen):
    """Criminal history relevant to the decision."""

    prior_felonies: int | None = Field(
        default=None, strict=True, ge=0, description="Number of prior felony convictions."
    )
    prior_violent: int | None = Field(
        default=None, strict=True, ge=0, description="Number of prior violent convictions."
    )
    last_violent_conviction_year: int | None = Field(
        default=None,
        strict=True,
        ge=EARLIEST_PLAUSIBLE_YEAR,
        description="Year of the most recent violent conviction (the office's lookback counts from it).",
    )
    prior_drug_sales: int | None = Field(
        default=None, strict=True, ge=0, description="Number of prior convictions for drug sale or delivery."
    )
    on_supervision: bool | None = Field(
        default=None,
        strict=True,
        description="On probation, parole or pretrial supervision at the time of the offence.",
    )
    days_since_release: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Days since the person's last release from custody (a recent release raises "
        "overdose risk).",
    )
    prior_drug_convictions: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Number of prior convictions under any drug law (conditional discharge, "
        "O.C.G.A. 16-13-2(a), is for a person with none).",
    )
    prior_conditional_discharge: bool | None = Field(
        default=None,
        strict=True,
        description="The person has had a conditional discharge before (O.C.G.A. 16-13-2(a): once).",
    )
    prior_first_offender: bool | None = Field(
        default=None,
        strict=True,
        description="The person has had First Offender treatment before (O.C.G.A. 42-8-60: once).",
    )
    prior_failures_to_appear: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Number of past failures to appear in court.",
    )
    in_custody: bool | None = Field(
        default=None,
        strict=True,
        description="The person is in custody now (the pretrial position matters at once).",
    )


class Health(Frozen):
    """Health facts that bear on overdose risk and treatment needs."""

    prior_overdose: bool | None = Field(
        default=None, strict=True, description="The person has had a prior overdose."
    )
    injection_use: bool | None = Field(default=None, strict=True, description="The person injects drugs.")
    on_moud: bool | None = Field(
        default=None,
        strict=True,
        description="The person currently takes medication for opioid use disorder (methadone, "
        "buprenorphine or naltrexone).",
    )


class Circumstances(Frozen):
    """The person's own account and circumstances, as asked in the prosecutor's evaluation (never assumed);
    each may bear on the decision, the needs and the programs (IIP/Vital Strategies 2021: motivating
    factors)."""

    sells_to_support_own_use: bool | None = Field(
        default=None,
        strict=True,
        description="By the person's account, any selling supported their own drug use.",
    )
    poverty_or_debt: bool | None = Field(
        default=None,
        strict=True,
        description="By the person's account, poverty or debt drove the conduct.",
    )
    coerced_or_exploited: bool | None = Field(
        default=None,
        strict=True,
        description="The person was coerced or exploited into the conduct (e.g. trafficked into selling).",
    )
    veteran: bool | None = Field(
        default=None,
        strict=True,
        description="The person served in the U.S. armed forces.",
    )
    pregnant: bool | None = Field(
        default=None,
        strict=True,
        description="The person is pregnant.",
    )
    caregiver: bool | None = Field(
        default=None,
        strict=True,
        description="The person is the main caregiver of a child or a dependent adult.",
    )
    noncitizen: bool | None = Field(
        default=None,
        strict=True,
        description="The person is not a U.S. citizen (a plea may carry immigration consequences).",
    )


class Victim(Frozen):
    """A person harmed by the offence; victims are consulted before a diversion offer."""

    harm: Harm | None = Field(default=None, description="The harm the victim suffered.")
    restitution_claimed_usd: float | None = Field(
        default=None, strict=True, ge=0, description="Restitution the victim claims, in U.S. dollars."
    )


class Case(Frozen):
    """One drug case as received from law enforcement: the person, the charges and the facts."""

    case_id: str = Field(
        min_length=1,
        description="The source's id for the case; unique within a file. Re-importing the same case_id "
        "updates the case instead of adding a second one.",
    )
    received_date: IsoDate = Field(
        description="Date the office received the case (YYYY-MM-DD). Before "
        f"{EARLIEST_PLAUSIBLE_YEAR} or after the current year is imported with a data-quality warning."
    )
    agency: OptionalText = Field(default=None, description="The referring law-enforcement agency.")
    stage: CaseStage = Field(default=CaseStage.RECEIVED, description="Where the case stands in the office.")
    person: Person = Field(description="The person the case is about.")
    charges: tuple[Charge, ...] = Field(min_length=1, description="The charges, at least one.")
    evidence: Evidence = Field(default=Evidence(), description="Facts of the arrest.")
    history: History = Field(default=History(), description="Criminal history.")
    health: Health = Field(default=Health(), description="Health facts.")
    circumstances: Circumstances = Field(
        default=Circumstances(), description="The person's own account and circumstances, as asked."
    )
    victims: tuple[Victim, ...] = Field(default=(), description="The victims, if any are identified.")
    victim_count: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Number of victims. When left out and victims is given, the number of victims listed; "
        "it may be larger than that list (not every victim identified), never smaller.",
    )
    narrative: OptionalText = Field(
        default=None, description="The arrest narrative or case summary, free text."
    )
    disposition: DispositionKind | None = Field(
        default=None,
        description="How the case was finally disposed of (dismissal, plea, finding ...); null while it is "
        "pending or when the source does not say.",
    )
    disposition_date: OptionalIsoDate = Field(
        default=None,
        description="Date of the disposition (YYYY-MM-DD). Before received_date is imported with a "
        "data-quality warning.",
    )
    sentence_type: SentenceType | None = Field(
        default=None, description="The main sentence imposed on a conviction (none: no sentence)."
    )
    sentence_days: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        description="Length of the incarceration imposed (prison or jail), in days. Over 36,500 is imported "
        "with a data-quality warning.",
    )

    @model_validator(mode="before")
    @classmethod
    def _count_listed_victims(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("victim_count") is None
            and isinstance(data.get("victims"), list | tuple)
        ):
            return {**data, "victim_count": len(data["victims"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        primaries = [i for i, charge in enumerate(self.charges, start=1) if charge.primary]
        if len(primaries) > 1:
            raise inconsistent(
                f"charges.{primaries[1]}.primary",
                True,
                f"at most one charge with primary true (charge {primaries[0]} already has it)",
            )
        if self.victim_count is not None and self.victim_count < len(self.victims):
            raise inconsistent(
                "victim_count",
                self.victim_count,
                f"at least the number of victims listed ({len(self.victims)})",
            )
        return self

    @property
    def primary_seq(self) -> int:
        """1-based position of the primary charge: the one marked primary, else the first."""
        return next((i for i, charge in enumerate(self.charges, start=1) if charge.primary), 1)

    @property
    def primary_charge(self) -> Charge:
        return self.charges[self.primary_seq - 1]
