"""Screenings and the 42 CFR Part 2 consent ledger.

The ledger is append-only: a ConsentRecord is never edited (`save()` on a stored row and `delete()` raise);
a revocation is its own ConsentRevocation row, refused before the consent's `irrevocable_until` (§2.35(c)).
A consent is of one kind (core `ConsentKind`): monitoring (§2.35) or use in the charging decision, which
needs a record that counsel was offered; consents recorded before kinds existed are monitoring consents
(migration 0005), so none of them covers the charging decision. A new consent is checked by core
`Consent.signing_problems` (expiry, counsel, irrevocable-until no later than the case's final disposition).
Whether a consent lets someone see SUD information is decided by core `decide_access`, never here.
A Screening is stored from core `Administration.record`, so its score and band are computed in core;
a NeedsAssessment from core `needs.assess`, so its tags are core's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from offramp.core.screening import Administration, AsamLevel, AsamPlacement
from offramp.core.screening.consent import Consent, ConsentError, ConsentKind, CounselOffer, CounselResponse
from offramp.core.screening.needs import assess
from offramp.web.cases.models import Case, Person
from offramp.web.immutable import ImmutableModel


class ConsentRecord(ImmutableModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    #: the case the consent was taken for: its disposition date is the latest an irrevocable-until may run to
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents", null=True, blank=True)
    kind = models.CharField(
        max_length=20, choices=ConsentKind.choices(), default=ConsentKind.MONITORING.value
    )
    #: the patient's name as signed (§2.31(a)(1)); the person record itself stays pseudonymous. Blank only on
    #: consents recorded before the name was asked for.
    patient_name = models.CharField(max_length=200, blank=True)
    disclosing_program = models.CharField(max_length=200)
    #: role slugs (offramp.web.accounts.roles) and usernames the consent names as recipients
    recipient_roles = models.JSONField(default=list, blank=True)
    recipient_usernames = models.JSONField(default=list, blank=True)
    #: core Purpose values and SudInformation values
    purposes = models.JSONField(default=list)
    information = models.JSONField(default=list)
    signed_on = models.DateField()
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=200, blank=True)
    expiry_event_on = models.DateField(null=True, blank=True)
    irrevocable_until = models.DateField(null=True, blank=True)
    #: irrevocable until the case's final disposition (an event, §2.35(c)), when its date is not known
    irrevocable_until_disposition = models.BooleanField(default=False)
    #: charging-use consents: the warning was read, and counsel was offered (yes/no, the answer, who, when)
    warning_read = models.BooleanField(default=False)
    counsel_offered = models.BooleanField(null=True, blank=True)
    counsel_response = models.CharField(max_length=20, choices=CounselResponse.choices(), blank=True)
    counsel_offered_by = models.CharField(max_length=200, blank=True)
    counsel_offered_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"consent C-{self.pk} ({self.person.person_key}, {self.disclosing_program})"

    @property
    def consent_id(self) -> str:
        return f"C-{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            # core validates: expiry (§2.31(a)), counsel for charging use, irrevocable-until (§2.35(c))
            problems = self.to_core().signing_problems()
            if problems:
                raise ConsentError("; ".join(problems))
        super().save(*args, **kwargs)

    @property
    def final_disposition_on(self) -> dt.date | None:
        if self.case_id is None:
            return None
        disposed: dt.date | None = self.case.disposition_date
        return disposed

    def counsel_offer(self) -> CounselOffer | None:
        if self.counsel_offered is None:
            return None
        return CounselOffer(
            offered=self.counsel_offered,
            response=self.counsel_response or None,
            offered_by=self.counsel_offered_by,
            offered_on=self.counsel_offered_on,
        )

    @property
    def revoked_on(self) -> dt.date | None:
        if self.pk is None:
            return None
        try:
            return self.revocation.revoked_on
        except ConsentRevocation.DoesNotExist:
            return None

    def to_core(self, revoked_on: dt.date | None = None) -> Consent:
        """The core consent (what `decide_access` reads); `revoked_on` defaults to the stored revocation."""
        return Consent(
            consent_id=self.consent_id if self.pk else "C-new",
            person_key=self.person.person_key,
            disclosing_program=self.disclosing_program,
            recipient_users=frozenset(self.recipient_usernames),
            recipient_roles=frozenset(self.recipient_roles),
            purposes=frozenset(self.purposes),
            information=frozenset(self.information),
            signed_on=self.signed_on,
            starts_on=self.starts_on,
            expires_on=self.expires_on,
            expiry_event=self.expiry_event or None,
            expiry_event_on=self.expiry_event_on,
            irrevocable_until=self.irrevocable_until,
            revoked_on=revoked_on or self.revoked_on,
            kind=self.kind,
            counsel=self.counsel_offer(),
            irrevocable_until_disposition=self.irrevocable_until_disposition,
            final_disposition_on=self.final_disposition_on,
            patient_name=self.patient_name,
        )


class ConsentRevocation(ImmutableModel):
    consent = models.OneToOneField(ConsentRecord, on_delete=models.PROTECT, related_name="revocation")
    revoked_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            # core refuses a revocation before irrevocable_until (ValueError)
            self.consent.to_core(revoked_on=self.revoked_on)
        super().save(*args, **kwargs)


class Screening(ImmutableModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="screenings")
    instrument = models.CharField(max_length=30)
    instrument_version = models.CharField(max_length=20)
    administered_by = models.CharField(max_length=200)
    administered_at = models.DateTimeField()
    mode = models.CharField(max_length=20)
    answers = models.JSONField(default=list)
    score = models.IntegerField()
    band = models.CharField(max_length=40)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-administered_at", "-id"]

    @classmethod
    def create_from(cls, case: Case, admin: Administration, entered_by: Any) -> Screening:
        return cls.objects.create(
            case=case,
            instrument=admin.instrument_id,
            instrument_version=admin.instrument_version,
            administered_by=admin.administered_by,
            administered_at=admin.administered_at,
            mode=admin.mode.value,
            answers=list(admin.answers),
            score=admin.result.score,
            band=admin.result.band,
            entered_by=entered_by,
        )


class NeedsAssessment(ImmutableModel):
    """One needs assessment (core `screening.needs`), stored only from core `assess()` so the tags are core's.

    Needs are not 42 CFR Part 2 SUD records (they say nothing of substance use or its treatment), so every
    case role may see the tags; the raw answers (mental_health among them) are shown only to coordinators.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="needs_assessments")
    version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)
    tags = models.JSONField(default=list)
    assessed_by = models.CharField(max_length=200)
    assessed_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    @classmethod
    def create_from(
        cls,
        case: Case,
        answers: Mapping[str, str],
        assessed_by: str,
        assessed_at: dt.datetime,
        entered_by: Any,
    ) -> NeedsAssessment:
        """Assess `answers` in core (raises core NeedsAnswerError) and store the result."""
        result = assess(answers)
        return cls.objects.create(
            case=case,
            version=result.version,
            answers=dict(result.answers),
            tags=list(result.tags),
            assessed_by=assessed_by,
            assessed_at=assessed_at,
            entered_by=entered_by,
        )


class TreatmentReport(ImmutableModel):
    """One progress report from a treatment program (42 CFR Part 2 `treatment_reports` information).

    Shown only to users a consent covers (`sud_access`); an ASAM level is a clinician's placement (level name
    only), so a level needs the clinician's name: core `AsamPlacement` checks it. Counts are null when the
    program did not report them.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="treatment_reports")
    program_name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    report_date = models.DateField()
    sessions_attended = models.PositiveIntegerField(null=True, blank=True)
    sessions_scheduled = models.PositiveIntegerField(null=True, blank=True)
    drug_tests_taken = models.PositiveIntegerField(null=True, blank=True)
    drug_tests_negative = models.PositiveIntegerField(null=True, blank=True)
    moud_continuing = models.BooleanField(null=True, blank=True)
    asam_level = models.CharField(max_length=10, choices=AsamLevel.choices(), blank=True)
    placed_by = models.CharField(max_length=200, blank=True)
    progress_summary = models.TextField(blank=True)
    reported_by = models.CharField(max_length=200)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-report_date", "-id"]

    def __str__(self) -> str:
        return f"treatment report {self.pk} ({self.case.case_key}, {self.report_date})"

    @property
    def asam_level_name(self) -> str:
        level = AsamLevel.parse(self.asam_level) if self.asam_level else None
        return level.description if level is not None else self.asam_level

    def asam_placement(self) -> AsamPlacement | None:
        """The core placement this report records (core checks the clinician is named), or None.
        Raises ValueError for a level without a clinician, or a clinician without a level."""
        if not self.asam_level and not self.placed_by.strip():
            return None
        if not self.asam_level:
            raise ValueError("a clinician is named but no ASAM level is given")
        level = AsamLevel.parse(self.asam_level)
        if level is None:
            raise ValueError(f"unknown ASAM level {self.asam_level!r}")
        placed_at = dt.datetime.combine(self.report_date, dt.time(), tzinfo=dt.UTC)
        return AsamPlacement(level=level, placed_by=self.placed_by, placed_at=placed_at)

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for each way the report contradicts itself: its period, counts or placement."""
        found: list[tuple[str, str]] = []
        if self.period_end < self.period_start:
            found.append(("period_end", "The report period ends before it starts."))
        attended, scheduled = self.sessions_attended, self.sessions_scheduled
        if attended is not None and scheduled is not None and attended > scheduled:
            found.append(("sessions_attended", "More sessions attended than scheduled."))
        negative, taken = self.drug_tests_negative, self.drug_tests_taken
        if negative is not None and taken is not None and negative > taken:
            found.append(("drug_tests_negative", "More negative drug tests than tests taken."))
        try:
            self.asam_placement()
        except ValueError as exc:
            field = "asam_level" if self.placed_by.strip() and not self.asam_level else "placed_by"
            found.append((field, f"ASAM placement: {exc}."))
        return found

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            problems = self.problems()
            if problems:
                raise ValueError("; ".join(message for _, message in problems))
        super().save(*args, **kwargs)
