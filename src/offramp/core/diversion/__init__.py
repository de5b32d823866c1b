"""Diversion after the offer: the referral lifecycle, its deadlines, and the conditions of the agreement.

Pure Python (no Django): the web layer stores states, audits every `lifecycle.Outcome`, and locks
optimistically; everything that decides what may happen, and why not, lives here.
"""

from offramp.core.diversion.conditions import (
    Condition,
    ConditionKind,
    ConditionRefused,
    DrugTestOutcome,
    DrugTestResult,
    PaymentPlan,
    Progress,
    ProgressEntry,
    drug_test_result,
    progress,
    restitution_condition_ok,
    validate_condition,
)
from offramp.core.diversion.deadlines import Alert, Deadline, DeadlineKind, due_soon, overdue
from offramp.core.diversion.lifecycle import (
    COOK_COUNTY_PROGRAMS,
    TRANSITIONS,
    Blocked,
    Context,
    Event,
    GraduatedResponse,
    IllegalTransition,
    LifecycleError,
    Outcome,
    ProgramModel,
    ReasonCode,
    ReferralState,
    apply,
    legal_events,
    offer,
)
from offramp.core.enums import PleaStage

__all__ = [
    "COOK_COUNTY_PROGRAMS",
    "TRANSITIONS",
    "Alert",
    "Blocked",
    "Condition",
    "ConditionKind",
    "ConditionRefused",
    "Context",
    "Deadline",
    "DeadlineKind",
    "DrugTestOutcome",
    "DrugTestResult",
    "Event",
    "GraduatedResponse",
    "IllegalTransition",
    "LifecycleError",
    "Outcome",
    "PaymentPlan",
    "PleaStage",
    "ProgramModel",
    "Progress",
    "ProgressEntry",
    "ReasonCode",
    "ReferralState",
    "apply",
    "drug_test_result",
    "due_soon",
    "legal_events",
    "offer",
    "overdue",
    "progress",
    "restitution_condition_ok",
    "validate_condition",
]
