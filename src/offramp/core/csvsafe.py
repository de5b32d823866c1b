"""CSV for spreadsheets: text that a spreadsheet would run as a formula is made inert.

A cell starting with = + - @ (or a tab or carriage return) is read by Excel and LibreOffice as a formula
(OWASP "CSV injection"); every CSV Offramp writes for people to open puts a leading apostrophe before
such text, which spreadsheets show but do not run. One rule, here, for every export.
"""

from __future__ import annotations

from typing import Any

import polars as pl

#: the first characters that make a spreadsheet treat a cell as a formula
FORMULA_START = r"^[=+\-@\t\r]"
_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(text: str) -> str:
    """One cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_CHARS) else text


def inert(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text column made inert (`inert_text`, vectorised); other columns as they are."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def inert_csv(frame: pl.DataFrame, **write_csv: Any) -> str:
    """`frame` as CSV text (dates as YYYY-MM-DD, unknown as an empty cell) with formulas made inert."""
    text: str = inert(frame).write_csv(**{"date_format": "%Y-%m-%d", "null_value": "", **write_csv})
    return text
