"""Legal-style policy cases: facts in, expected findings and outcome out, for each shipped pack.

Each YAML file holds `cases:`; each case has a `name`, a `source` (the public source in docs/SOURCES.md it
relies on), `facts` (over the defaults below: a quiet first-time possession case), `findings` it expects
and `outcome: {public-health: ..., traditional: ...}`, optionally `rules:` (pack -> rule ids that must
be among the matched ones), `not_rules:` (pack -> rule ids that must not match) and `conditions:` (pack
-> conditions that must be attached) and `bars:` (pack -> the legal bars that hold, exactly, in order;
a pack not named expects none: a bar that holds must also come first in the explanation).

What the explanation says (`offramp explain`, the case page) is checked with, optionally: `because:`
(pack -> text the stated reason contains), `not_because:` (pack -> texts that appear nowhere in the
explanation), `no_conditions:` (packs whose recommendation carries no conditions) and `offers:` (pack ->
what a declination offers without making it a condition).

Charge and plea guidance (issue 13) is checked with, optionally: `charge_guidance:` (pack -> codes the
deciding rule gives), `plea_options:` (pack -> {option: eligible}, read from the explanation),
`plea_reasons:` (pack -> reasons the plea options give, unknown facts included),
`immigration_warning:` (pack -> true/false) and `immigration_says:` (pack -> texts the warning contains).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.policy import Pack, resolve_pack

HERE = Path(__file__).parent
PACKS = ("public-health", "traditional")
DEFAULTS: dict[str, Any] = {
    "received_date": dt.date(2024, 6, 1),
    "offense_kind": "possession",
    "severity": "felony",
    "drug": "cocaine",
    "quantity_g": 1.0,
    "weapon": False,
    "violence": False,
    "cash_usd": 0.0,
    "packaging": False,
    "scales_or_ledgers": False,
    "sale_to_minor": False,
    "near_school": False,
    "organizer_role": False,
    "trafficking_org_ties": False,
    "weapon_in_connection": False,
    "prior_felonies": 0,
    "prior_violent": 0,
    "prior_drug_sales": 0,
    "on_supervision": False,
    "prior_overdose": False,
    "injection_use": False,
    "on_moud": False,
    "victim_count": 0,
    "death_or_serious_injury": False,
}


@cache
def pack_of(pack_id: str) -> Pack:
    return resolve_pack(pack_id)


def load_cases() -> list[Any]:
    params = []
    for file in sorted(HERE.glob("*.yaml")):
        # a file without `cases:` holds another kind of case, with its own runner (e.g. consent_and_matching)
        for case in yaml.safe_load(file.read_text(encoding="utf-8")).get("cases", []):
            for pack in PACKS:
                params.append(pytest.param(case, pack, id=f"{file.stem}:{case['name']}:{pack}"))
    return params


CASES = load_cases()


def test_it_has_at_least_40_cases_each_citing_a_source() -> None:
    cases = [p.values[0] for p in CASES if p.values[1] == PACKS[0]]
    assert len(cases) >= 40
    assert all(str(c.get("source", "")).strip() for c in cases)


@pytest.mark.parametrize(("case", "pack_id"), CASES)
def test_it_decides_the_case(case: dict[str, Any], pack_id: str) -> None:
    frame = frame_from_facts([{"case_key": case["name"], **case.get("facts", {})}], DEFAULTS)
    row = evaluate(frame, pack_of(pack_id)).row(0, named=True)
    for name, expected in case.get("findings", {}).items():
        assert row[name] == expected, f"{name}: {row[name]!r} != {expected!r}"
    assert row["outcome"] == case["outcome"][pack_id], f"chosen {row['chosen_rule']}: {row['matched_rules']}"
    for rule in case.get("rules", {}).get(pack_id, []):
        assert rule in row["matched_rules"]
    for rule in case.get("not_rules", {}).get(pack_id, []):
        assert rule not in row["matched_rules"], row["matched_rules"]
    expected_bars = case.get("bars", {}).get(pack_id, [])
    assert row["bars"] == expected_bars, f"bars {row['bars']} != {expected_bars}"
    if expected_bars:
        assert row["chosen_rule"] == expected_bars[0], row["chosen_rule"]
        text = explain(frame, pack_of(pack_id)).to_text()
        assert text.index(expected_bars[0]) < text.index("recommendation:"), text
    for condition in case.get("conditions", {}).get(pack_id, []):
        assert condition in row["conditions"]
    if pack_id in case.get("no_conditions", []):
        assert row["conditions"] == [], row["conditions"]
    for code in case.get("charge_guidance", {}).get(pack_id, []):
        assert code in (row["charge_guidance"] or []), row["charge_guidance"]
    if pack_id in case.get("immigration_warning", {}):
        assert row["immigration_warning"] is case["immigration_warning"][pack_id], row["outcome"]
    plea_keys = ("plea_options", "plea_reasons", "immigration_says")
    if any(pack_id in case.get(key, {}) for key in ("because", "not_because", "offers", *plea_keys)):
        trace = explain(frame, pack_of(pack_id))
        if pack_id in case.get("because", {}):
            reason = " ".join(trace.because_lines())
            assert case["because"][pack_id] in reason, f"{reason!r} lacks {case['because'][pack_id]!r}"
        text = trace.to_text()
        for phrase in case.get("not_because", {}).get(pack_id, []):
            assert phrase not in text, f"{phrase!r} appears in the explanation:\n{text}"
        for offer in case.get("offers", {}).get(pack_id, []):
            assert offer in trace.offers(), trace.offers()
        options = {o.option: o.eligible for o in trace.plea_options}
        for option, eligible in case.get("plea_options", {}).get(pack_id, {}).items():
            assert options[option] is eligible, f"{option}: {trace.plea_options}"
        given = [r for o in trace.plea_options for r in o.reasons]
        for reason in case.get("plea_reasons", {}).get(pack_id, []):
            assert reason in given, given
        for phrase in case.get("immigration_says", {}).get(pack_id, []):
            assert phrase in (trace.immigration_text or ""), trace.immigration_text
