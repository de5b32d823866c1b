"""Property: explaining one case gives the same outcome, matched rules and findings as evaluating it
among other cases in bulk (one implementation: DESIGN.md, policy engine shape)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.policy import Pack, resolve_pack


@cache
def pack_of(pack_id: str) -> Pack:
    return resolve_pack(pack_id)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


flags = maybe(st.booleans())
counts = maybe(st.integers(0, 5))
cases = st.fixed_dictionaries(
    {
        "received_date": st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)),
        "offense_kind": maybe(st.sampled_from(["possession", "possession_with_intent", "delivery",
                                               "manufacture", "trafficking", "paraphernalia", "other"])),
        "severity": maybe(st.sampled_from(["felony", "misdemeanor"])),
        "drug": maybe(st.sampled_from(["fentanyl", "heroin", "prescription_opioid", "cocaine", "crack",
                                       "methamphetamine", "cannabis", "other", "none"])),
        "quantity_g": maybe(st.sampled_from([0.1, 1.0, 3.0, 3.01, 4.0, 6.0, 14.0, 28.0, 500.0, 5000.0])),
        "cash_usd": maybe(st.sampled_from([0.0, 999.0, 1000.0, 20000.0])),
        "days_since_release": maybe(st.integers(0, 30)),
        **{f: flags for f in ("weapon", "violence", "packaging", "scales_or_ledgers", "sale_to_minor",
                              "near_school", "organizer_role", "prior_overdose", "injection_use",
                              "sought_help_for_overdose", "harm_reduction_supplies_only")},
        **{f: counts for f in ("prior_felonies", "prior_violent", "prior_drug_sales", "victim_count")},
    }
)  # fmt: skip
FINDINGS = (
    "seller_role",
    "public_safety_concern",
    "overdose_risk",
    "sud_indicated",
    "needs",
    "victim_involved",
)


@settings(max_examples=60, deadline=None)
@given(st.lists(cases, min_size=2, max_size=8), st.data(), st.sampled_from(["public-health", "traditional"]))
def test_it_explains_one_case_as_bulk_evaluates_it(
    facts: list[dict[str, Any]], data: st.DataObject, pack_id: str
) -> None:
    pack = pack_of(pack_id)
    frame = frame_from_facts([{"case_key": f"K{i}", **f} for i, f in enumerate(facts)])
    pick = data.draw(st.integers(0, frame.height - 1))
    bulk = evaluate(frame, pack).row(pick, named=True)
    one = explain(frame.slice(pick, 1), pack)
    assert one.case_key == bulk["case_key"] == f"K{pick}"
    assert one.outcome == bulk["outcome"]
    assert one.chosen_rule == bulk["chosen_rule"]
    assert [r.id for r in one.matched_rules] == bulk["matched_rules"]
    assert [b.id for b in one.bars] == bulk["bars"]
    assert one.flags == bulk["flags"]
    assert one.conditions == bulk["conditions"]
    assert one.overdose_responses == bulk["overdose_responses"]
    by_name = {f.name: f.model_dump() for f in one.findings}
    for name in FINDINGS:
        assert by_name[name]["value"] == bulk[name]
    for name in ("seller_role", "public_safety_concern", "overdose_risk", "sud_indicated"):
        assert by_name[name]["present"] == bulk[f"{name}__present"]
        assert by_name[name]["absent"] == bulk[f"{name}__absent"]
        assert by_name[name]["unknown"] == bulk[f"{name}__unknown"]
    alone = evaluate(frame.slice(pick, 1), pack)
    assert alone.row(0, named=True) == bulk


def test_it_is_deterministic() -> None:
    frame = frame_from_facts([{"case_key": "A", "received_date": dt.date(2024, 1, 1), "quantity_g": 2.0}])
    pack = pack_of("public-health")
    assert evaluate(frame, pack).equals(evaluate(frame, pack))
    assert explain(frame, pack).to_dict() == explain(frame, pack).to_dict()
