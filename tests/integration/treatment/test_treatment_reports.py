"""Treatment reports under 42 CFR Part 2: each role x consent state sees the reports on the case page and in the
CSV export, or is told they exist but are withheld and why, exactly as core `decide_access` says for
`treatment_reports`, with one audit record either way; the §2.32 notice on every disclosure; the coordinator's
form (an ASAM level needs the clinician who placed it; the level itself is `diagnosis` information); 403 for
roles without case access; an append-only ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401
from tests.integration.treatment import consents
from tests.integration.treatment.consents import STATES

from offramp.core.diversion.voluntariness import NOT_FOR_PROSECUTION
from offramp.core.screening import AsamLevel
from offramp.core.screening.consent import REDISCLOSURE_NOTICE, AccessState
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.treatment.models import ConsentRecord, TreatmentReport
from offramp.web.treatment.views import NOT_FOR_PROSECUTION_CELL, REPORT_COLUMNS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/R-1/"
EXPORT = "/treatment/cases/R-1/reports.csv"
FORM = "/treatment/cases/R-1/report/"
PERSON = "P-R1"
PROGRAM = "Northside Outpatient Recovery"
PROGRAM_CELL = f'<td data-testid="report-program">{PROGRAM}</td>'
SUMMARY = "Engaged in group; two missed sessions excused."
PANEL_NOTICE = f'<p class="usa-hint" data-testid="reports-redisclosure-notice">{REDISCLOSURE_NOTICE}</p>'
WITHHELD = "Treatment reports exist but are withheld: "
EXPORT_WITHHELD = "Treatment reports are withheld: "
CASE_ROLES = ("line_prosecutor", "supervisor", "diversion_coordinator", "victim_advocate")
#: who sees statements made in screening or diversion (issue 13: never the prosecution side)
STATEMENT_ROLES = ("diversion_coordinator",)
NAMED_ROLES = ("diversion_coordinator", "line_prosecutor")


@pytest.fixture
def case(tmp_path: Path, staff: Staff) -> Case:
    load_cases(cases_csv(tmp_path, [{"case_id": "R-1", "person_id": PERSON}]))
    case = Case.objects.get(case_key="R-1")
    make_report(case, staff.carol)
    return case


def make_report(case: Case, by: User, **changes: object) -> TreatmentReport:
    fields: dict[str, object] = {
        "case": case,
        "program_name": PROGRAM,
        "period_start": dt.date(2026, 3, 1),
        "period_end": dt.date(2026, 3, 31),
        "report_date": dt.date(2026, 4, 2),
        "sessions_attended": 10,
        "sessions_scheduled": 12,
        "drug_tests_taken": 4,
        "drug_tests_negative": 3,
        "moud_continuing": True,
        "progress_summary": SUMMARY,
        "reported_by": "Robin Counselor",
        "entered_by": by,
    }
    return TreatmentReport.objects.create(**(fields | changes))


def make_consent(case: Case, by: User, state: str, **changes: object) -> ConsentRecord | None:
    return consents.make_consent(
        case, by, state, kind="treatment_reports", roles=NAMED_ROLES, program=PROGRAM, **changes
    )


def expected_state(role: str, state: str) -> AccessState:
    return consents.expected_state(role, state, NAMED_ROLES)


def expected_reason(want: AccessState, consent: ConsentRecord | None) -> str:
    return want.description + (f" (consent C-{consent.pk})" if consent else "")


def reports_event(user: User) -> AuditEvent:
    """The one audit record of `user`'s access to (or refusal of) the treatment reports."""
    return AuditEvent.objects.get(
        object_type="sud_information", actor=user, detail__information="treatment_reports"
    )


def assert_event(event: AuditEvent, want: AccessState, consent: ConsentRecord | None) -> None:
    assert event.object_id == PERSON
    assert event.detail["state"] == want.value
    assert event.detail["purpose"] == "monitor_diversion"
    assert event.detail["consent"] == (f"C-{consent.pk}" if consent else "")
    if want is AccessState.VALID:
        assert (event.action, event.outcome) == ("view", "success")
    else:
        assert (event.action, event.outcome) == ("access_denied", "denied")
        assert event.detail["reason"] == expected_reason(want, consent)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_the_case_page_shows_or_withholds_the_reports_per_role_and_consent_state(
    case: Case, staff: Staff, role: str, state: str
) -> None:
    consent = make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    response = client_for(user).get(CASE)
    page = response.content.decode()
    want = expected_state(role, state)
    assert response.status_code == 200
    assert_event(reports_event(user), want, consent)
    if want is AccessState.VALID:
        assert PROGRAM_CELL in page
        assert '<td data-testid="report-attendance">10 of 12</td>' in page
        assert '<td data-testid="report-tests">3 of 4</td>' in page
        assert '<td data-testid="report-moud">yes</td>' in page
        # the summary is the person's own account: not for prosecution, only the diversion unit sees it
        if role in STATEMENT_ROLES:
            assert SUMMARY.split(";", maxsplit=1)[0] in page
            assert 'data-testid="reports-not-for-prosecution"' not in page
        else:
            assert SUMMARY.split(";", maxsplit=1)[0] not in page
            assert NOT_FOR_PROSECUTION in page
        assert PANEL_NOTICE in page
        assert WITHHELD not in page
    else:
        assert f'<p data-testid="reports-withheld">{WITHHELD}{expected_reason(want, consent)}</p>' in page
        assert PROGRAM_CELL not in page
        assert 'data-testid="treatment-report"' not in page
        assert SUMMARY.split(";", maxsplit=1)[0] not in page
        assert "Robin Counselor" not in page
        assert 'data-testid="reports-redisclosure-notice"' not in page
        assert 'data-testid="reports-csv-link"' not in page


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_the_export_gives_or_refuses_the_reports_per_role_and_consent_state(
    case: Case, staff: Staff, role: str, state: str
) -> None:
    consent = make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    response = client_for(user).get(EXPORT)
    body = response.content.decode()
    want = expected_state(role, state)
    assert_event(reports_event(user), want, consent)
    assert AuditEvent.objects.filter(object_type="sud_information", actor=user).count() == 1
    if want is AccessState.VALID:
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["X-Redisclosure-Notice"] == REDISCLOSURE_NOTICE
        first, scope, rest = body.split("\r\n", 2)
        assert first == f"# {REDISCLOSURE_NOTICE}"
        # the consent's scope: what, to whom, for what purpose, until when
        assert scope == f"# Scope: {consent.to_core().scope}"  # type: ignore[union-attr]
        assert all(part in scope for part in ("What: ", "To whom: ", "For what purpose: ", "Until: "))
        rows = list(csv.DictReader(io.StringIO(rest)))
        assert list(rows[0]) == list(REPORT_COLUMNS)
        assert len(rows) == 1
        assert rows[0]["program_name"] == PROGRAM
        assert (rows[0]["period_start"], rows[0]["period_end"]) == ("2026-03-01", "2026-03-31")
        assert (rows[0]["sessions_attended"], rows[0]["sessions_scheduled"]) == ("10", "12")
        assert (rows[0]["drug_tests_taken"], rows[0]["drug_tests_negative"]) == ("4", "3")
        assert (rows[0]["moud_continuing"], rows[0]["asam_level"], rows[0]["placed_by"]) == ("yes", "", "")
        assert rows[0]["progress_summary"] == (
            SUMMARY if role in STATEMENT_ROLES else NOT_FOR_PROSECUTION_CELL
        )
    else:
        assert response.status_code == 403
        assert body == f"{EXPORT_WITHHELD}{expected_reason(want, consent)}"
        assert PROGRAM not in body
        assert REDISCLOSURE_NOTICE not in body
        assert "X-Redisclosure-Notice" not in response


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ("analyst", "auditor"))
def test_it_refuses_the_case_page_and_export_without_sud_text(
    case: Case, staff: Staff, role: str, state: str
) -> None:
    make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    client = client_for(user)
    for path in (CASE, EXPORT):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 403
        assert PROGRAM not in page
        assert "Robin Counselor" not in page
        assert "treatment report" not in page.lower()
        assert REDISCLOSURE_NOTICE not in page
        denied = AuditEvent.objects.get(actor=user, action="access_denied", object_id=path)
        assert (denied.outcome, denied.object_type) == ("denied", "path")
    assert not AuditEvent.objects.filter(object_type="sud_information").exists()


def test_it_says_no_report_rather_than_withheld_when_there_is_none(tmp_path: Path, staff: Staff) -> None:
    load_cases(cases_csv(tmp_path, [{"case_id": "R-2", "person_id": "P-R2"}]))
    page = client_for(staff.dave).get("/cases/R-2/").content.decode()
    assert '<p data-testid="reports-none">No treatment report is recorded for this case.</p>' in page
    assert WITHHELD not in page
    event = reports_event(staff.dave)
    assert (event.action, event.object_id, event.detail["state"]) == ("access_denied", "P-R2", "none")


def test_it_records_a_report_from_the_form(case: Case, staff: Staff) -> None:
    make_consent(case, staff.carol, "valid")
    carol = client_for(staff.carol)
    assert 'data-testid="report-link"' in carol.get(CASE).content.decode()
    data = {
        "program_name": "Eastside MAT Clinic",
        "period_start": "2026-04-01",
        "period_end": "2026-04-30",
        "report_date": "2026-05-03",
        "sessions_attended": "8",
        "sessions_scheduled": "8",
        "drug_tests_taken": "",
        "drug_tests_negative": "",
        "moud_continuing": "true",
        "asam_level": "2.1",
        "placed_by": "Dr. Lee Clinician",
        "progress_summary": "Stable on buprenorphine.",
        "reported_by": "Kim Case Manager",
    }
    response = carol.post(FORM, data)
    assert response.status_code == 302
    assert response["Location"] == CASE
    row = TreatmentReport.objects.get(program_name="Eastside MAT Clinic")
    assert (row.case, row.entered_by, row.reported_by) == (case, staff.carol, "Kim Case Manager")
    assert (row.period_start, row.period_end, row.report_date) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 3),
    )
    assert (row.sessions_attended, row.sessions_scheduled) == (8, 8)
    assert (row.drug_tests_taken, row.drug_tests_negative, row.moud_continuing) == (None, None, True)
    assert (row.asam_level, row.placed_by) == (AsamLevel.INTENSIVE_OUTPATIENT.value, "Dr. Lee Clinician")
    created = AuditEvent.objects.get(object_type="treatment_report", object_id=str(row.pk))
    assert (created.action, created.actor) == ("create", staff.carol)
    # which case, never what the report says
    assert created.detail == {"case": "R-1"}
    page = carol.get(CASE).content.decode()
    assert '<td data-testid="report-program">Eastside MAT Clinic</td>' in page
    assert '<td data-testid="report-tests">not reported</td>' in page


def test_it_refuses_an_asam_level_without_the_clinician(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    data = {
        "program_name": "Eastside MAT Clinic",
        "period_start": "2026-04-01",
        "period_end": "2026-04-30",
        "report_date": "2026-05-03",
        "moud_continuing": "unknown",
        "asam_level": "3.x",
        "placed_by": "  ",
        "reported_by": "Kim Case Manager",
    }
    response = carol.post(FORM, data)
    page = response.content.decode()
    assert response.status_code == 200
    error = page.split('data-testid="error-placed_by">')[1].split("</span>")[0]
    assert "placed_by must name the clinician who made the placement" in error
    assert not TreatmentReport.objects.filter(program_name="Eastside MAT Clinic").exists()
    assert not AuditEvent.objects.filter(object_type="treatment_report").exists()
    with pytest.raises(ValueError, match="placed_by must name the clinician"):
        make_report(case, staff.carol, asam_level="3.x", placed_by="")


def test_it_refuses_a_report_that_contradicts_itself(case: Case, staff: Staff) -> None:
    data = {
        "program_name": "Eastside MAT Clinic",
        "period_start": "2026-04-30",
        "period_end": "2026-04-01",
        "report_date": "2026-05-03",
        "sessions_attended": "9",
        "sessions_scheduled": "8",
        "moud_continuing": "unknown",
        "reported_by": "Kim Case Manager",
    }
    page = client_for(staff.carol).post(FORM, data).content.decode()
    assert 'data-testid="error-period_end"' in page
    assert 'data-testid="error-sessions_attended"' in page
    assert not TreatmentReport.objects.filter(program_name="Eastside MAT Clinic").exists()


@pytest.mark.parametrize("role", ("line_prosecutor", "supervisor", "victim_advocate", "analyst", "auditor"))
def test_it_refuses_the_report_form_to_everyone_but_the_coordinator(
    case: Case, staff: Staff, role: str
) -> None:
    user = staff.by_role(role)
    client = client_for(user)
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, {"program_name": "X"}).status_code == 403
    assert TreatmentReport.objects.count() == 1
    assert AuditEvent.objects.filter(actor=user, action="access_denied", object_type="path").count() == 2


@pytest.mark.parametrize(
    ("information", "shown"),
    ((["treatment_reports"], False), (["treatment_reports", "diagnosis"], True)),
)
def test_an_asam_placement_is_shown_only_when_a_consent_covers_diagnosis(
    case: Case, staff: Staff, information: list[str], shown: bool
) -> None:
    make_report(case, staff.carol, asam_level="1", placed_by="Dr. Lee Clinician", program_name="MAT Two")
    make_consent(case, staff.carol, "valid", information=information)
    carol = client_for(staff.carol)
    page = carol.get(CASE).content.decode()
    rows = list(csv.DictReader(io.StringIO(carol.get(EXPORT).content.decode().split("\r\n", 2)[2])))
    placed = next(r for r in rows if r["program_name"] == "MAT Two")
    unplaced = next(r for r in rows if r["program_name"] == PROGRAM)
    assert '<td data-testid="report-program">MAT Two</td>' in page
    assert PANEL_NOTICE in page
    assert (unplaced["asam_level"], unplaced["placed_by"]) == ("", "")
    if shown:
        cell = f"{AsamLevel.OUTPATIENT.description} (placed by Dr. Lee Clinician)"
        assert f'<td data-testid="report-asam">{cell}</td>' in page
        assert (placed["asam_level"], placed["placed_by"]) == ("1", "Dr. Lee Clinician")
    else:
        reason = AccessState.OUT_OF_SCOPE.description
        assert f'<td data-testid="report-asam">withheld: {reason}' in page
        assert "Dr. Lee Clinician" not in page
        assert AsamLevel.OUTPATIENT.description not in page
        assert (placed["asam_level"], placed["placed_by"]) == ("(withheld)", "(withheld)")
    # the reports and the placement are audited separately, once per page and once per export
    diagnosis = AuditEvent.objects.filter(
        object_type="sud_information", actor=staff.carol, detail__information="diagnosis"
    )
    assert list(diagnosis.values_list("detail__state", flat=True)) == (
        ["valid", "valid"] if shown else ["out_of_scope", "out_of_scope"]
    )
    reports = AuditEvent.objects.filter(
        object_type="sud_information", actor=staff.carol, detail__information="treatment_reports"
    )
    assert reports.count() == 2


def test_it_keeps_the_reports_append_only(case: Case, staff: Staff) -> None:
    report = TreatmentReport.objects.get(case=case)
    report.sessions_attended = 12
    with pytest.raises(PermissionError, match="TreatmentReport rows are immutable"):
        report.save()
    with pytest.raises(PermissionError, match="TreatmentReport rows are immutable"):
        report.delete()
    assert TreatmentReport.objects.get(case=case).sessions_attended == 10
