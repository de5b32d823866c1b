"""A SUD screening result reaches the engine only as `sud_screen` (the web layer sets it from consent): a
usable screen decides `sud_indicated` (and the treatment need), a withheld one falls back to the proxy and
the explanation says the recommendation was made without it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from offramp.core.decision import trace
from offramp.core.evaluation.criteria import sud_indicated
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import SUD_SCREEN_NOTES, explain
from offramp.core.evaluation.frame import SUD_SCREEN_USED, SUD_SCREEN_VALUES, frame_from_facts
from offramp.core.policy import resolve_pack

PACK = resolve_pack("public-health")
FACTS: dict[str, Any] = {
    "case_key": "S1",
    "received_date": dt.date(2025, 6, 1),
    "offense_kind": "possession",
    "severity": "felony",
    "drug": "cocaine",
    "quantity_g": 0.5,
    "weapon": False,
    "violence": False,
    "prior_felonies": 0,
    "prior_violent": 0,
    "prior_overdose": False,
    "injection_use": False,
    "victim_count": 0,
}


def one(**facts: Any) -> dict[str, Any]:
    row: dict[str, Any] = evaluate(frame_from_facts([{**FACTS, **facts}]), PACK).row(0, named=True)
    return row


def test_a_positive_screen_indicates_sud_without_any_proxy_marker() -> None:
    row = one(sud_screen="positive")
    assert row["sud_indicated"] is True
    assert row["sud_indicated__present"] == ["screening_positive"]
    assert "treatment" in row["needs"]


def test_a_negative_screen_never_clears_the_proxy() -> None:
    """A screen adds evidence, it never removes it (issue 12): a negative self-report does not turn a person
    who injects into "no SUD"; the disagreement goes to a clinical assessment (docs/SOURCES.md#taps)."""
    row = one(sud_screen="negative", injection_use=True)
    assert row["sud_indicated"] is True
    assert "screening_positive" in row["sud_indicated__absent"]
    assert row["sud_indicated__present"] == ["injection_use"]
    assert row["refer_for_clinical_assessment"] is True
    assert "treatment" in row["needs"]


def test_a_negative_screen_without_proxy_facts_is_no_sud_and_no_referral() -> None:
    row = one(sud_screen="negative")
    assert (row["sud_indicated"], row["refer_for_clinical_assessment"]) == (False, False)


@pytest.mark.parametrize("screen", ["taps2_needed", "alcohol_or_tobacco"])
def test_taps1_alone_or_alcohol_alone_is_not_a_positive_drug_screen(screen: str) -> None:
    row = one(sud_screen=screen)
    assert row["sud_indicated"] is False
    assert row["alcohol_or_tobacco_need"] is (screen == "alcohol_or_tobacco")


def test_the_trace_knows_every_used_screen_value() -> None:
    """The decision trace hides what a used screen decided from readers without consent; it must know every
    value that comes from a used screen and every finding a screen decides."""
    assert trace.SUD_SCREEN_USED == SUD_SCREEN_USED
    assert {f.name for f in sud_indicated.CRITERION.findings} <= set(trace.SUD_SCREEN_FINDINGS)


@pytest.mark.parametrize("screen", ["withheld", None])
def test_without_a_usable_screen_the_proxy_decides(screen: str | None) -> None:
    assert one(sud_screen=screen)["sud_indicated"] is False
    row = one(sud_screen=screen, prior_overdose=True)
    assert row["sud_indicated"] is True
    assert "screening_positive" in row["sud_indicated__unknown"]
    assert row["sud_indicated__present"] == ["prior_overdose"]


def test_a_screen_can_change_the_recommendation() -> None:
    """The pack diverts possession with SUD indicated to treatment; the same facts without a usable screen
    do not get that rule, so the consent question is not academic."""
    withheld, positive = one(sud_screen="withheld"), one(sud_screen="positive")
    assert positive["sud_indicated"] is True
    assert positive["matched_rules"] != withheld["matched_rules"]


@pytest.mark.parametrize("screen", [*SUD_SCREEN_VALUES, None])
def test_the_explanation_says_what_the_recommendation_was_made_with_or_without(screen: str | None) -> None:
    explanation = explain(frame_from_facts([{**FACTS, "sud_screen": screen}]), PACK)
    if screen is None:
        assert explanation.notes == []
    else:
        assert explanation.notes == [SUD_SCREEN_NOTES[screen]]
        assert f"  note: {SUD_SCREEN_NOTES[screen]}" in explanation.to_text()
    assert explanation.to_dict()["facts"]["sud_screen"] == screen
    assert SUD_SCREEN_NOTES["withheld"].startswith("Made without SUD screening results")


@pytest.mark.parametrize("screen", ["taps2_needed", "alcohol_or_tobacco", "negative"])
def test_readers_without_consent_see_nothing_a_used_screen_decided(screen: str) -> None:
    """42 CFR Part 2: every used value, and the findings it decides, are hidden by `without_sud`."""
    explanation = explain(frame_from_facts([{**FACTS, "sud_screen": screen, "injection_use": True}]), PACK)
    hidden = explanation.without_sud("withheld from you")
    assert hidden.facts["sud_screen"] == "withheld from you"
    for finding in hidden.findings:
        if finding.name in trace.SUD_SCREEN_FINDINGS:
            assert (finding.value, finding.present, finding.absent) == ("withheld from you", [], [])
