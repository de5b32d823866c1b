"""Overdose risk, and the responses it calls for.

Holds when any of: an opioid (fentanyl, heroin, a prescription opioid), injection use, a prior overdose,
or release from custody within the last `release_window_days` days (14 in the shipped packs: Binswanger et
al., NEJM 2007, overdose death risk 129x in the first two weeks after release). Responses
(docs/SOURCES.md#overdose): `naloxone` whenever the risk holds; `moud_continuity` when opioids are involved or
the person was just released (Rhode Island MOUD program, JAMA Psychiatry 2018;75:405; a condition must
never require stopping MOUD, Krawczyk et al. 2017); `health_plan_before_detention` whenever the risk holds
(no detention request without a health plan).
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import (
    Criterion,
    Finding,
    Params,
    any_of,
    flag,
    lists_from_bits,
    reason_columns,
)
from offramp.core.evaluation.criteria.enums import OPIOIDS, OverdoseResponse

NAME = "overdose_risk"


def indicators(params: Params) -> dict[str, pl.Expr]:
    return {
        "opioid": pl.col("drug").is_in(OPIOIDS),
        "injection_use": pl.col("injection_use"),
        "prior_overdose": pl.col("prior_overdose"),
        "recent_release": pl.col("days_since_release") <= params["release_window_days"],
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    found = indicators(params)
    risk = any_of(found)
    responses = {
        OverdoseResponse.NALOXONE.value: risk,
        OverdoseResponse.MOUD_CONTINUITY.value: flag(found["opioid"]) | flag(found["recent_release"]),
        OverdoseResponse.HEALTH_PLAN_BEFORE_DETENTION.value: risk,
    }
    return {
        NAME: risk,
        **reason_columns(NAME, found),
        "overdose_responses": lists_from_bits(list(responses.values()), [[n] for n in responses]),
    }


CRITERION = Criterion(
    name=NAME,
    description="Opioids, injection use, a prior overdose or release from custody in the last two weeks.",
    reference=(
        "Binswanger et al., NEJM 2007 (overdose death 129x in the 2 weeks after release); Rhode Island "
        "MOUD program, JAMA Psychiatry 2018;75:405; Krawczyk et al., Health Affairs 2017 (docs/SOURCES.md#overdose)."
    ),
    findings=(
        Finding(NAME, "bool"),
        Finding("overdose_responses", "list", tuple(OverdoseResponse.values())),
    ),
    exprs=exprs,
    parameters=("release_window_days",),
)
