"""The program directory in the database: Open Referral HSDS 3.0's organization, service, location and
service_at_location, with Offramp's extensions on the service (core `offramp.core.directory.batch`).

Field names equal the columns of core's schemas (ORGANIZATION_SCHEMA, SERVICE_SCHEMA, ...), list columns
are JSONFields, and the ids are the records' own UUIDs, so `store.store_directory` writes a
`DirectoryBatch` field for field and `store.stored_batch` reads one back for export and matching.
Text fields are nullable on purpose: null means "the source has no value", exactly as in the frame.

Capacity has two writers: imports, and the coordinator's `CapacityUpdate`. The service's `capacity`,
`vacancies`, `waitlist` and `capacity_updated` are the current figures, from whichever was dated later
(a coordinator's update wins a tie); see `store` for the import side of that rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from offramp.core.directory.batch import Cost, MoudPolicy, Sex


class DirectoryRecord(models.Model):
    """What every stored directory record carries besides its HSDS fields."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    #: digest of the record as last stored (after merging): a re-import leaves an unchanged record alone
    row_hash = models.CharField(max_length=32, default="")
    #: digest of the record as its own source file last gave it, before merging: a file whose record did
    #: not change does not overwrite what other sources merged into it
    source_hash = models.CharField(max_length=32, default="")
    #: when an import last created or rewrote this record
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Organization(DirectoryRecord):
    name = models.CharField(max_length=500)
    alternate_name = models.CharField(max_length=500, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    email = models.CharField(max_length=300, null=True, blank=True)
    website = models.CharField(max_length=500, null=True, blank=True)
    phone = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def website_url(self) -> str | None:
        return safe_url(self.website)


class Location(DirectoryRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="locations", null=True, blank=True
    )
    name = models.CharField(max_length=500, null=True, blank=True)
    address_1 = models.CharField(max_length=500, null=True, blank=True)
    address_2 = models.CharField(max_length=500, null=True, blank=True)
    city = models.CharField(max_length=200, null=True, blank=True)
    state_province = models.CharField(max_length=100, null=True, blank=True)
    postal_code = models.CharField(max_length=10, null=True, blank=True)
    county = models.CharField(max_length=200, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["county"], name="location_county_idx")]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city, self.state_province) if p) or str(self.id)


class Service(DirectoryRecord):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=500)
    alternate_name = models.CharField(max_length=500, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    url = models.CharField(max_length=500, null=True, blank=True)
    email = models.CharField(max_length=300, null=True, blank=True)
    status = models.CharField(max_length=40, null=True, blank=True)
    fees_description = models.TextField(null=True, blank=True)
    eligibility_description = models.TextField(null=True, blank=True)
    schedule_description = models.TextField(null=True, blank=True)
    # --- Offramp extensions (core schema.SERVICE_SCHEMA) ---
    service_types = models.JSONField(null=True, blank=True)
    moud_policy = models.CharField(max_length=20, choices=MoudPolicy.choices(), null=True, blank=True)
    minimum_age = models.IntegerField(null=True, blank=True)
    maximum_age = models.IntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices(), null=True, blank=True)
    offense_kinds = models.JSONField(null=True, blank=True)
    plea_stages = models.JSONField(null=True, blank=True)
    residency_states = models.JSONField(null=True, blank=True)
    residency_counties = models.JSONField(null=True, blank=True)
    payments = models.JSONField(null=True, blank=True)
    languages = models.JSONField(null=True, blank=True)
    cost = models.CharField(max_length=20, choices=Cost.choices(), null=True, blank=True)
    capacity = models.IntegerField(null=True, blank=True)
    vacancies = models.IntegerField(null=True, blank=True)
    waitlist = models.IntegerField(null=True, blank=True)
    capacity_updated = models.DateField(null=True, blank=True)
    sources = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["moud_policy"], name="service_moud_idx")]
        permissions = [("export_directory", "Can download the program directory as HSDS 3.0")]

    def __str__(self) -> str:
        return self.name

    @property
    def url_link(self) -> str | None:
        return safe_url(self.url)


class ServiceAtLocation(DirectoryRecord):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="services_here")

    class Meta:
        ordering = ["service", "location"]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class CapacityUpdate(models.Model):
    """A coordinator's report of a service's capacity on a date: append-only history.

    Saving one also sets the service's current figures, in the same transaction, unless the service
    already holds figures dated later (from an import of newer data): the newest date wins, and on the same
    date the coordinator's figures win over an import's.
    """

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="capacity_updates")
    capacity = models.IntegerField(null=True, blank=True)
    vacancies = models.IntegerField(null=True, blank=True)
    waitlist = models.IntegerField(null=True, blank=True)
    as_of = models.DateField()
    note = models.TextField(blank=True, default="")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "-entered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service_id} as of {self.as_of}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("capacity updates are history: add a new one instead of editing")
        with transaction.atomic():
            super().save(*args, **kwargs)
            service = Service.objects.select_for_update().get(pk=self.service_id)
            current: dt.date | None = service.capacity_updated
            if current is None or self.as_of >= current:
                Service.objects.filter(pk=service.pk).update(
                    capacity=self.capacity,
                    vacancies=self.vacancies,
                    waitlist=self.waitlist,
                    capacity_updated=self.as_of,
                )

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("capacity updates are history and are never deleted")


class DirectoryImport(models.Model):
    """One import of directory records (or one load of the packaged Georgia files): what, how, by whom,
    and what it did."""

    file_name = models.CharField(max_length=500)
    source_format = models.CharField(max_length=40)
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    #: per table: {"services": {"created": n, "updated": n, "unchanged": n}, ...}
    detail = models.JSONField(default=dict, blank=True)
    warnings = models.IntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source_format}) {self.imported_at:%Y-%m-%d %H:%M}"


def safe_url(value: str | None) -> str | None:
    """A link target only for http(s) addresses (never a `javascript:` link from a source file)."""
    site = (value or "").strip()
    return site if site.lower().startswith(("http://", "https://")) else None
