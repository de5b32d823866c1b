"""Restitution: orders, an append-only payment ledger in exact money, payment plans and arrears.

Victims keep the right to be made whole (docs/SOURCES.md#dekalb-da), and the person's ability to pay must
never bar entry to diversion nor by itself end it (APA prosecutor-led diversion toolkit; NIJ multisite
evaluation, docs/SOURCES.md#prosecutor-led-diversion). So this module always offers a payment plan
(`plan_for`, for any ability to pay, including none), and `arrears` is a reason to review the plan, never
grounds for termination.

Money
    `money(value)` is the only way in: text ("12.50") or `decimal.Decimal`, never a float (a float cannot
    hold most amounts in cents exactly: TypeError) nor an int (TypeError, so that a stray number of cents
    cannot pass for dollars). Amounts are exact cents: a value with a non-zero digit below the cent
    ("10.005") is refused with ValueError rather than rounded, because a rounded payment is not the payment
    that was made. Nothing in this module rounds: schedules are built from whole-cent instalments and a
    remainder, so no rounding mode is ever applied (were one needed, it would be ROUND_HALF_EVEN, the
    banker's rounding the `decimal` module uses by default). Every amount returned is quantized to
    `CENT`.

The ledger (append-only; a correction is a reversing entry)
    `Ledger` is immutable: `append(entry)` returns a new ledger, or raises `LedgerError` and leaves the
    ledger as it was. No entry is ever changed or removed. Each entry has a positive amount; its effect
    on the balance depends on its kind:

        order      + amount   (restitution ordered; a further or amended order is another order)
        payment    - amount
        reduction  - amount   (a court order lowering what is owed, or the victim forgiving part of it)
        reversal   - (the effect of the entry it reverses): reversing a payment adds the amount back,
                   reversing an order or a reduction takes it away again (order) or adds it back (reduction)

    so `balance = orders - payments - reductions + reversed payments - reversed orders + reversed
    reductions`. Rules checked on `append`:

    - `seq` is at least 1 and strictly greater than the last entry's (gaps are allowed: a store may use its
      own row numbers);
    - the first entry is an order (nothing can be paid or reduced before restitution is ordered), and no
      entry is dated before the first order's date (a reversal not before the entry it reverses);
    - a payment or reduction may not exceed the balance: overpayment is refused, with the balance in the
      message (money paid beyond what is owed is returned to the payer outside this ledger);
    - a reversal names an existing entry that is not itself a reversal and has not already been reversed,
      and carries the same amount; reversing an order may not leave the balance below zero (reverse the
      payments it received first).

    Together these keep the balance at zero or above at all times.

Plans and arrears
    `plan_for(total, monthly_ability, first_due=...)` offers a plan for any ability to pay: the monthly
    amount is what the person can pay (no minimum), capped at the total; an ability of zero gives a
    *deferred* plan (no instalments) with a review date. `schedule(total, plan)` lists the instalments
    (the last one is the remainder, so they sum exactly to the total; at most `MAX_INSTALLMENTS`);
    `arrears(ledger, schedule, today)`
    is what was due by today minus what was paid, never negative.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from offramp.core.enums import DescribedEnum

#: one cent: every amount is a multiple of it
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: months from a deferred plan's start (or first due date) to its review
DEFERRED_REVIEW_MONTHS = 3
#: a plan longer than this (ten years) has its ability to pay reviewed after `LONG_PLAN_REVIEW_MONTHS`
LONG_PLAN_MONTHS = 120
LONG_PLAN_REVIEW_MONTHS = 12
#: the longest schedule (a hundred years): an ability to pay below total / this is treated as none
MAX_INSTALLMENTS = 1200


class LedgerError(ValueError):
    """An entry the ledger refuses; the message says why in words a clerk can act on."""


def money(value: str | Decimal) -> Decimal:
    """`value` as an exact amount in cents (a Decimal quantized to `CENT`; it may be negative or zero).

    Text or Decimal only: a float or int raises TypeError. A value that is not a finite number, or that
    has a non-zero digit below the cent, raises ValueError (never rounded)."""
    if isinstance(value, bool) or not isinstance(value, str | Decimal):
        raise TypeError(
            f"money must be given as text ('12.50') or a decimal.Decimal, not {type(value).__name__}"
            + (" (a float cannot hold an amount in cents exactly)" if isinstance(value, float) else "")
        )
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else value
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"{value!r} is too large an amount of money") from None
    if cents != amount:
        raise ValueError(f"{value!r} has a fraction of a cent: amounts are recorded in exact cents")
    return cents


def fmt(amount: Decimal) -> str:
    """An amount for a message: `$1,234.50`, `-$80.00`."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


class EntryKind(DescribedEnum):
    ORDER = (
        "order",
        "Restitution ordered (by the court or as a condition of diversion): adds to the balance.",
    )
    PAYMENT = ("payment", "A payment received toward the restitution owed: lowers the balance.")
    REDUCTION = (
        "reduction",
        "A court order lowering the amount owed, or the victim forgiving part of it: lowers the balance.",
    )
    REVERSAL = (
        "reversal",
        "A correction: undoes one earlier entry in full (a mistaken or bounced payment, a mistaken order).",
    )


#: the sign of each kind's amount in the balance (a reversal takes the opposite of what it reverses)
SIGN: dict[EntryKind, int] = {EntryKind.ORDER: 1, EntryKind.PAYMENT: -1, EntryKind.REDUCTION: -1}


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger line, never changed once appended. `amount` is positive; `reverses` is the seq of the
    entry a reversal undoes (and None for every other kind)."""

    seq: int
    kind: EntryKind
    amount: Decimal
    on: dt.date
    reverses: int | None = None
    note: str = ""
    recorded_by: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _kind(self.kind))
        object.__setattr__(self, "amount", money(self.amount))
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 1:
            raise LedgerError(f"entry number must be a whole number of at least 1, not {self.seq!r}")
        if self.amount <= 0:
            raise LedgerError(f"entry {self.seq}: the amount must be more than zero, not {fmt(self.amount)}")
        if not isinstance(self.on, dt.date) or isinstance(self.on, dt.datetime):
            raise LedgerError(f"entry {self.seq}: the date must be a date, not {self.on!r}")
        if self.kind is EntryKind.REVERSAL and self.reverses is None:
            raise LedgerError(f"entry {self.seq}: a reversal must name the entry it reverses")
        if self.kind is not EntryKind.REVERSAL and self.reverses is not None:
            raise LedgerError(f"entry {self.seq}: only a reversal can name an entry to reverse")

    @property
    def label(self) -> str:
        """`payment #3 of $25.00 on 2025-03-01`"""
        return f"{self.kind.value} #{self.seq} of {fmt(self.amount)} on {self.on.isoformat()}"


def _reversed_seq(entry: LedgerEntry) -> int:
    """The seq a reversal undoes (`LedgerEntry` refuses a reversal without one when it is made)."""
    if entry.reverses is None:
        raise LedgerError(f"{entry.label}: a reversal must name the entry it reverses")
    return entry.reverses


def _kind(kind: EntryKind | str) -> EntryKind:
    if isinstance(kind, EntryKind):
        return kind
    found = EntryKind.parse(str(kind))
    if found is None:
        raise LedgerError(f"unknown entry kind {kind!r}: expected one of {', '.join(EntryKind.values())}")
    return found


@dataclass(frozen=True)
class Ledger:
    """The restitution ledger of one order (or of one case's orders): an immutable tuple of entries."""

    entries: tuple[LedgerEntry, ...] = ()
    _by_seq: dict[int, LedgerEntry] = field(default_factory=dict, init=False, repr=False, compare=False)
    _reversed: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.entries:
            # built directly with entries: replay every check, so an invalid ledger cannot exist
            replayed = Ledger.from_entries(self.entries)
            object.__setattr__(self, "_by_seq", replayed._by_seq)
            object.__setattr__(self, "_reversed", replayed._reversed)

    @classmethod
    def from_entries(cls, entries: Iterable[LedgerEntry]) -> Ledger:
        """The ledger of stored entries, in order, each checked as `append` would (LedgerError if not)."""
        ledger = cls()
        for entry in entries:
            ledger = ledger.append(entry)
        return ledger

    # --- reading ---------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, seq: int) -> LedgerEntry:
        """The entry numbered `seq` (KeyError if none)."""
        return self._by_seq[seq]

    @property
    def next_seq(self) -> int:
        """The number the next entry should carry (1 for an empty ledger)."""
        return self.entries[-1].seq + 1 if self.entries else 1

    def reversed_by(self, seq: int) -> int | None:
        """The seq of the reversal that undid entry `seq`, or None if it stands."""
        return self._reversed.get(seq)

    def effect(self, entry: LedgerEntry) -> Decimal:
        """What `entry` adds to the balance (negative when it lowers it)."""
        if entry.kind is EntryKind.REVERSAL:
            return -self.effect(self._by_seq[_reversed_seq(entry)])
        return SIGN[entry.kind] * entry.amount

    def _net(self, kind: EntryKind) -> Decimal:
        """The total of `kind` entries still standing (reversed ones left out)."""
        total = sum((e.amount for e in self.entries if e.kind is kind and e.seq not in self._reversed), ZERO)
        return total.quantize(CENT)

    @property
    def ordered(self) -> Decimal:
        """Restitution ordered, less orders reversed."""
        return self._net(EntryKind.ORDER)

    @property
    def paid(self) -> Decimal:
        """Payments received, less payments reversed."""
        return self._net(EntryKind.PAYMENT)

    @property
    def reduced(self) -> Decimal:
        """Reductions by court order or the victim, less reductions reversed."""
        return self._net(EntryKind.REDUCTION)

    @property
    def balance(self) -> Decimal:
        """What is still owed: the sum of every entry's effect (never below zero)."""
        return sum((self.effect(e) for e in self.entries), ZERO).quantize(CENT)

    @property
    def first_order_on(self) -> dt.date | None:
        return self.entries[0].on if self.entries else None

    def paid_as_of(self, today: dt.date, *, since: dt.date | None = None) -> Decimal:
        """Payments dated on or before `today` (and on or after `since`), less those reversed on or before
        `today`."""
        total = ZERO
        for e in self.entries:
            if e.kind is not EntryKind.PAYMENT or e.on > today or (since is not None and e.on < since):
                continue
            undo = self._reversed.get(e.seq)
            if undo is None or self._by_seq[undo].on > today:
                total += e.amount
        return total.quantize(CENT)

    # --- writing ---------------------------------------------------------------------------------------

    def append(self, entry: LedgerEntry) -> Ledger:
        """A new ledger with `entry` at the end; LedgerError (this ledger unchanged) if it breaks a rule."""
        if not isinstance(entry, LedgerEntry):
            raise TypeError(f"append takes a LedgerEntry, not {type(entry).__name__}")
        self._check(entry)
        by_seq = {**self._by_seq, entry.seq: entry}
        reversed_ = dict(self._reversed)
        if entry.reverses is not None:
            reversed_[entry.reverses] = entry.seq
        new = Ledger()
        object.__setattr__(new, "entries", (*self.entries, entry))
        object.__setattr__(new, "_by_seq", by_seq)
        object.__setattr__(new, "_reversed", reversed_)
        return new

    def _check(self, entry: LedgerEntry) -> None:
        if self.entries and entry.seq <= self.entries[-1].seq:
            raise LedgerError(
                f"entry number {entry.seq} is not after the last entry ({self.entries[-1].seq}): "
                f"entries are only ever added, the next is {self.next_seq}"
            )
        first = self.first_order_on
        if first is None:
            if entry.kind is not EntryKind.ORDER:
                raise LedgerError(
                    f"{entry.label}: no restitution has been ordered yet; record the order first"
                )
            return
        if entry.on < first:
            raise LedgerError(f"{entry.label}: dated before the restitution order of {first.isoformat()}")
        balance = self.balance
        if entry.kind in (EntryKind.PAYMENT, EntryKind.REDUCTION) and entry.amount > balance:
            what = "overpayment" if entry.kind is EntryKind.PAYMENT else "a reduction below zero"
            raise LedgerError(
                f"{entry.label} is more than the balance owed ({fmt(balance)}): {what} is not recorded"
                + (
                    "; record a payment of the balance and return the rest to the payer"
                    if entry.kind is EntryKind.PAYMENT
                    else ""
                )
            )
        if entry.kind is EntryKind.REVERSAL:
            self._check_reversal(entry, balance)

    def _check_reversal(self, entry: LedgerEntry, balance: Decimal) -> None:
        target = self._by_seq.get(_reversed_seq(entry))
        if target is None:
            raise LedgerError(f"{entry.label}: there is no entry #{entry.reverses} to reverse")
        if target.kind is EntryKind.REVERSAL:
            raise LedgerError(
                f"{entry.label}: entry #{target.seq} is itself a reversal and cannot be reversed; "
                f"record the original entry again instead"
            )
        done = self._reversed.get(target.seq)
        if done is not None:
            raise LedgerError(f"{entry.label}: {target.label} was already reversed by entry #{done}")
        if entry.amount != target.amount:
            raise LedgerError(
                f"{entry.label}: a reversal carries the amount of the entry it reverses ({fmt(target.amount)})"
            )
        if entry.on < target.on:
            raise LedgerError(f"{entry.label}: dated before the entry it reverses ({target.label})")
        after = balance - self.effect(target)
        if after < 0:
            raise LedgerError(
                f"{entry.label}: reversing {target.label} would leave a negative balance ({fmt(after)}); "
                f"reverse the payments it received first"
            )


# --- plans, schedules, arrears -----------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, the day of the month kept or clamped to the month's end
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class PaymentPlan:
    """A monthly payment plan. `monthly` of zero is a deferred plan: nothing is due until `review_on`,
    when the person's ability to pay is looked at again. Instalments fall on `first_due`'s day of the month
    (clamped to shorter months)."""

    monthly: Decimal
    first_due: dt.date
    review_on: dt.date | None = None
    basis: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "monthly", money(self.monthly))
        if self.monthly < 0:
            raise ValueError(f"a monthly amount cannot be negative ({fmt(self.monthly)})")
        if self.monthly == 0 and self.review_on is None:
            raise ValueError("a deferred plan (nothing due monthly) needs a review date")

    @property
    def deferred(self) -> bool:
        return self.monthly == 0


@dataclass(frozen=True)
class Installment:
    number: int  # 1-based
    due: dt.date
    amount: Decimal


def schedule(total: Decimal, plan: PaymentPlan) -> list[Installment]:
    """The instalments that pay `total` under `plan`: `plan.monthly` each month from `plan.first_due`, the
    last one the remainder (so they sum to `total` exactly, in cents). A deferred plan, or a total of zero,
    has no instalments."""
    total = money(total)
    if total < 0:
        raise ValueError(f"a schedule cannot pay a negative total ({fmt(total)})")
    if plan.deferred or total == 0:
        return []
    full, rest = divmod(total, plan.monthly)
    if full + (1 if rest else 0) > MAX_INSTALLMENTS:
        raise ValueError(
            f"{fmt(plan.monthly)} a month would take over {MAX_INSTALLMENTS} months to pay {fmt(total)}: "
            f"offer a deferred plan with a review instead (plan_for does)"
        )
    amounts = [plan.monthly] * int(full) + ([rest.quantize(CENT)] if rest else [])
    return [
        Installment(number=i + 1, due=add_months(plan.first_due, i), amount=amount)
        for i, amount in enumerate(amounts)
    ]


def due_by(installments: Iterable[Installment], today: dt.date) -> Decimal:
    """The total of instalments due on or before `today`."""
    return sum((i.amount for i in installments if i.due <= today), ZERO).quantize(CENT)


def arrears(
    ledger: Ledger, installments: Iterable[Installment], today: dt.date, *, since: dt.date | None = None
) -> Decimal:
    """What was due under the schedule by `today` and has not been paid (never negative).

    Payments count as of `today` (dated on or before it, less those reversed by then); with `since`, only
    payments from that date count (for a schedule made over a balance left after earlier payments). Arrears
    are a reason to review the plan with the person, never by themselves grounds for termination."""
    owed = due_by(installments, today) - ledger.paid_as_of(today, since=since)
    return max(owed, ZERO).quantize(CENT)


def plan_for(
    total: Decimal,
    monthly_ability: Decimal,
    *,
    first_due: dt.date,
    review_months: int = DEFERRED_REVIEW_MONTHS,
) -> PaymentPlan:
    """A plan for paying `total` that anyone can accept: inability to pay never bars entry.

    The monthly amount is `monthly_ability` (no minimum), capped at `total`; a plan longer than
    `LONG_PLAN_MONTHS` is reviewed after `LONG_PLAN_REVIEW_MONTHS`. An ability of zero, or one so small
    that the plan would run past `MAX_INSTALLMENTS` months, gives a deferred plan: nothing is due, and the
    ability to pay is reviewed `review_months` after `first_due`. A negative ability or a total that is
    not positive raises ValueError."""
    total, ability = money(total), money(monthly_ability)
    if total <= 0:
        raise ValueError(f"nothing is owed ({fmt(total)}): no payment plan is needed")
    if ability < 0:
        raise ValueError(f"an ability to pay cannot be negative ({fmt(ability)})")
    # ceiling division: Decimal // truncates towards zero, so -(-a // b) would be the floor, not the ceiling
    months = int((total / ability).to_integral_value(rounding=ROUND_CEILING)) if ability > 0 else None
    if months is None or months > MAX_INSTALLMENTS:
        why = "No ability to pay now" if ability == 0 else f"{fmt(ability)} a month cannot pay {fmt(total)}"
        return PaymentPlan(
            monthly=ZERO,
            first_due=first_due,
            review_on=add_months(first_due, review_months),
            basis=(
                f"{why}: payment of {fmt(total)} is deferred and the ability to pay reviewed in "
                f"{review_months} months. Inability to pay does not bar diversion."
            ),
        )
    monthly = min(ability, total)
    count = int(months) if monthly == ability else 1
    long = count > LONG_PLAN_MONTHS
    return PaymentPlan(
        monthly=monthly,
        first_due=first_due,
        review_on=add_months(first_due, LONG_PLAN_REVIEW_MONTHS) if long else None,
        basis=(
            f"{fmt(monthly)} a month, as the person can pay: {count} instalment(s) for {fmt(total)}"
            + (f"; the ability to pay is reviewed in {LONG_PLAN_REVIEW_MONTHS} months." if long else ".")
        ),
    )
