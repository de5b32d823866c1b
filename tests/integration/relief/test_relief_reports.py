"""Record relief and follow-up from the database: the retrospective candidate list (past convictions today's
policy pack would decline or divert) as a page, a printable page, a CSV download and `offramp report relief`;
follow-up (new cases within 1, 3 and 5 years of a completion or termination) as a page, a CSV and
`offramp report followup`; who may see them (403 otherwise) and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from django.test import Client
from tests.fixtures.clock import TODAY
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import (  # noqa: F401
    load_cases,
    no_static_finders,
    offramp,
    read_csv_rows,
    write_csv_rows,
)

from offramp.core.outcomes.relief import CANDIDATE_SCHEMA
from offramp.web.audit.models import Action, AuditEvent
from offramp.web.cases.models import Case, ProgramReferral
from offramp.web.diversion.models import Referral

#: the reports ask for "today"; the test builds its history from the same day
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders", "frozen_today")]

DISPOSITION_COLUMNS = ("disposition", "disposition_date", "sentence_type", "sentence_days")
#: a high-level sale: trafficking with an organiser, a weapon, scales and a large amount
HIGH_LEVEL = {
    "offense_kind": "trafficking",
    "statute": "O.C.G.A. 16-13-31(b)",
    "charge_title": "TRAFFICKING HEROIN",
    "drug": "heroin",
    "quantity_g": "900",
    "organizer_role": "true",
    "weapon": "true",
    "scales_or_ledgers": "true",
    "packaging": "true",
    "cash_usd": "40000",
    "prior_drug_sales": "3",
    "prior_felonies": "4",
}


def cases_file(tmp_path: Path, cells: Sequence[Mapping[str, str]], name: str = "cases.csv") -> Path:
    """The example's first row once per case, with its own cells, and the optional disposition columns."""
    header, rows = read_csv_rows()
    return write_csv_rows(tmp_path / name, [*header, *DISPOSITION_COLUMNS], [{**rows[0], **c} for c in cells])


@pytest.fixture
def history(tmp_path: Path) -> None:
    convicted = {"stage": "closed", "disposition": "plea_guilty", "disposition_date": "2021-05-01"}
    load_cases(
        cases_file(
            tmp_path,
            [
                {"case_id": "H-POSS", "person_id": "P-1", "received_date": "2021-01-04", **convicted,
                 "sentence_type": "probation", "sentence_days": "0"},
                {"case_id": "H-DISM", "person_id": "P-2", "received_date": "2021-01-05", "stage": "closed",
                 "disposition": "Nolle Pros", "disposition_date": "2021-03-01"},
                {"case_id": "H-SALE", "person_id": "P-3", "received_date": "2021-01-06", **HIGH_LEVEL,
                 **convicted, "disposition": "finding_guilty", "sentence_type": "prison",
                 "sentence_days": "3650"},
                {"case_id": "H-OPEN", "person_id": "P-4", "received_date": "2021-01-07"},
            ],
        )
    )  # fmt: skip


def test_intake_stores_the_disposition_facts(history: None) -> None:
    dismissed = Case.objects.get(case_key="H-DISM")
    assert (dismissed.disposition, dismissed.disposition_raw) == ("nolle_prosequi", "Nolle Pros")
    assert dismissed.disposition_date == dt.date(2021, 3, 1)
    sale = Case.objects.get(case_key="H-SALE")
    assert (sale.disposition, sale.sentence_type, sale.sentence_days) == ("finding_guilty", "prison", 3650)
    assert Case.objects.get(case_key="H-OPEN").disposition is None


def test_the_case_page_shows_the_disposition(history: None, staff: Staff) -> None:
    page = client_for(staff.alice).get("/cases/H-DISM/").content.decode()
    assert "Disposition" in page and "nolle_prosequi" in page and "(source: “Nolle Pros”)" in page
    assert "2021-03-01" in page


def test_a_convicted_possession_and_a_nolle_pros_are_candidates_a_high_level_sale_is_not(
    history: None, staff: Staff
) -> None:
    response = client_for(staff.alice).get("/relief/candidates/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="candidate-row"') == 2
    assert ">H-POSS</a>" in page and ">H-DISM</a>" in page
    assert "H-SALE" not in page and "H-OPEN" not in page
    assert 'data-testid="candidate-count">2<' in page
    assert "Past convictions evaluated: <strong>2</strong>" in page
    # each candidate shows its Georgia route; the nolle pros is restricted once the disposition is reported
    assert '<td data-testid="route">restrict_non_conviction</td>' in page
    assert "<strong>restrict_non_conviction</strong> (1)" in page
    # the disposition report form, a checkbox per candidate
    assert page.count('data-testid="select-case"') == 2 and 'action="/relief/dispositions.csv"' in page
    event = AuditEvent.objects.filter(object_type="relief_candidates", action=Action.LIST).get()
    assert event.actor == staff.alice and event.detail["candidates"] == 2


def test_the_csv_lists_the_candidates(history: None, staff: Staff) -> None:
    response = client_for(staff.bob).get("/relief/candidates.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == list(CANDIDATE_SCHEMA)
    assert [(r["case_key"], r["person_key"], r["received_date"], r["disposition"]) for r in rows] == [
        ("H-POSS", "P-1", "2021-01-04", "plea_guilty"),
        ("H-DISM", "P-2", "2021-01-05", "nolle_prosequi"),
    ]
    assert rows[1]["route"] == "restrict_non_conviction" and rows[1]["disposition_date"] == "2021-03-01"
    assert rows[0]["route"] in ("misdemeanor_petition", "retroactive_first_offender")
    assert rows[0]["today_outcome"] in ("decline", "pre_charge_diversion", "post_charge_diversion")
    assert rows[0]["offense_kind"] == "possession" and rows[0]["rule"]
    assert AuditEvent.objects.filter(object_type="relief_candidates", action=Action.EXPORT).count() == 1


def test_the_printable_list_stands_alone(history: None, staff: Staff) -> None:
    page = client_for(staff.bob).get("/relief/candidates/?print=1").content.decode()
    assert 'data-testid="candidates-printable"' in page
    assert "H-POSS" in page and "usa-header" not in page


@pytest.mark.parametrize(
    ("role", "candidates", "followup"),
    [
        ("line_prosecutor", 200, 403),
        ("supervisor", 200, 200),
        ("diversion_coordinator", 403, 200),
        ("victim_advocate", 403, 403),
        ("analyst", 403, 403),
        ("auditor", 403, 403),
    ],
)
def test_who_may_see_the_reports(staff: Staff, role: str, candidates: int, followup: int) -> None:
    client = client_for(staff.by_role(role))
    assert client.get("/relief/candidates/").status_code == candidates
    assert client.get("/relief/candidates.csv").status_code == candidates
    assert client.get("/relief/followup/").status_code == followup
    assert client.get("/relief/followup.csv").status_code == followup


def test_anonymous_users_are_sent_to_sign_in() -> None:
    response = Client().get("/relief/candidates/")
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_command_writes_the_candidate_csv(
    history: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "relief.csv"
    run = offramp(capsys, "report", "relief", "--policy", "public-health", "--out", str(out))
    assert run.rc == 0, run.err
    assert "2 candidate(s) among 2 past conviction(s)" in run.err
    assert "restrict_non_conviction 1" in run.err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["case_key"] for r in rows] == ["H-POSS", "H-DISM"]
    assert AuditEvent.objects.filter(object_type="relief_candidates", action=Action.EXPORT).count() == 1


# --- the disposition report ------------------------------------------------------------------------------------


def test_the_disposition_report_lists_the_selected_cases_with_their_route(
    history: None, staff: Staff
) -> None:
    response = client_for(staff.alice).get("/relief/dispositions.csv?case=H-SALE&case=H-DISM")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "disposition-report-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["case_id", "person_id", "charge", "disposition", "disposition_date", "route"]
    assert [(r["case_id"], r["person_id"], r["disposition"], r["disposition_date"]) for r in rows] == [
        ("H-DISM", "P-2", "nolle_prosequi", "2021-03-01"),
        ("H-SALE", "P-3", "finding_guilty", "2021-05-01"),
    ]
    assert rows[0]["route"] == "restrict_non_conviction"
    # four prior felonies: no retroactive First Offender; a felony conviction is not restrictable
    assert rows[1]["route"] == "not_restrictable"
    assert "TRAFFICKING HEROIN" in rows[1]["charge"] and "16-13-31" in rows[1]["charge"]
    event = AuditEvent.objects.filter(object_type="disposition_report", action=Action.EXPORT).get()
    assert event.actor == staff.alice and event.detail["cases"] == ["H-DISM", "H-SALE"]


def test_the_disposition_report_refuses_no_selection_an_unknown_case_and_an_open_case(
    history: None, staff: Staff
) -> None:
    client = client_for(staff.alice)
    assert client.get("/relief/dispositions.csv").status_code == 400
    unknown = client.get("/relief/dispositions.csv?case=NOPE")
    assert unknown.status_code == 400 and b"no case NOPE" in unknown.content
    open_case = client.get("/relief/dispositions.csv?case=H-OPEN")
    assert open_case.status_code == 400 and b"disposition is blank for case H-OPEN" in open_case.content


@pytest.mark.parametrize(("role", "status"), [("line_prosecutor", 200), ("diversion_coordinator", 403)])
def test_who_may_download_the_disposition_report(history: None, staff: Staff, role: str, status: int) -> None:
    client = client_for(staff.by_role(role))
    assert client.get("/relief/dispositions.csv?case=H-DISM").status_code == status


# --- follow-up ------------------------------------------------------------------------------------------------


def years_ago(years: int, month: int = 3, day: int = 1) -> dt.date:
    return dt.date(TODAY.year - years, month, day)


@pytest.fixture
def exits(tmp_path: Path) -> None:
    """A: completed 6 years ago, new case 2 years later; B: terminated 2 years ago, new case 6 months later;
    C: completed 4 years ago, no new case; D: a pending referral (no exit)."""
    a_exit, b_exit, c_exit = years_ago(6), years_ago(2), years_ago(4)
    load_cases(
        cases_file(
            tmp_path,
            [
                {"case_id": "F-A1", "person_id": "P-A", "received_date": str(years_ago(7))},
                {"case_id": "F-A2", "person_id": "P-A", "received_date": str(years_ago(4, 2, 1))},
                {"case_id": "F-B1", "person_id": "P-B", "received_date": str(years_ago(3))},
                {"case_id": "F-B2", "person_id": "P-B", "received_date": str(years_ago(2, 9, 1))},
                {"case_id": "F-C1", "person_id": "P-C", "received_date": str(years_ago(5))},
                {"case_id": "F-D1", "person_id": "P-D", "received_date": str(years_ago(5))},
            ],
        )
    )
    for key, result, closed in (
        ("F-A1", "graduated", a_exit),
        ("F-B1", "failed", b_exit),
        ("F-C1", "graduated", c_exit),
        ("F-D1", "pending", None),
    ):
        ProgramReferral.objects.create(
            case=Case.objects.get(case_key=key), seq=1, program_code="DDPP", result=result, closed_date=closed
        )


def test_followup_counts_new_cases_in_each_window(exits: None, staff: Staff) -> None:
    response = client_for(staff.carol).get("/relief/followup.csv")
    assert response.status_code == 200
    rows = {r["case_key"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"F-A1", "F-B1", "F-C1"}
    windows = {k: (r["within_1y"], r["within_3y"], r["within_5y"]) for k, r in rows.items()}
    assert windows == {
        "F-A1": ("false", "true", "true"),
        "F-B1": ("true", "", ""),  # 3 and 5 years have not passed: not yet measurable
        "F-C1": ("false", "false", ""),
    }
    assert (rows["F-A1"]["exit_kind"], rows["F-B1"]["exit_kind"]) == ("completed", "terminated")
    assert rows["F-A1"]["first_new_case_key"] == "F-A2"
    assert rows["F-C1"]["first_new_case_key"] == ""


def test_the_followup_page_shows_rates_over_measurable_exits(exits: None, staff: Staff) -> None:
    response = client_for(staff.bob).get("/relief/followup/")
    assert response.status_code == 200
    page = response.content.decode()

    def cells(kind: str, years: int) -> str:
        start = page.index(f'data-testid="summary-{kind}-{years}"')
        return page[start : page.index("</tr>", start)]

    assert "<td>0</td><td>2</td><td>0%</td>" in cells("completed", 1)
    assert "<td>1</td><td>2</td><td>50%</td>" in cells("completed", 3)
    assert "<td>1</td><td>1</td><td>100%</td>" in cells("completed", 5)
    assert "<td>1</td><td>1</td><td>100%</td>" in cells("terminated", 1)
    assert "<td>0</td><td>0</td><td>not yet measurable</td>" in cells("terminated", 3)
    start = page.index('data-testid="exit-F-B1"')
    assert page[start : page.index("</tr>", start)].count("not yet measurable") == 2
    assert AuditEvent.objects.filter(object_type="followup", action=Action.LIST, actor=staff.bob).count() == 1


def test_the_followup_command_writes_the_csv(
    exits: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "followup.csv"
    run = offramp(capsys, "report", "followup", "--out", str(out))
    assert run.rc == 0, run.err
    assert "completed within 3y: 1/2 (50.0%)" in run.err
    assert "terminated within 3y: 0/0 (not yet measurable)" in run.err
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3


def test_followup_counts_exits_from_the_offices_own_diversion_referrals(
    exits: None, tmp_path: Path, staff: Staff
) -> None:
    load_cases(
        cases_file(
            tmp_path,
            [
                {"case_id": "F-E1", "person_id": "P-E", "received_date": str(years_ago(3))},
                {"case_id": "F-E2", "person_id": "P-E", "received_date": str(years_ago(2, 8, 1))},
            ],
            name="more.csv",
        )
    )
    Referral.objects.create(
        case=Case.objects.get(case_key="F-E1"),
        program_code="DDPP",
        program_name="Drug Deferred Prosecution Program",
        state="terminated",
        offered_on=years_ago(3, 4, 1),
        terminated_on=years_ago(2, 5, 1),
        created_by=staff.carol,
    )
    response = client_for(staff.carol).get("/relief/followup.csv")
    rows = {r["case_key"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert (rows["F-E1"]["source"], rows["F-E1"]["exit_kind"]) == ("diversion referral", "terminated")
    assert (rows["F-E1"]["within_1y"], rows["F-E1"]["first_new_case_key"]) == ("true", "F-E2")
