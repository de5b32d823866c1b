"""Restitution orders and their append-only ledger, through the pages: every rule is core's, nothing refused
is stored, no entry is ever changed, and concurrent payments are never lost."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import no_static_finders  # noqa: F401

from offramp.core.victims import restitution as core
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.victims import ledger as service
from offramp.web.victims.models import LedgerEntry, PaymentPlan, RestitutionOrder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

D = Decimal
DAY = dt.date(2026, 4, 1)


@pytest.fixture
def order(cases: dict[str, Case], staff: Staff) -> RestitutionOrder:
    response = client_for(staff.carol).post(
        "/victims/cases/V-1/orders/new/",
        {
            "victim": cases["with_victim"].victims.get().pk,
            "ordered_on": DAY.isoformat(),
            "amount": "300.00",
            "description": "Stolen bicycle",
        },
    )
    row = RestitutionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/victims/orders/{row.pk}/"
    return row


def pay(client: Client, order: RestitutionOrder, amount: str, on: dt.date = DAY) -> object:
    return client.post(
        f"/victims/orders/{order.pk}/payment/",
        {"payment-amount": amount, "payment-on": on.isoformat(), "payment-note": "receipt"},
    )


def reverse(client: Client, order: RestitutionOrder, seq: int) -> object:
    return client.post(
        f"/victims/orders/{order.pk}/reverse/",
        {"reversal-seq": str(seq), "reversal-on": DAY.isoformat(), "reversal-note": "cheque bounced"},
    )


def balance_on_page(client: Client, order: RestitutionOrder) -> str:
    text = client.get(f"/victims/orders/{order.pk}/").content.decode()
    found = re.search(r'data-testid="balance">([^<]+)<', text)
    assert found is not None
    return found.group(1)


def stored(order: RestitutionOrder) -> list[tuple[int, str, Decimal, int | None]]:
    return list(order.entries.order_by("seq").values_list("seq", "kind", "amount", "reverses_seq"))


def test_the_order_is_its_ledger_s_first_entry(order: RestitutionOrder, staff: Staff) -> None:
    assert stored(order) == [(1, "order", D("300.00"), None)]
    assert order.ledger().balance == D("300.00")
    assert AuditEvent.objects.filter(object_type="restitution_order", action="create").count() == 1
    client = client_for(staff.carol)
    assert balance_on_page(client, order) == "$300.00"
    assert b'data-testid="order-balance">$300.00' in client.get("/cases/V-1/").content


def test_a_payment_lowers_the_balance(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.carol)
    response = pay(client, order, "100.00")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert stored(order)[-1] == (2, "payment", D("100.00"), None)
    assert balance_on_page(client, order) == "$200.00"
    event = AuditEvent.objects.get(object_type="ledger_entry", outcome="success")
    assert event.detail["seq"] == 2 and event.detail["amount"] == "100.00"


def test_an_overpayment_is_refused_and_nothing_is_stored(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.carol)
    pay(client, order, "250.00")
    response = pay(client, order, "50.01")
    text = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'data-testid="error-payment"' in text and "more than the balance owed ($50.00)" in text
    assert len(stored(order)) == 2
    assert balance_on_page(client, order) == "$50.00"


def test_a_fraction_of_a_cent_is_refused(order: RestitutionOrder, staff: Staff) -> None:
    response = pay(client_for(staff.carol), order, "10.005")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert len(stored(order)) == 1


def test_a_reversal_restores_the_balance_and_cannot_be_repeated(
    order: RestitutionOrder, staff: Staff
) -> None:
    client = client_for(staff.carol)
    pay(client, order, "100.00")
    assert reverse(client, order, 2).status_code == 302  # type: ignore[attr-defined]
    assert stored(order)[-1] == (3, "reversal", D("100.00"), 2)
    assert balance_on_page(client, order) == "$300.00"

    again = reverse(client, order, 2)
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "already reversed" in again.content.decode()  # type: ignore[attr-defined]
    reversal_of_reversal = reverse(client, order, 3)
    assert reversal_of_reversal.status_code == 400  # type: ignore[attr-defined]
    assert len(stored(order)) == 3
    assert AuditEvent.objects.filter(object_type="ledger_entry", outcome="failure").count() == 2


def test_entries_can_be_neither_edited_nor_deleted(order: RestitutionOrder) -> None:
    entry = order.entries.get()
    entry.amount = D("1.00")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert stored(order) == [(1, "order", D("300.00"), None)]


def test_two_payments_posted_together_are_both_kept(order: RestitutionOrder, staff: Staff) -> None:
    first, second = client_for(staff.carol), client_for(staff.carol)
    assert pay(first, order, "10.00").status_code == 302  # type: ignore[attr-defined]
    assert pay(second, order, "20.00").status_code == 302  # type: ignore[attr-defined]
    assert stored(order)[1:] == [(2, "payment", D("10.00"), None), (3, "payment", D("20.00"), None)]


def test_a_writer_that_loses_the_race_for_a_number_is_retried(
    order: RestitutionOrder, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate another writer committing seq 2 after we read the ledger: our first attempt sees the
    ledger without it, the unique (order, seq) constraint refuses our seq 2, and the retry appends ours
    as seq 3 on the ledger as it now stands."""
    service.append_entry(order, kind=core.EntryKind.PAYMENT, amount=D("5.00"), on=DAY, user=staff.carol)
    real = RestitutionOrder.ledger
    stale = {"left": 1}

    def stale_once(self: RestitutionOrder) -> core.Ledger:
        if stale["left"]:
            stale["left"] -= 1
            return core.Ledger.from_entries(self.entries_core()[:1])  # read before seq 2 was committed
        return real(self)

    monkeypatch.setattr(RestitutionOrder, "ledger", stale_once)
    entry = service.append_entry(
        order, kind=core.EntryKind.PAYMENT, amount=D("7.00"), on=DAY, user=staff.carol
    )
    assert entry.seq == 3 and stale["left"] == 0
    assert stored(order)[1:] == [(2, "payment", D("5.00"), None), (3, "payment", D("7.00"), None)]


def test_the_page_balance_is_core_s_balance_of_the_stored_rows(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.carol)
    for amount in ("12.34", "0.66", "100.00"):
        pay(client, order, amount)
    reverse(client, order, 3)
    rows = [e.to_core() for e in LedgerEntry.objects.filter(order=order).order_by("seq")]
    expected = core.Ledger.from_entries(rows).balance
    assert expected == D("187.66")
    assert balance_on_page(client, order) == core.fmt(expected)


def test_a_payment_plan_with_schedule_and_arrears(
    order: RestitutionOrder, staff: Staff, frozen_today: dt.date
) -> None:
    client = client_for(staff.carol)
    today = frozen_today  # arrears are counted up to today: the page and the test must agree on it
    first_due = today - dt.timedelta(days=1)
    response = client.post(
        f"/victims/orders/{order.pk}/plan/",
        {"plan-monthly_ability": "75.00", "plan-first_due": first_due.isoformat()},
    )
    assert response.status_code == 302
    plan = PaymentPlan.objects.get()
    assert (plan.total, plan.monthly, plan.first_due) == (D("300.00"), D("75.00"), first_due)
    text = client.get(f"/victims/orders/{order.pk}/").content.decode()
    assert text.count('data-testid="installment"') == 4
    assert 'data-testid="arrears">$75.00<' in text  # the first instalment was due yesterday, nothing paid
    assert 'data-testid="plan-total">$300.00<' in text  # shown as money, like every other amount
    assert "never bars entry" in text
    pay(client, order, "75.00", on=today)
    assert 'data-testid="arrears">$0.00<' in client.get(f"/victims/orders/{order.pk}/").content.decode()


def test_no_ability_to_pay_gives_a_deferred_plan(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.carol)
    client.post(
        f"/victims/orders/{order.pk}/plan/",
        {"plan-monthly_ability": "0.00", "plan-first_due": DAY.isoformat()},
    )
    plan = PaymentPlan.objects.get()
    assert plan.monthly == D("0.00") and plan.review_on == dt.date(2026, 7, 1)
    text = client.get(f"/victims/orders/{order.pk}/").content.decode()
    assert 'data-testid="schedule-deferred"' in text and "Inability to pay does not bar diversion" in text


def test_the_newest_plan_wins(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.carol)
    for monthly in ("50.00", "100.00"):
        client.post(
            f"/victims/orders/{order.pk}/plan/",
            {"plan-monthly_ability": monthly, "plan-first_due": DAY.isoformat()},
        )
    assert order.current_plan().monthly == D("100.00")  # type: ignore[union-attr]
    assert PaymentPlan.objects.count() == 2


def test_the_advocate_sees_restitution_but_records_no_payment(order: RestitutionOrder, staff: Staff) -> None:
    client = client_for(staff.dave)
    page = client.get(f"/victims/orders/{order.pk}/")
    assert page.status_code == 200 and b'data-testid="payment-form"' not in page.content
    assert pay(client, order, "10.00").status_code == 403  # type: ignore[attr-defined]
    assert client.get("/victims/cases/V-1/orders/new/").status_code == 403
    assert len(stored(order)) == 1


@pytest.mark.parametrize("role", ["analyst", "auditor", "line_prosecutor"])
def test_other_roles_may_not_see_or_write_the_ledger(
    order: RestitutionOrder, staff: Staff, role: str
) -> None:
    client = client_for(staff.by_role(role))
    assert client.get(f"/victims/orders/{order.pk}/").status_code == 403
    assert pay(client, order, "10.00").status_code == 403  # type: ignore[attr-defined]
    assert len(stored(order)) == 1
