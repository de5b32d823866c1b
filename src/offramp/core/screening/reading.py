"""How the screenings on file read for the charging evaluation: the `sud_screen` value (docs/SOURCES.md#taps).

A rule about instruments, not about storage, so it lives here and the web only hands it the rows it read.
Any instrument but TAPS: "positive" at its published cut-off (`Band.indicates_sud`), else "negative".
TAPS reads as one administration: the latest TAPS-1 and the TAPS-2 modules given since (all of them when no
TAPS-1 is on file). A drug module at higher risk is "positive"; else a TAPS-1 drug group with reported use
and none of its modules on file is "taps2_needed" (TAPS-1 is a pre-screen); else tobacco or alcohol at
higher risk is "alcohol_or_tobacco" (a treatment need, not drug evidence); else "negative".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from offramp.core.screening.instruments import get_instrument
from offramp.core.screening.scoring import TAPS2_FOR, score_instrument

#: how a page names each used `sud_screen` value
SCREEN_VALUE_TEXT = {
    "positive": "positive screen",
    "negative": "negative screen",
    "taps2_needed": "TAPS-1 reported use; TAPS-2 needed, not a positive screen",
    "alcohol_or_tobacco": "TAPS-2 higher risk for alcohol or tobacco only, not drug evidence",
}


@dataclass(frozen=True)
class ScreeningOnFile:
    """One stored screening, as much of it as the reading needs."""

    instrument: str
    band: str
    answers: Sequence[object]
    administered_at: dt.datetime


def screen_value(latest: ScreeningOnFile, taps: Sequence[ScreeningOnFile]) -> str:
    """The `sud_screen` value of the case's `latest` screening; `taps` are the case's TAPS screenings
    (TAPS-1 and TAPS-2 modules), newest first (see the module docstring)."""
    if not latest.instrument.startswith("taps-"):
        return (
            "positive"
            if get_instrument(latest.instrument).band_named(latest.band).indicates_sud
            else "negative"
        )
    taps1 = next((row for row in taps if row.instrument == "taps-1"), None)
    since = [
        row
        for row in taps
        if row.instrument != "taps-1" and (taps1 is None or row.administered_at >= taps1.administered_at)
    ]
    modules: dict[str, ScreeningOnFile] = {}
    for row in since:  # newest first: keep each module's latest result
        modules.setdefault(row.instrument, row)
    results = [(get_instrument(row.instrument), row) for row in modules.values()]
    higher = [i for i, row in results if row.band == "higher risk"]
    if any(i.drug_evidence for i in higher):
        return "positive"
    if taps1 is not None:
        # TAPS-1's items are the same in every version, so its answers are re-scored as they stand
        reported = score_instrument(get_instrument("taps-1"), taps1.answers).positive_substances
        done = {i.taps2_substance for i, _ in results}
        if any(not set(TAPS2_FOR[group]) & done for group in reported):
            return "taps2_needed"
    if higher:
        return "alcohol_or_tobacco"
    return "negative"
