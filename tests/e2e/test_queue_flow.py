"""A line prosecutor's first minutes, in a real browser: sign in, filter the queue, open a case, sign out."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db.models import Count
from playwright.sync_api import Page, Response, expect
from tests.fixtures.users import PASSWORD, make_user

from offramp.web.audit.models import Action, AuditEvent
from offramp.web.cases.models import Case, Charge

pytestmark = pytest.mark.e2e

#: USWDS's primary button colour (#005ea2): proof that uswds.min.css was served and applied
USWDS_BUTTON_BG = "rgb(0, 94, 162)"


def two_common_drugs(total: int) -> list[tuple[str, int]]:
    """The two drugs with the most cases (real drugs, not 'none'): each filter narrows but keeps rows."""
    counts = list(
        Case.objects.exclude(primary_drug__isnull=True)
        .exclude(primary_drug="none")
        .values_list("primary_drug")
        .annotate(n=Count("id"))
        .order_by("-n", "primary_drug")[:2]
    )
    assert len(counts) == 2 and counts[0][1] < total, f"the synthetic data needs several drugs: {counts}"
    return counts


def expect_queue_of(page: Page, drug: str, cases: int) -> None:
    """The queue shows the whole page (header and filters) with `drug` chosen and only its cases."""
    expect(page).to_have_url(re.compile(rf"[?&]drug={drug}(&|$)"))
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("alice")
    expect(page.get_by_label("Drug")).to_have_value(drug)
    expect(page.get_by_test_id("case-count")).to_have_text(f"{cases} case{'s' if cases != 1 else ''}")
    shown = min(cases, settings.CASES_PER_PAGE)
    expect(page.get_by_test_id("drug")).to_have_text([drug.replace("_", " ")] * shown)


def choose_drug(page: Page, drug: str) -> None:
    """Pick `drug` in the Drug select and wait for htmx's request (HX-Request) to be answered."""

    def answered(response: Response) -> bool:
        return f"drug={drug}" in response.url and response.request.headers.get("hx-request") == "true"

    with page.expect_response(answered):
        page.get_by_label("Drug").select_option(drug)


def assert_uswds_loaded(page: Page) -> None:
    """USWDS's stylesheet, fonts and script, and htmx, came from /static/ (node_modules) and took effect."""
    state = page.evaluate("""async () => {
        await document.fonts.ready;
        const sheet = [...document.styleSheets].find(s => (s.href || "").endsWith("/uswds.min.css"));
        return {
            rules: sheet ? sheet.cssRules.length : 0,
            skipnav: getComputedStyle(document.querySelector(".usa-skipnav")).position,
            fonts: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family),
            uswdsJs: window.uswdsPresent === true,
            htmx: typeof window.htmx,
        };
    }""")
    hint = "is node_modules installed (npm ci) and STATICFILES_DIRS pointing at it?"
    assert state["rules"] > 1000, f"uswds.min.css did not load ({state}); {hint}"
    assert state["skipnav"] == "absolute", f"USWDS styles did not apply ({state}); {hint}"
    fonts_loaded = any("Source Sans Pro" in family for family in state["fonts"])
    assert fonts_loaded, f"USWDS fonts did not load ({state}); {hint}"
    assert state["uswdsJs"], f"uswds.min.js did not load ({state}); {hint}"
    assert state["htmx"] == "object", f"htmx did not load ({state}); {hint}"


def assert_primary_button_styled(page: Page, name: str) -> None:
    background = page.get_by_role("button", name=name, exact=True).evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == USWDS_BUTTON_BG, f"the {name!r} button is not a USWDS button ({background!r})"


def test_it_signs_in_filters_the_queue_opens_a_case_and_signs_out(
    page: Page, live_server: object, imported_cases: int, shots: Callable[[Page, str], None]
) -> None:
    make_user("alice", "line_prosecutor")
    (drug, drug_cases), (other_drug, other_cases) = two_common_drugs(imported_cases)

    # An anonymous visit to the queue is sent to sign-in, with the way back remembered.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_uswds_loaded(page)
    assert_primary_button_styled(page, "Sign in")
    shots(page, "1-sign-in")

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The queue: who is signed in, how many cases, the first page of them.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Case queue")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("alice")
    expect(page.get_by_test_id("case-count")).to_have_text(f"{imported_cases} cases")
    expect(page.locator("table.offramp-queue tbody tr")).to_have_count(settings.CASES_PER_PAGE)
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    assert_uswds_loaded(page)
    assert_primary_button_styled(page, "Filter")
    shots(page, "2-queue")

    # Choosing a drug swaps the results in place (htmx): the page is not reloaded, the URL follows.
    page.evaluate("window.__e2eSamePage = true")
    choose_drug(page, drug)
    expect_queue_of(page, drug, drug_cases)
    assert page.evaluate("window.__e2eSamePage") is True, "choosing a drug reloaded the whole page"
    shots(page, "3-queue-filtered")

    # The first case: its id as the heading and its charges with the statute as the source wrote it.
    first = page.locator("table.offramp-queue tbody tr th a").first
    case_key = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(case_key)}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case_key}")
    expect(page.get_by_test_id("case-id")).to_have_text(case_key)
    expect(page.get_by_role("heading", name="Charges", exact=True)).to_be_visible()
    charges = page.locator("h2:text-is('Charges') + table tbody tr")
    statutes = list(
        Charge.objects.filter(case__case_key=case_key).order_by("seq").values_list("statute_raw", flat=True)
    )
    assert statutes, f"case {case_key} has no charges in the database"
    expect(charges).to_have_count(len(statutes))
    for row, statute in zip(charges.all(), statutes, strict=True):
        expect(row.locator("td").nth(1)).to_have_text(statute or "")
    assert_uswds_loaded(page)
    shots(page, "4-case")

    # Back to the filtered queue: the browser must not show its cached copy of htmx's fragment.
    page.go_back()
    expect_queue_of(page, drug, drug_cases)
    assert_uswds_loaded(page)

    # Back within the page when htmx has no snapshot of it (its history cache lives in sessionStorage and is
    # bounded): htmx asks the server, which must answer with the whole page, not the fragment.
    choose_drug(page, other_drug)
    expect_queue_of(page, other_drug, other_cases)
    page.evaluate("sessionStorage.removeItem('htmx-history-cache')")
    with page.expect_response(lambda r: r.request.headers.get("hx-history-restore-request") == "true"):
        page.go_back()
    expect_queue_of(page, drug, drug_cases)
    shots(page, "5-back-restored")

    # Sign out: back at sign-in, and the case is out of reach again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/$"))
    expect(page.get_by_test_id("signed-in-as")).to_have_count(0)
    shots(page, "6-signed-out")
    page.goto(f"/cases/{case_key}/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))

    # Every step is on the audit trail.
    events = AuditEvent.objects.filter(actor_name="alice")
    trail = set(events.values_list("action", "object_type", "object_id"))
    actions = {a for a, _, _ in trail}
    assert {Action.SIGN_IN, Action.LIST, Action.VIEW, Action.SIGN_OUT} <= actions, actions
    assert (Action.VIEW, "case", case_key) in trail
