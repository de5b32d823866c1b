"""Consent kinds on the web (42 CFR Part 2, 2024 rule): the charging-use consent form warns and refuses to
save without the counsel record; an irrevocable-until date after the case's final disposition is refused;
the printed consent names the patient and shows every §2.31(a) element; the panels carry statement 1 and
the consent's scope; a monitoring consent (old or new) never lets the charging decision use the screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401
from tests.integration.treatment import consents

from offramp.core.screening.consent import CHARGING_USE_WARNING, REDISCLOSURE_NOTICE, ConsentError
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.treatment.models import ConsentRecord
from offramp.web.treatment.views import REQUIRED_ELEMENTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

FORM = "/treatment/cases/K-1/consent/"


@pytest.fixture
def case(tmp_path: Path, staff: Staff) -> Case:
    return consents.screened_case(tmp_path, staff.carol, "K-1", "P-K1")


def form_data(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "kind": "charging_use",
        "patient_name": "Jordan Example",
        "disclosing_program": "Northside Recovery Services",
        "recipient_roles": ["line_prosecutor"],
        "recipient_usernames": "",
        "information": ["screening_results"],
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "expiry_event": "the charging decision",
        "warning_read": "on",
        "counsel_offered": "yes",
        "counsel_response": "accepted",
        "counsel_offered_by": "Casey Coordinator",
        "counsel_offered_on": today.isoformat(),
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_the_form_shows_the_charging_use_warning(case: Case, staff: Staff) -> None:
    page = client_for(staff.carol).get(FORM).content.decode()
    assert CHARGING_USE_WARNING in page
    assert "A result in these records can change that decision for you or against you." in page


def test_the_form_draws_every_choice_as_a_uswds_radio_or_checkbox(case: Case, staff: Staff) -> None:
    """USWDS hides the native input and draws the control on the label beside it: a choice rendered without
    `usa-radio__label` / `usa-checkbox__label` is invisible (the kind, roles and information showed nothing)."""
    page = client_for(staff.carol).get(FORM).content.decode()
    assert '<legend class="usa-legend">Kind of consent</legend>' in page
    assert 'class="usa-radio__label" for="id_kind_1">charging use</label>' in page
    assert page.count('class="usa-checkbox__label"') >= 7 + 2  # every role, and the kinds of information


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"counsel_offered": None}, "Record whether counsel was offered."),
        ({"counsel_offered": "no"}, "Counsel was not offered: offer counsel before the person signs"),
        ({"counsel_response": None}, "Say whether the person accepted or declined counsel."),
        ({"counsel_offered_by": None}, "Name who offered counsel."),
        ({"counsel_offered_on": None}, "Give the date counsel was offered."),
        ({"warning_read": None}, "Read the warning to the person before they sign."),
        ({"patient_name": None}, "This field is required."),
    ],
)
def test_a_charging_use_consent_is_not_saved_without_the_counsel_record(
    case: Case, staff: Staff, changes: dict[str, Any], error: str
) -> None:
    response = client_for(staff.carol).post(FORM, form_data(**changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_charging_use_consent_with_counsel_is_saved_and_lets_the_charging_decision_use_the_screen(
    case: Case, staff: Staff
) -> None:
    assert client_for(staff.carol).post(FORM, form_data()).status_code == 302
    row = ConsentRecord.objects.get()
    assert (row.kind, row.purposes, row.counsel_offered, row.counsel_response) == (
        "charging_use",
        ["charging_decision"],
        True,
        "accepted",
    )
    rec = recommend.recommend_case(case, staff.alice)
    assert rec.sud_screen == "positive"
    assert f"under consent {row.consent_id}. Scope: " in rec.sud_note
    page = client_for(staff.alice).get("/cases/K-1/").content.decode()
    assert 'data-testid="recommendation-redisclosure-notice"' in page


def test_a_monitoring_consent_never_lets_the_charging_decision_use_the_screen(
    case: Case, staff: Staff
) -> None:
    """Even one listing the charging decision among its purposes, as consents recorded before the kinds
    existed could (migration 0005 made them monitoring consents)."""
    consents.make_consent(
        case,
        staff.carol,
        "valid",
        kind="screening_results",
        roles=["line_prosecutor"],
        purposes=["monitor_diversion"],
    )
    ConsentRecord.objects.update(purposes=["monitor_diversion", "charging_decision"])
    rec = recommend.recommend_case(case, staff.alice)
    assert rec.sud_screen == "withheld"
    assert "a monitoring consent never covers the charging decision" in rec.sud_note
    # monitoring itself still works, with statement 1 and the scope on the panel
    page = client_for(staff.alice).get("/cases/K-1/").content.decode()
    assert '<td data-testid="screening-score">3</td>' in page
    assert f'<p class="usa-hint" data-testid="redisclosure-notice">{REDISCLOSURE_NOTICE}</p>' in page
    assert 'data-testid="consent-scope">Consent C-' in page
    assert "For what purpose: Monitoring the person&#x27;s progress in diversion" in page


def test_an_irrevocable_until_date_after_the_final_disposition_is_refused(case: Case, staff: Staff) -> None:
    disposed = timezone.localdate() + dt.timedelta(days=60)
    Case.objects.filter(pk=case.pk).update(disposition_date=disposed)
    client = client_for(staff.carol)
    later = (disposed + dt.timedelta(days=1)).isoformat()
    page = client.post(FORM, form_data(kind="monitoring", irrevocable_until=later)).content.decode()
    assert f"Irrevocable until {later} is later than the final disposition on {disposed} (§2.35(c))." in page
    assert not ConsentRecord.objects.exists()
    assert (
        client.post(FORM, form_data(kind="monitoring", irrevocable_until=disposed.isoformat())).status_code
        == 302
    )
    # and core refuses it below the form too
    case = Case.objects.select_related("person").get(pk=case.pk)
    with pytest.raises(ConsentError, match="later than the final disposition"):
        consents.make_consent(
            case,
            staff.carol,
            "valid",
            kind="screening_results",
            roles=["line_prosecutor"],
            irrevocable_until=disposed + dt.timedelta(days=1),
        )


def test_without_a_disposition_date_the_consent_is_irrevocable_until_final_disposition(
    case: Case, staff: Staff
) -> None:
    client = client_for(staff.carol)
    soon = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    page = client.post(FORM, form_data(kind="monitoring", irrevocable_until=soon)).content.decode()
    assert "make the consent irrevocable until final disposition" in page
    response = client.post(FORM, form_data(kind="monitoring", irrevocable_until_disposition="on"))
    assert response.status_code == 302
    row = ConsentRecord.objects.get()
    response = client.post(f"/treatment/consents/{row.pk}/revoke/", {"case_key": "K-1"}, follow=True)
    assert "is irrevocable until final disposition of the case (§2.35(c))" in response.content.decode()


def test_the_printed_consent_names_the_patient_and_every_required_element(case: Case, staff: Staff) -> None:
    client = client_for(staff.carol)
    assert client.post(FORM, form_data()).status_code == 302
    row = ConsentRecord.objects.get()
    page = client.get(f"/treatment/consents/{row.pk}/print/").content.decode()
    for key, label in REQUIRED_ELEMENTS:
        assert f'<tr data-testid="element-{key}"><th scope="row">{label}</th>' in page
    patient = '<th scope="row">Name of the patient (§2.31(a)(1))</th><td>Jordan Example</td>'
    assert f'<tr data-testid="element-patient">{patient}' in page
    assert "<td>Northside Recovery Services</td>" in page
    assert "<td>Line prosecutor</td>" in page
    assert "<td>the charging decision</td>" in page
    assert "May be revoked at any time" in page
    assert CHARGING_USE_WARNING in page
    assert f"Counsel offered by Casey Coordinator on {timezone.localdate()}; the person accepted." in page
    assert f'<p class="usa-hint" data-testid="redisclosure-notice">{REDISCLOSURE_NOTICE}</p>' in page
    assert len(REQUIRED_ELEMENTS) == 9  # §2.31(a)(1)-(9)
