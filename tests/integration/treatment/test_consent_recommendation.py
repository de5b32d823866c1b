"""42 CFR Part 2 in the recommendation: the engine uses a SUD screening only where a consent in force covers
the deciding user, screening results and the purpose of a charging decision; otherwise the recommendation
says it was made without it and why. Each case role x consent state, with an audit record either way."""

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

from offramp.core.evaluation.explain import SUD_SCREEN_NOTES
from offramp.core.screening import Administration, AdministrationMode
from offramp.core.screening.consent import REDISCLOSURE_NOTICE, AccessState, Purpose
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.admin import SUD_WITHHELD
from offramp.web.decisions.models import Decision
from offramp.web.decisions.service import record_decision
from offramp.web.treatment.models import ConsentRecord, ConsentRevocation, Screening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/R-1/"
PERSON = "P-R1"
#: DAST-10 with items 1, 2 and 4 yes (item 3, reverse-scored, yes): score 3, "moderate", a positive screen
DAST_POSITIVE = [True, True, True, True, False, False, False, False, False, False]
#: DAST-10 all no but item 3 (reverse-scored) yes: score 0, "none", a negative screen
DAST_NEGATIVE = [False, False, True, False, False, False, False, False, False, False]
CASE_ROLES = ("line_prosecutor", "supervisor", "diversion_coordinator", "victim_advocate")
NAMED_ROLES = ("line_prosecutor", "supervisor")


@pytest.fixture
def case(tmp_path: Path) -> Case:
    row = {"case_id": "R-1", "person_id": PERSON, "drug": "cocaine", "prior_overdose": "false"}
    load_cases(cases_csv(tmp_path, [row]))
    return Case.objects.select_related("person").get(case_key="R-1")


def screen(case: Case, by: User, answers: list[bool]) -> Screening:
    admin = Administration.record(
        "dast-10",
        answers,
        administered_by="Pat Screener",
        administered_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC),
        mode=AdministrationMode.IN_PERSON,
    )
    return Screening.create_from(case, admin, by)


def make_consent(case: Case, by: User, state: str, purposes: list[str] | None = None) -> ConsentRecord | None:
    return consents.make_consent(
        case,
        by,
        state,
        kind="screening_results",
        roles=NAMED_ROLES,
        purposes=purposes or [Purpose.CHARGING_DECISION.value],
    )


def expected_state(role: str, state: str) -> AccessState:
    return consents.expected_state(role, state, NAMED_ROLES)


def charging_events(user: User) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(object_type="sud_information", actor=user)
        if e.detail.get("purpose") == Purpose.CHARGING_DECISION.value
    ]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_the_recommendation_uses_the_screen_only_under_consent(
    case: Case, staff: Staff, role: str, state: str
) -> None:
    screening = screen(case, staff.carol, DAST_POSITIVE)
    consent = make_consent(case, staff.carol, state)
    user = staff.by_role(role)
    client = client_for(user)
    page = client.get(CASE).content.decode()
    rec = recommend.recommend_case(case, user)
    want = expected_state(role, state)
    events = charging_events(user)
    assert len(events) == 2  # the page's evaluation and ours, each audited
    assert {e.detail["state"] for e in events} == {want.value}
    assert {e.detail["information"] for e in events} == {"screening_results"}
    assert {e.object_id for e in events} == {PERSON}
    if want is AccessState.VALID:
        assert rec.sud_screen == "positive"
        assert rec.trace.finding_value("sud_indicated") is True
        assert rec.trace.notes == [SUD_SCREEN_NOTES["positive"]]
        assert rec.sud_note == (
            f"Uses the dast-10 screening of {screening.administered_at:%Y-%m-%d} (positive screen) "
            f"under consent C-{consent.pk}. Scope: {consent.to_core().scope}"  # type: ignore[union-attr]
        )
        assert "Until: " in rec.sud_note and "To whom: line_prosecutor, supervisor" in rec.sud_note
        assert f'<p data-testid="sud-note">{rec.sud_note}</p>' in page
        assert REDISCLOSURE_NOTICE in page
        assert {(e.action, e.outcome) for e in events} == {("view", "success")}
    else:
        assert rec.sud_screen == "withheld"
        # no proxy marker on file, so without the screen SUD is not indicated
        assert rec.trace.finding_value("sud_indicated") is False
        assert rec.trace.notes == [SUD_SCREEN_NOTES["withheld"]]
        assert rec.sud_note.startswith("Made without SUD screening results: " + want.description)
        assert f'<p data-testid="sud-note">{rec.sud_note}</p>' in page
        assert "positive screen" not in page
        assert 'data-testid="recommendation-redisclosure-notice"' not in page
        assert {(e.action, e.outcome) for e in events} == {("access_denied", "denied")}


def test_a_consent_for_monitoring_does_not_let_the_charging_decision_use_the_screen(
    case: Case, staff: Staff
) -> None:
    screen(case, staff.carol, DAST_POSITIVE)
    make_consent(case, staff.carol, "valid", purposes=[Purpose.MONITOR_DIVERSION.value])
    rec = recommend.recommend_case(case, staff.alice)
    assert rec.sud_screen == "withheld"
    assert AccessState.OUT_OF_SCOPE.description in rec.sud_note


def test_a_negative_screen_is_used_and_named(case: Case, staff: Staff) -> None:
    screen(case, staff.carol, DAST_NEGATIVE)
    make_consent(case, staff.carol, "valid")
    rec = recommend.recommend_case(case, staff.alice)
    assert rec.sud_screen == "negative"
    assert "(negative screen)" in rec.sud_note
    assert rec.trace.finding_value("sud_indicated") is False


def test_no_screen_on_file_means_no_note_and_no_sud_audit(case: Case, staff: Staff) -> None:
    rec = recommend.recommend_case(case, staff.alice)
    assert (rec.sud_screen, rec.sud_note, rec.trace.notes) == (None, "", [])
    assert not AuditEvent.objects.filter(object_type="sud_information").exists()


def test_without_a_user_the_screen_is_withheld(case: Case, staff: Staff) -> None:
    screen(case, staff.carol, DAST_POSITIVE)
    make_consent(case, staff.carol, "valid")
    rec = recommend.recommend_case(case)
    assert rec.sud_screen == "withheld"
    assert rec.sud_note == "Made without SUD screening results: no signed-in user to check consent for."


def test_revocation_takes_effect_on_the_next_recommendation(case: Case, staff: Staff) -> None:
    screen(case, staff.carol, DAST_POSITIVE)
    consent = make_consent(case, staff.carol, "valid")
    assert recommend.recommend_case(case, staff.alice).sud_screen == "positive"
    ConsentRevocation.objects.create(
        consent=consent, revoked_on=timezone.localdate(), recorded_by=staff.carol
    )
    assert recommend.recommend_case(case, staff.alice).sud_screen == "withheld"


def test_a_decision_keeps_what_the_recommendation_was_made_with(case: Case, staff: Staff) -> None:
    screen(case, staff.carol, DAST_POSITIVE)
    make_consent(case, staff.carol, "valid")
    client = client_for(staff.alice)
    rec = recommend.recommend_case(case, staff.alice)
    form = {
        "outcome": rec.outcome,
        "reason": "",
        "policy_id": rec.policy_id,
        "policy_version": rec.policy_version,
        "recommended_outcome": rec.outcome,
    }
    response = client.post("/decisions/cases/R-1/", form)
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    assert decision.trace["facts"]["sud_screen"] == "positive"
    assert decision.trace["notes"] == [SUD_SCREEN_NOTES["positive"]]


def test_the_admin_shows_a_decision_without_the_screening_it_used(case: Case, staff: Staff) -> None:
    """The admin cannot ask decide_access, so the stored trace is shown with the screen's contribution
    withheld: the sud_screen fact, the note and the sud_indicated finding it decided."""
    screen(case, staff.carol, DAST_POSITIVE)
    make_consent(case, staff.carol, "valid")
    rec = recommend.recommend_case(case, staff.alice)

    decision = record_decision(case, rec, staff.alice, rec.outcome, "")
    assert decision.trace["facts"]["sud_screen"] == "positive"  # kept in the record itself
    admin = client_for(staff.grace)
    response = admin.get(f"/admin/decisions/decision/{decision.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert SUD_WITHHELD.split(" (")[0] in page
    assert "&quot;sud_screen&quot;: &quot;positive&quot;" not in page
    assert '"sud_screen": "positive"' not in page
    assert SUD_SCREEN_NOTES["positive"] not in page
