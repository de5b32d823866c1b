"""The analytics snapshot: every stored case as one de-identified analytics row, cached as a parquet file.

API (what the dashboards, the reports and the CLI call):

    build_frame() -> pl.DataFrame        the frame, straight from the database (seconds at 1,000,000 cases)
    refresh() -> SnapshotInfo            build_frame() written to VAR_DIR/analytics/snapshot.parquet
    load(max_age=None) -> pl.DataFrame   the cached snapshot (rebuilt when missing or stale, see below)
    info() -> SnapshotInfo | None        what is on disk now (None: no snapshot yet)

The frame has the columns of core `ANALYTICS_SCHEMA` (conformed with `frame.conform`), in order, plus
`SNAPSHOT_EXTRA` (`unit`: the referring agency, the dashboards' "unit" filter; not a personal fact).
`analytics_frame(df)` drops the extras when a strict ANALYTICS_SCHEMA frame is wanted; core `metrics.compute`
and `disparity.rri` read only the columns they need, so they take the snapshot as it is.

How each column is read (one query per table, joined in Polars):

- `case_key`: HMAC-SHA256 of the stored case key under settings.SECRET_KEY, first 16 hex digits. Stable
  between refreshes (the same case keeps its key), meaningless without the secret key: no docket or case
  number ever reaches the frame. Race, ethnicity, sex from the person; `age_band` from the age in the
  year the case was received (received year - birth year); offence kind, drug and severity from the
  primary charge (the charge marked primary, else the lowest seq), falling back to the case's own
  primary_offense_kind / primary_drug.
- `decision`, `decided_on`, `filed`, `diversion_offered`, `diverted_post_filing`: from the case's latest
  Decision (one that no other decision supersedes; the latest by decided_at, id): decline -> declined,
  pre_charge_diversion -> diverted_pre_filing (+ offered), post_charge_diversion -> charged + filed +
  offered + diverted_post_filing, charge_with_plea_guidance / prosecute -> charged + filed. A case with no
  Decision (imported or generated history) is read from its `stage`: declined -> declined, diverted ->
  diverted_pre_filing (offered, accepted), charged / disposed / closed -> charged + filed; received and
  under_review -> undecided (null). A case disposed as `diverted_completed` without a decision is read
  as a post-filing diversion that was completed. `decided_on` is the decision's date (UTC) and null when
  the decision is read from the stage (the stage carries no date).
- `seller_role`, `overdose_risk`: the engine's findings as recorded in the latest Decision's trace;
  for every other case, the configured policy pack (settings.OFFRAMP_POLICY, the version in force today,
  parameters in force on each case's received date) is evaluated over all cases at once (vectorised,
  `columns=[...]`), so every case has them, read the same way.
- `diversion_*`, `program_entered_on`, `program_exited_on`: from the office's diversion referrals
  (diversion.Referral, the latest offer per case): offered; accepted (accepted_on set, or a state past
  acceptance); completed true for completed / dismissed, false for terminated / returned to prosecution
  after acceptance, null otherwise; returned = terminated or returned to prosecution after acceptance;
  entered = enrolled_on, else referred_on, else accepted_on; exited = completed_on, else terminated_on.
  Where the office has no referral, the imported program referrals (cases.ProgramReferral, e.g. the CCSAO
  Diversion export; the latest per case) count: offered and accepted, graduated -> completed, failed ->
  not completed and returned, entered on referral_date, exited on closed_date (graduated or failed).
- `disposition`, `disposed_on`, `sentence_days`: the case's disposition facts; `incarcerated` = the
  sentence type is jail or prison (null when no sentence type is recorded); sentence_days only then.
- `naloxone_given`, `moud_linked`: the overdose responses the latest Decision recorded in its trace
  (`overdose_responses`: "naloxone"; "moud_continuity" or "moud_linkage"). They mean "the response the
  decision recorded", not a clinical or pharmacy record; null for a case without a Decision.
- `restitution_ordered_usd` = orders - reductions - reversed orders + reversed reductions;
  `restitution_collected_usd` = payments - reversed payments; summed over the case's restitution orders
  (victims ledger). Null when the case has no order. `victim_involved`: the case has a victim row or a
  victim count above 0; `victim_contacted_on`: the first VictimConsultation.
- `new_case_within_1y`, `new_case_within_3y`: core `followup.recidivism` on each case's program exit
  (the same person's later cases; null until the window has elapsed).

Staleness rule (`load`): the snapshot is rebuilt when the file is missing, when it was built on an earlier
day (the follow-up windows and today's pack move with the date), when `max_age` (seconds) is given and the
snapshot is older, or when the data fingerprint changed. The fingerprint is a handful of COUNT / MAX
queries: count and max id of cases, charges, victims, imported program referrals, decisions, diversion
referrals and their events, consultations, restitution orders and ledger entries, and the latest import
batch (id and finish time; an import that changes cases in place finishes a batch), plus the secret key's
and policy setting's digests. A change that touches none of these (an edit made directly in the database)
is picked up by the next day's rebuild or by `offramp analytics refresh`. The fingerprint is checked at
most once every `CHECK_SECONDS` per process; in between, `load` returns the in-memory frame (keyed by the
file's mtime, so a refresh by another process is read once) without touching the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
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

from offramp.core.analytics.frame import ANALYTICS_SCHEMA, Decision, conform
from offramp.core.enums import CaseStage, DispositionKind, ReferralResult, SentenceType
from offramp.core.evaluation.frame import conform_eval, grams_expr
from offramp.core.followup import recidivism

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


# --- reading tables ---------------------------------------------------------------------------------------


def _sqlite_file() -> str | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or not Path(name).exists():
        return None
    return name


def _read(sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of `sql` (columns in `schema`'s order) cast to `schema`.

    PostgreSQL: COPY ... TO STDOUT (CSV) into `pl.read_csv`. SQLite: ADBC (Arrow, no Python objects) on the
    database file when the Django connection holds no open transaction (a separate connection would not
    see uncommitted rows, as in a test's transaction); otherwise the Django cursor. Booleans must be
    selected as integers (CAST(x AS INTEGER)) and dates as text or dates: the cast below handles both."""
    names = list(schema)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        buffer.seek(0)
        frame = pl.read_csv(buffer, has_header=False, new_columns=names, infer_schema=False)
        return _cast(frame, schema)
    path = _sqlite_file()
    if path is not None and not connection.in_atomic_block:
        frame = _read_staged(sql)
        frame.columns = names
        return _cast(frame, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    columns = list(zip(*rows, strict=True))
    frame = pl.DataFrame(
        {n: pl.Series(n, list(c), strict=False) for n, c in zip(names, columns, strict=True)}
    )
    return _cast(frame, schema)


def _read_staged(sql: str) -> pl.DataFrame:
    """SQLite at scale: Django's own connection writes the result into a fresh staging file (ATTACH +
    CREATE TABLE AS), and ADBC reads that file into Arrow. ADBC bundles its own SQLite library, and two
    SQLite libraries must never open the same database file in one process (closing one's file handle
    drops the POSIX locks the other holds, which can corrupt the database); the staging file is only ever
    opened by ADBC once Django has detached it. The same pattern as web/bulk.py, the other way round.
    ATTACH is refused inside a transaction, hence the cursor path there."""
    with tempfile.TemporaryDirectory(prefix="offramp-read-") as tmp:
        stage = Path(tmp) / "read.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS offramp_read", [str(stage)])
            try:
                cursor.execute(f"CREATE TABLE offramp_read.result AS {sql}")
            finally:
                cursor.execute("DETACH DATABASE offramp_read")
        return pl.read_database_uri("SELECT * FROM result", f"sqlite:///{stage}", engine="adbc")


def _cast(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        have = frame.schema[name]
        if have == pl.Null:
            exprs.append(pl.lit(None, dtype).alias(name))
        elif dtype == pl.Date():
            if have == pl.String:
                exprs.append(col.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(name))
            elif isinstance(have, pl.Datetime):
                exprs.append(col.dt.date().alias(name))
            else:
                exprs.append(col.cast(pl.Date).alias(name))
        elif dtype == pl.Boolean():
            if have == pl.String:
                exprs.append(col.replace_strict({"1": True, "0": False, "t": True, "f": False}, default=None,
                                                return_dtype=pl.Boolean).alias(name))  # fmt: skip
            else:
                exprs.append(col.cast(pl.Int64).cast(pl.Boolean).alias(name))
        else:
            exprs.append(col.cast(dtype, strict=False).alias(name))
    return frame.select(exprs)


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


_B = "CAST({} AS INTEGER)"
_CASE_BOOLS = (
    "weapon",
    "violence",
    "packaging",
    "scales_or_ledgers",
    "sale_to_minor",
    "near_school",
    "organizer_role",
    "on_supervision",
    "prior_overdose",
    "injection_use",
)
_CASE_NUMBERS: dict[str, pl.DataType] = {
    "cash_usd": pl.Float64(),
    "prior_felonies": pl.Int32(),
    "prior_violent": pl.Int32(),
    "prior_drug_sales": pl.Int32(),
    "days_since_release": pl.Int32(),
    "victim_count": pl.Int32(),
}
_CASE_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.Int64(),
    "raw_key": pl.String(),
    "person_id": pl.Int64(),
    "received_date": pl.Date(),
    "agency": pl.String(),
    "stage": pl.String(),
    "primary_offense_kind": pl.String(),
    "primary_drug": pl.String(),
    "disposition": pl.String(),
    "disposition_date": pl.Date(),
    "sentence_type": pl.String(),
    "sentence_days": pl.Int32(),
    **{name: pl.Boolean() for name in _CASE_BOOLS},
    **_CASE_NUMBERS,
}


def _cases() -> pl.DataFrame:
    columns = [
        "id",
        "case_key",
        "person_id",
        "received_date",
        "agency",
        "stage",
        "primary_offense_kind",
        "primary_drug",
        "disposition",
        "disposition_date",
        "sentence_type",
        "sentence_days",
        *(_B.format(c) for c in _CASE_BOOLS),
        *_CASE_NUMBERS,
    ]
    return _read(f"SELECT {', '.join(columns)} FROM cases_case", _CASE_SCHEMA)


def _persons() -> pl.DataFrame:
    return _read(
        "SELECT id, birth_year, sex, race, ethnicity FROM cases_person",
        {"person_id": pl.Int64(), "birth_year": pl.Int32(), "sex": pl.String(), "race": pl.String(),
         "ethnicity": pl.String()},
    )  # fmt: skip


def _primary_charges() -> pl.DataFrame:
    charges = _read(
        f"SELECT case_id, seq, {_B.format('is_primary')}, offense_kind, severity, drug, quantity, quantity_unit "
        "FROM cases_charge",
        {"case_id": pl.Int64(), "seq": pl.Int32(), "is_primary": pl.Boolean(), "offense_kind": pl.String(),
         "severity": pl.String(), "drug": pl.String(), "quantity": pl.Float64(), "quantity_unit": pl.String()},
    )  # fmt: skip
    return (
        charges.sort(
            ["case_id", pl.col("is_primary").fill_null(False), "seq"], descending=[False, True, False]
        )
        .unique("case_id", keep="first")
        .select(
            "case_id",
            pl.col("offense_kind").alias("charge_kind"),
            "severity",
            pl.col("drug").alias("charge_drug"),
            grams_expr(pl.col("quantity"), pl.col("quantity_unit")).alias("quantity_g"),
        )
    )


def _victims() -> pl.DataFrame:
    return _read("SELECT DISTINCT case_id FROM cases_victim", {"case_id": pl.Int64()}).with_columns(
        pl.lit(True).alias("has_victim")
    )


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
    from offramp.core.decision import TraceError, read_trace
    from offramp.web.decisions.models import Decision as DecisionRow

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


def _findings(trace: dict[str, Any]) -> dict[str, Any]:
    """{finding name: value} of a stored trace (core `DecisionTrace.finding_values`)."""
    from offramp.core.decision import read_trace

    return read_trace(trace).finding_values()


_ACCEPTED_STATES = (
    "accepted",
    "referred",
    "intake_overdue",
    "intake_completed",
    "enrolled",
    "non_compliant",
    "completed",
    "dismissed",
    "terminated",
)


def _office_referrals() -> pl.DataFrame:
    schema = {"case_id": pl.Int64(), "referral_id": pl.Int64(), "state": pl.String(), "offered_on": pl.Date(),
              "accepted_on": pl.Date(), "referred_on": pl.Date(), "enrolled_on": pl.Date(),
              "completed_on": pl.Date(), "terminated_on": pl.Date()}  # fmt: skip
    rows = _read(
        "SELECT case_id, id, state, offered_on, accepted_on, referred_on, enrolled_on, completed_on, "
        "terminated_on FROM diversion_referral",
        schema,
    )
    latest = rows.sort(["case_id", "offered_on", "referral_id"]).unique("case_id", keep="last")
    state = pl.col("state")
    accepted = (
        pl.col("accepted_on").is_not_null()
        | state.is_in(_ACCEPTED_STATES)
        | ((state == "returned_to_prosecution") & pl.col("accepted_on").is_not_null())
    )
    left = state.is_in(["terminated", "returned_to_prosecution"]) | pl.col("terminated_on").is_not_null()
    return latest.select(
        "case_id",
        pl.lit(True).alias("o_offered"),
        accepted.alias("o_accepted"),
        pl.when(~accepted)
        .then(None)
        .when(state.is_in(["completed", "dismissed"]))
        .then(True)
        .when(left)
        .then(False)
        .otherwise(None)
        .alias("o_completed"),
        (accepted & left).alias("o_returned"),
        pl.when(accepted).then(pl.coalesce("enrolled_on", "referred_on", "accepted_on")).alias("o_entered"),
        pl.coalesce("completed_on", "terminated_on").alias("o_exited"),
        pl.when(pl.col("completed_on").is_not_null())
        .then(pl.lit("completed"))
        .when(pl.col("terminated_on").is_not_null())
        .then(pl.lit("terminated"))
        .alias("o_exit_kind"),
    )


def _imported_referrals() -> pl.DataFrame:
    rows = _read(
        "SELECT case_id, seq, referral_date, result, closed_date FROM cases_programreferral",
        {"case_id": pl.Int64(), "seq": pl.Int32(), "referral_date": pl.Date(), "result": pl.String(),
         "closed_date": pl.Date()},
    )  # fmt: skip
    latest = rows.sort(["case_id", "referral_date", "seq"], nulls_last=False).unique("case_id", keep="last")
    result = pl.col("result")
    closed = result.is_in([ReferralResult.GRADUATED.value, ReferralResult.FAILED.value])
    return latest.select(
        "case_id",
        pl.lit(True).alias("i_offered"),
        pl.lit(True).alias("i_accepted"),
        pl.when(result == ReferralResult.GRADUATED.value)
        .then(True)
        .when(result == ReferralResult.FAILED.value)
        .then(False)
        .alias("i_completed"),
        (result == ReferralResult.FAILED.value).alias("i_returned"),
        pl.col("referral_date").alias("i_entered"),
        pl.when(closed).then(pl.col("closed_date")).alias("i_exited"),
        pl.when(closed & pl.col("closed_date").is_not_null())
        .then(pl.when(result == ReferralResult.GRADUATED.value).then(pl.lit("completed")).otherwise(
            pl.lit("terminated")))
        .alias("i_exit_kind"),
    )  # fmt: skip


def _restitution() -> pl.DataFrame:
    schema = {"case_id": pl.Int64(), "order_id": pl.Int64(), "seq": pl.Int32(), "kind": pl.String(),
              "amount": pl.Float64(), "reverses_seq": pl.Int32()}  # fmt: skip
    empty = pl.DataFrame(
        schema={"case_id": pl.Int64(), "restitution_ordered_usd": pl.Float64(),
                "restitution_collected_usd": pl.Float64()}
    )  # fmt: skip
    entries = _read(
        "SELECT o.case_id, e.order_id, e.seq, e.kind, CAST(e.amount AS REAL), e.reverses_seq "
        "FROM victims_ledgerentry e JOIN victims_restitutionorder o ON o.id = e.order_id",
        schema,
    )
    if entries.height == 0:
        return empty
    reversed_kind = entries.select(
        "order_id", pl.col("seq").alias("reverses_seq"), pl.col("kind").alias("reversed_kind")
    )
    entries = entries.join(reversed_kind, on=["order_id", "reverses_seq"], how="left")
    kind, rev, amount = pl.col("kind"), pl.col("reversed_kind"), pl.col("amount")
    ordered = (
        pl.when(kind == "order").then(amount)
        .when(kind == "reduction").then(-amount)
        .when((kind == "reversal") & (rev == "order")).then(-amount)
        .when((kind == "reversal") & (rev == "reduction")).then(amount)
        .otherwise(0.0)
    )  # fmt: skip
    collected = (
        pl.when(kind == "payment").then(amount)
        .when((kind == "reversal") & (rev == "payment")).then(-amount)
        .otherwise(0.0)
    )  # fmt: skip
    return entries.group_by("case_id").agg(
        ordered.sum().alias("restitution_ordered_usd"), collected.sum().alias("restitution_collected_usd")
    )


def _consultations() -> pl.DataFrame:
    schema = {"case_id": pl.Int64(), "victim_contacted_on": pl.Date()}
    return _read("SELECT case_id, MIN(consulted_on) FROM victims_victimconsultation GROUP BY case_id", schema)


def _findings_by_engine(frame: pl.DataFrame) -> pl.DataFrame:
    """seller_role and overdose_risk from the configured pack (in force today; each case's own date's
    parameters), for every case of `frame` (an evaluation frame keyed by `case_id`)."""
    from offramp.core.evaluation.engine import evaluate
    from offramp.web.decisions.recommend import pack_for

    none = frame.select("case_id", pl.lit(None, pl.String).alias("eng_seller_role"),
                        pl.lit(None, pl.Boolean).alias("eng_overdose_risk"))  # fmt: skip
    if frame.height == 0:
        return none
    try:
        pack, _ = pack_for(dt.date.today())
    except Exception:  # no pack configured or a broken one: the findings stay unknown, the rest is built
        log.warning("analytics snapshot: the policy pack does not load; seller_role left null", exc_info=True)
        return none
    found = evaluate(
        conform_eval(frame.with_columns(pl.col("case_id").cast(pl.String).alias("case_key"))),
        pack,
        columns=["seller_role", "overdose_risk"],
    )
    return pl.DataFrame(
        [
            frame["case_id"],
            found["seller_role"].cast(pl.String).alias("eng_seller_role"),
            found["overdose_risk"].cast(pl.Boolean).alias("eng_overdose_risk"),
        ]
    )


_STAGE_DECISION = {
    CaseStage.DECLINED.value: Decision.DECLINED.value,
    CaseStage.DIVERTED.value: Decision.DIVERTED_PRE_FILING.value,
    CaseStage.CHARGED.value: Decision.CHARGED.value,
    CaseStage.DISPOSED.value: Decision.CHARGED.value,
    CaseStage.CLOSED.value: Decision.CHARGED.value,
}
_OUTCOME_DECISION = {
    "decline": Decision.DECLINED.value,
    "pre_charge_diversion": Decision.DIVERTED_PRE_FILING.value,
    "post_charge_diversion": Decision.CHARGED.value,
    "charge_with_plea_guidance": Decision.CHARGED.value,
    "prosecute": Decision.CHARGED.value,
}


def build_frame(today: dt.date | None = None) -> pl.DataFrame:
    """Every stored case as one analytics row (SNAPSHOT_SCHEMA; see the module docstring)."""
    today = today or dt.date.today()
    cases = _cases()
    base = (
        cases.join(_persons(), on="person_id", how="left")
        .join(_primary_charges(), on="case_id", how="left")
        .join(_victims(), on="case_id", how="left")
        .with_columns(
            pl.col("charge_kind").fill_null(pl.col("primary_offense_kind")).alias("offense_kind"),
            pl.col("charge_drug").fill_null(pl.col("primary_drug")).alias("drug"),
            (pl.col("received_date").dt.year() - pl.col("birth_year"))
            .cast(pl.Int32)
            .alias("age_at_received"),
        )
    )
    engine = _findings_by_engine(base)
    decisions = _decisions()
    office = _office_referrals()
    imported = _imported_referrals()
    joined = (
        base.join(engine, on="case_id", how="left")
        .join(decisions, on="case_id", how="left")
        .join(office, on="case_id", how="left")
        .join(imported, on="case_id", how="left")
        .join(_restitution(), on="case_id", how="left")
        .join(_consultations(), on="case_id", how="left")
    )
    outcome, stage, disposition = pl.col("outcome"), pl.col("stage"), pl.col("disposition")
    has_decision = outcome.is_not_null()
    diverted_completed = disposition == DispositionKind.DIVERTED_COMPLETED.value
    stage_decision = stage.replace_strict(_STAGE_DECISION, default=None, return_dtype=pl.String)
    # a disposed-as-diverted case without a decision: diverted after filing, and completed
    stage_decision = (
        pl.when(diverted_completed).then(pl.lit(Decision.CHARGED.value)).otherwise(stage_decision)
    )
    decision = (
        pl.when(has_decision)
        .then(outcome.replace_strict(_OUTCOME_DECISION, default=None, return_dtype=pl.String))
        .otherwise(stage_decision)
    )
    post_filing = pl.when(has_decision).then(outcome == "post_charge_diversion").otherwise(diverted_completed)
    pre_filing = decision == Decision.DIVERTED_PRE_FILING.value
    stage_diverted = ~has_decision & (pre_filing | diverted_completed)
    has_program = pl.col("o_offered").is_not_null() | pl.col("i_offered").is_not_null()
    use_office = pl.col("o_offered").is_not_null()

    def pick(office_col: str, imported_col: str) -> pl.Expr:
        return pl.when(use_office).then(pl.col(office_col)).otherwise(pl.col(imported_col))

    accepted = pl.when(has_program).then(pick("o_accepted", "i_accepted")).when(stage_diverted).then(True)
    completed = (
        pl.when(has_program).then(pick("o_completed", "i_completed")).when(diverted_completed).then(True)
    )
    frame = joined.with_columns(
        decision.alias("decision"),
        pl.col("decided_on"),
        (has_program | pre_filing | post_filing).fill_null(False).alias("diversion_offered"),
        accepted.alias("diversion_accepted"),
        completed.alias("diversion_completed"),
        pl.when(has_program).then(pick("o_returned", "i_returned")).alias("diversion_returned"),
        pick("o_entered", "i_entered").alias("program_entered_on"),
        pick("o_exited", "i_exited").alias("program_exited_on"),
        pick("o_exit_kind", "i_exit_kind").alias("_exit_kind"),
        (
            (decision == Decision.CHARGED.value)
            | (pick("o_returned", "i_returned").fill_null(False) & pre_filing & disposition.is_not_null())
        ).alias("filed"),
        post_filing.fill_null(False).alias("diverted_post_filing"),
        pl.col("disposition_date").alias("disposed_on"),
        pl.when(pl.col("sentence_type").is_null())
        .then(None)
        .otherwise(pl.col("sentence_type").is_in([SentenceType.JAIL.value, SentenceType.PRISON.value]))
        .alias("incarcerated"),
        pl.when(pl.col("sentence_type").is_in([SentenceType.JAIL.value, SentenceType.PRISON.value]))
        .then(pl.col("sentence_days"))
        .alias("sentence_days"),
        pl.coalesce("trace_seller_role", "eng_seller_role").alias("seller_role"),
        pl.coalesce("trace_overdose_risk", "eng_overdose_risk").alias("overdose_risk"),
        (pl.col("has_victim").fill_null(False) | (pl.col("victim_count").fill_null(0) > 0)).alias(
            "victim_involved"
        ),
        pl.col("agency").alias("unit"),
        pl.col("age_at_received").alias("age"),
    )
    frame = frame.join(_new_cases(frame, today), on="case_id", how="left")
    keyed = frame.with_columns(opaque_keys(frame["raw_key"]).alias("case_key"))
    conformed = conform(keyed.drop("age_band", strict=False))
    return conformed.with_columns(keyed.get_column("unit").cast(pl.String))


def _new_cases(frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """new_case_within_1y / 3y for each case with a program exit (core followup.recidivism)."""
    exits = frame.filter(
        pl.col("program_exited_on").is_not_null() & pl.col("_exit_kind").is_not_null()
    ).select(
        "case_id",
        pl.col("person_id").alias("person_key"),
        pl.col("program_exited_on").alias("exit_date"),
        pl.col("_exit_kind").alias("exit_kind"),
    )
    schema = {"case_id": pl.Int64(), "new_case_within_1y": pl.Boolean(), "new_case_within_3y": pl.Boolean()}
    if exits.height == 0:
        return pl.DataFrame(schema=schema)
    people = exits["person_key"].unique()
    cases = frame.filter(pl.col("person_id").is_in(people.implode())).select(
        pl.col("person_id").alias("person_key"), pl.col("case_id").alias("case_key"), "received_date"
    )
    measured = recidivism(exits.filter(pl.col("exit_date") <= today), cases, (1, 3), today=today)
    return measured.select(
        "case_id",
        pl.col("within_1y").alias("new_case_within_1y"),
        pl.col("within_3y").alias("new_case_within_3y"),
    )


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
