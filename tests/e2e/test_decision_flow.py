"""A deviation from the policy recommendation, in a real browser: the prosecutor must give a reason, the
decision goes to the supervisor's approvals queue, and the supervisor approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.fixtures.users import PASSWORD, make_user

from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions.models import Decision, DecisionApproval, Verdict

pytestmark = pytest.mark.e2e

OUTCOME_LABELS = {
    "decline": "Decline to charge",
    "prosecute": "Prosecute",
}


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def test_it_sends_a_deviation_to_the_supervisor_who_approves_it(
    page: Page, live_server: object, imported_cases: int
) -> None:
    make_user("alice", "line_prosecutor")
    bob = make_user("bob", "supervisor")
    base = str(live_server)
    case = Case.objects.order_by("-received_date", "-id").first()
    assert case is not None

    sign_in(page, base, "alice")
    page.goto(f"{base}/cases/{case.case_key}/")
    recommended = page.get_by_test_id("recommended-outcome").inner_text()
    chosen = "prosecute" if recommended != OUTCOME_LABELS["prosecute"] else "decline"
    page.locator("label.usa-radio__label", has_text=OUTCOME_LABELS[chosen]).click()
    page.get_by_role("button", name="Record decision").click()

    # no reason given: the form says why and nothing is stored
    expect(page.locator(".usa-error-message")).to_contain_text("Give the reason")
    assert Decision.objects.count() == 0

    page.locator("label.usa-radio__label", has_text=OUTCOME_LABELS[chosen]).click()
    page.get_by_label("Reason for deviating").fill("Second sale this month to the same buyer.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".usa-alert")).to_contain_text("It goes to a supervisor for approval.")
    decision = Decision.objects.get()
    assert (decision.case_id, decision.outcome, decision.needs_supervisor) == (case.pk, chosen, True)
    assert decision.deviation_reason == "Second sale this month to the same buyer."
    sign_out(page)

    sign_in(page, base, "bob")
    page.get_by_role("link", name="Approvals").click()
    item = page.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(case.case_key)
    expect(item).to_contain_text("Second sale this month to the same buyer.")
    item.locator("label.usa-radio__label", has_text="Approved").click()
    item.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("queue-empty")).to_be_visible()

    approval = DecisionApproval.objects.get()
    assert (approval.decision_id, approval.verdict, approval.by_id) == (decision.pk, Verdict.APPROVED, bob.pk)
    trail = set(
        AuditEvent.objects.filter(
            object_type__in=["decision", "decision_approval", "decision_queue"]
        ).values_list("actor_name", "action", "object_type")
    )
    assert trail == {
        ("alice", "create", "decision"),
        ("bob", "list", "decision_queue"),
        ("bob", "create", "decision_approval"),
    }
