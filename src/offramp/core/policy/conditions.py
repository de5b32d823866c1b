"""Compile a rule's `when` into one Polars expression, and validate it (with the path of each problem).

Grammar (a YAML mapping; no `when`, or `when: always`, is unconditional):

    {all: [C, ...]}   {any: [C, ...]}   {not: C}
    {finding: NAME, is: true|false}                 boolean findings
    {finding: NAME, in: [VALUE, ...]}               enum findings (e.g. seller_role)
    {finding: NAME, contains: VALUE}                list findings (e.g. needs)
    {fact: NAME, OP: VALUE | {param: NAME}}         OP: is, eq, ne, lt, lte, gt, gte, in
    {fact: NAME, unknown: true|false}               the fact is (not) on file

A leaf over an unknown fact is false (unknown counts as absent, as in the criteria), so `not` of it is true;
write `{fact: X, unknown: false}` to require a fact to be on file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from offramp.core.evaluation.criteria import FINDINGS
from offramp.core.evaluation.frame import EVAL_COLUMNS

Path_ = tuple[str | int, ...]
COMPARISONS = ("is", "eq", "ne", "lt", "lte", "gt", "gte", "in")


def is_unconditional(when: Any) -> bool:
    return when is None or when is True or (isinstance(when, dict | str) and when in ({}, "always"))


def canonical(when: Any) -> str:
    """A stable text form of a condition, for spotting identical `when`s."""
    return "always" if is_unconditional(when) else json.dumps(when, sort_keys=True, default=str)


def names_read(when: Any) -> list[str]:
    """Every finding and fact a condition reads, each once, in the order they appear (e.g. to tell which
    rules rest on a SUD screening result, which 42 CFR Part 2 keeps from some readers)."""
    if is_unconditional(when):
        return []
    if "all" in when or "any" in when:
        parts = when.get("all", when.get("any"))
        return list(dict.fromkeys(name for c in parts for name in names_read(c)))
    if "not" in when:
        return names_read(when["not"])
    return [str(when["finding"] if "finding" in when else when["fact"])]


def compile_when(when: Any, params: Mapping[str, pl.Expr]) -> pl.Expr:
    """The condition as a boolean expression, never null. Assumes `validate_when` found no problem."""
    if is_unconditional(when):
        return pl.lit(True)
    if "all" in when:
        return pl.all_horizontal([compile_when(c, params) for c in when["all"]])
    if "any" in when:
        return pl.any_horizontal([compile_when(c, params) for c in when["any"]])
    if "not" in when:
        return compile_when(when["not"], params).not_()
    if "finding" in when:
        col = pl.col(when["finding"])
        if "is" in when:
            return (col == bool(when["is"])).fill_null(False)
        if "in" in when:
            return col.is_in([str(v) for v in when["in"]]).fill_null(False)
        return col.list.contains(str(when["contains"])).fill_null(False)
    col = pl.col(when["fact"])
    if "unknown" in when:
        return col.is_null() if when["unknown"] else col.is_not_null()
    op = next(k for k in COMPARISONS if k in when)
    value = when[op]
    rhs = params[value["param"]] if isinstance(value, dict) else value
    if op == "in":
        return col.is_in(list(value)).fill_null(False)
    result = {
        "is": lambda: col == rhs,
        "eq": lambda: col == rhs,
        "ne": lambda: col != rhs,
        "lt": lambda: col < rhs,
        "lte": lambda: col <= rhs,
        "gt": lambda: col > rhs,
        "gte": lambda: col >= rhs,
    }[op]()
    return result.fill_null(False)


def validate_when(when: Any, path: Path_, parameters: set[str]) -> list[tuple[Path_, str]]:
    """Every problem in `when`: unknown findings, facts, parameters or values, and malformed nodes."""
    if is_unconditional(when):
        return []
    if not isinstance(when, dict):
        return [(path, f"a condition must be a mapping, not {when!r}")]
    for key in ("all", "any"):
        if key in when:
            items = when[key]
            if not isinstance(items, list) or not items or len(when) != 1:
                return [(path, f"'{key}' takes a non-empty list of conditions and nothing beside it")]
            return [p for i, c in enumerate(items) for p in validate_when(c, (*path, key, i), parameters)]
    if "not" in when:
        if len(when) != 1 or is_unconditional(when["not"]):
            return [(path, "'not' takes one condition and nothing beside it")]
        return validate_when(when["not"], (*path, "not"), parameters)
    if "finding" in when:
        return _validate_finding(when, path)
    if "fact" in when:
        return _validate_fact(when, path, parameters)
    return [(path, f"unknown condition {sorted(when)}: expected all, any, not, finding or fact")]


def _validate_finding(when: dict[str, Any], path: Path_) -> list[tuple[Path_, str]]:
    name = when["finding"]
    finding = FINDINGS.get(str(name))
    if finding is None:
        return [((*path, "finding"), f"unknown finding '{name}': expected one of {', '.join(FINDINGS)}")]
    expected = {"bool": "is", "enum": "in", "list": "contains"}[finding.kind]
    if set(when) != {"finding", expected}:
        return [(path, f"finding '{name}' takes exactly '{expected}'")]
    values = when[expected]
    if finding.kind == "bool":
        return [] if isinstance(values, bool) else [((*path, "is"), "'is' takes true or false")]
    listed = values if finding.kind == "enum" else [values]
    if not isinstance(listed, list):
        return [((*path, expected), f"'{expected}' takes a list of values")]
    bad = [str(v) for v in listed if str(v) not in finding.values]
    if bad:
        allowed = ", ".join(finding.values)
        return [((*path, expected), f"unknown value(s) {', '.join(bad)} of '{name}': expected {allowed}")]
    return []


def _validate_fact(when: dict[str, Any], path: Path_, parameters: set[str]) -> list[tuple[Path_, str]]:
    name = when["fact"]
    if name not in EVAL_COLUMNS:
        return [((*path, "fact"), f"unknown fact '{name}': expected one of {', '.join(EVAL_COLUMNS)}")]
    ops = [k for k in when if k != "fact"]
    if len(ops) != 1 or ops[0] not in (*COMPARISONS, "unknown"):
        return [(path, f"fact '{name}' takes one of {', '.join((*COMPARISONS, 'unknown'))}")]
    value = when[ops[0]]
    if isinstance(value, dict):
        param = value.get("param")
        if set(value) != {"param"}:
            return [((*path, ops[0]), "a parameter reference is {param: NAME}")]
        if param not in parameters:
            return [((*path, ops[0], "param"), f"unknown parameter '{param}'")]
    return []
