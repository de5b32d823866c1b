"""`offramp import cases --format ccsao-diversion`: a Cook County State's Attorney Diversion export, written
in tmp_path in the export's real shape (exact header, `01/05/2014 12:00:00 AM` dates, one row per
participant and referral), imported through the real command into the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.integration.helpers import DATA_TABLES, ccsao_export, import_cases, snapshot

from offramp.web import bulk
from offramp.web.cases.models import Case, Charge, DataQualityWarning, ImportBatch, Person, ProgramReferral

pytestmark = pytest.mark.django_db

FMT = "ccsao-diversion"
AGENCY = "Cook County State's Attorney (open data)"
FIRST = "CCSAO-149765331439-175691153649"  # case key: CASE_ID and CASE_PARTICIPANT_ID
SECOND = "CCSAO-150000000001-180000000002"

#: participant 1: two referral rows (the second listed first, to show referrals are ordered by date);
#: participant 2: one referral dated 1946 (in the published data too), imported with a warning
ROWS: list[dict[str, str]] = [
    {
        "DIVERSION_PROGRAM": "DS",
        "REFERRAL_DATE": "06/01/2014 12:00:00 AM",
        "DIVERSION_RESULT": "Failed",
        "DIVERSION_CLOSED_DATE": "09/15/2014 03:30:00 PM",
    },
    {},
    {
        "CASE_ID": "150000000001",
        "CASE_PARTICIPANT_ID": "180000000002",
        "RECEIVED_DATE": "03/07/2015",
        "STATUTE": "720 ILCS 550/4(c)",
        "PRIMARY_CHARGE_OFFENSE_TITLE": "POSSESSION OF CANNABIS",
        "REFERRAL_DATE": "01/01/1946 12:00:00 AM",
        "GENDER": "Female",
        "RACE": "Latinx",
        "DIVERSION_RESULT": "",
        "DIVERSION_CLOSED_DATE": "",
        "DIVERSION_COUNT": "",
    },
]


def export(tmp_path: Path, rows: list[dict[str, str]] = ROWS, name: str = "diversion.csv") -> Path:
    return ccsao_export(tmp_path, rows, name=name)


def test_it_imports_a_diversion_export_one_case_per_participant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export(tmp_path)

    run = import_cases(capsys, path, FMT)

    assert run.rc == 0
    assert run.out.startswith(
        f"{path}: 2 rows ({FMT}) — imported 2 new cases, 0 changed, 0 unchanged; 2 new people, 0 changed; "
        "1 data-quality warnings."
    )
    assert (Person.objects.count(), Case.objects.count(), Charge.objects.count()) == (2, 2, 2)
    assert ProgramReferral.objects.count() == 3

    case = Case.objects.select_related("person").get(case_key=FIRST)
    assert (case.received_date, case.received_date_raw) == (dt.date(2014, 1, 5), "01/05/2014 12:00:00 AM")
    assert (case.stage, case.agency, case.source_format, case.source_row) == ("diverted", AGENCY, FMT, 2)
    assert (case.primary_offense_kind, case.primary_drug) == ("possession", "heroin")
    # the export has no evidence, history or health facts: unknown, never false
    assert (case.weapon, case.prior_felonies, case.prior_overdose, case.victim_count) == (
        None,
        None,
        None,
        None,
    )
    person = case.person
    assert (
        person.person_key,
        person.sex,
        person.sex_raw,
        person.race,
        person.race_raw,
        person.birth_year,
    ) == ("CCSAO-P175691153649", "male", "Male", "black", "Black", None)
    charge = case.charges.get()
    assert (charge.seq, charge.is_primary, charge.statute_raw, charge.title_raw) == (
        1,
        True,
        "720 ILCS 570/402(c)",
        "POSSESSION OF HEROIN",
    )
    assert (charge.offense_kind, charge.severity, charge.nibrs_code, charge.drug) == (
        "possession",
        "felony",
        "35A",
        "heroin",
    )
    referrals = list(
        case.referrals.order_by("seq").values_list(
            "seq",
            "program_code",
            "referral_date",
            "referral_date_raw",
            "diversion_count",
            "result",
            "result_raw",
            "closed_date",
            "closed_date_raw",
        )
    )
    assert referrals == [
        (
            1,
            "DDPP",
            dt.date(2014, 2, 10),
            "02/10/2014 12:00:00 AM",
            1,
            "graduated",
            "Graduated",
            dt.date(2015, 3, 1),
            "03/01/2015 12:00:00 AM",
        ),
        (
            2,
            "DS",
            dt.date(2014, 6, 1),
            "06/01/2014 12:00:00 AM",
            1,
            "failed",
            "Failed",
            dt.date(2014, 9, 15),
            "09/15/2014 03:30:00 PM",
        ),
    ]

    other = Case.objects.select_related("person").get(case_key=SECOND)
    assert (other.received_date, other.received_date_raw) == (dt.date(2015, 3, 7), "03/07/2015")
    assert (other.primary_offense_kind, other.primary_drug, other.stage) == (
        "possession",
        "cannabis",
        "diverted",
    )
    assert (other.person.sex, other.person.race, other.person.ethnicity, other.person.ethnicity_raw) == (
        "female",
        "unknown",
        "hispanic_latino",
        "Latinx",
    )
    assert list(
        other.referrals.values_list("seq", "referral_date", "result", "result_raw", "diversion_count")
    ) == [(1, dt.date(1946, 1, 1), "pending", None, None)]


def test_it_imports_a_1946_referral_with_a_warning_not_a_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export(tmp_path)

    run = import_cases(capsys, path, FMT)

    assert run.rc == 0
    assert run.err.splitlines() == [
        f"warning: {path}:4:REFERRAL_DATE: '01/01/1946 12:00:00 AM' — "
        "implausible REFERRAL_DATE: before 1980 or "
        "after today; imported as written, please check the source",
    ]
    warning = DataQualityWarning.objects.select_related("case", "import_batch").get()
    assert (warning.row, warning.field, warning.value, warning.case.case_key) == (
        4,
        "REFERRAL_DATE",
        "01/01/1946 12:00:00 AM",
        SECOND,
    )
    assert warning.import_batch == ImportBatch.objects.get()
    assert ImportBatch.objects.get().warnings == 1


def test_it_changes_nothing_when_the_export_is_imported_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export(tmp_path)
    assert import_cases(capsys, path, FMT).rc == 0
    before = snapshot()

    run = import_cases(capsys, path, FMT)

    assert run.rc == 0
    assert run.out.startswith(
        f"{path}: 2 rows ({FMT}) — imported 0 new cases, 0 changed, 2 unchanged; 0 new people, 0 changed; "
    )
    after = snapshot()
    assert {t: after[t] for t in DATA_TABLES} == {t: before[t] for t in DATA_TABLES}
    assert after["cases_importbatch"].count == before["cases_importbatch"].count + 1
    assert ProgramReferral.objects.count() == 3


def test_it_replaces_the_referrals_of_a_changed_participant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_cases(capsys, export(tmp_path), FMT).rc == 0
    ids = dict(Case.objects.values_list("case_key", "id"))
    second_referral = list(ProgramReferral.objects.filter(case__case_key=SECOND).values_list())
    rows = [dict(r) for r in ROWS]
    rows[1] = {"DIVERSION_RESULT": "Failed"}  # the DDPP referral's result is corrected
    path = export(tmp_path, rows, name="corrected.csv")

    run = import_cases(capsys, path, FMT)

    assert run.out.startswith(
        f"{path}: 2 rows ({FMT}) — imported 0 new cases, 1 changed, 1 unchanged; 0 new people, 0 changed; "
    )
    assert dict(Case.objects.values_list("case_key", "id")) == ids
    assert list(
        Case.objects.get(case_key=FIRST)
        .referrals.order_by("seq")
        .values_list("seq", "program_code", "result")
    ) == [
        (1, "DDPP", "failed"),
        (2, "DS", "failed"),
    ]
    assert ProgramReferral.objects.count() == 3
    assert list(ProgramReferral.objects.filter(case__case_key=SECOND).values_list()) == second_referral


def test_it_rejects_an_export_whose_last_row_has_a_bad_date_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_cases(capsys, export(tmp_path), FMT).rc == 0
    before = snapshot()
    rows = [
        *ROWS,
        {"CASE_ID": "777", "CASE_PARTICIPANT_ID": "888"},
        {"CASE_ID": "999", "CASE_PARTICIPANT_ID": "111", "RECEIVED_DATE": "13/45/2014 12:00:00 AM"},
    ]
    path = export(tmp_path, rows, name="bad.csv")

    run = import_cases(capsys, path, FMT)

    assert run.rc == 1
    assert run.err.splitlines() == [
        f"{path}:6:RECEIVED_DATE: '13/45/2014 12:00:00 AM' — "
        "expected a date as MM/DD/YYYY, optionally with a "
        "time (01/31/2011 12:00:00 AM) (required)",
        f"offramp import: 1 error(s) in {path}; nothing was imported.",
    ]
    assert snapshot() == before
    assert not Case.objects.filter(case_key="CCSAO-777-888").exists()


def test_it_lists_every_error_in_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {"CASE_PARTICIPANT_ID": ""},
        {"DIVERSION_COUNT": "two", "REFERRAL_DATE": "yesterday"},
        {"DIVERSION_RESULT": "Maybe"},
    ]
    path = export(tmp_path, rows, name="bad.csv")

    run = import_cases(capsys, path, FMT)

    assert run.rc == 1
    date = "a date as MM/DD/YYYY, optionally with a time (01/31/2011 12:00:00 AM)"
    assert run.err.splitlines() == [
        f"{path}:2:CASE_PARTICIPANT_ID: '' — expected a value",
        f"{path}:3:DIVERSION_COUNT: 'two' — expected a whole number of at least 0 (or blank if unknown)",
        f"{path}:3:REFERRAL_DATE: 'yesterday' — expected {date}",
        f"{path}:4:DIVERSION_RESULT: 'Maybe' — "
        "expected Graduated or Failed (blank: no result yet) (or blank if unknown)",
        f"offramp import: 4 error(s) in {path}; nothing was imported.",
    ]
    assert Case.objects.count() == 0


def test_it_rejects_a_file_without_the_export_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "not-an-export.csv"
    path.write_text("CASE_ID,CASE_PARTICIPANT_ID\n1,2\n", encoding="utf-8")

    run = import_cases(capsys, path, FMT)

    assert run.rc == 1
    assert (
        f"{path}:1:RECEIVED_DATE: '' — expected this column in the header row of a CCSAO Diversion export"
        in run.err
    )
    assert Case.objects.count() == 0


def test_it_writes_nothing_on_a_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    path = export(tmp_path)

    run = import_cases(capsys, path, FMT, "--dry-run")

    assert run.rc == 0
    assert run.out.startswith(f"{path}: 2 rows ({FMT}) — would import 2 new cases, 0 changed, 0 unchanged; ")
    assert run.out.splitlines()[1] == "dry run: nothing was written."
    assert snapshot() == before


def test_it_rolls_back_the_referrals_when_storing_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_cases(capsys, export(tmp_path), FMT).rc == 0
    before = snapshot()
    rows = [*ROWS, {"CASE_ID": "777", "CASE_PARTICIPANT_ID": "888", "DIVERSION_PROGRAM": "MHC"}]
    rows[0] = {**rows[0], "DIVERSION_RESULT": "Graduated"}
    real_flush = bulk.BulkWriter.flush
    written: list[int] = []

    def flush_then_fail(self: bulk.BulkWriter) -> None:
        real_flush(self)
        written.append(ProgramReferral.objects.count())
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(bulk.BulkWriter, "flush", flush_then_fail)

    run = import_cases(capsys, export(tmp_path, rows, name="more.csv"), FMT)

    assert written == [4]  # 3 - 2 replaced + 2 re-written + 1 new
    assert run.rc == 1
    assert "failed while storing: disk full (simulated); nothing was imported." in run.err
    assert snapshot() == before
