"""The screener form in the web app: the coordinator picks an instrument, then answers one radio group per
item; the answers go to core `Administration.record` in item order, so the stored score and band are core's.
A missing answer is an error on that item, a value core refuses is a form error, nothing is stored on error;
an unknown instrument is a 404 with core's message, and other roles get 403."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401

from offramp.core.screening import INSTRUMENTS, Instrument, score
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.treatment.models import Screening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

FORM = "/treatment/cases/S-1/screen/"
#: DAST-10: items 1, 2, 4 and 9 yes; item 3 (reverse-scored) no -> core scores 5 points
DAST_ANSWERS = [True, True, False, True, False, False, False, False, True, False]
#: TAPS-1: tobacco weekly, alcohol never, illicit drugs monthly, prescription drugs never
TAPS_ANSWERS = ["weekly", "never", "monthly", "never"]
DETAILS = {
    "mode": "in_person",
    "administered_by": "Sam Screener",
    "administered_at": "2026-04-02 09:30",
}


@pytest.fixture
def case(tmp_path: Path, staff: Staff) -> Case:
    load_cases(cases_csv(tmp_path, [{"case_id": "S-1", "person_id": "P-S1"}]))
    return Case.objects.get(case_key="S-1")


def radio_value(answer: bool | str) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return answer


def post_data(instrument: Instrument, answers: list[bool | str]) -> dict[str, str]:
    items = {f"item_{item.id}": radio_value(a) for item, a in zip(instrument.items, answers, strict=True)}
    return {"instrument": instrument.id, **DETAILS, **items}


def test_it_asks_for_the_instrument_first(case: Case, staff: Staff) -> None:
    response = client_for(staff.carol).get(FORM)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="instrument-form"' in page
    for instrument in INSTRUMENTS.values():
        assert f'<option value="{instrument.id}">{escape(instrument.title)}</option>' in page
    assert 'name="item_' not in page
    assert 'name="administered_by"' not in page


@pytest.mark.parametrize("instrument_id", list(INSTRUMENTS))
def test_it_renders_every_item_of_the_instrument_as_a_radio_group(
    case: Case, staff: Staff, instrument_id: str
) -> None:
    instrument = INSTRUMENTS[instrument_id]
    response = client_for(staff.carol).get(FORM, {"instrument": instrument_id})
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(instrument.title) in page
    assert escape(instrument.licence.note) in page
    assert f'<input type="hidden" name="instrument" value="{instrument.id}">' in page
    for item in instrument.items:
        assert f'data-testid="item-{item.id}"' in page
        assert escape(f"{item.number}. {item.text}") in page
        for option in item.options:
            value = radio_value(option.value)
            assert f'type="radio" name="item_{item.id}" value="{value}"' in page
            assert page.count(f'name="item_{item.id}"') == len(item.options)
    assert page.count('type="radio"') == sum(len(item.options) for item in instrument.items)
    for name in DETAILS:
        assert f'name="{name}"' in page


@pytest.mark.parametrize(("instrument_id", "answers"), [("dast-10", DAST_ANSWERS), ("taps-1", TAPS_ANSWERS)])
def test_it_stores_the_screening_core_scores(
    case: Case, staff: Staff, instrument_id: str, answers: list[bool | str]
) -> None:
    instrument = INSTRUMENTS[instrument_id]
    response = client_for(staff.carol).post(FORM, post_data(instrument, answers))
    assert response.status_code == 302
    assert response["Location"] == "/cases/S-1/"
    expected = score(instrument_id, answers)
    screening = Screening.objects.get(case=case)
    assert (screening.instrument, screening.instrument_version) == (instrument.id, instrument.version)
    assert (screening.score, screening.band) == (expected.score, expected.band)
    assert (screening.mode, screening.administered_by) == ("in_person", "Sam Screener")
    assert screening.answers == answers
    assert screening.entered_by == staff.carol
    assert AuditEvent.objects.filter(object_type="screening", object_id=str(screening.pk)).count() == 1


def test_the_dast_answers_score_five_moderate(case: Case, staff: Staff) -> None:
    """A fixed point besides core's own answer: item 3 answered no is reverse-scored, so it counts."""
    client_for(staff.carol).post(FORM, post_data(INSTRUMENTS["dast-10"], DAST_ANSWERS))
    screening = Screening.objects.get(case=case)
    assert (screening.score, screening.band) == (5, "moderate")


def test_the_instrument_may_come_from_the_query_string(case: Case, staff: Staff) -> None:
    data = post_data(INSTRUMENTS["dast-10"], DAST_ANSWERS)
    del data["instrument"]
    response = client_for(staff.carol).post(f"{FORM}?instrument=dast-10", data)
    assert response.status_code == 302
    assert Screening.objects.get(case=case).instrument == "dast-10"


def test_a_missing_answer_is_an_error_on_that_item_and_stores_nothing(case: Case, staff: Staff) -> None:
    data = post_data(INSTRUMENTS["dast-10"], DAST_ANSWERS)
    del data["item_dast-3"]
    response = client_for(staff.carol).post(FORM, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<span class="usa-error-message" data-testid="error-item_dast-3">Answer item 3 (dast-3).</span>'
        in page
    )
    assert page.count('class="usa-error-message"') == 1
    # the other answers are kept
    assert (
        'name="item_dast-4" value="yes" class="usa-radio__input" id="id_item_dast-4_0" required checked'
        in page
    )
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.filter(object_type="screening").exists()


def test_an_answer_core_refuses_is_a_form_error_and_stores_nothing(case: Case, staff: Staff) -> None:
    data = post_data(INSTRUMENTS["taps-1"], TAPS_ANSWERS)
    data["item_alcohol"] = "yes"  # a yes/no answer to a frequency item: core's AnswerError
    response = client_for(staff.carol).post(FORM, data)
    page = response.content.decode()
    assert response.status_code == 200
    error = page.split('data-testid="error-form">')[1].split("</span>")[0]
    assert error.startswith("taps-1 item 2 (alcohol): ")
    assert not Screening.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_instrument_is_a_404_with_cores_message(case: Case, staff: Staff, method: str) -> None:
    carol = client_for(staff.carol)
    if method == "get":
        response = carol.get(FORM, {"instrument": "rant"})
    else:
        response = carol.post(FORM, {"instrument": "rant", **DETAILS})
    page = response.content.decode()
    assert response.status_code == 404
    assert "unknown instrument &#x27;rant&#x27;" in page
    assert "RANT (Risk and Needs Triage) is commercial" in page
    assert 'data-testid="instrument-form"' in page
    assert not Screening.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_the_screener_form_without_the_coordinator_permission(
    case: Case, staff: Staff, method: str
) -> None:
    alice = client_for(staff.alice)
    if method == "get":
        response = alice.get(FORM, {"instrument": "dast-10"})
    else:
        response = alice.post(FORM, post_data(INSTRUMENTS["dast-10"], DAST_ANSWERS))
    assert response.status_code == 403
    assert not Screening.objects.exists()
    assert AuditEvent.objects.filter(actor=staff.alice, action="access_denied").count() == 1
