"""Follow-up: new cases for the same person within 1, 3 and 5 years of leaving a program.

Prosecutor-led diversion programs should track recidivism for at least five years (NIJ multisite
evaluation; docs/SOURCES.md#prosecutor-led-diversion). An *exit* is a completion or a termination
(return to prosecution) on an `exit_date`; a *new case* is any case for the same person received strictly
after that date (a case received on the exit day itself is not counted: it is usually the same matter, or
one already pending).

Windows are calendar years after the exit: a new case on or before `exit_date + N years` (29 February
plus one year is 28 February) is within N years. A window that has not fully elapsed by `today` is not yet
measurable: its flag is null, not False, even when a new case has already been seen (counting early
returns only would overstate the rate of a young cohort). Cases received after `today` are ignored, so a
report for an earlier `today` is what the office could have seen that day.

`recidivism` gives one row per exit; `summary` the rates per exit kind and window, counting only exits
whose window has elapsed (numerator and denominator shown, rate null when nobody is measurable yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from offramp.core.enums import DescribedEnum

DEFAULT_WINDOWS: tuple[int, ...] = (1, 3, 5)
_EXIT = "__exit"


class ExitKind(DescribedEnum):
    COMPLETED = ("completed", "Completed the program: the charge is dismissed (or never filed).")
    TERMINATED = ("terminated", "Terminated from the program and returned to prosecution.")


def window_column(years: int) -> str:
    """The flag column of the `years` window: `within_1y`, `within_3y` ..."""
    return f"within_{years}y"


def _check_windows(windows: Sequence[int]) -> tuple[int, ...]:
    found = tuple(windows)
    if not found or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in found):
        raise ValueError(f"windows are whole numbers of years, at least 1: {windows!r}")
    if len(set(found)) != len(found):
        raise ValueError(f"windows repeat: {windows!r}")
    return found


def recidivism(
    events: pl.DataFrame,
    cases: pl.DataFrame,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    *,
    today: dt.date,
) -> pl.DataFrame:
    """One row per exit (in the order given, every `events` column kept), plus:

    - `within_<N>y` (Boolean) for each window: a new case received in (exit_date, exit_date + N years];
      null when exit_date + N years is after `today` (not yet measurable);
    - `first_new_case_key`, `first_new_case_date`: the first case received after the exit (and on or before
      `today`), whether or not within a window; ties on the date go to the smallest case_key.

    `events` has person_key, exit_date (Date) and exit_kind; `cases` has person_key, case_key and
    received_date (Date)."""
    spans = _check_windows(windows)
    exits = events.with_row_index(_EXIT)
    later = (
        exits.select(_EXIT, "person_key", "exit_date")
        .join(
            cases.select(
                "person_key",
                pl.col("case_key").cast(pl.String).alias("first_new_case_key"),
                pl.col("received_date").alias("first_new_case_date"),
            ).filter(pl.col("first_new_case_date") <= today),
            on="person_key",
            how="inner",
        )
        .filter(pl.col("first_new_case_date") > pl.col("exit_date"))
        .sort([_EXIT, "first_new_case_date", "first_new_case_key"])
        .unique(_EXIT, keep="first")
        .select(_EXIT, "first_new_case_key", "first_new_case_date")
    )
    first = pl.col("first_new_case_date")
    flags = []
    for years in spans:
        end = pl.col("exit_date").dt.offset_by(f"{years}y")
        flags.append(
            pl.when(end > today)
            .then(pl.lit(None, pl.Boolean))
            .otherwise(first.is_not_null() & (first <= end))
            .alias(window_column(years))
        )
    return (
        exits.join(later, on=_EXIT, how="left")
        .sort(_EXIT)
        .with_columns(flags)
        .select(
            *events.columns,
            *(window_column(y) for y in spans),
            pl.col("first_new_case_key").cast(pl.String),
            pl.col("first_new_case_date").cast(pl.Date),
        )
    )


SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "exit_kind": pl.String(),
    "window_years": pl.Int32(),
    "numerator": pl.UInt32(),
    "denominator": pl.UInt32(),
    "rate": pl.Float64(),
}


def summary(measured: pl.DataFrame, windows: Sequence[int] = DEFAULT_WINDOWS) -> pl.DataFrame:
    """Recidivism rates from `recidivism`'s output: one row per exit kind and window (SUMMARY_SCHEMA),
    sorted by exit kind then window. `denominator` counts the exits whose window has elapsed,
    `numerator` those of them with a new case within it; `rate` = numerator / denominator, null when the
    denominator is 0 (a kind/window pair with no measurable exit is still listed)."""
    spans = _check_windows(windows)
    kinds = measured.select(pl.col("exit_kind").cast(pl.String).unique()).to_series()
    grid = pl.DataFrame({"exit_kind": kinds}).join(
        pl.DataFrame({"window_years": list(spans)}, schema={"window_years": pl.Int32}), how="cross"
    )
    long = pl.concat(
        [
            measured.select(
                pl.col("exit_kind").cast(pl.String),
                pl.lit(years, pl.Int32).alias("window_years"),
                pl.col(window_column(years)).alias("hit"),
            )
            for years in spans
        ]
    )
    counts = long.group_by("exit_kind", "window_years").agg(
        pl.col("hit").sum().cast(pl.UInt32).alias("numerator"),
        pl.col("hit").count().cast(pl.UInt32).alias("denominator"),  # count() leaves nulls out
    )
    return (
        grid.join(counts, on=["exit_kind", "window_years"], how="left", nulls_equal=True)
        .with_columns(pl.col("numerator", "denominator").fill_null(0))
        .with_columns(
            pl.when(pl.col("denominator") > 0)
            .then(pl.col("numerator") / pl.col("denominator"))
            .otherwise(None)
            .cast(pl.Float64)
            .alias("rate")
        )
        .select(list(SUMMARY_SCHEMA))
        .cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]
        .sort("exit_kind", "window_years", nulls_last=True)
    )
