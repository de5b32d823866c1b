"""TAPS-2 scoring per substance, at the published cut-offs.

NIDA TAPS Tool page (scoring table): a substance's TAPS-2 score 0 = no use in the past 3 months, 1 = problem
use, 2+ = higher risk; "for identifying DSM-5 SUD at the recommended cutoff of 2+". McNeely J et al., Ann
Intern Med 2016;165(10):690-699 (doi:10.7326/M16-0317). docs/SOURCES.md#taps.
"""

from __future__ import annotations

import pytest

from offramp.core.screening import AnswerError, Taps2Substance, get_instrument, score
from offramp.core.screening.instruments import TAPS_2


def module(substance: Taps2Substance) -> str:
    return f"taps-2-{substance.value.replace('_', '-')}"


def answers(n: int, yes: int) -> list[bool]:
    return [i < yes for i in range(n)]


@pytest.mark.parametrize("substance", list(Taps2Substance))
@pytest.mark.parametrize(("yes", "band"), [(0, "no use"), (1, "problem use"), (2, "higher risk")])
def test_each_module_bands_at_the_published_cut_offs(substance: Taps2Substance, yes: int, band: str) -> None:
    n = len(get_instrument(module(substance)).items)
    result = score(module(substance), answers(n, yes))
    assert (result.score, result.band) == (yes, band)
    assert result.taps2_substance is substance


@pytest.mark.parametrize("substance", list(Taps2Substance))
def test_every_yes_is_higher_risk(substance: Taps2Substance) -> None:
    n = len(get_instrument(module(substance)).items)
    assert score(module(substance), [True] * n).band == "higher risk"


@pytest.mark.parametrize(
    "substance",
    [s for s in Taps2Substance if s not in (Taps2Substance.TOBACCO, Taps2Substance.ALCOHOL)],
)
def test_a_drug_module_indicates_sud_at_higher_risk_only(substance: Taps2Substance) -> None:
    n = len(get_instrument(module(substance)).items)
    assert score(module(substance), answers(n, 1)).indicates_sud is False  # problem use: below the cut-off
    result = score(module(substance), answers(n, 2))
    assert result.indicates_sud is True
    assert result.drug_evidence is True


@pytest.mark.parametrize("substance", [Taps2Substance.TOBACCO, Taps2Substance.ALCOHOL])
def test_tobacco_and_alcohol_are_recorded_but_are_not_drug_evidence(substance: Taps2Substance) -> None:
    """Point 2: a positive tobacco or alcohol TAPS-2 never makes a drug case SUD-indicated."""
    n = len(get_instrument(module(substance)).items)
    result = score(module(substance), [True] * n)
    assert result.band == "higher risk"
    assert result.indicates_sud is False
    assert result.drug_evidence is False
    assert "treatment need" in result.interpretation


def test_opioid_higher_risk() -> None:
    result = score("taps-2-heroin", [True, True, False])
    assert (result.band, result.band_range, result.indicates_sud) == ("higher risk", "2-3", True)
    result = score("taps-2-prescription-opioids", [True, False, True])
    assert (result.band, result.indicates_sud) == ("higher risk", True)


def test_no_use_in_the_past_3_months_skips_the_rest() -> None:
    with pytest.raises(AnswerError, match=r"^taps-2-heroin item 2 \(heroin-failed-to-cut-down\): item 1"):
        score("taps-2-heroin", [False, True, False])


def test_taps1_use_calls_for_the_matching_modules() -> None:
    result = score("taps-1", ["never", "never", "never", "weekly"])
    assert result.indicates_sud is False
    assert result.taps2_needed == (
        Taps2Substance.PRESCRIPTION_OPIOIDS,
        Taps2Substance.SEDATIVES,
        Taps2Substance.PRESCRIPTION_STIMULANTS,
    )


def test_the_module_ids_fit_the_screening_table() -> None:
    assert max(len(i.id) for i in TAPS_2.values()) <= 30  # Screening.instrument max_length


#: item 1 of each module in the published TAPS-2 wording (docs/SOURCES.md#taps-in-offramp)
PUBLISHED_ITEM_1 = {
    Taps2Substance.TOBACCO: "In the PAST 3 MONTHS, did you smoke a cigarette containing tobacco?",
    Taps2Substance.ALCOHOL: "In the PAST 3 MONTHS, did you have a drink containing alcohol?",
    Taps2Substance.MARIJUANA: "In the PAST 3 MONTHS, did you use marijuana (hash, weed)?",
    Taps2Substance.STIMULANTS: "In the PAST 3 MONTHS, did you use cocaine, crack, or methamphetamine (crystal meth)?",
    Taps2Substance.HEROIN: "In the PAST 3 MONTHS, did you use heroin?",
    Taps2Substance.PRESCRIPTION_OPIOIDS: (
        "In the PAST 3 MONTHS, did you use a prescription opiate pain reliever (for example, Percocet, Vicodin) "
        "not as prescribed or that was not prescribed for you?"
    ),
    Taps2Substance.SEDATIVES: (
        "In the PAST 3 MONTHS, did you use a medication for anxiety or sleep (for example, Xanax, Ativan, or "
        "Klonopin) not as prescribed or that was not prescribed for you?"
    ),
    Taps2Substance.PRESCRIPTION_STIMULANTS: (
        "In the PAST 3 MONTHS, did you use a medication for ADHD (for example, Adderall, Ritalin) not as "
        "prescribed or that was not prescribed for you?"
    ),
}


@pytest.mark.parametrize("substance", list(Taps2Substance))
def test_items_use_the_published_wording(substance: Taps2Substance) -> None:
    items = TAPS_2[substance].items
    assert items[0].text == PUBLISHED_ITEM_1[substance]
    assert all(item.text.startswith("In the PAST 3 MONTHS, ") for item in items)
    concern = [item.text for item in items if "expressed concern" in item.text]
    # every module but tobacco ends with the published concern question
    assert concern == ([] if substance is Taps2Substance.TOBACCO else [items[-1].text])


def test_the_wording_change_kept_the_item_ids_and_version() -> None:
    assert [item.id for item in TAPS_2[Taps2Substance.ALCOHOL].items] == [
        "alcohol-used",
        "alcohol-heavy-day",
        "alcohol-failed-to-cut-down",
        "alcohol-concern",
    ]
    assert {m.version for m in TAPS_2.values()} == {"1"}
    assert TAPS_2[Taps2Substance.ALCOHOL].items[1].text == (
        "In the PAST 3 MONTHS, did you have 5 or more drinks (men)/4 or more drinks (women) containing alcohol "
        "in a day?"
    )
