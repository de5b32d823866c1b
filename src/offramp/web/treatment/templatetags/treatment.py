"""`{% sud_panel case as sud %}`, `{% needs_panel case as needs %}` and `{% reports_panel case as tr %}`: the
case page's screening, consent, needs and treatment report panels, computed where they are included so
cases/views.detail stays unaware of treatment information."""

from __future__ import annotations

from typing import Any

from django import template

from offramp.web.treatment.views import needs_context, panel_context, reports_context

register = template.Library()


@register.simple_tag(takes_context=True)
def sud_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return panel_context(context["request"].user, case)


@register.simple_tag(takes_context=True)
def needs_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return needs_context(context["request"].user, case)


@register.simple_tag(takes_context=True)
def reports_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return reports_context(context["request"].user, case)
