"""Referral lifecycle: every legal step, every illegal one, each guard with its reason, and random walks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.core.diversion.lifecycle import (
    COOK_COUNTY_PROGRAMS,
    FINAL_STATES,
    INITIAL_STATE,
    POLICY_TRANSITIONS,
    TRANSITIONS,
    Blocked,
    Context,
    Event,
    GraduatedResponse,
    IllegalTransition,
    ReasonCode,
    ReferralState,
    apply,
    check_entry_denial,
    legal_events,
    offer,
    reachable_states,
)
from offramp.core.enums import PleaStage

S, E, R = ReferralState, Event, ReasonCode

#: a context under which every guard in the table passes
PERMISSIVE = Context(
    program=COOK_COUNTY_PROGRAMS["DDPP"],
    reasons=(R.NEW_SERIOUS_OFFENCE,),
    response=GraduatedResponse.WARNING,
    graduated_responses_on_record=1,
    record_restriction_eligible=True,
    record_restriction_basis="O.C.G.A. 35-3-37",
)
#: the same, for the one step whose reason must be the missed intake
GUARD_CONTEXT = {(S.INTAKE_OVERDUE, E.TERMINATE): Context(reasons=(R.INTAKE_DEADLINE_MISSED,))}

ILLEGAL = [(s, e) for s, e in itertools.product(ReferralState, Event) if (s, e) not in TRANSITIONS]


def key(pair: tuple[ReferralState, Event]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


# --- the table -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=key)
def test_every_legal_transition_goes_where_the_table_says(pair: tuple[ReferralState, Event]) -> None:
    state, event = pair
    outcome = apply(state, event, context=GUARD_CONTEXT.get(pair, PERMISSIVE))
    assert outcome.from_state is state
    assert outcome.event is event
    assert outcome.to_state is TRANSITIONS[pair]
    assert outcome.disposition


@pytest.mark.parametrize("pair", ILLEGAL, ids=key)
def test_every_illegal_transition_is_refused_naming_the_allowed_events(
    pair: tuple[ReferralState, Event],
) -> None:
    state, event = pair
    with pytest.raises(IllegalTransition) as info:
        apply(state, event, context=PERMISSIVE)
    error = info.value
    assert (error.state, error.event) == (state, event)
    assert error.allowed == legal_events(state)
    assert f"cannot '{event.value}' a referral that is '{state.value}'; allowed: " in str(error)
    for allowed in error.allowed:
        assert allowed.value in str(error)


def test_the_message_is_plain() -> None:
    with pytest.raises(
        IllegalTransition, match=r"^cannot 'complete' a referral that is 'offered'; allowed: accept, refuse$"
    ):
        apply(S.OFFERED, E.COMPLETE)


def test_closed_referrals_allow_nothing() -> None:
    for state in FINAL_STATES:
        assert legal_events(state) == []
        with pytest.raises(IllegalTransition, match="allowed: nothing"):
            apply(state, E.ACCEPT)


def test_the_table_covers_the_issue_path_and_every_state_is_reachable() -> None:
    assert reachable_states(INITIAL_STATE) == frozenset(ReferralState)
    happy = [E.ACCEPT, E.REFER, E.COMPLETE_INTAKE, E.ENROLL, E.REPORT_PROGRESS, E.COMPLETE, E.DISMISS]
    state = INITIAL_STATE
    for event in happy:
        state = apply(state, event, context=PERMISSIVE).to_state
    assert state is S.DISMISSED
    state = S.ENROLLED
    for event in [E.FLAG_NON_COMPLIANCE, E.REPORT_PROGRESS, E.RESPOND, E.FLAG_NON_COMPLIANCE, E.TERMINATE]:
        state = apply(state, event, context=PERMISSIVE).to_state
    assert state is S.TERMINATED
    ret = apply(state, E.RETURN_TO_PROSECUTION, context=PERMISSIVE)
    assert ret.to_state is S.RETURNED_TO_PROSECUTION
    assert ret.reasons == (R.NEW_SERIOUS_OFFENCE,)


def test_offer_is_only_the_start() -> None:
    assert offer().to_state is S.OFFERED
    assert all((s, E.OFFER) not in TRANSITIONS for s in ReferralState)


# --- guards --------------------------------------------------------------------------------------------------


def test_offer_blocked_without_the_required_victim_consultation() -> None:
    with pytest.raises(Blocked, match="victim to be consulted") as info:
        offer(context=Context(victim_consultation_required=True))
    assert info.value.state is None and info.value.event is E.OFFER
    assert info.value.remedy
    assert (
        offer(context=Context(victim_consultation_required=True, victim_consulted=True)).to_state is S.OFFERED
    )
    assert offer(context=Context(victim_consultation_required=False)).to_state is S.OFFERED


def test_rjcc_needs_the_victims_agreement() -> None:
    rjcc = COOK_COUNTY_PROGRAMS["RJCC"]
    assert rjcc.requires_victim_agreement and rjcc.plea_stage is PleaStage.PRE_PLEA
    with pytest.raises(Blocked, match="victim's agreement"):
        offer(context=Context(program=rjcc, victim_agreed=False))
    assert offer(context=Context(program=rjcc, victim_agreed=True)).to_state is S.OFFERED


@pytest.mark.parametrize("state", [S.ENROLLED, S.NON_COMPLIANT, S.INTAKE_COMPLETED, S.REFERRED, S.ACCEPTED])
def test_termination_needs_a_graduated_response_first(state: ReferralState) -> None:
    ctx = Context(reasons=(R.REPEATED_NON_COMPLIANCE,), graduated_responses_on_record=0)
    with pytest.raises(Blocked, match="no graduated response"):
        apply(state, E.TERMINATE, context=ctx)
    ok = apply(
        state,
        E.TERMINATE,
        context=Context(reasons=(R.REPEATED_NON_COMPLIANCE,), graduated_responses_on_record=2),
    )
    assert ok.to_state is S.TERMINATED


@pytest.mark.parametrize("reason", [R.NEW_SERIOUS_OFFENCE, R.PERSON_WITHDREW, R.FOUND_INELIGIBLE])
def test_some_reasons_need_no_graduated_response(reason: ReasonCode) -> None:
    assert apply(S.ENROLLED, E.TERMINATE, context=Context(reasons=(reason,))).to_state is S.TERMINATED


def test_termination_and_return_need_a_reason() -> None:
    for state, event in [
        (S.NON_COMPLIANT, E.TERMINATE),
        (S.TERMINATED, E.RETURN_TO_PROSECUTION),
        (S.REFUSED, E.RETURN_TO_PROSECUTION),
    ]:
        with pytest.raises(Blocked, match="a reason is required"):
            apply(state, event, context=Context(graduated_responses_on_record=3))
    with pytest.raises(Blocked, match="written out"):
        apply(S.TERMINATED, E.RETURN_TO_PROSECUTION, context=Context(reasons=(R.OTHER,), reason_text="  "))
    done = apply(
        S.TERMINATED, E.RETURN_TO_PROSECUTION, context=Context(reasons=(R.OTHER,), reason_text=" moved away ")
    )
    assert done.reason_text == "moved away"


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.ENROLLED, E.TERMINATE),
        (S.NON_COMPLIANT, E.TERMINATE),
        (S.TERMINATED, E.RETURN_TO_PROSECUTION),
        (S.REFUSED, E.RETURN_TO_PROSECUTION),
        (S.OFFERED, E.REFUSE),
    ],
)
def test_inability_to_pay_is_never_the_sole_reason(state: ReferralState, event: Event) -> None:
    ctx = Context(reasons=(R.INABILITY_TO_PAY,), graduated_responses_on_record=5)
    with pytest.raises(Blocked, match="inability to pay restitution is never by itself") as info:
        apply(state, event, context=ctx)
    assert info.value.remedy is not None and "payment plan" in info.value.remedy
    with pytest.raises(Blocked, match="payment plan"):
        check_entry_denial((R.INABILITY_TO_PAY,))
    check_entry_denial((R.FOUND_INELIGIBLE, R.INABILITY_TO_PAY))


def test_inability_to_pay_alongside_another_reason_is_noted_not_counted() -> None:
    ctx = Context(reasons=(R.INABILITY_TO_PAY, R.NEW_SERIOUS_OFFENCE))
    outcome = apply(S.ENROLLED, E.TERMINATE, context=ctx)
    assert outcome.to_state is S.TERMINATED
    assert any("not counted" in n for n in outcome.notes)
    # with a reason that needs a graduated response, inability to pay does not make up for one
    with pytest.raises(Blocked, match="no graduated response"):
        apply(S.ENROLLED, E.TERMINATE, context=Context(reasons=(R.INABILITY_TO_PAY, R.ABSCONDED)))


def test_respond_needs_the_response() -> None:
    with pytest.raises(Blocked, match="graduated response"):
        apply(S.NON_COMPLIANT, E.RESPOND)
    for response in GraduatedResponse:
        outcome = apply(S.NON_COMPLIANT, E.RESPOND, context=Context(response=response))
        assert (outcome.to_state, outcome.response) == (S.ENROLLED, response)


def test_dismissal_only_after_completion_and_records_record_restriction() -> None:
    with pytest.raises(IllegalTransition):
        apply(S.ENROLLED, E.DISMISS, context=PERMISSIVE)
    with pytest.raises(Blocked, match="record-restriction eligibility"):
        apply(S.COMPLETED, E.DISMISS)
    for eligible in (True, False):
        ctx = Context(record_restriction_eligible=eligible, record_restriction_basis="O.C.G.A. 35-3-37")
        outcome = apply(S.COMPLETED, E.DISMISS, context=ctx)
        assert outcome.to_state is S.DISMISSED
        assert outcome.record_restriction_eligible is eligible
        assert outcome.record_restriction_basis == "O.C.G.A. 35-3-37"


def test_pre_and_post_plea_programs_end_in_different_words() -> None:
    pre, post = COOK_COUNTY_PROGRAMS["BR9"], COOK_COUNTY_PROGRAMS["DC"]
    assert (pre.plea_stage, pre.duration_months) == (PleaStage.PRE_PLEA, 12)
    assert (post.plea_stage, post.duration_months) == (PleaStage.POST_PLEA, 24)
    dismissed = apply(S.COMPLETED, E.DISMISS, context=Context(program=pre, record_restriction_eligible=True))
    assert "Charges dismissed" in dismissed.disposition
    vacated = apply(S.COMPLETED, E.DISMISS, context=Context(program=post, record_restriction_eligible=True))
    assert "Plea vacated or sentence deferred" in vacated.disposition
    back = apply(S.TERMINATED, E.RETURN_TO_PROSECUTION, context=Context(program=post, reasons=(R.ABSCONDED,)))
    assert "sentencing" in back.disposition
    assert set(COOK_COUNTY_PROGRAMS) == {"DDPP", "BR9", "DS", "DC", "MHC", "VC", "ACT", "ARI", "RJCC"}


def test_missed_intake_by_policy() -> None:
    overdue = apply(S.REFERRED, E.MISS_INTAKE_DEADLINE)
    assert overdue.to_state is S.INTAKE_OVERDUE
    assert apply(S.INTAKE_OVERDUE, E.COMPLETE_INTAKE).to_state is S.INTAKE_COMPLETED
    ended = apply(S.REFERRED, E.MISS_INTAKE_DEADLINE, context=Context(intake_missed_terminates=True))
    assert ended.to_state is S.TERMINATED
    assert ended.reasons == (R.INTAKE_DEADLINE_MISSED,)
    # the missed intake is a reason for termination only while the intake is overdue
    with pytest.raises(Blocked, match="only while intake is overdue"):
        apply(S.ENROLLED, E.TERMINATE, context=Context(reasons=(R.INTAKE_DEADLINE_MISSED,)))


def test_missed_intake_only_after_the_due_date() -> None:
    due = dt.date(2026, 3, 15)
    with pytest.raises(Blocked, match="not overdue until the day after"):
        apply(S.REFERRED, E.MISS_INTAKE_DEADLINE, context=Context(today=due, intake_due=due))
    late = apply(
        S.REFERRED, E.MISS_INTAKE_DEADLINE, context=Context(today=due + dt.timedelta(days=1), intake_due=due)
    )
    assert late.to_state is S.INTAKE_OVERDUE


# --- random walks --------------------------------------------------------------------------------------------

contexts = st.builds(
    Context,
    program=st.sampled_from([None, *COOK_COUNTY_PROGRAMS.values()]),
    reasons=st.lists(st.sampled_from(list(ReasonCode)), max_size=3).map(tuple),
    reason_text=st.sampled_from(["", " ", "moved out of state"]),
    response=st.one_of(st.none(), st.sampled_from(list(GraduatedResponse))),
    graduated_responses_on_record=st.integers(0, 3),
    victim_consultation_required=st.booleans(),
    victim_consulted=st.booleans(),
    victim_agreed=st.one_of(st.none(), st.booleans()),
    record_restriction_eligible=st.one_of(st.none(), st.booleans()),
    intake_missed_terminates=st.booleans(),
    today=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 1))),
    intake_due=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 1))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(Event)), contexts), max_size=30))
def test_random_walks_stay_in_the_table(steps: list[tuple[Event, Context]]) -> None:
    reachable = reachable_states(INITIAL_STATE)
    state = INITIAL_STATE
    for event, ctx in steps:
        try:
            outcome = apply(state, event, context=ctx)
        except (IllegalTransition, Blocked):
            continue
        assert outcome.to_state in reachable
        assert outcome.to_state in {TRANSITIONS[(state, event)], POLICY_TRANSITIONS.get((state, event))}
        state = outcome.to_state
