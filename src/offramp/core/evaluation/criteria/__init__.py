"""The criteria, one module each; `CRITERIA` is the registry the engine and the pack checker read."""

from __future__ import annotations

from offramp.core.evaluation.criteria import (
    eligibility,
    needs,
    overdose_risk,
    pretrial,
    public_safety,
    safety_valve,
    seller_role,
    sud_indicated,
)
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params
from offramp.core.evaluation.criteria.enums import EVALUATION_ENUMS, Need, OverdoseResponse, SellerRole

CRITERIA: tuple[Criterion, ...] = (
    seller_role.CRITERION,
    public_safety.CRITERION,
    safety_valve.CRITERION,
    overdose_risk.CRITERION,
    sud_indicated.CRITERION,
    needs.CRITERION,
    eligibility.CRITERION,
    pretrial.CRITERION,
)

#: finding name -> Finding, for every output a rule may test
FINDINGS: dict[str, Finding] = {f.name: f for c in CRITERIA for f in c.findings}

#: parameters some criterion needs: every pack must define them
REQUIRED_PARAMETERS: tuple[str, ...] = tuple(dict.fromkeys(p for c in CRITERIA for p in c.parameters))

__all__ = [
    "CRITERIA",
    "EVALUATION_ENUMS",
    "FINDINGS",
    "REQUIRED_PARAMETERS",
    "Criterion",
    "Finding",
    "Need",
    "OverdoseResponse",
    "Params",
    "SellerRole",
]
