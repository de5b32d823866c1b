"""Every CSV export makes formula-looking text inert, with the one rule in core.csvsafe."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from offramp.core.csvsafe import inert_csv, inert_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_one_cell(text: str, expected: str) -> None:
    assert inert_text(text) == expected


def test_a_frame_keeps_numbers_dates_and_unknowns_and_makes_text_inert() -> None:
    frame = pl.DataFrame(
        {
            "name": ["=cmd", "ok", None],
            "note": ["@x", "-y", "z"],
            "n": [-1, 2, None],
            "on": [dt.date(2025, 1, 2), None, None],
        }
    )
    assert inert_csv(frame) == "name,note,n,on\n'=cmd,'@x,-1,2025-01-02\nok,'-y,2,\n,z,,\n"
