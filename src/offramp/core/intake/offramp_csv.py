"""`offramp-csv`: one row per case with its primary charge. Documented in docs/formats.md,
published as JSON Schema in docs/schemas/offramp-csv.schema.json (generated from COLUMNS below)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from offramp.core.enums import (
    CaseStage,
    DispositionKind,
    Drug,
    Ethnicity,
    OffenseKind,
    QuantityUnit,
    Race,
    SentenceType,
    Severity,
    Sex,
)
from offramp.core.intake.batch import CASE_FACTS, CASE_SCHEMA, LATER_FACTS, CaseBatch
from offramp.core.intake.common import (
    DISPOSITION_ALIASES,
    EARLIEST_PLAUSIBLE_YEAR,
    ETHNICITY_ALIASES,
    RACE_ALIASES,
    SENTENCE_ALIASES,
    SEX_ALIASES,
    disposition_order_warnings,
    nibrs_code,
    person_conflict_warnings,
    reject_duplicate_keys,
    this_year,
)
from offramp.core.intake.errors import FieldError, IntakeError
from offramp.core.intake.fields import Column, blank_to_null, parse_columns, require_columns

ZIP_PATTERN = r"^\d{5}(-\d{4})?$"

COLUMNS: tuple[Column, ...] = (
    Column("case_id", required=True),
    Column("person_id", required=True),
    Column("received_date", "date", required=True, plausible=(EARLIEST_PLAUSIBLE_YEAR, this_year())),
    Column(
        "birth_year",
        "int",
        minimum=1850,
        maximum=this_year(),
        plausible=(this_year() - 100, this_year() - 10),
    ),
    Column("sex", "enum", enum=Sex, aliases=SEX_ALIASES),
    Column("race", "enum", enum=Race, aliases=RACE_ALIASES),
    Column("ethnicity", "enum", enum=Ethnicity, aliases=ETHNICITY_ALIASES),
    Column("zip", pattern=ZIP_PATTERN, pattern_expected="a 5-digit ZIP code (or ZIP+4, 12345-6789)"),
    Column("statute"),
    Column("charge_title"),
    Column("offense_kind", "enum", required=True, enum=OffenseKind),
    Column("severity", "enum", enum=Severity),
    Column("drug", "enum", enum=Drug),
    Column("quantity_g", "float", minimum=0, plausible=(0, 100_000)),
    Column("weapon", "bool"),
    Column("violence", "bool"),
    Column("sale_to_minor", "bool"),
    Column("near_school", "bool"),
    Column("cash_usd", "float", minimum=0, plausible=(0, 10_000_000)),
    Column("packaging", "bool"),
    Column("scales_or_ledgers", "bool"),
    Column("organizer_role", "bool"),
    Column("prior_felonies", "int", minimum=0, plausible=(0, 60)),
    Column("prior_violent", "int", minimum=0, plausible=(0, 40)),
    Column("prior_drug_sales", "int", minimum=0, plausible=(0, 60)),
    Column("on_supervision", "bool"),
    Column("days_since_release", "int", minimum=0, plausible=(0, 365 * 80)),
    Column("prior_overdose", "bool"),
    Column("injection_use", "bool"),
    Column("victim_count", "int", minimum=0, plausible=(0, 1000)),
    Column("narrative"),
)

#: columns a file may add; everything in COLUMNS must be in the header
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column("agency"),
    Column("stage", "enum", enum=CaseStage),
    Column("disposition", "enum", enum=DispositionKind, aliases=DISPOSITION_ALIASES),
    Column("disposition_date", "date", plausible=(EARLIEST_PLAUSIBLE_YEAR, this_year())),
    Column("sentence_type", "enum", enum=SentenceType, aliases=SENTENCE_ALIASES),
    Column("sentence_days", "int", minimum=0, plausible=(0, 36_500)),
    Column("trafficking_org_ties", "bool"),
    Column("weapon_in_connection", "bool"),
    Column(
        "last_violent_conviction_year",
        "int",
        minimum=EARLIEST_PLAUSIBLE_YEAR,
        plausible=(EARLIEST_PLAUSIBLE_YEAR, this_year()),
    ),
    Column("on_moud", "bool"),
    # issue 13: facts for the legal bars, eligibility, the pretrial position and the person's own account
    Column("sought_help_for_overdose", "bool"),
    Column("harm_reduction_supplies_only", "bool"),
    Column("prior_drug_convictions", "int", minimum=0, plausible=(0, 60)),
    Column("prior_conditional_discharge", "bool"),
    Column("prior_first_offender", "bool"),
    Column("prior_failures_to_appear", "int", minimum=0, plausible=(0, 60)),
    Column("in_custody", "bool"),
    Column("sells_to_support_own_use", "bool"),
    Column("poverty_or_debt", "bool"),
    Column("coerced_or_exploited", "bool"),
    Column("veteran", "bool"),
    Column("pregnant", "bool"),
    Column("caregiver", "bool"),
    Column("noncitizen", "bool"),
    # a count of pills or other dosage units for the primary charge, where no weight is known (quantity_g
    # blank): the charge's quantity is this count, its unit dosage_unit. A weight, when given, wins.
    Column("dosage_units", "float", minimum=0, plausible=(0, 1_000_000)),
)

REQUIRED_HEADER = [c.name for c in COLUMNS]


def read_raw(path: Path) -> pl.DataFrame:
    """Every cell as text (no type guessing: validation decides), or IntakeError if the file is unreadable."""
    file = str(path)
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.ComputeError as exc:
        raise IntakeError([FieldError(file, 0, "file", path.name, f"a UTF-8 CSV file ({exc})")]) from exc
    except pl.exceptions.NoDataError as exc:
        raise IntakeError([FieldError(file, 1, "header", "", "a header row naming the columns")]) from exc


def parse(path: Path) -> CaseBatch:
    """Parse an offramp-csv file; IntakeError lists every invalid value."""
    file = str(path)
    raw = read_raw(path)
    require_columns(raw.columns, REQUIRED_HEADER, file)
    present_optional = [c for c in OPTIONAL_COLUMNS if c.name in raw.columns]
    duplicates = _duplicate_case_ids(raw, file)
    parsed = parse_columns(raw, COLUMNS + tuple(present_optional), file, errors=duplicates)
    rows = parsed.frame
    return _to_batch(
        rows, parsed.warnings, has_stage="stage" in raw.columns, has_agency="agency" in raw.columns
    )


def _optional(name: str, dtype: pl.DataType, rows: pl.DataFrame) -> pl.Expr:
    """An optional column's value (null for every row when the file has no such column)."""
    return (pl.col(name) if name in rows.columns else pl.lit(None)).cast(dtype).alias(name)


def _duplicate_case_ids(raw: pl.DataFrame, file: str) -> list[FieldError]:
    """Rows whose case_id repeats an earlier row's, found before the value checks so that one report
    lists both kinds of problem."""
    keys = (
        raw.select(blank_to_null(pl.col("case_id")).alias("case_id"))
        .with_row_index("__row", offset=2)
        .filter(pl.col("case_id").is_not_null())
    )
    try:
        reject_duplicate_keys(keys, "case_id", file, "a case_id not used on an earlier row")
    except IntakeError as exc:
        return exc.errors
    return []


def _to_batch(rows: pl.DataFrame, warnings: pl.DataFrame, *, has_stage: bool, has_agency: bool) -> CaseBatch:
    rows = rows.with_columns(
        pl.lit(None, CASE_SCHEMA[name]).alias(name) for name in LATER_FACTS if name not in rows.columns
    ).with_columns(
        pl.col("case_id").alias("case_key"),
        pl.col("person_id").alias("person_key"),
    )
    person_cols = ["birth_year", "sex", "race", "ethnicity", "zip"]
    persons_all = rows.select(
        "__row",
        "person_key",
        pl.col("birth_year").cast(pl.Int32),
        pl.col("sex").fill_null(Sex.UNKNOWN.value),
        pl.col("sex__raw").alias("sex_raw"),
        pl.col("race").fill_null(Race.UNKNOWN.value),
        pl.col("race__raw").alias("race_raw"),
        pl.col("ethnicity").fill_null(Ethnicity.UNKNOWN.value),
        pl.col("ethnicity__raw").alias("ethnicity_raw"),
        "zip",
    )
    conflicts = person_conflict_warnings(persons_all, person_cols)
    persons = persons_all.unique("person_key", keep="first", maintain_order=True).drop("__row")

    cases = rows.select(
        "case_key",
        "person_key",
        pl.col("__row").alias("source_row"),
        "received_date",
        pl.col("received_date__raw").alias("received_date_raw"),
        (pl.col("agency") if has_agency else pl.lit(None, pl.String)).alias("agency"),
        (
            pl.col("stage").fill_null(CaseStage.RECEIVED.value)
            if has_stage
            else pl.lit(CaseStage.RECEIVED.value)
        ).alias("stage"),
        pl.col("offense_kind").alias("primary_offense_kind"),
        pl.col("drug").alias("primary_drug"),
        *CASE_FACTS,
        "narrative",
        _optional("disposition", pl.String(), rows),
        _optional("disposition__raw", pl.String(), rows).alias("disposition_raw"),
        _optional("disposition_date", pl.Date(), rows),
        _optional("disposition_date__raw", pl.String(), rows).alias("disposition_date_raw"),
        _optional("sentence_type", pl.String(), rows),
        _optional("sentence_type__raw", pl.String(), rows).alias("sentence_type_raw"),
        _optional("sentence_days", pl.Int32(), rows),
    )
    pills = _optional("dosage_units", pl.Float64(), rows)
    charges = rows.select(
        "case_key",
        pl.lit(1, pl.Int32).alias("seq"),
        pl.lit(True).alias("is_primary"),
        pl.col("statute").alias("statute_raw"),
        pl.col("charge_title").alias("title_raw"),
        "offense_kind",
        "severity",
        nibrs_code(pl.col("offense_kind")).alias("nibrs_code"),
        "drug",
        pl.col("drug__raw").alias("drug_raw"),
        pl.coalesce(pl.col("quantity_g"), pills).alias("quantity"),
        pl.when(pl.col("quantity_g").is_not_null())
        .then(pl.lit(QuantityUnit.GRAM.value))
        .when(pills.is_not_null())
        .then(pl.lit(QuantityUnit.DOSAGE_UNIT.value))
        .alias("quantity_unit"),
        pl.when(pl.col("quantity_g").is_null() & pills.is_not_null())
        .then(_optional("dosage_units__raw", pl.String(), rows))
        .otherwise(pl.col("quantity_g__raw"))
        .alias("quantity_raw"),
    )
    order = disposition_order_warnings(cases)
    extra = [frame for frame in (conflicts, order) if frame.height]
    keyed = pl.concat([warnings, *extra], how="diagonal_relaxed") if extra else warnings
    keyed = keyed.join(rows.select(pl.col("__row").alias("row"), "case_key"), on="row", how="left")
    return CaseBatch(
        source_format="offramp-csv", persons=persons, cases=cases, charges=charges, warnings=keyed
    )
