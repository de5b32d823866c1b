"""The policy engine: findings, then a pack's rules, over a whole frame of cases at once.

One implementation serves both uses (docs/ARCHITECTURE.md, "Evaluation, policy and decisions";
OpenFisca's "one case is a population of one"): `evaluate` runs the expressions over millions of rows;
`explain` runs the very same expressions over one row with the trace columns kept (parameter values, every
rule's match) and reads the explanation off that row (`evaluation.explain`, which builds on this module;
this one never imports it, so the two are not an import circle). Evaluation is pure: no I/O, no clock, no
randomness, so the same frame and pack always give the same answer.

Parameters take the value in force on each case's `received_date` (or on `on`, for a what-if). A pack's
`bars` (legal bars: Georgia's 911 medical amnesty, harm-reduction supplies) are checked before any rule:
every bar that holds is listed in `bars`, and when any does the outcome is `decline` and `chosen_rule` is
the first of them (file order), whatever the rules say; `matched_rules` still lists every rule that
matched, so a reader sees what the bar overrode. Every rule that matched is reported in `matched_rules`,
highest precedence first (file order breaks ties); with no bar holding, the outcome is that of the first
deciding rule among them. Attached rules (no outcome) add their flags and
conditions to the chosen outcome, except that a declination carries no conditions (declining is not
condoning: no strings).

Speed without a second code path: a pack's expressions are built once per (pack content, `on`) and cached
(`compiled`), so `explain` does not rebuild them per call; the chosen rule is a small integer index
(`chosen__index`) from which the outcome, rule id, flags, conditions and program types are looked up in
literal tables, never compared as strings; and `evaluate(..., reasons=False)` or `columns=[...]` selects
fewer output columns from the same lazy plan, whose projection pushdown then skips every expression those
columns do not need (the reason lists are about half of the full evaluation's time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from offramp.core.enums import Drug
from offramp.core.evaluation.criteria import CRITERIA
from offramp.core.evaluation.criteria.base import lists_from_bits
from offramp.core.policy.conditions import compile_when
from offramp.core.policy.pack import Outcome, Pack, Parameter, Rule, Then

LIST = pl.List(pl.String)
PARAM = "param__"
RULE = "rule__"
BAR = "bar__"
#: trace column: the index of the chosen rule among the pack's deciding rules, by precedence
CHOSEN = "chosen__index"
OUTPUT_HEAD = (
    "case_key",
    "policy_id",
    "policy_version",
    "outcome",
    "chosen_rule",
    "bars",
    "matched_rules",
    "flags",
    "program_types",
    "conditions",
    "overdose_responses",
    "charge_guidance",
    "immigration_warning",
)

#: outcomes whose disposition may be a "conviction" under 8 U.S.C. 1101(a)(48)(A): a charge that ends in a
#: plea of guilty or nolo contendere, or an admission of facts, with some restraint ordered, counts even
#: when adjudication is withheld (First Offender, conditional discharge, a post-plea program). A decline
#: and a pre-charge diversion involve no plea. docs/SOURCES.md#immigration-conviction
CONVICTION_RISK_OUTCOMES = (
    Outcome.POST_CHARGE_DIVERSION.value,
    Outcome.CHARGE_WITH_PLEA_GUIDANCE.value,
    Outcome.PROSECUTE.value,
)


def finding_columns() -> list[str]:
    """Every column the criteria produce (values and reasons), in criterion order."""
    names = {p: pl.lit(0.0) for c in CRITERIA for p in c.parameters}
    return [name for c in CRITERIA for name in c.exprs(names) if name not in OUTPUT_HEAD]


def parameter_expr(param: Parameter, date: pl.Expr) -> pl.Expr:
    """The parameter's value in force on `date`, per row; null before its first period."""
    expr: Any = None
    for i, period in enumerate(param.values):
        end = period.end or (param.values[i + 1].start if i + 1 < len(param.values) else None)
        inside = date >= pl.lit(period.start)
        if end is not None:
            inside = inside & (date < pl.lit(end))
        value = (
            _per_drug(period.value)
            if isinstance(period.value, dict)
            else pl.lit(float(period.value), pl.Float64)
        )
        expr = pl.when(inside).then(value) if expr is None else expr.when(inside).then(value)
    result: pl.Expr = expr.otherwise(pl.lit(None, pl.Float64))  # Parameter.values is never empty
    return result


#: every drug value -> a small code; the last code is "any other value, or unknown"
DRUG_CODES: dict[str, int] = {value: i for i, value in enumerate(Drug.values())}


def _drug_code() -> pl.Expr:
    """The row's drug as a small code: one identical expression for every per-drug parameter, so the plan
    looks each row's drug up once (common subexpressions are computed once), not once per parameter."""
    return pl.col("drug").replace_strict(DRUG_CODES, default=len(DRUG_CODES), return_dtype=pl.UInt8)


def _per_drug(value: dict[str, float]) -> pl.Expr:
    """A per-drug parameter value for each row: its drug's value, else the `default`."""
    default = value.get("default")
    per_drug = {k: float(v) for k, v in value.items() if k != "default"}
    if set(per_drug) - set(DRUG_CODES):  # a name no drug has (`policy check` reports it): look up as is
        return pl.col("drug").replace_strict(per_drug, default=default, return_dtype=pl.Float64)
    table = [per_drug.get(drug, default) for drug in DRUG_CODES] + [default]
    return pl.lit(pl.Series(table, dtype=pl.Float64)).gather(_drug_code())


def _chosen_index(rules: list[Rule], bars: int = 0) -> pl.Expr:
    """The position in `rules` of the first one that matched (null when none did), as a small integer:
    the outcome, chosen rule id, flags, conditions and program types are all looked up by it."""
    chain: Any = None
    for i, rule in enumerate(rules):
        out = pl.lit(i, pl.UInt32)
        cond = pl.col((BAR if i < bars else RULE) + rule.id)
        chain = pl.when(cond).then(out) if chain is None else chain.when(cond).then(out)
    if chain is None:
        return pl.lit(None, pl.UInt32)
    result: pl.Expr = chain.otherwise(pl.lit(None, pl.UInt32))
    return result


def _pick(values: list[str], index: pl.Expr) -> pl.Expr:
    """values[index] per row (null where the index is null)."""
    if not values:
        return pl.lit(None, pl.String)
    return pl.lit(pl.Series(values, dtype=pl.String)).gather(index)


@dataclass(frozen=True)
class _Compiled:
    """A pack's expressions for one parameter date rule (`on`), stage by stage; built once and reused."""

    parameters: tuple[pl.Expr, ...]
    findings: tuple[pl.Expr, ...]
    matches: tuple[pl.Expr, ...]
    choice: pl.Expr
    head: tuple[pl.Expr, ...]
    tail: tuple[pl.Expr, ...]


_COMPILED: dict[tuple[str, dt.date | None], _Compiled] = {}
_COMPILED_MAX = 64


def _compile(pack: Pack, on: dt.date | None) -> _Compiled:
    """Every expression of the evaluation of `pack` (parameters on `on`, or on each received_date)."""
    date = pl.lit(on, pl.Date) if on is not None else pl.col("received_date")
    params = {name: pl.col(PARAM + name) for name in pack.parameters}
    findings: dict[str, pl.Expr] = {}
    for criterion in CRITERIA:
        findings.update(criterion.exprs(params))
    ordered = pack.ordered_rules()
    # bars are checked before any rule: each is a declining "rule" ahead of every deciding one, so the
    # first bar that holds is chosen (outcome decline, no conditions, no program types, no flags)
    bars = [
        Rule(id=b.id, precedence=0, when=b.when, then=Then(outcome=Outcome.DECLINE), because=b.because)
        for b in pack.bars
    ]
    deciding = [*bars, *(r for r in ordered if r.then.outcome is not None)]
    attached = [r for r in ordered if r.then.outcome is None]
    matched = lists_from_bits([pl.col(RULE + r.id) for r in ordered], [[r.id] for r in ordered])
    barred = lists_from_bits([pl.col(BAR + b.id) for b in pack.bars], [[b.id] for b in pack.bars])
    chosen = [pl.col(CHOSEN) == i for i in range(len(deciding))]
    attached_hits = [pl.col(RULE + r.id) for r in attached]
    flags = lists_from_bits(
        [*chosen, *attached_hits], [[f.value for f in r.flags] for r in (*deciding, *attached)]
    )
    # a declination carries no conditions: declining is not condoning, and it comes with no strings (IIP /
    # Vital Strategies 2021 rec. 2); the attached rules still match and are shown, as offers
    declines = [pl.col(CHOSEN) == i for i, r in enumerate(deciding) if r.then.outcome == Outcome.DECLINE]
    conditions = lists_from_bits(
        [
            *chosen,
            *(
                hit & ~pl.any_horizontal(declines).fill_null(False) if declines else hit
                for hit in attached_hits
            ),
        ],
        [r.then.conditions for r in (*deciding, *attached)],
    )
    program_types = lists_from_bits(chosen, [r.then.program_types for r in deciding])
    # the chosen rule's charge guidance codes, looked up by its index (like program_types, one gather)
    charge = pl.lit(pl.Series([list(r.then.charge) for r in deciding] or [[]], dtype=LIST)).gather(
        pl.col(CHOSEN)
    )
    # noncitizen true OR unknown: the Padilla duty is to advise where the consequence may apply, so an
    # unknown citizenship warns (docs/SOURCES.md#immigration-conviction)
    immigration = pl.col("noncitizen").fill_null(True) & pl.col("outcome").is_in(CONVICTION_RISK_OUTCOMES)
    return _Compiled(
        parameters=tuple(parameter_expr(p, date).alias(PARAM + n) for n, p in pack.parameters.items()),
        findings=tuple(expr.alias(name) for name, expr in findings.items()),
        matches=(
            *(compile_when(b.when, params).alias(BAR + b.id) for b in pack.bars),
            *(compile_when(r.when, params).alias(RULE + r.id) for r in ordered),
        ),
        choice=_chosen_index(deciding, len(bars)).alias(CHOSEN),
        head=(
            pl.lit(pack.id).alias("policy_id"),
            pl.lit(pack.version).alias("policy_version"),
            _pick([str(r.then.outcome) for r in deciding], pl.col(CHOSEN)).alias("outcome"),
            _pick([r.id for r in deciding], pl.col(CHOSEN)).alias("chosen_rule"),
            barred.alias("bars"),
            matched.alias("matched_rules"),
        ),
        tail=(
            flags.alias("flags"),
            conditions.alias("conditions"),
            program_types.alias("program_types"),
            charge.alias("charge_guidance"),
            immigration.fill_null(False).alias("immigration_warning"),
        ),
    )


def compiled(pack: Pack, on: dt.date | None) -> _Compiled:
    """`_compile`, cached per pack content and `on`: the key is the whole pack as JSON, so an edited or
    reloaded pack never reuses a stale plan."""
    key = (pack.model_dump_json(), on)
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        found = _COMPILED[key] = _compile(pack, on)
    return found


def _frame(frame: pl.DataFrame, pack: Pack, on: dt.date | None) -> pl.LazyFrame:
    """All columns of the evaluation, trace included (params, rule matches), as one lazy plan; a `select`
    on it computes only what the selected columns need (projection pushdown prunes the rest)."""
    c = compiled(pack, on)
    return (
        frame.lazy()
        .with_columns(c.parameters)
        .with_columns(c.findings)
        .with_columns(c.matches)
        .with_columns(c.choice)
        .with_columns(c.head)
        .with_columns(c.tail)
    )


def evaluate_traced(frame: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> pl.DataFrame:
    """`evaluate` plus the trace: every input fact, `param__<name>` values and `rule__<id>` matches."""
    return _frame(frame, pack, on).collect()


def output_columns(*, reasons: bool = True) -> list[str]:
    """The columns `evaluate` returns: the head, every finding value and, with `reasons`, the
    `<finding>__present/__absent/__unknown` lists."""
    return [*OUTPUT_HEAD, *(c for c in finding_columns() if reasons or not _is_reason(c))]


def _is_reason(column: str) -> bool:
    return column.endswith(("__present", "__absent", "__unknown"))


def evaluate(
    frame: pl.DataFrame,
    pack: Pack,
    *,
    on: dt.date | None = None,
    reasons: bool = True,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One row per case: the outcome, every matched rule (by precedence), the chosen rule, flags, program
    types, conditions, overdose responses and every finding with its reasons.

    `frame` has EVAL_COLUMNS (see `frame.case_frame`); parameters are those in force on each case's
    received_date, or on `on` when given. `reasons=False` leaves out the reason lists; `columns` picks
    exactly the output columns wanted (e.g. `["case_key", "outcome"]`). Either way only what those columns
    need is computed, by the same expressions as the full evaluation (and as `explain`)."""
    wanted = list(columns) if columns is not None else output_columns(reasons=reasons)
    return _frame(frame, pack, on).select(wanted).collect()
