"""The victim panel and the restitution ledger in a real browser: the victim advocate records a consultation,
the diversion coordinator orders $300.00 of restitution, records a $100.00 payment (balance $200.00) and
reverses it (balance $300.00 again); every entry is kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import Shots
from tests.e2e.test_decision_flow import sign_in, sign_out
from tests.factories import VictimFactory
from tests.fixtures.users import make_user
from tests.integration.helpers import cases_csv, load_cases

from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.victims.models import LedgerEntry, RestitutionOrder, VictimConsultation

pytestmark = pytest.mark.e2e


@pytest.fixture
def case_with_victim(transactional_db: None, tmp_path: Path) -> Case:
    # the CSV format records only victim_count; victims as rows come with the JSONL format, or directly
    load_cases(cases_csv(tmp_path, [{"case_id": "VL-1", "victim_count": "1"}]))
    case = Case.objects.get(case_key="VL-1")
    VictimFactory(case=case, seq=1)
    return case


def test_a_consultation_then_a_payment_and_its_reversal(
    page: Page, live_server: object, case_with_victim: Case, shots: Shots
) -> None:
    make_user("dave", "victim_advocate")
    make_user("carol", "diversion_coordinator")
    base = str(live_server)
    case_url = f"{base}/cases/{case_with_victim.case_key}/"

    sign_in(page, base, "dave")
    page.goto(case_url)
    expect(page.get_by_test_id("consultation-status")).to_contain_text("Not yet consulted")
    page.get_by_test_id("consult-link").click()
    page.get_by_label("Victim", exact=True).select_option(index=1)
    page.get_by_label("Method").select_option("phone")
    page.get_by_label("The victim's views").fill("Wants the bicycle paid for; supports treatment.")
    page.get_by_label("Does the victim agree to diversion?").select_option("yes")
    page.get_by_test_id("consult-submit").click()
    expect(page.get_by_test_id("consultation-status")).to_contain_text("agrees to diversion: yes")
    expect(page.get_by_test_id("consultation")).to_have_count(1)
    shots(page, "victim-panel")
    consultation = VictimConsultation.objects.get()
    assert consultation.agrees_to_diversion is True and consultation.recorded_by.username == "dave"
    sign_out(page)

    sign_in(page, base, "carol")
    page.goto(case_url)
    expect(page.get_by_test_id("consultation-status")).to_contain_text("Consulted on")
    page.get_by_test_id("new-order-link").click()
    page.get_by_label("Amount ordered").fill("300.00")
    page.get_by_label("Description").fill("Stolen bicycle")
    page.get_by_test_id("order-submit").click()
    expect(page.get_by_test_id("balance")).to_have_text("$300.00")

    page.get_by_label("Amount paid").fill("100.00")
    page.get_by_test_id("payment-submit").click()
    expect(page.get_by_test_id("balance")).to_have_text("$200.00")
    expect(page.get_by_test_id("entry")).to_have_count(2)

    page.get_by_label("Entry to reverse").select_option("2")
    page.get_by_label("Note").last.fill("Cheque bounced")
    page.get_by_test_id("reversal-submit").click()
    expect(page.get_by_test_id("balance")).to_have_text("$300.00")
    expect(page.get_by_test_id("entry")).to_have_count(3)
    shots(page, "ledger")

    order = RestitutionOrder.objects.get()
    rows = list(LedgerEntry.objects.filter(order=order).values_list("seq", "kind", "amount", "reverses_seq"))
    assert rows == [
        (1, "order", Decimal("300.00"), None),
        (2, "payment", Decimal("100.00"), None),
        (3, "reversal", Decimal("100.00"), 2),
    ]
    assert order.ledger().balance == Decimal("300.00")

    page.goto(case_url)
    expect(page.get_by_test_id("order-balance")).to_have_text("$300.00")
    trail = set(AuditEvent.objects.values_list("actor_name", "object_type", "action"))
    assert {
        ("dave", "victim_consultation", "create"),
        ("carol", "restitution_order", "create"),
        ("carol", "ledger_entry", "create"),
    } <= trail
