"""42 CFR Part 2 on the case page: each role x consent state shows the screening score or withholds it
exactly as core `decide_access` says, with an audit record either way; the §2.32 notice on every disclosure;
revocation at once (and refused while irrevocable); the screener form scoring in core; an append-only ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401
from tests.integration.treatment import consents
from tests.integration.treatment.consents import STATES

from offramp.core.screening.consent import REDISCLOSURE_NOTICE, AccessState
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.treatment.models import ConsentRecord, ConsentRevocation, Screening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/T-1/"
PERSON = "P-T1"
#: DAST-10 answers scoring 3 (items 1, 2 and 4 yes; item 3, reverse-scored, yes) -> band "moderate"
DAST_3 = consents.DAST_3
SCORE_CELL = '<td data-testid="screening-score">3</td><td data-testid="screening-band">moderate</td>'
WITHHELD = "SUD screening information exists but is withheld: "
CASE_ROLES = ("line_prosecutor", "supervisor", "diversion_coordinator", "victim_advocate")
NAMED_ROLES = ("diversion_coordinator", "line_prosecutor")


@pytest.fixture
def case(tmp_path: Path, staff: Staff) -> Case:
    return consents.screened_case(tmp_path, staff.carol, "T-1", PERSON)


def make_consent(case: Case, by: User, state: str, **changes: object) -> ConsentRecord | None:
    return consents.make_consent(case, by, state, kind="screening_results", roles=NAMED_ROLES, **changes)


def expected_state(role: str, state: str) -> AccessState:
    return consents.expected_state(role, state, NAMED_ROLES)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_it_shows_or_withholds_the_score_per_role_and_consent_state(
    case: Case, staff: Staff, role: str, state: str
) -> None:
    consent = make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    response = client_for(user).get(CASE)
    page = response.content.decode()
    want = expected_state(role, state)
    event = AuditEvent.objects.get(
        object_type="sud_information",
        actor=user,
        detail__information="screening_results",
        detail__purpose="monitor_diversion",
    )
    assert response.status_code == 200
    assert event.object_id == PERSON
    assert event.detail["state"] == want.value
    assert event.detail["information"] == "screening_results"
    assert event.detail["consent"] == (f"C-{consent.pk}" if consent else "")
    if want is AccessState.VALID:
        assert SCORE_CELL in page
        assert "<td>Pat Screener</td>" in page
        assert "<td>phone</td>" in page
        assert f'<p class="usa-hint" data-testid="redisclosure-notice">{REDISCLOSURE_NOTICE}</p>' in page
        assert WITHHELD not in page
        assert (event.action, event.outcome) == ("view", "success")
    else:
        reason = want.description + (f" (consent C-{consent.pk})" if consent else "")
        assert f'<p data-testid="sud-withheld">{WITHHELD}{reason}</p>' in page
        assert 'data-testid="screening-score"' not in page
        assert "moderate" not in page
        assert REDISCLOSURE_NOTICE not in page
        assert (event.action, event.outcome) == ("access_denied", "denied")
    status = want.value.replace("_", " ")
    assert f'<strong data-testid="consent-status">{status}</strong>' in page


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ("analyst", "auditor"))
def test_it_refuses_the_case_page_without_sud_text(case: Case, staff: Staff, role: str, state: str) -> None:
    make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    response = client_for(user).get(CASE)
    page = response.content.decode()
    assert response.status_code == 403
    assert "moderate" not in page
    assert "Pat Screener" not in page
    assert "screening" not in page.lower()
    assert REDISCLOSURE_NOTICE not in page
    denied = AuditEvent.objects.get(actor=user, action="access_denied")
    assert (denied.outcome, denied.object_type, denied.object_id) == ("denied", "path", CASE)
    assert not AuditEvent.objects.filter(object_type="sud_information").exists()


def test_it_takes_revocation_into_account_at_once(case: Case, staff: Staff) -> None:
    consent = make_consent(case, staff.carol, "valid")
    assert consent is not None
    carol = client_for(staff.carol)
    assert SCORE_CELL in carol.get(CASE).content.decode()
    response = carol.post(f"/treatment/consents/{consent.pk}/revoke/", {"case_key": "T-1"})
    assert response.status_code == 302
    assert response["Location"] == CASE
    assert ConsentRevocation.objects.get(consent=consent).revoked_on == timezone.localdate()
    page = carol.get(CASE).content.decode()
    assert SCORE_CELL not in page
    assert f"{WITHHELD}The person revoked the consent. (consent C-{consent.pk})" in page
    states = list(
        AuditEvent.objects.filter(
            object_type="sud_information",
            actor=staff.carol,
            detail__information="screening_results",
            detail__purpose="monitor_diversion",
        )
        .order_by("id")
        .values_list("detail__state", flat=True)
    )
    assert states == ["valid", "revoked"]


def disposed(case: Case, on: dt.date) -> Case:
    """The case with its final disposition on `on` (an irrevocable-until may run no later, §2.35(c))."""
    Case.objects.filter(pk=case.pk).update(disposition_date=on)
    return Case.objects.select_related("person").get(pk=case.pk)


def test_it_refuses_revocation_before_irrevocable_until(case: Case, staff: Staff) -> None:
    until = timezone.localdate() + dt.timedelta(days=90)
    case = disposed(case, until + dt.timedelta(days=30))
    consent = make_consent(case, staff.carol, "valid", irrevocable_until=until)
    assert consent is not None
    with pytest.raises(ValueError, match=f"irrevocable until {until}"):
        ConsentRevocation.objects.create(
            consent=consent, revoked_on=timezone.localdate(), recorded_by=staff.carol
        )
    carol = client_for(staff.carol)
    response = carol.post(f"/treatment/consents/{consent.pk}/revoke/", {"case_key": "T-1"}, follow=True)
    page = response.content.decode()
    assert f"Not revoked: consent C-{consent.pk} is irrevocable until {until} (§2.35(c))." in page
    assert not ConsentRevocation.objects.filter(consent=consent).exists()
    assert SCORE_CELL in page


def test_it_records_a_screening_scored_in_core(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    data = {
        "instrument": "dast-10",
        "mode": "in_person",
        "administered_by": "Sam Screener",
        "administered_at": "2026-04-02 09:30",
        **{f"item_dast-{n}": "yes" if a else "no" for n, a in enumerate(DAST_3, start=1)},
    }
    response = carol.post("/treatment/cases/T-1/screen/", data)
    assert response.status_code == 302
    screening = Screening.objects.get(administered_by="Sam Screener")
    assert (screening.instrument, screening.instrument_version) == ("dast-10", "1")
    assert (screening.score, screening.band, screening.mode) == (3, "moderate", "in_person")
    assert screening.answers == DAST_3
    assert screening.entered_by == staff.carol
    assert AuditEvent.objects.filter(object_type="screening", object_id=str(screening.pk)).count() == 1


def test_it_shows_core_answer_errors_on_the_screener_form(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    data = {
        "instrument": "dast-10",
        "mode": "phone",
        "administered_by": "Sam Screener",
        "administered_at": "2026-04-02 09:30",
        **{f"item_dast-{n}": "yes" if a else "no" for n, a in enumerate(DAST_3, start=1)},
    }
    data["item_dast-2"] = "weekly"  # not a yes/no answer: core refuses it, naming the item
    response = carol.post("/treatment/cases/T-1/screen/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-form"' in page
    assert "dast-10 item 2 (dast-2)" in page.split('data-testid="error-form">')[1].split("</span>")[0]
    assert not Screening.objects.filter(administered_by="Sam Screener").exists()


def test_it_refuses_the_screener_form_to_a_line_prosecutor(case: Case, staff: Staff) -> None:
    response = client_for(staff.alice).get("/treatment/cases/T-1/screen/")
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(actor=staff.alice, action="access_denied", object_type="path").count() == 1
    )


def test_it_records_a_consent_from_the_form(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    data = {
        "kind": "monitoring",
        "patient_name": "Jordan Example",
        "disclosing_program": "Northside Recovery Services",
        "recipient_roles": ["diversion_coordinator"],
        "recipient_usernames": "alice, bob",
        "information": ["screening_results"],
        "signed_on": "2026-01-05",
        "starts_on": "2026-01-05",
        "expiry_event": "completion of the diversion program",
    }
    response = carol.post("/treatment/cases/T-1/consent/", data)
    assert response.status_code == 302
    row = ConsentRecord.objects.get(person=case.person)
    assert (row.recipient_roles, row.recipient_usernames) == (["diversion_coordinator"], ["alice", "bob"])
    assert (row.expires_on, row.expiry_event) == (None, "completion of the diversion program")
    assert (row.kind, row.purposes, row.case, row.patient_name) == (
        "monitoring",
        ["monitor_diversion"],
        case,
        "Jordan Example",
    )
    # bob (supervisor) is named by username, not by role
    assert SCORE_CELL in client_for(staff.bob).get(CASE).content.decode()


def test_it_keeps_the_ledger_append_only(case: Case, staff: Staff) -> None:
    consent = make_consent(case, staff.carol, "revoked")
    assert consent is not None
    consent.expires_on = timezone.localdate() + dt.timedelta(days=999)
    with pytest.raises(PermissionError, match="ConsentRecord rows are immutable"):
        consent.save()
    revocation = ConsentRevocation.objects.get(consent=consent)
    with pytest.raises(PermissionError, match="ConsentRevocation rows are immutable"):
        revocation.delete()
    screening = Screening.objects.get(case=case)
    screening.score = 0
    with pytest.raises(PermissionError, match="Screening rows are immutable"):
        screening.save()
    assert Screening.objects.get(case=case).score == 3
    assert ConsentRecord.objects.get(pk=consent.pk).expires_on == timezone.localdate() + dt.timedelta(
        days=365
    )


def test_it_says_no_screening_rather_than_withheld_when_there_is_none(tmp_path: Path, staff: Staff) -> None:
    load_cases(cases_csv(tmp_path, [{"case_id": "T-2", "person_id": "P-T2"}]))
    page = client_for(staff.dave).get("/cases/T-2/").content.decode()
    assert '<p data-testid="sud-none">No SUD screening is recorded for this case.</p>' in page
    assert WITHHELD not in page
    event = AuditEvent.objects.get(
        object_type="sud_information",
        actor=staff.dave,
        detail__information="screening_results",
        detail__purpose="monitor_diversion",
    )
    assert (event.action, event.object_id, event.detail["state"]) == ("access_denied", "P-T2", "none")


def test_it_prints_a_consent_for_the_coordinator_only(case: Case, staff: Staff) -> None:
    until = timezone.localdate() + dt.timedelta(days=90)
    case = disposed(case, until)
    consent = make_consent(
        case,
        staff.carol,
        "valid",
        recipient_usernames=["alice"],
        expiry_event="completion of diversion",
        irrevocable_until=until,
    )
    assert consent is not None
    url = f"/treatment/consents/{consent.pk}/print/"
    page = client_for(staff.carol).get(url).content.decode()
    expires = consent.expires_on
    assert "<td>Diversion coordinator; Line prosecutor; alice</td>" in page
    assert f"<td>{expires:%Y-%m-%d} or completion of diversion</td>" in page
    assert f"May not be revoked before {until:%Y-%m-%d} (§2.35(c))." in page
    assert f'<p class="usa-hint" data-testid="redisclosure-notice">{REDISCLOSURE_NOTICE}</p>' in page
    assert (
        AuditEvent.objects.filter(object_type="consent", object_id=f"C-{consent.pk}", action="view").count()
        == 1
    )
    assert client_for(staff.alice).get(url).status_code == 403
