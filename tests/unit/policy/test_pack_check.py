"""The pack loader and `check_pack`: each problem is found and named at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from offramp.core.policy import PackError, Problem, check_pack, load_pack, policy_dir, resolve_pack

PARAMS = """\
parameters:
  personal_use_grams: {reference: LEAD Seattle 3 g, values: [{from: 2023-01-01, value: 3}]}
  subsistence_sale_grams: {reference: LEAD Santa Fe 6 g, values: [{from: 2023-01-01, value: 6}]}
  mid_level_grams: {reference: office line, values: [{from: 2023-01-01, value: 14}]}
  trafficking_grams: {reference: OCGA 16-13-31, values: [{from: 2023-01-01, value: {default: 28}}]}
  dosage_unit_grams: {reference: office choice, values: [{from: 2023-01-01, value: 0.1}]}
  large_cash_usd: {reference: DOMAIN s.2, values: [{from: 2023-01-01, value: 1000}]}
  release_window_days: {reference: Binswanger 2007, values: [{from: 2023-01-01, value: 14}]}
"""
HEAD = "id: t\noffice: Test office\nversion: '1'\neffective: {from: 2023-01-01}\n"  # lines 1-4
RULES = """\
rules:
  - id: decline-users
    precedence: 10
    when: {finding: seller_role, in: [user]}
    then: {outcome: decline}
    because: users are not charged
    reference: IIP 2021
  - id: fallback
    precedence: 0
    then: {outcome: prosecute}
    because: otherwise
    reference: statute
"""  # rules start at line 13


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_loads_a_sound_pack(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, HEAD + PARAMS + RULES))
    assert pack.id == "t"
    assert [r.id for r in pack.ordered_rules()] == ["decline-users", "fallback"]
    assert check_pack(tmp_path / "pack.yaml") == []


@pytest.mark.parametrize("pack_id", ["public-health", "traditional"])
def test_it_ships_packs_that_check_clean(pack_id: str) -> None:
    assert check_pack(policy_dir() / f"{pack_id}.yaml") == []
    assert resolve_pack(pack_id).id == pack_id


def test_it_finds_packs_in_the_folder_the_caller_gives(tmp_path: Path) -> None:
    write(tmp_path, HEAD + PARAMS + RULES)
    assert resolve_pack("pack", tmp_path).office == "Test office"
    with pytest.raises(PackError, match="no policy pack 'nope'"):
        resolve_pack("nope", tmp_path)


def test_it_names_the_line_of_an_unknown_finding(tmp_path: Path) -> None:
    text = HEAD + PARAMS + RULES.replace("finding: seller_role", "finding: seller_rank")
    assert [p.line for p in check_pack(write(tmp_path, text))] == [16]
    assert "unknown finding 'seller_rank'" in check_pack(tmp_path / "pack.yaml")[0].message


def test_it_names_the_line_of_an_unknown_value(tmp_path: Path) -> None:
    text = HEAD + PARAMS + RULES.replace("in: [user]", "in: [kingpin]")
    assert check_pack(write(tmp_path, text))[0].line == 16
    assert "kingpin" in check_pack(tmp_path / "pack.yaml")[0].message


def test_it_names_the_line_of_an_unknown_parameter(tmp_path: Path) -> None:
    text = (
        HEAD
        + PARAMS
        + RULES.replace(
            "when: {finding: seller_role, in: [user]}",
            "when: {fact: quantity_g, lte: {param: personal_grams}}",
        )
    )
    problems = check_pack(write(tmp_path, text))
    assert problems == [Problem(16, "rule 'decline-users': unknown parameter 'personal_grams'")]


def test_it_names_a_missing_required_parameter(tmp_path: Path) -> None:
    text = (
        HEAD
        + PARAMS.replace(
            "  large_cash_usd: {reference: DOMAIN s.2, values: [{from: 2023-01-01, value: 1000}]}\n", ""
        )
        + RULES
    )
    assert check_pack(write(tmp_path, text)) == [
        Problem(5, "missing parameter 'large_cash_usd' (the criteria need it)")
    ]


def test_it_names_a_bad_date(tmp_path: Path) -> None:
    text = HEAD + PARAMS.replace("value: 6}", "value: 6}, {from: 2023-02-30, value: 7}") + RULES
    problems = check_pack(write(tmp_path, text))
    assert [p.line for p in problems] == [7]
    assert "parameters.subsistence_sale_grams.values.1.from" in problems[0].message


def test_it_names_overlapping_and_unordered_periods(tmp_path: Path) -> None:
    overlap = PARAMS.replace(
        "values: [{from: 2023-01-01, value: 6}]",
        "values: [{from: 2023-01-01, to: 2024-06-01, value: 6}, {from: 2024-01-01, value: 7}]",
    )
    problems = check_pack(write(tmp_path, HEAD + overlap + RULES))
    assert problems == [
        Problem(7, "'subsistence_sale_grams': period overlaps the one before (to 2024-06-01)")
    ]
    unordered = PARAMS.replace(
        "values: [{from: 2023-01-01, value: 6}]",
        "values: [{from: 2024-01-01, value: 6}, {from: 2023-01-01, value: 7}]",
    )
    assert check_pack(write(tmp_path, HEAD + unordered + RULES))[0].message.endswith(
        "in date order, no repeats"
    )
    backwards = PARAMS.replace("{from: 2023-01-01, value: 6}", "{from: 2023-01-01, to: 2022-01-01, value: 6}")
    assert check_pack(write(tmp_path, HEAD + backwards + RULES)) == [
        Problem(7, "'subsistence_sale_grams': period ends before it starts")
    ]


def test_it_names_missing_references(tmp_path: Path) -> None:
    text = (
        HEAD
        + PARAMS.replace("{reference: LEAD Santa Fe 6 g, ", "{")
        + RULES.replace("    reference: statute\n", "")
    )
    assert check_pack(write(tmp_path, text)) == [
        Problem(7, "parameter 'subsistence_sale_grams' has no reference"),
        Problem(20, "rule 'fallback' has no reference"),
    ]


def test_it_names_rules_after_an_unconditional_one(tmp_path: Path) -> None:
    extra = "  - id: late\n    precedence: 0\n    when: {finding: sud_indicated, is: true}\n" \
            "    then: {outcome: decline}\n    because: x\n    reference: y\n"  # fmt: skip
    problems = check_pack(write(tmp_path, HEAD + PARAMS + RULES + extra))
    assert problems == [
        Problem(
            25,
            "rule 'late' can never be chosen: unconditional rule 'fallback' (precedence 0, line 20) comes first",
        )
    ]


def test_it_names_a_when_identical_to_an_earlier_rule(tmp_path: Path) -> None:
    extra = "  - id: again\n    precedence: 5\n    when: {in: [user], finding: seller_role}\n" \
            "    then: {outcome: decline}\n    because: x\n    reference: y\n"  # fmt: skip
    problems = check_pack(write(tmp_path, HEAD + PARAMS + RULES + extra))
    assert problems == [Problem(25, "rule 'again' has the same 'when' as rule 'decline-users' (line 14)")]


def test_it_names_a_missing_fallback_and_a_duplicate_id(tmp_path: Path) -> None:
    rules = RULES.replace(
        "  - id: fallback\n    precedence: 0\n",
        "  - id: decline-users\n    precedence: 0\n    when: {finding: needs, contains: housing}\n",
    )
    problems = check_pack(write(tmp_path, HEAD + PARAMS + rules))
    assert Problem(20, "duplicate rule id 'decline-users'") in problems
    assert Problem(13, "no unconditional fallback rule: some cases get no outcome") in problems


def test_it_names_the_line_of_a_shape_error_and_refuses_to_load(tmp_path: Path) -> None:
    text = HEAD + PARAMS + RULES.replace("then: {outcome: prosecute}", "then: {outcome: jail}")
    problems = check_pack(write(tmp_path, text))
    assert [p.line for p in problems] == [22]
    assert "rules.1.then.outcome" in problems[0].message
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "pack.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'pack.yaml'}:22: ")


def test_it_reports_invalid_yaml_at_its_line(tmp_path: Path) -> None:
    problems = check_pack(write(tmp_path, HEAD + "rules: [\n  - a: b\n"))
    assert len(problems) == 1
    assert problems[0].line == 6
    assert problems[0].message.startswith("not valid YAML")


def test_it_refuses_seller_lines_out_of_order(tmp_path: Path) -> None:
    """The pack of issue 12: opioid mid-level (3.5 g) below the subsistence line (6 g). Same line count."""
    text = HEAD + PARAMS.replace("value: 14}", "value: {default: 14, heroin: 3.5, fentanyl: 3.5}}") + RULES
    problems = check_pack(write(tmp_path, text))
    assert problems == [
        Problem(
            8,
            "seller lines out of order from 2023-01-01: 'subsistence_sale_grams' above 'mid_level_grams' for "
            "fentanyl 6 > 3.5, heroin 6 > 3.5 (need personal use <= subsistence <= mid-level <= trafficking)",
        )
    ]


def test_it_checks_seller_lines_on_every_date_a_line_changes(tmp_path: Path) -> None:
    """Personal use raised in 2024 above the subsistence line: out of order from that date only."""
    text = HEAD + PARAMS.replace("value: 3}]", "value: 3}, {from: 2024-01-01, value: 10}]") + RULES
    problems = check_pack(write(tmp_path, text))
    assert [p.message.split(":")[0] for p in problems] == ["seller lines out of order from 2024-01-01"]
    assert problems[0].line == 7
