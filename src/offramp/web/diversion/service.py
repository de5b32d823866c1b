"""The one writer of referrals: the offer, every transition (optimistically locked and audited), conditions,
progress entries and the intake sweep. Core `offramp.core.diversion` decides what may happen and why not
(`lifecycle`), and which dates, deadlines and guard inputs follow from a stored referral (`referral`);
this module loads the rows, stores what core allowed, in one transaction with its audit record, and
nothing it refused.

Settings read (`getattr` with core's defaults until settings.py defines them; checked by core
`DiversionSettings`): OFFRAMP_INTAKE_DAYS, OFFRAMP_PROGRESS_REPORT_DAYS, OFFRAMP_INTAKE_MISSED_TERMINATES,
OFFRAMP_RELIEF_STATUTE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from offramp.core.diversion import (
    Blocked,
    ConditionKind,
    Context,
    Event,
    LifecycleError,
    Outcome,
    ReferralState,
    lifecycle,
    validate_condition,
)
from offramp.core.diversion import Condition as CoreCondition
from offramp.core.diversion import referral as rules
from offramp.core.diversion.deadlines import Deadline
from offramp.core.diversion.referral import TransitionInput  # views and tests build it from here
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.core.outcomes import relief
from offramp.web.audit.models import Action
from offramp.web.audit.models import Outcome as AuditOutcome
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.diversion import offer
from offramp.web.diversion.models import (
    OPEN_STATES,
    Condition,
    ConditionEntry,
    RecordRestriction,
    Referral,
    ReferralEvent,
)
from offramp.web.diversion.offer import ProgramChoice

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


def diversion_settings() -> rules.DiversionSettings:
    """The office's referral settings, read as they are now (a test may change them between requests)."""
    return rules.DiversionSettings(
        intake_days=settings.OFFRAMP_INTAKE_DAYS,
        progress_report_days=settings.OFFRAMP_PROGRESS_REPORT_DAYS,
        intake_missed_terminates=settings.OFFRAMP_INTAKE_MISSED_TERMINATES,
        relief_statute=relief_statute(),
    )


def intake_days() -> int:
    return diversion_settings().intake_days


def relief_statute() -> relief.ReliefStatute | None:
    statute: relief.ReliefStatute | None = settings.OFFRAMP_RELIEF_STATUTE
    return statute


# --- the offer ------------------------------------------------------------------------------------------------


def offer_diversion(
    case: Case,
    program: ProgramChoice,
    user: Any,
    *,
    counsel: CounselStatus | None,
    admission_confirmed: bool = False,
    today: dt.date | None = None,
) -> Referral:
    """Offer diversion to `program`: refused (OfferRefused, audited as denied, nothing stored) without a
    record of counsel (present, or offered), without the admission the office's pack asks for before a
    pre-charge offer (core `voluntariness.admission_rule`), while the case has an open referral, or when
    core's guard blocks it (victim consultation / agreement)."""
    today = today or timezone.localdate()
    admission = offer.admission_for(program, today)
    try:
        if counsel is None:
            raise OfferRefused(
                "counsel: record whether counsel was present, or was offered (declined, or not yet "
                "consulted), before the offer."
            )
        if offer.asks_admission(program, today) and not admission_confirmed:
            raise OfferRefused(f"admission: {admission.why} Confirm it was made, with counsel.")
        if Referral.objects.filter(case=case, state__in=OPEN_STATES).exists():
            raise OfferRefused(
                "the case already has an open diversion referral; close it (dismissal or return to "
                "prosecution) before offering another."
            )
        victims = offer.victim_position(case, user)
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
        detail = {"case": case.case_key, "event": Event.OFFER.value, "program": program.name, "why": str(exc)}
        _denied(Action.CREATE, "referral", "", user, detail)
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
            counsel=counsel.value,
            admission_required=admission.required,
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
                "counsel": counsel.value,
                "admission_required": admission.required,
            },
        )
    return referral


# --- transitions ----------------------------------------------------------------------------------------------


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


def graduated_responses(referral: Referral) -> int:
    events = ReferralEvent.objects.filter(referral=referral).values_list("event", flat=True)
    return rules.graduated_responses(events)


def _denied(
    action: str, object_type: str, object_id: Any, user: Any, detail: dict[str, Any], **kw: Any
) -> None:
    record(
        action,
        outcome=AuditOutcome.DENIED,
        object_type=object_type,
        object_id=object_id,
        actor=user,
        detail=detail,
        **kw,
    )


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
    office = diversion_settings()
    referral = Referral.objects.select_related("case").get(pk=referral_id)
    if referral.version != expected_version:
        raise StaleReferral(referral_id, expected_version, referral.version)
    try:
        ctx, entry = rules.transition_context(
            referral.facts(),
            event,
            given,
            responses_on_record=graduated_responses(referral),
            settings=office,
            today=today,
        )
        outcome = lifecycle.apply(referral.state_enum, event, context=ctx)
    except LifecycleError as exc:
        detail = {
            "case": referral.case.case_key,
            "event": event.value,
            "from": referral.state,
            "why": str(exc),
        }
        _denied(Action.CHANGE, "referral", referral.pk, user, detail, actor_name=by_name)
        raise
    new_version = expected_version + 1
    try:
        with transaction.atomic():
            changed = Referral.objects.filter(pk=referral_id, version=expected_version).update(
                state=outcome.to_state.value,
                version=F("version") + 1,
                updated_at=timezone.now(),
                **rules.date_fields(outcome, today, office.intake_days),
            )
            if changed != 1:
                raise StaleReferral(referral_id, expected_version, None)
            _write_event(referral, new_version, outcome, user, by_name, given.note)
            if entry is not None:
                RecordRestriction.objects.create(referral=referral, **RecordRestriction.fields_of(entry))
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
        detail = {"referral": referral.pk, "kind": kind.value, "why": str(exc)}
        _denied(Action.CREATE, "referral_condition", "", user, detail)
        raise ConditionNotAllowed(str(exc)) from exc
    plan_note = rules.restitution_plan_note(
        core, monthly_ability_to_pay, program_months=referral.duration_months
    )
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
    try:
        counted = rules.count_entry(
            ConditionKind(condition.kind),
            amount,
            substances_found=substances_found or (),
            prescribed=prescribed or (),
        )
    except ValueError as exc:
        raise ConditionNotAllowed(str(exc)) from exc
    with transaction.atomic():
        row = ConditionEntry.objects.create(
            condition=condition,
            on=on,
            amount=counted.amount,
            note=note,
            test_result=counted.test_result,
            test_message=counted.test_message[:500],
            by=user,
        )
        # the result is treatment information: the audit trail records that a test was entered, not its result
        record(
            Action.CREATE,
            object_type="referral_condition_entry",
            object_id=row.pk,
            actor=user,
            detail={
                "condition": condition.pk,
                "referral": condition.referral_id,
                "amount": str(counted.amount),
            },
        )
    return row


# --- deadlines ------------------------------------------------------------------------------------------------


def deadlines(referral: Referral) -> list[Deadline]:
    """The unmet deadlines of an open referral (core `referral.open_deadlines`)."""
    return rules.open_deadlines(referral.facts(), diversion_settings())


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
