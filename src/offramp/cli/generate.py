"""`offramp generate cases`: synthetic offramp-csv for demos, tests and benchmarks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("generate", help="generate synthetic data")
    what = parser.add_subparsers(dest="what", required=True)
    cases = what.add_parser("cases", help="synthetic cases as offramp-csv (see docs/synthetic-data.md)")
    cases.add_argument("--n", type=int, required=True, help="number of cases")
    cases.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    cases.add_argument("--out", type=Path, required=True, help="CSV file to write")
    cases.add_argument(
        "--dispositions",
        action="store_true",
        help="also generate stages, dispositions and sentences that agree (docs/synthetic-data.md)",
    )
    cases.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from offramp.core.generate import generate_cases, write_cases_csv

    if ns.n < 1:
        print("offramp generate cases: --n must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    frame = generate_cases(ns.n, ns.seed, include_disposition=ns.dispositions)
    write_cases_csv(frame, ns.out)
    print(
        f"wrote {frame.height:,} cases to {ns.out} in {time.perf_counter() - started:.1f} s (seed {ns.seed})"
    )
    return 0
