"""The restitution ledger: exact money, append-only entries, the balance invariant, plans and arrears."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.core.victims.restitution import (
    CENT,
    LONG_PLAN_MONTHS,
    MAX_INSTALLMENTS,
    EntryKind,
    Installment,
    Ledger,
    LedgerEntry,
    LedgerError,
    PaymentPlan,
    add_months,
    arrears,
    money,
    plan_for,
    schedule,
)

D0 = dt.date(2025, 1, 15)
KINDS = {k.value: k for k in EntryKind}


def entry(seq: int, kind: str, amount: str, on: dt.date = D0, reverses: int | None = None) -> LedgerEntry:
    return LedgerEntry(seq, KINDS[kind], money(amount), on, reverses=reverses, recorded_by="clerk")


def ordered(amount: str = "100.00") -> Ledger:
    return Ledger().append(entry(1, "order", amount))


# --- money -------------------------------------------------------------------------------------------------


def test_money_is_exact_cents_from_text_or_decimal() -> None:
    assert money("12.5") == Decimal("12.50")
    assert str(money(" 12.5 ")) == "12.50"
    assert money(Decimal("7")) == Decimal("7.00")
    assert money("10.500") == Decimal("10.50")
    assert money("-3.10") == Decimal("-3.10")


@pytest.mark.parametrize("value", [12.5, 0.1, 12, True])
def test_money_refuses_floats_and_ints(value: object) -> None:
    with pytest.raises(TypeError, match=r"text .* or a decimal\.Decimal"):
        money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["10.005", "abc", "", "NaN", "Infinity", Decimal("0.001")])
def test_money_refuses_what_is_not_an_exact_amount(value: str | Decimal) -> None:
    with pytest.raises(ValueError):
        money(value)


def test_an_entry_refuses_a_float_amount() -> None:
    with pytest.raises(TypeError, match="float"):
        LedgerEntry(1, EntryKind.ORDER, 100.0, D0)  # type: ignore[arg-type]


# --- the ledger's rules ------------------------------------------------------------------------------------


def test_balance_follows_the_sign_rules() -> None:
    ledger = ordered("100.00")
    ledger = ledger.append(entry(2, "payment", "30.00"))
    assert ledger.balance == Decimal("70.00")
    ledger = ledger.append(entry(3, "reversal", "30.00", reverses=2))  # reversing a payment adds back
    assert ledger.balance == Decimal("100.00")
    ledger = ledger.append(entry(4, "order", "50.00"))
    ledger = ledger.append(entry(5, "reduction", "20.00"))
    assert ledger.balance == Decimal("130.00")
    ledger = ledger.append(entry(6, "reversal", "50.00", reverses=4))  # reversing an order subtracts
    assert ledger.balance == Decimal("80.00")
    ledger = ledger.append(entry(7, "reversal", "20.00", reverses=5))  # reversing a reduction adds back
    assert ledger.balance == Decimal("100.00")
    assert (ledger.ordered, ledger.paid, ledger.reduced) == (Decimal("100.00"), Decimal("0.00"), Decimal("0"))
    assert ledger.reversed_by(2) == 3
    assert ledger.reversed_by(1) is None


def base_ledger() -> Ledger:
    """order 100 (#1), payment 30 (#2) reversed (#3), payment 30 (#4): balance 70."""
    ledger = ordered("100.00").append(entry(2, "payment", "30.00"))
    return ledger.append(entry(3, "reversal", "30.00", reverses=2)).append(entry(4, "payment", "30.00"))


INVALID: dict[str, tuple[Callable[[], LedgerEntry], str]] = {
    "negative": (lambda: entry(5, "payment", "-1.00"), r"more than zero, not -\$1.00"),
    "zero": (lambda: entry(5, "payment", "0"), "more than zero"),
    "overpay": (lambda: entry(5, "payment", "70.01"), r"more than the balance owed \(\$70.00\).*overpayment"),
    "over-reduce": (lambda: entry(5, "reduction", "80.00"), "more than the balance owed"),
    "reverse twice": (lambda: entry(5, "reversal", "30.00", reverses=2), "already reversed by entry #3"),
    "reverse a reversal": (lambda: entry(5, "reversal", "30.00", reverses=3), "itself a reversal"),
    "reverse nothing": (lambda: entry(5, "reversal", "30.00", reverses=9), "no entry #9"),
    "wrong amount": (lambda: entry(5, "reversal", "10.00", reverses=1), "amount of the entry it reverses"),
    "old seq": (lambda: entry(4, "payment", "1.00"), "not after the last entry"),
    "before order": (
        lambda: entry(5, "payment", "1.00", on=D0 - dt.timedelta(days=1)),
        "before the restitution",
    ),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_entries_are_refused_and_leave_the_ledger_unchanged(name: str) -> None:
    ledger = base_ledger()
    before = ledger.entries
    build, message = INVALID[name]
    with pytest.raises(LedgerError, match=message):
        ledger.append(build())
    assert ledger.entries == before
    assert ledger.balance == Decimal("70.00")


def test_nothing_before_an_order_and_an_order_cannot_go_negative() -> None:
    with pytest.raises(LedgerError, match="no restitution has been ordered yet"):
        Ledger().append(entry(1, "payment", "5.00"))
    ledger = ordered("100.00").append(entry(2, "payment", "80.00"))
    with pytest.raises(LedgerError, match=r"negative balance \(-\$80.00\).*reverse the payments"):
        ledger.append(entry(3, "reversal", "100.00", reverses=1))
    fixed = ledger.append(entry(3, "reversal", "80.00", reverses=2)).append(
        entry(4, "reversal", "100.00", reverses=1)
    )
    assert fixed.balance == Decimal("0.00")


def test_entries_are_frozen_and_a_ledger_rebuilt_from_entries_is_checked() -> None:
    ledger = ordered().append(entry(2, "payment", "30.00"))
    with pytest.raises(AttributeError):
        ledger.entries[0].amount = Decimal("1.00")  # type: ignore[misc]
    assert Ledger.from_entries(ledger.entries) == ledger
    assert Ledger(ledger.entries).balance == Decimal("70.00")
    with pytest.raises(LedgerError, match="overpayment"):
        Ledger((*ledger.entries, entry(3, "payment", "500.00")))
    with pytest.raises(LedgerError, match="only a reversal"):
        entry(3, "payment", "1.00", reverses=2)
    with pytest.raises(LedgerError, match="must name the entry"):
        entry(3, "reversal", "1.00")


# --- the property: balance = orders - payments + reversed payments - reversed orders ------------------------


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """A list of (op, cents, pick): op order/payment/reversal; cents the amount; pick an earlier entry."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["order", "payment", "payment", "reversal", "bad"]),
                st.integers(min_value=1, max_value=500_00),
                st.integers(min_value=0, max_value=10_000),
            ),
            max_size=40,
        )
    )


def expected_balance(ledger: Ledger) -> Decimal:
    """The formula, from the entries alone."""
    entries = {e.seq: e for e in ledger.entries}
    reversed_kinds = [entries[e.reverses].kind for e in ledger.entries if e.reverses is not None]
    reversed_amounts = [entries[e.reverses].amount for e in ledger.entries if e.reverses is not None]

    def total(kind: EntryKind) -> Decimal:
        return sum((e.amount for e in ledger.entries if e.kind is kind), Decimal(0))

    def total_reversed(kind: EntryKind) -> Decimal:
        return sum(
            (a for k, a in zip(reversed_kinds, reversed_amounts, strict=True) if k is kind), Decimal(0)
        )

    return (
        total(EntryKind.ORDER)
        - total(EntryKind.PAYMENT)
        + total_reversed(EntryKind.PAYMENT)
        - total_reversed(EntryKind.ORDER)
    )


@settings(max_examples=300, deadline=None)
@given(ops=operations())
def test_balance_invariant_and_nothing_is_ever_lost(ops: list[tuple[str, int, int]]) -> None:
    ledger = ordered("250.00")
    for op, cents, pick in ops:
        seq, day = ledger.next_seq, D0 + dt.timedelta(days=ledger.next_seq)
        amount = (Decimal(cents) * CENT).quantize(CENT)
        before = ledger
        try:
            if op == "order":
                ledger = ledger.append(LedgerEntry(seq, EntryKind.ORDER, amount, day))
            elif op == "payment":
                # payments up to the balance, sometimes exactly the balance
                if ledger.balance == 0:
                    continue
                paid = min(amount, ledger.balance) if pick % 3 else ledger.balance
                ledger = ledger.append(LedgerEntry(seq, EntryKind.PAYMENT, paid, day))
            elif op == "reversal":
                target = ledger.entries[pick % len(ledger.entries)]
                ledger = ledger.append(
                    LedgerEntry(seq, EntryKind.REVERSAL, target.amount, day, reverses=target.seq)
                )
            else:  # always invalid: overpay, reverse a reversal or reverse twice, or a float
                kind = pick % 3
                if kind == 0:
                    bad = LedgerEntry(seq, EntryKind.PAYMENT, ledger.balance + amount, day)
                    ledger = ledger.append(bad)
                elif kind == 1:
                    done = [e for e in ledger.entries if e.reverses is not None]
                    if not done:
                        continue
                    e = done[pick % len(done)]
                    target = ledger.entry(e.reverses or 0)
                    again = e if pick % 2 else target  # reverse the reversal, or reverse again
                    ledger = ledger.append(
                        LedgerEntry(seq, EntryKind.REVERSAL, again.amount, day, reverses=again.seq)
                    )
                else:
                    ledger = ledger.append(LedgerEntry(seq, EntryKind.PAYMENT, float(amount), day))  # type: ignore[arg-type]
                pytest.fail(f"invalid operation accepted: {op} {cents} {pick}")
        except (LedgerError, TypeError):
            assert ledger is before  # a refused entry leaves the ledger as it was
        # nothing changed or lost: every earlier entry is still there, equal and in place
        assert ledger.entries[: len(before.entries)] == before.entries
        assert len(ledger.entries) - len(before.entries) in (0, 1)
        assert ledger.balance == expected_balance(ledger)
        assert ledger.balance >= 0
        assert ledger.balance == ledger.ordered - ledger.paid - ledger.reduced
        assert ledger.balance == ledger.balance.quantize(CENT)


# --- schedules, arrears, plans -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "monthly", "count", "last"),
    [
        ("100.00", "33.33", 4, "0.01"),
        ("100.00", "33.34", 3, "33.32"),
        ("100.00", "30.00", 4, "10.00"),
        ("100.00", "25.00", 4, "25.00"),
        ("0.03", "0.01", 3, "0.01"),
        ("1234.56", "100.00", 13, "34.56"),
        ("100.00", "250.00", 1, "100.00"),
    ],
)
def test_schedule_sums_exactly_to_the_total(total: str, monthly: str, count: int, last: str) -> None:
    plan = PaymentPlan(monthly=money(monthly), first_due=dt.date(2025, 1, 31))
    rows = schedule(money(total), plan)
    assert sum((r.amount for r in rows), Decimal(0)) == money(total)
    assert len(rows) == count
    assert rows[-1].amount == money(last)
    assert all(r.amount == money(monthly) for r in rows[:-1])
    assert [r.number for r in rows] == list(range(1, count + 1))
    assert all(r.amount.as_tuple().exponent == -2 for r in rows)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(1, 10_000_00), ability=st.integers(0, 5_000_00))
def test_any_plan_for_any_ability_has_a_schedule_summing_to_its_total(total: int, ability: int) -> None:
    owed = Decimal(total) * CENT
    plan = plan_for(owed, Decimal(ability) * CENT, first_due=D0)
    rows = schedule(owed, plan)
    if plan.deferred:
        assert rows == [] and plan.review_on is not None
        assert ability == 0 or ability * MAX_INSTALLMENTS < total
        return
    assert sum((r.amount for r in rows), Decimal(0)) == owed
    assert all(Decimal(0) < r.amount <= plan.monthly for r in rows)
    assert plan.monthly <= Decimal(ability) * CENT
    assert (plan.review_on is not None) == (len(rows) > LONG_PLAN_MONTHS)


def test_a_schedule_longer_than_a_century_is_refused() -> None:
    with pytest.raises(ValueError, match="deferred plan with a review"):
        schedule(money("957.01"), PaymentPlan(monthly=money("0.01"), first_due=D0))
    tiny = plan_for(money("957.01"), money("0.01"), first_due=D0)
    assert tiny.deferred and "cannot pay" in tiny.basis


def test_due_dates_keep_the_day_of_the_month_clamped_to_short_months() -> None:
    rows = schedule(money("100.00"), PaymentPlan(monthly=money("20.00"), first_due=dt.date(2024, 1, 31)))
    assert [r.due for r in rows] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)


def test_arrears_is_due_minus_paid_never_negative() -> None:
    plan = PaymentPlan(monthly=money("25.00"), first_due=dt.date(2025, 2, 1))
    rows = schedule(money("100.00"), plan)
    ledger = ordered("100.00")
    assert arrears(ledger, rows, dt.date(2025, 1, 31)) == Decimal("0.00")  # nothing due yet
    assert arrears(ledger, rows, dt.date(2025, 2, 1)) == Decimal("25.00")  # due on the day
    assert arrears(ledger, rows, dt.date(2025, 3, 15)) == Decimal("50.00")
    ledger = ledger.append(entry(2, "payment", "30.00", on=dt.date(2025, 2, 10)))
    assert arrears(ledger, rows, dt.date(2025, 3, 15)) == Decimal("20.00")
    assert arrears(ledger, rows, dt.date(2025, 2, 5)) == Decimal("25.00")  # the payment came later
    ledger = ledger.append(entry(3, "payment", "60.00", on=dt.date(2025, 2, 20)))
    assert arrears(ledger, rows, dt.date(2025, 3, 15)) == Decimal("0.00")  # paid ahead: not negative
    bounced = ledger.append(entry(4, "reversal", "60.00", on=dt.date(2025, 4, 2), reverses=3))
    assert arrears(bounced, rows, dt.date(2025, 4, 1)) == Decimal("0.00")  # reversed later than today
    assert arrears(bounced, rows, dt.date(2025, 4, 2)) == Decimal("45.00")
    assert arrears(bounced, rows, dt.date(2025, 4, 2), since=dt.date(2025, 2, 15)) == Decimal("75.00")
    assert arrears(bounced, [], dt.date(2030, 1, 1)) == Decimal("0.00")


def test_a_plan_is_offered_for_any_ability_to_pay() -> None:
    first = dt.date(2025, 3, 1)
    deferred = plan_for(money("500.00"), money("0"), first_due=first)
    assert deferred.deferred
    assert deferred.review_on == dt.date(2025, 6, 1)
    assert "does not bar" in deferred.basis
    assert schedule(money("500.00"), deferred) == []
    assert arrears(ordered("500.00"), schedule(money("500.00"), deferred), dt.date(2026, 1, 1)) == 0

    small = plan_for(money("500.00"), money("0.50"), first_due=first)
    assert small.monthly == Decimal("0.50")
    assert len(schedule(money("500.00"), small)) == 1000
    assert small.review_on == dt.date(2026, 3, 1)  # a long plan is reviewed after a year

    whole = plan_for(money("100.00"), money("400.00"), first_due=first)
    assert schedule(money("100.00"), whole) == [Installment(1, first, Decimal("100.00"))]
    assert plan_for(money("100.00"), money("0"), first_due=first, review_months=1).review_on == dt.date(
        2025, 4, 1
    )


def test_plans_refuse_what_makes_no_sense() -> None:
    with pytest.raises(ValueError, match="negative"):
        plan_for(money("100.00"), money("-1.00"), first_due=D0)
    with pytest.raises(ValueError, match="nothing is owed"):
        plan_for(money("0"), money("10.00"), first_due=D0)
    with pytest.raises(ValueError, match="review date"):
        PaymentPlan(monthly=money("0"), first_due=D0)
    with pytest.raises(TypeError):
        plan_for(100.0, money("10.00"), first_due=D0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "ability", "instalments", "deferred"),
    [
        ("1199.85", "9.92", 121, False),  # 120.95... months: the ceiling, not the floor
        ("1200.00", "1.00", 1200, False),  # exactly MAX_INSTALLMENTS
        ("1200.01", "1.00", 0, True),  # one cent over: deferred with a review, never refused
    ],
)
def test_plan_for_counts_months_with_the_ceiling(
    total: str, ability: str, instalments: int, deferred: bool
) -> None:
    plan = plan_for(money(total), money(ability), first_due=dt.date(2026, 1, 1))
    assert plan.deferred is deferred
    rows = schedule(money(total), plan)
    assert len(rows) == instalments
    assert sum((r.amount for r in rows), start=money("0")) == (money("0") if deferred else money(total))
