"""Drug sale history: the person has a prior drug-sale conviction on file.

This is criminal history, a claim of its own: it is never an indicator of the person's role in the drug
trade (seller_role), because counting one past enforcement contact twice carries enforcement bias into
the role (docs/seller-role.md). A rule that needs it reads this finding.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, flag, reason_columns

NAME = "drug_sale_history"


def exprs(params: Params) -> dict[str, pl.Expr]:
    indicators = {"prior_drug_sales": pl.col("prior_drug_sales") > 0}
    return {NAME: flag(indicators["prior_drug_sales"]), **reason_columns(NAME, indicators)}


CRITERION = Criterion(
    name=NAME,
    description="The person has a prior drug-sale conviction on file (criminal history, not role).",
    reference="Criminal history kept apart from role: USSC Amendment 794; docs/seller-role.md.",
    findings=(Finding(NAME, "bool"),),
    exprs=exprs,
)
