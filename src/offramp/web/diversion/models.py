"""The diversion lifecycle in the database: referrals, their transitions, conditions and record restriction.

A `Referral` holds the current state of one diversion offer and a `version` for optimistic locking. It is
written only by `offramp.web.diversion.service`: created by `offer_diversion`, and moved by `transition`
with `UPDATE ... SET state = ..., version = version + 1 WHERE id = ? AND version = ?`, so two coordinators
acting on the same version never both succeed (the second is told to reload; nothing of the first is lost).
`save()` on a stored referral raises, so no code path can write a state without that check.

Everything else is a record of what happened and is immutable (`ImmutableModel`): one `ReferralEvent`
per transition (written in the same transaction as the state), the `Condition`s of the agreement, their
append-only `ConditionEntry` progress, and the `RecordRestriction` eligibility entry written on dismissal.
A condition is changed by adding a new one (the graduated response "modified conditions" says so).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.core.diversion import (
    ConditionKind,
    Event,
    GraduatedResponse,
    ProgramModel,
    ReferralState,
)
from offramp.core.diversion import referral as rules
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.core.enums import PleaStage
from offramp.core.outcomes.relief import ReliefEntry
from offramp.web.cases.models import Case
from offramp.web.immutable import ImmutableModel

STATE_CHOICES = [(s.value, s.value.replace("_", " ")) for s in ReferralState]
EVENT_CHOICES = [(e.value, e.value.replace("_", " ")) for e in Event]
OPEN_STATES = tuple(s.value for s in ReferralState if s in rules.OPEN_STATES)


class Referral(models.Model):
    """One diversion offer of a case to a program, from the offer to dismissal or return to prosecution."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="diversion_referrals")
    #: a Cook County State's Attorney program code (COOK_COUNTY_PROGRAMS), or empty for a directory service
    program_code = models.CharField(max_length=20, blank=True)
    #: a program from the directory, when the referral is to one (then `program_code` is empty)
    service = models.ForeignKey(
        "programs.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program_name = models.CharField(max_length=500)
    plea_stage = models.CharField(max_length=20, choices=PleaStage.choices(), blank=True)
    #: the program's length in months (program-end deadline); None where it is not a fixed length
    duration_months = models.IntegerField(null=True, blank=True)
    requires_victim_agreement = models.BooleanField(default=False)
    #: counsel at the offer (core `CounselStatus`); required on every new offer (forms and service), empty
    #: only on referrals offered before it was recorded
    counsel = models.CharField(max_length=30, choices=CounselStatus.choices(), blank=True)
    #: whether the offer asked for an admission of guilt (core `voluntariness.admission_rule` at the offer)
    admission_required = models.BooleanField(default=False)
    state = models.CharField(max_length=30, choices=STATE_CHOICES, default=ReferralState.OFFERED.value)
    #: optimistic locking: every transition is `UPDATE ... WHERE version = <the version the user saw>`
    version = models.IntegerField(default=1)
    offered_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    referred_on = models.DateField(null=True, blank=True)
    intake_due = models.DateField(null=True, blank=True)
    intake_completed_on = models.DateField(null=True, blank=True)
    enrolled_on = models.DateField(null=True, blank=True)
    last_progress_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-offered_on", "-id"]
        permissions = [
            ("coordinate", "Can offer diversion, move referrals through their lifecycle and set conditions"),
            ("view_state", "Can see a referral's program and state (not its history or conditions)"),
            (
                "view_statements",
                "Can see statements made in screening or diversion (not for prosecution)",
            ),
        ]
        indexes = [models.Index(fields=["state", "intake_due"], name="referral_state_due_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="referral_version_positive"),
            models.CheckConstraint(
                condition=~models.Q(program_code="") | models.Q(service__isnull=False),
                name="referral_has_program",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} of case {self.case_id} to {self.program_name} ({self.state})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(
                "a stored referral changes only through diversion.service.transition (optimistic locking)"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("referrals are never deleted; a closed referral stays on the record")

    @property
    def state_enum(self) -> ReferralState:
        return ReferralState(self.state)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def program_model(self) -> ProgramModel:
        """The core program model (core's rule: Cook County's own where the code is one, else the fields)."""
        return rules.program_model(
            self.program_code or (str(self.service_id) if self.service_id else ""),
            name=self.program_name,
            plea_stage=self.plea_stage,
            duration_months=self.duration_months,
            requires_victim_agreement=self.requires_victim_agreement,
        )

    def facts(self) -> rules.ReferralFacts:
        """What core's referral rules (dates, guard inputs, deadlines) read of this row."""
        return rules.ReferralFacts(
            key=str(self.pk),
            state=self.state_enum,
            program=self.program_model,
            plea_stage=self.plea_stage,
            duration_months=self.duration_months,
            referred_on=self.referred_on,
            intake_due=self.intake_due,
            enrolled_on=self.enrolled_on,
            last_progress_on=self.last_progress_on,
            completed_on=self.completed_on,
        )

    @property
    def counsel_description(self) -> str:
        status = CounselStatus.parse(self.counsel)
        return status.description if status else "Not recorded (offered before counsel was recorded)."

    @property
    def state_description(self) -> str:
        return self.state_enum.description


class ReferralEvent(ImmutableModel):
    """One transition of a referral, exactly as core `lifecycle.Outcome` gave it, with who and when.
    `seq` is the referral's version after the transition (the offer is 1), unique per referral."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    event = models.CharField(max_length=30, choices=EVENT_CHOICES)
    from_state = models.CharField(max_length=30, choices=STATE_CHOICES, blank=True)  # empty for the offer
    to_state = models.CharField(max_length=30, choices=STATE_CHOICES)
    reasons = models.JSONField(default=list, blank=True)
    reason_text = models.TextField(blank=True)
    response = models.CharField(max_length=30, choices=GraduatedResponse.choices(), blank=True)
    disposition = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True)
    #: who: a user, or empty with `by_name` for the `offramp diversion sweep` command
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["referral", "seq"], name="referral_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.event} on referral {self.referral_id} ({self.from_state or '-'} -> {self.to_state})"

    @property
    def reason_labels(self) -> list[str]:
        return [str(r).replace("_", " ") for r in self.reasons]


class Condition(ImmutableModel):
    """A condition of the agreement, checked by core `validate_condition` (MOUD guard) before it is stored:
    a refused condition is never written."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="conditions")
    kind = models.CharField(max_length=30, choices=ConditionKind.choices())
    #: in the kind's unit (sessions, tests, classes, hours, check-ins, USD)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    description = models.TextField(blank=True)
    due = models.DateField(null=True, blank=True)
    #: restitution: the payment plan offered (core `restitution_condition_ok`), in words
    plan_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} {self.unit} (referral {self.referral_id})"

    @property
    def kind_enum(self) -> ConditionKind:
        return ConditionKind(self.kind)

    @property
    def unit(self) -> str:
        return self.kind_enum.unit


class ConditionEntry(ImmutableModel):
    """Progress towards a condition as reported on one day (append-only; a correction is a new entry)."""

    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="entries")
    on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    #: drug tests only: core `drug_test_result` ("negative"/"positive") and its message (coordinators only)
    test_result = models.CharField(max_length=10, blank=True)
    test_message = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["condition_id", "on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="entry_amount_gte_0")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.on} (condition {self.condition_id})"


class RecordRestriction(ImmutableModel):
    """The record-restriction eligibility entry written when a completed referral is dismissed
    (core `relief.eligibility_on_completion`, statute from the setting OFFRAMP_RELIEF_STATUTE)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="record_restriction")
    eligible = models.BooleanField()
    statute_code = models.CharField(max_length=120, blank=True)
    statute_title = models.CharField(max_length=300, blank=True)
    statute_jurisdiction = models.CharField(max_length=120, blank=True)
    basis = models.TextField()
    program_model = models.CharField(max_length=60, blank=True)
    as_of = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "-id"]

    @staticmethod
    def fields_of(entry: ReliefEntry) -> dict[str, Any]:
        """The stored fields of core's record-relief entry."""
        statute = entry.statute
        return {
            "eligible": entry.eligible,
            "statute_code": statute.code if statute else "",
            "statute_title": statute.title if statute else "",
            "statute_jurisdiction": statute.jurisdiction if statute else "",
            "basis": entry.basis,
            "program_model": entry.program_model,
            "as_of": entry.as_of,
        }

    def __str__(self) -> str:
        verdict = "eligible" if self.eligible else "not eligible"
        return f"record restriction for referral {self.referral_id}: {verdict} ({self.statute_code})"
