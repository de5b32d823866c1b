"""The program directory in the admin: read-mostly. Listings come from imports (`offramp load_programs`);
a hand edit would be lost the next time the source row changes, so fields are read-only and there is no
add form. Deleting stays possible for whoever holds programs.delete_programlisting (no role does)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from offramp.web.programs.models import ProgramListing


@admin.register(ProgramListing)
class ProgramListingAdmin(admin.ModelAdmin):
    list_display = ("name", "name2", "kind", "category", "city", "county", "zip", "imported_at")
    list_filter = ("kind", "county", "category", "state")
    search_fields = ("name", "name2", "street1", "city", "zip", "listing_key")
    readonly_fields = [f.name for f in ProgramListing._meta.fields]
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
