"""Time and peak memory of `offramp generate cases` core work: generate N synthetic cases, write the CSV.

    .venv/bin/python bench/bench_generate.py            # 1,000,000 rows into a temporary file
    .venv/bin/python bench/bench_generate.py --n 200000 --repeat 3 --out /tmp/cases.csv

Peak memory is the process's maximum resident set size (Linux ru_maxrss), which includes Polars' and
numpy's native allocations; the baseline after imports is printed beside it.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from offramp.core.generate import generate_cases, write_cases_csv


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    parser.add_argument("--out", type=Path, default=None, help="CSV path (default: a temporary file)")
    args = parser.parse_args()

    baseline = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "cases.csv"
        best_generate = best_write = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            frame = generate_cases(args.n, args.seed)
            generated = time.perf_counter()
            write_cases_csv(frame, out)
            written = time.perf_counter()
            best_generate = min(best_generate, generated - started)
            best_write = min(best_write, written - generated)
            del frame
        size_mb = out.stat().st_size / 1e6

    total = best_generate + best_write
    print(f"rows            {args.n:,}")
    print(f"generate        {best_generate:.2f} s  ({args.n / best_generate:,.0f} rows/s)")
    print(f"write csv       {best_write:.2f} s  ({size_mb:,.0f} MB)")
    print(f"generate+write  {total:.2f} s  ({args.n / total:,.0f} rows/s)")
    print(f"peak memory     {peak_rss_mb():,.0f} MB RSS (after imports: {baseline:,.0f} MB)")


if __name__ == "__main__":
    main()
