"""Storage of the domain model (offramp.core.intake.batch). Field names equal the record columns so the
importer can write frames as they are; the architecture tests check the two stay in step."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from offramp.core.enums import (
    CaseStage,
    DispositionKind,
    Drug,
    Ethnicity,
    Harm,
    OffenseKind,
    QuantityUnit,
    Race,
    ReferralResult,
    SentenceType,
    Sex,
)
from offramp.core.enums import Severity as SeverityEnum


class ImportBatch(models.Model):
    """One run of `offramp import cases`: what file, who, and what it changed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    source_format = models.CharField(max_length=40)
    file_name = models.CharField(max_length=500)
    file_sha256 = models.CharField(max_length=64)
    actor_name = models.CharField(max_length=150)
    dry_run = models.BooleanField(default=False)
    rows = models.IntegerField(default=0)
    cases_new = models.IntegerField(default=0)
    cases_changed = models.IntegerField(default=0)
    cases_unchanged = models.IntegerField(default=0)
    persons_new = models.IntegerField(default=0)
    persons_changed = models.IntegerField(default=0)
    warnings = models.IntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        permissions = [
            ("import_cases", "Can import case files"),
            ("export_cases", "Can export case-level data"),
            ("export_aggregates", "Can export aggregate figures"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source_format}) at {self.started_at:%Y-%m-%d %H:%M}"


class Person(models.Model):
    """A pseudonymous person: the office's own id, never a name."""

    person_key = models.CharField("person id", max_length=120, unique=True)
    row_hash = models.CharField(max_length=32)
    birth_year = models.IntegerField(null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices(), default=Sex.UNKNOWN.value)
    sex_raw = models.CharField(max_length=60, null=True, blank=True)
    race = models.CharField(max_length=40, choices=Race.choices(), default=Race.UNKNOWN.value)
    race_raw = models.CharField(max_length=60, null=True, blank=True)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices(), default=Ethnicity.UNKNOWN.value)
    ethnicity_raw = models.CharField(max_length=60, null=True, blank=True)
    zip = models.CharField(max_length=10, null=True, blank=True)

    def __str__(self) -> str:
        return self.person_key


class Case(models.Model):
    case_key = models.CharField("case id", max_length=120, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    source_format = models.CharField(max_length=40)
    source_row = models.BigIntegerField(null=True, blank=True)
    row_hash = models.CharField(max_length=32)
    received_date = models.DateField()
    received_date_raw = models.CharField(max_length=40, null=True, blank=True)
    agency = models.CharField(max_length=200, null=True, blank=True)
    stage = models.CharField(max_length=20, choices=CaseStage.choices(), default=CaseStage.RECEIVED.value)
    assigned_prosecutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        db_index=False,  # indexed below, only where set (most cases are unassigned when imported)
    )
    # the primary charge's kind and drug, kept on the case so the queue filters without a join
    primary_offense_kind = models.CharField(max_length=30, choices=OffenseKind.choices())
    primary_drug = models.CharField(max_length=30, choices=Drug.choices(), null=True, blank=True)
    # evidence facts (null = unknown)
    weapon = models.BooleanField(null=True)
    violence = models.BooleanField(null=True)
    cash_usd = models.FloatField(null=True, blank=True)
    packaging = models.BooleanField(null=True)
    scales_or_ledgers = models.BooleanField(null=True)
    sale_to_minor = models.BooleanField(null=True)
    near_school = models.BooleanField(null=True)
    organizer_role = models.BooleanField(null=True)
    trafficking_org_ties = models.BooleanField(null=True)
    weapon_in_connection = models.BooleanField(null=True)
    sought_help_for_overdose = models.BooleanField(null=True)
    harm_reduction_supplies_only = models.BooleanField(null=True)
    # criminal history
    prior_felonies = models.IntegerField(null=True, blank=True)
    prior_violent = models.IntegerField(null=True, blank=True)
    last_violent_conviction_year = models.IntegerField(null=True, blank=True)
    prior_drug_sales = models.IntegerField(null=True, blank=True)
    on_supervision = models.BooleanField(null=True)
    days_since_release = models.IntegerField(null=True, blank=True)
    prior_drug_convictions = models.IntegerField(null=True, blank=True)
    prior_conditional_discharge = models.BooleanField(null=True)
    prior_first_offender = models.BooleanField(null=True)
    prior_failures_to_appear = models.IntegerField(null=True, blank=True)
    in_custody = models.BooleanField(null=True)
    # health facts
    prior_overdose = models.BooleanField(null=True)
    injection_use = models.BooleanField(null=True)
    on_moud = models.BooleanField(null=True)
    # the person's own account and circumstances, as asked in the evaluation (never assumed)
    sells_to_support_own_use = models.BooleanField(null=True)
    poverty_or_debt = models.BooleanField(null=True)
    coerced_or_exploited = models.BooleanField(null=True)
    veteran = models.BooleanField(null=True)
    pregnant = models.BooleanField(null=True)
    caregiver = models.BooleanField(null=True)
    noncitizen = models.BooleanField(null=True)
    victim_count = models.IntegerField(null=True, blank=True)
    narrative = models.TextField(null=True, blank=True)
    # disposition facts (null = not disposed yet, or the source does not say)
    disposition = models.CharField(max_length=30, choices=DispositionKind.choices(), null=True, blank=True)
    disposition_raw = models.CharField(max_length=100, null=True, blank=True)
    disposition_date = models.DateField(null=True, blank=True)
    disposition_date_raw = models.CharField(max_length=40, null=True, blank=True)
    sentence_type = models.CharField(max_length=30, choices=SentenceType.choices(), null=True, blank=True)
    sentence_type_raw = models.CharField(max_length=100, null=True, blank=True)
    sentence_days = models.IntegerField(null=True, blank=True)

    class Meta:
        permissions = [("assign_case", "Can assign cases to prosecutors")]
        indexes = [
            models.Index(fields=["-received_date", "-id"], name="case_queue_idx"),
            models.Index(fields=["stage", "-received_date", "-id"], name="case_stage_idx"),
            models.Index(fields=["primary_offense_kind", "-received_date", "-id"], name="case_kind_idx"),
            models.Index(fields=["primary_drug", "-received_date", "-id"], name="case_drug_idx"),
            models.Index(
                fields=["assigned_prosecutor", "-received_date", "-id"],
                name="case_assigned_idx",
                condition=models.Q(assigned_prosecutor__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.case_key


class Charge(models.Model):
    # indexed by the (case, seq) unique constraint below
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="charges", db_index=False)
    seq = models.IntegerField()
    is_primary = models.BooleanField(default=False)
    statute_raw = models.CharField(max_length=300, null=True, blank=True)
    title_raw = models.CharField(max_length=500, null=True, blank=True)
    offense_kind = models.CharField(max_length=30, choices=OffenseKind.choices())
    severity = models.CharField(max_length=20, choices=SeverityEnum.choices(), null=True, blank=True)
    nibrs_code = models.CharField(max_length=5, null=True, blank=True)
    drug = models.CharField(max_length=30, choices=Drug.choices(), null=True, blank=True)
    drug_raw = models.CharField(max_length=500, null=True, blank=True)
    quantity = models.FloatField(null=True, blank=True)
    quantity_unit = models.CharField(max_length=20, choices=QuantityUnit.choices(), null=True, blank=True)
    quantity_raw = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="charge_case_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.offense_kind}"


class Victim(models.Model):
    # indexed by the (case, seq) unique constraint below
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="victims", db_index=False)
    seq = models.IntegerField()
    harm = models.CharField(max_length=20, choices=Harm.choices(), default=Harm.UNKNOWN.value)
    harm_raw = models.CharField(max_length=200, null=True, blank=True)
    restitution_claimed_usd = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="victim_case_seq_unique")]

    def __str__(self) -> str:
        return f"victim {self.seq} of case {self.case_id}"


class ProgramReferral(models.Model):
    """A referral to a diversion program as recorded by the source (e.g. the CCSAO Diversion export)."""

    # indexed by the (case, seq) unique constraint below
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals", db_index=False)
    seq = models.IntegerField()
    program_code = models.CharField(max_length=40)
    program_raw = models.CharField(max_length=200, null=True, blank=True)
    referral_date = models.DateField(null=True, blank=True)
    referral_date_raw = models.CharField(max_length=40, null=True, blank=True)
    diversion_count = models.IntegerField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=ReferralResult.choices(), null=True, blank=True)
    result_raw = models.CharField(max_length=60, null=True, blank=True)
    closed_date = models.DateField(null=True, blank=True)
    closed_date_raw = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="referral_case_seq_unique")]

    def __str__(self) -> str:
        return f"{self.program_code} referral of case {self.case_id}"


class DataQualityWarning(models.Model):
    """An implausible but parseable value: imported, and flagged for someone to check against the source."""

    import_batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="warning_rows")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="warnings")
    row = models.BigIntegerField(null=True)
    field = models.CharField(max_length=80)
    value = models.CharField(max_length=500, null=True, blank=True)
    message = models.CharField(max_length=500)

    def __str__(self) -> str:
        return f"row {self.row} {self.field}: {self.message}"
