"""The simulation report: one self-contained HTML file, from a Jinja2 template shipped in the package.

The page is `templates/report.html.j2` (its styles `templates/report.css`), rendered with autoescape on:
every value from a pack, a case or the assumptions file is escaped by the template engine, and only
plotly's own chart markup and script are marked safe. The charts are Plotly figures whose JavaScript
(plotly.js, from the installed `plotly` package) is inlined once in the page, never loaded from a CDN:
offices run on closed networks, and a page that fetches scripts tells a third party who is reading it
(docs/ARCHITECTURE.md, "Static assets from npm, never a CDN"). A web page that serves plotly.js itself passes
its URL (`plotlyjs_src`) instead. Chart element ids are fixed, not random.

This module only shapes the result into rows of text cells (`Cell`) and figures; the layout and the words
around them are the template's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import polars as pl
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from offramp.core.simulation.assumptions import FORMULA
from offramp.core.simulation.whatif import DIMENSIONS, SimulationResult

DIMENSION_TITLES = {
    "seller_role": "Seller role (draft pack's finding)",
    "drug": "Drug",
    "offense_kind": "Offence kind",
}
POINT_TITLES = {"declination": "Declination", "diversion": "Diversion", "charge": "Charge filed"}
BASE_COLOUR, DRAFT_COLOUR = "#8d98a8", "#1a6fb5"
TEMPLATE = "report.html.j2"


@cache
def environment() -> jinja2.Environment:
    """The report's template environment: the package's templates, autoescape on, undefined names refused."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("offramp.core.simulation", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def text(value: Any) -> str:
    """A value as the report prints it: '' for None, thousands separators for ints, 2 decimals for floats,
    "yes" / "" for booleans (escaping is the template's)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    """A table cell's text and CSS class ("l" left-aligned, "up"/"down" a change, "same" the diagonal)."""

    text: str
    cls: str = ""


@dataclass(frozen=True)
class Table:
    headers: list[Cell]
    rows: list[list[Cell]]
    test_id: str = ""


def table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, left: int = 1, test_id: str = ""
) -> Table:
    """A table whose first `left` columns are left-aligned; a `Cell` value keeps its own class too."""

    def cell(i: int, value: Any) -> Cell:
        align = "l" if i < left else ""
        if isinstance(value, Cell):
            return Cell(value.text, " ".join(c for c in (align, value.cls) if c))
        return Cell(text(value), align)

    return Table(
        [Cell(h, "l" if i < left else "") for i, h in enumerate(headers)],
        [[cell(i, v) for i, v in enumerate(row)] for row in rows],
        test_id,
    )


def _days(value: float) -> str:
    return f"{value:,.0f}"


def _pct(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _direction(diff: float) -> str:
    return "up" if diff > 0 else "down" if diff < 0 else ""


def _change(before: int, after: int) -> Cell:
    return Cell(f"{text(before)} → {text(after)}", _direction(after - before))


def _figure(fig: Any, div_id: str) -> Markup:
    fig.update_layout(
        template="plotly_white", margin={"l": 60, "r": 20, "t": 40, "b": 60}, font={"size": 12}, height=360
    )
    markup: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(markup)  # plotly's own markup: its data is JSON-encoded by plotly, not text from us


def plotly_js() -> str:
    """plotly.js from the installed `plotly` package, to inline (the report never loads a script URL)."""
    js: str = get_plotlyjs()
    return js


def _bars(rows: Sequence[dict[str, Any]], x: str, traces: Sequence[tuple[str, str, str]], title: str) -> Any:
    fig = go.Figure(
        [go.Bar(name=name, x=[r[x] for r in rows], y=[r[y] for r in rows], marker_color=colour)
         for name, y, colour in traces]
    )  # fmt: skip
    fig.update_layout(barmode="group", title=title)
    return fig


def _outcomes(r: SimulationResult) -> tuple[Table, Any]:
    rows = r.outcomes.rows(named=True)
    t = table(
        ["outcome", f"baseline ({r.baseline.id})", "share", f"draft ({r.draft.id})", "share", "change"],
        [
            [o["outcome"], o["baseline"], _pct(o["baseline"], r.cases), o["draft"], _pct(o["draft"], r.cases),
             Cell(f"{o['change']:+,}", _direction(o["change"]))]
            for o in rows
        ],
        test_id="outcomes",
    )  # fmt: skip
    traces = [
        (f"baseline: {r.baseline.id}", "baseline", BASE_COLOUR),
        (f"draft: {r.draft.id}", "draft", DRAFT_COLOUR),
    ]
    return t, _bars(rows, "outcome", traces, "Cases by recommended outcome")


def _transitions(r: SimulationResult) -> tuple[Table, Any, Table]:
    names = list(r.outcomes["outcome"])
    cell = {(t["baseline_outcome"], t["draft_outcome"]): t["cases"] for t in r.transitions.rows(named=True)}
    matrix: list[list[Any]] = []
    for bo in names:
        row: list[Any] = [bo]
        for do in names:
            n = cell.get((bo, do), 0)
            row.append(Cell(text(n), "same") if bo == do else n or "")
        row.append(sum(cell.get((bo, do), 0) for do in names))
        matrix.append(row)
    matrix.append(["total (draft)", *(sum(cell.get((bo, do), 0) for bo in names) for do in names), r.cases])
    z = [[cell.get((bo, do), 0) for do in names] for bo in names]
    heat = go.Figure(go.Heatmap(z=z, x=names, y=names, colorscale="Blues", text=z, texttemplate="%{text:,}"))
    heat.update_layout(title="Cases moving between outcomes", xaxis_title="draft", yaxis_title="baseline")
    heat.update_yaxes(autorange="reversed")
    changed = r.transitions.filter(pl.col("baseline_outcome") != pl.col("draft_outcome"))
    changes = table(
        ["baseline", "draft", "cases", "jail days avoided", "prison days avoided"],
        [
            [t["baseline_outcome"], t["draft_outcome"], t["cases"], _days(t["jail_days_avoided"]),
             _days(t["prison_days_avoided"])]
            for t in changed.sort("cases", descending=True).rows(named=True)
        ],
        left=2,
        test_id="changes",
    )  # fmt: skip
    return (
        table(["baseline \\ draft", *names, "total (baseline)"], matrix, test_id="transitions"),
        heat,
        changes,
    )


def _by_dimension(r: SimulationResult) -> list[tuple[str, Table]]:
    headers = ["cases", "changed", "decline", "divert", "charge", "jail days avoided", "prison days avoided"]
    return [
        (
            DIMENSION_TITLES[dim],
            table(
                [dim, *headers],
                [
                    [x[dim], x["cases"], f"{x['changed']:,} ({_pct(x['changed'], x['cases'])})",
                     _change(x["baseline_decline"], x["draft_decline"]),
                     _change(x["baseline_divert"], x["draft_divert"]),
                     _change(x["baseline_charge"], x["draft_charge"]),
                     _days(x["jail_days_avoided"]), _days(x["prison_days_avoided"])]
                    for x in r.by[dim].rows(named=True)
                ],
                test_id=f"by-{dim}",
            ),
        )
        for dim in DIMENSIONS
    ]  # fmt: skip


def _demand(r: SimulationResult) -> tuple[Table, bool, Any]:
    dem = r.demand.rows(named=True)
    no_capacity = all(x["capacity"] is None for x in dem)
    columns = ["program_type", "baseline_cases", "draft_cases", "baseline_per_year", "draft_per_year",
               "services", "capacity", "vacancies", "people_per_year"]  # fmt: skip
    t = table(
        ["program type", "baseline cases", "draft cases", "baseline / year", "draft / year", "services",
         "capacity (slots)", "vacancies", "people / year", "draft demand ratio"],
        [
            [*(x[c] for c in columns),
             Cell(text(x["draft_demand_ratio"]), "down" if (x["draft_demand_ratio"] or 0) > 1 else "")]
            for x in dem
        ],
        test_id="demand",
    )  # fmt: skip
    traces = [
        (f"baseline / year: {r.baseline.id}", "baseline_per_year", BASE_COLOUR),
        (f"draft / year: {r.draft.id}", "draft_per_year", DRAFT_COLOUR),
    ]
    if not no_capacity:
        traces.append(("people / year the directory can take", "people_per_year", "#2e8540"))
    return t, no_capacity, _bars(dem, "program_type", traces, "Program demand per year against capacity")


def _disparity(r: SimulationResult) -> tuple[list[tuple[str, Table]], Any]:
    if r.disparity is None:
        return [], None
    found: list[tuple[str, Table]] = []
    for point, title in POINT_TITLES.items():
        rows = r.disparity.filter(pl.col("decision_point") == point).rows(named=True)
        if rows:
            found.append((title, table(
                ["race", "cases", "baseline count", "baseline rate", "baseline RRI (95% CI)", "draft count",
                 "draft rate", "draft RRI (95% CI)"],
                [
                    [x["race"], x["baseline_base"], x["baseline_numerator"], _rate(x["baseline_rate"]),
                     _rri(x, "baseline"), x["draft_numerator"], _rate(x["draft_rate"]), _rri(x, "draft")]
                    for x in rows
                ],
                test_id=f"disparity-{point}",
            )))  # fmt: skip
    div = r.disparity.filter(pl.col("decision_point") == "diversion").rows(named=True)
    if not div:
        return found, None
    traces = [
        (f"baseline: {r.baseline.id}", "baseline_rate", BASE_COLOUR),
        (f"draft: {r.draft.id}", "draft_rate", DRAFT_COLOUR),
    ]
    fig = _bars(div, "race", traces, "Diversion rate by race")
    fig.update_layout(yaxis_tickformat=".0%")
    return found, fig


def render_html(
    result: SimulationResult,
    *,
    title: str | None = None,
    include_plotlyjs: bool = True,
    plotlyjs_src: str | None = None,
    back: tuple[str, str] | None = None,
) -> str:
    """The whole report as one HTML document. plotly.js is inlined, unless `include_plotlyjs=False` (a page
    that already has it) or `plotlyjs_src` names the URL to load it from instead; `back` = (href, text)
    puts a link above the report (the web page's way back to the form)."""
    r = result
    d, b = r.draft, r.baseline
    days = r.days
    outcomes, outcomes_fig = _outcomes(r)
    transitions, transitions_fig, changes = _transitions(r)
    demand, no_capacity, demand_fig = _demand(r)
    disparity, disparity_fig = _disparity(r)
    inline = include_plotlyjs and plotlyjs_src is None
    context = {
        "heading": title or f"What-if: {d.id} {d.version} against {b.id} {b.version}",
        "d": d,
        "b": b,
        "cases": text(r.cases),
        "years": f"{r.years:.1f}",
        "on": f"parameters in force on {r.on.isoformat()}"
        if r.on
        else "parameters in force on each case's received date",
        "cards": [
            (f"{r.cases:,}", "cases simulated"),
            (f"{r.changed:,} ({_pct(r.changed, r.cases)})", "cases whose outcome changes"),
            (_days(days.jail_net), "jail days avoided (net, estimate)"),
            (_days(days.prison_net), "prison days avoided (net, estimate)"),
        ],
        "outcomes": outcomes,
        "transitions": transitions,
        "changes": changes,
        "by_dimension": _by_dimension(r),
        "slot_days": f"{r.assumptions.program_slot_days.value:g}",
        "demand": demand,
        "no_capacity": no_capacity,
        "days": table(
            ["", "avoided", "added", "net avoided"],
            [
                ["jail days", _days(days.jail_avoided), _days(days.jail_added), _days(days.jail_net)],
                ["prison days", _days(days.prison_avoided), _days(days.prison_added), _days(days.prison_net)],
            ],
            test_id="days",
        ),
        "assumptions_source": r.assumptions.source or "given in code",
        "formula": FORMULA,
        "assumptions": table(
            ["assumption", "value", "reference / note"],
            [[a["name"], a["value"], Cell(text(a["note"]), "l")] for a in r.assumptions.table()],
            test_id="assumptions",
        ),
        "disparity_note": r.disparity_note,
        "disparity": disparity,
        "sample": [
            {
                "summary": f"{c.case_key}: {c.baseline_outcome or 'none'} → {c.draft_outcome or 'none'}",
                "baseline": c.baseline.to_text(),
                "draft": c.draft.to_text(),
            }
            for c in r.sample
        ],
        "charts": {
            "outcomes": _figure(outcomes_fig, "chart-outcomes"),
            "transitions": _figure(transitions_fig, "chart-transitions"),
            "demand": _figure(demand_fig, "chart-demand"),
            "disparity": _figure(disparity_fig, "chart-disparity") if disparity_fig is not None else None,
        },
        "made_on": dt.date.today().isoformat(),
        "timing": ", ".join(f"{k} {v:.2f} s" for k, v in r.timings.items()),
        "plotly_js": Markup(plotly_js()) if inline else None,  # the installed package's script, not our text
        "plotly_src": plotlyjs_src,
        "back": {"href": back[0], "text": back[1]} if back else None,
    }
    return environment().get_template(TEMPLATE).render(context)


def _rate(value: float | None) -> str:
    return "suppressed" if value is None else f"{100 * value:.1f}%"


def _rri(row: dict[str, Any], pack: str) -> str:
    value = row[f"{pack}_rri"]
    if value is None:
        return str(row[f"{pack}_note"] or "")
    low, high = row[f"{pack}_ci_low"], row[f"{pack}_ci_high"]
    ci = f" ({low:.2f}–{high:.2f})" if low is not None and high is not None else ""
    return f"{value:.2f}{ci}"


def write_html(result: SimulationResult, path: str | Path, **kwargs: Any) -> None:
    Path(path).write_text(render_html(result, **kwargs), encoding="utf-8")
