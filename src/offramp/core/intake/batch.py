"""The normalised tables every intake format produces, as Polars schemas.

An intake format parses its file into a `CaseBatch`: one frame per table below, already validated and
normalised, with the raw source text kept beside each normalised value (`*_raw`). The web layer's store
writes these frames as they are, so the columns here are the contract between `core.intake` and the
database (tests/integration checks the Django models carry every column).

Keys are the source's own identifiers (`person_key`, `case_key`), never database ids: the store maps them
to rows, which is what makes a re-import idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

PERSON_SCHEMA: dict[str, pl.DataType] = {
    "person_key": pl.String(),
    "birth_year": pl.Int32(),
    "sex": pl.String(),
    "sex_raw": pl.String(),
    "race": pl.String(),
    "race_raw": pl.String(),
    "ethnicity": pl.String(),
    "ethnicity_raw": pl.String(),
    "zip": pl.String(),
}

CASE_SCHEMA: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "person_key": pl.String(),
    "source_row": pl.Int64(),
    "received_date": pl.Date(),
    "received_date_raw": pl.String(),
    "agency": pl.String(),
    "stage": pl.String(),
    "primary_offense_kind": pl.String(),
    "primary_drug": pl.String(),
    # evidence facts
    "weapon": pl.Boolean(),
    "violence": pl.Boolean(),
    "cash_usd": pl.Float64(),
    "packaging": pl.Boolean(),
    "scales_or_ledgers": pl.Boolean(),
    "sale_to_minor": pl.Boolean(),
    "near_school": pl.Boolean(),
    "organizer_role": pl.Boolean(),
    "trafficking_org_ties": pl.Boolean(),
    "weapon_in_connection": pl.Boolean(),
    "sought_help_for_overdose": pl.Boolean(),
    "harm_reduction_supplies_only": pl.Boolean(),
    # criminal history
    "prior_felonies": pl.Int32(),
    "prior_violent": pl.Int32(),
    "last_violent_conviction_year": pl.Int32(),
    "prior_drug_sales": pl.Int32(),
    "on_supervision": pl.Boolean(),
    "days_since_release": pl.Int32(),
    "prior_drug_convictions": pl.Int32(),
    "prior_conditional_discharge": pl.Boolean(),
    "prior_first_offender": pl.Boolean(),
    "prior_failures_to_appear": pl.Int32(),
    "in_custody": pl.Boolean(),
    # health facts
    "prior_overdose": pl.Boolean(),
    "injection_use": pl.Boolean(),
    "on_moud": pl.Boolean(),
    # the person's own account and circumstances
    "sells_to_support_own_use": pl.Boolean(),
    "poverty_or_debt": pl.Boolean(),
    "coerced_or_exploited": pl.Boolean(),
    "veteran": pl.Boolean(),
    "pregnant": pl.Boolean(),
    "caregiver": pl.Boolean(),
    "noncitizen": pl.Boolean(),
    # victims
    "victim_count": pl.Int32(),
    "narrative": pl.String(),
    # disposition facts (optional; null until the case is disposed, or when the source does not say)
    "disposition": pl.String(),
    "disposition_raw": pl.String(),
    "disposition_date": pl.Date(),
    "disposition_date_raw": pl.String(),
    "sentence_type": pl.String(),
    "sentence_type_raw": pl.String(),
    "sentence_days": pl.Int32(),
}

#: the case's disposition facts (core.enums DispositionKind and SentenceType), optional in every format
DISPOSITION_FACTS: tuple[str, ...] = ("disposition", "disposition_date", "sentence_type", "sentence_days")

#: the facts issue 13 added (legal bars, eligibility, pretrial, the person's own account): the last of the
#: case facts and of the later facts, written once here
ISSUE_13_FACTS: tuple[str, ...] = (
    "sought_help_for_overdose",
    "harm_reduction_supplies_only",
    "prior_drug_convictions",
    "prior_conditional_discharge",
    "prior_first_offender",
    "prior_failures_to_appear",
    "in_custody",
    "sells_to_support_own_use",
    "poverty_or_debt",
    "coerced_or_exploited",
    "veteran",
    "pregnant",
    "caregiver",
    "noncitizen",
)

#: the case's own facts (evidence, criminal history, health, victims), named alike by every intake format
#: and by the evaluation engine
CASE_FACTS: tuple[str, ...] = (
    "weapon",
    "violence",
    "cash_usd",
    "packaging",
    "scales_or_ledgers",
    "sale_to_minor",
    "near_school",
    "organizer_role",
    "trafficking_org_ties",
    "weapon_in_connection",
    "prior_felonies",
    "prior_violent",
    "last_violent_conviction_year",
    "prior_drug_sales",
    "on_supervision",
    "days_since_release",
    "prior_overdose",
    "injection_use",
    "on_moud",
    "victim_count",
    *ISSUE_13_FACTS,
)

#: case facts added after the offramp-csv header was fixed: optional columns there (a file without them
#: reads them as unknown), optional fields in offramp-jsonl
LATER_FACTS: tuple[str, ...] = (
    "trafficking_org_ties",
    "weapon_in_connection",
    "last_violent_conviction_year",
    "on_moud",
    *ISSUE_13_FACTS,
)

CHARGE_SCHEMA: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "seq": pl.Int32(),
    "is_primary": pl.Boolean(),
    "statute_raw": pl.String(),
    "title_raw": pl.String(),
    "offense_kind": pl.String(),
    "severity": pl.String(),
    "nibrs_code": pl.String(),
    "drug": pl.String(),
    "drug_raw": pl.String(),
    "quantity": pl.Float64(),
    "quantity_unit": pl.String(),
    "quantity_raw": pl.String(),
}

VICTIM_SCHEMA: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "seq": pl.Int32(),
    "harm": pl.String(),
    "harm_raw": pl.String(),
    "restitution_claimed_usd": pl.Float64(),
}

REFERRAL_SCHEMA: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "seq": pl.Int32(),
    "program_code": pl.String(),
    "program_raw": pl.String(),
    "referral_date": pl.Date(),
    "referral_date_raw": pl.String(),
    "diversion_count": pl.Int32(),
    "result": pl.String(),
    "result_raw": pl.String(),
    "closed_date": pl.Date(),
    "closed_date_raw": pl.String(),
}

WARNING_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "field": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
    "case_key": pl.String(),
}

TABLES: dict[str, dict[str, pl.DataType]] = {
    "persons": PERSON_SCHEMA,
    "cases": CASE_SCHEMA,
    "charges": CHARGE_SCHEMA,
    "victims": VICTIM_SCHEMA,
    "referrals": REFERRAL_SCHEMA,
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` with exactly the columns of `schema`, in order and cast; missing columns become null."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


@dataclass
class CaseBatch:
    """One file's worth of normalised records, ready to store."""

    source_format: str
    persons: pl.DataFrame = field(default_factory=lambda: empty_frame(PERSON_SCHEMA))
    cases: pl.DataFrame = field(default_factory=lambda: empty_frame(CASE_SCHEMA))
    charges: pl.DataFrame = field(default_factory=lambda: empty_frame(CHARGE_SCHEMA))
    victims: pl.DataFrame = field(default_factory=lambda: empty_frame(VICTIM_SCHEMA))
    referrals: pl.DataFrame = field(default_factory=lambda: empty_frame(REFERRAL_SCHEMA))
    warnings: pl.DataFrame = field(default_factory=lambda: empty_frame(WARNING_SCHEMA))

    def conformed(self) -> CaseBatch:
        """The same batch with every frame cast to its schema (a format may build looser frames)."""
        return CaseBatch(
            source_format=self.source_format,
            persons=conform(self.persons, PERSON_SCHEMA),
            cases=conform(self.cases, CASE_SCHEMA),
            charges=conform(self.charges, CHARGE_SCHEMA),
            victims=conform(self.victims, VICTIM_SCHEMA),
            referrals=conform(self.referrals, REFERRAL_SCHEMA),
            warnings=conform(self.warnings, WARNING_SCHEMA),
        )
