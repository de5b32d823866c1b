"""How the screenings on file read for the charging evaluation (core.screening.reading), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from offramp.core.screening.reading import ScreeningOnFile, screen_value

T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
NEVER = "never"


def taps1(drugs: str, *, minutes: int = 0) -> ScreeningOnFile:
    """A TAPS-1 with `drugs` use reported (tobacco, alcohol and prescription drugs: never)."""
    return ScreeningOnFile(
        "taps-1", "taps-2 needed", [NEVER, NEVER, drugs, NEVER], T0 + dt.timedelta(minutes=minutes)
    )


def module(substance: str, band: str, *, minutes: int) -> ScreeningOnFile:
    return ScreeningOnFile(f"taps-2-{substance}", band, [], T0 + dt.timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("taps", "expected"),
    [
        ([taps1("weekly")], "taps2_needed"),  # TAPS-1 is a pre-screen, never positive alone
        ([module("heroin", "higher risk", minutes=5), taps1("weekly")], "positive"),
        ([module("alcohol", "higher risk", minutes=5), taps1(NEVER)], "alcohol_or_tobacco"),
        ([taps1(NEVER)], "negative"),
        # a module given before the latest TAPS-1 belongs to an earlier sitting
        ([taps1("weekly", minutes=60), module("heroin", "higher risk", minutes=0)], "taps2_needed"),
    ],
)
def test_taps_reads_as_one_sitting(taps: list[ScreeningOnFile], expected: str) -> None:
    assert screen_value(taps[0], taps) == expected


def test_another_instrument_reads_at_its_published_cut_off() -> None:
    dast = ScreeningOnFile("dast-10", "moderate", [], T0)
    assert screen_value(dast, []) == "positive"
    assert screen_value(ScreeningOnFile("dast-10", "low", [], T0), []) == "negative"
