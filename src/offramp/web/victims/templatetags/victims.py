"""`{% victim_panel case as vp %}`: the case page's victim panel, computed where it is included so
cases/views.detail stays unaware of victims' consultations, letters and restitution."""

from __future__ import annotations

from typing import Any

from django import template

from offramp.web.victims.views import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def victim_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return panel_context(context["request"].user, case)
