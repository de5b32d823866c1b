"""Every band boundary of every instrument, scored against the published rules (docs/SOURCES.md#screening)."""

from __future__ import annotations

import pytest

from offramp.core.screening import TapsSubstance, get_instrument, score


def yes_no(n: int, yes: set[int]) -> list[bool]:
    """`n` yes/no answers in item order, yes for the item numbers in `yes`."""
    return [number in yes for number in range(1, n + 1)]


@pytest.mark.parametrize(
    ("yes", "expected_score", "band", "band_range"),
    [
        (set(), 0, "low", "0-1"),
        ({1}, 1, "low", "0-1"),
        ({1, 2}, 2, "risk", "2"),
        ({1, 2, 3}, 3, "high risk", "3-6"),
        ({4, 5, 6}, 3, "high risk", "3-6"),
        ({1, 2, 3, 4, 5, 6}, 6, "high risk", "3-6"),
    ],
)
def test_uncope_bands(yes: set[int], expected_score: int, band: str, band_range: str) -> None:
    result = score("uncope", yes_no(6, yes))
    assert result.score == expected_score
    assert result.band == band
    assert result.band_range == band_range
    assert result.max_score == 6


def test_uncope_high_risk_interpretation_cites_the_severe_sud_figures() -> None:
    result = score("uncope", yes_no(6, {1, 2, 3}))
    assert "85-97% sensitivity" in result.interpretation
    assert "97-99% specificity" in result.interpretation
    assert result.positives == ("used-more", "neglected", "cut-down")


@pytest.mark.parametrize(
    ("yes", "expected_score", "band"),
    [
        ({3}, 0, "none"),  # item 3 yes (always able to stop) scores 0
        (set(), 1, "low"),  # all no: item 3 no scores 1
        ({1, 3}, 1, "low"),
        ({1}, 2, "low"),
        ({1, 2}, 3, "moderate"),
        ({1, 2, 4, 5}, 5, "moderate"),
        ({1, 2, 4, 5, 6}, 6, "substantial"),
        ({1, 2, 4, 5, 6, 7, 8}, 8, "substantial"),
        ({1, 2, 4, 5, 6, 7, 8, 9}, 9, "severe"),
        ({1, 2, 4, 5, 6, 7, 8, 9, 10}, 10, "severe"),
        ({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 9, "severe"),  # all yes: item 3 yes scores 0
    ],
)
def test_dast10_bands_with_item3_reverse_scored(yes: set[int], expected_score: int, band: str) -> None:
    result = score("dast-10", yes_no(10, yes))
    assert result.score == expected_score
    assert result.band == band
    assert result.max_score == 10


def test_dast10_band_ranges_and_positives() -> None:
    assert score("dast-10", yes_no(10, {3})).band_range == "0"
    assert score("dast-10", yes_no(10, set())).band_range == "1-2"
    assert score("dast-10", yes_no(10, {1, 2})).band_range == "3-5"
    assert score("dast-10", yes_no(10, {1, 2, 4, 5, 6})).band_range == "6-8"
    assert score("dast-10", yes_no(10, {1, 2, 4, 5, 6, 7, 8, 9})).band_range == "9-10"
    # item 3 answered no is the positive; item 3 answered yes is not
    assert score("dast-10", yes_no(10, {1})).positives == ("dast-1", "dast-3")
    assert score("dast-10", yes_no(10, {1, 3})).positives == ("dast-1",)


def test_dast10_interpretations() -> None:
    assert score("dast-10", yes_no(10, {3})).interpretation == "No problems related to drug use reported."
    assert score("dast-10", yes_no(10, {1, 2})).interpretation == (
        "Moderate level of problems; further assessment is warranted."
    )


@pytest.mark.parametrize(
    ("criteria", "band", "band_range"),
    [
        (0, "none", "0-1"),
        (1, "none", "0-1"),
        (2, "mild", "2-3"),
        (3, "mild", "2-3"),
        (4, "moderate", "4-5"),
        (5, "moderate", "4-5"),
        (6, "severe", "6-11"),
        (11, "severe", "6-11"),
    ],
)
def test_tcu_ds5_bands(criteria: int, band: str, band_range: str) -> None:
    result = score("tcu-ds5", yes_no(11, set(range(1, criteria + 1))))
    assert result.score == criteria
    assert result.band == band
    assert result.band_range == band_range
    assert result.max_score == 11


def test_tcu_ds5_notes_say_how_the_split_items_and_the_total_are_scored() -> None:
    # docs/SOURCES.md#tcu-ds5: items 10 and 11 have parts a and b, either counts; 2-3/4-5/6+ of 0-11
    notes = get_instrument("tcu-ds5").notes
    assert "items 10 and 11 have parts a and b" in notes[0]
    assert (
        notes[1]
        == "Score = criteria met (0-11): 0-1 no disorder indicated, 2-3 mild, 4-5 moderate, 6+ severe."
    )


def test_tcu_ds5_counts_criteria_wherever_they_are() -> None:
    result = score("tcu-ds5", yes_no(11, {2, 7, 11}))
    assert result.score == 3
    assert result.band == "mild"
    assert result.positives == ("tcu-2", "tcu-7", "tcu-11")


def test_taps1_all_never_is_negative() -> None:
    result = score("taps-1", ["never", "never", "never", "never"])
    assert result.score == 0
    assert result.band == "negative"
    assert result.positive_substances == ()
    assert result.follow_up is None
    assert result.max_score == 4


@pytest.mark.parametrize("answer", ["less_than_monthly", "monthly", "weekly", "daily_or_almost_daily"])
def test_taps1_any_answer_but_never_only_calls_for_taps2(answer: str) -> None:
    """TAPS-1 is a pre-screen: any use other than never calls for TAPS-2, it is not a positive SUD screen
    (NIDA TAPS Tool page; McNeely et al. 2016)."""
    result = score("taps-1", ["never", "never", answer, "never"])
    assert result.score == 1
    assert result.band == "taps-2 needed"
    assert result.indicates_sud is False
    assert result.band_range == "1-4"
    assert result.positive_substances == (TapsSubstance.ILLICIT_DRUGS,)
    assert result.positives == ("illicit-drugs",)
    assert result.follow_up == (
        "TAPS-2 needed for: illicit_drugs (taps-2-marijuana, taps-2-stimulants, taps-2-heroin)"
    )


def test_taps1_records_every_positive_substance_in_item_order() -> None:
    result = score("taps-1", ["daily_or_almost_daily", "weekly", "monthly", "less_than_monthly"])
    assert result.score == 4
    assert result.band == "taps-2 needed"
    assert result.positive_substances == (
        TapsSubstance.TOBACCO,
        TapsSubstance.ALCOHOL,
        TapsSubstance.ILLICIT_DRUGS,
        TapsSubstance.PRESCRIPTION_DRUGS,
    )
    assert result.follow_up is not None
    assert result.follow_up.startswith(
        "TAPS-2 needed for: tobacco, alcohol, illicit_drugs, prescription_drugs ("
    )
    assert len(result.taps2_needed) == 8


def test_taps1_two_positives() -> None:
    result = score("taps-1", ["weekly", "never", "never", "monthly"])
    assert result.score == 2
    assert result.positive_substances == (TapsSubstance.TOBACCO, TapsSubstance.PRESCRIPTION_DRUGS)


# The positive screen (Band.indicates_sud): the cut-off each publisher gives for referral to assessment.
# Scored from answers, one score below and at each cut-off, so a moved cut-off fails here.
@pytest.mark.parametrize(
    ("instrument", "answers", "positive"),
    [
        ("uncope", yes_no(6, {1}), False),  # 1: below the UNCOPE cut-off of 2
        ("uncope", yes_no(6, {1, 2}), True),  # 2: risk
        ("uncope", yes_no(6, {1, 2, 3, 4, 5, 6}), True),
        ("dast-10", yes_no(10, {1}), False),  # 2: low, monitor
        ("dast-10", yes_no(10, {1, 2}), True),  # 3: moderate, assessment warranted
        ("dast-10", yes_no(10, {1, 2, 4, 5, 6, 7, 8, 9, 10}), True),  # 10: severe
        ("tcu-ds5", yes_no(11, {1}), False),  # 1 criterion: none
        ("tcu-ds5", yes_no(11, {1, 2}), True),  # 2 criteria: mild SUD (DSM-5)
        ("taps-1", ["never"] * 4, False),
        ("taps-1", ["never", "never", "monthly", "never"], False),  # a pre-screen: TAPS-2 needed
        ("taps-1", ["daily_or_almost_daily"] * 4, False),
    ],
)
def test_each_instrument_screens_positive_at_its_published_cut_off(
    instrument: str, answers: list[object], positive: bool
) -> None:
    result = score(instrument, answers)
    assert result.indicates_sud is positive
    assert result.to_dict()["indicates_sud"] is positive
