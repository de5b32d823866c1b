"""The program directory in the admin: read-only. Records come from imports (`offramp programs import`)
and capacity from coordinators' updates on the program page; a hand edit in the admin would be lost at the
next import of a changed source record, so there are no add or change forms here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from offramp.web.programs.models import (
    CapacityUpdate,
    DirectoryImport,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "phone", "website", "imported_at")
    search_fields = ("name", "alternate_name")


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "moud_policy", "capacity", "vacancies", "capacity_updated")
    list_filter = ("moud_policy", "cost", "status")
    search_fields = ("name", "organization__name")
    list_select_related = ("organization",)


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ("name", "address_1", "city", "county", "state_province", "postal_code")
    list_filter = ("state_province", "county")
    search_fields = ("name", "address_1", "city", "postal_code")


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(ReadOnlyAdmin):
    list_display = ("id", "service", "location")
    list_select_related = ("service", "location")


@admin.register(CapacityUpdate)
class CapacityUpdateAdmin(ReadOnlyAdmin):
    list_display = ("service", "as_of", "capacity", "vacancies", "waitlist", "entered_by", "entered_at")
    list_select_related = ("service", "entered_by")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DirectoryImport)
class DirectoryImportAdmin(ReadOnlyAdmin):
    list_display = (
        "file_name",
        "source_format",
        "created",
        "updated",
        "unchanged",
        "actor_name",
        "imported_at",
    )
    list_filter = ("source_format",)
