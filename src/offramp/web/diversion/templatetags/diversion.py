"""`{% diversion_panel case as div %}`: the case page's diversion panel, computed where it is included so
cases/views.detail stays unaware of referrals."""

from __future__ import annotations

from typing import Any

from django import template

from offramp.web.diversion.views import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def diversion_panel(context: template.Context, case: Any) -> dict[str, Any]:
    return panel_context(context["request"].user, case)


@register.filter
def label(value: Any) -> str:
    """An enum value as words: 'intake_overdue' -> 'intake overdue'."""
    return str(value or "").replace("_", " ")
