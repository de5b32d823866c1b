"""Notification letters from templates (decision, offer, completion), stored as sent, with a printable page."""

from __future__ import annotations

from typing import Any

import pytest
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import no_static_finders  # noqa: F401

from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions.models import Decision
from offramp.web.victims.models import Letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

GENERATE = "/victims/cases/V-1/letters/"
KIND_TEXT = {
    "decision": "charging decision in case V-1",
    "offer": "offering the person charged in case V-1",
    "completion": "has completed the diversion",
}


@pytest.mark.parametrize("kind", list(KIND_TEXT))
def test_the_advocate_generates_a_printable_letter(
    cases: dict[str, Case], staff: Staff, kind: str, settings: Any
) -> None:
    settings.OFFRAMP_OFFICE_NAME = "Fulton County District Attorney's Office"
    victim = cases["with_victim"].victims.get()
    client = client_for(staff.dave)
    response = client.post(GENERATE, {"kind": kind, "victim": victim.pk})
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/victims/letters/{letter.pk}/"
    assert (letter.kind, letter.victim, letter.created_by) == (kind, victim, staff.dave)
    assert "Fulton County District Attorney's Office" in letter.body
    assert "case V-1" in letter.body and KIND_TEXT[kind] in " ".join(letter.body.split())

    page = client.get(f"/victims/letters/{letter.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="letter-print"' in text
    assert "Fulton County District Attorney&#x27;s Office" in text and "V-1" in text
    assert AuditEvent.objects.filter(object_type="victim_letter", action="create").count() == 1
    assert AuditEvent.objects.filter(object_type="victim_letter", action="view").count() == 1
    assert f'href="/victims/letters/{letter.pk}/"' in client.get("/cases/V-1/").content.decode()


def test_the_default_office_name_and_the_decision_facts(cases: dict[str, Case], staff: Staff) -> None:
    case = cases["with_victim"]
    Decision.objects.create(
        case=case,
        policy_id="public-health",
        policy_version="1",
        trace={},
        recommended_outcome="pre_charge_diversion",
        outcome="pre_charge_diversion",
        accepted=True,
        decided_by=staff.alice,
        needs_supervisor=False,
    )
    client_for(staff.dave).post(GENERATE, {"kind": "decision", "victim": ""})
    body = Letter.objects.get().body
    assert "District Attorney's Office" in body
    assert "the office decided: Pre-charge diversion." in body


def test_a_letter_is_kept_as_sent(cases: dict[str, Case], staff: Staff) -> None:
    client_for(staff.dave).post(GENERATE, {"kind": "offer"})
    letter = Letter.objects.get()
    letter.body = "rewritten"
    with pytest.raises(PermissionError):
        letter.save()
    with pytest.raises(PermissionError):
        letter.delete()


@pytest.mark.parametrize("role", ["analyst", "line_prosecutor", "diversion_coordinator"])
def test_only_the_advocate_generates_letters(cases: dict[str, Case], staff: Staff, role: str) -> None:
    assert client_for(staff.by_role(role)).post(GENERATE, {"kind": "offer"}).status_code == 403
    assert not Letter.objects.exists()


def test_an_unknown_kind_generates_nothing(cases: dict[str, Case], staff: Staff) -> None:
    response = client_for(staff.dave).post(GENERATE, {"kind": "threat"})
    assert response.status_code == 302 and not Letter.objects.exists()
