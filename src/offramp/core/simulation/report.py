"""The simulation report: one self-contained HTML file (no template engine, no network).

Every value is escaped with `html.escape`; the charts are Plotly figures whose JavaScript (plotly.js, from
the installed `plotly` package) is inlined once in the page, never loaded from a CDN: offices run on
closed networks, and a page that fetches scripts tells a third party who is reading it (docs/ARCHITECTURE.md,
"Static assets from npm, never a CDN"). Chart element ids are fixed, not random.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from offramp.core.simulation.assumptions import FORMULA
from offramp.core.simulation.whatif import DIMENSIONS, SimulationResult

DIMENSION_TITLES = {
    "seller_role": "Seller role (draft pack's finding)",
    "drug": "Drug",
    "offense_kind": "Offence kind",
}
POINT_TITLES = {"declination": "Declination", "diversion": "Diversion", "charge": "Charge filed"}
BASE_COLOUR, DRAFT_COLOUR = "#8d98a8", "#1a6fb5"

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:2px solid #1a6fb5}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.meta{color:#4a4a4a;font-size:.92rem}
.cards{display:flex;flex-wrap:wrap;gap:.7rem;margin:1rem 0}
.card{background:#fff;border:1px solid #d6dbe2;border-radius:6px;padding:.6rem .9rem;min-width:10rem}
.card b{display:block;font-size:1.35rem}.card span{font-size:.82rem;color:#4a4a4a}
table{border-collapse:collapse;background:#fff;font-size:.86rem;margin:.3rem 0 .8rem}
th,td{border:1px solid #d6dbe2;padding:.25rem .5rem;text-align:right;vertical-align:top}
th{background:#eef1f5}td.l,th.l{text-align:left}
td.up{color:#0b6e2e}td.down{color:#a1281b}td.same{background:#f1f3f6;color:#666}
.chart{background:#fff;border:1px solid #d6dbe2;border-radius:6px;margin:.4rem 0 1rem}
.note{font-size:.85rem;color:#4a4a4a;max-width:60rem}
pre{background:#fff;border:1px solid #d6dbe2;padding:.5rem;font-size:.75rem;white-space:pre-wrap;margin:0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.6rem}
details{margin:.4rem 0;background:#fff;border:1px solid #d6dbe2;border-radius:6px;padding:.3rem .6rem}
summary{cursor:pointer;font-weight:600}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
"""


def e(value: Any) -> str:
    """Escaped text of a value: '' for None, thousands separators for ints, 2 decimals for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return html.escape(str(value))


def _days(value: float) -> str:
    return f"{value:,.0f}"


def _pct(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, left: int = 1, test_id: str = "") -> str:
    """An HTML table; the first `left` columns are left-aligned. Cells are escaped unless they are
    `Raw` (already HTML)."""
    attr = f' data-testid="{html.escape(test_id)}"' if test_id else ""
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{html.escape(h)}</th>' for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = "l" if i < left else ""
            if isinstance(v, Raw):
                cls = " ".join(c for c in (cls, v.cls) if c)
                cells.append(f'<td class="{cls}">{v.html}</td>')
            else:
                cells.append(f'<td class="{cls}">{e(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Raw:
    """Trusted HTML for a table cell (built here from escaped parts)."""

    def __init__(self, markup: str, cls: str = "") -> None:
        self.html = markup
        self.cls = cls


def _change(before: int, after: int) -> Raw:
    diff = after - before
    cls = "up" if diff > 0 else "down" if diff < 0 else ""
    return Raw(f"{e(before)} → {e(after)}", cls)


def _figure_html(fig: Any, div_id: str) -> str:
    fig.update_layout(
        template="plotly_white", margin={"l": 60, "r": 20, "t": 40, "b": 60}, font={"size": 12}, height=360
    )
    markup: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return f'<div class="chart">{markup}</div>'


def plotly_js() -> str:
    """plotly.js from the installed `plotly` package, to inline (the report never loads a script URL)."""
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    return js


def render_html(result: SimulationResult, *, title: str | None = None, include_plotlyjs: bool = True) -> str:
    """The whole report as one HTML document (plotly.js inlined unless `include_plotlyjs=False`, for a page
    that already has it)."""
    import plotly.graph_objects as go

    r = result
    d, b = r.draft, r.baseline
    heading = title or f"What-if: {d.id} {d.version} against {b.id} {b.version}"
    parts: list[str] = [f"<h1>{e(heading)}</h1>"]
    on = (
        f"parameters in force on {r.on.isoformat()}"
        if r.on
        else "parameters in force on each case's received date"
    )
    parts.append(
        f'<p class="meta">Draft: <b>{e(d.id)} {e(d.version)}</b> ({e(d.title)}) · Baseline: <b>{e(b.id)} '
        f"{e(b.version)}</b> ({e(b.title)}) · {e(r.cases)} cases over {r.years:.1f} years · {e(on)}</p>"
    )
    days = r.days
    cards = [
        (f"{r.cases:,}", "cases simulated"),
        (f"{r.changed:,} ({_pct(r.changed, r.cases)})", "cases whose outcome changes"),
        (_days(days.jail_net), "jail days avoided (net, estimate)"),
        (_days(days.prison_net), "prison days avoided (net, estimate)"),
    ]
    parts.append(
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{e(v)}</b><span>{e(t)}</span></div>' for v, t in cards)
        + "</div>"
    )

    # 1. outcomes
    parts.append("<h2>1. Outcomes side by side</h2>")
    out_rows = r.outcomes.rows(named=True)
    outcome_table = table(
        ["outcome", f"baseline ({b.id})", "share", f"draft ({d.id})", "share", "change"],
        [
            [
                o["outcome"],
                o["baseline"],
                _pct(o["baseline"], r.cases),
                o["draft"],
                _pct(o["draft"], r.cases),
                Raw(f"{o['change']:+,}", "up" if o["change"] > 0 else "down" if o["change"] < 0 else ""),
            ]
            for o in out_rows
        ],
        test_id="outcomes",
    )
    fig = go.Figure(
        [
            go.Bar(
                name=f"baseline: {b.id}",
                x=[o["outcome"] for o in out_rows],
                y=[o["baseline"] for o in out_rows],
                marker_color=BASE_COLOUR,
            ),
            go.Bar(
                name=f"draft: {d.id}",
                x=[o["outcome"] for o in out_rows],
                y=[o["draft"] for o in out_rows],
                marker_color=DRAFT_COLOUR,
            ),
        ]
    )
    fig.update_layout(barmode="group", title="Cases by recommended outcome")
    parts.append(f'<div class="grid2"><div>{outcome_table}</div>{_figure_html(fig, "chart-outcomes")}</div>')

    # 2. transitions
    parts.append("<h2>2. Transition matrix (baseline outcome → draft outcome)</h2>")
    names = list(r.outcomes["outcome"])
    cell = {(t["baseline_outcome"], t["draft_outcome"]): t["cases"] for t in r.transitions.rows(named=True)}
    matrix_rows = []
    for bo in names:
        row: list[Any] = [bo]
        for do in names:
            n = cell.get((bo, do), 0)
            row.append(Raw(e(n), "same") if bo == do else n or "")
        row.append(sum(cell.get((bo, do), 0) for do in names))
        matrix_rows.append(row)
    matrix_rows.append(
        ["total (draft)", *(sum(cell.get((bo, do), 0) for bo in names) for do in names), r.cases]
    )
    parts.append(
        "<p class=\"note\">Rows: the baseline pack's outcome; columns: the draft pack's. The shaded diagonal is "
        "unchanged cases.</p>"
        + table(["baseline \\ draft", *names, "total (baseline)"], matrix_rows, test_id="transitions")
    )
    z = [[cell.get((bo, do), 0) for do in names] for bo in names]
    heat = go.Figure(go.Heatmap(z=z, x=names, y=names, colorscale="Blues", text=z, texttemplate="%{text:,}"))
    heat.update_layout(title="Cases moving between outcomes", xaxis_title="draft", yaxis_title="baseline")
    heat.update_yaxes(autorange="reversed")
    parts.append(_figure_html(heat, "chart-transitions"))
    changed_cells = r.transitions.filter(pl.col("baseline_outcome") != pl.col("draft_outcome"))
    parts.append(
        "<h3>Changes and the days each kind of change avoids</h3>"
        + table(
            ["baseline", "draft", "cases", "jail days avoided", "prison days avoided"],
            [
                [
                    t["baseline_outcome"],
                    t["draft_outcome"],
                    t["cases"],
                    _days(t["jail_days_avoided"]),
                    _days(t["prison_days_avoided"]),
                ]
                for t in changed_cells.sort("cases", descending=True).rows(named=True)
            ],
            left=2,
            test_id="changes",
        )
    )

    # 3. by dimension
    parts.append("<h2>3. Changes by seller role, drug and offence kind</h2>")
    parts.append(
        '<p class="note">Counts under the baseline → the draft. Decline: declined; divert: pre- or post-charge '
        "diversion; charge: charged with plea guidance or prosecuted.</p>"
    )
    for dim in DIMENSIONS:
        frame = r.by[dim]
        parts.append(f"<h3>{e(DIMENSION_TITLES[dim])}</h3>")
        parts.append(
            table(
                [
                    dim,
                    "cases",
                    "changed",
                    "decline",
                    "divert",
                    "charge",
                    "jail days avoided",
                    "prison days avoided",
                ],
                [
                    [
                        x[dim],
                        x["cases"],
                        f"{x['changed']:,} ({_pct(x['changed'], x['cases'])})",
                        _change(x["baseline_decline"], x["draft_decline"]),
                        _change(x["baseline_divert"], x["draft_divert"]),
                        _change(x["baseline_charge"], x["draft_charge"]),
                        _days(x["jail_days_avoided"]),
                        _days(x["prison_days_avoided"]),
                    ]
                    for x in frame.rows(named=True)
                ],
                test_id=f"by-{dim}",
            )
        )

    # 4. demand
    parts.append("<h2>4. Diversion program demand against the directory's capacity</h2>")
    slot = r.assumptions.program_slot_days.value
    parts.append(
        f'<p class="note">Cases whose diversion outcome names the program type (a case naming two types counts '
        f"for each), over the {r.years:.1f} years of cases and per year. Capacity is the directory's slots; "
        f"people a year = slots × 365 / {slot:g} days a participant holds a slot (an assumption). "
        "Demand ratio = draft cases a year / people a year (over 1: not enough places).</p>"
    )
    dem = r.demand.rows(named=True)
    no_capacity = all(x["capacity"] is None for x in dem)
    parts.append(
        table(
            [
                "program type",
                "baseline cases",
                "draft cases",
                "baseline / year",
                "draft / year",
                "services",
                "capacity (slots)",
                "vacancies",
                "people / year",
                "draft demand ratio",
            ],
            [
                [
                    x["program_type"],
                    x["baseline_cases"],
                    x["draft_cases"],
                    x["baseline_per_year"],
                    x["draft_per_year"],
                    x["services"],
                    x["capacity"],
                    x["vacancies"],
                    x["people_per_year"],
                    Raw(e(x["draft_demand_ratio"]), "down" if (x["draft_demand_ratio"] or 0) > 1 else ""),
                ]
                for x in dem
            ],
            test_id="demand",
        )
    )
    if no_capacity:
        parts.append(
            '<p class="note">No capacity was given (`--capacity FILE.csv`, or the directory when the database is '
            "configured), so demand is shown without it.</p>"
        )
    bars = [
        go.Bar(name=f"baseline / year: {b.id}", x=[x["program_type"] for x in dem],
               y=[x["baseline_per_year"] for x in dem], marker_color=BASE_COLOUR),
        go.Bar(name=f"draft / year: {d.id}", x=[x["program_type"] for x in dem],
               y=[x["draft_per_year"] for x in dem], marker_color=DRAFT_COLOUR),
    ]  # fmt: skip
    if not no_capacity:
        bars.append(go.Bar(name="people / year the directory can take", x=[x["program_type"] for x in dem],
                           y=[x["people_per_year"] for x in dem], marker_color="#2e8540"))  # fmt: skip
    demand_fig = go.Figure(bars)
    demand_fig.update_layout(barmode="group", title="Program demand per year against capacity")
    parts.append(_figure_html(demand_fig, "chart-demand"))

    # 5. days avoided
    parts.append("<h2>5. Estimated jail and prison days avoided</h2>")
    parts.append(
        table(
            ["", "avoided", "added", "net avoided"],
            [
                ["jail days", _days(days.jail_avoided), _days(days.jail_added), _days(days.jail_net)],
                ["prison days", _days(days.prison_avoided), _days(days.prison_added), _days(days.prison_net)],
            ],
            test_id="days",
        )
    )
    parts.append(
        '<p class="note"><b>An estimate from assumptions, not a forecast.</b> Every number below is an assumption '
        f"an office should replace with its own data (file: {e(r.assumptions.source or 'given in code')}).</p>"
    )
    parts.append(f'<pre data-testid="formula">{e(FORMULA)}</pre>')
    parts.append(
        "<h3>Assumptions</h3>"
        + table(
            ["assumption", "value", "reference / note"],
            [[a["name"], a["value"], Raw(e(a["note"]), "l")] for a in r.assumptions.table()],
            test_id="assumptions",
        )
    )

    # 6. disparity
    parts.append("<h2>6. Disparity: rates and Relative Rate Index by race</h2>")
    parts.append(f'<p class="note">{e(r.disparity_note)}</p>')
    if r.disparity is not None:
        for point, title_ in POINT_TITLES.items():
            rows_ = r.disparity.filter(pl.col("decision_point") == point).rows(named=True)
            if not rows_:
                continue
            parts.append(f"<h3>{e(title_)}</h3>")
            parts.append(
                table(
                    [
                        "race",
                        "cases",
                        "baseline count",
                        "baseline rate",
                        "baseline RRI (95% CI)",
                        "draft count",
                        "draft rate",
                        "draft RRI (95% CI)",
                    ],
                    [
                        [
                            x["race"],
                            x["baseline_base"],
                            x["baseline_numerator"],
                            _rate(x["baseline_rate"]),
                            _rri(x, "baseline"),
                            x["draft_numerator"],
                            _rate(x["draft_rate"]),
                            _rri(x, "draft"),
                        ]
                        for x in rows_
                    ],
                    test_id=f"disparity-{point}",
                )
            )
        div = r.disparity.filter(pl.col("decision_point") == "diversion").rows(named=True)
        if div:
            rfig = go.Figure(
                [
                    go.Bar(
                        name=f"baseline: {b.id}",
                        x=[x["race"] for x in div],
                        y=[x["baseline_rate"] for x in div],
                        marker_color=BASE_COLOUR,
                    ),
                    go.Bar(
                        name=f"draft: {d.id}",
                        x=[x["race"] for x in div],
                        y=[x["draft_rate"] for x in div],
                        marker_color=DRAFT_COLOUR,
                    ),
                ]
            )
            rfig.update_layout(barmode="group", title="Diversion rate by race", yaxis_tickformat=".0%")
            parts.append(_figure_html(rfig, "chart-disparity"))

    # 7. sample
    parts.append(f"<h2>7. A sample of cases whose outcome changes ({len(r.sample)})</h2>")
    parts.append(
        '<p class="note">Drawn at random (fixed seed) and spread over the kinds of change, so a rare change shows '
        "too. Each case has both packs' full explanations: the same expressions as the bulk run.</p>"
    )
    for i, c in enumerate(r.sample):
        summary = f"{c.case_key}: {c.baseline_outcome or 'none'} → {c.draft_outcome or 'none'}"
        parts.append(
            f'<details data-testid="sample-case"{" open" if i == 0 else ""}><summary>{e(summary)}</summary>'
            f'<div class="pair"><div><h3>baseline: {e(b.id)} {e(b.version)}</h3><pre>{e(c.baseline.to_text())}</pre>'
            f"</div><div><h3>draft: {e(d.id)} {e(d.version)}</h3><pre>{e(c.draft.to_text())}</pre></div></div>"
            "</details>"
        )
    if not r.sample:
        parts.append('<p class="note">No case changes outcome.</p>')
    timing = ", ".join(f"{k} {v:.2f} s" for k, v in r.timings.items())
    parts.append(f'<p class="meta">Made by Offramp on {dt.date.today().isoformat()}. {e(timing)}</p>')

    script = f"<script>{plotly_js()}</script>" if include_plotlyjs else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(heading)}</title><style>{CSS}</style>{script}</head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


def _rate(value: float | None) -> str:
    return "suppressed" if value is None else f"{100 * value:.1f}%"


def _rri(row: dict[str, Any], pack: str) -> str:
    value = row[f"{pack}_rri"]
    if value is None:
        return row[f"{pack}_note"] or ""
    low, high = row[f"{pack}_ci_low"], row[f"{pack}_ci_high"]
    ci = f" ({low:.2f}–{high:.2f})" if low is not None and high is not None else ""
    return f"{value:.2f}{ci}"


def write_html(result: SimulationResult, path: str | Path, **kwargs: Any) -> None:
    Path(path).write_text(render_html(result, **kwargs), encoding="utf-8")
