"""The defence view in a real browser: the line prosecutor records the policy's recommendation; the
diversion coordinator offers diversion, recording counsel (no admission step: the public-health pack asks
for none), and records a progress note; the line prosecutor sees the referral without the note (not for
prosecution), opens the offer letter from the case page with the decision's reasons, reads it at phone
width and prints it without the page's menus."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import Shots
from tests.e2e.test_diversion_board import sign_in
from tests.fixtures.users import make_user

from offramp.core.diversion.voluntariness import NOT_FOR_PROSECUTION, CounselStatus
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.models import Decision
from offramp.web.diversion.models import Referral

pytestmark = pytest.mark.e2e

NOTE = "Said she has been using daily since the eviction"


def test_the_prosecutor_opens_a_plain_language_offer_letter_from_the_case_page(
    page: Page, live_server: object, imported_cases: int, shots: Shots
) -> None:
    make_user("carol", "diversion_coordinator")
    make_user("alice", "line_prosecutor")
    base = str(live_server)
    # a case the policy recommends diverting, with no victim on file (nobody to consult before the offer)
    case = next(
        c
        for c in Case.objects.filter(victims__isnull=True).order_by("-received_date", "-id")
        if "diversion" in recommend.recommend_case(c).outcome
    )

    # the prosecutor records the policy's recommendation first: the letter gives its reasons
    sign_in(page, base, "alice")
    page.goto(f"{base}/cases/{case.case_key}/")
    recommended = page.get_by_test_id("recommended-outcome").inner_text()
    page.locator("label.usa-radio__label", has_text=recommended).click()
    page.get_by_role("button", name="Record decision").click()
    decision = Decision.objects.get(case=case)
    trace = decision.decision_trace
    assert trace is not None
    because = trace.because_lines()
    assert because
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "carol")
    page.goto(f"{base}/cases/{case.case_key}/")
    panel = page.get_by_test_id("diversion-panel")
    expect(panel.get_by_test_id("offer-no-admission")).to_contain_text("No admission of guilt is needed")
    expect(panel.get_by_test_id("offer-admission")).to_have_count(0)
    panel.get_by_label("Offer diversion to a program").select_option("ccsao:BR9")
    panel.get_by_role("button", name="Offer diversion").click()  # counsel not recorded: the form stops it
    expect(panel.locator("input[name=counsel]:invalid")).to_have_count(len(CounselStatus))
    expect(panel.get_by_test_id("no-referral")).to_be_visible()
    assert not Referral.objects.filter(case=case).exists()
    panel.get_by_label(CounselStatus.OFFERED_DECLINED.description).check()
    panel.get_by_role("button", name="Offer diversion").click()
    expect(page.get_by_test_id("referral-counsel")).to_contain_text(
        CounselStatus.OFFERED_DECLINED.description
    )
    page.get_by_role("button", name="Accepted by the person").click()
    page.get_by_role("button", name="Refer to the program").click()
    page.get_by_role("button", name="Intake completed").click()
    page.get_by_role("button", name="Enrolled").click()
    form = page.get_by_test_id("transition-report_progress")
    form.get_by_label("Note").fill(NOTE)
    form.get_by_role("button", name="Progress report received").click()
    expect(page.get_by_test_id("event-note").filter(has_text=NOTE)).to_have_count(1)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "alice")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/cases/{case.case_key}/")
    expect(page.get_by_test_id("referral-state")).to_have_text("enrolled")
    expect(page.get_by_test_id("not-for-prosecution")).to_have_text(NOT_FOR_PROSECUTION)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    shots(page, "letter-case-prosecutor")

    page.get_by_test_id("offer-letter-link").click()
    letter = page.get_by_test_id("offer-letter")
    expect(letter.get_by_role("heading", name="An offer of diversion")).to_be_visible()
    expect(letter.get_by_test_id("letter-case")).to_have_text(case.case_key)
    expect(letter.get_by_test_id("letter-program")).to_contain_text("Felony Deferred Prosecution")
    expect(letter.get_by_test_id("letter-voluntary")).to_contain_text("Taking part is your choice")
    expect(letter.get_by_test_id("letter-counsel")).to_contain_text("the person declined")
    expect(letter.get_by_test_id("letter-admission")).to_contain_text("You do not have to admit guilt")
    expect(letter.get_by_test_id("letter-completion")).to_contain_text("dismissed")
    expect(letter.get_by_test_id("letter-completion")).to_contain_text("35-3-37")
    for line in because:
        expect(letter.get_by_test_id("letter-because")).to_contain_text(line)
    expect(letter).not_to_contain_text(NOTE)
    # phone width: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "letter-phone")

    page.emulate_media(media="print")
    expect(page.locator("header.usa-header")).to_be_hidden()
    expect(letter).to_be_visible()
    shots(page, "letter-print")

    assert AuditEvent.objects.filter(object_type="offer_letter", actor__username="alice").count() == 1
