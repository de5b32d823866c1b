"""Evaluate generated cases with each shipped policy pack: the Polars engine beside (a) a straightforward
per-row pure-Python evaluation of the same pack and (b) the same pack's rules hand-written as one DuckDB
SQL query, in the same run; plus single-case `explain` p95.

    .venv/bin/python bench/bench_evaluate.py                      # 1,000,000 cases; Python on 100,000
    .venv/bin/python bench/bench_evaluate.py --n 200000 --python-n 20000

Like for like: the engine is timed at four output widths, each computed by the same expressions (`evaluate`
with `columns=` / `reasons=`; projection pushdown leaves out what a width does not need):

    full       every column `evaluate` returns: outcome, chosen rule, matched rules, flags, program types,
               conditions, overdose responses, every finding value and its present/absent/unknown reasons
    no-reasons the same without the reason lists (`reasons=False`; `offramp evaluate --no-reasons`)
    matched    case key, outcome and matched rule ids: what the per-row Python baseline (a) computes
    outcome    case key and outcome: what the DuckDB baseline (b) computes

(a) is compared with `matched`, (b) with `outcome`; the other ratios are printed too. Each engine width
and the DuckDB query get one untimed warm-up run, then the best of `--repeat` timed runs. The DuckDB query
has the public-health / traditional parameter values written in as constants (the engine looks each one up
by date and drug) and returns rows in no set order (no ORDER BY). Outcomes (and, for (a), matched rules) are
checked against the engine's on the same rows, so a mismatch shows here as a failed agreement count.
Peak memory is ru_maxrss (process-wide, never decreases): each line shows the peak so far.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import time
from typing import Any

import duckdb
import polars as pl

from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_offramp_rows
from offramp.core.generate import generate_cases
from offramp.core.policy import Pack, resolve_pack
from offramp.core.policy.conditions import is_unconditional

OPIOIDS = {"fentanyl", "heroin", "prescription_opioid"}
SALE = {"possession_with_intent", "delivery", "manufacture"}  # a trafficking charge shows weight, not selling


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- (a) per-row pure Python ------------------------------------------------------------------------------


def param_value(pack: Pack, name: str, row: dict[str, Any]) -> float | None:
    values = pack.parameters[name].values
    for i, p in enumerate(values):
        end = p.end or (values[i + 1].start if i + 1 < len(values) else None)
        if p.start <= row["received_date"] and (end is None or row["received_date"] < end):
            if isinstance(p.value, dict):
                value: Any = p.value.get(row["drug"] or "", p.value["default"])
                return float(value)
            return float(p.value)
    return None


def gt(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a > b


def findings_py(pack: Pack, row: dict[str, Any]) -> dict[str, Any]:
    p: dict[str, Any] = {n: param_value(pack, n, row) for n in pack.parameters}
    t = row
    q = row["quantity_g"]
    if q is None and row["dosage_units"] is not None:
        q = row["dosage_units"] * p["dosage_unit_grams"]
    weak = sum(
        [bool(t["packaging"]), bool(t["scales_or_ledgers"]), gt(t["cash_usd"], p["large_cash_usd"] - 1e-9),
         gt(q, p["personal_use_grams"])]
    )  # fmt: skip
    selling = t["offense_kind"] in SALE or bool(t["sale_to_minor"]) or weak >= 2
    trafficking = q is not None and q >= p["trafficking_grams"]
    use = bool(t["injection_use"]) or bool(t["prior_overdose"]) or t["offense_kind"] == "possession"
    if t["organizer_role"] or t["trafficking_org_ties"]:
        role = "high_level"
    elif trafficking and selling:
        role = "courier"
    elif trafficking:
        role = "trafficking_weight"
    elif selling and gt(q, p["mid_level_grams"]):
        role = "mid_level"
    elif selling and not gt(q, p["subsistence_sale_grams"]) and use:
        role = "user_seller"
    elif selling:
        role = "street_seller"
    else:
        role = "user"
    victim = gt(t["victim_count"], 0)
    last, lookback = t["last_violent_conviction_year"], p.get("violent_lookback_years")
    received = t["received_date"].year if t["received_date"] is not None else None
    violent = gt(t["prior_violent"], 0) and (
        last is None or lookback is None or received is None or received - last <= lookback
    )
    school = bool(t["near_school"]) and t["offense_kind"] in (
        "possession_with_intent",
        "delivery",
        "manufacture",
    )
    harmed = t["death_or_serious_injury"]
    safety = any(
        [t["weapon_in_connection"], t["violence"], t["sale_to_minor"], school, victim, harmed, violent]
    )
    valve = not t["organizer_role"] and t["organizer_role"] is not None
    valve = valve and t["weapon_in_connection"] is False and harmed is False and t["prior_felonies"] == 0
    recent = t["days_since_release"] is not None and t["days_since_release"] <= p["release_window_days"]
    risk = any([t["drug"] in OPIOIDS, t["injection_use"], t["prior_overdose"], recent])
    proxy, screen = bool(t["injection_use"] or t["prior_overdose"]), t["sud_screen"]
    used = screen in ("positive", "negative", "taps2_needed", "alcohol_or_tobacco")
    return {**row, "seller_role": role, "public_safety_concern": bool(safety), "victim_involved": victim,
            "safety_valve_eligible": bool(valve),
            "overdose_risk": bool(risk), "sud_indicated": screen == "positive" or proxy,
            "refer_for_clinical_assessment": used and screen != "positive" and proxy,
            "alcohol_or_tobacco_need": screen == "alcohol_or_tobacco",
            "personal_use_quantity": q is not None and q <= p["personal_use_grams"],
            "needs": [], "__params": p}  # fmt: skip


def holds(when: Any, row: dict[str, Any]) -> bool:
    if is_unconditional(when):
        return True
    if "all" in when:
        return all(holds(c, row) for c in when["all"])
    if "any" in when:
        return any(holds(c, row) for c in when["any"])
    if "not" in when:
        return not holds(when["not"], row)
    if "finding" in when:
        v = row[when["finding"]]
        if "is" in when:
            return bool(v == when["is"])
        if "in" in when:
            return v in when["in"]
        return when["contains"] in v
    v = row[when["fact"]]
    if "unknown" in when:
        return (v is None) == bool(when["unknown"])
    op = next(k for k in ("is", "eq", "ne", "lt", "lte", "gt", "gte", "in") if k in when)
    rhs = when[op]
    if isinstance(rhs, dict):
        rhs = row["__params"][rhs["param"]]
    if v is None or rhs is None:
        return False
    ops = {"is": v == rhs, "eq": v == rhs, "ne": v != rhs, "in": op == "in" and v in rhs}
    if op in ops:
        return bool(ops[op])
    return bool({"lt": v < rhs, "lte": v <= rhs, "gt": v > rhs, "gte": v >= rhs}[op])


def evaluate_python(frame: pl.DataFrame, pack: Pack) -> list[tuple[str | None, list[str]]]:
    ordered = pack.ordered_rules()
    out = []
    for row in frame.iter_rows(named=True):
        r = findings_py(pack, row)
        matched = [rule for rule in ordered if holds(rule.when, r)]
        chosen = next((m for m in matched if m.then.outcome is not None), None)
        # legal bars come before any rule: one that holds declines (the generator leaves the facts they
        # read unknown, so none holds here, and the DuckDB query has no bars)
        if any(holds(bar.when, r) for bar in pack.bars):
            out.append(("decline", [m.id for m in matched]))
            continue
        out.append((str(chosen.then.outcome) if chosen else None, [m.id for m in matched]))
    return out


# --- (b) hand-written DuckDB SQL ------------------------------------------------------------------------

FINDINGS_SQL = """
WITH p AS (
  SELECT *,
    CASE WHEN received_date < DATE '2025-01-01' THEN 3.0 WHEN drug = 'cannabis' THEN 28.35 ELSE 3.0 END AS personal,
    CASE WHEN drug IN ('heroin','fentanyl','prescription_opioid') THEN 4.0 WHEN drug = 'cannabis' THEN 28.35
         ELSE 6.0 END AS subsistence,
    CASE WHEN drug IN ('heroin','fentanyl','prescription_opioid') THEN 4.0 WHEN drug = 'cannabis' THEN 453.6
         ELSE 14.0 END AS mid,
    CASE WHEN drug IN ('heroin','fentanyl','prescription_opioid') THEN 4.0 WHEN drug = 'cannabis' THEN 4536.0
         ELSE 28.0 END AS traff,
    coalesce(quantity_g, dosage_units * 0.1) AS qty
  FROM cases
), i AS (
  SELECT *,
    (coalesce(packaging, false)::INT + coalesce(scales_or_ledgers, false)::INT + coalesce(cash_usd >= 1000, false)::INT
     + coalesce(qty > personal, false)::INT) AS weak,
    offense_kind IN ('possession_with_intent','delivery','manufacture') AS sale_charge,
    coalesce(qty >= traff, false) AS trafficking
  FROM p
), f AS (
  SELECT case_key, received_date, offense_kind, severity, quantity_g, qty, personal, prior_felonies,
    weapon_in_connection, violence, sale_to_minor, death_or_serious_injury,
    CASE WHEN coalesce(organizer_role, false) OR coalesce(trafficking_org_ties, false) THEN 'high_level'
         WHEN trafficking AND (coalesce(sale_charge, false) OR coalesce(sale_to_minor, false) OR weak >= 2)
              THEN 'courier'
         WHEN trafficking THEN 'trafficking_weight'
         WHEN (coalesce(sale_charge, false) OR coalesce(sale_to_minor, false) OR weak >= 2)
              AND coalesce(qty > mid, false) THEN 'mid_level'
         WHEN (coalesce(sale_charge, false) OR coalesce(sale_to_minor, false) OR weak >= 2)
              AND NOT coalesce(qty > subsistence, false)
              AND coalesce(injection_use OR prior_overdose OR offense_kind = 'possession', false) THEN 'user_seller'
         WHEN coalesce(sale_charge, false) OR coalesce(sale_to_minor, false) OR weak >= 2 THEN 'street_seller'
         ELSE 'user' END AS role,
    coalesce(weapon_in_connection, false) OR coalesce(violence, false) OR coalesce(sale_to_minor, false)
      OR coalesce(near_school AND offense_kind IN ('possession_with_intent','delivery','manufacture'), false)
      OR coalesce(victim_count > 0, false) OR coalesce(death_or_serious_injury, false)
      OR coalesce(prior_violent > 0 AND (last_violent_conviction_year IS NULL
                  OR year(received_date) - last_violent_conviction_year <= 10), false)
      AS safety,
    coalesce(injection_use, false) OR coalesce(prior_overdose, false) AS sud
  FROM i
)
"""

OUTCOME_SQL = {
    "public-health": """
SELECT case_key, CASE
  WHEN role = 'high_level' THEN 'prosecute'
  WHEN coalesce(death_or_serious_injury, false) THEN 'prosecute'
  WHEN coalesce(violence, false) OR coalesce(weapon_in_connection, false) OR coalesce(sale_to_minor, false)
       THEN 'prosecute'
  WHEN role IN ('courier','mid_level') THEN 'charge_with_plea_guidance'
  WHEN role = 'trafficking_weight' AND sud AND NOT safety THEN 'pre_charge_diversion'
  WHEN role IN ('user_seller','street_seller') AND sud AND NOT safety THEN 'pre_charge_diversion'
  WHEN role IN ('user_seller','street_seller') AND NOT safety THEN 'pre_charge_diversion'
  WHEN role IN ('user_seller','street_seller') THEN 'post_charge_diversion'
  WHEN role = 'user' AND offense_kind IN ('possession','paraphernalia') AND NOT safety
       AND (offense_kind = 'paraphernalia' OR coalesce(qty <= personal, false)) THEN 'decline'
  WHEN role = 'user' AND sud AND NOT safety THEN 'pre_charge_diversion'
  WHEN role = 'user' AND NOT safety THEN 'pre_charge_diversion'
  WHEN role = 'user' THEN 'post_charge_diversion'
  ELSE 'charge_with_plea_guidance' END AS outcome FROM f""",
    "traditional": """
SELECT case_key, CASE
  WHEN role IN ('high_level','courier','trafficking_weight','mid_level') THEN 'prosecute'
  WHEN coalesce(death_or_serious_injury, false) THEN 'prosecute'
  WHEN coalesce(violence, false) OR coalesce(weapon_in_connection, false) OR coalesce(sale_to_minor, false)
       THEN 'prosecute'
  WHEN role IN ('street_seller','user_seller') THEN 'prosecute'
  WHEN severity = 'misdemeanor' AND prior_felonies = 0 THEN 'post_charge_diversion'
  WHEN role = 'user' THEN 'charge_with_plea_guidance'
  ELSE 'prosecute' END AS outcome FROM f""",
}


def evaluate_duckdb(con: duckdb.DuckDBPyConnection, pack_id: str) -> pl.DataFrame:
    table = con.sql(FINDINGS_SQL + OUTCOME_SQL[pack_id]).to_arrow_table()
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    return result


WIDTHS: dict[str, tuple[str, dict[str, Any]]] = {
    "full": ("all findings + reasons, matched rules, flags, conditions", {}),
    "no-reasons": ("findings, matched rules, flags, conditions; no reasons", {"reasons": False}),
    "matched": (
        "outcome + matched rule ids, like (a)",
        {"columns": ["case_key", "outcome", "matched_rules"]},
    ),
    "outcome": ("outcome only, like (b)", {"columns": ["case_key", "outcome"]}),
}


def best_of(repeat: int, run: Any) -> tuple[float, Any]:
    """(best wall time in s, last result) of `repeat` runs after one untimed warm-up run."""
    result = run()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--python-n", type=int, default=100_000, help="rows for the per-row Python baseline")
    parser.add_argument("--explain-n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per engine width and DuckDB")
    args = parser.parse_args()

    frame = frame_from_offramp_rows(generate_cases(args.n, 1))
    print(f"cases {frame.height:,}; peak memory after generating {peak_rss_mb():,.0f} MB")
    con = duckdb.connect()
    con.register("cases", frame.to_arrow())
    for pack_id in ("public-health", "traditional"):
        pack = resolve_pack(pack_id)
        print()
        seconds: dict[str, float] = {}
        result = pl.DataFrame()
        for width, (what, kwargs) in WIDTHS.items():
            seconds[width], out = best_of(args.repeat, lambda kw=kwargs, p=pack: evaluate(frame, p, **kw))
            result = out if width == "full" else result
            print(f"[{pack_id}] engine {width:<10} {seconds[width]:6.2f} s  {args.n / seconds[width]:>12,.0f} "
                  f"rows/s  ({what}; {out.width} columns)  peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip
        duck_s, sql = best_of(args.repeat, lambda p=pack_id: evaluate_duckdb(con, p))
        joined = result.select("case_key", "outcome").join(sql, on="case_key", how="left", suffix="_sql")
        agree = int((joined["outcome"] == joined["outcome_sql"]).sum())
        ratios = ", ".join(f"{w} {seconds[w] / duck_s:.2f}x" for w in WIDTHS)
        print(f"[{pack_id}] (b) duckdb SQL     {duck_s:6.2f} s  {args.n / duck_s:>12,.0f} rows/s  (outcome only; "
              f"agrees on {agree:,}/{args.n:,})  engine/duckdb: {ratios}  "
              f"[like for like: outcome {seconds['outcome'] / duck_s:.2f}x]")  # fmt: skip
        sample = frame.head(args.python_n)
        started = time.perf_counter()
        py = evaluate_python(sample, pack)
        py_s = time.perf_counter() - started
        py_rate = args.python_n / py_s
        same = sum(
            o == e and m == em
            for (o, m), e, em in zip(
                py,
                result["outcome"].head(args.python_n).to_list(),
                result["matched_rules"].head(args.python_n).to_list(),
                strict=True,
            )
        )
        faster = ", ".join(f"{w} {args.n / seconds[w] / py_rate:.0f}x" for w in WIDTHS)
        print(f"[{pack_id}] (a) per-row Python {py_s:6.2f} s on {args.python_n:,} rows = {py_rate:,.0f} rows/s "
              f"(outcome + matched rules; agrees on {same:,}/{args.python_n:,}); engine faster per row: "
              f"{faster}  [like for like: matched {args.n / seconds['matched'] / py_rate:.0f}x]")  # fmt: skip
        explain(frame.head(1), pack)  # warm-up (compiles the pack's expressions once)
        times = []
        for i in range(args.explain_n):
            one = frame.slice(i * 997 % frame.height, 1)
            started = time.perf_counter()
            explain(one, pack)
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"[{pack_id}] explain one case p95 {p95:.1f} ms (median {statistics.median(times):.1f} ms, "
              f"{args.explain_n} cases)")  # fmt: skip
    print(f"\nfinal peak memory {peak_rss_mb():,.0f} MB; run on {dt.date.today()}")


if __name__ == "__main__":
    main()
