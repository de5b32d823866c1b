"""`offramp screen`, in process through `offramp.cli.main.main`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from offramp.cli.main import main


def test_score_prints_score_band_and_interpretation(capsys: pytest.CaptureFixture[str]) -> None:
    answers = "[true, true, false, false, false, false, false, false, false, false]"
    assert main(["screen", "score", "dast-10", "--answers", answers]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "DAST-10 (Drug Abuse Screening Test, 10 items) (version 1)",
        "score: 3 of 10",
        "band: moderate (3-5)",
        "interpretation: Moderate level of problems; further assessment is warranted.",
        "positive items: dast-1, dast-2, dast-3",
        "A screen is not a diagnosis: a positive result calls for a clinical assessment.",
    ]


def test_score_json(capsys: pytest.CaptureFixture[str]) -> None:
    answers = '["never", "weekly", "never", "less_than_monthly"]'
    assert main(["screen", "score", "taps-1", "--answers", answers, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 2
    assert data["band"] == "taps-2 needed"
    assert data["indicates_sud"] is False
    assert data["instrument"] == "taps-1"
    assert data["version"] == "2"
    assert data["positive_substances"] == ["alcohol", "prescription_drugs"]
    assert data["follow_up"] == (
        "TAPS-2 needed for: alcohol, prescription_drugs (taps-2-alcohol, taps-2-prescription-opioids, "
        "taps-2-sedatives, taps-2-prescription-stimulants)"
    )


def test_score_json_uncope(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["screen", "score", "uncope", "--answers", "[true,true,false,false,false,false]", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["score"], data["band"], data["band_range"]) == (2, "risk", "2")


def test_taps_text_shows_follow_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["screen", "score", "taps-1", "--answers", '["daily_or_almost_daily","never","never","never"]'])
        == 0
    )
    out = capsys.readouterr().out
    assert "score: 1 of 4\n" in out
    assert "band: taps-2 needed (1-4)\n" in out
    assert "follow-up: TAPS-2 needed for: tobacco (taps-2-tobacco)\n" in out


def test_bad_json_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "uncope", "--answers", "[true, yes]"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "offramp screen: --answers is not valid JSON (Expecting value at character 7): [true, yes]\n"
    )


def test_json_that_is_not_a_list_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "uncope", "--answers", '{"used-more": true}']) == 2
    assert (
        capsys.readouterr().err
        == "offramp screen: --answers must be a JSON list of 6 answers in item order\n"
    )


def test_bad_answer_names_the_item_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    answers = '[false, false, false, false, "maybe", false, false, false, false, false, false]'
    assert main(["screen", "score", "tcu-ds5", "--answers", answers]) == 2
    assert capsys.readouterr().err == (
        'offramp screen: tcu-ds5 item 5 (tcu-5): expected true (yes) or false (no), got "maybe"\n'
    )


def test_wrong_count_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "taps-1", "--answers", '["never"]', "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "offramp screen: taps-1: expects 4 answers (items 1-4, in order), got 1: "
        "item 2 (alcohol) onwards is missing\n"
    )


def test_unknown_instrument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "asam", "--answers", "[]"]) == 2
    assert capsys.readouterr().err == (
        "offramp screen: unknown instrument 'asam'; known: uncope, dast-10, taps-1, taps-2-tobacco, "
        "taps-2-alcohol, taps-2-marijuana, taps-2-stimulants, taps-2-heroin, taps-2-prescription-opioids, "
        "taps-2-sedatives, taps-2-prescription-stimulants, tcu-ds5. "
        "The ASAM Criteria are proprietary: only the level names (AsamLevel) may be recorded.\n"
    )


def test_show_lists_items_in_order_with_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "show", "dast-10"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dast-10: DAST-10 (Drug Abuse Screening Test, 10 items) (version 1)\n")
    assert (
        "  3. (dast-3) Always able to stop using drugs when wanting to? [reverse-scored]  [true=yes, false=no]\n"
        in out
    )
    assert "  9-10: severe - Severe level of problems; intensive assessment is warranted.\n" in out
    assert "licence: DAST-10 is copyright Harvey A. Skinner" in out


def test_show_unknown_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "show", "dast10"]) == 2
    assert capsys.readouterr().err.startswith("offramp screen: unknown instrument 'dast10'")


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["uncope", "6 items"],
        ["dast-10", "10 items"],
        ["taps-1", "4 items"],
        ["taps-2-tobacco", "3 items"],
        ["taps-2-alcohol", "4 items"],
        ["taps-2-marijuana", "3 items"],
        ["taps-2-stimulants", "3 items"],
        ["taps-2-heroin", "3 items"],
        ["taps-2-prescription-opioids", "3 items"],
        ["taps-2-sedatives", "3 items"],
        ["taps-2-prescription-stimulants", "3 items"],
        ["tcu-ds5", "11 items"],
    ]


def test_screen_never_starts_django() -> None:
    code = (
        "import sys; from offramp.cli.main import main; "
        "rc = main(['screen', 'score', 'uncope', '--answers', '[false,false,false,false,false,false]']); "
        "assert rc == 0, rc; assert 'django' not in sys.modules, 'django imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "band: low (0-1)" in proc.stdout


def test_score_taps2_alcohol_says_it_is_not_drug_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "taps-2-alcohol", "--answers", "[true, true, false, false]"]) == 0
    out = capsys.readouterr().out
    assert "band: higher risk (2-4)\n" in out
    assert "drug evidence: no" in out


def test_score_taps2_heroin_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "score", "taps-2-heroin", "--answers", "[true, true, false]", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["band"], data["indicates_sud"], data["drug_evidence"]) == ("higher risk", True, True)
    assert data["taps2_substance"] == "heroin"
