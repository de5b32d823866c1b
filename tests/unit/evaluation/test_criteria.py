"""Each criterion: indicators present and absent, weak indicators alone never high-level, the 14-day
release window (Binswanger et al., NEJM 2007), unknown facts listed as unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from offramp.core.evaluation.criteria import FINDINGS
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.policy import resolve_pack

PACK = resolve_pack("public-health")
QUIET: dict[str, Any] = {
    "case_key": "C1",
    "received_date": dt.date(2024, 6, 1),
    "offense_kind": "possession",
    "severity": "felony",
    "drug": "cocaine",
    "quantity_g": 1.0,
    "weapon": False,
    "weapon_in_connection": False,
    "violence": False,
    "cash_usd": 20.0,
    "packaging": False,
    "scales_or_ledgers": False,
    "sale_to_minor": False,
    "near_school": False,
    "organizer_role": False,
    "trafficking_org_ties": False,
    "prior_felonies": 0,
    "prior_violent": 0,
    "prior_drug_sales": 0,
    "on_supervision": False,
    "days_since_release": None,
    "prior_overdose": False,
    "injection_use": False,
    "victim_count": 0,
    "death_or_serious_injury": False,
}


def one(**facts: Any) -> dict[str, Any]:
    result = evaluate(frame_from_facts([{**QUIET, **facts}]), PACK)
    row: dict[str, Any] = result.row(0, named=True)
    return row


def test_it_finds_a_plain_user() -> None:
    row = one()
    assert row["seller_role"] == "user"
    assert row["seller_role__present"] == ["use_evidence"]
    assert "packaging" in row["seller_role__absent"]
    assert row["seller_role__unknown"] == []


def test_it_never_makes_weak_indicators_alone_high_level() -> None:
    row = one(packaging=True, scales_or_ledgers=True, cash_usd=50_000.0, prior_drug_sales=3, quantity_g=20.0)
    assert row["seller_role"] == "mid_level"
    # the quantity lines are nested: only the highest one crossed is listed, the lower ones are implied
    # (and so neither present nor absent)
    assert row["seller_role__present"] == [
        "mid_level_quantity",
        "packaging",
        "scales_or_ledgers",
        "large_cash",
        "use_evidence",
    ]
    assert "over_personal_use_quantity" not in row["seller_role__absent"]
    assert "trafficking_quantity" in row["seller_role__absent"]
    small = one(packaging=True, scales_or_ledgers=True, cash_usd=50_000.0, prior_drug_sales=3, quantity_g=1.0)
    assert small["seller_role"] == "user_seller"


def test_it_needs_an_organising_role_or_organisation_ties_for_high_level() -> None:
    assert one(organizer_role=True, offense_kind="delivery")["seller_role"] == "high_level"
    assert one(trafficking_org_ties=True, quantity_g=None)["seller_role"] == "high_level"
    every_weak = dict(scales_or_ledgers=True, packaging=True, cash_usd=90_000.0, prior_drug_sales=9)
    assert one(quantity_g=5000.0, offense_kind="trafficking", **every_weak)["seller_role"] == "courier"


def test_it_never_reads_a_role_from_weight_alone() -> None:
    """A trafficking charge alleges weight (O.C.G.A. 16-13-31 includes knowing possession), not selling."""
    assert one(quantity_g=30.0, offense_kind="trafficking")["seller_role"] == "trafficking_weight"
    assert one(quantity_g=30.0, scales_or_ledgers=True)["seller_role"] == "courier"
    assert one(drug="heroin", quantity_g=3.8)["seller_role"] == "user"  # not "wholesale"
    assert one(quantity_g=20.0)["seller_role"] == "user"  # over the mid-level line, no selling evidence


def test_it_keeps_prior_drug_sales_out_of_the_role() -> None:
    row = one(prior_drug_sales=2, packaging=True, quantity_g=2.5)
    assert row["seller_role"] == "user"
    assert "prior_drug_sales" not in row["seller_role__present"] + row["seller_role__absent"]
    assert one(prior_drug_sales=None)["seller_role__unknown"] == []  # not read: never unknown for role


def test_it_tells_street_sellers_from_user_sellers() -> None:
    assert one(offense_kind="delivery", quantity_g=2.0)["seller_role"] == "street_seller"
    assert one(offense_kind="delivery", quantity_g=2.0, injection_use=True)["seller_role"] == "user_seller"
    assert one(offense_kind="delivery", quantity_g=8.0, injection_use=True)["seller_role"] == "street_seller"


def test_it_uses_per_drug_trafficking_lines() -> None:
    assert (
        one(drug="fentanyl", quantity_g=4.0, offense_kind="trafficking")["seller_role"]
        == "trafficking_weight"
    )
    assert one(drug="fentanyl", quantity_g=4.0, offense_kind="delivery")["seller_role"] == "courier"
    assert one(drug="cocaine", quantity_g=4.0, offense_kind="delivery")["seller_role"] == "street_seller"


def test_it_counts_pills() -> None:
    """200 counterfeit pills at the pack's 0.1 g a unit are 20 g of fentanyl: trafficking weight."""
    pills = one(drug="fentanyl", quantity_g=None, dosage_units=200.0)
    assert pills["seller_role"] == "trafficking_weight"
    assert "trafficking_quantity" in pills["seller_role__present"]
    assert one(drug="fentanyl", quantity_g=None, dosage_units=5.0)["seller_role"] == "user"
    # a weighed amount wins over the count
    assert one(drug="fentanyl", quantity_g=1.0, dosage_units=200.0)["seller_role"] == "user"


def test_it_lists_unknown_facts_and_counts_them_absent() -> None:
    row = one(packaging=None, weapon_in_connection=None, prior_overdose=None)
    assert "packaging" in row["seller_role__unknown"]
    assert "packaging" not in row["seller_role__absent"]
    assert row["public_safety_concern"] is False
    assert row["public_safety_concern__unknown"] == ["weapon_in_connection"]
    assert row["overdose_risk__unknown"] == ["prior_overdose", "recent_release"]


@pytest.mark.parametrize(
    "fact", ["weapon_in_connection", "violence", "sale_to_minor", "death_or_serious_injury"]
)
def test_it_finds_each_public_safety_fact(fact: str) -> None:
    row = one(**{fact: True})
    assert row["public_safety_concern"] is True
    assert row["public_safety_concern__present"] == [fact]


def test_a_school_zone_is_a_concern_for_sale_offences_only() -> None:  # O.C.G.A. 16-13-32.4(a)
    assert one(near_school=True)["public_safety_concern"] is False
    assert "near_school_sale" in one(near_school=True)["public_safety_concern__absent"]
    for kind in ("possession_with_intent", "delivery", "manufacture"):
        assert one(near_school=True, offense_kind=kind)["public_safety_concern__present"] == [
            "near_school_sale"
        ]


def test_a_weapon_elsewhere_is_no_concern_by_itself() -> None:  # Holder memo; 16-13-31(g)(2)(B)
    row = one(weapon=True)
    assert row["public_safety_concern"] is False
    assert row["public_safety_concern__present"] == []


def test_prior_violence_counts_within_the_lookback_or_when_undated() -> None:
    received_2024 = {"prior_violent": 1}  # the lookback is 10 years in both shipped packs
    assert one(**received_2024, last_violent_conviction_year=2014)["public_safety_concern"] is True
    assert one(**received_2024, last_violent_conviction_year=2013)["public_safety_concern"] is False
    undated = one(**received_2024, last_violent_conviction_year=None)
    assert undated["public_safety_concern__present"] == ["violent_conviction_year_unknown"]
    assert one(prior_violent=0, last_violent_conviction_year=None)["public_safety_concern"] is False


def test_it_finds_victims_and_prior_violence() -> None:
    row = one(victim_count=2, prior_violent=1, last_violent_conviction_year=2020)
    assert row["public_safety_concern__present"] == ["victim", "violent_conviction_in_lookback"]
    assert row["victim_involved"] is True
    assert one()["victim_involved"] is False


@pytest.mark.parametrize(("days", "risk"), [(0, True), (14, True), (15, False), (400, False)])
def test_it_applies_the_binswanger_14_day_window(days: int, risk: bool) -> None:
    row = one(days_since_release=days)
    assert row["overdose_risk"] is risk
    assert ("recent_release" in row["overdose_risk__present"]) is risk
    expected = ["naloxone", "moud_continuity", "health_plan_before_detention"] if risk else []
    assert row["overdose_responses"] == expected


def test_it_calls_for_moud_continuity_only_with_opioids_or_release() -> None:
    assert one(drug="fentanyl")["overdose_responses"] == [
        "naloxone",
        "moud_continuity",
        "health_plan_before_detention",
    ]
    assert one(injection_use=True)["overdose_responses"] == ["naloxone", "health_plan_before_detention"]


def test_it_indicates_sud_from_injection_or_overdose_only() -> None:
    assert one(drug="heroin")["sud_indicated"] is False
    row = one(drug="methamphetamine", injection_use=True)
    assert row["sud_indicated"] is True
    # the drug is a case fact, not evidence of a disorder: never listed as a reason
    assert row["sud_indicated__present"] == ["injection_use"]
    assert one(prior_overdose=True)["sud_indicated"] is True


def test_it_reports_no_needs_when_the_facts_show_none() -> None:
    assert one()["needs"] == []


def test_it_reports_treatment_and_reentry_needs_from_the_facts() -> None:
    assert one(injection_use=True)["needs"] == ["treatment"]
    assert one(days_since_release=10)["needs"] == ["reentry"]
    assert one(days_since_release=15)["needs"] == []  # outside the 14-day window
    assert one(days_since_release=None)["needs"] == []  # unknown is not a need
    street = one(offense_kind="delivery", quantity_g=2.0, prior_overdose=True, days_since_release=3)
    assert street["seller_role"] in ("user_seller", "street_seller")
    # work is asked, not assumed from the role (issue 13)
    assert street["needs"] == ["treatment", "reentry"]
    assert one(organizer_role=True, offense_kind="delivery")["needs"] == []


def test_it_reads_needs_from_the_persons_own_account() -> None:
    assert one(poverty_or_debt=True)["needs"] == ["work", "income"]
    assert one(caregiver=True)["needs"] == ["childcare"]
    assert one(pregnant=True)["needs"] == ["prenatal_care"]
    assert one(poverty_or_debt=False, caregiver=False, pregnant=None)["needs"] == []
    # the account and the assessment give a need once
    both = one(poverty_or_debt=True, needs_assessed=["work", "education"])
    assert both["needs"] == ["work", "education", "income"]


def test_it_reads_an_account_of_selling_to_support_own_use_as_use_evidence() -> None:
    assert one(offense_kind="delivery", quantity_g=2.0, sells_to_support_own_use=True)["seller_role"] == (
        "user_seller"
    )
    assert one(offense_kind="delivery", quantity_g=2.0, sells_to_support_own_use=None)["seller_role"] == (
        "street_seller"
    )


def test_it_declares_every_finding() -> None:  # descriptions: tests/unit/test_enums.py
    assert set(FINDINGS) == {
        "seller_role", "personal_use_quantity", "public_safety_concern", "victim_involved",
        "safety_valve_eligible", "overdose_risk", "overdose_responses", "sud_indicated",
        "refer_for_clinical_assessment", "alcohol_or_tobacco_need", "needs",
        # issue 13: plea eligibility (criteria/eligibility.py)
        "conditional_discharge_eligible", "first_offender_eligible", "pretrial_intervention_eligible",
        "accountability_court_eligible", "eligibility_reasons",
        # issue 13: the pretrial position (criteria/pretrial.py)
        "pretrial_position", "pretrial_reasons",
    }  # fmt: skip
