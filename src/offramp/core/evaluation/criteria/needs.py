"""Needs a diversion plan should address, from the facts on file and from the needs assessment.

From facts (IIP/Vital Strategies 2021; docs/SOURCES.md#dekalb-da and docs/SOURCES.md#overdose):
- `treatment`: substance use disorder indicated (the `sud_indicated` finding: a consented screen, else the proxy);
- `reentry`: released from custody within `release_window_days` (the Binswanger window): identification,
  benefits and continuity of any medication for opioid use disorder;
From the person's own account, recorded in the prosecutor's evaluation (the motivating factors the
IIP/Vital Strategies toolkit and DeKalb's prosecutors weigh; docs/SOURCES.md#motivating-factors):
- `work` and `income`: poverty or debt (`poverty_or_debt`);
- `childcare`: caring for children or other dependants (`caregiver`);
- `prenatal_care`: pregnancy (`pregnant`): linkage to prenatal care.
Work and education needs are asked, not assumed: a seller's role alone raises no need (before issue 13
every user-seller and street-level seller was given `work`; many sell out of poverty, but not all, and the
toolkit's job and education programs are the rules' `program_types`, not a need of the person).
From the needs assessment (the `needs_assessed` column: tags from `offramp.core.screening.needs`, null when
no assessment was done): housing, work, education, income, insurance, childcare, transport, mental health,
language access and accommodation — the motivating factors DeKalb's prosecutors weigh (docs/SOURCES.md#dekalb-da).

A need is listed once, whether the facts, the assessment or both show it, in `Need` order; a tag that is
not a `Need` value is ignored. One bit per need, so bulk and explain read the same expression.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria import sud_indicated
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, lists_from_bits
from offramp.core.evaluation.criteria.enums import Need

NAME = "needs"
#: the evaluation column holding the needs assessment's tags
ASSESSED = "needs_assessed"


def exprs(params: Params) -> dict[str, pl.Expr]:
    assessed = pl.col(ASSESSED)
    from_facts = {
        Need.TREATMENT: sud_indicated.exprs(params)[sud_indicated.NAME],
        Need.REENTRY: pl.col("days_since_release") <= params["release_window_days"],
        Need.WORK: pl.col("poverty_or_debt"),
        Need.INCOME: pl.col("poverty_or_debt"),
        Need.CHILDCARE: pl.col("caregiver"),
        Need.PRENATAL_CARE: pl.col("pregnant"),
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
        "Needs from the facts on file (treatment, re-entry support), from the person's own account (poverty "
        "or debt: work and income; caregiving: childcare; pregnancy: prenatal care) and from the needs "
        "assessment."
    ),
    reference=(
        "IIP/Vital Strategies 'A New Approach' (2021) recs. 1 and 3; Binswanger et al., NEJM 2007; "
        "DeKalb County DA, motivating factors (docs/SOURCES.md#dekalb-da, docs/SOURCES.md#motivating-factors)."
    ),
    findings=(Finding(NAME, "list", tuple(Need.values())),),
    parameters=("release_window_days",),
    exprs=exprs,
)
