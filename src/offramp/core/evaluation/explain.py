"""`explain`: the full, JSON-able account of one case's evaluation.

It runs `engine.evaluate_traced` — the same expressions as bulk evaluation — on the one-row frame and
reads the explanation off the result, adding only the pack's text (because, references, parameter dates).
So an explanation can never disagree with the bulk result (tests/unit/evaluation/test_single_equals_bulk).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from offramp.core.decision.trace import DecisionTrace
from offramp.core.evaluation.criteria import CRITERIA
from offramp.core.evaluation.engine import PARAM, RULE, evaluate_traced
from offramp.core.evaluation.frame import EVAL_COLUMNS
from offramp.core.policy.conditions import names_read
from offramp.core.policy.pack import Pack, Parameter


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


#: the explanation is the decision trace (core.decision.trace): one typed object, one schema
Explanation = DecisionTrace


#: the explanation's note for each `sud_screen` value that needs one (42 CFR Part 2: the reader must know
#: whether the recommendation rests on a screening result, and when one was withheld, that it was)
SUD_SCREEN_NOTES = {
    "withheld": (
        "Made without SUD screening results: a screening is on file, but no 42 CFR Part 2 consent lets "
        "this evaluation use it."
    ),
    "positive": "Uses a SUD screening result (positive screen) that 42 CFR Part 2 consent allows.",
    "negative": "Uses a SUD screening result (negative screen) that 42 CFR Part 2 consent allows.",
    "taps2_needed": (
        "Uses a SUD screening result (TAPS-1 reported use; TAPS-2 needed, not a positive screen) that 42 CFR "
        "Part 2 consent allows."
    ),
    "alcohol_or_tobacco": (
        "Uses a SUD screening result (TAPS-2 higher risk for alcohol or tobacco only, not drug evidence) that "
        "42 CFR Part 2 consent allows."
    ),
}


def _period(param: Parameter, on: dt.date | None) -> tuple[dt.date | None, dt.date | None, Any]:
    """(from, to, raw value) of the period in force on `on`; Nones if none is."""
    for i, p in enumerate(param.values):
        end = p.end or (param.values[i + 1].start if i + 1 < len(param.values) else None)
        if on is not None and p.start <= on and (end is None or on < end):
            return p.start, end, p.value
    return None, None, None


def explain(frame_one_row: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> DecisionTrace:
    """The explanation of the single case in `frame_one_row` (EVAL_COLUMNS) under `pack`."""
    if frame_one_row.height != 1:
        raise ValueError(f"explain takes a frame of exactly one case, not {frame_one_row.height} rows")
    row = evaluate_traced(frame_one_row, pack, on=on).row(0, named=True)
    date = on or row["received_date"]
    parameters = []
    for name, param in pack.parameters.items():
        start, end, raw = _period(param, date)
        parameters.append(
            {"name": name, "value": row[PARAM + name], "declared": raw, "from": start, "to": end,
             "unit": param.unit, "reference": param.reference}
        )  # fmt: skip
    findings = []
    for criterion in CRITERIA:
        for f in criterion.findings:
            findings.append(
                {
                    "name": f.name,
                    "value": row[f.name],
                    "present": row.get(f"{f.name}__present", []),
                    "absent": row.get(f"{f.name}__absent", []),
                    "unknown": row.get(f"{f.name}__unknown", []),
                    "description": criterion.description,
                    "reference": criterion.reference,
                }
            )
    by_id = {r.id: r for r in pack.rules}
    matched = [
        {
            "id": r.id,
            "precedence": r.precedence,
            "outcome": str(r.then.outcome) if r.then.outcome else None,
            "program_types": list(r.then.program_types),
            "conditions": list(r.then.conditions),
            "because": r.because,
            "reference": r.reference,
            "flags": [str(f) for f in r.flags],
            "reads": names_read(r.when),
        }
        for r in (by_id[i] for i in row["matched_rules"])
        if row[RULE + r.id]
    ]
    bars = {b.id: b for b in pack.bars}
    held = [
        {"id": b.id, "because": b.because, "reference": b.reference, "reads": names_read(b.when)}
        for b in (bars[i] for i in row["bars"])
    ]
    chosen = row["chosen_rule"]
    decider = bars.get(chosen) or by_id.get(chosen) if chosen else None
    return DecisionTrace.model_validate(
        dict(
            policy_id=pack.id,
            policy_version=pack.version,
            office=pack.office,
            case_key=row["case_key"],
            evaluated_on=date,
            outcome=row["outcome"],
            chosen_rule=chosen,
            because=decider.because if decider else None,
            flags=row["flags"],
            program_types=row["program_types"],
            conditions=row["conditions"],
            overdose_responses=row["overdose_responses"],
            parameters=parameters,
            findings=findings,
            matched_rules=matched,
            facts={name: _jsonable(row[name]) for name in EVAL_COLUMNS},
            bars=held,
            notes=[SUD_SCREEN_NOTES[row["sud_screen"]]] if row["sud_screen"] in SUD_SCREEN_NOTES else [],
        )
    )
