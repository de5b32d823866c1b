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
    TapsSubstance,
    get_instrument,
)

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
    #: TAPS-1 only: the substances that screened positive, each calling for TAPS-2
    positive_substances: tuple[TapsSubstance, ...] = ()
    caution: str = NOT_A_DIAGNOSIS

    @property
    def follow_up(self) -> str | None:
        if not self.positive_substances:
            return None
        names = ", ".join(s.value for s in self.positive_substances)
        return f"administer TAPS-2 for: {names}"

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
    )


def score(instrument_id: str, answers: Sequence[object]) -> Result:
    """Score `answers` (in item order) on the instrument `instrument_id` (`uncope`, `dast-10` ...)."""
    return score_instrument(get_instrument(instrument_id), answers)


def taps2_risk(yes_answers: int) -> Taps2Risk:
    """TAPS-2 risk level for one substance from how many of its TAPS-2 questions were answered yes.

    0 = no use in the past 3 months, 1 = problem use, 2 or more = higher risk (NIDA TAPS scoring).
    """
    if yes_answers < 0:
        raise ValueError(f"TAPS-2 yes count must be 0 or more, got {yes_answers}")
    if yes_answers == 0:
        return Taps2Risk.NO_USE
    if yes_answers == 1:
        return Taps2Risk.PROBLEM_USE
    return Taps2Risk.HIGHER_RISK
