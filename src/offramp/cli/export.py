"""`offramp export cases --out FILE.csv`: every stored case as offramp-csv, the format `offramp import` and
`offramp evaluate` read.

The cases are read through the same reader as every page and report (`web.cases.batch.batch_for`) and
written by core (`core.generate.export`): one row per case with its primary charge. Importing the file into
an empty database gives the same cases; `offramp evaluate` on it gives what the case page recommends. The
export is audited (one event, the number of cases; never their contents).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from offramp.cli.django_setup import setup_django


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("export", help="export stored data files")
    what = parser.add_subparsers(dest="what", required=True)
    cases = what.add_parser("cases", help="every stored case as offramp-csv (one row per case)")
    cases.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    cases.set_defaults(handler=run_cases)


def run_cases(ns: argparse.Namespace) -> int:
    setup_django()
    from offramp.core.generate.export import write_offramp_csv
    from offramp.web.audit.models import Action
    from offramp.web.audit.record import record
    from offramp.web.cases.batch import batch_for
    from offramp.web.cases.models import Case

    try:
        written = write_offramp_csv(batch_for(Case.objects.all()), ns.out)
    except OSError as exc:
        print(f"offramp export cases: {exc}", file=sys.stderr)
        return 1
    record(
        Action.EXPORT,
        actor_name=f"os:{getpass.getuser()}",
        object_type="cases",
        object_id=str(ns.out)[:120],
        detail={"format": "offramp-csv", "cases": written},
    )
    print(f"offramp export cases: {written} case(s) written to {ns.out}", file=sys.stderr)
    return 0
