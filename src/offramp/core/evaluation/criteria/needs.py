"""Needs a diversion plan should address, from the facts on file now; screening adds the rest.

From facts (IIP/Vital Strategies 2021; DOMAIN.md sections 1 and 4):
- `treatment`: substance use disorder indicated (the same proxy as `sud_indicated`);
- `reentry`: released from custody within `release_window_days` (the Binswanger window): identification,
  benefits and continuity of any medication for opioid use disorder;
- `work`: a subsistence seller (user-seller or street-level seller) — the toolkit's third recommendation
  sends them to job and education programs, since many sell out of poverty.
Housing, education and transport cannot be read from charge facts; they come from the screening issue's
needs assessment, and rules may already test `{finding: needs, contains: housing}`. Values are `Need`.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria import seller_role, sud_indicated
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, lists_from_bits
from offramp.core.evaluation.criteria.enums import Need, SellerRole

NAME = "needs"


def exprs(params: Params) -> dict[str, pl.Expr]:
    treatment = sud_indicated.exprs(params)[sud_indicated.NAME]
    reentry = pl.col("days_since_release") <= params["release_window_days"]
    work = seller_role.exprs(params)[seller_role.NAME].is_in(
        [SellerRole.USER_SELLER.value, SellerRole.STREET_SELLER.value]
    )
    value = lists_from_bits(
        [treatment, reentry, work], [[Need.TREATMENT.value], [Need.REENTRY.value], [Need.WORK.value]]
    )
    return {NAME: value}


CRITERION = Criterion(
    name=NAME,
    description="Needs from the facts on file: treatment, re-entry support, work (screening adds more).",
    reference="IIP/Vital Strategies 'A New Approach' (2021) recs. 1 and 3; Binswanger et al., NEJM 2007.",
    findings=(Finding(NAME, "list", tuple(Need.values())),),
    parameters=("release_window_days",),
    exprs=exprs,
)
