from __future__ import annotations

from django.contrib import admin

from offramp.web.admin_base import ReadOnlyAdmin
from offramp.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("when", "actor_name", "action", "object_type", "object_id", "outcome", "source")
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("actor_name", "object_id", "source", "path")
    date_hierarchy = "when"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
