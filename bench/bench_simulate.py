"""The what-if simulation on 1,000,000 generated cases: `simulate` + the HTML report, end to end, beside the
straightforward way of getting the same comparison, in the same run.

    .venv/bin/python bench/bench_simulate.py                 # 1,000,000 cases
    .venv/bin/python bench/bench_simulate.py --n 200000 --repeat 1

Measured:

    simulate        `simulate(frame, public-health, traditional)`: both packs evaluated once (only the
                    columns needed, no reason lists), outcome counts, transition matrix, seller role / drug /
                    offence breakdowns, program demand against a capacity table, days avoided, RRI by race
                    (`analytics.disparity.rri`) and 20 sampled changed cases explained under both packs
    report          `render_html` of that result, written to a file (plotly.js inlined: ~5 MB)
    end to end      simulate + report: the aim (issue 7) is under 5 s
    CLI             `offramp simulate --cases FILE.parquet --out report.html` in a child process: reading
                    the file, simulate, report (wall time and the child's peak RSS)

Baseline (the naive approach, like for like on what it computes): two full evaluations with reasons (what
`offramp evaluate` writes, once per pack), joined on case_key, then the transition matrix and the outcome
counts by seller role from the joined frame; no days, no demand, no disparity, no explanations, no report.

The generated rows are cached as parquet in /tmp (`--cache`), so a second run skips generating. Each
timed step has one untimed warm-up run (pack expressions compiled, plotly imported), then the best of
`--repeat` runs. Peak memory is ru_maxrss (process-wide, never decreases): each line shows the peak so far,
so simulate's figure is taken before the baseline runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.frame import frame_from_offramp_rows
from offramp.core.generate import generate_cases
from offramp.core.policy import resolve_pack
from offramp.core.simulation import Assumptions, ProgramCapacity, simulate, write_html

CAPACITY = {
    "treatment": ProgramCapacity(capacity=900, vacancies=60, services=41),
    "education": ProgramCapacity(capacity=700, vacancies=35, services=12),
    "job_training": ProgramCapacity(capacity=350, vacancies=20, services=9),
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(repeat: int, run: Any) -> tuple[float, Any]:
    """(best wall time in s, last result) of `repeat` runs after one untimed warm-up run."""
    result = run()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def naive(frame: pl.DataFrame, draft: Any, baseline: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two full evaluations (as two `offramp evaluate` runs would write), joined on case_key."""
    d = evaluate(frame, draft)
    b = evaluate(frame, baseline)
    joined = b.join(d, on="case_key", how="inner", suffix="_draft")
    transitions = joined.group_by("outcome", "outcome_draft").len()
    by_role = joined.group_by("seller_role_draft", "outcome", "outcome_draft").len()
    return transitions, by_role


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per step")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    cached = args.cache / f"offramp-bench-simulate-{args.n}-seed1.parquet"
    started = time.perf_counter()
    if cached.is_file():
        rows = pl.read_parquet(cached)
        how = f"read from {cached}"
    else:
        rows = generate_cases(args.n, 1)
        rows.write_parquet(cached)
        how = f"generated, cached in {cached}"
    frame = frame_from_offramp_rows(rows).with_columns(rows["race"])
    print(f"cases {frame.height:,} ({how}, {time.perf_counter() - started:.1f} s); "
          f"peak RSS {peak_rss_mb():,.0f} MB; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    draft, baseline = resolve_pack("public-health"), resolve_pack("traditional")
    assumptions = Assumptions.load()

    def sim() -> Any:
        return simulate(frame, draft, baseline, assumptions=assumptions, capacity=CAPACITY, sample=20)

    sim_s, result = best_of(args.repeat, sim)
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
    print(
        f"simulate    {sim_s:6.2f} s  ({steps}; {result.changed:,} changed)  peak RSS {peak_rss_mb():,.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        report_s, _ = best_of(args.repeat, lambda: write_html(result, out))
        size = out.stat().st_size / 1e6
        print(f"report      {report_s:6.2f} s  ({size:.1f} MB HTML)  peak RSS {peak_rss_mb():,.0f} MB")

        def both() -> None:
            write_html(sim(), out)

        e2e_s, _ = best_of(args.repeat, both)
        print(f"end to end  {e2e_s:6.2f} s  simulate + report, {args.n / e2e_s:,.0f} cases/s  "
              f"(aim: under 5 s)  peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip

        parquet = Path(tmp) / "cases.parquet"
        rows.write_parquet(parquet)
        offramp = Path(sys.executable).with_name("offramp")
        command = [str(offramp), "simulate", "--policy", "public-health", "--baseline", "traditional",
                   "--cases", str(parquet), "--out", str(Path(tmp) / "cli.html")]  # fmt: skip
        # GNU time runs the command and prints its peak RSS: measured from this process, ru_maxrss of
        # children would count this process's own memory (Linux carries it over the fork into the child)
        timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").is_file() else []
        started = time.perf_counter()
        done = subprocess.run([*timer, *command], check=True, capture_output=True, text=True)
        cli_s = time.perf_counter() - started
        child = (
            f"{int(done.stderr.strip().splitlines()[-1]) / 1024:,.0f} MB"
            if timer
            else "unknown (no /usr/bin/time)"
        )
        print(f"CLI         {cli_s:6.2f} s  `offramp simulate --cases FILE.parquet` in a child process "
              f"(interpreter start, read, simulate, report)  child peak RSS {child}")  # fmt: skip

    naive_s, (transitions, _) = best_of(args.repeat, lambda: naive(frame, draft, baseline))
    same = transitions.rename({"outcome": "baseline_outcome", "outcome_draft": "draft_outcome", "len": "n"})
    ours = result.transitions.select("baseline_outcome", "draft_outcome", "cases")
    check = ours.join(
        same.with_columns(pl.col("baseline_outcome", "draft_outcome").fill_null("(none)")),
        on=["baseline_outcome", "draft_outcome"],
        how="full",
    )
    agree = bool((check["cases"] == check["n"]).all()) and check.height == ours.height
    print(f"baseline    {naive_s:6.2f} s  two full evaluations (reasons on) + join + transition matrix and "
          f"seller-role counts only; transition matrix agrees: {agree}  peak RSS {peak_rss_mb():,.0f} MB")  # fmt: skip
    print(f"\nsimulate is {naive_s / sim_s:.1f}x faster than the baseline while computing more; end to end with "
          f"the report {naive_s / e2e_s:.1f}x. Final peak RSS {peak_rss_mb():,.0f} MB; {dt.date.today()}")  # fmt: skip
    if not agree:
        raise SystemExit("the transition matrix disagrees with the baseline's")


if __name__ == "__main__":
    main()
