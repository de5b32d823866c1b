"""`offramp policy check FILE`: validate a policy pack; prints `FILE:LINE: message`, exit 1 on problems."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

#: the environment variable the office's settings use for the policy folder; the CLI's default for
#: `--policy-dir`, so `offramp evaluate` and the web read packs from the same folder
POLICY_DIR_ENV = "OFFRAMP_POLICY_DIR"


def add_policy_dir_option(parser: argparse.ArgumentParser) -> None:
    """`--policy-dir DIR`: where pack ids are looked up. Core never reads the environment, so the CLI
    reads it here and passes the folder in; without either, the packs shipped with Offramp."""
    parser.add_argument(
        "--policy-dir",
        type=Path,
        default=os.environ.get(POLICY_DIR_ENV) or None,
        help=f"folder of policy packs for a pack id (default: ${POLICY_DIR_ENV}, else the shipped packs)",
    )


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("policy", help="policy pack tools")
    what = parser.add_subparsers(dest="what", required=True)
    check = what.add_parser("check", help="validate a policy pack file (or pack id)")
    check.add_argument("file", help="pack file or id")
    add_policy_dir_option(check)
    check.set_defaults(handler=run_check)


def run_check(ns: argparse.Namespace) -> int:
    from offramp.core.policy import check_pack, resolve_pack_path

    path = resolve_pack_path(ns.file, ns.policy_dir)
    problems = check_pack(Path(path))
    for problem in problems:
        print(f"{path}:{problem.line}: {problem.message}")
    if not problems:
        print(f"{path}: ok")
    return 1 if problems else 0
