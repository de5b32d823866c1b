"""Vectorised validation of text columns: one pass over the whole file, no per-row Python.

A `Column` says what a source column must hold. `parse_columns` turns a frame of raw strings into typed
columns, listing every invalid value as a `FieldError` and every implausible-but-valid value as a
data-quality warning (imported, flagged, never fatal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from offramp.core.enums import DescribedEnum
from offramp.core.intake.batch import WARNING_SCHEMA
from offramp.core.intake.errors import MAX_LISTED_ERRORS, FieldError, IntakeError

Kind = Literal["str", "date", "int", "float", "bool", "enum"]

BOOLEAN_WORDS: dict[str, bool] = {"true": True, "false": False}


@dataclass(frozen=True)
class Column:
    """What one source column must hold.

    `minimum`/`maximum` bound valid values (outside is an error); `plausible` bounds believable values
    (outside is a warning). `aliases` map other spellings (lower case) onto enum values.
    """

    name: str
    kind: Kind = "str"
    required: bool = False
    enum: type[DescribedEnum] | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    plausible: tuple[float, float] | None = None
    date_format: str = "%Y-%m-%d"
    pattern: str | None = None
    pattern_expected: str = ""

    @property
    def expected(self) -> str:
        need = "" if self.required else " (or blank if unknown)"
        if self.kind == "enum" and self.enum is not None:
            return "one of " + " | ".join(self.enum.values()) + need
        if self.kind == "bool":
            return "true or false" + need
        if self.kind == "date":
            shown = self.date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
            return f"a date as {shown}" + need
        if self.kind in ("int", "float"):
            what = "a whole number" if self.kind == "int" else "a number"
            if self.minimum is not None and self.maximum is not None:
                what += f" from {self.minimum:g} to {self.maximum:g}"
            elif self.minimum is not None:
                what += f" of at least {self.minimum:g}"
            return what + need
        if self.pattern is not None:
            return self.pattern_expected + need
        return "a value" if self.required else "text"

    def enum_mapping(self) -> dict[str, str]:
        if self.enum is None:
            raise ValueError(f"column {self.name} has no enum: expected an enum column for an enum mapping")
        mapping = {v: v for v in self.enum.values()}
        mapping.update({k.lower(): v for k, v in self.aliases.items()})
        return mapping


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def convert(column: Column, raw: pl.Expr) -> pl.Expr:
    """The typed value of `raw` (already stripped, blanks null); null where it does not parse."""
    if column.kind == "date":
        return raw.str.to_date(column.date_format, strict=False)
    if column.kind == "int":
        return raw.cast(pl.Int64, strict=False)
    if column.kind == "float":
        value = raw.cast(pl.Float64, strict=False)
        return pl.when(value.is_finite()).then(value).otherwise(None)
    if column.kind == "bool":
        return raw.str.to_lowercase().replace_strict(BOOLEAN_WORDS, default=None, return_dtype=pl.Boolean)
    if column.kind == "enum":
        return raw.str.to_lowercase().replace_strict(
            column.enum_mapping(), default=None, return_dtype=pl.String
        )
    if column.pattern is not None:
        return pl.when(raw.str.contains(column.pattern)).then(raw).otherwise(None)
    return raw


def _invalid(column: Column, raw: pl.Expr, value: pl.Expr) -> pl.Expr:
    bad = raw.is_not_null() & value.is_null()
    if column.required:
        bad = bad | raw.is_null()
    if column.minimum is not None:
        bad = bad | (value < column.minimum).fill_null(False)
    if column.maximum is not None:
        bad = bad | (value > column.maximum).fill_null(False)
    return bad


def _implausible(column: Column, value: pl.Expr) -> pl.Expr | None:
    if column.plausible is None:
        return None
    low, high = column.plausible
    if column.kind == "date":
        lo, hi = pl.lit(dt.date(int(low), 1, 1)), pl.lit(dt.date(int(high), 12, 31))
    else:
        lo, hi = pl.lit(low), pl.lit(high)
    return ((value < lo) | (value > hi)).fill_null(False)


@dataclass
class Parsed:
    """The typed frame (`__row` + one column per spec + `<name>__raw`) and its warnings."""

    frame: pl.DataFrame
    warnings: pl.DataFrame


def require_columns(present: Sequence[str], required: Sequence[str], file: str) -> None:
    missing = [c for c in required if c not in present]
    if missing:
        raise IntakeError(
            [FieldError(file, 1, name, "", "this column in the header row") for name in missing]
        )


def parse_columns(
    frame: pl.DataFrame,
    columns: Sequence[Column],
    file: str,
    *,
    row_offset: int = 2,
    errors: list[FieldError] | None = None,
) -> Parsed:
    """Validate and convert `columns` of the all-string `frame`.

    Raises IntakeError listing every invalid value (together with any `errors` the caller already
    found). `row_offset` is the row number of the frame's first record (2 for a CSV with a header).
    """
    found = list(errors or [])
    total = len(found)
    selected = [
        pl.col(c.name).cast(pl.String) if c.name in frame.columns else pl.lit(None, pl.String).alias(c.name)
        for c in columns
    ]
    # Three plain passes (clean the text, convert, check) rather than one nested expression per column:
    # each pass reuses the previous one's materialised columns instead of recomputing them.
    cleaned = frame.select(selected).select(
        pl.int_range(row_offset, row_offset + pl.len(), dtype=pl.Int64).alias("__row"),
        *[blank_to_null(pl.col(c.name)).alias(f"{c.name}__raw") for c in columns],
    )
    converted = cleaned.with_columns([convert(c, pl.col(f"{c.name}__raw")).alias(c.name) for c in columns])
    checks: list[pl.Expr] = []
    for c in columns:
        raw, value = pl.col(f"{c.name}__raw"), pl.col(c.name)
        checks.append(_invalid(c, raw, value).alias(f"__bad_{c.name}"))
        implausible = _implausible(c, value)
        if implausible is not None:
            checks.append(implausible.alias(f"__odd_{c.name}"))
    typed = converted.with_columns(checks)

    counts = typed.select([pl.col(f"__bad_{c.name}").sum() for c in columns]).row(0)
    for c, count in zip(columns, counts, strict=True):
        if not count:
            continue
        total += int(count)
        rows = typed.filter(pl.col(f"__bad_{c.name}")).head(MAX_LISTED_ERRORS)
        for row, raw_value in rows.select("__row", f"{c.name}__raw").iter_rows():
            found.append(FieldError(file, int(row), c.name, raw_value or "", c.expected))
    if found:
        raise IntakeError(found, total)

    warnings = [
        typed.filter(pl.col(f"__odd_{c.name}")).select(
            pl.col("__row").alias("row"),
            pl.lit(c.name).alias("field"),
            pl.col(f"{c.name}__raw").alias("value"),
            pl.lit(_plausible_message(c)).alias("message"),
        )
        for c in columns
        if c.plausible is not None
    ]
    warning_frame = (
        pl.concat(warnings)
        if warnings
        else pl.DataFrame(schema={k: WARNING_SCHEMA[k] for k in ("row", "field", "value", "message")})
    )
    return Parsed(
        frame=typed.drop([name for name in typed.columns if name.startswith(("__bad_", "__odd_"))]),
        warnings=warning_frame,
    )


def _plausible_message(column: Column) -> str:
    if column.plausible is None:
        raise ValueError(f"column {column.name} has no plausible range: expected (low, high)")
    low, high = column.plausible
    return f"implausible {column.name}: outside {low:g}–{high:g}; imported, please check the source"
