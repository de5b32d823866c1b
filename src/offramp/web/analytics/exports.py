"""Tables as shown and as CSV, the Justice Counts-shaped CSV, and the public transparency report.

A `Table` is what a page shows: headers and cell text. Its CSV (`table_csv`) is the same headers and the
same cells, so a download is exactly the table on the screen.

The Justice Counts rows are core's (`core.analytics.justice_counts`).

The transparency report holds only de-identified aggregates: counts of cases received per year, key rates
and the RRI table by race, with every count below `MIN_CELL` replaced by "fewer than 5" (and a rate whose
numerator or denominator is that small left out); RRI counts go through `disparity.public`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from offramp.core.analytics import disparity, metrics
from offramp.core.analytics.justice_counts import JC_METRICS, JC_RACE

#: the smallest count published (counts below are suppressed in the transparency report)
MIN_CELL = 5
SUPPRESSED = f"fewer than {MIN_CELL}"


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    #: per row, the indexes of the cells that are suppressed (shown marked)
    suppressed: list[set[int]] = field(default_factory=list)
    note: str = ""

    @property
    def marked_rows(self) -> list[list[tuple[str, bool]]]:
        marks = self.suppressed or [set() for _ in self.rows]
        return [
            [(cell, i in m) for i, cell in enumerate(row)] for row, m in zip(self.rows, marks, strict=True)
        ]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return out.getvalue()


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


# --- value formatting (shared by the pages and their CSV) --------------------------------------------------


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def metric_cell(row: dict[str, Any]) -> str:
    """A `compute` row's value as the page shows it."""
    unit, value, num, den = row["unit"], row["value"], row["numerator"], row["denominator"]
    if unit == metrics.Unit.COUNT.value:
        return _n(value)
    if unit == metrics.Unit.USD.value:
        return f"${value:,.2f}" if value is not None else ""
    if unit == metrics.Unit.RATE.value:
        if value is None:
            return f"none ({_n(num)} of {_n(den)})"
        if metrics.METRICS_BY_ID[row["metric"]].group is metrics.MetricGroup.RESTITUTION:
            return f"{value:.1%} (${num:,.2f} of ${den:,.2f})"
        return f"{value:.1%} ({_n(num)} of {_n(den)})"
    # days: the median over the measured cases
    if value is None:
        return f"none ({_n(num)} of {_n(den)} measured)"
    return f"{value:,.1f} days ({_n(num)} of {_n(den)} measured)"


# --- transparency ------------------------------------------------------------------------------------------


def suppress_count(value: float | None) -> str:
    if value is None:
        return ""
    return SUPPRESSED if value < MIN_CELL else f"{value:,.0f}"


def transparency_tables(counts: pl.DataFrame, rates: pl.DataFrame, rri: pl.DataFrame) -> list[Table]:
    """The report's tables: `counts` and `rates` from `compute(..., by=("all",), period="year")`, `rri`
    from `disparity.rri(..., by="race", min_cell=MIN_CELL)` (crude rows). Only aggregates, suppressed."""
    tables: list[Table] = []
    periods = sorted(set(counts["period"].to_list()))
    by_key = {(r["metric"], r["period"]): r for r in counts.iter_rows(named=True)}
    rows, marks = [], []
    for metric_id in JC_METRICS:
        m = metrics.METRICS_BY_ID[metric_id]
        cells = [suppress_count(by_key.get((metric_id, p), {}).get("value")) for p in periods]
        rows.append([m.name, *cells])
        marks.append({i + 1 for i, c in enumerate(cells) if c == SUPPRESSED})
    tables.append(
        Table(
            "counts",
            "Cases received each year, and what happened to them",
            ["Measure", *periods],
            rows,
            marks,
        )
    )
    rows, marks = [], []
    for r in rates.iter_rows(named=True):
        small = (r["numerator"] or 0) < MIN_CELL or (r["denominator"] or 0) < MIN_CELL
        value = SUPPRESSED if small else ("" if r["value"] is None else f"{r['value']:.1%}")
        rows.append(
            [
                metrics.METRICS_BY_ID[r["metric"]].name,
                r["period"],
                value,
                suppress_count(r["numerator"]),
                suppress_count(r["denominator"]),
            ]
        )
        marks.append({i for i, c in enumerate(rows[-1]) if c == SUPPRESSED})
    tables.append(
        Table(
            "rates",
            "Diversion and health rates",
            ["Measure", "Year", "Rate", "Numerator", "Denominator"],
            rows,
            marks,
        )
    )
    public = disparity.public(rri, MIN_CELL)
    rows, marks = [], []
    names = {p.id: p.name for p in disparity.DECISION_POINTS}
    for r in public.iter_rows(named=True):
        cells = [
            names.get(r["decision_point"], r["decision_point"]),
            JC_RACE.get(r["group"], r["group"]),
            SUPPRESSED if r["numerator"] is None else f"{r['numerator']:,}",
            SUPPRESSED if r["base"] is None else f"{r['base']:,}",
            "" if r["rate"] is None or r["suppressed"] else f"{r['rate']:.1%}",
            SUPPRESSED if r["suppressed"] else ("" if r["rri"] is None else f"{r['rri']:.2f}"),
            "" if r["ci_low"] is None else f"{r['ci_low']:.2f} to {r['ci_high']:.2f}",
        ]
        rows.append(cells)
        marks.append({i for i, c in enumerate(cells) if c == SUPPRESSED})
    tables.append(
        Table(
            "rri",
            "Relative Rate Index by race at each decision point (reference: white)",
            ["Decision point", "Race", "Outcome count", "Base", "Rate", "RRI", "95% CI"],
            rows,
            marks,
        )
    )
    return tables


def pdf_bytes(html: str, base_url: str) -> bytes:
    """The transparency report's HTML as PDF (WeasyPrint; the HTML has its styles inline, no script)."""
    import weasyprint  # noqa: PLC0415 — ~0.5 s to import; only the transparency PDF needs it

    data: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    return data
