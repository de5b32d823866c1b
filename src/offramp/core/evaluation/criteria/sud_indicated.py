"""Substance use disorder indicated — a PROXY from case facts until screening instruments land.

Holds when the file shows injection use or a prior overdose, both markers of problem use that the
toolkit's first recommendation asks decisions to take into account (IIP/Vital Strategies 2021). The drug
class (opioid or methamphetamine) is listed as context. This is not a screen and not a diagnosis
(DOMAIN.md section 3 cautions): once UNCOPE / TCU Drug Screen 5 results are on file, they replace it.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, reason_columns
from offramp.core.evaluation.criteria.enums import OPIOIDS

NAME = "sud_indicated"


def exprs(params: Params) -> dict[str, pl.Expr]:
    markers = {"injection_use": pl.col("injection_use"), "prior_overdose": pl.col("prior_overdose")}
    context = {"opioid_or_methamphetamine": pl.col("drug").is_in([*OPIOIDS, "methamphetamine"])}
    return {NAME: any_of(markers), **reason_columns(NAME, {**markers, **context})}


CRITERION = Criterion(
    name=NAME,
    description="Proxy until screening: injection use or a prior overdose on file.",
    reference="IIP/Vital Strategies 'A New Approach' (2021) rec. 1; DOMAIN.md sections 1, 3 and 4.",
    findings=(Finding(NAME, "bool"),),
    exprs=exprs,
)
