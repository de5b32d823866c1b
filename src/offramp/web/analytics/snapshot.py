"""The analytics snapshot: every stored case as one de-identified analytics row, cached as a parquet file.

    build_frame() -> pl.DataFrame        the frame, straight from the database (seconds at 1,000,000 cases)
    refresh() -> SnapshotInfo            build_frame() written to VAR_DIR/analytics/snapshot.parquet
    load(max_age=None) -> pl.DataFrame   the cached snapshot (rebuilt when missing or stale, see below)
    info() -> SnapshotInfo | None        what is on disk now (None: no snapshot yet)

The frame has core `ANALYTICS_SCHEMA`'s columns (`frame.conform`), in order, plus `SNAPSHOT_EXTRA` (`unit`:
the referring agency, the dashboards' "unit" filter; not a personal fact); `analytics_frame(df)` drops it.

This module reads; core decides. Cases, persons, charges, victims and imported program referrals come
through `cases.batch.read_batch` (the reader every evaluating path uses) and core `case_frame` (primary
charge, grams, age at receipt); the office's decisions, diversion referrals, consultations and restitution
ledger one query per table (`web.dbread`). What a row says is core's, documented and tested there:
`core.analytics.rows` (decision, filing, diversion, sentence, follow-up), `core.diversion.referral_progress`
(referral states and exits), `core.analytics.ledger` (restitution, in exact cents). Read here:

- `case_key`: HMAC-SHA256 of the stored case key under settings.SECRET_KEY, first 16 hex digits: stable
  between refreshes, meaningless without the secret key; no docket or case number reaches the frame.
- `seller_role`, `overdose_risk`: the findings recorded in the latest Decision's trace; for every other
  case the configured pack (the version in force today, parameters of each case's received date) is
  evaluated over all cases at once, so every case has them.
- `naloxone_given`, `moud_linked`: the overdose responses the latest Decision recorded (`overdose_responses`:
  "naloxone"; "moud_continuity" or "moud_linkage"), not a clinical record; null without a Decision.
- `victim_contacted_on`: the first VictimConsultation.

Staleness rule (`load`): rebuilt when the file is missing, was built on an earlier day (the follow-up
windows and today's pack move with the date), is older than `max_age` seconds (when given), or when the
data fingerprint changed: COUNT / MAX(id) of the source tables (`_SOURCES`), the latest import batch (id
and finish time; an import that changes cases in place finishes a batch), and digests of the secret key
and the policy setting. An edit made directly in the database is picked up by the next day's rebuild or
`offramp analytics refresh`. The fingerprint is checked at most every `CHECK_SECONDS` per process; in
between, `load` returns the in-memory frame (keyed by the file's mtime, so a refresh by another process is
read once) without touching the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection

from offramp.core.analytics.dataset import ANALYTICS_SCHEMA, conform
from offramp.core.analytics.rows import analytics_rows
from offramp.core.decision import TraceError, read_trace
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.frame import case_frame
from offramp.core.intake.batch import DISPOSITION_FACTS
from offramp.web.analytics.sources import consultations, ledger_entries, office_referrals
from offramp.web.cases.batch import StoredBatch, read_batch
from offramp.web.cases.models import Case
from offramp.web.dbread import read as _read
from offramp.web.decisions.models import Decision as DecisionRow
from offramp.web.decisions.recommend import pack_for

log = logging.getLogger(__name__)

#: columns the snapshot carries beyond ANALYTICS_SCHEMA (name -> dtype)
SNAPSHOT_EXTRA: dict[str, pl.DataType] = {"unit": pl.String()}
#: the snapshot's columns, in order
SNAPSHOT_SCHEMA: dict[str, pl.DataType] = {**ANALYTICS_SCHEMA, **SNAPSHOT_EXTRA}
#: how often (seconds) one process checks the data fingerprint against the database
CHECK_SECONDS = 10.0
FILE_NAME = "snapshot.parquet"
META_NAME = "snapshot.json"


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    rows: int
    built_at: dt.datetime
    seconds: float
    fingerprint: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["built_at"] = self.built_at.isoformat()
        return data


def analytics_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The snapshot with exactly ANALYTICS_SCHEMA's columns (the extras dropped)."""
    return frame.select(list(ANALYTICS_SCHEMA))


# --- the frame ---------------------------------------------------------------------------------------------


def opaque_keys(keys: pl.Series) -> pl.Series:
    """HMAC-SHA256 of each key under settings.SECRET_KEY, first 16 hex digits (see the module docstring)."""
    secret = settings.SECRET_KEY.encode()
    inner_outer = hmac.new(secret, digestmod=hashlib.sha256)
    out: list[str | None] = []
    for key in keys.to_list():
        if key is None:
            out.append(None)
            continue
        h = inner_outer.copy()
        h.update(key.encode())
        out.append(h.hexdigest()[:16])
    return pl.Series(keys.name, out, dtype=pl.String)


_LATEST_DECISIONS = (
    "SELECT d.case_id, d.id, d.outcome, d.decided_at FROM decisions_decision d "
    "WHERE NOT EXISTS (SELECT 1 FROM decisions_decision s WHERE s.supersedes_id = d.id)"
)


def _decisions() -> pl.DataFrame:
    """The latest decision per case, with what its trace recorded (seller_role, overdose_risk, responses)."""
    schema = {"case_id": pl.Int64(), "decision_id": pl.Int64(), "outcome": pl.String(),
              "decided_at": pl.String()}  # fmt: skip
    empty = pl.DataFrame(
        schema={"case_id": pl.Int64(), "outcome": pl.String(), "decided_on": pl.Date(),
                "trace_seller_role": pl.String(), "trace_overdose_risk": pl.Boolean(),
                "naloxone_given": pl.Boolean(), "moud_linked": pl.Boolean()}
    )  # fmt: skip
    rows = _read(_LATEST_DECISIONS, schema)
    if rows.height == 0:
        return empty
    latest = rows.sort(["case_id", "decided_at", "decision_id"]).unique("case_id", keep="last")

    traces: dict[int, Any] = {}
    ids = latest["decision_id"].to_list()
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        traces.update(DecisionRow.objects.filter(id__in=ids[start : start + 500]).values_list("id", "trace"))
    roles, risks, naloxone, moud = [], [], [], []
    for decision_id in ids:
        stored = traces.get(decision_id)
        if isinstance(stored, str):
            stored = json.loads(stored)
        try:  # core's one schema; a row stored without a trace has none
            trace = read_trace(stored) if stored else None
        except TraceError:  # one damaged row must not stop the snapshot: its findings stay unknown
            log.warning("analytics snapshot: decision %s has an unreadable trace", decision_id, exc_info=True)
            trace = None
        findings = trace.finding_values() if trace is not None else {}
        role = findings.get("seller_role")
        roles.append(str(role) if role is not None else None)
        risk = findings.get("overdose_risk")
        risks.append(bool(risk) if risk is not None else None)
        responses = set(trace.overdose_responses) if trace is not None else set()
        naloxone.append("naloxone" in responses)
        moud.append(bool(responses & {"moud_continuity", "moud_linkage"}))
    return latest.select(
        "case_id",
        "outcome",
        pl.col("decided_at").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("decided_on"),
        pl.Series("trace_seller_role", roles, dtype=pl.String),
        pl.Series("trace_overdose_risk", risks, dtype=pl.Boolean),
        pl.Series("naloxone_given", naloxone, dtype=pl.Boolean),
        pl.Series("moud_linked", moud, dtype=pl.Boolean),
    )


def _findings_by_engine(frame: pl.DataFrame) -> pl.DataFrame:
    """seller_role and overdose_risk from the configured pack (in force today; each case's own date's
    parameters), for every case of `frame` (core `case_frame`'s evaluation frame, keyed by `case_key`)."""
    none = frame.select("case_key", pl.lit(None, pl.String).alias("eng_seller_role"),
                        pl.lit(None, pl.Boolean).alias("eng_overdose_risk"))  # fmt: skip
    if frame.height == 0:
        return none
    try:
        pack, _ = pack_for(dt.date.today())
    except Exception:  # no pack configured or a broken one: the findings stay unknown, the rest is built
        log.warning("analytics snapshot: the policy pack does not load; seller_role left null", exc_info=True)
        return none
    found = evaluate(frame, pack, columns=["case_key", "seller_role", "overdose_risk"])
    return found.select(
        "case_key",
        pl.col("seller_role").cast(pl.String).alias("eng_seller_role"),
        pl.col("overdose_risk").cast(pl.Boolean).alias("eng_overdose_risk"),
    )


def _cases() -> tuple[pl.DataFrame, StoredBatch]:
    """Every stored case (`batch_for`: the reader every evaluating path uses) with its person's
    demographics, core's evaluation columns (primary charge, age at receipt) and the engine's findings,
    keyed by the database ids the office's own tables refer to."""
    stored = read_batch(Case.objects.all(), raw_text=False)
    batch = stored.batch
    evaluation = case_frame(batch)  # row for row in the order of batch.cases, as are stored.ids
    persons = batch.persons.select("person_key", "sex", "race", "ethnicity")
    has_victim = batch.victims.select("case_key").unique().with_columns(pl.lit(True).alias("has_victim"))
    facts = ("case_key", "person_key", "received_date", "agency", "stage", "victim_count", *DISPOSITION_FACTS)
    keys = batch.cases["case_key"]
    if not (stored.ids["case_key"].equals(keys) and evaluation["case_key"].equals(keys)):
        raise RuntimeError("the stored batch, its ids and its evaluation frame are not in one order")
    cases = (
        batch.cases.select(facts)
        .hstack(stored.ids.select("case_id", "person_id").get_columns())
        .hstack(
            evaluation.select(
                "offense_kind", "drug", "severity", "quantity_g", pl.col("age_at_received").alias("age")
            ).get_columns()
        )
    )
    return (
        cases.join(persons, on="person_key", how="left", maintain_order="left")
        .join(has_victim, on="case_key", how="left", maintain_order="left")
        .join(_findings_by_engine(evaluation), on="case_key", how="left", maintain_order="left")
        .with_columns(pl.col("agency").alias("unit"))
    ), stored


def build_frame(today: dt.date | None = None) -> pl.DataFrame:
    """Every stored case as one analytics row (SNAPSHOT_SCHEMA; see the module docstring): the tables read
    here, every rule about what a row says decided by core `analytics.rows.analytics_rows`."""
    today = today or dt.date.today()
    cases, stored = _cases()
    imported = stored.batch.referrals.join(stored.ids.select("case_key", "case_id"), on="case_key")
    frame = analytics_rows(
        cases,
        decisions=_decisions(),
        office_referrals=office_referrals(),
        imported_referrals=imported.select("case_id", "seq", "referral_date", "result", "closed_date"),
        ledger=ledger_entries(),
        consultations=consultations(),
        today=today,
    )
    keyed = frame.with_columns(opaque_keys(frame["case_key"]).alias("case_key"))
    conformed = conform(keyed.drop("age_band", strict=False))
    return conformed.with_columns(keyed.get_column("unit").cast(pl.String))


# --- the cached snapshot ------------------------------------------------------------------------------------


def directory() -> Path:
    return Path(settings.VAR_DIR) / "analytics"


def snapshot_path() -> Path:
    return directory() / FILE_NAME


_SOURCES = (
    "cases_case",
    "cases_person",
    "cases_charge",
    "cases_victim",
    "cases_programreferral",
    "decisions_decision",
    "diversion_referral",
    "diversion_referralevent",
    "victims_victimconsultation",
    "victims_restitutionorder",
    "victims_ledgerentry",
)


def fingerprint(today: dt.date | None = None) -> dict[str, Any]:
    """What the snapshot was built from: counts and max ids of the source tables, the latest import, the
    day, and digests of the secret key and the policy setting (see the staleness rule)."""
    parts = [f"(SELECT COUNT(*) FROM {t})" for t in _SOURCES] + [
        f"(SELECT MAX(id) FROM {t})" for t in _SOURCES
    ]
    parts.append("(SELECT MAX(id) FROM cases_importbatch)")
    parts.append("(SELECT CAST(MAX(finished_at) AS TEXT) FROM cases_importbatch)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    n = len(_SOURCES)
    return {
        "tables": {t: [row[i], row[n + i]] for i, t in enumerate(_SOURCES)},
        "import_batch": [row[2 * n], None if row[2 * n + 1] is None else str(row[2 * n + 1])],
        "day": (today or dt.date.today()).isoformat(),
        "secret": hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:12],
        "policy": str(getattr(settings, "OFFRAMP_POLICY", "")),
        "schema": list(SNAPSHOT_SCHEMA),
    }


def refresh() -> SnapshotInfo:
    """Build the frame and write it atomically (temp file + rename), with its JSON metadata."""
    started = time.perf_counter()
    stamp = fingerprint()
    frame = build_frame()
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    seconds = time.perf_counter() - started
    info_ = SnapshotInfo(folder / FILE_NAME, frame.height, built_at, round(seconds, 3), stamp)
    _atomic_write(folder / FILE_NAME, lambda p: frame.write_parquet(p, compression="zstd", statistics=False))
    _atomic_write(folder / META_NAME, lambda p: Path(p).write_text(json.dumps(info_.to_dict(), indent=1)))
    with _lock:
        _cache.clear()
        mtime = (folder / FILE_NAME).stat().st_mtime_ns
        _cache[str(folder / FILE_NAME)] = _Cached(mtime, frame, info_, time.monotonic())
    return info_


def _atomic_write(target: Path, write: Any) -> None:
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def info() -> SnapshotInfo | None:
    """The snapshot on disk (None when there is none)."""
    meta = directory() / META_NAME
    if not (directory() / FILE_NAME).exists() or not meta.exists():
        return None
    try:
        data = json.loads(meta.read_text())
        return SnapshotInfo(
            path=Path(data["path"]),
            rows=int(data["rows"]),
            built_at=dt.datetime.fromisoformat(data["built_at"]),
            seconds=float(data["seconds"]),
            fingerprint=data.get("fingerprint"),
        )
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class _Cached:
    mtime_ns: int
    frame: pl.DataFrame
    info: SnapshotInfo | None
    checked: float  # time.monotonic() of the last fingerprint check


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()


def load(max_age: float | None = None) -> pl.DataFrame:
    """The snapshot frame, rebuilt (`refresh`) when missing or stale (the staleness rule in the module
    docstring); `max_age` in seconds also rebuilds one older than that. Repeated calls in one process
    return the frame held in memory and, within CHECK_SECONDS, make no database query at all."""
    path = snapshot_path()
    key = str(path)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return _rebuilt()
    current = info()
    if current is None:
        return _rebuilt()
    if max_age is not None:
        age = (dt.datetime.now(dt.UTC) - current.built_at).total_seconds()
        if age > max_age:
            return _rebuilt()
    if cached is not None and cached.mtime_ns == mtime and now - cached.checked < CHECK_SECONDS:
        return cached.frame
    if current.fingerprint != fingerprint():
        return _rebuilt()
    if cached is not None and cached.mtime_ns == mtime:
        cached.checked = now
        return cached.frame
    frame = pl.read_parquet(path)
    with _lock:
        _cache[key] = _Cached(mtime, frame, current, now)
    return frame


def _rebuilt() -> pl.DataFrame:
    refresh()
    with _lock:
        return _cache[str(snapshot_path())].frame


def clear_cache() -> None:
    """Forget the in-memory frame (tests; the file stays)."""
    with _lock:
        _cache.clear()
