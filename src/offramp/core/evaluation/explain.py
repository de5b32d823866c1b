"""`explain`: the full, JSON-able account of one case's evaluation.

It runs `engine.evaluate_traced` — the same expressions as bulk evaluation — on the one-row frame and
reads the explanation off the result, adding only the pack's text (because, references, parameter dates).
So an explanation can never disagree with the bulk result (tests/unit/evaluation/test_single_equals_bulk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from offramp.core.evaluation.criteria import CRITERIA
from offramp.core.evaluation.engine import PARAM, RULE, evaluate_traced
from offramp.core.evaluation.frame import EVAL_COLUMNS
from offramp.core.policy.pack import Pack, Parameter


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Explanation:
    """Why one case got its recommendation: everything a stored decision keeps as its trace."""

    policy_id: str
    policy_version: str
    office: str
    case_key: str
    evaluated_on: dt.date | None
    outcome: str | None
    chosen_rule: str | None
    because: str | None
    flags: list[str]
    program_types: list[str]
    conditions: list[str]
    overdose_responses: list[str]
    parameters: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    matched_rules: list[dict[str, Any]]
    facts: dict[str, Any]
    #: what the recommendation was made without, or with, that a reader must know (SUD_SCREEN_NOTES)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (dates as ISO text)."""
        result: dict[str, Any] = _jsonable(asdict(self))
        return result

    def to_text(self) -> str:
        """The explanation for a person to read (the `offramp explain` output)."""
        lines = [
            f"case {self.case_key} under {self.policy_id} {self.policy_version} ({self.office})",
            f"recommendation: {self.outcome} (rule {self.chosen_rule})",
            f"  because: {self.because}",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        for label, items in (
            ("flags", self.flags),
            ("program types", self.program_types),
            ("conditions", self.conditions),
            ("overdose responses", self.overdose_responses),
        ):
            if items:
                lines.append(f"  {label}: {'; '.join(items)}")
        lines.append("findings:")
        for f in self.findings:
            lines.append(f"  {f['name']}: {f['value']}")
            for key in ("present", "absent", "unknown"):
                if f.get(key):
                    lines.append(f"    {key}: {', '.join(f[key])}")
        lines.append("matched rules (highest precedence first):")
        for r in self.matched_rules:
            mark = "*" if r["id"] == self.chosen_rule else "-"
            lines.append(f"  {mark} {r['id']} [precedence {r['precedence']}] -> {r['outcome'] or 'attached'}")
            lines.append(f"      because: {r['because']}")
            lines.append(f"      reference: {r['reference']}")
        lines.append("parameters:")
        for p in self.parameters:
            period = f"{p['from']} to {p['to'] or 'open'}"
            lines.append(f"  {p['name']} = {p['value']} (in force {period}; {p['reference']})")
        lines.append("facts used:")
        lines += [f"  {k}: {'unknown' if v is None else v}" for k, v in self.facts.items()]
        return "\n".join(lines)


#: the explanation's note for each `sud_screen` value that needs one (42 CFR Part 2: the reader must know
#: whether the recommendation rests on a screening result, and when one was withheld, that it was)
SUD_SCREEN_NOTES = {
    "withheld": (
        "Made without SUD screening results: a screening is on file, but no 42 CFR Part 2 consent lets "
        "this evaluation use it."
    ),
    "positive": "Uses a SUD screening result (positive screen) that 42 CFR Part 2 consent allows.",
    "negative": "Uses a SUD screening result (negative screen) that 42 CFR Part 2 consent allows.",
}


def _period(param: Parameter, on: dt.date | None) -> tuple[dt.date | None, dt.date | None, Any]:
    """(from, to, raw value) of the period in force on `on`; Nones if none is."""
    for i, p in enumerate(param.values):
        end = p.end or (param.values[i + 1].start if i + 1 < len(param.values) else None)
        if on is not None and p.start <= on and (end is None or on < end):
            return p.start, end, p.value
    return None, None, None


def explain(frame_one_row: pl.DataFrame, pack: Pack, *, on: dt.date | None = None) -> Explanation:
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
        }
        for r in (by_id[i] for i in row["matched_rules"])
        if row[RULE + r.id]
    ]
    chosen = row["chosen_rule"]
    return Explanation(
        policy_id=pack.id,
        policy_version=pack.version,
        office=pack.office,
        case_key=row["case_key"],
        evaluated_on=date,
        outcome=row["outcome"],
        chosen_rule=chosen,
        because=by_id[chosen].because if chosen else None,
        flags=row["flags"],
        program_types=row["program_types"],
        conditions=row["conditions"],
        overdose_responses=row["overdose_responses"],
        parameters=parameters,
        findings=findings,
        matched_rules=matched,
        facts={name: row[name] for name in EVAL_COLUMNS},
        notes=[SUD_SCREEN_NOTES[row["sud_screen"]]] if row["sud_screen"] in SUD_SCREEN_NOTES else [],
    )
