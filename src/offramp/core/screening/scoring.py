"""Scoring: `score(instrument_id, answers)` validates the answers in item order and returns a `Result`.

Answers are given in item order: true/false for yes/no items, the option's value (e.g. `"weekly"`) for
frequency items. Any problem raises `AnswerError`, whose message names the instrument and the item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from offramp.core.screening.instruments import (
    NOT_A_DIAGNOSIS,
    Instrument,
    Item,
    ItemKind,
    ScoringRule,
    Taps2Risk,
    Taps2Substance,
    TapsSubstance,
    get_instrument,
)

#: the TAPS-2 modules each TAPS-1 substance group calls for
TAPS2_FOR: dict[TapsSubstance, tuple[Taps2Substance, ...]] = {
    TapsSubstance.TOBACCO: (Taps2Substance.TOBACCO,),
    TapsSubstance.ALCOHOL: (Taps2Substance.ALCOHOL,),
    TapsSubstance.ILLICIT_DRUGS: (Taps2Substance.MARIJUANA, Taps2Substance.STIMULANTS, Taps2Substance.HEROIN),
    TapsSubstance.PRESCRIPTION_DRUGS: (
        Taps2Substance.PRESCRIPTION_OPIOIDS,
        Taps2Substance.SEDATIVES,
        Taps2Substance.PRESCRIPTION_STIMULANTS,
    ),
}

Answer = bool | str


class AnswerError(ValueError):
    """The answers do not fit the instrument. `item` is the offending item, or None for a count problem."""

    def __init__(self, instrument: Instrument, message: str, item: Item | None = None) -> None:
        self.instrument_id = instrument.id
        self.item_id = item.id if item else None
        where = f"{instrument.id} item {item.number} ({item.id})" if item else instrument.id
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Result:
    instrument_id: str
    instrument_version: str
    score: int
    max_score: int
    band: str
    band_range: str
    interpretation: str
    #: the band is the instrument's positive screen (Band.indicates_sud)
    indicates_sud: bool
    #: ids of the items that scored a point (for a reverse-scored item: answered no)
    positives: tuple[str, ...]
    #: TAPS-1 only: the substances with use reported, each calling for TAPS-2 (not a positive SUD screen)
    positive_substances: tuple[TapsSubstance, ...] = ()
    caution: str = NOT_A_DIAGNOSIS
    #: TAPS-2 modules only: the substance, and whether a positive result is drug evidence (not tobacco or
    #: alcohol; docs/SOURCES.md#taps)
    taps2_substance: Taps2Substance | None = None
    drug_evidence: bool = True

    @property
    def taps2_needed(self) -> tuple[Taps2Substance, ...]:
        """TAPS-1 only: the TAPS-2 modules its reported use calls for."""
        return tuple(m for s in self.positive_substances for m in TAPS2_FOR[s])

    @property
    def follow_up(self) -> str | None:
        if not self.positive_substances:
            return None
        names = ", ".join(s.value for s in self.positive_substances)
        modules = ", ".join(f"taps-2-{m.value.replace('_', '-')}" for m in self.taps2_needed)
        return f"TAPS-2 needed for: {names} ({modules})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument_id,
            "version": self.instrument_version,
            "score": self.score,
            "max_score": self.max_score,
            "band": self.band,
            "band_range": self.band_range,
            "interpretation": self.interpretation,
            "indicates_sud": self.indicates_sud,
            "positives": list(self.positives),
            "positive_substances": [s.value for s in self.positive_substances],
            "follow_up": self.follow_up,
            "taps2_substance": self.taps2_substance.value if self.taps2_substance else None,
            "drug_evidence": self.drug_evidence,
            "caution": self.caution,
        }


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    return repr(value)


def validate(instrument: Instrument, answers: Sequence[object]) -> list[tuple[Item, int]]:
    """Each item with the points its answer scores; raises `AnswerError` naming the first bad item."""
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise AnswerError(instrument, f"answers must be a list, got {_describe(answers)}")
    n = len(instrument.items)
    if len(answers) != n:
        if len(answers) < n:
            first = instrument.items[len(answers)]
            detail = f"item {first.number} ({first.id}) onwards is missing"
        else:
            detail = f"{len(answers) - n} extra answer(s) after item {n}"
        raise AnswerError(
            instrument, f"expects {n} answers (items 1-{n}, in order), got {len(answers)}: {detail}"
        )
    scored: list[tuple[Item, int]] = []
    for item, answer in zip(instrument.items, answers, strict=True):
        option = item.option(answer)
        if option is None:
            if item.kind is ItemKind.YES_NO:
                expected = "true (yes) or false (no)"
            else:
                expected = "one of " + ", ".join(_describe(opt.value) for opt in item.options)
            raise AnswerError(instrument, f"expected {expected}, got {_describe(answer)}", item)
        scored.append((item, option.points))
    if instrument.taps2_substance is not None and answers[0] is False:
        # TAPS-2 skip pattern: no use in the past 3 months ends the module
        for item, answer in zip(instrument.items[1:], answers[1:], strict=True):
            if answer is not False:
                raise AnswerError(
                    instrument, "item 1 (use in the past 3 months) is no, so this item must be no", item
                )
    return scored


def score_instrument(instrument: Instrument, answers: Sequence[object]) -> Result:
    scored = validate(instrument, answers)
    positives = tuple(item.id for item, points in scored if points > 0)
    total = sum(points for _, points in scored)
    substances: tuple[TapsSubstance, ...] = ()
    if instrument.scoring is ScoringRule.COUNT_POSITIVE_SUBSTANCES:
        substances = tuple(
            item.substance for item, points in scored if points > 0 and item.substance is not None
        )
    band = instrument.band_for(total)
    return Result(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        score=total,
        max_score=instrument.max_score,
        band=band.name,
        band_range=band.range_text,
        interpretation=band.interpretation,
        indicates_sud=band.indicates_sud,
        positives=positives,
        positive_substances=substances,
        taps2_substance=instrument.taps2_substance,
        drug_evidence=instrument.drug_evidence,
    )


def score(instrument_id: str, answers: Sequence[object]) -> Result:
    """Score `answers` (in item order) on the instrument `instrument_id` (`uncope`, `dast-10` ...)."""
    return score_instrument(get_instrument(instrument_id), answers)


def taps2_risk(yes_answers: int) -> Taps2Risk:
    """TAPS-2 risk level for one substance from how many of its TAPS-2 questions were answered yes.

    0 = no use in the past 3 months, 1 = problem use, 2 or more = higher risk (NIDA TAPS Tool page scoring
    table; McNeely et al. 2016: 2+ is the cut-off for a DSM-5 substance use disorder).
    """
    if yes_answers < 0:
        raise ValueError(f"TAPS-2 yes count must be 0 or more, got {yes_answers}")
    if yes_answers == 0:
        return Taps2Risk.NO_USE
    if yes_answers == 1:
        return Taps2Risk.PROBLEM_USE
    return Taps2Risk.HIGHER_RISK
