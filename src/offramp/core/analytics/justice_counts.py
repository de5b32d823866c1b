"""The Justice Counts-shaped CSV: one row per metric x period x breakdown, in Justice Counts' vocabulary
(docs/analytics.md has the mapping).

Rows with neither sex nor race are the totals; a row with `sex` filled is the sex breakdown, with `race`
filled the race breakdown; "Cases Disposed" rows with `disposition_type` filled break the disposed cases
down by how they ended, with "Other" the disposed cases none of the three named kinds covers. Which
offramp metrics add up to each Justice Counts metric is the rule here; `justice_counts` computes them over
the (filtered) analytics frame.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from offramp.core.analytics import metrics

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


def justice_counts(frame: pl.DataFrame | pl.LazyFrame, period: Literal["year", "month"]) -> list[list[str]]:
    """The Justice Counts rows (`JC_HEADERS`) of the cases in `frame`, annual or monthly."""
    chosen = [metrics.METRICS_BY_ID[m] for m in JC_METRICS]
    return justice_counts_rows(metrics.compute(frame, chosen, by=("all", "sex", "race"), period=period))
