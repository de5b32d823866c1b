"""Needs tags flow into evaluation: the `needs` finding merges the needs assessment's tags (`needs_assessed`)
with the needs read from the facts, once each and in `Need` order, the same in bulk and in `explain`; no
assessment (null) leaves the fact-derived needs as they were (issue 4, "Must show")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from offramp.core.evaluation.criteria.enums import Need
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import EVAL_COLUMNS, conform_eval, frame_from_facts
from offramp.core.policy import resolve_pack
from offramp.core.screening.needs import LANGUAGE_NAME, assess

PACK = resolve_pack("public-health")
REFERRAL = "refer to housing, job or education services through the diversion unit, as the needs call for"
QUIET: dict[str, Any] = {
    "received_date": dt.date(2024, 6, 1),
    "offense_kind": "possession",
    "drug": "cocaine",
    "quantity_g": 1.0,
    "prior_overdose": False,
    "injection_use": False,
}
#: a street seller released 3 days ago (reentry) with a prior overdose (treatment)
SELLER: dict[str, Any] = {
    "offense_kind": "delivery",
    "quantity_g": 2.0,
    "prior_overdose": True,
    "days_since_release": 3,
}
#: ... who says they are in debt (work, income), care for children (childcare) and are pregnant (prenatal care)
ALL_FACT_NEEDS: dict[str, Any] = {**SELLER, "poverty_or_debt": True, "caregiver": True, "pregnant": True}
FACT_NEEDS = ["treatment", "reentry", "work", "income", "childcare", "prenatal_care"]
ROWS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, []),
    ({"needs_assessed": None}, []),
    ({"needs_assessed": []}, []),
    ({"needs_assessed": ["housing"]}, ["housing"]),
    ({"needs_assessed": ["accommodation", "housing", "housing"]}, ["housing", "accommodation"]),
    ({"needs_assessed": ["not_a_need", "transport"]}, ["transport"]),
    (SELLER, ["treatment", "reentry"]),  # the role alone raises no work need (issue 13)
    (ALL_FACT_NEEDS, FACT_NEEDS),
    ({**ALL_FACT_NEEDS, "needs_assessed": None}, FACT_NEEDS),
    (
        {**ALL_FACT_NEEDS, "needs_assessed": ["mental_health", "work", "income", "treatment"]},
        ["treatment", "reentry", "work", "income", "childcare", "mental_health", "prenatal_care"],
    ),
    (
        {"injection_use": True, "needs_assessed": ["childcare", "education"]},
        ["treatment", "education", "childcare"],
    ),
]


def frame() -> pl.DataFrame:
    return frame_from_facts([{"case_key": f"K{i}", **facts} for i, (facts, _) in enumerate(ROWS)], QUIET)


def test_the_frame_has_a_nullable_needs_assessed_column() -> None:
    assert EVAL_COLUMNS["needs_assessed"] == pl.List(pl.String)
    conformed = conform_eval(pl.DataFrame({"case_key": ["A"], "received_date": [dt.date(2024, 1, 1)]}))
    assert conformed.schema["needs_assessed"] == pl.List(pl.String)
    assert conformed["needs_assessed"].to_list() == [None]


def test_it_merges_assessed_and_fact_needs_once_each_in_need_order() -> None:
    bulk = evaluate(frame(), PACK)
    assert bulk["needs"].to_list() == [expected for _, expected in ROWS]
    order = [n.value for n in Need]
    for needs in bulk["needs"].to_list():
        assert needs == sorted(needs, key=order.index)


@pytest.mark.parametrize("pack_id", ["public-health", "traditional"])
def test_explain_gives_the_needs_bulk_gives(pack_id: str) -> None:
    pack = resolve_pack(pack_id)
    whole = frame()
    bulk = evaluate(whole, pack)
    for i in range(whole.height):
        one = explain(whole.slice(i, 1), pack)
        finding = next(f.model_dump() for f in one.findings if f.name == "needs")
        assert finding["value"] == bulk["needs"][i].to_list() == ROWS[i][1]
        assert one.conditions == bulk["conditions"][i].to_list()
        assert [r.id for r in one.matched_rules] == bulk["matched_rules"][i].to_list()
        assert one.facts["needs_assessed"] == whole["needs_assessed"].to_list()[i]


def test_an_assessment_result_feeds_the_frame_and_the_policy() -> None:
    result = assess(
        {
            "housing": "street",
            "health_insurance": "none",
            "language": "needs_interpreter",
            LANGUAGE_NAME: "Spanish",
        }
    )
    row = evaluate(frame_from_facts([{"case_key": "A", "needs_assessed": list(result.tags)}], QUIET), PACK)
    assert row["needs"].to_list() == [["housing", "insurance", "language_access"]]
    assert row["outcome"].to_list() == ["decline"]
    assert "needs-referrals" in row["matched_rules"][0].to_list()
    # a declination carries no conditions: the referral is offered with it (the rule still matches)
    assert row["conditions"][0].to_list() == []


def test_the_referral_rule_needs_housing_work_or_education() -> None:
    bulk = evaluate(frame(), PACK)
    referred = ["needs-referrals" in matched for matched in bulk["matched_rules"].to_list()]
    assert referred == [bool({"housing", "work", "education"} & set(expected)) for _, expected in ROWS]
    traditional = evaluate(frame(), resolve_pack("traditional"))
    assert not any(REFERRAL in c for c in traditional["conditions"].to_list())


def test_a_frame_without_the_column_reads_as_no_assessment() -> None:
    facts = pl.DataFrame({"case_key": ["A"], "received_date": [dt.date(2024, 6, 1)], "injection_use": [True]})
    assert evaluate(conform_eval(facts), PACK)["needs"].to_list() == [["treatment"]]
