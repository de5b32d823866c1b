"""Tables as shown and as CSV, the Justice Counts-shaped CSV, and the public transparency report.

A `Table` is what a page shows: headers and cell text. Its CSV (`table_csv`) is the same headers and the
same cells, so a download is exactly the table on the screen.

Justice Counts CSV (`justice_counts_rows`): one row per metric x period x breakdown, in Justice Counts'
vocabulary (docs/analytics.md has the mapping). Rows with neither sex nor race are the totals; a row with
`sex` filled is the sex breakdown, with `race` filled the race breakdown; "Cases Disposed" rows with
`disposition_type` filled break the disposed cases down by how they ended.

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


# --- Justice Counts ----------------------------------------------------------------------------------------

JC_METRICS = (
    "jc_cases_referred",
    "jc_cases_declined",
    "jc_cases_diverted_pre_filing",
    "jc_cases_diverted_post_filing",
    "jc_cases_disposed",
    "jc_cases_disposed_dismissal",
    "jc_cases_disposed_plea",
    "jc_cases_disposed_trial",
)
#: Justice Counts metric -> the offramp metrics summed into it
JC_NAMES: dict[str, tuple[str, ...]] = {
    "Cases Referred": ("jc_cases_referred",),
    "Cases Declined": ("jc_cases_declined",),
    "Cases Diverted/Deferred": ("jc_cases_diverted_pre_filing", "jc_cases_diverted_post_filing"),
    "Cases Disposed": ("jc_cases_disposed",),
}
#: "Cases Disposed" by disposition type ("Other" = disposed minus the three named kinds)
JC_DISPOSITION_TYPES: dict[str, str] = {
    "Dismissal": "jc_cases_disposed_dismissal",
    "Plea": "jc_cases_disposed_plea",
    "Trial": "jc_cases_disposed_trial",
}
JC_SEX: dict[str, str] = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Unknown"}
JC_RACE: dict[str, str] = {
    "american_indian_alaska_native": "American Indian or Alaska Native",
    "asian": "Asian",
    "black": "Black",
    "native_hawaiian_pacific_islander": "Native Hawaiian or Pacific Islander",
    "white": "White",
    "multiracial": "More than one race",
    "other": "Other",
    "unknown": "Unknown",
}
JC_HEADERS = ["metric", "year", "month", "disposition_type", "sex", "race", "value", "offramp_metrics"]


def _year_month(period: str) -> tuple[str, str]:
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():  # 2025-07
        return period[:4], str(int(period[5:]))
    return period, ""


def justice_counts_rows(result: pl.DataFrame) -> list[list[str]]:
    """`result`: `compute(frame, JC metrics, by=("all", "sex", "race"), period="year" or "month")`."""
    values: dict[tuple[str, str, str, str], float] = {
        (r["metric"], r["period"], r["group_by"], r["group"]): r["value"] or 0.0
        for r in result.iter_rows(named=True)
    }
    keys = sorted({(p, gb, g) for (_, p, gb, g) in values})
    order = {"all": 0, "sex": 1, "race": 2}
    keys.sort(key=lambda k: (k[0], order.get(k[1], 9), k[2]))
    rows: list[list[str]] = []
    for name, ids in JC_NAMES.items():
        for period, group_by, group in keys:
            year, month = _year_month(period)
            sex = JC_SEX.get(group, group) if group_by == "sex" else ""
            race = JC_RACE.get(group, group) if group_by == "race" else ""
            total = sum(values.get((m, period, group_by, group), 0.0) for m in ids)
            rows.append([name, year, month, "", sex, race, f"{total:.0f}", "+".join(ids)])
            if name == "Cases Disposed":
                named = 0.0
                for kind, metric_id in JC_DISPOSITION_TYPES.items():
                    v = values.get((metric_id, period, group_by, group), 0.0)
                    named += v
                    rows.append([name, year, month, kind, sex, race, f"{v:.0f}", metric_id])
                rows.append(
                    [
                        name,
                        year,
                        month,
                        "Other",
                        sex,
                        race,
                        f"{total - named:.0f}",
                        "jc_cases_disposed-others",
                    ]
                )
    return rows


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
    import weasyprint

    data: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    return data
