"""Decisions in the admin: read-only. A decision is corrected by a new decision from the case page, never by
an edit, so the admin offers no add, change or delete."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin

from offramp.core.decision import TraceError, read_trace
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
    # the trace is shown through `redacted_trace`: the admin cannot ask decide_access, so a SUD screening
    # result the deciding prosecutor was allowed to use (42 CFR Part 2) is not shown again here
    readonly_fields = [f.name for f in Decision._meta.fields if f.name != "trace"] + ["redacted_trace"]
    exclude = ("trace",)

    @admin.display(description="trace (SUD screening results withheld)")
    def redacted_trace(self, obj: Decision) -> str:
        return json.dumps(redact_sud(obj.trace), indent=2, sort_keys=True, default=str)


#: what a stored trace says about a SUD screening: the evaluation fact and the notes built from it
SUD_WITHHELD = "withheld (42 CFR Part 2: shown only on the case page, to users a consent covers)"


def redact_sud(trace: Any) -> Any:
    """The stored trace without what a SUD screening contributed (core `DecisionTrace.without_sud`). A row
    stored without a trace shows as it is; one that cannot be read shows why, never its raw content (which
    might hold the screening result)."""
    if not trace:
        return trace
    try:
        return read_trace(trace).without_sud(SUD_WITHHELD).to_dict()
    except TraceError as exc:
        return {"unreadable trace": str(exc)}


@admin.register(DecisionApproval)
class DecisionApprovalAdmin(ReadOnlyAdmin):
    list_display = ("decision", "verdict", "by", "at")
    readonly_fields = [f.name for f in DecisionApproval._meta.fields]
