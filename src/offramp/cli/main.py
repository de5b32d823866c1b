"""`offramp` — one command for the product's jobs and for Django management.

    offramp import cases FILE --format F [--dry-run]
    offramp export cases --out FILE.csv
    offramp generate cases --n N --seed S --out FILE
    offramp demo load [--cases N]
    offramp evaluate --policy FILE|ID --cases FILE --out FILE
    offramp explain --policy FILE|ID --cases FILE --case-id ID [--json]
    offramp policy check FILE
    offramp screen score INSTRUMENT --answers JSON [--json]
    offramp programs import FILE_OR_DIR --format F | programs export --format hsds --out DIR
    offramp report relief|followup|metrics|disparity --out FILE.csv [options]   (see `offramp report -h`)
    offramp simulate --policy DRAFT --baseline CURRENT --cases FILE --out report.html [--capacity FILE.csv]
    offramp <any Django management command>   (migrate, createsuperuser, shell, runserver ...)

Product commands that need no database (generate, evaluate, explain, policy, screen) never start Django.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

PRODUCT_COMMANDS = (
    "import",
    "export",
    "generate",
    "demo",
    "evaluate",
    "explain",
    "policy",
    "screen",
    "programs",
    "report",
    "simulate",
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.web.settings")
    if args and args[0] in PRODUCT_COMMANDS:
        return run_product_command(args)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["offramp", *args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from offramp.cli import (
        demo,
        evaluate,
        export,
        generate,
        importer,
        policy,
        programs,
        report,
        screen,
        simulate,
    )

    parser = argparse.ArgumentParser(prog="offramp", description="Offramp's own commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    importer.add_parser(sub)
    export.add_parser(sub)
    generate.add_parser(sub)
    demo.add_parser(sub)
    evaluate.add_parser(sub)
    policy.add_parser(sub)
    screen.add_parser(sub)
    programs.add_parser(sub)
    report.add_parser(sub)
    simulate.add_parser(sub)
    return parser


def run_product_command(args: list[str]) -> int:
    parser = build_parser()
    ns = parser.parse_args(args)
    result: int = ns.handler(ns)
    return result


if __name__ == "__main__":
    sys.exit(main())
