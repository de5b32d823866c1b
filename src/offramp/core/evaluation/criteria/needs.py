"""Needs (housing, work, education ...): EMPTY until the screening issue lands.

Case facts today say nothing reliable about housing, work or schooling, so this criterion reports an empty
list for every case rather than guess. The screening issue fills it from intake instruments; rules may
already test `{finding: needs, contains: housing}` and will start matching then. Values are `Need`.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params
from offramp.core.evaluation.criteria.enums import Need

NAME = "needs"


def exprs(params: Params) -> dict[str, pl.Expr]:
    return {NAME: pl.lit([], dtype=pl.List(pl.String))}


CRITERION = Criterion(
    name=NAME,
    description="Needs for housing, work, education and the like (empty until screening lands).",
    reference="DeKalb County DA Diversion & Community Alternatives unit (DOMAIN.md section 1).",
    findings=(Finding(NAME, "list", tuple(Need.values())),),
    exprs=exprs,
)
