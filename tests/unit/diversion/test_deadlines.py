"""Deadlines: due on the day itself, overdue from the day after; due soon; the three kinds of deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from offramp.core.diversion.deadlines import (
    DEFAULT_INTAKE_DAYS,
    Alert,
    DeadlineKind,
    add_months,
    due_soon,
    intake_deadline,
    overdue,
    program_end_deadline,
    progress_report_deadline,
)
from offramp.core.diversion.lifecycle import COOK_COUNTY_PROGRAMS

REFERRED = dt.date(2026, 3, 2)


def test_intake_defaults_to_fourteen_days() -> None:
    deadline = intake_deadline(REFERRED, referral_key="R-1")
    assert DEFAULT_INTAKE_DAYS == 14
    assert deadline.kind is DeadlineKind.INTAKE
    assert deadline.due == dt.date(2026, 3, 16)
    assert deadline.referral_key == "R-1"


@pytest.mark.parametrize("days", [7, 14, 30])
def test_intake_days_are_set_by_policy(days: int) -> None:
    assert intake_deadline(REFERRED, days).due == REFERRED + dt.timedelta(days=days)


@pytest.mark.parametrize("days", [0, -1, 91])
def test_intake_days_out_of_range_are_refused(days: int) -> None:
    with pytest.raises(ValueError, match="intake days"):
        intake_deadline(REFERRED, days)


def test_exactly_at_the_deadline_is_not_overdue_the_day_after_is() -> None:
    deadline = intake_deadline(REFERRED)
    assert overdue([deadline], deadline.due) == []
    [alert] = overdue([deadline], deadline.due + dt.timedelta(days=1))
    assert alert.is_overdue and alert.days_overdue == 1
    assert "1 day overdue" in alert.message
    [alert] = overdue([deadline], deadline.due + dt.timedelta(days=10))
    assert alert.days_overdue == 10 and "10 days overdue" in alert.message


def test_a_met_deadline_never_alerts() -> None:
    deadline = replace(intake_deadline(REFERRED), met_on=dt.date(2026, 3, 20))
    assert overdue([deadline], dt.date(2026, 4, 30)) == []
    assert due_soon([deadline], dt.date(2026, 3, 15), 5) == []


def test_overdue_lists_the_most_overdue_first() -> None:
    a = intake_deadline(REFERRED, referral_key="A")
    b = intake_deadline(REFERRED - dt.timedelta(days=5), referral_key="B")
    c = intake_deadline(REFERRED + dt.timedelta(days=30), referral_key="C")
    today = dt.date(2026, 3, 20)
    assert [x.deadline.referral_key for x in overdue([a, b, c], today)] == ["B", "A"]


def test_due_soon() -> None:
    deadline = intake_deadline(REFERRED)  # due 16 March
    assert due_soon([deadline], dt.date(2026, 3, 12), within_days=3) == []
    [alert] = due_soon([deadline], dt.date(2026, 3, 13), within_days=3)
    assert alert.days_left == 3 and not alert.is_overdue and "in 3 days" in alert.message
    [alert] = due_soon([deadline], deadline.due, within_days=0)
    assert alert.days_left == 0 and "Due today" in alert.message
    assert due_soon([deadline], deadline.due + dt.timedelta(days=1), within_days=3) == []  # overdue instead
    with pytest.raises(ValueError):
        due_soon([deadline], deadline.due, within_days=-1)


def test_progress_report_every_n_days() -> None:
    deadline = progress_report_deadline(dt.date(2026, 4, 1), 30)
    assert deadline.kind is DeadlineKind.PROGRESS_REPORT
    assert deadline.due == dt.date(2026, 5, 1)
    with pytest.raises(ValueError):
        progress_report_deadline(dt.date(2026, 4, 1), 0)


def test_program_end_from_the_programs_duration() -> None:
    months = COOK_COUNTY_PROGRAMS["DC"].duration_months
    assert months == 24
    deadline = program_end_deadline(dt.date(2026, 4, 1), months)
    assert deadline.kind is DeadlineKind.PROGRAM_END
    assert deadline.due == dt.date(2028, 4, 1)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)
    with pytest.raises(ValueError):
        program_end_deadline(dt.date(2026, 4, 1), 0)


def test_an_alert_is_a_view_of_a_deadline_on_a_day() -> None:
    deadline = intake_deadline(REFERRED)
    alert = Alert(deadline, deadline.due - dt.timedelta(days=2))
    assert (alert.is_overdue, alert.days_overdue, alert.days_left) == (False, 0, 2)
