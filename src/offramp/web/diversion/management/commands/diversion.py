"""`offramp diversion sweep [--date YYYY-MM-DD]`: mark referrals whose intake deadline has passed.

Every referral still 'referred' the day after its intake deadline gets the step `miss_intake_deadline`
(intake overdue, or terminated where OFFRAMP_INTAKE_MISSED_TERMINATES is set), through the same
optimistically locked, audited transition as the coordinator's buttons, with the command as the actor.
Run it daily (cron or a systemd timer); the board computes the same alerts from the dates in the meantime.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from offramp.web.diversion.service import sweep


class Command(BaseCommand):
    help = "Diversion lifecycle jobs: `sweep` marks referrals whose intake deadline has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["sweep"])
        parser.add_argument("--date", help="the day to sweep as of (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from exc
        results = sweep(today)
        moved = sum(1 for _, ok, _ in results if ok)
        for referral, ok, what in results:
            line = f"referral {referral.pk} (case {referral.case.case_key}): {what}"
            self.stdout.write(line if ok else f"left alone: {line}")
        self.stdout.write(
            f"{moved} referral{'s' if moved != 1 else ''} marked; {len(results) - moved} left alone."
        )
