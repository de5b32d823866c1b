"""`{% decision_panel case as panel %}`: the case page's decision panel context, computed where the panel is
included so cases/views.detail stays unaware of decisions (and its tests of it)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def decision_panel(context: template.Context, case: Any) -> dict[str, Any]:
    # the decide view passes a panel with the bound form and its errors; the case page computes a fresh one
    panel = context.get("decision_panel")
    if panel is not None:
        return panel
    from offramp.web.decisions.views import panel_context

    request = context["request"]
    return panel_context(request.user, case, request=request)


@register.filter
def outcome_label(value: str) -> str:
    from offramp.web.decisions.models import Outcome

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
def findings_rows(findings: Any) -> list[tuple[str, Any]]:
    """(name, value) rows for a findings dict or a list of {"name"/"id": ...} findings."""
    if isinstance(findings, dict):
        return [(str(k).replace("_", " "), v) for k, v in findings.items()]
    if isinstance(findings, list):
        return [
            (str(f.get("name") or f.get("id") or "").replace("_", " "), _finding_value(f))
            if isinstance(f, dict)
            else ("", f)
            for f in findings
        ]
    return []


def _finding_value(finding: dict[str, Any]) -> Any:
    """The engine's finding {"name", "value", "present", "absent", "unknown", ...} as what holds and the
    facts that made it so (its description and reference stay in the trace)."""
    if "value" not in finding:
        return finding
    shown: dict[str, Any] = {"holds": finding["value"]}
    shown.update({key: finding[key] for key in ("present", "absent", "unknown") if finding.get(key)})
    return shown


@register.filter
def rule_then(rule: dict[str, Any]) -> str:
    """What a matched rule leads to: its outcome (or "attached" to whatever outcome is chosen), program
    types and conditions, from the engine's flat rule or a nested `then`."""
    then = rule.get("then") if isinstance(rule.get("then"), dict) else rule
    outcome = then.get("outcome")
    parts = [outcome_label(outcome) if outcome else "attached to the chosen outcome"]
    for key, label in (
        ("program_types", "programs"),
        ("conditions", "conditions"),
        ("responses", "responses"),
    ):
        if then.get(key):
            parts.append(f"{label}: {plain(then[key])}")
    return "; ".join(parts)
