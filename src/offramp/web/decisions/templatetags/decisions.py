"""`{% decision_panel case as panel %}`: the case page's decision panel context, computed where the panel is
included so cases/views.detail stays unaware of decisions (and its tests of it)."""

from __future__ import annotations

from typing import Any

from django import template

from offramp.core.decision import FindingTrace, RuleTrace
from offramp.web.decisions.models import Outcome
from offramp.web.decisions.views import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def decision_panel(context: template.Context, case: Any) -> dict[str, Any]:
    # the decide view passes a panel with the bound form and its errors; the case page computes a fresh one
    panel = context.get("decision_panel")
    if panel is not None:
        return panel

    request = context["request"]
    return panel_context(request.user, case, request=request)


@register.filter
def outcome_label(value: str) -> str:
    try:
        return str(Outcome(value).label)
    except ValueError:
        return value


@register.filter
def plain(value: Any) -> str:
    """A finding's or rule's structured value in words a reader can scan: "key: value; ..." and lists
    joined with commas (the full JSON stays in the stored trace)."""
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value) or "none"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return str(value)


@register.filter
def findings_rows(findings: list[FindingTrace]) -> list[tuple[str, Any]]:
    """(name, what holds and the facts that made it so) per finding of the trace; the description and
    reference stay in the stored trace."""
    return [(f.name.replace("_", " "), f.shown) for f in findings]


@register.filter
def rule_then(rule: RuleTrace) -> str:
    """What a matched rule leads to: its outcome (or "attached" to whatever outcome is chosen), program
    types and conditions."""
    parts = [outcome_label(rule.outcome) if rule.outcome else "attached to the chosen outcome"]
    for items, label in ((rule.program_types, "programs"), (rule.conditions, "conditions")):
        if items:
            parts.append(f"{label}: {plain(items)}")
    return "; ".join(parts)
