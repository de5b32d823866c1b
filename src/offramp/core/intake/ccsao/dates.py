"""CCSAO dates, parsed a whole column at a time.

The exports write dates as `01/01/2011 12:00:00 AM`, and some rows as `05/24/2011` or with a real
time (`05/22/2011 06:51:00 PM`). Only the date is kept: the time is midnight on almost every row and the
normalised tables hold dates. The Socrata API serves the same data with ISO timestamps
(`2011-01-01T00:00:00.000`), which are accepted too.

A value that is no date in any of these shapes is an error. A date that parses but cannot be right —
before `EARLIEST_PLAUSIBLE_YEAR` or after today (the published data has a referral dated 1946) — is
imported as written and reported as a data-quality warning, never a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from offramp.core.intake.batch import WARNING_SCHEMA
from offramp.core.intake.common import EARLIEST_PLAUSIBLE_YEAR
from offramp.core.intake.errors import MAX_LISTED_ERRORS, FieldError
from offramp.core.intake.fields import blank_to_null

#: datetime shapes tried in turn (strptime codes); the first that parses wins
DATETIME_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
)
DATE_FORMATS: tuple[str, ...] = ("%m/%d/%Y", "%Y-%m-%d")

EXPECTED = "a date as MM/DD/YYYY, optionally with a time (01/31/2011 12:00:00 AM)"


def parse_date(raw: pl.Expr) -> pl.Expr:
    """The date in `raw` (already stripped, blanks null) as pl.Date; null where no shape parses."""
    attempts = [raw.str.to_date(f, strict=False) for f in DATE_FORMATS]
    attempts += [raw.str.to_datetime(f, strict=False).dt.date() for f in DATETIME_FORMATS]
    return pl.coalesce(attempts)


def implausible(value: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """True where a parsed date is before EARLIEST_PLAUSIBLE_YEAR or after `today`; False for null."""
    last = today or dt.date.today()
    first = dt.date(EARLIEST_PLAUSIBLE_YEAR, 1, 1)
    return ((value < first) | (value > last)).fill_null(False)


@dataclass
class ParsedDates:
    """`frame` holds `__row` plus, per column, `<name>` (pl.Date) and `<name>__raw` (stripped text)."""

    frame: pl.DataFrame
    errors: list[FieldError]
    error_total: int
    warnings: pl.DataFrame


def parse_date_columns(
    frame: pl.DataFrame,
    columns: Sequence[str],
    file: str,
    *,
    required: Sequence[str] = (),
    today: dt.date | None = None,
) -> ParsedDates:
    """Parse the text `columns` of `frame` (which has `__row`), collecting errors and warnings.

    A blank cell is null, or an error in a `required` column. Errors are returned, not raised, so the
    caller can report them with every other invalid value.
    """
    typed = frame.select(pl.col("__row"), *(blank_to_null(pl.col(n)).alias(f"{n}__raw") for n in columns))
    for name in columns:
        # an export repeats a few thousand dates over a million rows: parse each distinct text once
        raw = f"{name}__raw"
        distinct = typed.select(raw).unique().drop_nulls().with_columns(parse_date(pl.col(raw)).alias(name))
        typed = typed.join(distinct, on=raw, how="left", maintain_order="left")
    typed = typed.select("__row", *(c for n in columns for c in (n, f"{n}__raw")))

    errors: list[FieldError] = []
    total = 0
    warnings: list[pl.DataFrame] = []
    for name in columns:
        blank_ok = name not in required
        bad = typed.filter(
            pl.col(name).is_null() & (pl.col(f"{name}__raw").is_not_null() | pl.lit(not blank_ok))
        )
        total += bad.height
        expected = EXPECTED + ("" if blank_ok else " (required)")
        for row, value in bad.head(MAX_LISTED_ERRORS).select("__row", f"{name}__raw").iter_rows():
            errors.append(FieldError(file, int(row), name, value or "", expected))
        warnings.append(
            typed.filter(implausible(pl.col(name), today)).select(
                pl.col("__row").cast(pl.Int64).alias("row"),
                pl.lit(name).alias("field"),
                pl.col(f"{name}__raw").alias("value"),
                pl.lit(
                    f"implausible {name}: before {EARLIEST_PLAUSIBLE_YEAR} or after today; "
                    "imported as written, please check the source"
                ).alias("message"),
            )
        )
    return ParsedDates(frame=typed, errors=errors, error_total=total, warnings=concat_warnings(warnings))


def concat_warnings(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Warning frames (row, field, value, message[, case_key]) stacked, cast to the warning schema."""
    schema = {k: v for k, v in WARNING_SCHEMA.items() if k != "case_key"}
    base = pl.DataFrame(schema=schema)
    parts = [base, *(f.select([pl.col(k).cast(v) for k, v in schema.items()]) for f in frames)]
    return pl.concat(parts, how="vertical")
