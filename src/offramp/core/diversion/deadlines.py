"""Deadlines on a referral and the alerts a coordinator's board shows when one passes or comes near.

Three kinds: the intake deadline (days after the referral, set by the office's policy), the next progress
report (every N days after the last one, or after enrolment), and the program's end date (enrolment plus the
program's duration in months). A deadline's `due` date is the last day on which it is kept: it is overdue
from the day after, never on the day itself.

Days are calendar days. Business days are deliberately not used: the sources state their deadlines in days
(LEAD Clackamas: intake within 14 days; Santa Fe: 7 to 30 days), court holidays differ by county, and a
calendar deadline is one a person can count for themselves. An office that wants business days sets a
larger number of days in its policy.

Everything here is pure and date-based: `today` is always passed in.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from offramp.core.enums import DescribedEnum

#: LEAD Clackamas County: intake assessment within 14 days (plus a release of information), else charges
#: are filed. Santa Fe allows 7 to 30 days; an office sets its own number in its policy.
DEFAULT_INTAKE_DAYS = 14
#: the range an office's policy may set (Santa Fe LEAD's 7-30 days fits well inside it)
MIN_INTAKE_DAYS, MAX_INTAKE_DAYS = 1, 90
#: a progress report every 30 days unless the policy says otherwise
DEFAULT_PROGRESS_REPORT_DAYS = 30


class DeadlineKind(DescribedEnum):
    INTAKE = ("intake", "The program's intake assessment is due (days after the referral, set by policy).")
    PROGRESS_REPORT = ("progress_report", "The next progress report from the program is due.")
    PROGRAM_END = ("program_end", "The program's planned end: completion or a decision is due.")


@dataclass(frozen=True)
class Deadline:
    """A date by which something is due. `met_on` is set once it is kept; a kept deadline never alerts."""

    kind: DeadlineKind
    due: dt.date
    referral_key: str = ""
    label: str = ""
    met_on: dt.date | None = None

    @property
    def is_met(self) -> bool:
        return self.met_on is not None

    def days_overdue(self, today: dt.date) -> int:
        """0 on or before the due date; 1 on the day after, and so on."""
        return max(0, (today - self.due).days)

    def days_left(self, today: dt.date) -> int:
        """Days from today to the due date (0 on the day itself and after)."""
        return max(0, (self.due - today).days)


@dataclass(frozen=True)
class Alert:
    """A line on the coordinator's board: a deadline overdue, or due soon, as of `today`."""

    deadline: Deadline
    today: dt.date

    @property
    def is_overdue(self) -> bool:
        return self.today > self.deadline.due

    @property
    def days_overdue(self) -> int:
        return self.deadline.days_overdue(self.today)

    @property
    def days_left(self) -> int:
        return self.deadline.days_left(self.today)

    @property
    def message(self) -> str:
        what = self.deadline.label or self.deadline.kind.description
        due = self.deadline.due.isoformat()
        if self.is_overdue:
            n = self.days_overdue
            return f"{what} Due {due}: {n} day{'s' if n != 1 else ''} overdue."
        if self.days_left == 0:
            return f"{what} Due today ({due})."
        n = self.days_left
        return f"{what} Due {due}: in {n} day{'s' if n != 1 else ''}."


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def intake_deadline(
    referred_on: dt.date, days: int = DEFAULT_INTAKE_DAYS, *, referral_key: str = ""
) -> Deadline:
    """The intake is due `days` calendar days after the referral (the policy sets `days`; default 14)."""
    if not MIN_INTAKE_DAYS <= days <= MAX_INTAKE_DAYS:
        raise ValueError(f"intake days must be {MIN_INTAKE_DAYS} to {MAX_INTAKE_DAYS}, not {days}")
    return Deadline(
        DeadlineKind.INTAKE,
        referred_on + dt.timedelta(days=days),
        referral_key,
        f"Intake assessment (within {days} days of the referral).",
    )


def progress_report_deadline(
    since: dt.date, every_days: int = DEFAULT_PROGRESS_REPORT_DAYS, *, referral_key: str = ""
) -> Deadline:
    """The next report is due `every_days` after `since` (the last report, or the enrolment date)."""
    if every_days < 1:
        raise ValueError(f"a progress report interval must be at least one day, not {every_days}")
    return Deadline(
        DeadlineKind.PROGRESS_REPORT,
        since + dt.timedelta(days=every_days),
        referral_key,
        f"Progress report (every {every_days} days).",
    )


def program_end_deadline(enrolled_on: dt.date, duration_months: int, *, referral_key: str = "") -> Deadline:
    """The program's planned end: enrolment plus its duration (e.g. BR9 12 months, DC 24 months)."""
    if duration_months < 1:
        raise ValueError(f"a program's duration must be at least one month, not {duration_months}")
    return Deadline(
        DeadlineKind.PROGRAM_END,
        add_months(enrolled_on, duration_months),
        referral_key,
        f"Program end ({duration_months} months after enrolment).",
    )


def overdue(deadlines: Iterable[Deadline], today: dt.date) -> list[Alert]:
    """Unmet deadlines past their due date, most overdue first (then by referral key)."""
    found = [Alert(d, today) for d in deadlines if not d.is_met and today > d.due]
    return sorted(found, key=lambda a: (-a.days_overdue, a.deadline.referral_key, a.deadline.kind.value))


def due_soon(deadlines: Iterable[Deadline], today: dt.date, within_days: int = 3) -> list[Alert]:
    """Unmet deadlines due today or within the next `within_days` days (not yet overdue), soonest first."""
    if within_days < 0:
        raise ValueError(f"within_days must not be negative, not {within_days}")
    found = [Alert(d, today) for d in deadlines if not d.is_met and 0 <= (d.due - today).days <= within_days]
    return sorted(found, key=lambda a: (a.days_left, a.deadline.referral_key, a.deadline.kind.value))
