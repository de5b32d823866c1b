"""Match results on the case page: the request built from the case (ZIP, age, sex, offence, the latest
needs assessment and the recommendation's program types), ranked programs with their reasons and the
excluded ones with theirs; rendered through the same include the case page uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from tests.fixtures.users import Staff
from tests.integration.decisions.small_pack import use_small_pack
from tests.integration.helpers import cases_csv, load_cases
from tests.integration.programs.batches import SVC_HOUSING, SVC_MOUD, SVC_NO_MOUD, small_batch

from offramp.web.cases.models import Case
from offramp.web.programs.match import match_context, request_for
from offramp.web.programs.store import store_directory
from offramp.web.treatment.models import NeedsAssessment

pytestmark = pytest.mark.django_db

#: housing (shelter), work and mental health; education and language raise none
NEEDS_ANSWERS = {
    "housing": "shelter",
    "employment": "unemployed_looking",
    "education": "diploma_or_equivalency",
    "mental_health": "current_no_care",
    "language": "english",
}


@pytest.fixture
def case(tmp_path: Path, staff: Staff, settings: Any) -> Case:
    store_directory(small_batch(), "small.json")
    load_cases(
        cases_csv(
            tmp_path,
            # cocaine, no overdose: no opioid and no SUD marker, so the MOUD guard waits for the answer
            [
                {
                    "case_id": "M-1",
                    "person_id": "P-M1",
                    "zip": "30303",
                    "birth_year": "1990",
                    "sex": "male",
                    "drug": "cocaine",
                    "prior_overdose": "false",
                }
            ],
        )
    )
    use_small_pack(settings, tmp_path)  # pre-charge diversion to treatment
    return Case.objects.get(case_key="M-1")


def render_panel(user: Any, case: Case, query: str = "") -> str:
    request = RequestFactory().get(f"/cases/{case.case_key}/{query}")
    request.user = user
    template = Template('{% include "programs/_match_panel.html" %}')
    return template.render(Context({"case": case, "request": request}))


def test_the_request_comes_from_the_case(case: Case, staff: Staff) -> None:
    NeedsAssessment.create_from(case, NEEDS_ANSWERS, "carol", timezone.now(), staff.carol)
    request, notes = request_for(case, staff.carol, today=dt.date(2026, 11, 26))
    assert (request.zip, request.state, request.county) == ("30303", "GA", "Fulton County")
    assert (request.age, request.sex, request.offense_kind, request.plea_stage) == (
        36,
        "male",
        case.primary_offense_kind,
        "pre_plea",
    )
    assert request.program_types == ("treatment",)
    assert set(request.needs) == {"housing", "work", "mental_health"}
    assert request.on_moud is False
    assert any("MOUD is not stated" in note for note in notes)


def test_programs_are_ranked_with_reasons_and_the_ineligible_excluded_with_theirs(
    case: Case, staff: Staff
) -> None:
    NeedsAssessment.create_from(case, NEEDS_ANSWERS, "carol", timezone.now(), staff.carol)
    context = match_context(staff.carol, case)
    ranked = [p["service_id"] for p in context["ranked"]]
    # both treatment programs fit; the one with open vacancies ranks first
    assert ranked == [SVC_MOUD, SVC_NO_MOUD]
    assert any("vacanc" in r for r in context["ranked"][0]["reasons"])
    # the housing program meets the housing need but requires residence in DeKalb; the person is in Fulton
    (excluded,) = context["excluded"]
    assert excluded["service_id"] == SVC_HOUSING
    assert excluded["exclusions"] == ["requires residence in DeKalb county"]

    html = render_panel(staff.carol, case)
    assert html.count('data-testid="match-ranked-row"') == 2
    assert html.index("Buprenorphine clinic") < html.index("Abstinence residential")
    assert html.count('data-testid="forbids-moud"') == 1
    assert "requires residence in DeKalb county" in html
    assert f'href="/programs/services/{SVC_MOUD}/"' in html


def test_without_needs_only_the_program_types_are_matched(case: Case, staff: Staff) -> None:
    context = match_context(staff.alice, case)
    assert [p["service_id"] for p in context["ranked"]] == [SVC_MOUD, SVC_NO_MOUD]
    assert context["excluded"] == []  # the housing program is not asked for, so not listed


def test_nothing_is_matched_when_nothing_is_asked_for(
    case: Case, staff: Staff, settings: Any, tmp_path: Path
) -> None:
    use_small_pack(settings, tmp_path, outcome="prosecute", program_types=())
    html = render_panel(staff.alice, case)
    assert "The recommendation names no program types and no needs are assessed." in html
    assert 'data-testid="match-ranked-row"' not in html


def test_the_panel_is_hidden_from_roles_without_the_directory(case: Case, staff: Staff) -> None:
    assert render_panel(staff.erin, case).strip() == ""


def test_the_coordinator_applies_the_moud_guard_by_answering_the_question(case: Case, staff: Staff) -> None:
    """Not stated: the program that forbids MOUD is ranked but marked. "Yes": it is excluded with the reason,
    never ranked. "No": ranked, and not excluded."""
    unstated = render_panel(staff.carol, case)
    assert unstated.count('data-testid="forbids-moud"') == 1
    on_moud = render_panel(staff.carol, case, "?moud=yes")
    assert on_moud.count('data-testid="match-ranked-row"') == 1
    assert "Abstinence residential" not in on_moud.split('data-testid="match-ranked"')[1].split("</table>")[0]
    assert "forbids MOUD; the person takes MOUD" in on_moud
    assert 'id="moud-yes" type="radio" name="moud" value="yes" checked' in on_moud
    not_on_moud = render_panel(staff.carol, case, "?moud=no")
    assert not_on_moud.count('data-testid="match-ranked-row"') == 2
    assert "MOUD is not stated" not in not_on_moud


@pytest.mark.parametrize("drug", ["fentanyl", "heroin", "prescription_opioid"])
def test_an_opioid_case_applies_the_moud_guard_whatever_the_answer(
    case: Case, staff: Staff, drug: str
) -> None:
    """A case involving opioids: the program that forbids MOUD is never ranked, even when the coordinator
    answers "no", and the reason says it would cut off MOUD for someone who may need it (Krawczyk 2017)."""
    Case.objects.filter(pk=case.pk).update(primary_drug=drug)
    case.charges.update(drug=drug)
    case = Case.objects.get(pk=case.pk)
    request, notes = request_for(case, staff.carol)
    assert (request.opioid_case, request.on_moud) == (True, False)
    assert not any("MOUD is not stated" in note for note in notes)
    for query in ("", "?moud=no"):
        html = render_panel(staff.carol, case, query)
        assert html.count('data-testid="match-ranked-row"') == 1
        assert "forbids MOUD: it would cut off MOUD for someone who may need it" in html


def test_the_case_fact_on_moud_applies_the_guard(case: Case, staff: Staff) -> None:
    Case.objects.filter(pk=case.pk).update(on_moud=True)
    case = Case.objects.get(pk=case.pk)
    request, _ = request_for(case, staff.carol)
    assert request.on_moud is True
    html = render_panel(staff.carol, case, "?moud=no")
    assert html.count('data-testid="match-ranked-row"') == 1
    assert "forbids MOUD; the person takes MOUD" in html


def test_pregnancy_caregiving_and_veteran_status_steer_the_match(case: Case, staff: Staff) -> None:
    """Issue 13: the person's own account adds prenatal care and childcare to the needs matched, and a
    veteran's panel suggests asking about a veterans treatment court referral."""
    request, notes = request_for(case, staff.carol)
    assert request.veteran is False and not any("veterans treatment court" in n for n in notes)
    assert "prenatal_care" not in request.needs and "childcare" not in request.needs
    Case.objects.filter(pk=case.pk).update(pregnant=True, caregiver=True, veteran=True)
    case = Case.objects.get(pk=case.pk)
    request, notes = request_for(case, staff.carol)
    assert {"prenatal_care", "childcare"} <= set(request.needs)
    assert request.veteran is True and "veterans" in request.fit_needs
    assert any("veterans treatment court" in n for n in notes)
