"""The relief app stores nothing of its own: its reports are read from cases, imported program referrals and
diversion referrals. `ReliefReports` exists only to hold the app's permissions (no table is created)."""

from __future__ import annotations

from django.db import models


class ReliefReports(models.Model):
    """Holds the permissions only; never saved."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "view_candidates",
                "Can see the record-relief candidate list (past convictions today's policy would not bring)",
            ),
            ("view_followup", "Can see follow-up (new cases within 1, 3 and 5 years of leaving a program)"),
        ]

    def __str__(self) -> str:
        return "record relief and follow-up reports"
