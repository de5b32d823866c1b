"""Needs a diversion plan should address, from the facts on file and from the needs assessment.

From facts (IIP/Vital Strategies 2021; docs/SOURCES.md#dekalb-da and docs/SOURCES.md#overdose):
- `treatment`: substance use disorder indicated (the `sud_indicated` finding: a consented screen, else the proxy);
- `reentry`: released from custody within `release_window_days` (the Binswanger window): identification,
  benefits and continuity of any medication for opioid use disorder;
- `work`: a subsistence seller (user-seller or street-level seller) — the toolkit's third recommendation
  sends them to job and education programs, since many sell out of poverty.
From the needs assessment (the `needs_assessed` column: tags from `offramp.core.screening.needs`, null when
no assessment was done): housing, work, education, income, insurance, childcare, transport, mental health,
language access and accommodation — the motivating factors DeKalb's prosecutors weigh (docs/SOURCES.md#dekalb-da).

A need is listed once, whether the facts, the assessment or both show it, in `Need` order; a tag that is
not a `Need` value is ignored. One bit per need, so bulk and explain read the same expression.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria import seller_role, sud_indicated
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, lists_from_bits
from offramp.core.evaluation.criteria.enums import Need, SellerRole

NAME = "needs"
#: the evaluation column holding the needs assessment's tags
ASSESSED = "needs_assessed"


def exprs(params: Params) -> dict[str, pl.Expr]:
    assessed = pl.col(ASSESSED)
    from_facts = {
        Need.TREATMENT: sud_indicated.exprs(params)[sud_indicated.NAME],
        Need.REENTRY: pl.col("days_since_release") <= params["release_window_days"],
        Need.WORK: seller_role.exprs(params)[seller_role.NAME].is_in(
            [SellerRole.USER_SELLER.value, SellerRole.STREET_SELLER.value]
        ),
    }
    bits = []
    for need in Need:
        found = assessed.list.contains(need.value).fill_null(False)
        if need in from_facts:
            found = from_facts[need].fill_null(False) | found
        bits.append(found)
    return {NAME: lists_from_bits(bits, [[need.value] for need in Need])}


CRITERION = Criterion(
    name=NAME,
    description=(
        "Needs from the facts on file (treatment, re-entry support, work) and from the needs assessment."
    ),
    reference=(
        "IIP/Vital Strategies 'A New Approach' (2021) recs. 1 and 3; Binswanger et al., NEJM 2007; "
        "DeKalb County DA, motivating factors (docs/SOURCES.md#dekalb-da)."
    ),
    findings=(Finding(NAME, "list", tuple(Need.values())),),
    parameters=("release_window_days",),
    exprs=exprs,
)
