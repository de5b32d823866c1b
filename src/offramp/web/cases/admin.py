"""Administration of cases for the office's administrators. Source facts are read-only here: they come
from imports (re-import a corrected file instead); only workflow fields may be edited, and every change
is on the audit trail (offramp.web.audit.signals)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from offramp.web.cases.models import (
    Case,
    Charge,
    DataQualityWarning,
    ImportBatch,
    Person,
    ProgramReferral,
    Victim,
)

EDITABLE_CASE_FIELDS = ("stage", "assigned_prosecutor")


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChargeInline(ReadOnlyInline):
    model = Charge


class VictimInline(ReadOnlyInline):
    model = Victim


class ReferralInline(ReadOnlyInline):
    model = ProgramReferral


class WarningInline(ReadOnlyInline):
    model = DataQualityWarning
    fk_name = "case"


class BatchWarningInline(ReadOnlyInline):
    model = DataQualityWarning
    fk_name = "import_batch"
    raw_id_fields = ("case",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("case_key", "received_date", "stage", "primary_offense_kind", "primary_drug", "agency")
    list_filter = ("stage", "primary_offense_kind", "primary_drug", "source_format")
    search_fields = ("=case_key", "=person__person_key")
    date_hierarchy = "received_date"
    list_select_related = ("person",)
    show_full_result_count = False  # a million-row COUNT(*) per page view helps nobody
    inlines = (ChargeInline, VictimInline, ReferralInline, WarningInline)
    raw_id_fields = ("person",)
    autocomplete_fields = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields if f.name not in EDITABLE_CASE_FIELDS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person_key", "birth_year", "sex", "race", "ethnicity", "zip")
    search_fields = ("=person_key",)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Person._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "started_at",
        "file_name",
        "source_format",
        "actor_name",
        "dry_run",
        "rows",
        "cases_new",
        "cases_changed",
        "cases_unchanged",
        "warnings",
    )
    list_filter = ("source_format", "dry_run")
    inlines = (BatchWarningInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
