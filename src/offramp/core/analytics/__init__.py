"""Analytics over de-identified cases: prosecution metrics and disparity (Relative Rate Index).

Everything here reads one frame, the analytics frame (`frame.ANALYTICS_SCHEMA`: one de-identified row per
case). `metrics.compute` gives the metric table, `disparity.rri` the RRI table; both are long tables with
their numerators and denominators, one row per metric (or decision point) x group x period.
"""

from __future__ import annotations

from offramp.core.analytics.dataset import (
    ANALYTICS_SCHEMA,
    COLUMN_MEANINGS,
    AgeBand,
    Decision,
    age_band,
    age_band_of,
    conform,
    period_expr,
)
from offramp.core.analytics.disparity import DECISION_POINTS, DecisionPoint, public, rri
from offramp.core.analytics.metrics import (
    BREAKDOWNS,
    METRICS,
    METRICS_BY_ID,
    Metric,
    MetricGroup,
    compute,
    definitions_markdown,
)

__all__ = [
    "ANALYTICS_SCHEMA",
    "BREAKDOWNS",
    "COLUMN_MEANINGS",
    "DECISION_POINTS",
    "METRICS",
    "METRICS_BY_ID",
    "AgeBand",
    "Decision",
    "DecisionPoint",
    "Metric",
    "MetricGroup",
    "age_band",
    "age_band_of",
    "compute",
    "conform",
    "definitions_markdown",
    "period_expr",
    "public",
    "rri",
]
