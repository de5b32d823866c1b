"""An `Administration`: one screen given to one person — who gave it, when, how, the answers and the result.

The web layer stores these field for field (see `to_dict`). The record carries the instrument's version,
so a result can always be re-checked against the definition it was scored under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from offramp.core.enums import DescribedEnum
from offramp.core.screening.instruments import AsamLevel, get_instrument
from offramp.core.screening.scoring import Answer, Result, score_instrument


class AdministrationMode(DescribedEnum):
    IN_PERSON = ("in_person", "Given face to face, by a screener reading the questions.")
    PHONE = ("phone", "Given over the telephone.")
    VIDEO = ("video", "Given over a video call.")


@dataclass(frozen=True)
class Administration:
    instrument_id: str
    instrument_version: str
    administered_by: str
    administered_at: dt.datetime
    mode: AdministrationMode
    answers: tuple[Answer, ...]
    result: Result

    def __post_init__(self) -> None:
        if not self.administered_by.strip():
            raise ValueError("administered_by must name who gave the screen")
        if self.administered_at.tzinfo is None or self.administered_at.utcoffset() is None:
            raise ValueError("administered_at must be timezone-aware")
        if (self.result.instrument_id, self.result.instrument_version) != (
            self.instrument_id,
            self.instrument_version,
        ):
            raise ValueError("the result was scored on a different instrument or version")

    @classmethod
    def record(
        cls,
        instrument_id: str,
        answers: Sequence[Answer],
        *,
        administered_by: str,
        administered_at: dt.datetime,
        mode: AdministrationMode,
    ) -> Administration:
        """Validate and score `answers`, and record the administration (raises `AnswerError`)."""
        instrument = get_instrument(instrument_id)
        result = score_instrument(instrument, answers)
        return cls(
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            administered_by=administered_by,
            administered_at=administered_at,
            mode=mode,
            answers=tuple(answers),
            result=result,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Administration:
        """Rebuild a stored administration (as `to_dict` wrote it), re-scoring its answers.

        Raises ValueError when the record was scored under another version of the instrument than the one
        defined now: the stored result must then be read as stored, not re-scored.
        """
        instrument = get_instrument(str(data["instrument"]))
        if str(data["version"]) != instrument.version:
            raise ValueError(
                f"{instrument.id}: record is version {data['version']}, the definition is version "
                f"{instrument.version}"
            )
        mode = AdministrationMode.parse(str(data["mode"]))
        if mode is None:
            raise ValueError(f"unknown mode {data['mode']!r}; expected one of {AdministrationMode.values()}")
        return cls.record(
            instrument.id,
            list(data["answers"]),
            administered_by=str(data["administered_by"]),
            administered_at=dt.datetime.fromisoformat(str(data["administered_at"])),
            mode=mode,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument_id,
            "version": self.instrument_version,
            "administered_by": self.administered_by,
            "administered_at": self.administered_at.isoformat(),
            "mode": self.mode.value,
            "answers": list(self.answers),
            "result": self.result.to_dict(),
        }


@dataclass(frozen=True)
class AsamPlacement:
    """A clinician's ASAM level-of-care placement: the level name only, never the ASAM Criteria themselves."""

    level: AsamLevel
    placed_by: str
    placed_at: dt.datetime
    note: str = ""

    def __post_init__(self) -> None:
        if not self.placed_by.strip():
            raise ValueError("placed_by must name the clinician who made the placement")
        if self.placed_at.tzinfo is None or self.placed_at.utcoffset() is None:
            raise ValueError("placed_at must be timezone-aware")

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "level_name": self.level.description,
            "placed_by": self.placed_by,
            "placed_at": self.placed_at.isoformat(),
            "note": self.note,
        }
