"""`offramp evaluate` and `offramp explain`: apply a policy pack to a file of cases, without Django.

    offramp evaluate --policy FILE|ID --cases FILE --out FILE   (.csv: lists joined with ';', or .parquet)
    offramp explain --policy FILE|ID --cases FILE --case-id ID [--json] [--on YYYY-MM-DD]

Cases are offramp-csv (validated by intake) or a parquet file holding the evaluation frame's columns
(`case_key`, ...) or offramp-csv's columns (`case_id`, ...).
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
    evaluate = sub.add_parser("evaluate", help="apply a policy pack to a file of cases")
    _common(evaluate)
    evaluate.add_argument("--out", type=Path, required=True, help="results file (.csv or .parquet)")
    evaluate.add_argument(
        "--no-reasons",
        dest="reasons",
        action="store_false",
        help="leave out the <finding>__present/__absent/__unknown reason lists (about twice as fast)",
    )
    evaluate.set_defaults(handler=run_evaluate)
    explain = sub.add_parser("explain", help="explain one case's recommendation under a policy pack")
    _common(explain)
    explain.add_argument("--case-id", required=True, help="the case's id (case_id in the file)")
    explain.add_argument("--json", action="store_true", help="print the explanation as JSON")
    explain.set_defaults(handler=run_explain)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", required=True, help="policy pack file or id (e.g. public-health)")
    add_policy_dir_option(parser)
    parser.add_argument("--cases", type=Path, required=True, help="offramp-csv or .parquet file of cases")
    parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="evaluate as of this date")


def load_cases(path: Path) -> pl.DataFrame:
    """The evaluation frame of a cases file (see module docstring); IntakeError / ValueError if bad."""
    from offramp.core.evaluation.frame import case_frame, conform_eval, frame_from_offramp_rows
    from offramp.core.intake import parse_file

    if path.suffix == ".parquet":
        rows = pl.read_parquet(path)
        if "case_key" in rows.columns:
            return conform_eval(rows)
        if "case_id" in rows.columns:
            return frame_from_offramp_rows(rows)
        raise ValueError(f"{path}: a parquet file of cases needs a case_key or case_id column")
    return case_frame(parse_file(path, "offramp-csv"))


def _load(ns: argparse.Namespace, command: str) -> tuple[Any, pl.DataFrame] | None:
    from offramp.core.intake import IntakeError
    from offramp.core.policy import PackError, resolve_pack

    try:
        return resolve_pack(ns.policy, ns.policy_dir), load_cases(ns.cases)
    except (PackError, IntakeError, ValueError, OSError) as exc:
        print(f"offramp {command}: {exc}", file=sys.stderr)
        return None


def write_results(frame: pl.DataFrame, path: Path) -> None:
    """Parquet as is (reason lists are lists of an Enum: Parquet keeps them dictionary-encoded); CSV with
    every list joined by ';'."""
    if path.suffix == ".parquet":
        frame.write_parquet(path)
        return
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    frame.with_columns(pl.col(name).cast(pl.List(pl.String)).list.join(";") for name in lists).write_csv(path)


def run_evaluate(ns: argparse.Namespace) -> int:
    from offramp.core.evaluation.engine import evaluate

    loaded = _load(ns, "evaluate")
    if loaded is None:
        return 2
    pack, frame = loaded
    started = time.perf_counter()
    result = evaluate(frame, pack, on=ns.on, reasons=ns.reasons)
    write_results(result, ns.out)
    counts = result["outcome"].value_counts(sort=True).rows()
    summary = ", ".join(f"{outcome or 'none'} {n:,}" for outcome, n in counts)
    print(f"evaluated {result.height:,} cases under {pack.id} {pack.version} in "
          f"{time.perf_counter() - started:.1f} s -> {ns.out} ({summary})")  # fmt: skip
    return 0


def run_explain(ns: argparse.Namespace) -> int:
    from offramp.core.evaluation.explain import explain

    loaded = _load(ns, "explain")
    if loaded is None:
        return 2
    pack, frame = loaded
    row = frame.filter(pl.col("case_key") == ns.case_id)
    if row.height != 1:
        print(f"offramp explain: no case '{ns.case_id}' in {ns.cases}", file=sys.stderr)
        return 1
    explanation = explain(row, pack, on=ns.on)
    print(json.dumps(explanation.to_dict(), indent=2) if ns.json else explanation.to_text())
    return 0
