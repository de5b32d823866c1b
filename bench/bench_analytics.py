"""Metrics and Relative Rate Index on 1,000,000 synthetic de-identified cases, beside a naive baseline.

    .venv/bin/python bench/bench_analytics.py                 # 1,000,000 cases
    .venv/bin/python bench/bench_analytics.py --n 200000 --repeat 3

What is timed (best of `--repeat` runs after one untimed warm-up):

    metrics <b>   `compute(frame, by=(b,), period="year")`: every metric, one breakdown, by year
    metrics all   `compute(frame, by=BREAKDOWNS, period="year")`: every metric, all nine breakdowns
    rri           `rri(frame, by="race", within="offense_kind", period="year")`: every decision point,
                  crude + per stratum + Mantel-Haenszel

Baseline in the same run (once, it is slow): the naive way, one `filter` of the frame per metric x period x
group (and per decision point x period x stratum x group for the RRI), each followed by its own sums. The
naive results are checked against `compute` / `rri` (numerators, denominators and values), so a mismatch
shows as a failed agreement count. Peak memory is ru_maxrss (process-wide, never decreases): each line
shows the peak so far.

The frame is generated here with NumPy (seeded): the simulator's engine output is not needed to time the
arithmetic, only realistic cardinalities (8 races, 7 offence kinds, 6 seller roles, 3 years).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from offramp.core.analytics import BREAKDOWNS, METRICS, Decision, compute, conform, rri
from offramp.core.analytics.disparity import DECISION_POINTS
from offramp.core.analytics.metrics import Aggregation
from offramp.core.enums import DispositionKind, Drug, Ethnicity, OffenseKind, Race, Severity, Sex
from offramp.core.evaluation.criteria.enums import SellerRole


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n: int, seed: int = 1) -> pl.DataFrame:
    """`n` cases following ANALYTICS_SCHEMA, with a plausible funnel (declined, diverted, charged ...)."""
    rng = np.random.default_rng(seed)

    def pick(values: list[str], p: list[float] | None = None) -> np.ndarray:
        return rng.choice(np.array(values), size=n, p=p)

    def flag(p: float) -> np.ndarray:
        return rng.random(n) < p

    def days(low: int, high: int) -> np.ndarray:
        return rng.integers(low, high, n).astype("timedelta64[D]")

    received = np.datetime64("2023-01-01") + days(0, 3 * 365)
    entered = received + days(5, 40)
    raw = pl.DataFrame(
        {
            "case_key": np.arange(n).astype(str),
            "received_date": received,
            "race": pick(Race.values()),
            "ethnicity": pick(Ethnicity.values()),
            "sex": pick(Sex.values(), [0.7, 0.25, 0.02, 0.03]),
            "age": rng.integers(15, 80, n),
            "offense_kind": pick(OffenseKind.values()),
            "drug": pick(Drug.values()),
            "severity": pick(Severity.values()),
            "seller_role": pick(SellerRole.values()),
            "overdose_risk": flag(0.4),
            "victim_involved": flag(0.1),
            "__decided": flag(0.95),
            "__decision": pick([d.value for d in Decision], [0.2, 0.25, 0.55]),
            "__decided_on": received + days(0, 90),
            "__offer": flag(0.5),
            "__accept": flag(0.7),
            "__known": flag(0.8),
            "__completed": flag(0.65),
            "program_entered_on": entered,
            "program_exited_on": entered + days(30, 400),
            "__disposed": flag(0.8),
            "__disposition": pick(DispositionKind.values()),
            "__post": flag(0.1),
            "__jail": flag(0.4),
            "naloxone_given": flag(0.5),
            "moud_linked": flag(0.2),
            "__ordered": flag(0.05),
            "restitution_ordered_usd": rng.integers(50, 5000, n).astype(float),
            "restitution_collected_usd": rng.integers(0, 50, n).astype(float),
            "__contacted": flag(0.07),
            "victim_contacted_on": received + days(0, 30),
            "__new1": flag(0.2),
            "__window3": flag(0.5),
            "__new3": flag(0.35),
        }
    )
    c = pl.col
    frame = (
        raw.with_columns(decision=pl.when(c("__decided")).then(c("__decision")))
        .with_columns(
            decided_on=pl.when(c("__decided")).then(c("__decided_on")),
            diversion_offered=(c("__offer") & c("decision").is_in(["diverted_pre_filing", "charged"]))
            | (c("decision") == "diverted_pre_filing"),
        )
        .with_columns(
            diversion_accepted=(c("diversion_offered") & c("__accept"))
            | (c("decision") == "diverted_pre_filing")
        )
        .with_columns(__known=c("diversion_accepted") & c("__known"))
        .with_columns(
            diversion_completed=pl.when(c("__known")).then(c("__completed")),
            diversion_returned=c("__known") & ~c("__completed"),
            program_entered_on=pl.when(c("diversion_accepted")).then(c("program_entered_on")),
            program_exited_on=pl.when(c("__known")).then(c("program_exited_on")),
            new_case_within_1y=pl.when(c("__known")).then(c("__new1")),
            new_case_within_3y=pl.when(c("__known") & c("__window3")).then(c("__new3")),
        )
        .with_columns(filed=(c("decision") == "charged").fill_null(False) | c("diversion_returned"))
        .with_columns(
            diverted_post_filing=c("filed") & c("__post"),
            disposition=pl.when(c("filed") & c("__disposed")).then(c("__disposition")),
        )
        .with_columns(
            incarcerated=c("disposition").is_in(["plea_guilty", "finding_guilty"]) & c("__jail"),
            restitution_ordered_usd=pl.when(c("__ordered")).then(c("restitution_ordered_usd")),
            restitution_collected_usd=pl.when(c("__ordered")).then(c("restitution_collected_usd")),
            victim_contacted_on=pl.when(c("victim_involved") & c("__contacted")).then(
                c("victim_contacted_on")
            ),
        )
    )
    return conform(frame)


# --- naive baselines -------------------------------------------------------------------------------------


def naive_metrics(frame: pl.DataFrame, by: str) -> dict[tuple[str, str, str], tuple[Any, Any, Any]]:
    """One filter per period x group, one select per metric: (metric, period, group) -> (num, den, value)."""
    keyed = frame.with_columns(pl.col("received_date").dt.strftime("%Y").alias("__period"))
    out: dict[tuple[str, str, str], tuple[Any, Any, Any]] = {}
    for period in keyed["__period"].unique().to_list():
        for group in keyed[by].unique().to_list():
            part = keyed.filter((pl.col("__period") == period) & (pl.col(by) == group))
            for m in METRICS:
                num = part.select(m.numerator.cast(pl.Float64).sum()).item()
                if m.aggregation in (Aggregation.COUNT, Aggregation.SUM):
                    out[(m.id, period, group)] = (num, None, num)
                    continue
                assert m.denominator is not None
                den = part.select(m.denominator.cast(pl.Float64).sum()).item()
                if m.aggregation is Aggregation.RATE:
                    out[(m.id, period, group)] = (num, den, num / den if den else None)
                else:
                    measured = part.select(m.numerator.is_not_null().sum()).item()
                    median = part.select(m.numerator.cast(pl.Float64).median()).item()
                    out[(m.id, period, group)] = (measured, den, median)
    return out


def naive_rri_counts(
    frame: pl.DataFrame, by: str, within: str
) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    """One filter per period x stratum x group and point: (point, period, stratum, group) -> (a, n)."""
    keyed = frame.with_columns(pl.col("received_date").dt.strftime("%Y").alias("__period"))
    out = {}
    for period in keyed["__period"].unique().to_list():
        for stratum in keyed[within].unique().to_list():
            for group in keyed[by].unique().to_list():
                for p in DECISION_POINTS:
                    part = keyed.filter(
                        (pl.col("__period") == period) & (pl.col(within) == stratum) & (pl.col(by) == group)
                    )
                    a, n = part.select(
                        p.outcome.fill_null(False).sum().alias("a"), p.base.fill_null(False).sum().alias("n")
                    ).row(0)
                    out[(p.id, period, stratum, group)] = (a, n)
    return out


def same(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return bool(abs(float(x) - float(y)) <= 1e-9 * max(1.0, abs(float(x))))


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, float] = {}


def best_of(repeat: int, run: Callable[[], Any], label: str = "") -> tuple[float, Any]:
    """(best wall time in s, last result) after one untimed warm-up; CPU[label] = CPU s of the best run
    (user + system, all threads: on a busy machine it moves less than wall time)."""
    result = run()
    best = float("inf")
    for _ in range(repeat):
        started, cpu = time.perf_counter(), cpu_s()
        result = run()
        if time.perf_counter() - started < best:
            best, CPU[label] = time.perf_counter() - started, cpu_s() - cpu
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    frame = synthetic(args.n)
    print(f"cases {frame.height:,} ({len(METRICS)} metrics) generated in "
          f"{time.perf_counter() - started:.1f} s; "
          f"peak memory {peak_rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.2f}")  # fmt: skip

    per_breakdown: dict[str, float] = {}
    for b in BREAKDOWNS:
        seconds, table = best_of(args.repeat, lambda b=b: compute(frame, by=(b,), period="year"), b)
        per_breakdown[b] = seconds
        print(f"metrics {b:<13} {seconds:6.3f} s (CPU {CPU[b]:.3f} s)  {table.height:>6,} rows  "
              f"peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip
    seconds, everything = best_of(args.repeat, lambda: compute(frame, by=BREAKDOWNS, period="year"), "all")
    print(f"metrics all {len(BREAKDOWNS)}     {seconds:6.3f} s (CPU {CPU['all']:.3f} s)  "
          f"{everything.height:>6,} rows  (sum of the single runs {sum(per_breakdown.values()):.3f} s)  "
          f"peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip

    rri_s, table = best_of(
        args.repeat, lambda: rri(frame, by="race", within="offense_kind", period="year"), "rri"
    )
    print(
        f"rri race within offense_kind  {rri_s:6.3f} s (CPU {CPU['rri']:.3f} s)  {table.height:,} rows  "
        f"peak RSS {peak_rss_mb():,.0f} MB"
    )

    # naive baselines, once each, on the same frame
    started = time.perf_counter()
    naive = naive_metrics(frame, "race")
    naive_s = time.perf_counter() - started
    ours = compute(frame, by=("race",), period="year")
    agree = sum(
        same(r["numerator"], naive[(r["metric"], r["period"], r["group"])][0])
        and same(r["denominator"], naive[(r["metric"], r["period"], r["group"])][1])
        and same(r["value"], naive[(r["metric"], r["period"], r["group"])][2])
        for r in ours.iter_rows(named=True)
    )
    print(f"(baseline) naive metrics race {naive_s:6.3f} s  ({len(naive):,} cells; agrees on {agree:,}/"
          f"{ours.height:,}); compute faster: {naive_s / per_breakdown['race']:.0f}x")  # fmt: skip

    started = time.perf_counter()
    naive_counts = naive_rri_counts(frame, "race", "offense_kind")
    naive_rri_s = time.perf_counter() - started
    strata = table.filter(pl.col("estimate") == "stratum")
    agree = sum(
        (r["numerator"], r["base"])
        == naive_counts[(r["decision_point"], r["period"], r["stratum"], r["group"])]
        for r in strata.iter_rows(named=True)
    )
    print(f"(baseline) naive rri counts   {naive_rri_s:6.3f} s  (counts only; agrees on {agree:,}/"
          f"{strata.height:,} stratum rows); rri faster: {naive_rri_s / rri_s:.0f}x")  # fmt: skip
    print(f"\nfinal peak memory {peak_rss_mb():,.0f} MB; run on {dt.date.today()}")


if __name__ == "__main__":
    main()
