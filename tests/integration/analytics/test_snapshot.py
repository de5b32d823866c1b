"""The analytics snapshot from a small hand-made database: exact column values for each kind of case (a
decision, a stage only, an office diversion referral, an imported program referral, a restitution ledger,
consultations, a later case after a program exit), the opaque case key, the cached `load` (no query on a
repeated call), the rebuild after a new import, and the file written atomically with its metadata.

Runs on SQLite and on PostgreSQL (`DATABASE_URL=postgres://... pytest --create-db ...`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from tests.fixtures.traces import stored_trace
from tests.fixtures.users import Staff
from tests.integration.helpers import load_cases, read_csv_rows, write_csv_rows

from offramp.core.analytics.dataset import ANALYTICS_SCHEMA
from offramp.core.evaluation.criteria.enums import SellerRole
from offramp.web import dbread
from offramp.web.analytics import exports, snapshot, views
from offramp.web.cases.models import Case, ProgramReferral
from offramp.web.decisions.models import Decision
from offramp.web.diversion.models import Referral
from offramp.web.victims.models import LedgerEntry, RestitutionOrder, VictimConsultation

pytestmark = pytest.mark.django_db

DISPOSITION_COLUMNS = ("disposition", "disposition_date", "sentence_type", "sentence_days")
TODAY = dt.date.today()


def cases_file(tmp_path: Path, cells: Sequence[Mapping[str, str]], name: str = "cases.csv") -> Path:
    """The example's first row once per case, with its own cells, and the optional disposition columns."""
    header, rows = read_csv_rows()
    return write_csv_rows(tmp_path / name, [*header, *DISPOSITION_COLUMNS], [{**rows[0], **c} for c in cells])


#: the hand-made cases (the example row is a 1996-born Black man, fentanyl possession, received 2024-01-08)
CASES: list[dict[str, str]] = [
    # convicted on a plea, 30 days in jail; no decision row: read from the stage
    {"case_id": "S-1", "person_id": "P-1", "race": "white", "stage": "disposed", "disposition": "plea_guilty",
     "disposition_date": "2024-06-01", "sentence_type": "jail", "sentence_days": "30"},
    # declined (stage only)
    {"case_id": "S-2", "person_id": "P-2", "sex": "female", "stage": "declined", "birth_year": ""},
    # diverted (stage only), with an imported program referral that failed
    {"case_id": "S-3", "person_id": "P-3", "race": "asian", "stage": "diverted", "birth_year": "1960"},
    # a Decision row: pre-charge diversion, the trace records the findings and the overdose responses
    {"case_id": "S-4", "person_id": "P-4", "stage": "received"},
    # a post-charge diversion decision and the office's own referral, completed; victims and restitution
    {"case_id": "S-5", "person_id": "P-5", "stage": "charged", "victim_count": "1", "received_date": "2023-01-10",
     "agency": "Unit Five"},
    # the same person's later case, after the program exit (within a year of it)
    {"case_id": "S-6", "person_id": "P-5", "stage": "received", "received_date": "2023-09-01"},
    # disposed as a completed diversion, no decision
    {"case_id": "S-7", "person_id": "P-7", "stage": "disposed", "disposition": "diverted_completed",
     "disposition_date": "2024-05-01"},
]  # fmt: skip


def key(raw: str) -> str:
    return hmac.new(django_settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    snapshot.clear_cache()
    yield settings.VAR_DIR
    snapshot.clear_cache()


@pytest.fixture
def history(tmp_path: Path, staff: Staff) -> None:
    load_cases(cases_file(tmp_path, CASES))
    s3, s4, s5 = (Case.objects.get(case_key=k) for k in ("S-3", "S-4", "S-5"))
    ProgramReferral.objects.create(
        case=s3, seq=1, program_code="DDPP", referral_date=dt.date(2024, 2, 1), result="failed",
        closed_date=dt.date(2024, 4, 1),
    )  # fmt: skip
    trace = stored_trace(
        findings={"seller_role": "street_seller", "overdose_risk": True},
        overdose_responses=["naloxone", "moud_continuity"],
    )
    decide(s4, "pre_charge_diversion", staff, trace, dt.datetime(2024, 1, 20, 15, tzinfo=dt.UTC))
    first = decide(
        s5, "prosecute", staff, stored_trace(overdose_responses=[]), dt.datetime(2023, 1, 11, tzinfo=dt.UTC)
    )
    decide(s5, "post_charge_diversion", staff, stored_trace(overdose_responses=["naloxone"]),
           dt.datetime(2023, 1, 12, tzinfo=dt.UTC), supersedes=first)  # fmt: skip
    Referral.objects.create(
        case=s5, program_code="BR9", program_name="Branch 9", state="dismissed", version=7,
        offered_on=dt.date(2023, 1, 12), accepted_on=dt.date(2023, 1, 13), referred_on=dt.date(2023, 1, 14),
        enrolled_on=dt.date(2023, 1, 20), completed_on=dt.date(2023, 7, 1), created_by=staff.carol,
    )  # fmt: skip
    order = RestitutionOrder.objects.create(case=s5, ordered_on=dt.date(2023, 2, 1), created_by=staff.dave)
    entries = [("order", "500.00", None), ("payment", "100.00", None), ("payment", "50.00", None),
               ("reversal", "50.00", 3), ("reduction", "100.00", None)]  # fmt: skip
    for seq, (kind, amount, reverses) in enumerate(entries, start=1):
        LedgerEntry.objects.create(
            order=order, seq=seq, kind=kind, amount=amount, on=dt.date(2023, 2, seq), reverses_seq=reverses,
            recorded_by=staff.dave,
        )  # fmt: skip
    for day in (dt.date(2023, 3, 1), dt.date(2023, 2, 1)):
        VictimConsultation.objects.create(
            case=s5, consulted_on=day, method="phone", recorded_by=staff.dave, agrees_to_diversion=True
        )


def decide(case: Case, outcome: str, staff: Staff, trace: dict[str, Any], at: dt.datetime,
           supersedes: Decision | None = None) -> Decision:  # fmt: skip
    return Decision.objects.create(
        case=case, policy_id="public-health", policy_version="1", trace=trace, recommended_outcome=outcome,
        outcome=outcome, accepted=True, decided_by=staff.alice, decided_at=at, supersedes=supersedes,
        needs_supervisor=False,
    )  # fmt: skip


def rows_by_key(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["case_key"]: row for row in frame.iter_rows(named=True)}


def test_the_frame_has_the_analytics_schema_and_one_row_per_case(history: None) -> None:
    frame = snapshot.build_frame()
    assert frame.height == len(CASES)
    assert dict(frame.schema) == snapshot.SNAPSHOT_SCHEMA
    assert list(snapshot.analytics_frame(frame).schema) == list(ANALYTICS_SCHEMA)


def test_the_case_key_is_opaque(history: None) -> None:
    frame = snapshot.build_frame()
    assert sorted(frame["case_key"]) == sorted(key(c["case_id"]) for c in CASES)
    text = frame.select(pl.col(pl.String)).write_csv()
    for case in CASES:
        assert case["case_id"] not in text
        assert case["person_id"] not in text


def test_a_case_read_from_its_stage_and_disposition(history: None) -> None:
    row = rows_by_key(snapshot.build_frame())[key("S-1")]
    assert row | {} == row  # a plain dict
    expected = {
        "received_date": dt.date(2024, 1, 8), "race": "white", "ethnicity": "not_hispanic_latino",
        "sex": "male", "age_band": "25_34", "offense_kind": "possession", "drug": "fentanyl",
        "severity": "felony", "decision": "charged", "decided_on": None, "filed": True,
        "diversion_offered": False, "diversion_accepted": None, "diverted_post_filing": False,
        "disposition": "plea_guilty", "disposed_on": dt.date(2024, 6, 1), "incarcerated": True,
        "sentence_days": 30, "naloxone_given": None, "moud_linked": None, "restitution_ordered_usd": None,
        "victim_involved": False, "victim_contacted_on": None, "new_case_within_1y": None,
        "unit": "Chicago Police Department",
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected
    # no decision row: the engine's findings under the configured pack
    assert row["seller_role"] in SellerRole.values()
    assert row["overdose_risk"] is True  # the example: prior overdose, fentanyl


def test_declined_and_diverted_stages(history: None) -> None:
    rows = rows_by_key(snapshot.build_frame())
    declined, diverted = rows[key("S-2")], rows[key("S-3")]
    assert (declined["decision"], declined["filed"], declined["diversion_offered"]) == (
        "declined",
        False,
        False,
    )
    assert declined["sex"] == "female"
    assert declined["age_band"] == "unknown"
    assert declined["disposition"] is None
    assert declined["incarcerated"] is None
    # diverted, with the imported referral (failed): offered, accepted, not completed, returned
    assert diverted["decision"] == "diverted_pre_filing"
    assert diverted["age_band"] == "55_plus"
    assert diverted["race"] == "asian"
    assert (diverted["diversion_offered"], diverted["diversion_accepted"]) == (True, True)
    assert (diverted["diversion_completed"], diverted["diversion_returned"]) == (False, True)
    assert diverted["program_entered_on"] == dt.date(2024, 2, 1)
    assert diverted["program_exited_on"] == dt.date(2024, 4, 1)
    assert diverted["filed"] is False


def test_a_decision_row_and_its_trace(history: None) -> None:
    row = rows_by_key(snapshot.build_frame())[key("S-4")]
    expected = {
        "decision": "diverted_pre_filing", "decided_on": dt.date(2024, 1, 20), "filed": False,
        "diversion_offered": True, "diverted_post_filing": False, "seller_role": "street_seller",
        "overdose_risk": True, "naloxone_given": True, "moud_linked": True,
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected


def test_the_latest_decision_the_office_referral_restitution_and_follow_up(history: None) -> None:
    rows = rows_by_key(snapshot.build_frame())
    row = rows[key("S-5")]
    expected = {
        "decision": "charged", "decided_on": dt.date(2023, 1, 12), "filed": True, "diverted_post_filing": True,
        "naloxone_given": True, "moud_linked": False, "diversion_offered": True, "diversion_accepted": True,
        "diversion_completed": True, "diversion_returned": False,
        "program_entered_on": dt.date(2023, 1, 20), "program_exited_on": dt.date(2023, 7, 1),
        "restitution_ordered_usd": 400.0, "restitution_collected_usd": 100.0, "victim_involved": True,
        "victim_contacted_on": dt.date(2023, 2, 1), "new_case_within_1y": True,
        "new_case_within_3y": None if dt.date(2026, 7, 1) > TODAY else True, "unit": "Unit Five",
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected
    later = rows[key("S-6")]
    assert later["decision"] is None  # received, not decided
    assert later["new_case_within_1y"] is None  # no exit of its own


def test_a_disposition_of_completed_diversion_without_a_decision(history: None) -> None:
    row = rows_by_key(snapshot.build_frame())[key("S-7")]
    expected = {
        "decision": "charged", "filed": True, "diverted_post_filing": True, "diversion_offered": True,
        "diversion_accepted": True, "diversion_completed": True, "disposition": "diverted_completed",
    }  # fmt: skip
    assert {k: row[k] for k in expected} == expected


def test_refresh_writes_the_file_atomically_with_its_metadata(history: None, var_dir: Path) -> None:
    built = snapshot.refresh()
    assert built.path == var_dir / "analytics" / "snapshot.parquet"
    assert built.rows == len(CASES)
    assert sorted(p.name for p in built.path.parent.iterdir()) == ["snapshot.json", "snapshot.parquet"]
    meta = json.loads((var_dir / "analytics" / "snapshot.json").read_text())
    assert meta["rows"] == len(CASES)
    assert meta["fingerprint"]["tables"]["cases_case"][0] == len(CASES)
    on_disk = snapshot.info()
    assert on_disk is not None
    assert (on_disk.rows, on_disk.built_at) == (built.rows, built.built_at)
    assert pl.read_parquet(built.path).equals(snapshot.build_frame())


def test_a_repeated_load_makes_no_query(history: None, django_assert_num_queries: Any) -> None:
    assert snapshot.info() is None
    first = snapshot.load()  # missing: built now
    assert first.height == len(CASES)
    with django_assert_num_queries(0):
        again = snapshot.load()
    assert again is first


def test_load_reads_the_file_without_rebuilding_when_nothing_changed(
    history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = snapshot.refresh()
    snapshot.clear_cache()  # another process: only the file
    monkeypatch.setattr(snapshot, "build_frame", lambda *a, **k: pytest.fail("rebuilt"))
    assert snapshot.load().height == len(CASES)
    assert snapshot.info() == built


def test_a_new_import_makes_the_snapshot_stale(
    history: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot.refresh()
    assert snapshot.load().height == len(CASES)
    load_cases(cases_file(tmp_path, [{"case_id": "S-8", "person_id": "P-8"}], name="more.csv"))
    assert snapshot.load().height == len(CASES)  # checked at most every CHECK_SECONDS
    monkeypatch.setattr(snapshot, "CHECK_SECONDS", 0.0)
    frame = snapshot.load()
    assert frame.height == len(CASES) + 1
    assert key("S-8") in frame["case_key"].to_list()


def test_max_age_rebuilds_an_older_snapshot(history: None, monkeypatch: pytest.MonkeyPatch) -> None:
    first = snapshot.refresh()
    calls: list[int] = []
    real = snapshot.build_frame
    monkeypatch.setattr(snapshot, "build_frame", lambda *a, **k: calls.append(1) or real(*a, **k))
    snapshot.load(max_age=3600)
    assert calls == []
    monkeypatch.setattr(snapshot, "info", lambda: snapshot.SnapshotInfo(
        first.path, first.rows, first.built_at - dt.timedelta(hours=2), first.seconds, first.fingerprint))  # fmt: skip
    snapshot.load(max_age=3600)
    assert calls == [1]


def test_an_empty_database_gives_an_empty_frame() -> None:
    frame = snapshot.build_frame()
    assert frame.height == 0
    assert dict(frame.schema) == snapshot.SNAPSHOT_SCHEMA


@pytest.mark.django_db(transaction=True)
def test_the_committed_rows_read_the_same_through_arrow(
    history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a transaction SQLite is read through ADBC (Arrow); the Django cursor gives the same frame."""
    arrow = snapshot.build_frame()
    if connection.vendor == "sqlite":
        monkeypatch.setattr(dbread, "sqlite_file", lambda: None)
    cursor = snapshot.build_frame()
    assert arrow.sort("case_key").equals(cursor.sort("case_key"))
    assert arrow.height == len(CASES)


def test_the_management_command_refreshes(history: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("analytics", "info")
    assert "no analytics snapshot yet" in capsys.readouterr().out
    call_command("analytics", "refresh")
    assert f"{len(CASES)} case(s) written" in capsys.readouterr().out
    call_command("analytics", "info")
    assert f"{len(CASES)} case(s), built" in capsys.readouterr().out


def test_refresh_renders_the_transparency_pdf_so_no_request_waits_for_it(
    history: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("analytics", "refresh")
    assert "bytes of PDF rendered" in capsys.readouterr().out
    (on_disk,) = snapshot.directory().glob("transparency-*.pdf")
    assert on_disk.read_bytes().startswith(b"%PDF")

    def never(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("WeasyPrint ran again")

    monkeypatch.setattr(exports, "pdf_bytes", never)
    views.CACHE.clear()  # a fresh process: only the file on disk is left
    assert views.transparency_pdf_bytes() == on_disk.read_bytes()
