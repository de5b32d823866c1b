"""What the dashboards' filters mean, applied to the analytics frame as lazy Polars filters.

A filter narrows the cases before anything is computed, so every table on a page counts the same cases:
the unit is the snapshot's agency column (`UNIT_COLUMNS`, first found), offence kind and drug are exact
matches, and the date range is inclusive on the case's received date (the cohort date every metric uses).
An empty filter keeps every case. `disparity_breakdown` holds the reference group of each RRI breakdown
(RRI = a group's rate / the reference group's rate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

import polars as pl

from offramp.core.analytics.dataset import Period

PERIODS: dict[str, Period] = {"year": "year", "quarter": "quarter", "month": "month"}
#: the frame columns the "unit" filter reads, first found wins (the snapshot's agency column)
UNIT_COLUMNS = ("unit", "agency")
#: the reference group of each disparity breakdown (RRI = group's rate / this group's rate)
REFERENCES = {"race": "white", "ethnicity": "not_hispanic_latino", "sex": "male", "age_band": "25_34"}
#: the breakdown the disparity page falls back to when asked for one that has no reference group
DEFAULT_DISPARITY_BY = "race"


@dataclass(frozen=True)
class Filters:
    """The filters of a dashboard request ("" or None: not filtered). `period` is "year", "quarter",
    "month" or "all" (every case in one period); `by` the breakdown; `within` the disparity stratum."""

    period: str = "year"
    unit: str = ""
    offense_kind: str = ""
    drug: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: str = "all"
    within: str = ""

    @property
    def core_period(self) -> Period | None:
        """The period `metrics.compute` and `disparity.rri` take: None puts every case in period "all"."""
        if self.period == "all":
            return None
        if self.period in PERIODS:
            return PERIODS[self.period]
        raise ValueError(f"unknown period {self.period!r}: expected year, quarter, month or all")

    @property
    def justice_counts_period(self) -> Literal["year", "month"]:
        """Justice Counts publishes annual or monthly figures only: monthly when asked, else annual."""
        return "month" if self.period == "month" else "year"

    def as_detail(self) -> dict[str, str]:
        """The filters that are set, as text (for the audit record of a view or download)."""
        return {k: str(v) for k, v in asdict(self).items() if v not in ("", None)}

    def apply(self, frame: pl.DataFrame) -> pl.LazyFrame:
        """The cases these filters keep, as a lazy frame (nothing is computed until a metric collects it)."""
        lazy = frame.lazy()
        unit_col = unit_column(frame)
        if self.unit and unit_col:
            lazy = lazy.filter(pl.col(unit_col) == self.unit)
        if self.offense_kind:
            lazy = lazy.filter(pl.col("offense_kind") == self.offense_kind)
        if self.drug:
            lazy = lazy.filter(pl.col("drug") == self.drug)
        if self.date_from:
            lazy = lazy.filter(pl.col("received_date") >= self.date_from)
        if self.date_to:
            lazy = lazy.filter(pl.col("received_date") <= self.date_to)
        return lazy


def unit_column(frame: pl.DataFrame) -> str | None:
    """The column the unit filter reads, or None when the frame has none (the filter then keeps all)."""
    return next((c for c in UNIT_COLUMNS if c in frame.columns), None)


def units(frame: pl.DataFrame) -> list[str]:
    """The units a user may filter on: the distinct non-null values of the unit column, sorted."""
    col = unit_column(frame)
    return sorted(str(v) for v in frame[col].drop_nulls().unique().to_list()) if col else []


def disparity_breakdown(by: str) -> tuple[str, str]:
    """The breakdown the disparity page uses for `by`, and its reference group: `by` when it has a
    reference group, else race (white)."""
    chosen = by if by in REFERENCES else DEFAULT_DISPARITY_BY
    return chosen, REFERENCES[chosen]
