"""The one writer of referrals: the offer, every transition (optimistically locked and audited), conditions,
progress entries and the intake sweep. Core `offramp.core.diversion` decides what may happen and why not;
this module stores what it allowed, in one transaction with its audit record, and nothing it refused.

Settings (read here, with their defaults, so settings.py need not know them):
- OFFRAMP_INTAKE_DAYS (14): days from the referral to the intake deadline.
- OFFRAMP_PROGRESS_REPORT_DAYS (30): days between progress reports while enrolled.
- OFFRAMP_INTAKE_MISSED_TERMINATES (False): a missed intake ends the referral at once (LEAD's rule).
- OFFRAMP_RELIEF_STATUTE (core relief.DEFAULT_STATUTE, O.C.G.A. § 35-3-37): the record-restriction statute
  used on dismissal; a `ReliefStatute`, a dict of its fields (code, title, jurisdiction, reference), or
  None for "no record relief" (the entry then says not eligible, and why).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from offramp.core import relief
from offramp.core.diversion import (
    COOK_COUNTY_PROGRAMS,
    Blocked,
    ConditionKind,
    Context,
    Event,
    GraduatedResponse,
    LifecycleError,
    Outcome,
    ReasonCode,
    ReferralState,
    drug_test_result,
    lifecycle,
    restitution_condition_ok,
    validate_condition,
)
from offramp.core.diversion import Condition as CoreCondition
from offramp.core.diversion.deadlines import (
    DEFAULT_INTAKE_DAYS,
    DEFAULT_PROGRESS_REPORT_DAYS,
    Deadline,
    DeadlineKind,
    intake_deadline,
    program_end_deadline,
    progress_report_deadline,
)
from offramp.core.enums import PleaStage
from offramp.web.audit.models import Action
from offramp.web.audit.models import Outcome as AuditOutcome
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.diversion.models import (
    OPEN_STATES,
    Condition,
    ConditionEntry,
    RecordRestriction,
    Referral,
    ReferralEvent,
)

STALE = "Someone else changed this referral since you loaded it; reload the page and try again."
SWEEP_ACTOR = "offramp diversion sweep"


class StaleReferral(Exception):
    """The referral's version is not the one the user saw: someone else changed it. Nothing was written."""

    def __init__(self, referral_id: int, expected: int, current: int | None) -> None:
        self.referral_id, self.expected, self.current = referral_id, expected, current
        super().__init__(STALE)


class OfferRefused(Exception):
    """The offer was not made (open referral, unknown program, or a core guard): `str()` says why."""


# --- settings -------------------------------------------------------------------------------------------------


def intake_days() -> int:
    return int(getattr(settings, "OFFRAMP_INTAKE_DAYS", DEFAULT_INTAKE_DAYS))


def progress_report_days() -> int:
    return int(getattr(settings, "OFFRAMP_PROGRESS_REPORT_DAYS", DEFAULT_PROGRESS_REPORT_DAYS))


def intake_missed_terminates() -> bool:
    return bool(getattr(settings, "OFFRAMP_INTAKE_MISSED_TERMINATES", False))


def relief_statute() -> relief.ReliefStatute | None:
    value = getattr(settings, "OFFRAMP_RELIEF_STATUTE", relief.DEFAULT_STATUTE)
    if value is None or isinstance(value, relief.ReliefStatute):
        return value
    if isinstance(value, dict):
        return relief.ReliefStatute(
            code=str(value["code"]),
            title=str(value.get("title", "")),
            jurisdiction=str(value.get("jurisdiction", "")),
            reference=str(value.get("reference", "")),
        )
    raise TypeError(f"OFFRAMP_RELIEF_STATUTE must be a ReliefStatute, a dict or None, not {value!r}")


# --- programs -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramChoice:
    """A program a coordinator may offer: a Cook County model ("ccsao:DC") or a directory service."""

    key: str
    name: str
    code: str = ""
    service: Any = None
    plea_stage: str = ""
    duration_months: int | None = None
    requires_victim_agreement: bool = False

    @property
    def model(self) -> lifecycle.ProgramModel:
        if self.code in COOK_COUNTY_PROGRAMS:
            return COOK_COUNTY_PROGRAMS[self.code]
        return lifecycle.ProgramModel(
            code=self.code or self.key,
            name=self.name,
            plea_stage=PleaStage(self.plea_stage) if self.plea_stage else None,
            duration_months=self.duration_months,
            requires_victim_agreement=self.requires_victim_agreement,
        )


def cook_county_choices() -> list[ProgramChoice]:
    return [
        ProgramChoice(
            key=f"ccsao:{code}",
            name=p.name,
            code=code,
            plea_stage=p.plea_stage.value if p.plea_stage else "",
            duration_months=p.duration_months,
            requires_victim_agreement=p.requires_victim_agreement,
        )
        for code, p in COOK_COUNTY_PROGRAMS.items()
    ]


def service_choice(service: Any) -> ProgramChoice:
    stages = [s for s in (service.plea_stages or []) if s in PleaStage.values()]
    return ProgramChoice(
        key=f"service:{service.pk}",
        name=f"{service.name} ({service.organization.name})",
        service=service,
        plea_stage=stages[0] if len(stages) == 1 else "",
    )


def directory_choices() -> list[ProgramChoice]:
    from offramp.web.programs.models import Service

    return [service_choice(s) for s in Service.objects.select_related("organization").order_by("name", "id")]


def program_from_key(key: str) -> ProgramChoice | None:
    kind, _, value = key.partition(":")
    if kind == "ccsao" and value in COOK_COUNTY_PROGRAMS:
        return next(c for c in cook_county_choices() if c.code == value)
    if kind == "service" and value:
        from django.core.exceptions import ValidationError

        from offramp.web.programs.models import Service

        try:
            service = Service.objects.select_related("organization").filter(pk=value).first()
        except (ValidationError, ValueError):
            return None
        return service_choice(service) if service is not None else None
    return None


# --- the offer ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VictimPosition:
    consultation_required: bool
    consulted: bool
    agreed: bool | None
    note: str
    no_victim: bool = False  # nobody on file to consult (counts as consulted; the event says so)


def victim_position(case: Case, user: Any) -> VictimPosition:
    """What the offer's guard needs: whether the policy requires consulting the victim (the recommendation's
    flag; when the policy cannot be evaluated, required whenever a victim is on file), and the case's
    consultation status (offramp.web.victims.consultation)."""
    from offramp.web.decisions import recommend
    from offramp.web.victims import consultation

    try:
        required = bool(recommend.recommend_case(case, user).victim_consultation)
        why = "the policy requires consulting the victim" if required else ""
    except recommend.RecommendationUnavailable:
        required = case.victims.exists() or bool(case.victim_count)
        why = "the policy could not be evaluated and a victim is on file" if required else ""
    status = consultation.consultation_status(case)
    no_victim = status.note == consultation.NO_VICTIM_NOTE
    return VictimPosition(required, bool(status.consulted), status.agreed, why or status.note, no_victim)


def offer_diversion(
    case: Case, program: ProgramChoice, user: Any, *, today: dt.date | None = None
) -> Referral:
    """Offer diversion to `program`: refused (OfferRefused, audited as denied, nothing stored) while the
    case has an open referral, or when core's guard blocks it (victim consultation / agreement)."""
    today = today or timezone.localdate()
    try:
        if Referral.objects.filter(case=case, state__in=OPEN_STATES).exists():
            raise OfferRefused(
                "the case already has an open diversion referral; close it (dismissal or return to "
                "prosecution) before offering another."
            )
        victims = victim_position(case, user)
        ctx = Context(
            program=program.model,
            victim_consultation_required=victims.consultation_required,
            victim_consulted=victims.consulted,
            victim_agreed=victims.agreed,
        )
        try:
            outcome = lifecycle.offer(context=ctx)
        except Blocked as exc:
            raise OfferRefused(str(exc)) from exc
        if victims.no_victim:
            outcome = replace(outcome, notes=("No victim on file: nobody to consult before the offer.",))
    except OfferRefused as exc:
        record(
            Action.CREATE,
            outcome=AuditOutcome.DENIED,
            object_type="referral",
            object_id="",
            actor=user,
            detail={
                "case": case.case_key,
                "event": Event.OFFER.value,
                "program": program.name,
                "why": str(exc),
            },
        )
        raise
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            program_code=program.code,
            service=program.service,
            program_name=program.name if program.code else program.service.name,
            plea_stage=program.plea_stage,
            duration_months=program.duration_months,
            requires_victim_agreement=program.requires_victim_agreement,
            state=outcome.to_state.value,
            version=1,
            offered_on=today,
            created_by=user,
        )
        _write_event(referral, 1, outcome, user)
        record(
            Action.CREATE,
            object_type="referral",
            object_id=referral.pk,
            actor=user,
            detail={
                "case": case.case_key,
                "event": Event.OFFER.value,
                "from": None,
                "to": outcome.to_state.value,
                "program": program.code or str(program.service.pk),
                "victim_consultation_required": victims.consultation_required,
                "victim_consulted": victims.consulted,
            },
        )
    return referral


# --- transitions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionInput:
    """What the coordinator gave with an event (each event uses the fields it needs)."""

    reasons: tuple[ReasonCode, ...] = ()
    reason_text: str = ""
    response: GraduatedResponse | None = None
    note: str = ""


def _write_event(
    referral: Referral, seq: int, outcome: Outcome, user: Any, by_name: str = "", note: str = ""
) -> ReferralEvent:
    notes = [*outcome.notes, *([note.strip()] if note.strip() else [])]
    return ReferralEvent.objects.create(
        referral=referral,
        seq=seq,
        event=outcome.event.value,
        from_state=outcome.from_state.value if outcome.from_state else "",
        to_state=outcome.to_state.value,
        reasons=[r.value for r in outcome.reasons],
        reason_text=outcome.reason_text,
        response=outcome.response.value if outcome.response else "",
        disposition=outcome.disposition,
        notes=notes,
        by=user,
        by_name=by_name or (user.get_username() if user is not None else ""),
    )


def _context(referral: Referral, event: Event, given: TransitionInput, today: dt.date) -> tuple[Context, Any]:
    """The core Context for `event` on `referral`, and (for DISMISS) the record-relief entry it decides."""
    entry = None
    eligible: bool | None = None
    basis = ""
    if event is Event.DISMISS:
        model = referral.plea_stage or "diversion"
        entry = relief.eligibility_on_completion(referral.completed_on or today, model, relief_statute())
        eligible = entry.eligible
        basis = entry.statute.code if entry.statute else entry.basis
    responses = ReferralEvent.objects.filter(referral=referral, event=Event.RESPOND.value).count()
    ctx = Context(
        program=referral.program_model,
        reasons=given.reasons,
        reason_text=given.reason_text,
        response=given.response,
        graduated_responses_on_record=responses,
        record_restriction_eligible=eligible,
        record_restriction_basis=basis,
        intake_missed_terminates=intake_missed_terminates(),
        today=today,
        intake_due=referral.intake_due,
    )
    return ctx, entry


def _date_fields(referral: Referral, outcome: Outcome, today: dt.date) -> dict[str, Any]:
    """The dates a step sets on the referral (in the same conditional UPDATE as the state)."""
    event, to = outcome.event, outcome.to_state
    fields: dict[str, Any] = {}
    if event is Event.ACCEPT:
        fields["accepted_on"] = today
    elif event is Event.REFER:
        fields["referred_on"] = today
        fields["intake_due"] = intake_deadline(today, intake_days()).due
    elif event is Event.COMPLETE_INTAKE:
        fields["intake_completed_on"] = today
    elif event is Event.ENROLL:
        fields["enrolled_on"] = today
    elif event is Event.REPORT_PROGRESS:
        fields["last_progress_on"] = today
    elif event is Event.COMPLETE:
        fields["completed_on"] = today
    if to is ReferralState.TERMINATED:
        fields["terminated_on"] = today
    if to in (ReferralState.DISMISSED, ReferralState.RETURNED_TO_PROSECUTION):
        fields["closed_on"] = today
    return fields


def transition(
    referral_id: int,
    expected_version: int,
    event: Event,
    given: TransitionInput | None = None,
    user: Any = None,
    *,
    today: dt.date | None = None,
    by_name: str = "",
) -> Referral:
    """Move the referral by `event`, if core allows it and nobody changed it since `expected_version`.

    Raises IllegalTransition / Blocked (core's words; audited as denied, nothing stored) or StaleReferral
    (the version moved on: nothing stored). On success the state, the version, the dates, one
    ReferralEvent, the RecordRestriction (on dismissal) and one audit record are written in one transaction.
    """
    given = given or TransitionInput()
    today = today or timezone.localdate()
    referral = Referral.objects.select_related("case").get(pk=referral_id)
    if referral.version != expected_version:
        raise StaleReferral(referral_id, expected_version, referral.version)
    try:
        ctx, entry = _context(referral, event, given, today)
        outcome = lifecycle.apply(referral.state_enum, event, context=ctx)
    except LifecycleError as exc:
        record(
            Action.CHANGE,
            outcome=AuditOutcome.DENIED,
            object_type="referral",
            object_id=referral.pk,
            actor=user,
            actor_name=by_name,
            detail={
                "case": referral.case.case_key,
                "event": event.value,
                "from": referral.state,
                "why": str(exc),
            },
        )
        raise
    new_version = expected_version + 1
    try:
        with transaction.atomic():
            changed = Referral.objects.filter(pk=referral_id, version=expected_version).update(
                state=outcome.to_state.value,
                version=F("version") + 1,
                updated_at=timezone.now(),
                **_date_fields(referral, outcome, today),
            )
            if changed != 1:
                raise StaleReferral(referral_id, expected_version, None)
            _write_event(referral, new_version, outcome, user, by_name, given.note)
            if entry is not None:
                RecordRestriction.objects.create(
                    referral=referral,
                    eligible=entry.eligible,
                    statute_code=entry.statute.code if entry.statute else "",
                    statute_title=entry.statute.title if entry.statute else "",
                    statute_jurisdiction=entry.statute.jurisdiction if entry.statute else "",
                    basis=entry.basis,
                    program_model=entry.program_model,
                    as_of=entry.as_of,
                )
            record(
                Action.CHANGE,
                object_type="referral",
                object_id=referral.pk,
                actor=user,
                actor_name=by_name,
                detail={
                    "case": referral.case.case_key,
                    "event": event.value,
                    "from": outcome.from_state.value if outcome.from_state else None,
                    "to": outcome.to_state.value,
                    "version": new_version,
                    "reasons": [r.value for r in outcome.reasons],
                },
            )
    except IntegrityError as exc:  # the event's (referral, seq) is taken: a concurrent writer won
        raise StaleReferral(referral_id, expected_version, None) from exc
    return Referral.objects.select_related("case").get(pk=referral_id)


def graduated_responses(referral: Referral) -> int:
    return ReferralEvent.objects.filter(referral=referral, event=Event.RESPOND.value).count()


# --- conditions and progress ----------------------------------------------------------------------------------


class ConditionNotAllowed(Exception):
    """The condition (or entry) was not stored: `str()` says why (the MOUD guard's words among them)."""


def add_condition(
    referral: Referral,
    user: Any,
    *,
    kind: ConditionKind,
    target: Decimal,
    description: str = "",
    due: dt.date | None = None,
    monthly_ability_to_pay: Decimal | None = None,
) -> Condition:
    """Store a condition core accepts; a refused one (MOUD guard) is audited as denied and never stored.
    A restitution condition gets a payment plan (`restitution_condition_ok` never refuses)."""
    if not referral.is_open:
        raise ConditionNotAllowed(f"the referral is closed ({referral.state}); no condition can be added.")
    core = CoreCondition(kind=kind, target=target, description=description, due=due)
    try:
        validate_condition(core)
    except ValueError as exc:
        record(
            Action.CREATE,
            outcome=AuditOutcome.DENIED,
            object_type="referral_condition",
            object_id="",
            actor=user,
            detail={"referral": referral.pk, "kind": kind.value, "why": str(exc)},
        )
        raise ConditionNotAllowed(str(exc)) from exc
    plan_note = ""
    if kind is ConditionKind.RESTITUTION and monthly_ability_to_pay is not None:
        plan = restitution_condition_ok(
            core, monthly_ability_to_pay, start=due, program_months=referral.duration_months
        )
        plan_note = f"Payment plan offered: {plan.note}"
    with transaction.atomic():
        row = Condition.objects.create(
            referral=referral,
            kind=kind.value,
            target=core.target,
            description=description,
            due=due,
            plan_note=plan_note,
            created_by=user,
        )
        record(
            Action.CREATE,
            object_type="referral_condition",
            object_id=row.pk,
            actor=user,
            detail={"referral": referral.pk, "kind": kind.value, "target": str(core.target)},
        )
    return row


def add_entry(
    condition: Condition,
    user: Any,
    *,
    on: dt.date,
    amount: Decimal,
    note: str = "",
    substances_found: list[str] | None = None,
    prescribed: list[str] | None = None,
) -> ConditionEntry:
    """Append progress. A drug test counts one test taken; its result comes from core `drug_test_result`
    (a test positive only for prescribed medication, MOUD included, is negative)."""
    if not condition.referral.is_open:
        raise ConditionNotAllowed("the referral is closed; progress can no longer be recorded.")
    result, message = "", ""
    if condition.kind == ConditionKind.DRUG_TESTS.value:
        amount = Decimal(1)
        outcome = drug_test_result(substances_found or [], prescribed or [])
        result, message = outcome.result.value, outcome.message
    if amount < 0:
        raise ConditionNotAllowed("a progress amount cannot be negative.")
    with transaction.atomic():
        row = ConditionEntry.objects.create(
            condition=condition,
            on=on,
            amount=amount,
            note=note,
            test_result=result,
            test_message=message[:500],
            by=user,
        )
        # the result is treatment information: the audit trail records that a test was entered, not its result
        record(
            Action.CREATE,
            object_type="referral_condition_entry",
            object_id=row.pk,
            actor=user,
            detail={"condition": condition.pk, "referral": condition.referral_id, "amount": str(amount)},
        )
    return row


# --- deadlines ------------------------------------------------------------------------------------------------


def deadlines(referral: Referral) -> list[Deadline]:
    """The unmet deadlines of an open referral (core `deadlines`): intake while referred or overdue; the
    next progress report and the program's end while enrolled or non-compliant."""
    key = str(referral.pk)
    state = referral.state_enum
    found: list[Deadline] = []
    if state in (ReferralState.REFERRED, ReferralState.INTAKE_OVERDUE):
        if referral.intake_due is not None:
            days = intake_days()
            label = f"Intake assessment (within {days} days of the referral)."
            found.append(Deadline(DeadlineKind.INTAKE, referral.intake_due, key, label))
        elif referral.referred_on is not None:
            found.append(intake_deadline(referral.referred_on, intake_days(), referral_key=key))
    if state in (ReferralState.ENROLLED, ReferralState.NON_COMPLIANT) and referral.enrolled_on is not None:
        since = referral.last_progress_on or referral.enrolled_on
        found.append(progress_report_deadline(since, progress_report_days(), referral_key=key))
        if referral.duration_months:
            found.append(
                program_end_deadline(referral.enrolled_on, referral.duration_months, referral_key=key)
            )
    return found


def sweep(today: dt.date | None = None) -> list[tuple[Referral, bool, str]]:
    """`offramp diversion sweep`: every referral still 'referred' after its intake deadline gets
    MISS_INTAKE_DEADLINE (intake_overdue, or terminated under OFFRAMP_INTAKE_MISSED_TERMINATES), audited
    with the command as the actor. Returns (referral, moved, what happened or why not); one left alone
    was e.g. changed by a coordinator at the same moment."""
    today = today or timezone.localdate()
    results: list[tuple[Referral, bool, str]] = []
    due = Referral.objects.filter(state=ReferralState.REFERRED.value, intake_due__lt=today).order_by("id")
    for referral in due:
        try:
            moved = transition(
                referral.pk, referral.version, Event.MISS_INTAKE_DEADLINE, today=today, by_name=SWEEP_ACTOR
            )
        except (StaleReferral, LifecycleError) as exc:
            results.append((referral, False, str(exc)))
            continue
        results.append((moved, True, f"{referral.state} -> {moved.state}"))
    return results
