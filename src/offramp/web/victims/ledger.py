"""Writing the restitution ledger: every rule is core `offramp.core.victims.restitution`'s.

`append_entry` takes the order's row lock (`select_for_update`, inside a transaction), rebuilds the core
`Ledger` from the stored entries, appends the candidate (core refuses an overpayment, a payment before the
order, a double reversal ...: `LedgerError`, and nothing is stored) and only then saves the row, numbered
`ledger.next_seq`. The lock serialises concurrent writers on PostgreSQL; the unique (order, seq)
constraint is the backstop everywhere (SQLite has no row locks: a writer that loses the race gets an
IntegrityError, and is retried on the ledger as it now stands, so no payment is lost).

Plans: `set_plan` stores core `plan_for(balance, ability)` for the balance owed now; the schedule pays that
balance from the plan's first due date, and arrears count payments from the day the plan was set. Arrears
are a reason to review the plan with the person, never by themselves grounds for termination, and
inability to pay never bars entry to diversion (a deferred plan is offered for an ability of zero).

Each writer records its audit event in the transaction that stores the change (ids, kinds and amounts
only), so there is never a change without its event, nor an event for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from offramp.core.victims import restitution as core
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.victims.models import LedgerEntry, PaymentPlan, RestitutionOrder

#: attempts at numbering an entry when another writer took the number first (SQLite only)
RETRIES = 5


def create_order(
    *,
    case: Any,
    victim: Any,
    ordered_on: dt.date,
    amount: Decimal,
    description: str,
    user: Any,
) -> RestitutionOrder:
    """A restitution order and its ORDER entry (seq 1), together or not at all."""
    first = core.LedgerEntry(1, core.EntryKind.ORDER, core.money(amount), ordered_on, note=description)
    core.Ledger().append(first)  # core checks the amount (positive, exact cents) before anything is stored
    with transaction.atomic():
        order = RestitutionOrder.objects.create(
            case=case, victim=victim, ordered_on=ordered_on, description=description, created_by=user
        )
        _store(order, first, user)
        record(
            Action.CREATE,
            object_type="restitution_order",
            object_id=order.pk,
            actor=user,
            detail={"case": case.case_key, "victim_id": order.victim_id, "amount": str(amount)},
        )
    return order


def append_entry(
    order: RestitutionOrder,
    *,
    kind: core.EntryKind,
    amount: Decimal,
    on: dt.date,
    user: Any,
    reverses: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """Append one entry to the order's ledger; LedgerError (nothing stored) if core refuses it."""
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                locked = RestitutionOrder.objects.select_for_update().get(pk=order.pk)
                ledger = locked.ledger()
                candidate = core.LedgerEntry(
                    seq=ledger.next_seq,
                    kind=kind,
                    amount=core.money(amount),
                    on=on,
                    reverses=reverses,
                    note=note,
                    recorded_by=str(user.pk),
                )
                ledger.append(candidate)  # LedgerError: the transaction ends, nothing is stored
                entry = _store(locked, candidate, user)
                _audit_entry(entry, user)
                return entry
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def reverse_entry(
    order: RestitutionOrder, seq: int, *, on: dt.date, user: Any, note: str = ""
) -> LedgerEntry:
    """A reversing entry for entry `seq` (same amount, as core requires)."""
    target = order.entries.filter(seq=seq).first()
    if target is None:
        raise core.LedgerError(f"there is no entry #{seq} to reverse")
    return append_entry(
        order,
        kind=core.EntryKind.REVERSAL,
        amount=target.amount,
        on=on,
        reverses=seq,
        note=note,
        user=user,
    )


def _store(order: RestitutionOrder, entry: core.LedgerEntry, user: Any) -> LedgerEntry:
    return LedgerEntry.objects.create(
        order=order,
        seq=entry.seq,
        kind=entry.kind.value,
        amount=entry.amount,
        on=entry.on,
        reverses_seq=entry.reverses,
        note=entry.note,
        recorded_by=user,
    )


def _audit_entry(entry: LedgerEntry, user: Any) -> None:
    record(
        Action.CREATE,
        object_type="ledger_entry",
        object_id=entry.pk,
        actor=user,
        detail={
            "order": entry.order_id,
            "seq": entry.seq,
            "kind": entry.kind,
            "amount": str(entry.amount),
            "reverses": entry.reverses_seq,
        },
    )


def set_plan(
    order: RestitutionOrder, *, monthly_ability: Decimal, first_due: dt.date, user: Any
) -> PaymentPlan:
    """Store core `plan_for(balance owed now, ability)`; ValueError if nothing is owed."""
    balance = order.ledger().balance
    plan = core.plan_for(balance, core.money(monthly_ability), first_due=first_due)
    try:
        core.schedule(balance, plan)
    except ValueError:
        # plan_for counts months with Decimal `//` (truncating): an ability just short of paying within
        # MAX_INSTALLMENTS months gets a plan schedule() refuses; defer it, as plan_for means to
        plan = core.plan_for(balance, core.ZERO, first_due=first_due)
    with transaction.atomic():
        saved = PaymentPlan.objects.create(
            order=order,
            total=balance,
            monthly=plan.monthly,
            first_due=plan.first_due,
            review_on=plan.review_on,
            basis=plan.basis,
            created_by=user,
        )
        record(
            Action.CREATE,
            object_type="payment_plan",
            object_id=saved.pk,
            actor=user,
            detail={"order": order.pk, "monthly": str(saved.monthly), "total": str(saved.total)},
        )
    return saved


@dataclass(frozen=True)
class Summary:
    """What the ledger page and the case panel show for one order."""

    order: RestitutionOrder
    ledger: core.Ledger
    plan: PaymentPlan | None
    schedule: list[core.Installment]
    arrears: Decimal | None
    due_to_date: Decimal | None

    @property
    def ordered(self) -> str:
        return core.fmt(self.ledger.ordered)

    @property
    def paid(self) -> str:
        return core.fmt(self.ledger.paid)

    @property
    def reduced(self) -> str:
        return core.fmt(self.ledger.reduced)

    @property
    def balance(self) -> str:
        return core.fmt(self.ledger.balance)

    @property
    def plan_total(self) -> str:
        """The balance the current plan was set for, as money like every other amount on the page."""
        return core.fmt(core.money(self.plan.total)) if self.plan is not None else ""

    @property
    def arrears_fmt(self) -> str:
        return core.fmt(self.arrears) if self.arrears is not None else ""


def plan_core(plan: PaymentPlan) -> core.PaymentPlan:
    return core.PaymentPlan(
        monthly=core.money(plan.monthly), first_due=plan.first_due, review_on=plan.review_on, basis=plan.basis
    )


def summary(order: RestitutionOrder, today: dt.date | None = None) -> Summary:
    today = today or timezone.localdate()
    ledger = order.ledger()
    plan = order.current_plan()
    installments: list[core.Installment] = []
    owed: Decimal | None = None
    due: Decimal | None = None
    if plan is not None:
        installments = core.schedule(core.money(plan.total), plan_core(plan))
        since = timezone.localdate(plan.created_at)
        owed = core.arrears(ledger, installments, today, since=since)
        due = core.due_by(installments, today)
    return Summary(order, ledger, plan, installments, owed, due)
