"""`offramp report relief|followup|metrics|disparity`: reports from the database, as CSV.

    offramp report relief [--policy ID_OR_FILE] [--out FILE.csv] [--on YYYY-MM-DD]
    offramp report followup [--out FILE.csv] [--on YYYY-MM-DD]
    offramp report metrics [--out FILE.csv] [--period year|quarter|month|all] [--by all,race,...] [--public]
    offramp report disparity [--out FILE.csv] [--by race[,ethnicity...]] [--reference white]
                             [--within offense_kind|seller_role] [--min-cell 5] [--period ...] [--public]

`relief`: past convictions (cases whose disposition is a conviction) that the policy pack in force today
(`--policy`: a pack id in the policy folder or a pack file; default the office's OFFRAMP_POLICY) would have
declined or diverted, evaluated with today's parameter values, and past dismissals, nolle prosses,
declinations and completed diversions: a candidate list for record relief, each with its Georgia route
(core `relief.ReliefRoute`, docs/record-relief.md).
`followup`: every completion or termination (imported program referrals and the office's diversion
referrals) with whether the same person had a new case within 1, 3 and 5 years (blank: not yet measurable).
`metrics`: every prosecution metric (core `analytics.metrics.METRICS`) of the stored cases, one row per
metric x period x group with its numerator, denominator and value (columns: `metrics.RESULT_SCHEMA`, plus
`name`). `disparity`: the Relative Rate Index at each decision point (core `analytics.disparity.rri`: one
row per decision point x period x group, with the counts, the rate, the reference group's counts and rate,
the RRI and its confidence interval; with --within, per stratum and pooled (Mantel-Haenszel) too). Both
read the de-identified analytics snapshot (`offramp.web.analytics.snapshot.load`: rebuilt first when it is
stale), so the figures are those of the dashboards. The CSVs keep small counts (they are for the office,
to check against published figures); --public blanks every count below --min-cell (and, for metrics, the
rate or median computed from it), as a publication needs. Restitution sums (USD) are not counts and are
not blanked.
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
    parser = sub.add_parser(
        "report", help="relief, follow-up, metric and disparity reports from the database"
    )
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
    metrics = what.add_parser("metrics", help="prosecution metrics by group and period (analytics snapshot)")
    metrics.add_argument("--out", type=Path, default=None, help="CSV file (default: standard output)")
    metrics.add_argument("--period", choices=PERIODS, default="year", help="period of the received date")
    metrics.add_argument("--by", type=_columns, default=["all", "race"], help="breakdowns (default all,race)")
    metrics.add_argument("--public", action="store_true", help="blank counts below --min-cell")
    metrics.add_argument("--min-cell", type=int, default=5, help="smallest count shown with --public (5)")
    metrics.set_defaults(handler=run_metrics)
    disparity = what.add_parser("disparity", help="Relative Rate Index at each decision point")
    disparity.add_argument("--out", type=Path, default=None, help="CSV file (default: standard output)")
    disparity.add_argument("--by", type=_columns, default=["race"], help="group column(s) (default race)")
    disparity.add_argument("--reference", default="white", help="reference group (default white)")
    disparity.add_argument("--within", choices=WITHIN, default=None, help="also stratified and pooled RRIs")
    disparity.add_argument("--min-cell", type=int, default=5, help="counts below this are suppressed (5)")
    disparity.add_argument("--period", choices=PERIODS, default="all", help="period (default: all together)")
    disparity.add_argument("--public", action="store_true", help="blank counts below --min-cell")
    disparity.set_defaults(handler=run_disparity)


PERIODS = ("year", "quarter", "month", "all")
#: columns a metric breakdown or an RRI group can be taken by (the snapshot's grouping columns)
GROUP_COLUMNS = ("all", "race", "ethnicity", "sex", "age_band", "offense_kind", "drug", "severity",
                 "seller_role", "unit")  # fmt: skip
WITHIN = ("offense_kind", "seller_role", "drug", "severity", "age_band", "sex")


def _columns(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in GROUP_COLUMNS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(GROUP_COLUMNS)} (comma-separated), not {text!r}"
        )
    return names


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

    from offramp.core.outcomes.relief import to_csv
    from offramp.core.policy import PackError
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
    routes = ", ".join(f"{route} {count}" for route, _, count in report.by_route) or "none"
    print(
        f"offramp report relief: {report.candidates.height} candidate(s) among {report.convictions} past "
        f"conviction(s) under {pack.id} {pack.version} as of {today} (today's outcome: {counts}; "
        f"route: {routes})",
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


def metrics_table(frame: Any, by: list[str], period: str, public: bool, min_cell: int) -> Any:
    """The metrics CSV's table (RESULT_SCHEMA + `name`); `public` blanks small counts (module docstring)."""
    import polars as pl

    from offramp.core.analytics.metrics import METRICS, compute

    table = compute(frame, METRICS, by=by, period=None if period == "all" else period)
    names = {m.id: m.name for m in METRICS}
    table = table.with_columns(pl.col("metric").replace_strict(names, return_dtype=pl.String).alias("name"))
    table = table.select("metric", "name", *[c for c in table.columns if c not in ("metric", "name")])
    if public:
        table = _suppressed(table, min_cell)
    # whole numbers (counts, and every count-based figure) without a trailing ".0"
    return table.with_columns(
        pl.when(pl.col(c) == pl.col(c).round(0))
        .then(pl.col(c).cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in ("numerator", "denominator", "value")
    )


def _suppressed(table: Any, min_cell: int) -> Any:
    import polars as pl

    num, den = pl.col("numerator"), pl.col("denominator")
    counts = ~pl.col("metric").str.starts_with("restitution_")  # the restitution metrics sum dollars
    small_num = counts & (num < min_cell)
    small_den = counts & den.is_not_null() & (den < min_cell)
    return table.with_columns(
        pl.when(small_num).then(None).otherwise(num).alias("numerator"),
        pl.when(small_den).then(None).otherwise(den).alias("denominator"),
        pl.when(small_num | small_den).then(None).otherwise(pl.col("value")).alias("value"),
    )


def disparity_table(frame: Any, by: list[str], reference: str, within: str | None, min_cell: int,
                    period: str, public: bool) -> Any:  # fmt: skip
    """The disparity CSV's table (RRI_SCHEMA), one `rri` per `by` column, concatenated."""
    import polars as pl

    from offramp.core.analytics import disparity

    tables = []
    for column in by:
        table = disparity.rri(
            frame, by=column, reference=reference, within=within, min_cell=min_cell,
            period=None if period == "all" else period,
        )  # fmt: skip
        tables.append(disparity.public(table, min_cell) if public else table)
    return pl.concat(tables) if tables else pl.DataFrame(schema=disparity.RRI_SCHEMA)


def _snapshot() -> Any:
    from offramp.web.analytics import snapshot

    frame = snapshot.load()
    current = snapshot.info()
    built = current.built_at.isoformat() if current else "now"
    return frame, built


def run_metrics(ns: argparse.Namespace) -> int:
    from offramp.core.csvsafe import inert_csv

    setup_django()
    frame, built = _snapshot()
    table = metrics_table(frame, ns.by, ns.period, ns.public, ns.min_cell)
    _write(inert_csv(table), ns.out)
    print(
        f"offramp report metrics: {table.height} row(s) ({table['metric'].n_unique()} metric(s) x period x "
        f"group) over {frame.height} case(s), snapshot built {built}"
        + (f"; counts under {ns.min_cell} blanked" if ns.public else ""),
        file=sys.stderr,
    )
    _audit(
        "analytics_metrics",
        ",".join(ns.by),
        {"rows": table.height, "cases": frame.height, "period": ns.period, "by": ns.by,
         "public": ns.public, "snapshot": built, "out": str(ns.out or "stdout")},
    )  # fmt: skip
    return 0


def run_disparity(ns: argparse.Namespace) -> int:
    from offramp.core.csvsafe import inert_csv

    setup_django()
    frame, built = _snapshot()
    if ns.min_cell < 0:
        print("offramp report disparity: --min-cell must be 0 or more", file=sys.stderr)
        return 2
    table = disparity_table(frame, ns.by, ns.reference, ns.within, ns.min_cell, ns.period, ns.public)
    _write(inert_csv(table), ns.out)
    groups = set(frame.get_column(ns.by[0]).cast(str).fill_null("unknown").unique().to_list())
    note = "" if ns.reference in groups else f"; no '{ns.reference}' cases, so no RRI"
    print(
        f"offramp report disparity: {table.height} row(s) (decision point x period x group) over "
        f"{frame.height} case(s), reference {ns.reference}, snapshot built {built}{note}",
        file=sys.stderr,
    )
    _audit(
        "analytics_disparity",
        ",".join(ns.by),
        {"rows": table.height, "cases": frame.height, "by": ns.by, "reference": ns.reference,
         "within": ns.within, "min_cell": ns.min_cell, "period": ns.period, "public": ns.public,
         "snapshot": built, "out": str(ns.out or "stdout")},
    )  # fmt: skip
    return 0
