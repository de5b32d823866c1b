"""The dashboards' tables as text cells: core's rows (`core.analytics.shaping`) formatted the way the page
shows them, and so the way its CSV download writes them."""

from __future__ import annotations

from typing import Any

import polars as pl

from offramp.core.analytics import disparity, metrics, shaping
from offramp.web.analytics import exports
from offramp.web.analytics.exports import Table

RRI_HEADERS = [
    "Decision point",
    "Period",
    "Estimate",
    "Stratum",
    "Group",
    "Outcome count",
    "Base",
    "Rate",
    "Reference rate",
    "RRI",
    "95% CI low",
    "95% CI high",
    "Note",
]
ESTIMATES = {"crude": "crude", "mantel_haenszel": "Mantel-Haenszel", "stratum": "within stratum"}
#: the column of RRI_HEADERS marked when the RRI is suppressed
RRI_COLUMN = RRI_HEADERS.index("RRI")


def _f(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def _i(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def metric_table(
    slug: str, title: str, metric_ids: tuple[str, ...], result: pl.DataFrame, by: str, by_label: str
) -> Table:
    """Rows period x group (the breakdown's groups, or "all"), one column per metric."""
    names = [metrics.METRICS_BY_ID[m].name for m in metric_ids]
    rows = [
        [
            row.period,
            row.group,
            *[exports.metric_cell(row.cells[m]) if m in row.cells else "" for m in metric_ids],
        ]
        for row in shaping.pivot_metrics(result, by)
    ]
    return Table(slug, title, ["Period", "Group" if by == "all" else by_label, *names], rows)


def _rri_cells(r: dict[str, Any], reference: str, names: dict[str, str]) -> list[str]:
    return [
        names.get(r["decision_point"], r["decision_point"]),
        r["period"] or "",
        ESTIMATES.get(r["estimate"], r["estimate"]),
        r["stratum"] or "",
        r["group"] + (" (reference)" if r["group"] == reference else ""),
        _i(r["numerator"]),
        _i(r["base"]),
        _f(r["rate"], ".1%"),
        _f(r["reference_rate"], ".1%"),
        "suppressed" if r["suppressed"] else _f(r["rri"], ".2f"),
        _f(r["ci_low"], ".2f"),
        _f(r["ci_high"], ".2f"),
        r["note"] or "",
    ]


def rri_tables(table: pl.DataFrame, reference: str) -> list[Table]:
    """The RRI table (main estimates) and, when stratified, the table of each stratum's own RRI."""
    names = {p.id: p.name for p in disparity.DECISION_POINTS}
    main, strata = shaping.split_rri(table)

    def build(slug: str, title: str, rows: list[dict[str, Any]]) -> Table:
        cells = [_rri_cells(r, reference, names) for r in rows]
        marks = [{RRI_COLUMN} if r["suppressed"] else set() for r in rows]
        return Table(slug, title, RRI_HEADERS, cells, marks)

    tables = [build("rri", "Relative Rate Index", main)]
    if strata:
        tables.append(build("strata", "Within each stratum", strata))
    return tables
