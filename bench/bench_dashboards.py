"""Analytics dashboards over 1,000,000 cases in the database: the snapshot build and every page's time.

    .venv/bin/python bench/bench_dashboards.py                  # 1,000,000 cases (DB cached under /tmp)
    .venv/bin/python bench/bench_dashboards.py --n 100000 --repeat 3

The SQLite database is filled once through the real commands (`offramp generate cases --dispositions`,
`offramp migrate`, `offramp import cases`) into a var folder under /tmp and reused by later runs (delete
the folder, or pass --rebuild, to start again). Then, in this process:

1. `snapshot.refresh()`: the analytics frame built from the database (one query per table, the configured
   pack evaluated over every case for seller_role / overdose_risk) and written as parquet; also
   `snapshot.build_frame()` alone, which is the baseline below, the snapshot file's read in a fresh cache,
   and the staleness check (`snapshot.fingerprint()`, done at most every CHECK_SECONDS per process).
2. Every GET page of `offramp.web.analytics.urls` (names read from `urlpatterns`; the definition page with
   one metric id; the simulation page is its form only) through the Django test client, signed in as a
   user with the analyst role, with the default filters and with filter combinations. For each page and
   filter set: "computed" = the view's table cache (views.CACHE) emptied before each request, so the
   tables are computed from the in-memory snapshot (what a new filter combination costs); "cached" = the
   same request again (what paging back to a filter already seen costs). Median of --repeat after one
   warm-up request each.
3. Baseline in the same run: the same page if the frame were read from the database on each request
   (`build_frame()` + the computed request), i.e. without the snapshot.

It prints per-page medians, the slowest page, and the process's peak RSS. Aim (issue 7): each page under
1 s at 1,000,000 cases. Time never fails the script; a page that does not answer 200 does (exit 1).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = Path("/tmp/offramp-bench-dashboards")
SECRET = "bench-dashboards-secret-key-" + "x" * 24

#: filter sets every page is requested with ("" = the page's defaults)
FILTERS = (
    "",
    "?period=quarter&by=race",
    "?period=month&offense_kind=possession&drug=fentanyl&by=seller_role",
    "?period=all&by=age_band&date_from=2024-01-01&date_to=2024-12-31",
)
#: extra filter sets for the disparity page (stratified RRIs)
DISPARITY_FILTERS = ("?by=race&within=seller_role", "?by=ethnicity&within=offense_kind&period=year")


def env_for(var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OFFRAMP_VAR_DIR": str(var),
        "SECRET_KEY": SECRET,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{var / 'offramp.sqlite3'}",
    }


def fill(n: int, var: Path) -> float:
    """Generate, migrate and import `n` cases into var/offramp.sqlite3 (skipped when already done)."""
    marker = var / f"filled-{n}"
    if marker.exists():
        return 0.0
    var.mkdir(parents=True, exist_ok=True)
    for old in var.glob("offramp.sqlite3*"):
        old.unlink()
    for old in var.glob("filled-*"):
        old.unlink()
    env = env_for(var)
    cli = [sys.executable, "-m", "offramp.cli.main"]
    csv = var / "cases.csv"
    started = time.perf_counter()

    def run(*argv: str) -> None:
        subprocess.run([*cli, *argv], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    run("generate", "cases", "--n", str(n), "--seed", "7", "--dispositions", "--out", str(csv))
    run("migrate", "--noinput", "-v0")
    run("import", "cases", str(csv), "--format", "offramp-csv", "--no-progress")
    csv.unlink()
    marker.touch()
    return time.perf_counter() - started


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def once(fn: Callable[[], object]) -> float:
    return timed(fn, 1)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="fill the database again")
    parser.add_argument("--pdf", action="store_true", help="also time the transparency PDF (WeasyPrint)")
    args = parser.parse_args()

    var = CACHE_DIR / f"n{args.n}"
    if args.rebuild:
        for old in var.glob("filled-*"):
            old.unlink()
    spent = fill(args.n, var)
    print(
        f"database: {args.n:,} generated cases in {var / 'offramp.sqlite3'} "
        + (f"(filled in {spent:.0f} s)" if spent else "(cached from an earlier run)")
    )
    os.environ.update(
        {k: env_for(var)[k] for k in ("OFFRAMP_VAR_DIR", "SECRET_KEY", "DEBUG", "DATABASE_URL")}
    )
    (var / "static").mkdir(exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "offramp.web.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and no e-mail
    import polars as pl
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import URLPattern, reverse

    from offramp.core.analytics import disparity, metrics
    from offramp.web.accounts.roles import ROLE_BY_SLUG
    from offramp.web.analytics import snapshot, urls, views

    print(f"load average {os.getloadavg()[0]:.1f}, polars {pl.__version__}, {os.cpu_count()} CPU(s)")

    # 1. the snapshot ------------------------------------------------------------------------------------
    # the build in a child process (`offramp analytics refresh`), so its memory is measured on its own: GNU
    # time gives the child's peak RSS (ru_maxrss of children could count this process's forked pages)
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").is_file() else []
    started = time.perf_counter()
    child = subprocess.run(
        [*timer, sys.executable, "-m", "offramp.cli.main", "analytics", "refresh"],
        env=env_for(var), cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    peak = f"{int(child.stderr.strip().splitlines()[-1]) / 1024:.0f} MB" if timer else "not measured"
    built = snapshot.info()
    assert built is not None
    size = built.path.stat().st_size / 2**20
    print(
        f"\n`offramp analytics refresh`: snapshot built in {built.seconds:.2f} s ({wall:.2f} s with the "
        f"process start), {built.rows:,} rows, {size:.1f} MB parquet; peak RSS of the build {peak}"
    )
    snapshot.clear_cache()

    def cold_load() -> None:
        snapshot.clear_cache()
        snapshot.load()

    print(
        f"load() in a fresh process cache (parquet read + staleness check): {timed(cold_load, 3) * 1000:.0f} ms"
    )
    print(f"staleness check (fingerprint queries): {timed(snapshot.fingerprint, args.repeat) * 1000:.1f} ms")
    print(f"load() held in memory: {timed(snapshot.load, args.repeat) * 1e6:.0f} µs")
    frame = snapshot.load()
    core_s = timed(lambda: metrics.compute(frame, by=("all", "race"), period="year"), 3)
    rri_s = timed(lambda: disparity.rri(frame, by="race", within="seller_role"), 3)
    print(f"core metrics.compute(all, race; year): {core_s * 1000:.0f} ms; rri(race, within seller_role): "
          f"{rri_s * 1000:.0f} ms")  # fmt: skip

    # 2. the pages --------------------------------------------------------------------------------------
    role = ROLE_BY_SLUG["analyst"]
    user, _ = User.objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=role.name))
    client = Client()
    client.force_login(user)
    names = [p.name for p in urls.urlpatterns if isinstance(p, URLPattern) and p.name]
    pages: list[tuple[str, str]] = []
    for name in names:
        if name == "transparency_pdf" and not args.pdf:
            continue
        if name == "definition":
            pages.append((name, reverse("analytics:definition", args=[metrics.METRICS[0].id])))
            continue
        pages.append((name, reverse(f"analytics:{name}")))
    failures = []
    results: list[tuple[str, str, float, float]] = []

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")

    def computed(url: str) -> Callable[[], None]:
        def run() -> None:
            views.CACHE.clear()
            get(url)

        return run

    print(f"\n{'page':<22} {'filters':<66} {'computed':>9} {'cached':>8}  (median of {args.repeat}, ms)")
    for name, path in pages:
        sets: tuple[str, ...] = FILTERS if name not in ("definitions", "definition", "simulate") else ("",)
        if name == "disparity":
            sets = FILTERS + DISPARITY_FILTERS
        for query in sets:
            url = path + query
            get(url)  # warm-up
            fresh = timed(computed(url), args.repeat)
            get(url)
            again = timed(lambda u=url: get(u), args.repeat)  # type: ignore[misc]
            results.append((name, query or "(defaults)", fresh, again))
            print(f"{name:<22} {query or '(defaults)':<66} {fresh * 1000:>9.0f} {again * 1000:>8.0f}")

    # 3. summary ----------------------------------------------------------------------------------------
    worst = max(results, key=lambda r: r[2])
    print(
        f"\nslowest page (computed): {worst[0]} {worst[1]} {worst[2] * 1000:.0f} ms; "
        f"aim: every page under 1000 ms -> {'met' if worst[2] < 1 else 'NOT met'}"
    )
    print(f"peak RSS of this process serving the pages (snapshot in memory): {rss_mb():.0f} MB")
    # the baseline last, so the figure above is the pages' memory and not the build's
    build_s = once(snapshot.build_frame)
    print(
        f"baseline without the snapshot: snapshot.build_frame() from the database {build_s:.2f} s, so that page "
        f"would take {(build_s + worst[2]):.2f} s ({(build_s + worst[2]) / max(worst[2], 1e-9):.0f}x)"
    )
    if failures:
        print("pages that did not answer 200:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
