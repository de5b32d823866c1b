"""Plotly figures for the dashboards, as JSON for the page's inline script (plotly.js is served locally).

Each function takes the small table a page already computed and returns `fig.to_json()`; the template
embeds it with `json_script` and `analytics/_chart.html` draws it with `Plotly.newPlot`. No CDN, no
external font: the layout uses the page's own font stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 60, "r": 20, "t": 40, "b": 60},
    "font": {"size": 12, "family": "Source Sans Pro, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif"},
    "height": 360,
    "legend": {"orientation": "h", "y": -0.2},
}


def _json(fig: Any) -> str:
    fig.update_layout(**LAYOUT)
    text: str = fig.to_json()
    return text


def metric_lines(
    result: pl.DataFrame, metric_names: dict[str, str], title: str, percent: bool = False
) -> str:
    """One bar group per period, one trace per metric (the breakdown "all" rows of `compute`)."""
    rows = result.filter(pl.col("group_by") == "all")
    fig = go.Figure()
    for metric_id, name in metric_names.items():
        part = rows.filter(pl.col("metric") == metric_id).sort("period")
        fig.add_trace(go.Bar(name=name, x=part["period"].to_list(), y=part["value"].to_list()))
    fig.update_layout(title=title, barmode="group", xaxis={"type": "category"})
    if percent:
        fig.update_layout(yaxis={"tickformat": ".0%"})
    return _json(fig)


def rri_chart(rows: Sequence[dict[str, Any]], title: str) -> str:
    """RRIs with their confidence intervals as error bars, one trace per group, by decision point;
    a dashed line at 1.0 (the reference group's rate)."""
    fig = go.Figure()
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["rri"] is not None:
            groups.setdefault(row["group"], []).append(row)
    for group, items in groups.items():
        fig.add_trace(
            go.Scatter(
                name=group,
                mode="markers",
                x=[r["decision_point_name"] for r in items],
                y=[r["rri"] for r in items],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [(r["ci_high"] - r["rri"]) if r["ci_high"] is not None else 0 for r in items],
                    "arrayminus": [(r["rri"] - r["ci_low"]) if r["ci_low"] is not None else 0 for r in items],
                },
            )
        )
    fig.add_hline(y=1.0, line_dash="dash", line_color="#71767a")
    fig.update_layout(title=title, yaxis={"title": "Relative Rate Index", "type": "log"})
    return _json(fig)
