"""The rules about a stored referral (core.diversion.referral): dates each step sets, the guards' context,
open deadlines, progress entries and the office's settings. No database: the web service's job is to load
the row into `ReferralFacts` and save what these return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offramp.core.diversion import (
    COOK_COUNTY_PROGRAMS,
    Condition,
    ConditionKind,
    Context,
    DeadlineKind,
    Event,
    GraduatedResponse,
    ReasonCode,
    ReferralState,
    apply,
)
from offramp.core.diversion import referral as rules
from offramp.core.enums import PleaStage
from offramp.core.outcomes import relief

TODAY = dt.date(2025, 3, 10)
S = ReferralState
DIRECTORY = rules.program_model("svc-1", name="Outpatient", plea_stage="pre_plea", duration_months=6)


def facts(state: ReferralState, **kw: object) -> rules.ReferralFacts:
    return rules.ReferralFacts(key="7", state=state, program=DIRECTORY, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "event", "expected"),
    [
        (S.OFFERED, Event.ACCEPT, {"accepted_on"}),
        (S.ACCEPTED, Event.REFER, {"referred_on", "intake_due"}),
        (S.REFERRED, Event.COMPLETE_INTAKE, {"intake_completed_on"}),
        (S.INTAKE_COMPLETED, Event.ENROLL, {"enrolled_on"}),
        (S.ENROLLED, Event.REPORT_PROGRESS, {"last_progress_on"}),
        (S.ENROLLED, Event.COMPLETE, {"completed_on"}),
        (S.OFFERED, Event.REFUSE, set()),
        (S.REFUSED, Event.RETURN_TO_PROSECUTION, {"closed_on"}),
    ],
)
def test_each_step_sets_its_own_dates(state: ReferralState, event: Event, expected: set[str]) -> None:
    outcome = apply(state, event, context=Context(program=DIRECTORY, reasons=(ReasonCode.PERSON_DECLINED,)))
    fields = rules.date_fields(outcome, TODAY, 14)
    assert set(fields) == expected
    assert all(v == TODAY for k, v in fields.items() if k != "intake_due")


def test_a_referral_sets_the_intake_deadline_from_the_office_days() -> None:
    outcome = apply(S.ACCEPTED, Event.REFER, context=Context(program=DIRECTORY))
    assert rules.date_fields(outcome, TODAY, 14)["intake_due"] == dt.date(2025, 3, 24)
    assert rules.date_fields(outcome, TODAY, 7)["intake_due"] == dt.date(2025, 3, 17)


def test_termination_sets_terminated_and_dismissal_closes() -> None:
    ctx = Context(program=DIRECTORY, reasons=(ReasonCode.PERSON_WITHDREW,))
    assert set(rules.date_fields(apply(S.ENROLLED, Event.TERMINATE, context=ctx), TODAY, 14)) == {
        "terminated_on"
    }
    dismiss = Context(program=DIRECTORY, record_restriction_eligible=True, record_restriction_basis="x")
    assert set(rules.date_fields(apply(S.COMPLETED, Event.DISMISS, context=dismiss), TODAY, 14)) == {
        "closed_on"
    }


def test_the_dismissal_context_carries_the_relief_entry_of_the_configured_statute() -> None:
    done = facts(S.COMPLETED, plea_stage="pre_plea", completed_on=dt.date(2025, 3, 1))
    ctx, entry = rules.transition_context(
        done, Event.DISMISS, rules.TransitionInput(), responses_on_record=0,
        settings=rules.DiversionSettings(), today=TODAY,
    )  # fmt: skip
    assert entry is not None and entry.eligible and entry.as_of == dt.date(2025, 3, 1)
    assert (ctx.record_restriction_eligible, ctx.record_restriction_basis) == (
        True,
        relief.DEFAULT_STATUTE.code,
    )
    none = rules.DiversionSettings(relief_statute=None)
    ctx, entry = rules.transition_context(
        done, Event.DISMISS, rules.TransitionInput(), responses_on_record=0, settings=none, today=TODAY
    )
    assert entry is not None and not entry.eligible and ctx.record_restriction_eligible is False


def test_the_context_passes_the_coordinators_input_and_the_policy() -> None:
    given = rules.TransitionInput(
        reasons=(ReasonCode.OTHER,), reason_text="moved", response=GraduatedResponse.WARNING
    )
    office = rules.DiversionSettings(intake_missed_terminates=True)
    ctx, entry = rules.transition_context(
        facts(S.REFERRED, intake_due=TODAY), Event.MISS_INTAKE_DEADLINE, given,
        responses_on_record=2, settings=office, today=TODAY,
    )  # fmt: skip
    assert entry is None
    assert (ctx.reasons, ctx.reason_text, ctx.response) == (
        (ReasonCode.OTHER,),
        "moved",
        GraduatedResponse.WARNING,
    )
    assert (ctx.graduated_responses_on_record, ctx.intake_missed_terminates, ctx.intake_due) == (
        2,
        True,
        TODAY,
    )


def test_graduated_responses_are_counted_among_the_events() -> None:
    assert rules.graduated_responses(["offer", "respond", Event.RESPOND, "report_progress"]) == 2
    assert rules.graduated_responses([]) == 0


def test_open_deadlines_follow_the_state() -> None:
    office = rules.DiversionSettings()
    referred = rules.open_deadlines(facts(S.REFERRED, intake_due=dt.date(2025, 3, 20)), office)
    assert [(d.kind, d.due) for d in referred] == [(DeadlineKind.INTAKE, dt.date(2025, 3, 20))]
    assert referred[0].label == "Intake assessment (within 14 days of the referral)."
    legacy = rules.open_deadlines(facts(S.INTAKE_OVERDUE, referred_on=dt.date(2025, 3, 1)), office)
    assert [d.due for d in legacy] == [dt.date(2025, 3, 15)]
    enrolled = facts(S.ENROLLED, enrolled_on=dt.date(2025, 1, 31), last_progress_on=dt.date(2025, 3, 1),
                     duration_months=1)  # fmt: skip
    assert [(d.kind, d.due) for d in rules.open_deadlines(enrolled, office)] == [
        (DeadlineKind.PROGRESS_REPORT, dt.date(2025, 3, 31)),
        (DeadlineKind.PROGRAM_END, dt.date(2025, 2, 28)),
    ]
    assert (
        rules.open_deadlines(facts(S.ENROLLED, enrolled_on=TODAY), office)[0].kind
        is DeadlineKind.PROGRESS_REPORT
    )
    assert rules.open_deadlines(facts(S.COMPLETED, enrolled_on=TODAY), office) == []


def test_the_intake_label_names_the_days_the_deadline_was_set_with() -> None:
    """Bug pinned: the label used today's OFFRAMP_INTAKE_DAYS, so after an office moved from 14 to 7 days a
    referral due 14 days after it said "within 7 days" beside a date 14 days out."""
    referred = facts(S.REFERRED, referred_on=dt.date(2025, 3, 1), intake_due=dt.date(2025, 3, 15))
    (deadline,) = rules.open_deadlines(referred, rules.DiversionSettings(intake_days=7))
    assert deadline.due == dt.date(2025, 3, 15)
    assert deadline.label == "Intake assessment (within 14 days of the referral)."


def test_a_cook_county_code_keeps_its_own_model_and_a_service_gets_its_fields() -> None:
    assert rules.program_model("RJCC", name="anything") is COOK_COUNTY_PROGRAMS["RJCC"]
    assert (DIRECTORY.code, DIRECTORY.plea_stage, DIRECTORY.duration_months) == (
        "svc-1",
        PleaStage.PRE_PLEA,
        6,
    )
    assert rules.program_model("svc-2", name="x").plea_stage is None


def test_a_directory_service_has_a_plea_stage_only_when_it_lists_exactly_one() -> None:
    assert rules.directory_plea_stage(["pre_plea"]) == "pre_plea"
    assert rules.directory_plea_stage(["pre_plea", "post_plea"]) == ""
    assert rules.directory_plea_stage(["pre_plea", "sometime"]) == "pre_plea"
    assert rules.directory_plea_stage(None) == ""


def test_victim_consultation_falls_back_to_a_victim_on_file() -> None:
    assert rules.victim_consultation_required(True, False) == (
        True,
        "the policy requires consulting the victim",
    )
    assert rules.victim_consultation_required(False, True) == (False, "")
    assert rules.victim_consultation_required(None, True)[0] is True
    assert rules.victim_consultation_required(None, False) == (False, "")


def test_a_drug_test_counts_one_test_and_a_negative_amount_is_refused() -> None:
    test = rules.count_entry(ConditionKind.DRUG_TESTS, Decimal(5), substances_found=["buprenorphine"],
                             prescribed=["buprenorphine"])  # fmt: skip
    assert test.amount == Decimal(1) and test.test_result == "negative"
    assert rules.count_entry(ConditionKind.COMMUNITY_SERVICE_HOURS, Decimal("2.5")).amount == Decimal("2.5")
    with pytest.raises(ValueError, match="cannot be negative"):
        rules.count_entry(ConditionKind.COMMUNITY_SERVICE_HOURS, Decimal(-1))


def test_a_restitution_condition_offers_a_plan_and_others_none() -> None:
    owed = Condition(kind=ConditionKind.RESTITUTION, target=Decimal("600.00"), due=dt.date(2025, 4, 1))
    note = rules.restitution_plan_note(owed, Decimal("50.00"), program_months=12)
    assert note.startswith("Payment plan offered: ")
    assert rules.restitution_plan_note(owed, None, program_months=12) == ""


def test_the_settings_refuse_values_no_rule_can_use() -> None:
    with pytest.raises(ValueError, match="OFFRAMP_INTAKE_DAYS must be a whole number of days from 1 to 90"):
        rules.DiversionSettings(intake_days=0)
    with pytest.raises(ValueError, match="OFFRAMP_PROGRESS_REPORT_DAYS"):
        rules.DiversionSettings(progress_report_days=0)
    with pytest.raises(ValueError, match="OFFRAMP_INTAKE_MISSED_TERMINATES must be True or False"):
        rules.DiversionSettings(intake_missed_terminates="yes")  # type: ignore[arg-type]
