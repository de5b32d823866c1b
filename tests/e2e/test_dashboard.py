"""The analytics overview in a real browser: an analyst signs in, opens the dashboard, the Plotly chart
draws from the locally served plotly.js (no request leaves the server), and a filter changes the table."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect
from tests.e2e.conftest import Shots
from tests.fixtures.users import PASSWORD, make_user

from offramp.web.analytics import snapshot, views

pytestmark = pytest.mark.e2e


def test_analyst_opens_the_overview_and_filters_it(
    page: Page, live_server: object, imported_cases: int, shots: Shots
) -> None:
    make_user("erin", "analyst")
    snapshot.clear_cache()
    # inside a transaction the snapshot reads through Django's own sqlite3 connection, not a second SQLite
    # library (ADBC) on the same file, which broke the test database's teardown flush
    with transaction.atomic():
        snapshot.refresh()
    views.CACHE.clear()
    base = str(live_server)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("erin")

    page.get_by_role("link", name="Analytics").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    expect(page.locator("#chart-overview svg.main-svg").first).to_be_attached()
    table = page.get_by_test_id("table-overview")
    total_before = table.locator("tbody tr").count()
    assert total_before >= 1
    shots(page, "dashboard")

    page.get_by_label("Period").select_option("quarter")
    page.get_by_test_id("apply-filters").click()
    expect(page).to_have_url(re.compile(r"period=quarter"))
    expect(page.locator("#chart-overview svg.main-svg").first).to_be_attached()
    assert table.locator("tbody tr").count() > total_before  # quarters split each year
    assert "-Q" in table.locator("tbody tr").first.inner_text()

    outside = [u for u in requested if not u.startswith(base)]
    assert not outside, outside
