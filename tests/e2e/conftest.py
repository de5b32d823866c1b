"""End-to-end fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is the system's /usr/bin/chromium (`make chromium`, run by `make test`, installs Debian's
package); Playwright's own browser download does not work without internet access, so it is never
used. A missing browser fails the run with the command that installs it: a skipped e2e test looks like a
passing one.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test's thread; Django would otherwise refuse
# the ORM calls the test makes there ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from offramp.core.generate import generate_cases, write_cases_csv
from offramp.core.intake import parse_file
from offramp.web.cases.store import store_batch

CHROMIUM = Path(os.environ.get("OFFRAMP_CHROMIUM", "/usr/bin/chromium"))
#: what the machine's closed network needs: no background fetches, no QUIC, no first-run or sync
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: set to a directory to keep a screenshot of each step (e2e-<step>.png) for a human to look at
SCREENSHOT_DIR_ENV = "OFFRAMP_E2E_SCREENSHOTS"
E2E_CASES = 120
E2E_SEED = 2026


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"e2e tests need Chromium at {CHROMIUM}: `make chromium` (Debian's package; `make test` runs "
            "it), or set OFFRAMP_CHROMIUM to another Chromium binary. Not skipped on "
            "purpose: a skipped browser test looks like a passing one.",
            pytrace=False,
        )
    # Playwright gives each launch a fresh temporary profile (--user-data-dir) and removes it on close.
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=30_000
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(base_url=str(live_server), viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@dataclass
class Shots:
    """Screenshots on request (OFFRAMP_E2E_SCREENSHOTS=/tmp): a test calls `shots(page, "queue")`."""

    directory: Path | None

    def __call__(self, page: Page, step: str) -> None:
        if self.directory is not None:
            page.screenshot(path=str(self.directory / f"e2e-{step}.png"), full_page=True)


@pytest.fixture
def shots() -> Shots:
    where = os.environ.get(SCREENSHOT_DIR_ENV)
    if not where:
        return Shots(None)
    directory = Path(where)
    directory.mkdir(parents=True, exist_ok=True)
    return Shots(directory)


@pytest.fixture
def imported_cases(transactional_db: None, tmp_path: Path) -> int:
    """~120 synthetic cases loaded through the real importer (generate -> CSV -> parse -> store)."""
    frame = generate_cases(
        E2E_CASES, E2E_SEED, start=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), case_prefix="E2E"
    )
    path = tmp_path / "e2e-cases.csv"
    write_cases_csv(frame, path)
    summary = store_batch(
        parse_file(path, "offramp-csv"), file_name=path.name, file_sha256="", actor_name="e2e"
    )
    assert summary.cases_new == E2E_CASES, summary
    return summary.cases_new
