"""Writing decisions and approvals: each is one new row and one audit event, in one transaction, so a
failure leaves neither (docs/ARCHITECTURE.md: all-or-nothing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.decisions.models import Decision, DecisionApproval
from offramp.web.decisions.recommend import Recommendation, overrides_bar


class StaleDecision(Exception):
    """Someone else recorded a decision on the case first."""


def decisions_of(case: Case) -> QuerySet[Decision]:
    return Decision.objects.filter(case=case).select_related(
        "decided_by", "approval_row", "approval_row__by", "supersedes"
    )


def latest_decision(case: Case) -> Decision | None:
    """The decision no other decision corrects (the newest, since each correction points at the latest)."""
    return decisions_of(case).filter(superseded_by__isnull=True).first()


def needs_supervisor(rec: Recommendation, outcome: str) -> bool:
    """A supervisor approves a departure from the recommendation, a decision a rule flags, and always one
    that overrides a legal bar (`overrides_bar`)."""
    return outcome != rec.outcome or rec.supervisor_approval or overrides_bar(rec, outcome)


def record_decision(case: Case, rec: Recommendation, user: Any, outcome: str, reason: str) -> Decision:
    """Store the prosecutor's decision with the recommendation it answers; a decision on a case that
    already has one is a correction of the latest."""
    with transaction.atomic():
        # lock the case row (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers)
        Case.objects.select_for_update().filter(pk=case.pk).first()
        previous = latest_decision(case)
        decision = Decision.objects.create(
            case=case,
            policy_id=rec.policy_id,
            policy_version=rec.policy_version,
            parameter_dates=rec.parameter_dates,
            trace=rec.trace.to_dict(),
            recommended_outcome=rec.outcome,
            outcome=outcome,
            accepted=outcome == rec.outcome,
            deviation_reason="" if outcome == rec.outcome else reason,
            decided_by=user,
            supersedes=previous,
            needs_supervisor=needs_supervisor(rec, outcome),
        )
        record(
            Action.CREATE,
            object_type="decision",
            object_id=decision.pk,
            actor=user,
            detail={
                "case": case.case_key,
                "policy": f"{rec.policy_id} {rec.policy_version}",
                "recommended": rec.outcome,
                "outcome": outcome,
                "accepted": decision.accepted,
                "needs_supervisor": decision.needs_supervisor,
                "overrides_bars": rec.trace.bar_ids() if overrides_bar(rec, outcome) else [],
                "supersedes": previous.pk if previous else None,
            },
        )
    return decision


def supervisor_queue() -> QuerySet[Decision]:
    """Decisions waiting for a supervisor: flagged, not yet answered, and not since corrected."""
    return (
        Decision.objects.filter(needs_supervisor=True, approval_row__isnull=True, superseded_by__isnull=True)
        .select_related("case", "decided_by")
        .order_by("decided_at", "id")
    )


def review_decision(decision: Decision, user: Any, verdict: str, note: str) -> DecisionApproval:
    with transaction.atomic():
        approval = DecisionApproval.objects.create(decision=decision, verdict=verdict, by=user, note=note)
        record(
            Action.CREATE,
            object_type="decision_approval",
            object_id=decision.pk,
            actor=user,
            detail={"case": decision.case.case_key, "verdict": verdict, "note": note},
        )
    return approval
