"""A diversion referral in a real browser: the coordinator offers diversion on a case, records the person's
acceptance and the referral to a program, sees the intake deadline on the case page, and finds the referral,
with its intake due date, on the coordinator's board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.e2e.conftest import Shots
from tests.fixtures.users import PASSWORD, make_user

from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.diversion.models import Referral, ReferralEvent

pytestmark = pytest.mark.e2e


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)


def test_a_coordinator_offers_refers_and_finds_the_referral_on_the_board(
    page: Page, live_server: object, imported_cases: int, shots: Shots
) -> None:
    make_user("carol", "diversion_coordinator")
    base = str(live_server)
    # a case with no victim on file: nobody to consult, so whatever the policy says the offer is not blocked
    case = Case.objects.filter(victims__isnull=True).order_by("-received_date", "-id").first()
    assert case is not None

    sign_in(page, base, "carol")
    page.goto(f"{base}/cases/{case.case_key}/")
    panel = page.get_by_test_id("diversion-panel")
    expect(panel.get_by_test_id("no-referral")).to_be_visible()
    panel.get_by_label("Offer diversion to a program").select_option("ccsao:BR9")
    panel.get_by_label("Counsel was present when the offer was made.").check()
    panel.get_by_role("button", name="Offer diversion").click()
    expect(page.locator(".usa-alert").first).to_contain_text(
        "Diversion offered: Felony Deferred Prosecution."
    )
    expect(page.get_by_test_id("referral-state")).to_have_text("offered")

    page.get_by_role("button", name="Accepted by the person").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("accepted")
    page.get_by_role("button", name="Refer to the program").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("referred")
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    expect(page.get_by_test_id("intake-due")).to_have_text(due)
    expect(page.get_by_test_id("referral-event")).to_have_count(3)
    shots(page, "diversion-case")

    page.get_by_role("link", name="Coordinator's board").click()
    expect(page.get_by_role("heading", name="Diversion board")).to_be_visible()
    expect(page.get_by_test_id("overdue-none")).to_be_visible()
    row = page.get_by_test_id("board-state-referred").get_by_test_id("board-referral")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.case_key)
    expect(row).to_contain_text("Felony Deferred Prosecution")
    expect(row.get_by_test_id("board-intake-due")).to_have_text(due)
    expect(page.get_by_test_id("count-referred")).to_have_text("1")
    shots(page, "diversion-board")
    row.get_by_role("link", name=case.case_key).click()
    expect(page.get_by_test_id("case-id")).to_have_text(case.case_key)

    referral = Referral.objects.get(case=case)
    assert (referral.state, referral.version, referral.intake_due.isoformat()) == ("referred", 3, due)
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("event", flat=True)) == [
        "offer",
        "accept",
        "refer",
    ]
    trail = list(
        AuditEvent.objects.filter(object_type__in=["referral", "diversion_board"])
        .order_by("id")
        .values_list("actor_name", "action", "object_type")
    )
    assert trail == [
        ("carol", "create", "referral"),
        ("carol", "change", "referral"),
        ("carol", "change", "referral"),
        ("carol", "list", "diversion_board"),
    ]
