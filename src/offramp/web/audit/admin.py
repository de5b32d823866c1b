from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from offramp.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("when", "actor_name", "action", "object_type", "object_id", "outcome", "source")
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("actor_name", "object_id", "source", "path")
    date_hierarchy = "when"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
