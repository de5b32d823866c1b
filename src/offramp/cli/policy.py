"""`offramp policy check FILE`: validate a policy pack; prints `FILE:LINE: message`, exit 1 on problems."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("policy", help="policy pack tools")
    what = parser.add_subparsers(dest="what", required=True)
    check = what.add_parser("check", help="validate a policy pack file (or pack id)")
    check.add_argument("file", help="pack file or id")
    check.set_defaults(handler=run_check)


def run_check(ns: argparse.Namespace) -> int:
    from offramp.core.policy import check_pack, resolve_pack_path

    path = resolve_pack_path(ns.file)
    problems = check_pack(Path(path))
    for problem in problems:
        print(f"{path}:{problem.line}: {problem.message}")
    if not problems:
        print(f"{path}: ok")
    return 1 if problems else 0
