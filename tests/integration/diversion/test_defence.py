"""Defence and voluntariness (issue 13) through the web layer: an offer records counsel (refused, with the
field named, without it); the pack's `pre_charge_admission_required` decides whether the offer form has an
admission step; statements made in screening or diversion are shown to the diversion unit only, never the
prosecution side (line prosecutor, supervisor); the offer letter, per role, audited, and what it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings as django_settings
from tests.fixtures.users import Staff, client_for
from tests.integration.decisions.small_pack import PACK_ID
from tests.integration.diversion.conftest import offer, step, walk
from tests.integration.helpers import no_static_finders  # noqa: F401

import offramp.web as offramp_web
from offramp.core.diversion.voluntariness import ADMISSION_PARAMETER, NOT_FOR_PROSECUTION, CounselStatus
from offramp.core.outcomes.relief import DEFAULT_STATUTE
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.service import record_decision
from offramp.web.diversion import offer as offers
from offramp.web.diversion import service
from offramp.web.diversion.letter import STATEMENTS, VOLUNTARY
from offramp.web.diversion.models import Referral, ReferralEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

PROGRESS_NOTE = "Says he sells a little to pay for his own use"
REASON_TEXT = "Told the counsellor she used on Friday"
ENTRY_NOTE = "Mentioned buying from a neighbour"
STATEMENTS_SHOWN = (PROGRESS_NOTE, REASON_TEXT, ENTRY_NOTE)


def asks_admission(settings: Any, tmp_path: Path, value: int) -> None:
    """The small pack of the diversion tests with `pre_charge_admission_required` = value (own folder)."""
    source = Path(django_settings.OFFRAMP_POLICY_DIR) / f"{PACK_ID}.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["parameters"][ADMISSION_PARAMETER] = {
        "description": "admission before pre-charge diversion",
        "unit": "flag",
        "reference": "office choice",
        "values": [{"from": "2020-01-01", "value": value}],
    }
    folder = tmp_path / f"admission-{value}"
    folder.mkdir()
    (folder / f"{PACK_ID}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    settings.OFFRAMP_POLICY_DIR = folder


# --- counsel --------------------------------------------------------------------------------------------------


def test_an_offer_without_counsel_is_refused_with_the_field_named(case: Case, staff: Staff) -> None:
    response = client_for(staff.carol).post(
        f"/diversion/cases/{case.case_key}/offer/", {"program": "ccsao:BR9"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Diversion not offered: counsel: Record whether counsel was present or offered." in text
    assert not Referral.objects.exists() and not ReferralEvent.objects.exists()


def test_an_offer_with_a_bad_counsel_answer_is_refused(case: Case, staff: Staff) -> None:
    response = offer(client_for(staff.carol), case, counsel="asked_a_friend")
    assert response.status_code == 400 and "counsel:" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("status", list(CounselStatus))
def test_the_offer_records_counsel_and_the_referral_page_shows_it(
    case: Case, staff: Staff, status: CounselStatus
) -> None:
    assert offer(client_for(staff.carol), case, counsel=status.value).status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.counsel == status.value
    created = AuditEvent.objects.get(object_type="referral", outcome="success")
    assert created.detail["counsel"] == status.value
    for user in (staff.carol, staff.alice, staff.bob):
        page = client_for(user).get(f"/cases/{case.case_key}/").content.decode()
        assert status.description in page, user.username


def test_the_service_refuses_an_offer_without_counsel_and_audits_it(case: Case, staff: Staff) -> None:
    program = offers.program_from_key("ccsao:BR9")
    assert program is not None
    with pytest.raises(service.OfferRefused, match=r"^counsel: "):
        service.offer_diversion(case, program, staff.carol, counsel=None)
    denied = AuditEvent.objects.get(object_type="referral", outcome="denied")
    assert denied.detail["why"].startswith("counsel:")
    assert not Referral.objects.exists()


# --- admission of guilt ---------------------------------------------------------------------------------------


def test_without_an_admission_parameter_the_form_has_no_admission_step(case: Case, staff: Staff) -> None:
    page = client_for(staff.carol).get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="offer-no-admission"' in page and 'data-testid="offer-admission"' not in page
    assert offer(client_for(staff.carol), case, "ccsao:BR9").status_code == 302
    assert Referral.objects.get(case=case).admission_required is False


def test_a_pack_that_asks_for_no_admission_says_so(
    case: Case, staff: Staff, settings: Any, tmp_path: Path
) -> None:
    asks_admission(settings, tmp_path, 0)
    page = client_for(staff.carol).get(f"/cases/{case.case_key}/").content.decode()
    assert "No admission of guilt is needed for pre-charge diversion (office policy)." in page
    assert 'name="admission"' not in page


def test_a_pack_that_asks_for_an_admission_adds_the_step_and_refuses_without_it(
    case: Case, staff: Staff, settings: Any, tmp_path: Path
) -> None:
    asks_admission(settings, tmp_path, 1)
    carol = client_for(staff.carol)
    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="offer-admission"' in page and 'data-testid="offer-no-admission"' not in page
    refused = offer(carol, case, "ccsao:BR9")  # felony deferred prosecution: pre-plea
    assert refused.status_code == 400
    assert "admission: Office policy asks for an admission" in refused.content.decode()
    assert not Referral.objects.exists()
    assert offer(carol, case, "ccsao:BR9", admission="on").status_code == 302
    assert Referral.objects.get(case=case).admission_required is True


def test_a_post_plea_program_needs_no_admission_step_and_records_the_plea(
    case: Case, staff: Staff, settings: Any, tmp_path: Path
) -> None:
    asks_admission(settings, tmp_path, 1)
    assert offer(client_for(staff.carol), case, "ccsao:DC").status_code == 302  # drug court: post-plea
    assert Referral.objects.get(case=case).admission_required is True


# --- not for prosecution --------------------------------------------------------------------------------------


def with_statements(case: Case, staff: Staff) -> Referral:
    carol = client_for(staff.carol)
    assert offer(carol, case).status_code == 302
    referral = Referral.objects.get(case=case)
    walk(carol, referral, "accept", "refer", "complete_intake", "enroll")
    moved = step(carol, referral, "report_progress", note=PROGRESS_NOTE)
    assert moved.status_code == 302, moved.content.decode()[-3000:]
    moved = step(carol, referral, "flag_non_compliance", reason_text=REASON_TEXT)
    assert moved.status_code == 302, moved.content.decode()[-3000:]
    added = carol.post(
        f"/diversion/referrals/{referral.pk}/conditions/",
        {
            "condition-kind": "community_service_hours",
            "condition-target": "10",
            "condition-description": "Food bank",
        },
    )
    assert added.status_code == 302, added.content.decode()[-3000:]
    condition = referral.conditions.get()
    entry = carol.post(
        f"/diversion/conditions/{condition.pk}/entries/",
        {
            f"c{condition.pk}-on": "2026-01-05",
            f"c{condition.pk}-amount": "2",
            f"c{condition.pk}-note": ENTRY_NOTE,
        },
    )
    assert entry.status_code == 302
    return referral


@pytest.mark.parametrize(
    ("role", "sees"),
    [("diversion_coordinator", True), ("line_prosecutor", False), ("supervisor", False)],
)
def test_statements_in_diversion_are_never_shown_to_the_prosecution_side(
    case: Case, staff: Staff, role: str, sees: bool
) -> None:
    with_statements(case, staff)
    page = client_for(staff.by_role(role)).get(f"/cases/{case.case_key}/").content.decode()
    for words in STATEMENTS_SHOWN:
        assert (words in page) is sees, (role, words)
    assert (NOT_FOR_PROSECUTION in page) is not sees
    assert ('data-testid="statement-withheld"' in page) is not sees
    # what is not a statement stays: the history's steps and the condition's progress
    assert 'data-testid="referral-history"' in page and "Food bank" in page


def test_the_victim_advocate_sees_no_statement_either(case: Case, staff: Staff) -> None:
    with_statements(case, staff)
    page = client_for(staff.dave).get(f"/cases/{case.case_key}/").content.decode()
    assert not any(words in page for words in STATEMENTS_SHOWN)


# --- the offer letter -----------------------------------------------------------------------------------------


def letter_url(referral: Referral) -> str:
    return f"/diversion/referrals/{referral.pk}/letter/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("line_prosecutor", 200),
        ("supervisor", 200),
        ("diversion_coordinator", 200),
        ("victim_advocate", 403),
        ("analyst", 403),
        ("auditor", 403),
    ],
)
def test_the_letter_is_for_prosecutors_supervisors_and_the_unit_and_every_view_is_audited(
    case: Case, staff: Staff, role: str, status: int
) -> None:
    offer(client_for(staff.carol), case, counsel="offered_not_consulted")
    referral = Referral.objects.get(case=case)
    user = staff.by_role(role)
    response = client_for(user).get(letter_url(referral))
    assert response.status_code == status
    if status == 200:
        event = AuditEvent.objects.get(object_type="offer_letter", actor=user)
        assert event.object_id == str(referral.pk) and event.detail["case"] == case.case_key
    else:
        assert AuditEvent.objects.filter(
            action="access_denied", actor=user, path=letter_url(referral)
        ).exists()
        assert not AuditEvent.objects.filter(object_type="offer_letter").exists()


def test_the_letter_says_the_offer_the_reasons_completion_voluntariness_counsel_and_admission(
    case: Case, staff: Staff
) -> None:
    rec = recommend.recommend_case(case, staff.alice)
    decision = record_decision(case, rec, staff.alice, rec.outcome, "")
    carol = client_for(staff.carol)
    offer(carol, case, "ccsao:BR9", counsel="offered_declined")
    referral = Referral.objects.get(case=case)
    carol.post(
        f"/diversion/referrals/{referral.pk}/conditions/",
        {
            "condition-kind": "community_service_hours",
            "condition-target": "20",
            "condition-description": "Food bank",
        },
    )
    response = client_for(staff.alice).get(letter_url(referral))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="offer-letter"' in page and referral.program_name in page
    assert VOLUNTARY.split(".")[0] in page
    assert CounselStatus.OFFERED_DECLINED.description in page
    assert "You do not have to admit guilt to take part." in page
    assert DEFAULT_STATUTE.code in page  # completion: dismissal and record restriction
    assert "charges being dismissed" in page
    assert "Food bank" in page and "20 hours" in page
    assert STATEMENTS.split("(")[0].strip() in page
    trace = decision.decision_trace
    assert trace is not None and trace.because_lines()
    for line in trace.because_lines():
        assert line in page
    assert 'class="offramp-print offramp-letter' in page  # printed without the page's menus:
    css = Path(offramp_web.__file__).with_name("static") / "offramp" / "offramp.css"
    assert ".offramp-noprint" in css.read_text(encoding="utf-8").split("@media print", 1)[1]


def test_the_letter_without_a_decision_says_so(case: Case, staff: Staff) -> None:
    offer(client_for(staff.carol), case, "ccsao:DC")
    page = client_for(staff.bob).get(letter_url(Referral.objects.get(case=case))).content.decode()
    assert "No charging decision is on file for this case yet." in page
    assert "after a guilty plea" in page  # drug court is post-plea: the letter says a plea is involved


def test_the_case_page_links_the_letter(case: Case, staff: Staff) -> None:
    offer(client_for(staff.carol), case)
    referral = Referral.objects.get(case=case)
    page = client_for(staff.alice).get(f"/cases/{case.case_key}/").content.decode()
    assert f'href="{letter_url(referral)}"' in page
