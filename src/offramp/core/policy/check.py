"""`check_pack`: everything wrong with a policy pack, each problem at its line.

Checks: the file's shape (Pydantic), unknown findings, facts or parameters in conditions, parameters the
criteria need but the pack lacks, bad or overlapping parameter periods, per-drug values without a
default, seller quantity lines out of order for some drug and date (personal use <= subsistence <=
mid-level <= trafficking), bad effective dates, duplicate rule ids, missing references, rules that can never be chosen
(after an unconditional rule), `when`s identical to an earlier rule's, and no unconditional fallback.
Bars: duplicate ids, ids that clash with a rule's, missing `because` or reference, and bad conditions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from offramp.core.enums import Drug
from offramp.core.evaluation.criteria import REQUIRED_PARAMETERS
from offramp.core.evaluation.criteria.seller_role import LINES as SELLER_LINES
from offramp.core.policy.conditions import canonical, is_unconditional, validate_when
from offramp.core.policy.pack import (
    PLEA_OPTIONS,
    Pack,
    PackError,
    Parameter,
    Problem,
    Rule,
    Source,
    parse_pack,
    read_source,
)

DRUG_KEYS = {*Drug.values(), "default"}


def check_pack(path: str | Path) -> list[Problem]:
    """Every problem in the pack at `path`, sorted by line; an empty list means the pack is sound."""
    file = Path(path)
    try:
        source = read_source(file)
        pack = parse_pack(source, file)
    except PackError as exc:
        return sorted(exc.problems, key=lambda p: p.line)
    return check_source(pack, source)


def check_source(pack: Pack, source: Source) -> list[Problem]:
    problems = [
        *_check_effective(pack, source),
        *_check_parameters(pack, source),
        *_check_seller_lines(pack, source),
        *_check_rules(pack, source),
        *_check_bars(pack, source),
        *_check_plea(pack, source),
    ]
    return sorted(problems, key=lambda p: (p.line, p.message))


def _check_plea(pack: Pack, source: Source) -> list[Problem]:
    """Every `then.charge` code is declared in `charge_guidance:`; the plea order names known options,
    each once."""
    problems = []
    for i, rule in enumerate(pack.rules):
        for j, code in enumerate(rule.then.charge):
            if code not in pack.charge_guidance:
                problems.append(
                    Problem(
                        source.line(("rules", i, "then", "charge", j)),
                        f"rule '{rule.id}': charge guidance '{code}' is not declared in charge_guidance",
                    )
                )
    if pack.plea is not None:
        for j, option in enumerate(pack.plea.order):
            where = source.line(("plea", "order", j))
            if option not in PLEA_OPTIONS:
                problems.append(
                    Problem(
                        where, f"plea order: unknown option '{option}' (one of {', '.join(PLEA_OPTIONS)})"
                    )
                )
            elif pack.plea.order.index(option) != j:
                problems.append(Problem(where, f"plea order: '{option}' is listed twice"))
    return problems


def _check_effective(pack: Pack, source: Source) -> list[Problem]:
    if pack.effective.end is not None and pack.effective.end <= pack.effective.start:
        return [Problem(source.line(("effective", "to")), "effective 'to' must be after 'from'")]
    return []


def _check_parameters(pack: Pack, source: Source) -> list[Problem]:
    problems = [
        Problem(source.line(("parameters",)), f"missing parameter '{name}' (the criteria need it)")
        for name in REQUIRED_PARAMETERS
        if name not in pack.parameters
    ]
    for name, param in pack.parameters.items():
        where = ("parameters", name)
        if not (param.reference or "").strip():
            problems.append(Problem(source.line(where), f"parameter '{name}' has no reference"))
        for i, value in enumerate(param.values):
            at = (*where, "values", i)
            if value.end is not None and value.end <= value.start:
                problems.append(Problem(source.line((*at, "to")), f"'{name}': period ends before it starts"))
            if isinstance(value.value, dict):
                unknown = sorted(set(value.value) - DRUG_KEYS)
                if unknown:
                    problems.append(
                        Problem(source.line((*at, "value")), f"'{name}': unknown drug(s) {unknown}")
                    )
                if "default" not in value.value:
                    problems.append(
                        Problem(source.line((*at, "value")), f"'{name}': per-drug value needs a default")
                    )
            if i == 0:
                continue
            before = param.values[i - 1]
            if value.start <= before.start:
                problems.append(
                    Problem(
                        source.line((*at, "from")), f"'{name}': periods must be in date order, no repeats"
                    )
                )
            elif before.end is not None and before.end > value.start:
                problems.append(
                    Problem(
                        source.line((*at, "from")),
                        f"'{name}': period overlaps the one before (to {before.end})",
                    )
                )
    return problems


def _value_on(param: Parameter, on: dt.date, drug: str) -> float | None:
    """The parameter's value for `drug` in force on `on` (None when no period covers it)."""
    for i, period in enumerate(param.values):
        end = period.end or (param.values[i + 1].start if i + 1 < len(param.values) else None)
        if period.start <= on and (end is None or on < end):
            value = period.value
            return (
                float(value.get(drug, value.get("default", 0.0))) if isinstance(value, dict) else float(value)
            )
    return None


def _period_at(param: Parameter, on: dt.date) -> int:
    return max((i for i, p in enumerate(param.values) if p.start <= on), default=0)


def _check_seller_lines(pack: Pack, source: Source) -> list[Problem]:
    """Refuse seller lines out of order: for every drug, on every date some line changes, personal use <=
    subsistence <= mid-level <= trafficking (docs/seller-role.md#lines). One problem per pair and date,
    at the higher line's value, naming the drugs."""
    params = [(name, pack.parameters[name]) for name in SELLER_LINES if name in pack.parameters]
    periods = [p for _, param in params for p in param.values]
    dates = sorted({p.start for p in periods} | {p.end for p in periods if p.end is not None})
    problems: list[Problem] = []
    for on in dates:
        for (low_name, low), (high_name, high) in itertools.pairwise(params):
            bad = []
            for drug in sorted(Drug.values()):
                a, b = _value_on(low, on, drug), _value_on(high, on, drug)
                if a is not None and b is not None and a > b:
                    bad.append(f"{drug} {a:g} > {b:g}")
            if bad:
                at = ("parameters", high_name, "values", _period_at(high, on), "value")
                problems.append(
                    Problem(
                        source.line(at),
                        f"seller lines out of order from {on}: '{low_name}' above '{high_name}' for "
                        f"{', '.join(bad)} (need personal use <= subsistence <= mid-level <= trafficking)",
                    )
                )
    return problems


def _check_rules(pack: Pack, source: Source) -> list[Problem]:
    problems: list[Problem] = []
    index = {id(rule): i for i, rule in enumerate(pack.rules)}

    def line(rule: Rule, *key: str | int) -> int:
        return source.line(("rules", index[id(rule)], *key))

    seen_ids: dict[str, Rule] = {}
    for rule in pack.rules:
        if rule.id in seen_ids:
            problems.append(Problem(line(rule, "id"), f"duplicate rule id '{rule.id}'"))
        seen_ids.setdefault(rule.id, rule)
        if not (rule.reference or "").strip():
            problems.append(Problem(line(rule), f"rule '{rule.id}' has no reference"))
        for path, message in validate_when(
            rule.when, ("rules", index[id(rule)], "when"), set(pack.parameters)
        ):
            problems.append(Problem(source.line(path), f"rule '{rule.id}': {message}"))

    deciding = [r for r in pack.ordered_rules() if r.then.outcome is not None]
    attached = [r for r in pack.rules if r.then.outcome is None]
    blocker: Rule | None = None
    for rule in deciding:
        if blocker is not None:
            problems.append(
                Problem(
                    line(rule),
                    f"rule '{rule.id}' can never be chosen: unconditional rule '{blocker.id}' "
                    f"(precedence {blocker.precedence}, line {line(blocker)}) comes first",
                )
            )
        elif is_unconditional(rule.when):
            blocker = rule
    if deciding and blocker is None:
        problems.append(
            Problem(source.line(("rules",)), "no unconditional fallback rule: some cases get no outcome")
        )
    for group in (sorted(deciding, key=lambda r: index[id(r)]), attached):
        first: dict[str, Rule] = {}
        for rule in group:
            key = canonical(rule.when)
            if key in first:
                other = first[key]
                problems.append(
                    Problem(
                        line(rule),
                        f"rule '{rule.id}' has the same 'when' as rule '{other.id}' (line {line(other)})",
                    )
                )
            first.setdefault(key, rule)
    return problems


def _check_bars(pack: Pack, source: Source) -> list[Problem]:
    """A bar's id is unique among bars and rules (the engine reports both by id), it has a reason and a
    reference (a bar is law: it must say which), and its `when` is a valid condition."""
    problems: list[Problem] = []
    rule_ids = {r.id for r in pack.rules}
    seen: set[str] = set()
    for i, bar in enumerate(pack.bars):
        at = ("bars", i)
        if bar.id in seen:
            problems.append(Problem(source.line((*at, "id")), f"duplicate bar id '{bar.id}'"))
        seen.add(bar.id)
        if bar.id in rule_ids:
            problems.append(
                Problem(source.line((*at, "id")), f"bar id '{bar.id}' is also a rule's id: ids must differ")
            )
        if not bar.because.strip():
            problems.append(Problem(source.line((*at, "because")), f"bar '{bar.id}' has no because"))
        if not (bar.reference or "").strip():
            problems.append(Problem(source.line(at), f"bar '{bar.id}' has no reference"))
        if is_unconditional(bar.when):
            problems.append(
                Problem(source.line(at), f"bar '{bar.id}' has no condition: it would decline every case")
            )
        for path, message in validate_when(bar.when, (*at, "when"), set(pack.parameters)):
            problems.append(Problem(source.line(path), f"bar '{bar.id}': {message}"))
    return problems
