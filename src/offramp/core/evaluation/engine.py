"""The policy engine: findings, then a pack's rules, over a whole frame of cases at once.

One implementation serves both uses (DESIGN.md, "policy engine shape"; OpenFisca's "one case is a
population of one"): `evaluate` runs the expressions over millions of rows; `explain` runs the very same
expressions over one row with the trace columns kept (parameter values, every rule's match) and reads the
explanation off that row. Evaluation is pure: no I/O, no clock, no randomness, so the same frame and pack
always give the same answer.

Parameters take the value in force on each case's `received_date` (or on `on`, for a what-if). Every
rule that matched is reported in `matched_rules`, highest precedence first (file order breaks ties); the
outcome is that of the first deciding rule among them. Attached rules (no outcome) add their flags and
conditions to the chosen outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import polars as pl

from offramp.core.evaluation.criteria import CRITERIA
from offramp.core.evaluation.criteria.base import lists_from_bits
from offramp.core.policy.conditions import compile_when
from offramp.core.policy.pack import Pack, Parameter, Rule

if TYPE_CHECKING:
    from offramp.core.evaluation.explain import Explanation

LIST = pl.List(pl.String)
PARAM = "param__"
RULE = "rule__"
OUTPUT_HEAD = (
    "case_key",
    "policy_id",
    "policy_version",
    "outcome",
    "chosen_rule",
    "matched_rules",
    "flags",
    "program_types",
    "conditions",
    "overdose_responses",
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
        if isinstance(period.value, dict):
            per_drug = {k: float(v) for k, v in period.value.items() if k != "default"}
            value = pl.col("drug").replace_strict(
                per_drug, default=period.value.get("default"), return_dtype=pl.Float64
            )
        else:
            value = pl.lit(float(period.value), pl.Float64)
        expr = pl.when(inside).then(value) if expr is None else expr.when(inside).then(value)
    result: pl.Expr = expr.otherwise(pl.lit(None, pl.Float64))  # Parameter.values is never empty
    return result


def _choose(rules: list[Rule], pick: str) -> pl.Expr:
    """The first matching deciding rule's id or outcome (null when none matched)."""
    chain: Any = None
    for rule in rules:
        out = pl.lit(rule.id if pick == "id" else str(rule.then.outcome), pl.String)
        cond = pl.col(RULE + rule.id)
        chain = pl.when(cond).then(out) if chain is None else chain.when(cond).then(out)
    if chain is None:
        return pl.lit(None, pl.String)
    result: pl.Expr = chain.otherwise(pl.lit(None, pl.String))
    return result


def _frame(frame: pl.DataFrame, pack: Pack, on: dt.date | None) -> pl.LazyFrame:
    """All columns of the evaluation, trace included (params, rule matches), as one lazy plan."""
    date = pl.lit(on, pl.Date) if on is not None else pl.col("received_date")
    params = {name: pl.col(PARAM + name) for name in pack.parameters}
    findings: dict[str, pl.Expr] = {}
    for criterion in CRITERIA:
        findings.update(criterion.exprs(params))
    ordered = pack.ordered_rules()
    deciding = [r for r in ordered if r.then.outcome is not None]
    attached = [r for r in ordered if r.then.outcome is None]
    matches = [compile_when(r.when, params).alias(RULE + r.id) for r in ordered]
    matched = lists_from_bits([pl.col(RULE + r.id) for r in ordered], [[r.id] for r in ordered])
    chosen = [pl.col("chosen_rule") == r.id for r in deciding]
    attached_hits = [pl.col(RULE + r.id) for r in attached]
    flags = lists_from_bits(
        [*chosen, *attached_hits], [[f.value for f in r.flags] for r in (*deciding, *attached)]
    )
    conditions = lists_from_bits(
        [*chosen, *attached_hits], [r.then.conditions for r in (*deciding, *attached)]
    )
    program_types = lists_from_bits(chosen, [r.then.program_types for r in deciding])
    return (
        frame.lazy()
        .with_columns(parameter_expr(p, date).alias(PARAM + name) for name, p in pack.parameters.items())
        .with_columns(**findings)
        .with_columns(matches)
        .with_columns(
            pl.lit(pack.id).alias("policy_id"),
            pl.lit(pack.version).alias("policy_version"),
            _choose(deciding, "outcome").alias("outcome"),
            _choose(deciding, "id").alias("chosen_rule"),
            matched.alias("matched_rules"),
        )
        .with_columns(
            flags.alias("flags"), conditions.alias("conditions"), program_types.alias("program_types")
        )
    )


def evaluate_traced(frame: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> pl.DataFrame:
    """`evaluate` plus the trace: every input fact, `param__<name>` values and `rule__<id>` matches."""
    return _frame(frame, pack, on).collect()


def evaluate(frame: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> pl.DataFrame:
    """One row per case: the outcome, every matched rule (by precedence), the chosen rule, flags, program
    types, conditions, overdose responses and every finding with its reasons.

    `frame` has EVAL_COLUMNS (see `frame.case_frame`); parameters are those in force on each case's
    received_date, or on `on` when given."""
    columns = [*OUTPUT_HEAD, *finding_columns()]
    return _frame(frame, pack, on).select(columns).collect()


def explain(frame_one_row: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> Explanation:
    """The full explanation of one case (see `evaluation.explain`): the same expressions as `evaluate`."""
    from offramp.core.evaluation.explain import explain as explain_one

    return explain_one(frame_one_row, pack, on=on)
