"""`{% match_panel case as match %}` (the case page's matched programs, computed where the panel is
included so cases/views.detail stays unaware of the directory) and `codes` (a list of stored codes in
words)."""

from __future__ import annotations

from typing import Any

from django import template

from offramp.web.programs.match import match_context

register = template.Library()


@register.simple_tag(takes_context=True)
def match_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return match_context(context["request"].user, case, request=context["request"])


@register.filter
def codes(values: Any) -> str:
    """["moud_methadone", "outpatient"] -> "moud methadone, outpatient"; None -> "not stated"."""
    if values is None:
        return "not stated"
    return ", ".join(str(v).replace("_", " ") for v in values) or "none"
