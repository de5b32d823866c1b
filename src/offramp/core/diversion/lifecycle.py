"""The referral lifecycle: a state machine that allows only the legal steps, each with its guard and reason.

A diversion referral is offered, accepted or refused by the person, referred to a program, has its intake
completed by a deadline (`deadlines.py`), is enrolled, receives progress reports, and ends in one of two
ways: completed and dismissed (with the record-restriction eligibility recorded), or terminated and returned
to prosecution with the reason. Non-compliance is met with graduated responses (a warning, modified
conditions, more services) that put the person back in the program, not with straight termination.

`TRANSITIONS` is the whole table; `apply` is the only way to move, and refuses anything else with
`IllegalTransition` (a step the table does not have) or `Blocked` (a step the table has, but whose guard
fails here, with the reason in words). Both carry a message a coordinator can read. Nothing here stores
anything: the web layer keeps the state, audits every `Outcome` and uses optimistic locking (a version
column compared on save) so that two concurrent updates never silently lose one.

Sources (see docs/SOURCES.md#diversion):
- Association of Prosecuting Attorneys (APA), prosecutor-led diversion toolkit, and the NIJ multisite
  evaluation of 16 prosecutor-led programs: graduated responses rather than straight termination; ability to
  pay restitution must not bar entry; victims are consulted; return to prosecution is tracked with its reason.
- DeKalb County (Georgia) DA: victims are consulted before a diversion offer; completion brings dismissal and
  record restriction (O.C.G.A. 35-3-37).
- LEAD (Santa Fe, Clackamas): intake within a deadline, else charges are filed — so a missed intake may, by
  the office's policy, end the referral at once (`Context.intake_missed_terminates`).
- Cook County State's Attorney, diversion open data: pre-plea and post-plea programs (`COOK_COUNTY_PROGRAMS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from offramp.core.enums import DescribedEnum, PleaStage
from offramp.core.intake.ccsao.vocab import DIVERSION_PROGRAM


class ReferralState(DescribedEnum):
    OFFERED = ("offered", "Diversion was offered; the person has not answered yet.")
    ACCEPTED = ("accepted", "The person accepted the offer; no program referral has been made yet.")
    REFUSED = ("refused", "The person refused the offer; the case goes back to prosecution.")
    REFERRED = ("referred", "Referred to a program; the intake assessment is due by the intake deadline.")
    INTAKE_OVERDUE = (
        "intake_overdue",
        "The intake deadline passed without an intake; a late intake is still possible under the policy.",
    )
    INTAKE_COMPLETED = ("intake_completed", "The program completed its intake assessment of the person.")
    ENROLLED = ("enrolled", "Taking part in the program; progress reports come in while enrolled.")
    NON_COMPLIANT = (
        "non_compliant",
        "A condition was not kept; a graduated response (warning, modified conditions, more services) is due.",
    )
    COMPLETED = ("completed", "The program reported successful completion.")
    DISMISSED = (
        "dismissed",
        "Closed after completion: charges dismissed (pre-plea) or plea vacated / sentence deferred "
        "(post-plea), with record-restriction eligibility recorded.",
    )
    TERMINATED = ("terminated", "Removed from the program (or withdrew), with the reason recorded.")
    RETURNED_TO_PROSECUTION = (
        "returned_to_prosecution",
        "Closed: the case went back to prosecution (or to court for sentencing) with the reason recorded.",
    )


class Event(DescribedEnum):
    OFFER = ("offer", "Offer diversion (starts a referral; see `offer`, it cannot be applied to one).")
    ACCEPT = ("accept", "The person accepts the offer.")
    REFUSE = ("refuse", "The person refuses the offer (or did not answer it).")
    REFER = ("refer", "The office refers the person to a program.")
    COMPLETE_INTAKE = ("complete_intake", "The program reports that the intake assessment is done.")
    MISS_INTAKE_DEADLINE = (
        "miss_intake_deadline",
        "The intake deadline passed without an intake (overdue, or terminated if the policy says so).",
    )
    ENROLL = ("enroll", "The person starts the program.")
    REPORT_PROGRESS = ("report_progress", "A progress report was received (attendance, tests, hours ...).")
    FLAG_NON_COMPLIANCE = ("flag_non_compliance", "A condition was not kept; a response must follow.")
    RESPOND = (
        "respond",
        "A graduated response (warning, modified conditions, more services) puts the person back in the program.",
    )
    COMPLETE = ("complete", "The program reports successful completion.")
    DISMISS = ("dismiss", "Close after completion: dismissal or vacated plea, record restriction recorded.")
    TERMINATE = (
        "terminate",
        "Remove the person from the program (or record their withdrawal), with reasons.",
    )
    RETURN_TO_PROSECUTION = (
        "return_to_prosecution",
        "Send the case back to prosecution (or to court for sentencing), with reasons.",
    )


class GraduatedResponse(DescribedEnum):
    """APA toolkit: respond to non-compliance in steps before any termination."""

    WARNING = ("warning", "A warning, recorded, with what must change.")
    MODIFIED_CONDITIONS = ("modified_conditions", "The conditions were changed (e.g. more check-ins).")
    MORE_SERVICES = ("more_services", "More or different services (e.g. a higher level of care).")


class ReasonCode(DescribedEnum):
    NEW_SERIOUS_OFFENCE = (
        "new_serious_offence",
        "Charged with a new serious offence while in the program (no graduated response needed first).",
    )
    REPEATED_NON_COMPLIANCE = (
        "repeated_non_compliance",
        "Conditions repeatedly not kept despite graduated responses.",
    )
    ABSCONDED = ("absconded", "Out of contact with the program and the office (missed check-ins).")
    PERSON_WITHDREW = ("person_withdrew", "The person chose to leave the program.")
    PERSON_DECLINED = ("person_declined", "The person declined the offer.")
    NO_RESPONSE = ("no_response", "The person did not answer the offer.")
    INTAKE_DEADLINE_MISSED = ("intake_deadline_missed", "The intake was not completed by its deadline.")
    FOUND_INELIGIBLE = (
        "found_ineligible",
        "New information shows the person does not meet the program's eligibility rules.",
    )
    INABILITY_TO_PAY = (
        "inability_to_pay",
        "Cannot pay restitution or fees. Never a reason on its own: a payment plan is offered instead.",
    )
    OTHER = ("other", "Another reason, written out in the reason text.")


#: termination reasons that do not need a graduated response on record first
REASONS_WITHOUT_GRADUATED_RESPONSE = frozenset(
    {
        ReasonCode.NEW_SERIOUS_OFFENCE,
        ReasonCode.PERSON_WITHDREW,
        ReasonCode.INTAKE_DEADLINE_MISSED,
        ReasonCode.FOUND_INELIGIBLE,
    }
)

S, E = ReferralState, Event

#: (state, event) -> next state. The complete list of legal steps; everything else is IllegalTransition.
TRANSITIONS: Mapping[tuple[ReferralState, Event], ReferralState] = MappingProxyType(
    {
        (S.OFFERED, E.ACCEPT): S.ACCEPTED,
        (S.OFFERED, E.REFUSE): S.REFUSED,
        (S.ACCEPTED, E.REFER): S.REFERRED,
        (S.ACCEPTED, E.TERMINATE): S.TERMINATED,
        (S.REFUSED, E.RETURN_TO_PROSECUTION): S.RETURNED_TO_PROSECUTION,
        (S.REFERRED, E.COMPLETE_INTAKE): S.INTAKE_COMPLETED,
        (S.REFERRED, E.MISS_INTAKE_DEADLINE): S.INTAKE_OVERDUE,
        (S.REFERRED, E.TERMINATE): S.TERMINATED,
        (S.INTAKE_OVERDUE, E.COMPLETE_INTAKE): S.INTAKE_COMPLETED,
        (S.INTAKE_OVERDUE, E.TERMINATE): S.TERMINATED,
        (S.INTAKE_COMPLETED, E.ENROLL): S.ENROLLED,
        (S.INTAKE_COMPLETED, E.TERMINATE): S.TERMINATED,
        (S.ENROLLED, E.REPORT_PROGRESS): S.ENROLLED,
        (S.ENROLLED, E.FLAG_NON_COMPLIANCE): S.NON_COMPLIANT,
        (S.ENROLLED, E.COMPLETE): S.COMPLETED,
        (S.ENROLLED, E.TERMINATE): S.TERMINATED,
        (S.NON_COMPLIANT, E.REPORT_PROGRESS): S.NON_COMPLIANT,
        (S.NON_COMPLIANT, E.RESPOND): S.ENROLLED,
        (S.NON_COMPLIANT, E.TERMINATE): S.TERMINATED,
        (S.COMPLETED, E.DISMISS): S.DISMISSED,
        (S.TERMINATED, E.RETURN_TO_PROSECUTION): S.RETURNED_TO_PROSECUTION,
    }
)

#: steps whose next state the office's policy may change: a missed intake ends the referral at once when
#: `Context.intake_missed_terminates` (LEAD: "else charges are filed")
POLICY_TRANSITIONS: Mapping[tuple[ReferralState, Event], ReferralState] = MappingProxyType(
    {(S.REFERRED, E.MISS_INTAKE_DEADLINE): S.TERMINATED}
)

INITIAL_STATE = ReferralState.OFFERED
FINAL_STATES = frozenset({S.DISMISSED, S.RETURNED_TO_PROSECUTION})

del S, E


@dataclass(frozen=True)
class ProgramModel:
    """A kind of diversion program. Pre-plea and post-plea programs end differently on completion and on
    return (charges dismissed vs plea vacated / sentence deferred; prosecution vs sentencing)."""

    code: str
    name: str
    plea_stage: PleaStage | None  # None where the source does not say
    duration_months: int | None  # None where the program is not a fixed length (e.g. four classes)
    requires_victim_agreement: bool = False
    description: str = ""

    @property
    def completion_disposition(self) -> str:
        if self.plea_stage is PleaStage.PRE_PLEA:
            return "Charges dismissed: the pre-plea program was completed."
        if self.plea_stage is PleaStage.POST_PLEA:
            return (
                "Plea vacated or sentence deferred, as the court's order provides: "
                "the post-plea program was completed."
            )
        return (
            "Program completed; the disposition follows the program's order (pre- or post-plea not recorded)."
        )

    @property
    def return_disposition(self) -> str:
        if self.plea_stage is PleaStage.POST_PLEA:
            return "Returned to court for sentencing on the plea already entered."
        if self.plea_stage is PleaStage.PRE_PLEA:
            return "Returned to prosecution: the charges may be filed or pursued."
        return "Returned to prosecution (or to court, for a program entered after a plea)."


_PLEA = {"pre-plea": PleaStage.PRE_PLEA, "post-plea": PleaStage.POST_PLEA}
#: programs that need the victim's agreement (CCSAO: RJCC, "the victim must agree")
_VICTIM_AGREEMENT = frozenset({"RJCC"})

#: Cook County State's Attorney programs, from the CCSAO vocabulary (the one list of codes in the code base)
COOK_COUNTY_PROGRAMS: Mapping[str, ProgramModel] = MappingProxyType(
    {
        code: ProgramModel(
            code=p.code,
            name=p.name,
            plea_stage=_PLEA[p.plea] if p.plea else None,
            duration_months=p.months,
            requires_victim_agreement=code in _VICTIM_AGREEMENT,
            description=p.description,
        )
        for code, p in DIVERSION_PROGRAM.items()
    }
)


@dataclass(frozen=True)
class Context:
    """What a guard needs to know beyond the state. The web layer fills it from the case and the audit trail."""

    program: ProgramModel | None = None
    reasons: tuple[ReasonCode, ...] = ()
    reason_text: str = ""  # required with ReasonCode.OTHER; kept with every reason
    response: GraduatedResponse | None = None  # for RESPOND
    graduated_responses_on_record: int = 0  # RESPOND outcomes so far on this referral
    victim_consultation_required: bool = False  # the office's policy for this case
    victim_consulted: bool = False
    victim_agreed: bool | None = None  # for programs that need the victim's agreement (RJCC)
    record_restriction_eligible: bool | None = None  # for DISMISS: must be decided, True or False
    record_restriction_basis: str = ""  # e.g. "O.C.G.A. 35-3-37(j)(1)"
    intake_missed_terminates: bool = False  # policy: a missed intake ends the referral at once
    today: dt.date | None = None  # with intake_due: MISS_INTAKE_DEADLINE only after the due date
    intake_due: dt.date | None = None


@dataclass(frozen=True)
class Outcome:
    """One legal step, to be stored and audited as it is."""

    from_state: ReferralState | None  # None for the offer that starts a referral
    event: Event
    to_state: ReferralState
    reasons: tuple[ReasonCode, ...] = ()
    reason_text: str = ""
    response: GraduatedResponse | None = None
    record_restriction_eligible: bool | None = None
    record_restriction_basis: str = ""
    disposition: str = ""  # what the step means, in words for the case page and the audit trail
    notes: tuple[str, ...] = field(default_factory=tuple)


class LifecycleError(Exception):
    """A step that was not taken. `str(error)` is written for a coordinator."""


class IllegalTransition(LifecycleError):
    """The table has no such step from this state."""

    def __init__(self, state: ReferralState, event: Event, allowed: list[Event]) -> None:
        self.state, self.event, self.allowed = state, event, allowed
        names = ", ".join(e.value for e in allowed) if allowed else "nothing (the referral is closed)"
        super().__init__(f"cannot '{event.value}' a referral that is '{state.value}'; allowed: {names}")


class Blocked(LifecycleError):
    """The step is in the table but its guard refuses it here; `reason` says why, `remedy` what to do."""

    def __init__(
        self, state: ReferralState | None, event: Event, reason: str, remedy: str | None = None
    ) -> None:
        self.state, self.event, self.reason, self.remedy = state, event, reason, remedy
        where = f" a referral that is '{state.value}'" if state is not None else ""
        text = f"cannot '{event.value}'{where}: {reason}"
        super().__init__(f"{text} {remedy}" if remedy else text)


def legal_events(state: ReferralState) -> list[Event]:
    """The events the table allows from `state`, in the order of `Event` (for the coordinator's buttons)."""
    return [e for e in Event if (state, e) in TRANSITIONS]


def reachable_states(start: ReferralState = INITIAL_STATE) -> frozenset[ReferralState]:
    """Every state the table (policy steps included) can reach from `start`, `start` included."""
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        for table in (TRANSITIONS, POLICY_TRANSITIONS):
            for (state, _), nxt in table.items():
                if state is here and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return frozenset(seen)


# --- guards: each returns None or raises Blocked with the reason ---------------------------------------------

INABILITY_TO_PAY_ALONE = (
    "inability to pay restitution is never by itself a reason to refuse entry to, or remove someone from, "
    "diversion (APA prosecutor-led diversion toolkit)."
)
PAYMENT_PLAN_REMEDY = "Offer a payment plan instead (conditions.restitution_condition_ok)."


def check_reasons(state: ReferralState | None, event: Event, ctx: Context, *, required: bool) -> None:
    """The reasons rule shared by refusal of entry, termination and return to prosecution: inability to pay
    never stands alone, OTHER is written out, and where a reason is `required` there is one."""
    reasons = set(ctx.reasons)
    if required and not reasons:
        raise Blocked(state, event, "a reason is required.")
    if reasons and reasons <= {ReasonCode.INABILITY_TO_PAY}:
        raise Blocked(state, event, INABILITY_TO_PAY_ALONE, PAYMENT_PLAN_REMEDY)
    if ReasonCode.OTHER in reasons and not ctx.reason_text.strip():
        raise Blocked(state, event, "the reason 'other' needs the reason written out.")


def check_entry_denial(reasons: tuple[ReasonCode, ...], reason_text: str = "") -> None:
    """For an office deciding not to offer diversion at all: the same reasons rule (raises Blocked)."""
    check_reasons(None, Event.OFFER, Context(reasons=reasons, reason_text=reason_text), required=True)


def _guard_offer(ctx: Context) -> None:
    if ctx.victim_consultation_required and not ctx.victim_consulted:
        raise Blocked(
            None,
            Event.OFFER,
            "the office's policy requires the victim to be consulted before a diversion offer, "
            "and no consultation is recorded.",
            "Record the victim consultation first.",
        )
    if ctx.program is not None and ctx.program.requires_victim_agreement and ctx.victim_agreed is not True:
        raise Blocked(
            None,
            Event.OFFER,
            f"{ctx.program.code} ({ctx.program.name}) needs the victim's agreement, and none is recorded.",
            "Record the victim's agreement, or choose another program.",
        )


def _guard_terminate(state: ReferralState, ctx: Context) -> None:
    check_reasons(state, Event.TERMINATE, ctx, required=True)
    if ReasonCode.INTAKE_DEADLINE_MISSED in ctx.reasons and state is not ReferralState.INTAKE_OVERDUE:
        raise Blocked(
            state, Event.TERMINATE, "'intake_deadline_missed' is a reason only while intake is overdue."
        )
    exempt = set(ctx.reasons) & REASONS_WITHOUT_GRADUATED_RESPONSE
    if not exempt and ctx.graduated_responses_on_record < 1:
        raise Blocked(
            state,
            Event.TERMINATE,
            "no graduated response (warning, modified conditions, more services) is on record; termination "
            "comes after graduated responses unless the reason is a new serious offence, the person's own "
            "withdrawal, a missed intake or ineligibility (APA toolkit).",
            "Record a graduated response first.",
        )


def _guard_miss_intake(state: ReferralState, ctx: Context) -> None:
    if ctx.today is not None and ctx.intake_due is not None and ctx.today <= ctx.intake_due:
        raise Blocked(
            state,
            Event.MISS_INTAKE_DEADLINE,
            f"the intake is due by {ctx.intake_due.isoformat()} and is not overdue until the day after.",
        )


def _guard(state: ReferralState, event: Event, ctx: Context) -> None:
    if event is Event.REFUSE:
        check_reasons(state, event, ctx, required=False)
    elif event is Event.MISS_INTAKE_DEADLINE:
        _guard_miss_intake(state, ctx)
    elif event is Event.RESPOND and ctx.response is None:
        raise Blocked(
            state,
            event,
            "say which graduated response was given (warning, modified conditions, more services).",
        )
    elif event is Event.TERMINATE:
        _guard_terminate(state, ctx)
    elif event is Event.RETURN_TO_PROSECUTION:
        check_reasons(state, event, ctx, required=True)
    elif event is Event.DISMISS and ctx.record_restriction_eligible is None:
        raise Blocked(
            state,
            event,
            "record-restriction eligibility must be recorded (eligible or not) when the case is dismissed.",
        )


# --- the two entry points ------------------------------------------------------------------------------------


def offer(*, context: Context | None = None) -> Outcome:
    """Start a referral in OFFERED, unless the victim-consultation or victim-agreement guard blocks it."""
    ctx = context or Context()
    _guard_offer(ctx)
    notes = ("Victim consulted before the offer.",) if ctx.victim_consulted else ()
    return Outcome(None, Event.OFFER, ReferralState.OFFERED, disposition=Event.OFFER.description, notes=notes)


def apply(state: ReferralState, event: Event, *, context: Context | None = None) -> Outcome:
    """The step `event` from `state`: the Outcome to store and audit, or IllegalTransition / Blocked."""
    ctx = context or Context()
    nxt = TRANSITIONS.get((state, event))
    if nxt is None:
        raise IllegalTransition(state, event, legal_events(state))
    _guard(state, event, ctx)
    reasons = ctx.reasons
    notes: tuple[str, ...] = ()
    disposition = event.description
    if (state, event) in POLICY_TRANSITIONS and ctx.intake_missed_terminates:
        nxt = POLICY_TRANSITIONS[(state, event)]
        reasons = (ReasonCode.INTAKE_DEADLINE_MISSED,)
        disposition = "Terminated: the office's policy ends a referral whose intake deadline was missed."
    if ReasonCode.INABILITY_TO_PAY in reasons:
        notes = (
            "Inability to pay was not counted: it is never by itself a reason (a payment plan is offered).",
        )
    if event is Event.DISMISS:
        disposition = (ctx.program or _UNKNOWN_PROGRAM).completion_disposition
    elif event is Event.RETURN_TO_PROSECUTION:
        disposition = (ctx.program or _UNKNOWN_PROGRAM).return_disposition
    return Outcome(
        from_state=state,
        event=event,
        to_state=nxt,
        reasons=reasons,
        reason_text=ctx.reason_text.strip(),
        response=ctx.response if event is Event.RESPOND else None,
        record_restriction_eligible=ctx.record_restriction_eligible if event is Event.DISMISS else None,
        record_restriction_basis=ctx.record_restriction_basis.strip() if event is Event.DISMISS else "",
        disposition=disposition,
        notes=notes,
    )


_UNKNOWN_PROGRAM = ProgramModel(code="", name="", plea_stage=None, duration_months=None)
