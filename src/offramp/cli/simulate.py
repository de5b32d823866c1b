"""`offramp simulate`: what a draft policy pack would change against the one in force, as an HTML report.

    offramp simulate --policy DRAFT --baseline CURRENT --cases FILE --out report.html
                     [--format F] [--assumptions FILE] [--capacity FILE.csv | --capacity-from-directory]
                     [--json FILE] [--on YYYY-MM-DD] [--sample N] [--seed S]

Cases are offramp-csv (default), any other intake format (`--format ccsao-diversion` for the CCSAO
exports), or a parquet file of the evaluation frame (`case_key`, ...) or of offramp-csv's columns
(`case_id`, ...). Race, for the disparity table, comes from the file's people (or a `race` column).
Capacity comes from a CSV (`program_type,capacity[,vacancies][,services]`) or, with
`--capacity-from-directory`, from the program directory in the database (this alone starts Django).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from offramp.cli.policy import add_policy_dir_option


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("simulate", help="compare a draft policy pack with the current one (HTML report)")
    parser.add_argument("--policy", required=True, help="the draft pack: file or id")
    parser.add_argument("--baseline", required=True, help="the pack in force: file or id")
    add_policy_dir_option(parser)
    parser.add_argument(
        "--cases", type=Path, required=True, help="cases: offramp-csv, another --format, or .parquet"
    )
    parser.add_argument("--format", default="offramp-csv", help="intake format of --cases (not for .parquet)")
    parser.add_argument("--out", type=Path, required=True, help="the HTML report to write")
    parser.add_argument(
        "--assumptions", type=Path, default=None, help="assumptions YAML (default: shipped file)"
    )
    capacity = parser.add_mutually_exclusive_group()
    capacity.add_argument(
        "--capacity", type=Path, default=None, help="CSV: program_type,capacity[,vacancies]"
    )
    capacity.add_argument(
        "--capacity-from-directory",
        action="store_true",
        help="read capacity from the program directory in the database (starts Django)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="evaluate as of this date")
    parser.add_argument("--sample", type=int, default=20, help="changed cases to explain (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (same seed, same sample)")
    parser.set_defaults(handler=run)


def load_simulation_cases(path: Path, fmt: str = "offramp-csv") -> pl.DataFrame:
    """The evaluation frame of a cases file with a `race` column added (null when the file has none)."""
    from offramp.core.evaluation.frame import case_frame, conform_eval, frame_from_offramp_rows
    from offramp.core.intake import parse_file

    if path.suffix == ".parquet":
        rows = pl.read_parquet(path)
        if "case_key" in rows.columns:
            frame = conform_eval(rows)
        elif "case_id" in rows.columns:
            frame = frame_from_offramp_rows(rows)
        else:
            raise ValueError(f"{path}: a parquet file of cases needs a case_key or case_id column")
        race = (
            rows["race"]
            if "race" in rows.columns
            else pl.repeat(None, rows.height, dtype=pl.String, eager=True)
        )
        return frame.with_columns(race.cast(pl.String).alias("race"))
    batch = parse_file(path, fmt)
    frame = case_frame(batch)
    people = batch.cases.select("case_key", "person_key").join(
        batch.persons.select("person_key", "race").unique("person_key", keep="first"),
        on="person_key",
        how="left",
    )
    race = frame.select("case_key").join(people, on="case_key", how="left", maintain_order="left")["race"]
    return frame.with_columns(race.alias("race"))


def directory_capacity() -> dict[str, Any]:
    """Capacity per program type from the program directory's services in the database."""
    from offramp.cli.django_setup import setup_django

    setup_django()
    from offramp.web.programs.store import capacity_by_program_type

    return capacity_by_program_type()


def run(ns: argparse.Namespace) -> int:
    from offramp.core.intake import IntakeError
    from offramp.core.policy import PackError, resolve_pack
    from offramp.core.simulation import (
        Assumptions,
        AssumptionsError,
        capacity_from_frame,
        default_assumptions_path,
        simulate,
        write_html,
    )

    started = time.perf_counter()
    try:
        draft = resolve_pack(ns.policy, ns.policy_dir)
        baseline = resolve_pack(ns.baseline, ns.policy_dir)
        assumptions = Assumptions.load(ns.assumptions or default_assumptions_path(ns.policy_dir))
        capacity = None
        if ns.capacity is not None:
            capacity = capacity_from_frame(pl.read_csv(ns.capacity))
        elif ns.capacity_from_directory:
            capacity = directory_capacity()
        frame = load_simulation_cases(ns.cases, ns.format)
    except (PackError, AssumptionsError, IntakeError, ValueError, OSError, pl.exceptions.PolarsError) as exc:
        print(f"offramp simulate: {exc}", file=sys.stderr)
        return 2
    loaded = time.perf_counter()
    result = simulate(
        frame,
        draft,
        baseline,
        assumptions=assumptions,
        capacity=capacity,
        on=ns.on,
        sample=ns.sample,
        seed=ns.seed,
    )
    write_html(result, ns.out)
    if ns.json is not None:
        ns.json.write_text(json.dumps(result.to_dict(), indent=2, default=str), encoding="utf-8")
    done = time.perf_counter()
    print(f"simulated {result.cases:,} cases: {draft.id} {draft.version} (draft) against {baseline.id} "
          f"{baseline.version} (baseline); {result.changed:,} change outcome")  # fmt: skip
    for row in result.outcomes.rows(named=True):
        print(f"  {row['outcome']:<26} {row['baseline']:>10,} -> {row['draft']:>10,} ({row['change']:+,})")
    days = result.days
    print(f"  estimated days avoided (net): jail {days.jail_net:,.0f}, prison {days.prison_net:,.0f} "
          f"(assumptions: {assumptions.source})")  # fmt: skip
    print(f"wrote {ns.out}{f' and {ns.json}' if ns.json else ''} in {done - started:.1f} s "
          f"(load {loaded - started:.1f} s, simulate + report {done - loaded:.1f} s)")  # fmt: skip
    return 0
