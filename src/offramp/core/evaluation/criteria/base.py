"""What a criterion is: a named claim about a case, written once as Polars expressions.

A criterion returns its finding's value column(s) and reason columns: `<finding>__present`,
`<finding>__absent` and `<finding>__unknown`, each a list of the indicator names that held, did not hold,
or could not be checked because the fact is unknown (null). An unknown fact counts as absent for the
finding's value, and is listed as unknown so that a prosecutor sees what was not on file.
(After Recidiviz's one-file-per-criterion habit: structured reasons, never a bare true/false.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import polars as pl
import pyarrow as pa

Params = Mapping[str, pl.Expr]


@dataclass(frozen=True)
class Finding:
    """One output of a criterion: its column name, kind (bool, enum or list) and allowed values."""

    name: str
    kind: str  # "bool" | "enum" | "list"
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """A named claim; `exprs(params)` gives every output column, keyed by column name."""

    name: str
    description: str
    reference: str
    findings: tuple[Finding, ...]
    exprs: Callable[[Params], dict[str, pl.Expr]]
    parameters: tuple[str, ...] = field(default=())


def flag(expr: pl.Expr) -> pl.Expr:
    """A fact as a definite boolean: unknown (null) counts as absent."""
    return expr.fill_null(False)


MAX_BITS = 14


@lru_cache(maxsize=256)
def _label_table(labels: tuple[tuple[str, ...], ...], categories: tuple[str, ...] | None = None) -> pl.Series:
    """Every combination of `labels` (bit i set -> labels[i] included), in order, duplicates dropped; with
    `categories`, as a list of that Enum (see `lists_from_bits`).

    Built with numpy and Arrow offsets: 2**14 combinations as Python lists take ~0.5 s, this ~10 ms."""
    flat = [(i, x) for i, group in enumerate(labels) for x in group]
    codes = np.arange(1 << len(labels), dtype=np.int64)
    group_of = np.array([i for i, _ in flat], dtype=np.int64)
    present = (codes[:, None] >> group_of[None, :]) & 1 == 1 if flat else np.zeros((len(codes), 0), bool)
    if len({x for _, x in flat}) < len(flat):  # a label in two groups: keep its first occurrence only
        names = np.array([x for _, x in flat], dtype=object)
        for j in range(len(flat)):
            earlier = names[:j] == names[j]
            if earlier.any():
                present[:, j] &= ~present[:, :j][:, earlier].any(axis=1)
    rows, cols = np.nonzero(present)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(codes)))])
    values = pa.array([flat[c][1] for c in cols], pa.large_string())
    array = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), values)
    table = pl.Series(array).cast(pl.List(pl.String))
    return table if categories is None else table.cast(pl.List(pl.Enum(list(categories))))


def lists_from_bits(
    bits: Sequence[pl.Expr], labels: Sequence[Sequence[str]], *, categories: Sequence[str] | None = None
) -> pl.Expr:
    """A list[str] column: the labels of every bit that is true (null counts as false), in order.

    Built by packing the bits into an integer and looking the list up in a table of all combinations:
    an order of magnitude faster in Polars than concatenating one literal per bit.

    With `categories` (every label, fixed by code) the list is of that Enum instead of str: the same names,
    but each stored as a small integer, which makes building the column about a third cheaper (`evaluate`
    builds one such list per finding and reason kind; bench/bench_evaluate.py)."""
    enum = tuple(categories) if categories is not None else None
    if not bits:
        return pl.lit([], dtype=pl.List(pl.Enum(list(enum)) if enum is not None else pl.String))
    if len(bits) > MAX_BITS:
        half = len(bits) // 2
        return pl.concat_list(
            lists_from_bits(bits[:half], labels[:half], categories=enum),
            lists_from_bits(bits[half:], labels[half:], categories=enum),
        ).list.unique(maintain_order=True)
    code = pl.sum_horizontal([b.fill_null(False).cast(pl.UInt32) * (1 << i) for i, b in enumerate(bits)])
    table = _label_table(tuple(tuple(group) for group in labels), enum)
    return pl.lit(table).gather(code)


def names_of(indicators: Mapping[str, pl.Expr], test: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """The names of the indicators for which `test` holds, as a list column of an Enum of the indicator
    names (reason lists: `reason_columns`)."""
    names = list(indicators)
    return lists_from_bits([test(e) for e in indicators.values()], [[n] for n in names], categories=names)


def reason_columns(
    finding: str, indicators: Mapping[str, pl.Expr], *, present: Mapping[str, pl.Expr] | None = None
) -> dict[str, pl.Expr]:
    """`<finding>__present/__absent/__unknown` lists of indicator names (vectorised, in declared order).

    `present` replaces the test for "present" of the indicators it names, e.g. to list only the highest
    of several nested quantity lines a case crosses (the lower ones are implied, not further reasons)."""
    shown = {name: (present or {}).get(name, e) for name, e in indicators.items()}
    return {
        f"{finding}__present": names_of(shown, lambda e: e),
        f"{finding}__absent": names_of(indicators, lambda e: e.not_()),
        f"{finding}__unknown": names_of(indicators, lambda e: e.is_null()),
    }


def any_of(indicators: Mapping[str, pl.Expr]) -> pl.Expr:
    """True when any indicator holds (unknown ones count as absent)."""
    return pl.any_horizontal([flag(e) for e in indicators.values()])


def count_of(indicators: Mapping[str, pl.Expr]) -> pl.Expr:
    """How many indicators hold (unknown ones count as absent)."""
    return pl.sum_horizontal([flag(e).cast(pl.Int32) for e in indicators.values()])
