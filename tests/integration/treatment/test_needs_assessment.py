"""The needs assessment in the web app: a coordinator's form scored by core `needs.assess` (its errors shown
per question, nothing stored on error), 403 and an audit event for others, the tags on the case page (the
answers only for coordinators), the tags in the evaluation frame so the `needs` finding and the
`needs-referrals` rule of the shipped pack reflect them, and an append-only ledger."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import REPO, cases_csv, load_cases, no_static_finders  # noqa: F401

from offramp.core.evaluation.criteria.enums import Need
from offramp.core.screening.needs import VERSION
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.treatment.models import NeedsAssessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/N-1/"
FORM = "/treatment/cases/N-1/needs/"
#: housing (shelter), work (unemployed, looking) and mental health (current, no care); the rest raise none
ANSWERS = {
    "housing": "shelter",
    "employment": "unemployed_looking",
    "education": "diploma_or_equivalency",
    "mental_health": "current_no_care",
    "language": "english",
}


def needs_referral_condition() -> str:
    pack = yaml.safe_load((REPO / "policies" / "public-health.yaml").read_text(encoding="utf-8"))
    rule = next(rule for rule in pack["rules"] if rule["id"] == "needs-referrals")
    (condition,) = rule["then"]["conditions"]
    return str(condition)


def needs_finding(rec: recommend.Recommendation) -> list[str]:
    return list(rec.trace.finding_value("needs"))


@pytest.fixture
def case(tmp_path: Path, staff: Staff, settings: Any) -> Case:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "public-health"
    load_cases(cases_csv(tmp_path, [{"case_id": "N-1", "person_id": "P-N1"}]))
    return Case.objects.get(case_key="N-1")


def post(user: User, answers: dict[str, str], **fields: str) -> Any:
    data = {"assessed_by": "Pat Coordinator", "assessed_at": "2026-03-02 09:30"} | fields | answers
    return client_for(user).post(FORM, data)


def test_form_path_is_the_named_url() -> None:
    assert reverse("treatment:needs", args=["N-1"]) == FORM


def test_a_coordinator_records_an_assessment_with_cores_tags(case: Case, staff: Staff) -> None:
    form = client_for(staff.carol).get(FORM)
    page = form.content.decode()
    assert form.status_code == 200
    assert "Where have you been staying for the past 30 days?" in page
    assert '<option value="street">' in page
    response = post(staff.carol, ANSWERS)
    assert (response.status_code, response["Location"]) == (302, CASE)
    row = NeedsAssessment.objects.get(case=case)
    assert row.tags == ["work", "housing", "mental_health"]
    assert row.answers == ANSWERS
    assert (row.version, row.assessed_by, row.entered_by) == (VERSION, "Pat Coordinator", staff.carol)
    assert timezone.localtime(row.assessed_at).strftime("%Y-%m-%d %H:%M") == "2026-03-02 09:30"
    event = AuditEvent.objects.get(action="create", object_type="needs_assessment")
    assert (event.actor, event.object_id, event.outcome) == (staff.carol, str(row.pk), "success")
    assert event.detail == {"case": "N-1", "version": VERSION, "tags": ["work", "housing", "mental_health"]}


def test_bad_answers_are_shown_per_question_and_nothing_is_stored(case: Case, staff: Staff) -> None:
    response = post(staff.carol, {"housing": "castle", "language": "needs_interpreter"})
    page = response.content.decode()
    assert response.status_code == 200
    housing_error = (
        "housing: &#x27;castle&#x27; is not an answer: expected one of stable, with_others, shelter, street"
    )
    assert f'<span class="usa-error-message" data-testid="error-housing">{housing_error}</span>' in page
    language_error = "preferred_language: name the language the interpreter must speak"
    assert (
        f'<span class="usa-error-message" data-testid="error-preferred_language">{language_error}</span>'
    ) in page
    assert NeedsAssessment.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="needs_assessment").exists()


def test_missing_assessor_and_time_are_required_and_nothing_is_stored(case: Case, staff: Staff) -> None:
    response = post(staff.carol, ANSWERS, assessed_by="", assessed_at="")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-assessed_by">This field is required.</span>' in page
    assert 'data-testid="error-assessed_at">This field is required.</span>' in page
    assert NeedsAssessment.objects.count() == 0


def test_a_line_prosecutor_is_refused_the_form_and_audited(case: Case, staff: Staff) -> None:
    for response in (client_for(staff.alice).get(FORM), post(staff.alice, ANSWERS)):
        assert response.status_code == 403
    assert NeedsAssessment.objects.count() == 0
    denied = AuditEvent.objects.filter(actor=staff.alice, action="access_denied")
    assert denied.count() == 2
    assert {(e.outcome, e.object_type, e.object_id) for e in denied} == {("denied", "path", FORM)}


def test_the_case_page_shows_the_latest_tags_and_the_answers_only_to_coordinators(
    case: Case, staff: Staff
) -> None:
    page = client_for(staff.alice).get(CASE).content.decode()
    assert '<p data-testid="needs-none">No needs assessment is recorded for this case.</p>' in page
    NeedsAssessment.create_from(
        case, {"housing": "stable"}, "Old Assessor", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), staff.carol
    )
    NeedsAssessment.create_from(
        case, ANSWERS, "Pat Coordinator", dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), staff.carol
    )
    prosecutor = client_for(staff.alice).get(CASE).content.decode()
    coordinator = client_for(staff.carol).get(CASE).content.decode()
    for page in (prosecutor, coordinator):
        for need in (Need.HOUSING, Need.WORK, Need.MENTAL_HEALTH):
            item = f'<li data-testid="need-{need.value}"><strong>{need.value}</strong>: {escape(need.description)}</li>'
            assert item in page
        assert 'data-testid="need-education"' not in page
        assert '<span data-testid="needs-assessed-by">Pat Coordinator</span>' in page
        assert "Old Assessor" not in page
    # the raw answers (mental health among them) only for the coordinator, who also gets the form link
    assert "current_no_care" in coordinator
    assert "current_no_care" not in prosecutor
    assert 'data-testid="needs-answers"' not in prosecutor
    assert f'href="{FORM}" data-testid="needs-link"' in coordinator
    assert 'data-testid="needs-link"' not in prosecutor


def test_assessed_housing_reaches_the_recommendation(case: Case, staff: Staff) -> None:
    condition = needs_referral_condition()
    assert recommend.frame_for(case).row(0, named=True)["needs_assessed"] is None
    before = recommend.recommend_case(case)
    assert condition not in before.conditions
    assert needs_finding(before) == ["treatment"]  # from the facts (fentanyl, prior overdose)
    assert "needs-referrals" not in [rule.id for rule in before.matched_rules]

    post(staff.carol, {"housing": "street"})
    assert recommend.frame_for(case).row(0, named=True)["needs_assessed"] == ["housing"]
    after = recommend.recommend_case(case)
    # the case is a personal-use declination: it carries no conditions, so the referral is offered with it
    assert after.outcome == "decline"
    assert after.conditions == []
    assert condition in after.offers
    assert needs_finding(after) == ["treatment", "housing"]
    assert "needs-referrals" in [rule.id for rule in after.matched_rules]
    page = client_for(staff.alice).get(CASE).content.decode()
    offers = page.split('<span data-testid="offers">', 1)[1].split("</span>", 1)[0]
    assert escape(condition) in offers.split("; ")
    needs_row = page.split('<th scope="row">needs</th><td>', 1)[1].split("</td>", 1)[0]
    assert needs_row.split(";")[0] == "holds: treatment, housing"


def test_assessment_rows_cannot_be_edited_or_deleted(case: Case, staff: Staff) -> None:
    row = NeedsAssessment.create_from(
        case, {"housing": "street"}, "Pat", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), staff.carol
    )
    row.tags = []
    with pytest.raises(PermissionError, match="NeedsAssessment rows are immutable"):
        row.save()
    with pytest.raises(PermissionError, match="NeedsAssessment rows are immutable"):
        row.delete()
    assert NeedsAssessment.objects.get(pk=row.pk).tags == ["housing"]
