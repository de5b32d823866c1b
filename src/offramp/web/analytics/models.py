"""The analytics app stores nothing of its own: its pages read the de-identified analytics snapshot
(`offramp.web.analytics.snapshot`). `AnalyticsReports` exists only to hold the app's permissions (no table
is created)."""

from __future__ import annotations

from django.db import models


class AnalyticsReports(models.Model):
    """Holds the permissions only; never saved."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboards", "Can see the analytics dashboards (de-identified aggregates)"),
            ("view_disparity", "Can see the disparity (Relative Rate Index) tables"),
            ("view_definitions", "Can read the metric definition pages"),
            (
                "export_analytics",
                "Can download analytics tables, Justice Counts CSV and the transparency report",
            ),
            ("run_simulation", "Can run a what-if policy simulation over the office's stored cases"),
        ]

    def __str__(self) -> str:
        return "analytics dashboards, disparity, exports and simulation"
