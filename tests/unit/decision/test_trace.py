"""The decision trace's one schema: what `explain` gives survives JSON unchanged, old traces (no version)
are read, and a malformed trace is refused with the field named."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.core.decision import TRACE_VERSION, DecisionTrace, TraceError, read_trace
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.policy import Pack, resolve_pack

PLACEHOLDER = "withheld"


@cache
def pack_of(pack_id: str) -> Pack:
    return resolve_pack(pack_id)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


cases = st.fixed_dictionaries(
    {
        "case_key": st.just("K1"),
        "received_date": st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31)),
        "offense_kind": maybe(st.sampled_from(["possession", "possession_with_intent", "delivery",
                                               "trafficking", "other"])),
        "drug": maybe(st.sampled_from(["fentanyl", "heroin", "cocaine", "cannabis", "none"])),
        "quantity_g": maybe(st.sampled_from([0.1, 1.0, 3.01, 28.0, 5000.0])),
        "days_since_release": maybe(st.integers(0, 30)),
        "sud_screen": maybe(st.sampled_from(["positive", "negative", "withheld"])),
        "needs_assessed": maybe(st.lists(st.sampled_from(["housing", "employment"]), max_size=2)),
        **{f: maybe(st.booleans()) for f in ("weapon", "violence", "prior_overdose", "organizer_role")},
        **{f: maybe(st.integers(0, 3)) for f in ("prior_felonies", "victim_count")},
    }
)  # fmt: skip


def explained(facts: dict[str, Any], pack_id: str = "public-health") -> DecisionTrace:
    return explain(frame_from_facts([facts]), pack_of(pack_id))


EXAMPLE = {"case_key": "K1", "received_date": dt.date(2024, 1, 8), "offense_kind": "possession",
           "drug": "fentanyl", "quantity_g": 0.3, "prior_overdose": True, "days_since_release": 21}  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(cases, st.sampled_from(["public-health", "traditional"]), st.one_of(st.none(), st.dates()))
def test_a_trace_survives_json_unchanged(facts: dict[str, Any], pack_id: str, on: dt.date | None) -> None:
    trace = explain(frame_from_facts([facts]), pack_of(pack_id), on=on)
    stored = json.loads(json.dumps(trace.to_dict()))
    assert DecisionTrace.from_dict(stored) == trace
    assert read_trace(stored).to_dict() == stored


def test_it_writes_its_version_and_reads_a_trace_stored_before_versions() -> None:
    trace = explained(EXAMPLE)
    stored = trace.to_dict()
    assert stored["trace_version"] == TRACE_VERSION == 1
    version_1 = {k: v for k, v in stored.items() if k != "trace_version"}  # today's to_dict before issue 11
    assert read_trace(version_1) == trace


def test_it_refuses_a_trace_from_a_newer_offramp() -> None:
    stored = explained(EXAMPLE).to_dict() | {"trace_version": TRACE_VERSION + 1}
    with pytest.raises(TraceError, match="trace_version: 2 was written by a newer Offramp"):
        read_trace(stored)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("outcome"), "outcome: Field required"),
        (lambda d: d.update(outcome="jail"), "outcome: Input should be"),
        (lambda d: d["matched_rules"][0].update(precedence="high"), "matched_rules.0.precedence"),
        (
            lambda d: d["matched_rules"][0].update(flags={"supervisor_approval": True}),
            "matched_rules.0.flags",
        ),
        (lambda d: d["findings"][0].pop("name"), "findings.0.name: Field required"),
        (lambda d: d["parameters"][0].update({"from": "2023-02-30"}), "parameters.0.from"),
        (lambda d: d.update(policy={"id": "x"}), "policy: Extra inputs are not permitted"),
        (lambda d: d.update(trace_version="one"), "trace_version: expected a whole number"),
    ],
)
def test_it_names_the_field_of_a_malformed_trace(change: Any, field: str) -> None:
    stored = explained(EXAMPLE).to_dict()
    change(stored)
    with pytest.raises(TraceError, match=field.replace(".", r"\.")):
        read_trace(stored)


def test_it_refuses_what_is_not_a_trace_at_all() -> None:
    with pytest.raises(TraceError, match="expected a JSON object, not list"):
        read_trace([])


def test_it_answers_what_the_pages_ask() -> None:
    trace = read_trace(json.loads(json.dumps(explained(EXAMPLE).to_dict())))
    # fentanyl 0.3 g for personal use: declined, overdose responses attached, no flag from the catch-all
    assert (trace.outcome, trace.chosen_rule) == ("decline", "decline-personal-use")
    assert trace.because_lines() == [
        "Possessing a small amount for your own use is not charged; declining is not condoning."
    ]
    assert "charge-otherwise" in [r.id for r in trace.matched_rules]
    assert any(r.supervisor_approval for r in trace.matched_rules)  # the catch-all carries the flag ...
    assert trace.supervisor_approval is False  # ... but it was not chosen
    assert trace.victim_consultation is False
    assert "naloxone" in trace.responses()
    assert trace.finding_value("overdose_risk") is True
    assert trace.finding_value("no_such_finding") is None
    assert trace.finding_values()["seller_role"] == trace.finding_value("seller_role")
    assert trace.parameter_dates()["personal_use_grams"] == "2023-01-01"


def test_it_withholds_what_a_sud_screen_contributed() -> None:
    used = explained(EXAMPLE | {"sud_screen": "positive"}).without_sud(PLACEHOLDER)
    assert used.facts["sud_screen"] == PLACEHOLDER
    assert used.notes == [PLACEHOLDER]
    assert used.finding_value("sud_indicated") == PLACEHOLDER
    assert used.finding_value("needs") == PLACEHOLDER
    assert read_trace(used.to_dict()) == used
    withheld = explained(EXAMPLE | {"sud_screen": "withheld"}).without_sud(PLACEHOLDER)
    assert withheld.finding_value("sud_indicated") != PLACEHOLDER  # the proxy from facts, no screen used
    none_on_file = explained(EXAMPLE)
    assert none_on_file.without_sud(PLACEHOLDER) == none_on_file


def test_it_withholds_the_rules_a_used_screen_decided() -> None:
    """42 CFR Part 2: the rule that diverted because a screen was positive reveals the result through its
    id, its reason and its treatment program type; a reader without consent sees none of them."""
    facts = {"case_key": "K9", "received_date": dt.date(2025, 3, 1), "offense_kind": "possession",
             "drug": "cocaine", "quantity_g": 5.0, "sud_screen": "positive", "prior_overdose": False,
             "injection_use": False}  # fmt: skip
    full = explained(facts)
    assert full.chosen_rule == "divert-user-with-sud" and "treatment" in full.program_types
    redacted = full.without_sud(PLACEHOLDER)
    text = json.dumps(redacted.to_dict())
    assert "divert-user-with-sud" not in text
    assert full.because is not None and full.because not in text
    assert redacted.program_types == []
    assert redacted.outcome == full.outcome  # the office's decision stays
    assert redacted.rule_role(redacted.matched_rules[0]) == "decided"
    assert [redacted.rule_role(r) for r in redacted.matched_rules].count("decided") == 1
    kept = [r for r in redacted.matched_rules if not r.id.startswith(PLACEHOLDER)]
    assert kept and all("sud_indicated" not in (r.reads or []) for r in kept)  # the others stay readable
    assert read_trace(json.loads(text)) == redacted


def test_a_trace_stored_before_rules_recorded_what_they_read_withholds_every_rule() -> None:
    facts = EXAMPLE | {"sud_screen": "negative"}
    stored = explained(facts).to_dict()
    for rule in stored["matched_rules"]:
        del rule["reads"]
    redacted = read_trace(stored).without_sud(PLACEHOLDER)
    assert all(r.id.startswith(PLACEHOLDER) and r.because == PLACEHOLDER for r in redacted.matched_rules)


def test_the_explanation_states_the_pretrial_position_first_when_the_person_is_held() -> None:
    free = explained(EXAMPLE | {"in_custody": False}).to_text()
    held = explained(EXAMPLE | {"in_custody": True, "on_moud": True}).to_text().splitlines()
    assert "Pretrial position:" in free
    assert free.index("recommendation:") < free.index("Pretrial position:")
    assert held[1] == "Pretrial position:" and "in custody now" in held[2]
    assert any("moud_continuity_task" in line for line in held[:4])


QUIET = {
    "case_key": "K2",
    "received_date": dt.date(2024, 6, 1),
    "offense_kind": "possession",
    "drug": "cocaine",
    **{f: False for f in ("weapon", "weapon_in_connection", "violence", "sale_to_minor", "near_school")},
    **{
        f: False
        for f in ("organizer_role", "packaging", "scales_or_ledgers", "prior_overdose", "injection_use")
    },
    **{f: 0 for f in ("prior_felonies", "prior_violent", "prior_drug_sales", "victim_count")},
    "death_or_serious_injury": False,
}


def test_only_the_deciding_rule_gives_the_reason() -> None:
    # 3.5 g, no safety concern: divert-user decides; post-charge-divert-user ("There is a safety concern")
    # and charge-otherwise ("No rule above applied") also match and must not read as reasons
    trace = explained(QUIET | {"quantity_g": 3.5})
    assert trace.chosen_rule == "divert-user"
    roles = {row.rule.id: (row.role, row.because) for row in trace.rule_rows()}
    assert roles["divert-user"][0] == "decided"
    assert roles["post-charge-divert-user"] == ("also_matched", None)
    assert roles["charge-otherwise"] == ("also_matched", None)
    text = trace.to_text()
    assert "There is a safety concern" not in text
    assert "No rule above applied" not in text
    assert "post-charge-divert-user [precedence 35] -> post_charge_diversion: also matched" in text
    assert "* divert-user [precedence 40] -> pre_charge_diversion: decided the case" in text
    assert trace.approval_rules() == []  # the catch-all's approval flag did not decide


def test_the_catch_all_reason_shows_when_it_decides() -> None:
    trace = explained(QUIET | {"quantity_g": 1.0}, "traditional")
    assert trace.because_lines() == ["Possession is charged; the plea offer follows office guidelines."]
    assert "The conduct is chargeable" not in trace.to_text()


def test_a_declination_shows_offers_not_conditions() -> None:
    trace = explained(QUIET | {"drug": "fentanyl", "quantity_g": 0.5, "prior_overdose": True})
    assert trace.outcome == "decline"
    assert trace.conditions == []
    assert "offer a voluntary treatment referral" in trace.offers()
    assert "offer naloxone" in trace.offers()
    text = trace.to_text()
    assert "  conditions:" not in text
    assert "offered (not conditions: declining is not condoning" in text
    attached = {row.rule.id: row.role for row in trace.rule_rows()}
    assert attached["voluntary-treatment-offer"] == "offered"
    diverted = explained(QUIET | {"drug": "heroin", "quantity_g": 3.5, "injection_use": True})
    assert diverted.offers() == []
    assert "offer a voluntary treatment referral" in diverted.conditions


def test_the_safety_valve_finding_lists_each_condition() -> None:
    trace = explained(QUIET | {"offense_kind": "possession_with_intent", "quantity_g": 20.0, "packaging": True,
                               "prior_felonies": 1, "weapon_in_connection": None})  # fmt: skip
    valve = trace.finding("safety_valve_eligible")
    assert valve is not None and valve.value is False
    assert valve.present == ["not_a_leader", "no_death_or_serious_injury"]
    assert valve.absent == ["no_prior_felony"]
    assert valve.unknown == ["no_weapon_in_connection", "interests_of_justice"]
    assert "safety_valve_eligible: False" in trace.to_text()


# --- issue 13: charge and plea guidance, immigration ---------------------------------------------------

COURIER = {"case_key": "K2", "received_date": dt.date(2024, 6, 1), "offense_kind": "trafficking",
           "drug": "cocaine", "quantity_g": 1000.0, "cash_usd": 200.0, "scales_or_ledgers": True,
           "prior_drug_sales": 2, "prior_felonies": 0, "organizer_role": False, "weapon_in_connection": False,
           "violence": False, "victim_count": 0, "death_or_serious_injury": False,
           "noncitizen": True}  # fmt: skip


def test_a_trace_stored_before_plea_guidance_reads_with_empty_defaults() -> None:
    stored = explained(EXAMPLE).to_dict()
    for key in (
        "charge_guidance",
        "plea_options",
        "plea_preferred",
        "immigration_warning",
        "immigration_text",
    ):
        del stored[key]
    old = read_trace(stored)
    assert (old.charge_guidance, old.plea_options, old.immigration_warning) == ([], [], False)
    assert "Plea options" not in old.to_text() and "Immigration:" not in old.to_text()


def test_it_shows_charge_options_plea_options_and_the_immigration_warning() -> None:
    trace = explained(COURIER)
    assert trace.outcome == "charge_with_plea_guidance"
    assert trace.charge_guidance[0].code == "charge_16_13_30_not_31"
    assert trace.charge_guidance[0].office_choice is True
    options = {o.option: o for o in trace.plea_options}
    assert [o.option for o in trace.plea_options] == list(pack_of("public-health").plea.order)  # type: ignore[union-attr]
    assert options["safety_valve"].eligible and not options["pretrial_intervention"].eligible
    assert "trafficking carries a mandatory minimum" in " ".join(options["pretrial_intervention"].reasons)
    assert trace.immigration_warning and "1101(a)(48)(A)" in (trace.immigration_text or "")
    text = trace.to_text()
    for section in ("Charge options:", "Plea options", "Immigration:", "(office choice)"):
        assert section in text
    assert read_trace(json.loads(json.dumps(trace.to_dict()))) == trace


def test_a_citizen_declined_gets_no_warning() -> None:
    trace = explained({**EXAMPLE, "noncitizen": False})
    assert trace.immigration_warning is False and trace.immigration_text is None
