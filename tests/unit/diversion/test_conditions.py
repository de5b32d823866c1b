"""Conditions: the MOUD guard, drug tests with prescribed MOUD, progress, and restitution payment plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offramp.core.diversion.conditions import (
    UNITS,
    Condition,
    ConditionKind,
    ConditionRefused,
    DrugTestResult,
    ProgressEntry,
    drug_test_result,
    moud_conflict,
    progress,
    restitution_condition_ok,
    validate_condition,
)
from offramp.core.victims.restitution import plan_for, schedule

D = Decimal
DAY = dt.date(2026, 4, 1)


def test_every_kind_has_a_unit() -> None:  # descriptions: tests/unit/test_enums.py
    assert set(UNITS) == set(ConditionKind)
    assert ConditionKind.RESTITUTION.unit == "USD"
    assert ConditionKind.COMMUNITY_SERVICE_HOURS.unit == "hours"


# --- MOUD guard ----------------------------------------------------------------------------------------------

REFUSED_TEXTS = [
    "No MOUD while in the program",
    "no methadone",
    "No Suboxone.",
    "no buprenorphine or other opioids",
    "Remain drug-free including medication",
    "Abstain from all substances, including prescribed medications",
    "Must taper off methadone within 60 days",
    "Stop taking Suboxone before enrolment",
    "discontinue use of buprenorphine",
    "Must be medication-free",
    "Must be methadone-free by phase 2",
    "Abstinence-only residential treatment",
    "Attend a program that does not accept people on MAT",
    "No medication-assisted treatment",
    "Not be on Vivitrol",
]


@pytest.mark.parametrize("text", REFUSED_TEXTS)
@pytest.mark.parametrize("on_moud", [True, False])
def test_conditions_that_would_stop_moud_are_refused_with_the_reason(text: str, on_moud: bool) -> None:
    condition = Condition(ConditionKind.TREATMENT_ATTENDANCE, D(20), text)
    with pytest.raises(ConditionRefused) as info:
        validate_condition(condition, person_on_moud=on_moud)
    assert info.value.condition is condition
    assert "MOUD is treatment, not drug use" in info.value.reason
    assert "Reword" in info.value.reason
    assert ("overdose" in info.value.reason) is on_moud
    assert ("starting it" in info.value.reason) is not on_moud


def test_the_explicit_flag_refuses_whatever_the_text() -> None:
    condition = Condition(ConditionKind.DRUG_TESTS, D(12), "Weekly tests", requires_stopping_moud=True)
    with pytest.raises(ConditionRefused, match="marked as requiring"):
        validate_condition(condition, person_on_moud=False)


@pytest.mark.parametrize(
    "text",
    [
        "Attend 20 outpatient sessions",
        "Continue methadone treatment as prescribed",
        "Weekly drug tests; prescribed medication is not a violation",
        "40 hours of community service",
        "Keep taking buprenorphine",
        "",
    ],
)
def test_ordinary_conditions_pass(text: str) -> None:
    condition = Condition(ConditionKind.TREATMENT_ATTENDANCE, D(20), text)
    assert moud_conflict(condition) is None
    validate_condition(condition, person_on_moud=True)
    validate_condition(condition, person_on_moud=False)


def test_a_target_must_be_positive() -> None:
    with pytest.raises(ValueError, match="more than zero"):
        Condition(ConditionKind.CLASSES, D(0))


# --- drug tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("found", "prescribed"),
    [
        (["buprenorphine", "norbuprenorphine", "naloxone"], ["Suboxone"]),
        (["Methadone", "EDDP"], ["methadone"]),
        (["methadone"], ["Methadose"]),
        (["naltrexone"], ["Vivitrol"]),
        ([], []),
        ([], ["buprenorphine"]),
    ],
)
def test_prescribed_moud_on_a_test_is_negative(found: list[str], prescribed: list[str]) -> None:
    outcome = drug_test_result(found, prescribed)
    assert outcome.result is DrugTestResult.NEGATIVE
    assert outcome.unexplained == ()


def test_a_non_moud_substance_is_positive() -> None:
    outcome = drug_test_result(["buprenorphine", "fentanyl"], ["Suboxone"])
    assert outcome.result is DrugTestResult.POSITIVE
    assert outcome.unexplained == ("fentanyl",)
    assert outcome.explained == ("buprenorphine",)
    assert "fentanyl" in outcome.message


def test_moud_without_a_prescription_is_positive_with_a_note_to_offer_it() -> None:
    outcome = drug_test_result(["buprenorphine"], [])
    assert outcome.result is DrugTestResult.POSITIVE
    assert "consider offering" in outcome.message


# --- progress ------------------------------------------------------------------------------------------------


def test_progress_towards_a_target() -> None:
    hours = Condition(ConditionKind.COMMUNITY_SERVICE_HOURS, D(40))
    entries = [ProgressEntry(DAY, D("8")), ProgressEntry(DAY, D("2.5"))]
    result = progress(hours, entries)
    assert (result.done, result.target, result.percent, result.met, result.unit) == (
        D("10.5"),
        D(40),
        D("26.3"),
        False,
        "hours",
    )
    done = progress(hours, [*entries, ProgressEntry(DAY, D(40))])
    assert done.met and done.percent == D(100)
    assert progress(hours, []).percent == D(0)
    with pytest.raises(ValueError):
        ProgressEntry(DAY, D(-1))


# --- restitution ---------------------------------------------------------------------------------------------


def test_restitution_is_never_refused_and_offers_a_plan() -> None:
    owed = Condition(ConditionKind.RESTITUTION, D("1000"), "Repay the store")
    plan = restitution_condition_ok(owed, D("75"), start=DAY, program_months=12)
    assert (plan.total, plan.monthly, plan.installments, plan.final_installment) == (
        D("1000.00"),
        D("75.00"),
        14,
        D("25.00"),
    )
    assert plan.first_due == DAY
    assert "runs past the program's 12 months" in plan.note
    assert "not by itself a reason for termination" in plan.note


def test_no_ability_to_pay_defers_payment_and_does_not_bar_entry() -> None:
    owed = Condition(ConditionKind.RESTITUTION, D("500"))
    plan = restitution_condition_ok(owed, D(0))
    assert plan.installments == 0 and plan.monthly == D("0.00")
    assert "does not bar entry" in plan.note


def test_a_plan_never_asks_for_more_than_is_owed() -> None:
    plan = restitution_condition_ok(Condition(ConditionKind.RESTITUTION, D("60")), D("100"))
    assert (plan.monthly, plan.installments, plan.final_installment) == (D("60.00"), 1, D("60.00"))


def test_a_payment_plan_is_only_for_restitution() -> None:
    with pytest.raises(ValueError):
        restitution_condition_ok(Condition(ConditionKind.CLASSES, D(4)), D(10))


def test_the_plan_is_core_restitution_s_plan() -> None:
    owed = Condition(ConditionKind.RESTITUTION, D("1000.00"))
    plan = restitution_condition_ok(owed, D("75.00"), start=DAY)
    assert plan.plan == plan_for(D("1000.00"), D("75.00"), first_due=DAY)
    assert plan.installments == len(schedule(D("1000.00"), plan.plan))


def test_an_ability_too_small_for_the_longest_schedule_defers_payment() -> None:
    plan = restitution_condition_ok(Condition(ConditionKind.RESTITUTION, D("1200.01")), D("1.00"), start=DAY)
    assert plan.installments == 0 and plan.review_on is not None
    assert "does not bar entry" in plan.note


def test_a_fraction_of_a_cent_is_refused_not_rounded() -> None:
    with pytest.raises(ValueError):
        restitution_condition_ok(Condition(ConditionKind.RESTITUTION, D("10.005")), D("1.00"))
