"""Legal bars on the case page and in the decision (issue 13): the bar is shown before the reason, and a
decision other than a declination on a barred case is refused without a written reason and, with one,
waits for a supervisor, whatever the pack's flags say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import load_cases, no_static_finders, read_csv_rows, write_csv_rows  # noqa: F401

from offramp.core.policy import resolve_pack, shipped_policy_dir
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions.forms import BAR_OVERRIDE_REASON_REQUIRED
from offramp.web.decisions.models import Decision
from offramp.web.decisions.service import supervisor_queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/B-1/"
DECIDE = "/decisions/cases/B-1/"
BAR = "bar-911-medical-amnesty"


@pytest.fixture(autouse=True)
def traditional(settings: Any) -> None:
    """The shipped traditional pack: even the office that charges most is bound by the bar."""
    settings.OFFRAMP_POLICY_DIR = shipped_policy_dir()
    settings.OFFRAMP_POLICY = "traditional"


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """1 g of fentanyl found because a friend called 911 for an overdose (O.C.G.A. 16-13-5)."""
    header, rows = read_csv_rows()
    cells = {"case_id": "B-1", "person_id": "P-B1", "quantity_g": "1", "sought_help_for_overdose": "true"}
    load_cases(
        write_csv_rows(tmp_path / "cases.csv", [*header, "sought_help_for_overdose"], [rows[0] | cells])
    )
    return Case.objects.get(case_key="B-1")


@pytest.fixture
def alice(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.alice)
    return client


def decide(client: Client, outcome: str, reason: str) -> Any:
    pack = resolve_pack("traditional")
    data = {
        "outcome": outcome,
        "reason": reason,
        "policy_id": pack.id,
        "policy_version": pack.version,
        "recommended_outcome": "decline",
        "supersedes": "",
    }
    return client.post(DECIDE, data)


def test_the_case_page_shows_the_bar_before_the_reason(alice: Client, case: Case) -> None:
    page = alice.get(CASE).content.decode()
    assert 'data-testid="recommended-outcome">Decline to charge</span>' in page
    assert f'<li data-testid="bar"><code>{BAR}</code>' in page
    assert "O.C.G.A. 16-13-5" in page
    assert page.index('data-testid="bars"') < page.index('data-testid="because"')


def test_overriding_a_bar_without_a_reason_is_refused_naming_the_field(alice: Client, case: Case) -> None:
    response = decide(alice, "charge_with_plea_guidance", "  ")
    assert response.status_code == 400
    message = BAR_OVERRIDE_REASON_REQUIRED.format(bars=BAR)
    assert f'data-testid="reason-error">{message}' in response.content.decode().replace("&#x27;", "'")
    assert Decision.objects.count() == 0


def test_overriding_a_bar_with_a_reason_waits_for_a_supervisor(alice: Client, case: Case) -> None:
    decide(alice, "prosecute", "The drugs were found in a later search, not because of the 911 call.")
    decision = Decision.objects.get()
    assert (decision.outcome, decision.accepted, decision.needs_supervisor) == ("prosecute", False, True)
    assert decision.deviation_reason.startswith("The drugs were found in a later search")
    assert list(supervisor_queue()) == [decision]
    event = AuditEvent.objects.get(object_type="decision")
    assert event.detail["overrides_bars"] == [BAR]
    assert [b.id for b in decision.overridden_bars] == [BAR]


def test_the_supervisor_sees_the_bar_overridden(staff: Staff, alice: Client, case: Case) -> None:
    decide(alice, "prosecute", "Found in a later search.")
    supervisor = Client()
    supervisor.force_login(staff.bob)
    page = supervisor.get("/decisions/queue/").content.decode()
    assert f'data-testid="overridden-bar"><strong>Overrides the legal bar</strong> <code>{BAR}</code>' in page


def test_accepting_the_bar_needs_no_reason_and_no_supervisor(alice: Client, case: Case) -> None:
    decide(alice, "decline", "")
    decision = Decision.objects.get()
    assert (decision.outcome, decision.accepted, decision.needs_supervisor) == ("decline", True, False)
    assert AuditEvent.objects.get(object_type="decision").detail["overrides_bars"] == []
