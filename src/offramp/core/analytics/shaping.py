"""How the long metric and RRI tables are laid out for reading: the rules behind the dashboards' tables
and charts, kept out of the web layer so a page, a CSV and a test read the same rows.

- A metric page is one row per period x group, one column per metric (`pivot_metrics`).
- The RRI table shows the crude (or, within strata, the Mantel-Haenszel) estimate of each group; every
  stratum's own RRI is a second table (`split_rri`). The chart shows the main estimate of the latest
  period for every group but the reference, whose RRI is 1 by definition (`rri_chart_rows`).
- The transparency report's inputs: the Justice Counts counts per year, `TRANSPARENCY_RATES` and the RRI
  by race against white, over all cases (`transparency_inputs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from offramp.core.analytics import disparity, metrics
from offramp.core.analytics.justice_counts import JC_METRICS

#: the rates the public transparency report shows
TRANSPARENCY_RATES = (
    "ppi_2_2_declination_rate",
    "diversion_offer_rate",
    "diversion_acceptance_rate",
    "diversion_completion_rate",
    "ppi_4_7_naloxone_rate",
    "ppi_4_7_moud_rate",
)


@dataclass(frozen=True)
class MetricRow:
    """One row of a metric page: a period and a breakdown group, and each metric's `compute` row."""

    period: str
    group: str
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)


def pivot_metrics(result: pl.DataFrame, by: str) -> list[MetricRow]:
    """`compute` rows of breakdown `by` ("all" for none) as rows period x group, sorted by both."""
    rows: dict[tuple[str, str], MetricRow] = {}
    for r in result.filter(pl.col("group_by") == by).iter_rows(named=True):
        key = (r["period"], r["group"])
        rows.setdefault(key, MetricRow(*key)).cells[r["metric"]] = r
    return [rows[k] for k in sorted(rows)]


def split_rri(table: pl.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The RRI rows as (main estimates: crude and Mantel-Haenszel, each stratum's own estimate)."""
    main: list[dict[str, Any]] = []
    strata: list[dict[str, Any]] = []
    for r in table.iter_rows(named=True):
        (strata if r["estimate"] == "stratum" else main).append(r)
    return main, strata


def chart_estimate(within: str | None) -> str:
    """The estimate a chart shows: pooled over strata (Mantel-Haenszel) when stratified, else crude."""
    return "mantel_haenszel" if within else "crude"


def rri_chart_rows(
    main: Iterable[dict[str, Any]], reference: str, within: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The rows the RRI chart plots, and their period: the chart's estimate in the latest period, every
    group but the reference. Each row gains its decision point's name."""
    names = {p.id: p.name for p in disparity.DECISION_POINTS}
    wanted = chart_estimate(within)
    rows = [{**r, "decision_point_name": names.get(r["decision_point"], "")} for r in main]
    periods = sorted({r["period"] for r in rows})
    latest = periods[-1] if periods else None
    shown = [r for r in rows if r["estimate"] == wanted and r["period"] == latest and r["group"] != reference]
    return shown, latest


def transparency_inputs(
    frame: pl.DataFrame | pl.LazyFrame, min_cell: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The transparency report's (counts, rates, RRI) over every case: Justice Counts counts and the
    report's rates per year, and the RRI by race against white with cells under `min_cell` suppressed."""
    counts = metrics.compute(frame, _metrics(JC_METRICS), by=("all",))
    rates = metrics.compute(frame, _metrics(TRANSPARENCY_RATES), by=("all",))
    rri = disparity.rri(frame, by="race", reference="white", min_cell=min_cell)
    return counts, rates, rri


def _metrics(ids: Sequence[str]) -> list[metrics.Metric]:
    return [metrics.METRICS_BY_ID[m] for m in ids]
