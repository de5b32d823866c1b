"""Screening: public substance-use screening instruments, their scoring, and administration records.

`instruments` defines UNCOPE, DAST-10, NIDA TAPS-1 (a pre-screen), the TAPS-2 modules and TCU Drug Screen 5
(versioned, with bands and licence notes) and the ASAM level names; `scoring` validates answers and scores
them; `administration` records who gave a screen, when and how (and a clinician's ASAM placement); `needs`
holds the needs assessment.
Pure Python, no Django.
"""

from __future__ import annotations

from offramp.core.screening.administration import Administration, AdministrationMode, AsamPlacement
from offramp.core.screening.instruments import (
    INSTRUMENTS,
    AsamLevel,
    Instrument,
    Taps2Risk,
    Taps2Substance,
    TapsSubstance,
    UnknownInstrumentError,
    get_instrument,
)
from offramp.core.screening.scoring import AnswerError, Result, score, taps2_risk

__all__ = [
    "INSTRUMENTS",
    "Administration",
    "AdministrationMode",
    "AnswerError",
    "AsamLevel",
    "AsamPlacement",
    "Instrument",
    "Result",
    "Taps2Risk",
    "Taps2Substance",
    "TapsSubstance",
    "UnknownInstrumentError",
    "get_instrument",
    "score",
    "taps2_risk",
]
