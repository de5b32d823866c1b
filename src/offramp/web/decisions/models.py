"""Charging decisions: what the policy recommended, what the prosecutor decided, and who approved it.

A decision is evidence of how the office treated a person, so it is never edited: `save()` on a stored
row and `delete()` raise. A correction is a new Decision pointing at the one it corrects (`supersedes`);
a supervisor's approval or return is a separate DecisionApproval row, equally immutable. The policy id,
version, parameter dates and the full trace are copied in, so the decision still explains itself after
the policy pack changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.core.decision import BarTrace, DecisionTrace, RuleTrace, read_trace
from offramp.core.policy.pack import Outcome as CoreOutcome
from offramp.web.cases.models import Case
from offramp.web.immutable import ImmutableModel

#: The outcomes a policy rule can recommend (the `then` of a rule), in order of increasing severity: core's
#: one list (`core.policy.pack.Outcome`) as model choices, with core's short labels
Outcome = models.TextChoices(  # type: ignore[misc]
    "Outcome", [(member.name, (member.value, member.label)) for member in CoreOutcome]
)


class Verdict(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned to the prosecutor"


class Decision(ImmutableModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    policy_id = models.CharField(max_length=120)
    policy_version = models.CharField(max_length=60)
    #: the dates of the parameter values the evaluation used ({parameter: date the value took effect})
    parameter_dates = models.JSONField(default=dict, blank=True)
    #: the full explanation as the engine gave it (findings, matched rules, parameters)
    trace = models.JSONField(default=dict)
    recommended_outcome = models.CharField(max_length=30, choices=Outcome.choices)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    accepted = models.BooleanField()
    deviation_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    needs_supervisor = models.BooleanField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        permissions = [("approve_decision", "Can approve or return decisions needing a supervisor")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted=True, outcome=models.F("recommended_outcome"))
                | (models.Q(accepted=False) & ~models.Q(deviation_reason="")),
                name="decision_deviation_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} on {self.case_id}: {self.outcome}"

    @property
    def approval(self) -> DecisionApproval | None:
        try:
            return self.approval_row
        except DecisionApproval.DoesNotExist:
            return None

    @property
    def approved_by(self) -> Any:
        approval = self.approval
        return approval.by if approval and approval.verdict == Verdict.APPROVED else None

    @property
    def approved_at(self) -> Any:
        approval = self.approval
        return approval.at if approval and approval.verdict == Verdict.APPROVED else None

    @property
    def approval_note(self) -> str | None:
        approval = self.approval
        return approval.note if approval else None

    @property
    def decision_trace(self) -> DecisionTrace | None:
        """The stored trace, read through core's one schema (TraceError naming the field if malformed);
        None for a row stored without one (the field's empty default)."""
        return read_trace(self.trace) if self.trace else None

    @property
    def matched_rules(self) -> list[RuleTrace]:
        trace = self.decision_trace
        return trace.matched_rules if trace is not None else []

    @property
    def approval_rules(self) -> list[RuleTrace]:
        """The rules that call for the supervisor's approval (the deciding rule and attached ones)."""
        trace = self.decision_trace
        return trace.approval_rules() if trace is not None else []

    @property
    def overridden_bars(self) -> list[BarTrace]:
        """The legal bars this decision overrides (any outcome but a declination on a barred case), which
        is why it waits for a supervisor whatever the rules' flags say."""
        trace = self.decision_trace
        if trace is None or self.outcome == CoreOutcome.DECLINE.value:
            return []
        return trace.bars


class DecisionApproval(ImmutableModel):
    """A supervisor's answer to a decision in the queue: approved, or returned for a correction."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="approval_row")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.verdict} decision {self.decision_id}"
