"""Decisions in the admin: read-only. A decision is corrected by a new decision from the case page, never by
an edit, so the admin offers no add, change or delete."""

from __future__ import annotations

from django.contrib import admin

from offramp.web.admin_base import ReadOnlyAdmin
from offramp.web.decisions.models import Decision, DecisionApproval


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "case",
        "policy_id",
        "policy_version",
        "recommended_outcome",
        "outcome",
        "decided_by",
    )
    list_filter = ("outcome", "accepted", "needs_supervisor", "policy_id")
    search_fields = ("case__case_key",)
    readonly_fields = [f.name for f in Decision._meta.fields]


@admin.register(DecisionApproval)
class DecisionApprovalAdmin(ReadOnlyAdmin):
    list_display = ("decision", "verdict", "by", "at")
    readonly_fields = [f.name for f in DecisionApproval._meta.fields]
