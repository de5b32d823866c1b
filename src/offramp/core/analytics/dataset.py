"""The analytics frame: one de-identified row per case, the only input of every metric and disparity index.

The web layer builds it from the database and the simulator from the engine's output; neither passes
anything else to `offramp.core.analytics`. It carries no name, date of birth, address, docket or case
number: `case_key` is an opaque key (a hash or a sequence number, never the docket number), the age is a
band, and `conform` drops every column that is not in `ANALYTICS_SCHEMA`. Analysts therefore see
de-identified data only; small-cell suppression of published tables is `disparity.public`'s job.

Money is Float64 here. The restitution ledger (`offramp.core.victims.restitution`) is exact (Decimal, to the cent)
and stays the record; analytics only sums and divides, where a float's last bit does not matter.

Missing facts are null, and null never counts as yes: a rate's numerator and denominator sum the rows
whose flag is true. A few columns give null a meaning of its own (written in their description):
`decision` (no decision yet), `diversion_completed` (still in the program, or never entered) and the
`new_case_within_*` flags (the window has not elapsed, see `offramp.core.outcomes.followup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from offramp.core.enums import (
    DescribedEnum,
    DispositionKind,
    Drug,
    Ethnicity,
    OffenseKind,
    Race,
    Severity,
    Sex,
)
from offramp.core.evaluation.criteria.enums import SellerRole


class Decision(DescribedEnum):
    """The office's charging decision on a referred case (null in the frame: not decided yet)."""

    DECLINED = ("declined", "The office declined to prosecute the referral.")
    DIVERTED_PRE_FILING = (
        "diverted_pre_filing",
        "Diverted before any charge was filed (pre-charge / pre-filing diversion, e.g. LEAD).",
    )
    CHARGED = ("charged", "Charges were filed (a later post-filing diversion is recorded separately).")


class AgeBand(DescribedEnum):
    """Age at referral, in the bands every breakdown uses."""

    UNDER_18 = ("under_18", "Under 18 at referral.")
    AGE_18_24 = ("18_24", "18 to 24 years old at referral.")
    AGE_25_34 = ("25_34", "25 to 34 years old at referral.")
    AGE_35_44 = ("35_44", "35 to 44 years old at referral.")
    AGE_45_54 = ("45_54", "45 to 54 years old at referral.")
    AGE_55_PLUS = ("55_plus", "55 or older at referral.")
    UNKNOWN = ("unknown", "Age not recorded.")


#: lower bound (inclusive) of each band after the first, in order
_AGE_BOUNDS: tuple[tuple[int, AgeBand], ...] = (
    (18, AgeBand.AGE_18_24),
    (25, AgeBand.AGE_25_34),
    (35, AgeBand.AGE_35_44),
    (45, AgeBand.AGE_45_54),
    (55, AgeBand.AGE_55_PLUS),
)


def age_band(age: pl.Expr) -> pl.Expr:
    """The `AgeBand` value of an age in whole years (null or negative age -> "unknown")."""
    return (
        pl.when(age.is_null() | (age < 0)).then(pl.lit(AgeBand.UNKNOWN.value))
        .when(age < 18).then(pl.lit(AgeBand.UNDER_18.value))
        .when(age < 25).then(pl.lit(AgeBand.AGE_18_24.value))
        .when(age < 35).then(pl.lit(AgeBand.AGE_25_34.value))
        .when(age < 45).then(pl.lit(AgeBand.AGE_35_44.value))
        .when(age < 55).then(pl.lit(AgeBand.AGE_45_54.value))
        .otherwise(pl.lit(AgeBand.AGE_55_PLUS.value))
    )  # fmt: skip


def age_band_of(age: int | None) -> AgeBand:
    """`age_band` for one age (the same bands, for code that holds one case)."""
    if age is None or age < 0:
        return AgeBand.UNKNOWN
    if age < 18:
        return AgeBand.UNDER_18
    band = AgeBand.UNDER_18
    for low, b in _AGE_BOUNDS:
        if age >= low:
            band = b
    return band


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    meaning: str
    #: the values a text column may hold (None: any text, or not a text column)
    values: tuple[str, ...] | None = None


COLUMNS: tuple[Column, ...] = (
    Column("case_key", pl.String(), "Opaque case key (a hash or sequence, never a docket number or name)."),
    Column("received_date", pl.Date(), "Date the office received the referral; periods are taken from it."),
    Column(
        "race",
        pl.String(),
        "Race (Race enum, OMB categories); null is read as 'unknown'.",
        tuple(Race.values()),
    ),
    Column(
        "ethnicity",
        pl.String(),
        "Ethnicity (Ethnicity enum); null is read as 'unknown'.",
        tuple(Ethnicity.values()),
    ),
    Column("sex", pl.String(), "Sex as recorded (Sex enum); null is read as 'unknown'.", tuple(Sex.values())),
    Column(
        "age_band",
        pl.String(),
        "Age at referral as a band (AgeBand; see age_band()).",
        tuple(AgeBand.values()),
    ),
    Column(
        "offense_kind", pl.String(), "Kind of the primary charge (OffenseKind).", tuple(OffenseKind.values())
    ),
    Column("drug", pl.String(), "Drug of the primary charge (Drug).", tuple(Drug.values())),
    Column("severity", pl.String(), "Felony or misdemeanor (Severity).", tuple(Severity.values())),
    Column(
        "seller_role",
        pl.String(),
        "The engine's seller_role finding (SellerRole: user ... high_level); null if never evaluated.",
        tuple(SellerRole.values()),
    ),
    Column(
        "overdose_risk", pl.Boolean(), "The engine's overdose_risk finding: the person is at raised risk."
    ),
    Column("victim_involved", pl.Boolean(), "The case has at least one identified victim."),
    Column(
        "decision",
        pl.String(),
        "The charging decision (Decision: declined / diverted_pre_filing / charged); null = undecided.",
        tuple(Decision.values()),
    ),
    Column("decided_on", pl.Date(), "Date of the charging decision."),
    Column("diversion_offered", pl.Boolean(), "Diversion was offered (before or after filing)."),
    Column("diversion_accepted", pl.Boolean(), "The person accepted diversion and entered a program."),
    Column(
        "diversion_completed",
        pl.Boolean(),
        "Program outcome: true = completed, false = left or terminated; null = still in it or never entered.",
    ),
    Column(
        "diversion_returned", pl.Boolean(), "Returned to prosecution after leaving diversion unsuccessfully."
    ),
    Column("program_entered_on", pl.Date(), "Date the person entered the diversion program."),
    Column("program_exited_on", pl.Date(), "Date the person left the program (completion or termination)."),
    Column(
        "filed", pl.Boolean(), "Charges were filed (at the decision, or later after a return from diversion)."
    ),
    Column(
        "diverted_post_filing",
        pl.Boolean(),
        "Diverted after charges were filed (deferred prosecution, drug court).",
    ),
    Column(
        "disposition",
        pl.String(),
        "Final disposition (DispositionKind: dismissed, nolle_prosequi, plea_guilty, finding_guilty, "
        "finding_not_guilty, diverted_completed, other); null = not disposed.",
        tuple(DispositionKind.values()),
    ),
    Column("disposed_on", pl.Date(), "Date of the disposition."),
    Column("incarcerated", pl.Boolean(), "The sentence includes jail or prison."),
    Column("sentence_days", pl.Int32(), "Days of incarceration imposed (null when none or unknown)."),
    Column("naloxone_given", pl.Boolean(), "Naloxone (or a referral to get it) was given to the person."),
    Column("moud_linked", pl.Boolean(), "The person was linked to medication for opioid use disorder."),
    Column(
        "restitution_ordered_usd",
        pl.Float64(),
        "Restitution ordered, net of reductions, in USD (ledger is exact).",
    ),
    Column("restitution_collected_usd", pl.Float64(), "Restitution paid so far, in USD (ledger is exact)."),
    Column("victim_contacted_on", pl.Date(), "Date the office first contacted the victim (null: not yet)."),
    Column(
        "new_case_within_1y",
        pl.Boolean(),
        "A new case within 1 year of the program exit; null = no exit, or the year has not elapsed.",
    ),
    Column(
        "new_case_within_3y",
        pl.Boolean(),
        "A new case within 3 years of the program exit; null = no exit, or 3 years have not elapsed.",
    ),
)

#: the analytics frame's columns, in order (name -> dtype)
ANALYTICS_SCHEMA: dict[str, pl.DataType] = {c.name: c.dtype for c in COLUMNS}
#: column -> what it means (for the definition pages and the data dictionary)
COLUMN_MEANINGS: dict[str, str] = {c.name: c.meaning for c in COLUMNS}
#: columns read as "unknown" when null (so every breakdown has a group for missing values)
UNKNOWN_WHEN_NULL: tuple[str, ...] = ("race", "ethnicity", "sex", "age_band")

Period = Literal["year", "quarter", "month"]


def period_expr(period: Period | None, column: str = "received_date") -> pl.Expr:
    """The period label of a date column: "2025" (year), "2025-Q3" (quarter), "2025-07" (month), "all"."""
    col = pl.col(column)
    if period is None:
        return pl.lit("all")
    if period == "year":
        return col.dt.strftime("%Y")
    if period == "quarter":
        return pl.format("{}-Q{}", col.dt.year(), col.dt.quarter())
    if period == "month":
        return col.dt.strftime("%Y-%m")
    raise ValueError(f"period must be 'year', 'quarter', 'month' or None, not {period!r}")


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` cast to ANALYTICS_SCHEMA, in its column order.

    A missing column is added as null; a column not in the schema is dropped (nothing identifying gets
    through); an `age` column (whole years), when `age_band` is missing, is turned into the band and
    dropped. Null race, ethnicity, sex and age band become "unknown". A text column holding a value
    outside its enumeration raises ValueError naming the column and up to five such values.
    """
    if "age_band" not in frame.columns and "age" in frame.columns:
        frame = frame.with_columns(age_band(pl.col("age")).alias("age_band"))
    if frame.width == 0:  # no columns at all: no rows either (a literal would make one)
        return pl.DataFrame(schema=ANALYTICS_SCHEMA)
    missing = [pl.lit(None).alias(c.name) for c in COLUMNS if c.name not in frame.columns]
    out = (
        frame.with_columns(missing)  # with_columns, not select: a literal alone would make a 1-row frame
        .select(pl.col(c.name).cast(c.dtype, strict=True) for c in COLUMNS)
        .with_columns(pl.col(name).fill_null("unknown") for name in UNKNOWN_WHEN_NULL)
    )
    checked = [c for c in COLUMNS if c.values is not None]
    bad = out.select(
        pl.col(c.name)
        .filter(~pl.col(c.name).is_in(list(c.values or ())) & pl.col(c.name).is_not_null())
        .unique()
        .sort()
        .head(5)
        .implode()
        .alias(c.name)
        for c in checked
    ).row(0, named=True)
    problems = [f"{name}: {values}" for name, values in bad.items() if values]
    if problems:
        raise ValueError("values outside their enumeration: " + "; ".join(problems))
    return out
