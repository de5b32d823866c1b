"""Directory test data: a small hand-built DirectoryBatch (every field chosen by the test) and the packaged
Georgia listings stored the way the demo stores them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from offramp.core.directory.batch import DirectoryBatch, derived_id
from offramp.web.programs.store import store_directory

ORG_A = derived_id("test-org", "a")
ORG_B = derived_id("test-org", "b")
LOC_A = derived_id("test-loc", "a")
LOC_B = derived_id("test-loc", "b")
SVC_MOUD = derived_id("test-svc", "moud")
SVC_HOUSING = derived_id("test-svc", "housing")
SVC_NO_MOUD = derived_id("test-svc", "no-moud")


def service(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "status": "active",
        "service_types": None,
        "moud_policy": "unknown",
        "languages": None,
        "sources": ["test:batch:1"],
    }
    return {**base, **fields}


def small_batch(**overrides: Any) -> DirectoryBatch:
    """Two organizations, two places, three services: a MOUD clinic with vacancies in Fulton County
    (English and Spanish), recovery housing in DeKalb, and a residential program that forbids MOUD."""
    orgs = pl.DataFrame(
        [
            {
                "id": ORG_A,
                "name": "Peachtree Recovery",
                "phone": "404-555-0100",
                "website": "https://a.example",
            },
            {"id": ORG_B, "name": "DeKalb Housing Partners", "phone": None, "website": "javascript:alert(1)"},
        ]
    )
    locs = pl.DataFrame(
        [
            {
                "id": LOC_A,
                "organization_id": ORG_A,
                "name": "Main clinic",
                "address_1": "10 Peachtree St",
                "city": "Atlanta",
                "state_province": "GA",
                "postal_code": "30303",
                "county": "Fulton",
                "latitude": 33.75,
                "longitude": -84.39,
            },
            {
                "id": LOC_B,
                "organization_id": ORG_B,
                "name": None,
                "address_1": "5 Church St",
                "city": "Decatur",
                "state_province": "GA",
                "postal_code": "30030",
                "county": "DeKalb",
                "latitude": 33.77,
                "longitude": -84.30,
            },
        ]
    )
    services = pl.DataFrame(
        [
            service(
                id=SVC_MOUD,
                organization_id=ORG_A,
                name="Buprenorphine clinic",
                service_types=["moud_buprenorphine", "outpatient"],
                moud_policy="accepts",
                minimum_age=18,
                languages=["en", "es"],
                offense_kinds=["possession"],
                plea_stages=["pre_plea"],
                payments=["medicaid", "uninsured"],
                cost="sliding_scale",
                capacity=20,
                vacancies=3,
                waitlist=0,
                capacity_updated=dt.date(2026, 10, 1),
            ),
            service(
                id=SVC_HOUSING,
                organization_id=ORG_B,
                name="Recovery housing",
                service_types=["housing"],
                languages=["en"],
                residency_counties=["DeKalb"],
                capacity=8,
                vacancies=0,
                waitlist=5,
                capacity_updated=dt.date(2026, 10, 1),
            ),
            service(
                id=SVC_NO_MOUD,
                organization_id=ORG_A,
                name="Abstinence residential",
                service_types=["residential"],
                moud_policy="forbids",
                sex="male",
            ),
        ],
        infer_schema_length=None,
    )
    sals = pl.DataFrame(
        [
            {"id": derived_id("sal", SVC_MOUD, LOC_A), "service_id": SVC_MOUD, "location_id": LOC_A},
            {"id": derived_id("sal", SVC_HOUSING, LOC_B), "service_id": SVC_HOUSING, "location_id": LOC_B},
            {"id": derived_id("sal", SVC_NO_MOUD, LOC_A), "service_id": SVC_NO_MOUD, "location_id": LOC_A},
        ]
    )
    tables = {"organizations": orgs, "locations": locs, "services": services, "service_at_locations": sals}
    tables.update(overrides)
    return DirectoryBatch.of(**tables)


@pytest.fixture
def stored_small(db: None) -> DirectoryBatch:
    batch = small_batch()
    store_directory(batch, "small.json", fmt="hsds", actor_name="test")
    return batch


def many_services(n: int) -> DirectoryBatch:
    """`n` one-service organizations at one place each, for pagination."""
    orgs, locs, services, sals = [], [], [], []
    for i in range(n):
        org, loc, svc = (derived_id("many", kind, str(i)) for kind in ("org", "loc", "svc"))
        orgs.append({"id": org, "name": f"Program {i:03d}"})
        locs.append({"id": loc, "organization_id": org, "address_1": f"{i} Main St", "county": "Fulton"})
        services.append(
            {"id": svc, "organization_id": org, "name": f"Service {i:03d}", "service_types": ["outpatient"]}
        )
        sals.append({"id": derived_id("many", "sal", str(i)), "service_id": svc, "location_id": loc})
    return DirectoryBatch.of(
        pl.DataFrame(orgs), pl.DataFrame(services), pl.DataFrame(locs), pl.DataFrame(sals)
    )
