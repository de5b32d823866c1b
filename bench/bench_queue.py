"""Case queue speed at 1,000,000 cases: keyset pages with filters vs. offset pagination with exact counts.

    .venv/bin/python bench/bench_queue.py                       # fresh SQLite database, 1,000,000 cases
    .venv/bin/python bench/bench_queue.py --database-url postgres://postgres@127.0.0.1:5432/offramp_queue

The database is filled through the real importer (generated cases), then every scenario is timed
in-process on the query the queue view runs (`offramp.web.cases.queue.queue_page`: the page of rows plus
the capped count). The baseline in the same run is what a plain Django ListView would do: Paginator with
an exact COUNT(*) and OFFSET, on the same filters and at the same depth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def fill(n: int, env: dict[str, str], tmp: Path) -> None:
    offramp = [sys.executable, "-m", "offramp.cli.main"]
    csv = tmp / "cases.csv"
    subprocess.run(
        [*offramp, "generate", "cases", "--n", str(n), "--seed", "11", "--out", str(csv)],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([*offramp, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*offramp, "import", "cases", str(csv), "--format", "offramp-csv", "--no-progress"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url", default=None, help="an empty database to fill (default: temp SQLite)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="offramp-queue-") as tmp_name:
        tmp = Path(tmp_name)
        url = args.database_url or f"sqlite:///{tmp / 'queue.sqlite3'}"
        os.environ.update(
            DATABASE_URL=url,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(40),
            DJANGO_SETTINGS_MODULE="offramp.web.settings",
        )
        started = time.perf_counter()
        fill(args.n, dict(os.environ), tmp)
        print(
            f"filled {args.n:,} cases through the importer in {time.perf_counter() - started:.1f} s "
            f"({url.split(':')[0]})"
        )
        run_scenarios(args.repeat)


def run_scenarios(repeat: int) -> None:
    import django

    django.setup()
    from django.core.paginator import Paginator
    from django.db import connection

    from offramp.web.cases.models import Case
    from offramp.web.cases.queue import Cursor, filtered_cases, queue_page

    with connection.cursor() as cur:  # give stages some shape, as an office's queue would have
        cur.execute(
            f"UPDATE {Case._meta.db_table} SET stage = CASE id % 10 WHEN 0 THEN 'declined' "
            "WHEN 1 THEN 'diverted' WHEN 2 THEN 'charged' WHEN 4 THEN 'under_review' ELSE stage END"
        )
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    middle = Case.objects.order_by("-received_date", "-id")[500_000 if Case.objects.count() > 500_000 else 0]
    deep = Cursor(middle.received_date, middle.pk)
    month = {"received_from": dt.date(2024, 6, 1), "received_to": dt.date(2024, 6, 30)}
    scenarios: list[tuple[str, dict[str, object], Cursor | None]] = [
        ("no filter, first page", {}, None),
        ("no filter, page at row 500,000", {}, deep),
        ("stage = under_review", {"stage": "under_review"}, None),
        ("drug = fentanyl", {"drug": "fentanyl"}, None),
        ("offence = trafficking (rare)", {"offense_kind": "trafficking"}, None),
        ("received in June 2024", month, None),
        (
            "fentanyl + possession + June 2024",
            {"drug": "fentanyl", "offense_kind": "possession", **month},
            None,
        ),
    ]
    print(f"{'scenario':<38} {'keyset+capped count p50/p95 ms':>32} {'offset+exact count p50/p95 ms':>32}")
    for name, filters, cursor in scenarios:
        ours = timed(lambda f=filters, c=cursor: queue_page(f, c, 50), repeat)
        offset = 500_000 if cursor is not None else 0

        def baseline(f: dict[str, object] = filters, o: int = offset) -> None:
            paginator = Paginator(filtered_cases(f).order_by("-received_date", "-id"), 50)
            page_number = o // 50 + 1
            if page_number <= paginator.num_pages:
                list(paginator.page(page_number).object_list)

        base = timed(baseline, max(3, repeat // 4))
        print(f"{name:<38} {ours[0]:>15.1f} / {ours[1]:<14.1f} {base[0]:>15.1f} / {base[1]:<14.1f}")


if __name__ == "__main__":
    main()
