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
from offramp.core.evaluation.criteria.eligibility import OPTION_INFO, unknown_facts
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


#: seller roles whose quantity may bring a trafficking charge (the pack's safety-valve rule reads the same)
SAFETY_VALVE_ROLES = ("courier", "mid_level", "trafficking_weight")


def plea_options(row: dict[str, Any], pack: Pack) -> list[dict[str, Any]]:
    """The pack's plea options in its order of preference, each read off the row's findings: eligible or
    not, and why (the option's lines of `eligibility_reasons`; for the safety valve, its own reason lists).
    A reading of findings, not a new rule, so it lives here and costs the bulk evaluation nothing."""
    if pack.plea is None:
        return []
    out = []
    for option in pack.plea.order:
        finding, reference, conviction, summary = OPTION_INFO[option]
        eligible = bool(row[finding])
        if option == "safety_valve":
            reasons = [f"safety_valve: not eligible: {n}" for n in row.get(f"{finding}__absent") or []]
            reasons += [f"safety_valve: unknown: {n}" for n in row.get(f"{finding}__unknown") or []]
            # a trafficking provision: it matters only where a 16-13-31 charge is filed or could be
            if row["offense_kind"] != "trafficking" and row["seller_role"] not in SAFETY_VALVE_ROLES:
                eligible = False
                reasons = ["safety_valve: not relevant: no trafficking charge (O.C.G.A. 16-13-31 only)"]
        else:
            reasons = [r for r in row["eligibility_reasons"] or [] if r.startswith(option + ":")]
            reasons += unknown_facts(option, row)
            if option == "accountability_court" and row["veteran"]:
                reasons.append("accountability_court: veteran (a veterans court division may take the case)")
        if eligible:
            reasons = [f"{option}: {summary}", *reasons]
        out.append(
            {"option": option, "eligible": eligible, "reasons": reasons, "reference": reference,
             "conviction_for_immigration": conviction}
        )  # fmt: skip
    return out


def immigration_text(row: dict[str, Any], options: list[dict[str, Any]]) -> str | None:
    """The warning's words, when the engine's `immigration_warning` holds (noncitizen true or unknown, and
    an outcome that may end in a conviction under 8 U.S.C. 1101(a)(48)(A))."""
    if not row["immigration_warning"]:
        return None
    who = "The person is not a U.S. citizen" if row["noncitizen"] else "Citizenship is not on file"
    text = (
        f"{who}. A plea of guilty or nolo contendere, or an admission of facts, with any probation or other "
        "restraint counts as a conviction for immigration purposes (8 U.S.C. 1101(a)(48)(A)) even when "
        "adjudication is withheld: conditional discharge, First Offender and post-plea programs included. "
        "Defence counsel must advise on the risk of deportation (Padilla v. Kentucky, 559 U.S. 356 (2010))."
    )
    pre_plea = [o["option"] for o in options if o["eligible"] and not o["conviction_for_immigration"]]
    if pre_plea:
        text += (
            f" Non-conviction alternative on the facts: {', '.join(pre_plea)} without a plea or admission."
        )
    return text


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
    # a declination files nothing, so there is no plea to offer (and no immigration consequence of one)
    options = [] if row["outcome"] == "decline" else plea_options(row, pack)
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
            charge_guidance=[
                {"code": c, **pack.charge_guidance[c].model_dump()}
                for c in row["charge_guidance"] or []
                if c in pack.charge_guidance
            ],
            plea_options=options,
            plea_preferred=pack.plea.preferred_outcome if pack.plea else None,
            immigration_warning=row["immigration_warning"],
            immigration_text=immigration_text(row, options),
            notes=[SUD_SCREEN_NOTES[row["sud_screen"]]] if row["sud_screen"] in SUD_SCREEN_NOTES else [],
        )
    )
