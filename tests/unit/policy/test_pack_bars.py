"""Legal bars (issue 13): `policy check` validates them, the engine checks them before any rule, and the
explanation (the decision trace) carries them, first, while a trace stored before bars still reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_pack_check import HEAD, PARAMS, RULES, write

from offramp.core.decision import DecisionTrace
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.policy import check_pack, load_pack, resolve_pack

BAR = """\
bars:
  - id: bar-911
    when: {fact: sought_help_for_overdose, is: true}
    because: the law bars it
    reference: O.C.G.A. 16-13-5
"""


def problems(tmp_path: Path, bars: str) -> list[str]:
    return [f"{p.line}: {p.message}" for p in check_pack(write(tmp_path, HEAD + PARAMS + RULES + bars))]


def test_a_sound_bar_checks_clean_and_loads(tmp_path: Path) -> None:
    assert problems(tmp_path, BAR) == []
    pack = load_pack(tmp_path / "pack.yaml")
    assert [b.id for b in pack.bars] == ["bar-911"]


def test_a_pack_without_bars_has_none(tmp_path: Path) -> None:
    assert load_pack(write(tmp_path, HEAD + PARAMS + RULES)).bars == []


@pytest.mark.parametrize(
    ("bars", "expected"),
    [
        (BAR + BAR.removeprefix("bars:\n"), "duplicate bar id 'bar-911'"),
        (BAR.replace("bar-911", "fallback"), "bar id 'fallback' is also a rule's id"),
        (BAR.replace("sought_help_for_overdose", "sought_help"), "bar 'bar-911': unknown fact 'sought_help'"),
        (BAR.replace("is: true", "lt: {param: nope}"), "bar 'bar-911': unknown parameter 'nope'"),
        (BAR.replace("reference: O.C.G.A. 16-13-5", "reference: ''"), "bar 'bar-911' has no reference"),
        (BAR.replace("because: the law bars it", "because: ' '"), "bar 'bar-911' has no because"),
        (BAR.replace("{fact: sought_help_for_overdose, is: true}", "always"), "it would decline every case"),
    ],
)
def test_it_names_each_problem_of_a_bar(tmp_path: Path, bars: str, expected: str) -> None:
    found = problems(tmp_path, bars)
    assert any(expected in p for p in found), found


def test_a_bar_with_an_unknown_key_is_refused_naming_it(tmp_path: Path) -> None:
    found = problems(tmp_path, BAR + "    precedence: 3\n")
    assert any("bars.0.precedence" in p for p in found), found


def test_a_bar_decides_before_every_rule_and_the_rules_still_show(tmp_path: Path) -> None:
    write(tmp_path, HEAD + PARAMS + RULES + BAR)
    pack = load_pack(tmp_path / "pack.yaml")
    frame = frame_from_facts(
        [
            {"case_key": "barred", "offense_kind": "delivery", "sought_help_for_overdose": True},
            {"case_key": "free", "offense_kind": "delivery", "sought_help_for_overdose": False},
        ]
    )
    out = evaluate(frame, pack).select("case_key", "outcome", "chosen_rule", "bars", "matched_rules")
    assert out.rows() == [
        ("barred", "decline", "bar-911", ["bar-911"], ["fallback"]),
        ("free", "prosecute", "fallback", [], ["fallback"]),
    ]


def test_a_pack_without_bars_gives_an_empty_bars_column(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, HEAD + PARAMS + RULES))
    out = evaluate(frame_from_facts([{"case_key": "k"}, {"case_key": "j"}]), pack)
    assert out["bars"].to_list() == [[], []]


def barred_trace() -> DecisionTrace:
    frame = frame_from_facts([{"case_key": "K", "received_date": dt.date(2024, 6, 1), "offense_kind":
                               "possession", "quantity_g": 1.0, "sought_help_for_overdose": True}])  # fmt: skip
    return explain(frame, resolve_pack("traditional"))


def test_the_explanation_carries_the_bar_and_prints_it_first() -> None:
    trace = barred_trace()
    assert [b.id for b in trace.bars] == ["bar-911-medical-amnesty"]
    assert trace.barred and trace.chosen_rule == "bar-911-medical-amnesty"
    assert trace.because == trace.bars[0].because
    assert "16-13-5" in (trace.bars[0].reference or "")
    text = trace.to_text()
    assert text.index("legal bars") < text.index("recommendation: decline (bar bar-911-medical-amnesty)")
    assert text.index("bar-911-medical-amnesty") < text.index("because:")
    # the rules the bar overrode still show, none of them as the decider
    assert {row.role for row in trace.rule_rows()} == {"also_matched"}


def test_a_barred_trace_survives_json_and_an_old_trace_without_bars_reads() -> None:
    trace = barred_trace()
    assert DecisionTrace.from_dict(trace.to_dict()) == trace
    old = trace.to_dict()
    del old["bars"]
    read = DecisionTrace.from_dict(old)
    assert read.bars == [] and not read.barred
    assert "legal bars" not in read.to_text()
