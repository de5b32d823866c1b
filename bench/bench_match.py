"""Match one case against 15,000 generated programs: the vectorised matcher beside a straightforward
per-row Python matcher computing the same thing, in the same run.

    .venv/bin/python bench/bench_match.py                 # 15,000 programs, 30 timed runs
    .venv/bin/python bench/bench_match.py --n 50000 --repeat 10

The programs are seeded and shaped like the SAMHSA national listing the directory imports: placed at
Georgia ZIP centroids jittered by a few miles (a fifth with no coordinates, so the ZIP centroid stands
in), a mix of service types, most eligibility left unstated (as in SAMHSA) and some stated, vacancies
stated for about half, a few forbidding MOUD, a few inactive. The case: a 34-year-old man in Decatur
(30030), possession, pre-plea, on MOUD, Medicaid, Spanish, needing treatment and work, outcome program
types treatment and job_training.

Like for like: both sides take the programs frame in memory (ZIP centroids already loaded: the matcher
caches them at first use, the baseline gets the same table as a dict) and produce every program's
exclusions or its rank and reasons. `match` gets one untimed warm-up run, then the median (and best) of
`--repeat` timed runs; the baseline, the median of `--python-repeat` runs. The load average is printed:
on a shared machine the median moves with it, the best less so. The result sets (ranked ids in order, each program's
reasons and exclusions) must agree: the script exits 1 if they do not. Time never fails it: the aim
(issue 5) is under 50 ms; the figures are printed against it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import time
from typing import Any

import numpy as np
import polars as pl

from offramp.core.directory.batch import MATCH_SCHEMA, NEED_SERVICES, PROGRAM_TYPE_SERVICES, conform
from offramp.core.directory.geo import EARTH_RADIUS_MILES, zip_centroid, zip_frame
from offramp.core.directory.matching import FORBIDS_NOTE, LANGUAGE_NAMES, MatchRequest, match

SERVICE_MIX = [
    ["outpatient"],
    ["outpatient", "moud_buprenorphine"],
    ["sud_treatment"],
    ["intensive_outpatient", "mental_health"],
    ["residential", "detox"],
    ["moud_methadone", "outpatient"],
    ["mental_health"],
    ["peer_support", "housing"],
    ["education"],
    ["job_training", "job_placement"],
    ["housing"],
    ["restorative_justice"],
]


def generate_programs(n: int, seed: int = 5) -> pl.DataFrame:
    """`n` programs in MATCH_SCHEMA (see the module docstring for the mix)."""
    rng = np.random.default_rng(seed)
    ga = zip_frame().filter(pl.col("zip_state") == "GA", pl.col("zip_latitude").is_not_null())
    at = rng.integers(0, ga.height, n)
    place = ga[at]

    def pick(options: list[Any], p: list[float]) -> list[Any]:
        return [options[i] for i in rng.choice(len(options), n, p=p)]

    has_coords = rng.random(n) > 0.2
    jitter = rng.normal(0, 0.03, (2, n))
    vacancies = np.where(rng.random(n) < 0.5, rng.integers(0, 8, n), -1)
    waitlist = np.where(rng.random(n) < 0.4, rng.integers(0, 40, n), -1)
    frame = pl.DataFrame(
        {
            "service_at_location_id": [f"sal-{i:06d}" for i in range(n)],
            "service_id": [f"svc-{i:06d}" for i in range(n)],
            "location_id": [f"loc-{i:06d}" for i in range(n)],
            "organization_name": [f"Program {i % 4000:04d}" for i in range(n)],
            "service_name": pick(
                ["Outpatient", "Recovery", "Counselling", "Services", None], [0.3] * 3 + [0.05] * 2
            ),
            "status": pick(["active", None, "inactive", "temporarily closed"], [0.8, 0.15, 0.03, 0.02]),
            "service_types": pick(SERVICE_MIX, [1 / len(SERVICE_MIX)] * len(SERVICE_MIX)),
            "moud_policy": pick(["accepts", "unknown", "forbids", None], [0.5, 0.3, 0.05, 0.15]),
            "minimum_age": pick([None, 18, 21, 16], [0.7, 0.2, 0.05, 0.05]),
            "maximum_age": pick([None, 64, 25], [0.9, 0.07, 0.03]),
            "sex": pick([None, "any", "female", "male"], [0.6, 0.3, 0.05, 0.05]),
            "offense_kinds": pick([None, ["possession"], ["possession", "paraphernalia"]], [0.85, 0.1, 0.05]),
            "plea_stages": pick(
                [None, ["pre_plea"], ["post_plea"], ["pre_plea", "post_plea"]], [0.8, 0.05, 0.1, 0.05]
            ),
            "residency_states": pick([None, ["GA"]], [0.9, 0.1]),
            "residency_counties": pick(
                [None, ["DeKalb County"], ["Fulton", "DeKalb"], ["Chatham"]], [0.9, 0.04, 0.03, 0.03]
            ),
            "payments": pick(
                [None, ["medicaid", "private"], ["private"], ["uninsured", "medicaid"]], [0.4, 0.3, 0.1, 0.2]
            ),
            "languages": pick([None, ["en"], ["en", "es"], []], [0.5, 0.3, 0.15, 0.05]),
            "cost": pick(["free", "sliding_scale", "fee", "unknown"], [0.25] * 4),
            "vacancies": [None if v < 0 else int(v) for v in vacancies],
            "waitlist": [None if w < 0 else int(w) for w in waitlist],
            "capacity_updated": pick([None, dt.date(2026, 11, 2), dt.date(2026, 10, 15)], [0.6, 0.2, 0.2]),
            "city": ["Somewhere"] * n,
            "state_province": ["GA"] * n,
            "postal_code": place["zip"],
            "county": place["zip_county"],
            "latitude": np.where(has_coords, place["zip_latitude"].to_numpy() + jitter[0], np.nan),
            "longitude": np.where(has_coords, place["zip_longitude"].to_numpy() + jitter[1], np.nan),
        },
        strict=False,
    ).with_columns(pl.col("latitude", "longitude").fill_nan(None))
    return conform(frame, MATCH_SCHEMA)


# --- the baseline: one Python loop over the rows -------------------------------------------------------


def county_key(name: str) -> str:
    key = name.strip().lower()
    return key[: -len(" county")].rstrip() if key.endswith(" county") else key


def county_name(name: str) -> str:
    name = name.strip()
    return name[: -len(" county")].rstrip() if name.lower().endswith(" county") else name


def round1(x: float) -> float:
    """Half away from zero, as Polars rounds (Python's round() rounds half to even)."""
    return math.floor(x * 10 + 0.5) / 10


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin((math.radians(lon2) - math.radians(lon1)) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def fmt(x: float) -> str:
    return str(x)


def match_python(
    programs: pl.DataFrame, r: MatchRequest, centroids: dict[str, tuple[float, float]]
) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """(ranked ids in order, reasons by id, exclusions by id), one row at a time."""
    origin = zip_centroid(r.zip)
    assert origin is not None
    code = (r.language or "").lower()
    lang = LANGUAGE_NAMES.get(code, code)
    keyed: list[tuple[Any, ...]] = []
    reasons: dict[str, list[str]] = {}
    excluded: dict[str, list[str]] = {}
    for p in programs.iter_rows(named=True):
        lat, lon = p["latitude"], p["longitude"]
        if lat is None or lon is None:
            lat, lon = centroids.get((p["postal_code"] or "")[:5], (lat, lon))
        miles = (
            round1(haversine(origin[0], origin[1], lat, lon)) if lat is not None and lon is not None else None
        )
        stated = {
            k: bool(p[k])
            for k in (
                "offense_kinds",
                "plea_stages",
                "residency_states",
                "residency_counties",
                "payments",
                "languages",
            )
        }
        out = []
        if r.on_moud and p["moud_policy"] == "forbids":
            out.append("forbids MOUD; the person takes MOUD")
        status = p["status"].strip().lower() if p["status"] is not None else None
        if status is not None and status != "active":
            out.append(status)
        if r.age is not None:
            if p["minimum_age"] is not None and p["minimum_age"] > r.age:
                out.append(f"age {r.age} below minimum {p['minimum_age']}")
            if p["maximum_age"] is not None and p["maximum_age"] < r.age:
                out.append(f"age {r.age} above maximum {p['maximum_age']}")
        if r.sex is not None and p["sex"] in ("female", "male") and p["sex"] != r.sex:
            out.append("serves women only" if p["sex"] == "female" else "serves men only")
        if (
            r.offense_kind is not None
            and stated["offense_kinds"]
            and r.offense_kind not in p["offense_kinds"]
        ):
            out.append(
                f"offence kind {r.offense_kind} not accepted (accepts: {', '.join(p['offense_kinds'])})"
            )
        if r.plea_stage is not None and stated["plea_stages"] and r.plea_stage not in p["plea_stages"]:
            out.append(" or ".join(p["plea_stages"]).replace("_", "-") + " only")
        if (
            r.state is not None
            and stated["residency_states"]
            and r.state.upper() not in [s.strip().upper() for s in p["residency_states"]]
        ):
            out.append("requires residence in " + " or ".join(p["residency_states"]))
        if (
            r.county is not None
            and stated["residency_counties"]
            and county_key(r.county) not in [county_key(c) for c in p["residency_counties"]]
        ):
            out.append(
                f"requires residence in {' or '.join(county_name(c) for c in p['residency_counties'])} county"
            )
        if r.payments and stated["payments"] and not set(r.payments) & set(p["payments"]):
            out.append("does not take " + " or ".join(r.payments))
        if r.max_miles is not None and miles is not None and miles > r.max_miles:
            out.append(f"{fmt(miles)} miles from {r.zip}, beyond the {r.max_miles:g}-mile limit")
        sal = p["service_at_location_id"]
        if out:
            excluded[sal] = out
            continue
        types = set(p["service_types"] or ())
        met_types = [t for t in r.program_types if types & {s.value for s in PROGRAM_TYPE_SERVICES[t]}]
        met_needs = [n for n in r.needs if types & {s.value for s in NEED_SERVICES[n]}]
        why = []
        if met_types:
            why.append("offers program types: " + ", ".join(t.replace("_", " ") for t in met_types))
        if met_needs:
            why.append("meets needs: " + ", ".join(n.replace("_", " ") for n in met_needs))
        if not met_types and not met_needs:
            why.append("meets none of the requested program types or needs")
        v, w = p["vacancies"], p["waitlist"]
        why.append(
            "1 vacancy"
            if v == 1
            else f"{v} vacancies"
            if v is not None and v > 0
            else "vacancies not stated"
            if v is None
            else "no vacancies"
        )
        if w is not None and w > 0:
            why.append(f"waitlist {w}")
        if p["capacity_updated"] is not None:
            why.append(f"capacity updated {p['capacity_updated']}")
        why.append(
            f"{fmt(miles)} miles from {r.zip}"
            if miles is not None
            else "distance unknown: no address on file"
        )
        languages = [x.lower() for x in p["languages"] or ()]
        lang_class = 1 if not languages else 0 if code in languages else 2
        why.append(
            [f"services in {lang}", "languages not stated", f"no services listed in {lang}"][lang_class]
        )
        if r.on_moud and p["moud_policy"] == "accepts":
            why.append("accepts people on MOUD")
        if not r.on_moud and p["moud_policy"] == "forbids":
            why.append(FORBIDS_NOTE)
        blank = [
            name
            for name, blank_ in (
                ("MOUD policy", r.on_moud and p["moud_policy"] in (None, "unknown")),
                ("age", r.age is not None and p["minimum_age"] is None and p["maximum_age"] is None),
                ("sex", r.sex is not None and p["sex"] is None),
                ("offence kind", r.offense_kind is not None and not stated["offense_kinds"]),
                ("plea stage", r.plea_stage is not None and not stated["plea_stages"]),
                (
                    "residency",
                    (r.state or r.county) is not None
                    and not stated["residency_states"]
                    and not stated["residency_counties"],
                ),
                ("insurance", bool(r.payments) and not stated["payments"]),
            )
            if blank_
        ]
        if blank:
            why.append(f"eligibility for {', '.join(blank)} not stated")
        reasons[sal] = why
        klass = 0 if v is not None and v > 0 else 1 if v is None else 2
        org, name = p["organization_name"], p["service_name"]
        keyed.append((
            -(len(met_types) + len(met_needs)), klass, (w is None, w or 0), (miles is None, miles or 0.0), lang_class,
            (org is None, org or ""), (name is None, name or ""), sal,
        ))  # fmt: skip
    keyed.sort()
    return [k[-1] for k in keyed], reasons, excluded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=15_000)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of match")
    parser.add_argument("--python-repeat", type=int, default=3, help="timed runs of the Python baseline")
    args = parser.parse_args()

    programs = generate_programs(args.n)
    request = MatchRequest(
        age=34, sex="male", offense_kind="possession", plea_stage="pre_plea", zip="30030", language="es",
        payments=["medicaid"], on_moud=True, needs=["treatment", "work"], program_types=["treatment", "job_training"],
    )  # fmt: skip
    started = time.perf_counter()
    result = match(programs, request)  # warm-up
    print(f"programs {args.n:,}; warm-up match {1000 * (time.perf_counter() - started):.0f} ms; ranked "
          f"{result.ranked.height:,}, excluded {result.excluded.height:,}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = match(programs, request)
        times.append(1000 * (time.perf_counter() - started))
    median = statistics.median(times)
    print(f"match    median {median:6.1f} ms, best {min(times):6.1f} ms, worst {max(times):6.1f} ms "
          f"({args.repeat} runs); aim under 50 ms: {'met' if median < 50 else 'NOT met'}")  # fmt: skip

    centroids = {
        z: (a, b)
        for z, a, b in zip_frame().select("zip", "zip_latitude", "zip_longitude").iter_rows()
        if a is not None
    }
    python_times = []
    for _ in range(args.python_repeat):
        started = time.perf_counter()
        order, reasons, excluded = match_python(programs, request, centroids)
        python_times.append(1000 * (time.perf_counter() - started))
    python_ms = statistics.median(python_times)
    print(f"baseline per-row Python median {python_ms:6.1f} ms ({args.python_repeat} runs); match is "
          f"{python_ms / median:.1f}x faster (median to median)")  # fmt: skip

    ranked_ids = result.ranked["service_at_location_id"].to_list()
    problems = []
    if ranked_ids != order:
        first = next((i for i, (a, b) in enumerate(zip(ranked_ids, order, strict=False)) if a != b), None)
        problems.append(f"ranked order differs (lengths {len(ranked_ids)} vs {len(order)}, first at {first})")
    got_reasons = dict(zip(ranked_ids, result.ranked["reasons"].to_list(), strict=True))
    bad = [k for k in order if got_reasons.get(k) != reasons[k]]
    if bad:
        problems.append(
            f"{len(bad)} reasons differ, e.g. {bad[0]}: {got_reasons.get(bad[0])} vs {reasons[bad[0]]}"
        )
    got_excl = dict(
        zip(result.excluded["service_at_location_id"], result.excluded["exclusions"].to_list(), strict=True)
    )
    if got_excl != excluded:
        diff = sorted(k for k in set(got_excl) | set(excluded) if got_excl.get(k) != excluded.get(k))
        problems.append(f"exclusions differ for {len(diff)} programs, e.g. {diff[:1]}")
    forbids = result.ranked.filter(pl.col("moud_policy") == "forbids").height
    if forbids:
        problems.append(f"{forbids} programs forbidding MOUD ranked for a person on MOUD")
    if problems:
        print("MISMATCH with the baseline: " + "; ".join(problems))
        return 1
    print(f"agrees with the baseline: {len(order):,} ranked in the same order with the same reasons, "
          f"{len(excluded):,} excluded with the same exclusions; run on {dt.date.today()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
