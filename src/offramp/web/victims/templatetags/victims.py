"""`{% victim_panel case as vp %}`: the case page's victim panel, computed where it is included so
cases/views.detail stays unaware of victims' consultations, letters and restitution."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def victim_panel(context: template.Context, case: Any) -> dict[str, Any]:
    from offramp.web.victims.views import panel_context

    return panel_context(context["request"].user, case)
