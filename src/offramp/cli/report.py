"""`offramp report relief` and `offramp report followup`: the record-relief and follow-up reports from the
database, as CSV.

    offramp report relief [--policy ID_OR_FILE] [--out FILE.csv] [--on YYYY-MM-DD]
    offramp report followup [--out FILE.csv] [--on YYYY-MM-DD]

`relief`: past convictions (cases whose disposition is a conviction) that the policy pack in force today
(`--policy`: a pack id in the policy folder or a pack file; default the office's OFFRAMP_POLICY) would have
declined or diverted, evaluated with today's parameter values: a candidate list for record relief.
`followup`: every completion or termination (imported program referrals and the office's diversion
referrals) with whether the same person had a new case within 1, 3 and 5 years (blank: not yet measurable).
Without --out the CSV goes to standard output; counts go to standard error. Each run is audited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Any

from offramp.cli.django_setup import setup_django


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("report", help="record-relief and follow-up reports from the database")
    what = parser.add_subparsers(dest="what", required=True)
    relief = what.add_parser("relief", help="past convictions today's policy would decline or divert")
    relief.add_argument("--policy", default=None, help="policy pack id or file (default: OFFRAMP_POLICY)")
    relief.add_argument("--out", type=Path, default=None, help="CSV file (default: standard output)")
    relief.add_argument("--on", type=dt.date.fromisoformat, default=None, help="as of this date (today)")
    relief.set_defaults(handler=run_relief)
    followup = what.add_parser("followup", help="new cases within 1, 3 and 5 years of leaving a program")
    followup.add_argument("--out", type=Path, default=None, help="CSV file (default: standard output)")
    followup.add_argument("--on", type=dt.date.fromisoformat, default=None, help="as of this date (today)")
    followup.set_defaults(handler=run_followup)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")


def _audit(object_type: str, object_id: str, detail: dict[str, Any], outcome: str = "success") -> None:
    from offramp.web.audit.models import Action
    from offramp.web.audit.record import record

    record(
        Action.EXPORT,
        outcome=outcome,
        actor_name=f"os:{getpass.getuser()}",
        object_type=object_type,
        object_id=object_id[:120],
        detail=detail,
    )


def run_relief(ns: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from offramp.core.policy import PackError
    from offramp.core.relief import to_csv
    from offramp.web.decisions.recommend import pack_for
    from offramp.web.relief.reports import relief_candidates

    today: dt.date = ns.on or dt.date.today()
    policy: str = ns.policy or settings.OFFRAMP_POLICY
    try:
        pack, in_force = pack_for(today, policy)
    except (PackError, OSError, ValueError) as exc:
        print(f"offramp report relief: {exc}", file=sys.stderr)
        _audit("relief_candidates", policy, {"error": str(exc)[:300]}, outcome="failure")
        return 1
    if not in_force:
        print(
            f"offramp report relief: note: policy {pack.id} {pack.version} is not in force on {today}",
            file=sys.stderr,
        )
    report = relief_candidates(pack, today)
    _write(to_csv(report.candidates), ns.out)
    counts = ", ".join(f"{outcome} {count}" for outcome, count in report.by_outcome) or "none"
    print(
        f"offramp report relief: {report.candidates.height} candidate(s) among {report.convictions} past "
        f"conviction(s) under {pack.id} {pack.version} as of {today} (today's outcome: {counts})",
        file=sys.stderr,
    )
    _audit(
        "relief_candidates",
        str(pack.id),
        {
            "candidates": report.candidates.height,
            "convictions": report.convictions,
            "pack_version": str(pack.version),
            "on": today.isoformat(),
            "out": str(ns.out or "stdout"),
        },
    )
    return 0


def run_followup(ns: argparse.Namespace) -> int:
    setup_django()
    from offramp.web.relief.reports import followup, followup_csv

    today: dt.date = ns.on or dt.date.today()
    report = followup(today)
    _write(followup_csv(report), ns.out)
    for row in report.summary.iter_rows(named=True):
        rate = "not yet measurable" if row["rate"] is None else f"{row['rate']:.1%}"
        print(
            f"offramp report followup: {row['exit_kind']} within {row['window_years']}y: "
            f"{row['numerator']}/{row['denominator']} ({rate})",
            file=sys.stderr,
        )
    _audit(
        "followup",
        "",
        {"exits": report.exits.height, "on": today.isoformat(), "out": str(ns.out or "stdout")},
    )
    return 0
