"""Public-safety concern: facts that, in the toolkit's words, make charging "needed for community safety".

Holds when any of: a weapon, violence, a sale to a minor, a sale near a school, a victim, or a prior
violent conviction. These are the Holder memo's (U.S. DOJ, Aug 2013) disqualifiers for leniency on
quantity (violence, weapon, sale to minors, death or serious injury) plus the DeKalb practice of
consulting victims (docs/SOURCES.md#dekalb-da, docs/SOURCES.md#holder-memo-2013). `victim_involved` is
reported on its own: wherever there is a victim, the victim is consulted before a diversion offer and
restitution is tracked.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, reason_columns

NAME = "public_safety_concern"


def indicators() -> dict[str, pl.Expr]:
    return {
        "weapon": pl.col("weapon"),
        "violence": pl.col("violence"),
        "sale_to_minor": pl.col("sale_to_minor"),
        "near_school": pl.col("near_school"),
        "victim": pl.col("victim_count") > 0,
        "prior_violent_conviction": pl.col("prior_violent") > 0,
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    found = indicators()
    return {
        NAME: any_of(found),
        **reason_columns(NAME, found),
        "victim_involved": (pl.col("victim_count") > 0).fill_null(False),
    }


CRITERION = Criterion(
    name=NAME,
    description="A weapon, violence, a sale to a minor or near a school, a victim, or prior violence.",
    reference=(
        "U.S. DOJ 'Holder memo' (Aug 2013) criteria; IIP/Vital Strategies 'A New Approach' (2021) rec. 2; "
        "DeKalb County DA victim consultation (docs/SOURCES.md#dekalb-da)."
    ),
    findings=(Finding(NAME, "bool"), Finding("victim_involved", "bool")),
    exprs=exprs,
)
