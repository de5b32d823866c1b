"""Storing a DirectoryBatch: field for field, idempotent, all or nothing, and the capacity rule (a
coordinator's update is never overwritten by an older or same-day import)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.contrib.auth.models import User
from polars.testing import assert_frame_equal
from tests.integration.helpers import snapshot
from tests.integration.programs.batches import ORG_A, SVC_HOUSING, SVC_MOUD, small_batch

from offramp.core.directory.batch import DirectoryBatch
from offramp.web.programs.models import (
    CapacityUpdate,
    DirectoryImport,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)
from offramp.web.programs.store import DirectoryStoreError, store_directory, stored_batch

pytestmark = pytest.mark.django_db

TABLES = (
    "programs_organization",
    "programs_location",
    "programs_service",
    "programs_serviceatlocation",
    "programs_capacityupdate",
)


def sorted_batch(batch: DirectoryBatch) -> dict[str, pl.DataFrame]:
    return {
        name: getattr(batch, name).sort("id")
        for name in ("organizations", "locations", "services", "service_at_locations")
    }


def test_it_stores_every_field_and_reads_the_same_batch_back() -> None:
    batch = small_batch()
    counts = store_directory(batch, "small.json", fmt="hsds", actor_name="test")
    assert (counts.created, counts.updated, counts.unchanged) == (10, 0, 0)
    assert counts.tables["services"] == {"created": 3, "updated": 0, "unchanged": 0}
    back = stored_batch()
    for name, frame in sorted_batch(batch).items():
        assert_frame_equal(sorted_batch(back)[name], frame, check_row_order=True)
    clinic = Service.objects.get(pk=SVC_MOUD)
    assert clinic.organization_id.hex == ORG_A.replace("-", "")
    assert (clinic.service_types, clinic.languages, clinic.residency_counties) == (
        ["moud_buprenorphine", "outpatient"],
        ["en", "es"],
        None,
    )
    assert (clinic.capacity_updated, clinic.vacancies) == (dt.date(2026, 10, 1), 3)
    record = DirectoryImport.objects.get()
    assert (record.file_name, record.source_format, record.created, record.actor_name) == (
        "small.json",
        "hsds",
        10,
        "test",
    )


def test_a_second_import_of_the_same_batch_changes_nothing() -> None:
    store_directory(small_batch(), "small.json")
    before = snapshot(TABLES)
    counts = store_directory(small_batch(), "small.json")
    assert counts.summary() == "10 records: 0 created, 0 changed, 10 unchanged"
    assert snapshot(TABLES) == before
    assert DirectoryImport.objects.count() == 2


def test_a_corrected_record_is_updated_in_place() -> None:
    store_directory(small_batch(), "small.json")
    orgs = small_batch().organizations.with_columns(
        pl.when(pl.col("id") == ORG_A).then(pl.lit("404-555-0199")).otherwise(pl.col("phone")).alias("phone")
    )
    counts = store_directory(small_batch(organizations=orgs), "small.json")
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 9)
    assert Organization.objects.get(pk=ORG_A).phone == "404-555-0199"
    assert Organization.objects.count() == 2


def test_a_batch_with_a_bad_id_stores_nothing() -> None:
    store_directory(small_batch(), "small.json")
    before = snapshot(TABLES)
    locs = small_batch().locations.with_columns(pl.lit("not-a-uuid").alias("id")).head(1)
    with pytest.raises(DirectoryStoreError, match="locations: id 'notauuid' is not a UUID"):
        store_directory(small_batch(locations=locs), "bad.json")
    assert snapshot(TABLES) == before
    assert DirectoryImport.objects.count() == 1


def test_a_batch_whose_service_points_at_a_missing_organization_stores_nothing() -> None:
    services = small_batch().services.with_columns(
        pl.lit("00000000-0000-4000-8000-000000000000").alias("organization_id")
    )
    with pytest.raises(
        DirectoryStoreError, match="services: organization_id '0000000000004000800000000000000"
    ):
        store_directory(small_batch(services=services), "broken.json")
    assert [Organization.objects.count(), Service.objects.count(), Location.objects.count()] == [0, 0, 0]
    assert ServiceAtLocation.objects.count() == 0
    assert DirectoryImport.objects.count() == 0


def coordinator_update(as_of: dt.date, vacancies: int) -> CapacityUpdate:
    carol, _ = User.objects.get_or_create(username="carol-store")
    update = CapacityUpdate(
        service=Service.objects.get(pk=SVC_MOUD),
        capacity=20,
        vacancies=vacancies,
        waitlist=2,
        as_of=as_of,
        entered_by=carol,
    )
    update.save()
    return update


def with_figures(vacancies: int, as_of: dt.date | None) -> DirectoryBatch:
    services = small_batch().services.with_columns(
        pl.when(pl.col("id") == SVC_MOUD)
        .then(pl.lit(vacancies))
        .otherwise(pl.col("vacancies"))
        .alias("vacancies"),
        pl.when(pl.col("id") == SVC_MOUD)
        .then(pl.lit(as_of, pl.Date))
        .otherwise(pl.col("capacity_updated"))
        .alias("capacity_updated"),
    )
    return small_batch(services=services)


def test_a_coordinator_update_sets_the_current_figures() -> None:
    store_directory(small_batch(), "small.json")
    coordinator_update(dt.date(2026, 11, 1), vacancies=1)
    clinic = Service.objects.get(pk=SVC_MOUD)
    assert (clinic.vacancies, clinic.waitlist, clinic.capacity_updated) == (1, 2, dt.date(2026, 11, 1))
    # an update dated before the stored figures is history only
    coordinator_update(dt.date(2026, 9, 1), vacancies=9)
    assert Service.objects.get(pk=SVC_MOUD).vacancies == 1
    assert CapacityUpdate.objects.count() == 2


def test_an_import_does_not_overwrite_a_newer_or_same_day_coordinator_update() -> None:
    store_directory(small_batch(), "small.json")
    coordinator_update(dt.date(2026, 11, 1), vacancies=1)
    # the same file again: unchanged, and the coordinator's figures stay
    again = store_directory(small_batch(), "small.json")
    assert (again.created, again.updated) == (0, 0)
    # a file with other figures of the same day, or undated: still the coordinator's
    for as_of in (dt.date(2026, 11, 1), None):
        counts = store_directory(with_figures(7, as_of), "same-day.json")
        assert counts.updated == 0, as_of
        assert Service.objects.get(pk=SVC_MOUD).vacancies == 1
    # newer figures from a file win, and the history is untouched
    newer = store_directory(with_figures(6, dt.date(2026, 11, 20)), "newer.json")
    assert newer.tables["services"] == {"created": 0, "updated": 1, "unchanged": 2}
    clinic = Service.objects.get(pk=SVC_MOUD)
    assert (clinic.vacancies, clinic.capacity_updated) == (6, dt.date(2026, 11, 20))
    assert CapacityUpdate.objects.count() == 1
    assert Service.objects.get(pk=SVC_HOUSING).vacancies == 0


def test_capacity_history_cannot_be_edited_or_deleted() -> None:
    store_directory(small_batch(), "small.json")
    update = coordinator_update(dt.date(2026, 11, 1), vacancies=1)
    update.note = "changed"
    with pytest.raises(ValueError, match="history"):
        update.save()
    with pytest.raises(ValueError, match="never deleted"):
        update.delete()
