"""`ccsao-diversion`: the Cook County State's Attorney open-data Diversion export -> CaseBatch.

The export has one row per case participant and program referral (columns in `exports.DIVERSION`). It
maps onto Offramp as:

- one case per (CASE_ID, CASE_PARTICIPANT_ID), keyed `CCSAO-{CASE_ID}-{CASE_PARTICIPANT_ID}`, stage
  diverted, received on RECEIVED_DATE; its primary charge (seq 1) from STATUTE and
  PRIMARY_CHARGE_OFFENSE_TITLE of the case's first row (see `statutes`);
- one person per participant, `CCSAO-P{CASE_PARTICIPANT_ID}`, sex and race from GENDER and RACE;
- one referral per row, numbered per case by referral date then source row.

The export carries no evidence, criminal-history or health facts, no birth year and no ZIP: those stay
null (unknown), never false. Invalid values (unparseable dates, DIVERSION_COUNT, DIVERSION_RESULT; a blank
CASE_ID, CASE_PARTICIPANT_ID, RECEIVED_DATE or DIVERSION_PROGRAM, which the case and referral tables
require) fail the file with every problem listed; odd but usable values (a 1946 referral, an unknown
program code, a blank referral date, rows of one case that disagree, exact duplicate rows) are imported
and reported as warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from offramp.core.enums import CaseStage, Ethnicity, Race, ReferralResult, Sex
from offramp.core.intake.batch import WARNING_SCHEMA, CaseBatch
from offramp.core.intake.ccsao import vocab
from offramp.core.intake.ccsao.dates import concat_warnings, parse_date_columns
from offramp.core.intake.ccsao.exports import DIVERSION, read_export
from offramp.core.intake.ccsao.statutes import map_charges
from offramp.core.intake.errors import IntakeError
from offramp.core.intake.fields import Column, parse_columns

SOURCE_FORMAT = "ccsao-diversion"
AGENCY = "Cook County State's Attorney (open data)"

DATE_COLUMNS = ("RECEIVED_DATE", "REFERRAL_DATE", "DIVERSION_CLOSED_DATE")
TEXT_COLUMNS = (
    "OFFENSE_CATEGORY",
    "PRIMARY_CHARGE_OFFENSE_TITLE",
    "STATUTE",
    "RACE",
    "GENDER",
)
COLUMNS: tuple[Column, ...] = (
    Column("CASE_ID", required=True),
    Column("CASE_PARTICIPANT_ID", required=True),
    Column("DIVERSION_PROGRAM", required=True, pattern=r"\S", pattern_expected="a program code such as DDPP"),
    Column("DIVERSION_COUNT", "int", minimum=0),
    Column(
        "DIVERSION_RESULT",
        pattern=r"(?i)^(?:" + "|".join(vocab.DIVERSION_RESULT) + r")$",
        pattern_expected="Graduated or Failed (blank: no result yet)",
    ),
    *(Column(name) for name in TEXT_COLUMNS),
)


def parse_diversion(path: Path) -> CaseBatch:
    """Parse a CCSAO Diversion export; IntakeError lists every invalid value."""
    file = str(path)
    raw = read_export(path, DIVERSION)
    dates = parse_date_columns(
        raw.with_row_index("__row", offset=2), DATE_COLUMNS, file, required=("RECEIVED_DATE",)
    )
    try:
        parsed = parse_columns(raw, COLUMNS, file)
    except IntakeError as exc:
        raise IntakeError(exc.errors + dates.errors, exc.total + dates.error_total) from None
    if dates.errors:
        raise IntakeError(dates.errors, dates.error_total)
    cells = raw.select(
        [_cell(name).alias(f"{name}__cell") for name in ("STATUTE", "PRIMARY_CHARGE_OFFENSE_TITLE")]
    )
    rows = (
        parsed.frame.hstack(dates.frame.drop("__row"))
        .hstack(cells)
        .with_columns(
            pl.concat_str(
                [pl.lit("CCSAO-"), pl.col("CASE_ID"), pl.lit("-"), pl.col("CASE_PARTICIPANT_ID")]
            ).alias("case_key"),
            pl.concat_str([pl.lit("CCSAO-P"), pl.col("CASE_PARTICIPANT_ID")]).alias("person_key"),
            pl.col("DIVERSION_PROGRAM").str.to_uppercase().alias("program_code"),
        )
    )
    first = rows.unique("case_key", keep="first", maintain_order=True)
    charges = _charges(first)
    warnings = [dates.warnings, *_row_warnings(rows), *_case_warnings(rows), *_person_warnings(rows)]
    kept, duplicates = _drop_duplicate_referrals(rows)
    keyed = concat_warnings([*warnings, duplicates]).join(
        rows.select(pl.col("__row").alias("row"), "case_key"), on="row", how="left"
    )
    return CaseBatch(
        source_format=SOURCE_FORMAT,
        persons=_persons(rows),
        cases=_cases(first, charges),
        charges=charges.drop("__row"),
        referrals=_referrals(kept),
        warnings=keyed.sort("row", "field").select(list(WARNING_SCHEMA)),
    ).conformed()


def _cell(name: str) -> pl.Expr:
    """The cell exactly as written, null when blank (statute_raw and title_raw keep the source text)."""
    return pl.when(pl.col(name).str.strip_chars() == "").then(None).otherwise(pl.col(name))


def _persons(rows: pl.DataFrame) -> pl.DataFrame:
    ethnicity = vocab.lookup(pl.col("RACE"), vocab.ethnicity_values())
    return rows.unique("person_key", keep="first", maintain_order=True).select(
        "person_key",
        pl.lit(None, pl.Int32).alias("birth_year"),
        vocab.lookup(pl.col("GENDER"), vocab.sex_values()).fill_null(Sex.UNKNOWN.value).alias("sex"),
        pl.col("GENDER__raw").alias("sex_raw"),
        vocab.lookup(pl.col("RACE"), vocab.race_values()).fill_null(Race.UNKNOWN.value).alias("race"),
        pl.col("RACE__raw").alias("race_raw"),
        ethnicity.fill_null(Ethnicity.UNKNOWN.value).alias("ethnicity"),
        # CCSAO has no ethnicity column: where RACE carried it (Latinx), that text is its source
        pl.when(ethnicity.is_not_null() & (ethnicity != Ethnicity.UNKNOWN.value))
        .then(pl.col("RACE__raw"))
        .alias("ethnicity_raw"),
        pl.lit(None, pl.String).alias("zip"),
    )


def _charges(first: pl.DataFrame) -> pl.DataFrame:
    mapped = map_charges(
        first, statute="STATUTE__cell", title="PRIMARY_CHARGE_OFFENSE_TITLE__cell", as_of="RECEIVED_DATE"
    )
    return mapped.select(
        "__row",
        "case_key",
        pl.lit(1, pl.Int32).alias("seq"),
        pl.lit(True).alias("is_primary"),
        pl.col("STATUTE__cell").alias("statute_raw"),
        pl.col("PRIMARY_CHARGE_OFFENSE_TITLE__cell").alias("title_raw"),
        "offense_kind",
        "severity",
        "nibrs_code",
        "drug",
        "drug_raw",
    )


def _cases(first: pl.DataFrame, charges: pl.DataFrame) -> pl.DataFrame:
    return first.join(charges.select("case_key", "offense_kind", "drug"), on="case_key", how="left").select(
        "case_key",
        "person_key",
        pl.col("__row").alias("source_row"),
        pl.col("RECEIVED_DATE").alias("received_date"),
        pl.col("RECEIVED_DATE__raw").alias("received_date_raw"),
        pl.lit(AGENCY).alias("agency"),
        pl.lit(CaseStage.DIVERTED.value).alias("stage"),
        pl.col("offense_kind").alias("primary_offense_kind"),
        pl.col("drug").alias("primary_drug"),
    )


def _drop_duplicate_referrals(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows without exact repeats (same case, participant, program and referral date), and a
    warning for each repeat dropped."""
    key = ["case_key", "program_code", "REFERRAL_DATE"]
    marked = rows.with_columns(pl.col("__row").min().over(key).alias("__first_row")).with_columns(
        (pl.col("__row") != pl.col("__first_row")).alias("__repeat")
    )
    repeats = marked.filter(pl.col("__repeat")).select(
        pl.col("__row").alias("row"),
        pl.lit("DIVERSION_PROGRAM").alias("field"),
        pl.col("DIVERSION_PROGRAM__raw").alias("value"),
        pl.format(
            "repeats row {}: same case, participant, program and referral date; imported once",
            pl.col("__first_row"),
        ).alias("message"),
    )
    return marked.filter(~pl.col("__repeat")).drop("__repeat", "__first_row"), repeats


def _referrals(rows: pl.DataFrame) -> pl.DataFrame:
    result = vocab.lookup(pl.col("DIVERSION_RESULT"), vocab.result_values())
    return (
        rows.with_columns(pl.col("__row").min().over("case_key").alias("__case_row"))
        .sort(["__case_row", "REFERRAL_DATE", "__row"], nulls_last=True)
        .select(
            "case_key",
            (pl.int_range(pl.len()).over("case_key") + 1).cast(pl.Int32).alias("seq"),
            "program_code",
            pl.col("DIVERSION_PROGRAM__raw").alias("program_raw"),
            pl.col("REFERRAL_DATE").alias("referral_date"),
            pl.col("REFERRAL_DATE__raw").alias("referral_date_raw"),
            pl.col("DIVERSION_COUNT").cast(pl.Int32).alias("diversion_count"),
            result.fill_null(ReferralResult.PENDING.value).alias("result"),
            pl.col("DIVERSION_RESULT__raw").alias("result_raw"),
            pl.col("DIVERSION_CLOSED_DATE").alias("closed_date"),
            pl.col("DIVERSION_CLOSED_DATE__raw").alias("closed_date_raw"),
        )
    )


def _warn(rows: pl.DataFrame, when: pl.Expr, field: str, message: str) -> pl.DataFrame:
    return rows.filter(when.fill_null(False)).select(
        pl.col("__row").alias("row"),
        pl.lit(field).alias("field"),
        pl.col(f"{field}__raw").alias("value"),
        pl.lit(message).alias("message"),
    )


def _row_warnings(rows: pl.DataFrame) -> list[pl.DataFrame]:
    program = pl.col("program_code")
    return [
        _warn(
            rows,
            pl.col("REFERRAL_DATE").is_null(),
            "REFERRAL_DATE",
            "no referral date; referral imported without one",
        ),
        _warn(
            rows,
            ~program.is_in(list(vocab.DIVERSION_PROGRAM)),
            "DIVERSION_PROGRAM",
            "unknown CCSAO program code (known: "
            + ", ".join(vocab.DIVERSION_PROGRAM)
            + "); imported as written",
        ),
        _warn(
            rows,
            pl.col("RACE").is_not_null() & vocab.lookup(pl.col("RACE"), vocab.race_values()).is_null(),
            "RACE",
            "RACE value not in the CCSAO vocabulary; race imported as unknown, the text kept in race_raw",
        ),
        _warn(
            rows,
            pl.col("GENDER").is_not_null() & vocab.lookup(pl.col("GENDER"), vocab.sex_values()).is_null(),
            "GENDER",
            "GENDER value not in the CCSAO vocabulary; sex imported as unknown, the text kept in sex_raw",
        ),
        _warn(
            rows,
            pl.col("DIVERSION_CLOSED_DATE") < pl.col("REFERRAL_DATE"),
            "DIVERSION_CLOSED_DATE",
            "closed before the referral date; imported as written, please check the source",
        ),
    ]


def _case_warnings(rows: pl.DataFrame) -> list[pl.DataFrame]:
    return _disagreements(
        rows, "case_key", ("STATUTE", "PRIMARY_CHARGE_OFFENSE_TITLE", "RECEIVED_DATE"), "case"
    )


def _person_warnings(rows: pl.DataFrame) -> list[pl.DataFrame]:
    return _disagreements(rows, "person_key", ("RACE", "GENDER"), "participant")


def _disagreements(rows: pl.DataFrame, key: str, columns: Sequence[str], what: str) -> list[pl.DataFrame]:
    """A warning on each row whose value differs from the first row of its `key` group (which is kept)."""
    ordered = rows.with_columns(pl.col("__row").min().over(key).alias("__first_row"))
    frames = []
    for name in columns:
        first = pl.col(name).first().over(key)  # rows are in source order
        frames.append(
            ordered.filter(pl.col(name).ne_missing(first)).select(
                pl.col("__row").alias("row"),
                pl.lit(name).alias("field"),
                pl.col(f"{name}__raw").alias("value"),
                pl.format(
                    f"rows of one {what} disagree on {name}; the first row's value (row {{}}) is kept",
                    pl.col("__first_row"),
                ).alias("message"),
            )
        )
    return frames
