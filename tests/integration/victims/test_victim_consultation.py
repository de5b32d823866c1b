"""Victim consultation: the status another app reads to block a diversion offer, and the advocate's form."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.factories import VictimFactory
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import no_static_finders  # noqa: F401

from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.victims.consultation import NO_VICTIM_NOTE, consultation_status
from offramp.web.victims.models import Method, VictimConsultation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

FORM = "/victims/cases/V-1/consult/"


def consult(case: Case, staff: Staff, agrees: bool | None, on: dt.date) -> VictimConsultation:
    return VictimConsultation.objects.create(
        case=case,
        victim=case.victims.first(),
        consulted_on=on,
        method=Method.PHONE,
        views="Wants the person to get treatment.",
        agrees_to_diversion=agrees,
        recorded_by=staff.dave,
    )


def test_a_case_without_victims_counts_as_consulted_with_a_note(cases: dict[str, Case]) -> None:
    status = consultation_status(cases["no_victim"])
    assert (status.consulted, status.agreed, status.last, status.note) == (True, None, None, NO_VICTIM_NOTE)


def test_a_victim_not_yet_consulted_blocks(cases: dict[str, Case]) -> None:
    status = consultation_status(cases["with_victim"])
    assert (status.consulted, status.agreed, status.last) == (False, None, None)


def test_the_newest_consultation_gives_the_status(cases: dict[str, Case], staff: Staff) -> None:
    case = cases["with_victim"]
    consult(case, staff, False, dt.date(2026, 3, 1))
    newest = consult(case, staff, True, dt.date(2026, 3, 5))
    status = consultation_status(case)
    assert (status.consulted, status.agreed, status.last) == (True, True, newest)


def test_a_consultation_is_never_edited_or_deleted(cases: dict[str, Case], staff: Staff) -> None:
    row = consult(cases["with_victim"], staff, None, dt.date(2026, 3, 1))
    row.views = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


def test_the_advocate_records_a_consultation(cases: dict[str, Case], staff: Staff) -> None:
    client = client_for(staff.dave)
    page = client.get("/cases/V-1/")
    assert b'data-testid="consult-link"' in page.content
    assert b"Not yet consulted." in page.content
    victim = cases["with_victim"].victims.get()
    response = client.post(
        FORM,
        {
            "victim": victim.pk,
            "consulted_on": "2026-04-01",
            "method": "in_person",
            "views": "Private views: wants her bicycle back.",
            "agrees_to_diversion": "yes",
            "wants_notifications": "on",
        },
    )
    assert response.status_code == 302
    row = VictimConsultation.objects.get()
    assert (row.victim, row.method, row.agrees_to_diversion, row.wants_notifications, row.recorded_by) == (
        victim,
        "in_person",
        True,
        True,
        staff.dave,
    )
    assert consultation_status(cases["with_victim"]).consulted
    event = AuditEvent.objects.get(object_type="victim_consultation")
    assert (event.action, event.actor_name, event.object_id) == ("create", "dave", str(row.pk))
    assert "bicycle" not in str(event.detail)  # the victim's views stay out of the audit trail
    page = client.get("/cases/V-1/")
    assert b"Consulted on 2026-04-01" in page.content and b"agrees to diversion: yes" in page.content


def test_a_representative_may_be_consulted_and_no_view_is_allowed(
    cases: dict[str, Case], staff: Staff
) -> None:
    response = client_for(staff.dave).post(
        FORM, {"victim": "", "consulted_on": "2026-04-01", "method": "letter", "agrees_to_diversion": ""}
    )
    assert response.status_code == 302
    row = VictimConsultation.objects.get()
    assert (row.victim, row.agrees_to_diversion, row.wants_notifications) == (None, None, False)
    assert consultation_status(cases["with_victim"]).consulted


def test_a_victim_of_another_case_is_refused(cases: dict[str, Case], staff: Staff) -> None:
    other = VictimFactory(case=cases["no_victim"], seq=1, harm="unknown", restitution_claimed_usd=None)
    response = client_for(staff.dave).post(
        FORM, {"victim": other.pk, "consulted_on": "2026-04-01", "method": "phone"}
    )
    assert response.status_code == 200 and b'data-testid="error-victim"' in response.content
    assert not VictimConsultation.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "line_prosecutor", "diversion_coordinator", "auditor"])
def test_only_the_advocate_records_consultations(cases: dict[str, Case], staff: Staff, role: str) -> None:
    client = client_for(staff.by_role(role))
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, {"consulted_on": "2026-04-01", "method": "phone"}).status_code == 403
    assert not VictimConsultation.objects.exists()


@pytest.mark.parametrize(
    "role", ["line_prosecutor", "supervisor", "diversion_coordinator", "victim_advocate"]
)
def test_case_roles_see_the_consultation_status(cases: dict[str, Case], staff: Staff, role: str) -> None:
    page = client_for(staff.by_role(role)).get("/cases/V-1/")
    assert b'data-testid="consultation-status"' in page.content
    assert (b'data-testid="consult-link"' in page.content) == (role == "victim_advocate")


def test_the_panel_says_when_no_victim_is_on_file(cases: dict[str, Case], staff: Staff) -> None:
    page = client_for(staff.alice).get("/cases/V-2/")
    assert b'data-testid="no-victims"' in page.content
    assert b"Nothing to consult: no victim on file." in page.content
