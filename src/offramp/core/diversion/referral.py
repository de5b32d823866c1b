"""The rules about one stored referral that are not the state machine itself: which program model an offer
names, what the lifecycle guards are told, which dates each step sets, which deadlines are still open, and
how a progress entry is counted. Pure and date-based (`today` is passed in), so the web service only loads
rows, calls these, and saves what they return with its optimistic lock and audit record.

`DiversionSettings` is the office's configuration of these rules (the web settings OFFRAMP_INTAKE_DAYS,
OFFRAMP_PROGRESS_REPORT_DAYS, OFFRAMP_INTAKE_MISSED_TERMINATES and OFFRAMP_RELIEF_STATUTE); it refuses a
value no rule could use, naming the setting and what was expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from offramp.core.diversion.conditions import (
    Condition,
    ConditionKind,
    drug_test_result,
    restitution_condition_ok,
)
from offramp.core.diversion.deadlines import (
    DEFAULT_INTAKE_DAYS,
    DEFAULT_PROGRESS_REPORT_DAYS,
    MAX_INTAKE_DAYS,
    MIN_INTAKE_DAYS,
    Deadline,
    intake_deadline,
    program_end_deadline,
    progress_report_deadline,
)
from offramp.core.diversion.lifecycle import (
    COOK_COUNTY_PROGRAMS,
    FINAL_STATES,
    Context,
    Event,
    GraduatedResponse,
    Outcome,
    ProgramModel,
    ReasonCode,
    ReferralState,
)
from offramp.core.enums import PleaStage
from offramp.core.outcomes import relief

#: the states in which a referral is still open (a case has at most one open referral)
OPEN_STATES: frozenset[ReferralState] = frozenset(s for s in ReferralState if s not in FINAL_STATES)


@dataclass(frozen=True)
class DiversionSettings:
    """The office's choices for referrals (defaults: LEAD Clackamas' 14-day intake, a report every 30 days,
    a missed intake makes the referral overdue rather than ending it, Georgia's record-restriction statute)."""

    intake_days: int = DEFAULT_INTAKE_DAYS
    progress_report_days: int = DEFAULT_PROGRESS_REPORT_DAYS
    intake_missed_terminates: bool = False
    relief_statute: relief.ReliefStatute | None = relief.DEFAULT_STATUTE

    def __post_init__(self) -> None:
        days = self.intake_days
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not MIN_INTAKE_DAYS <= days <= MAX_INTAKE_DAYS
        ):
            raise ValueError(
                f"OFFRAMP_INTAKE_DAYS must be a whole number of days from {MIN_INTAKE_DAYS} to "
                f"{MAX_INTAKE_DAYS}, not {days!r}"
            )
        every = self.progress_report_days
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"OFFRAMP_PROGRESS_REPORT_DAYS must be a whole number of days, at least 1, not {every!r}"
            )
        if not isinstance(self.intake_missed_terminates, bool):
            raise ValueError(
                f"OFFRAMP_INTAKE_MISSED_TERMINATES must be True or False, not {self.intake_missed_terminates!r}"
            )


# --- the program an offer names ------------------------------------------------------------------------------


def program_model(
    code: str,
    *,
    name: str,
    plea_stage: str = "",
    duration_months: int | None = None,
    requires_victim_agreement: bool = False,
) -> ProgramModel:
    """Cook County's own model where `code` is one of its programs (its stage, length and victim rule win
    over what was stored), else a model of the given fields (a directory service)."""
    if code in COOK_COUNTY_PROGRAMS:
        return COOK_COUNTY_PROGRAMS[code]
    stage = PleaStage.parse(plea_stage) if plea_stage else None
    if plea_stage and stage is None:
        raise ValueError(
            f"unknown plea stage {plea_stage!r}: expected one of {', '.join(PleaStage.values())}"
        )
    return ProgramModel(
        code=code,
        name=name,
        plea_stage=stage,
        duration_months=duration_months,
        requires_victim_agreement=requires_victim_agreement,
    )


def directory_plea_stage(stages: Iterable[str] | None) -> str:
    """A directory service's plea stage: the one stage it lists, when it lists exactly one known stage;
    otherwise "" (not known), so the lifecycle never assumes pre-plea for a service that takes both."""
    known = [s for s in (stages or []) if s in PleaStage.values()]
    return known[0] if len(known) == 1 else ""


def victim_consultation_required(policy_requires: bool | None, victim_on_file: bool) -> tuple[bool, str]:
    """Whether the offer needs the victim consulted, and why: the policy's flag when the policy could be
    evaluated (`policy_requires` not None); otherwise required whenever a victim is on file, so a policy
    outage never lets an offer skip a victim."""
    if policy_requires is not None:
        return policy_requires, "the policy requires consulting the victim" if policy_requires else ""
    if victim_on_file:
        return True, "the policy could not be evaluated and a victim is on file"
    return False, ""


# --- a transition ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionInput:
    """What the coordinator gave with an event (each event uses the fields it needs)."""

    reasons: tuple[ReasonCode, ...] = ()
    reason_text: str = ""
    response: GraduatedResponse | None = None
    note: str = ""


@dataclass(frozen=True)
class ReferralFacts:
    """What the rules read of a stored referral (the web service fills it from the row)."""

    key: str
    state: ReferralState
    program: ProgramModel
    plea_stage: str = ""
    duration_months: int | None = None
    referred_on: dt.date | None = None
    intake_due: dt.date | None = None
    enrolled_on: dt.date | None = None
    last_progress_on: dt.date | None = None
    completed_on: dt.date | None = None


def graduated_responses(events: Iterable[str]) -> int:
    """How many graduated responses are on record among a referral's events (their values; an `Event` is
    its value): the termination guard needs one before "repeated non-compliance"."""
    return sum(1 for e in events if e == Event.RESPOND.value)


def transition_context(
    facts: ReferralFacts,
    event: Event,
    given: TransitionInput,
    *,
    responses_on_record: int,
    settings: DiversionSettings,
    today: dt.date,
) -> tuple[Context, relief.ReliefEntry | None]:
    """The core `Context` the lifecycle guards get for `event`, and, for DISMISS, the record-relief entry
    the dismissal records (its eligibility is a guard input; the completion date is the program's, or
    today when none was stored)."""
    entry = None
    eligible: bool | None = None
    basis = ""
    if event is Event.DISMISS:
        model = facts.plea_stage or "diversion"
        entry = relief.eligibility_on_completion(facts.completed_on or today, model, settings.relief_statute)
        eligible = entry.eligible
        basis = entry.statute.code if entry.statute else entry.basis
    context = Context(
        program=facts.program,
        reasons=given.reasons,
        reason_text=given.reason_text,
        response=given.response,
        graduated_responses_on_record=responses_on_record,
        record_restriction_eligible=eligible,
        record_restriction_basis=basis,
        intake_missed_terminates=settings.intake_missed_terminates,
        today=today,
        intake_due=facts.intake_due,
    )
    return context, entry


#: the date field each event sets to the day it happened
EVENT_DATES: Mapping[Event, str] = {
    Event.ACCEPT: "accepted_on",
    Event.REFER: "referred_on",
    Event.COMPLETE_INTAKE: "intake_completed_on",
    Event.ENROLL: "enrolled_on",
    Event.REPORT_PROGRESS: "last_progress_on",
    Event.COMPLETE: "completed_on",
}


def date_fields(outcome: Outcome, today: dt.date, intake_days: int) -> dict[str, dt.date]:
    """The referral's dates a step sets (stored in the same conditional UPDATE as the state): the event's
    own date, the intake deadline on referral, `terminated_on` on reaching terminated, and `closed_on`
    on reaching a final state."""
    fields: dict[str, dt.date] = {}
    if outcome.event in EVENT_DATES:
        fields[EVENT_DATES[outcome.event]] = today
    if outcome.event is Event.REFER:
        fields["intake_due"] = intake_deadline(today, intake_days).due
    if outcome.to_state is ReferralState.TERMINATED:
        fields["terminated_on"] = today
    if outcome.to_state in FINAL_STATES:
        fields["closed_on"] = today
    return fields


def open_deadlines(facts: ReferralFacts, settings: DiversionSettings) -> list[Deadline]:
    """The unmet deadlines of a referral: the intake while referred or overdue (the stored due date, set
    with the intake days in force at the referral and labelled with those days, not today's setting); the
    next progress report and the program's end while enrolled or non-compliant (none for a program of no
    fixed length)."""
    found: list[Deadline] = []
    state, key = facts.state, facts.key
    if state in (ReferralState.REFERRED, ReferralState.INTAKE_OVERDUE):
        if facts.intake_due is not None:  # the stored date wins: the office's days may have changed since
            given = (facts.intake_due - facts.referred_on).days if facts.referred_on is not None else 0
            days = given if MIN_INTAKE_DAYS <= given <= MAX_INTAKE_DAYS else settings.intake_days
            rule = intake_deadline(facts.intake_due, days, referral_key=key)
            found.append(replace(rule, due=facts.intake_due))  # its label names the days it was set with
        elif facts.referred_on is not None:
            found.append(intake_deadline(facts.referred_on, settings.intake_days, referral_key=key))
    if state in (ReferralState.ENROLLED, ReferralState.NON_COMPLIANT) and facts.enrolled_on is not None:
        since = facts.last_progress_on or facts.enrolled_on
        found.append(progress_report_deadline(since, settings.progress_report_days, referral_key=key))
        if facts.duration_months:
            found.append(program_end_deadline(facts.enrolled_on, facts.duration_months, referral_key=key))
    return found


# --- conditions and progress -----------------------------------------------------------------------------------


def restitution_plan_note(
    condition: Condition, monthly_ability_to_pay: Decimal | None, *, program_months: int | None
) -> str:
    """The payment plan a restitution condition offers for the person's ability to pay (never a refusal:
    inability to pay never bars diversion); "" for another kind of condition or when no ability was given."""
    if condition.kind is not ConditionKind.RESTITUTION or monthly_ability_to_pay is None:
        return ""
    plan = restitution_condition_ok(
        condition, monthly_ability_to_pay, start=condition.due, program_months=program_months
    )
    return f"Payment plan offered: {plan.note}"


@dataclass(frozen=True)
class EntryCount:
    """How a progress entry counts: the amount, and for a drug test its result and message."""

    amount: Decimal
    test_result: str = ""
    test_message: str = ""


def count_entry(
    kind: ConditionKind,
    amount: Decimal,
    *,
    substances_found: Iterable[str] = (),
    prescribed: Iterable[str] = (),
) -> EntryCount:
    """A drug test counts one test taken, whatever amount was typed, and its result is core
    `drug_test_result` (positive only for prescribed medication, MOUD included, is negative). Any other
    entry counts its amount, which cannot be negative (ValueError)."""
    if kind is ConditionKind.DRUG_TESTS:
        outcome = drug_test_result(list(substances_found), list(prescribed))
        return EntryCount(Decimal(1), outcome.result.value, outcome.message)
    if amount < 0:
        raise ValueError("a progress amount cannot be negative.")
    return EntryCount(amount)
