"""Merging directory batches across sources (offramp.core.directory.merge)."""

from __future__ import annotations

import polars as pl
import pytest

from offramp.core.directory.batch import DirectoryBatch
from offramp.core.directory.merge import merge
from offramp.core.directory.samhsa import read_samhsa
from offramp.core.directory.samhsa_locator import GEORGIA_FOLDER

GEORGIA = GEORGIA_FOLDER  # the copy shipped in the package
FILES = {
    "samhsa-sut": "substance_use_treatment_ga.csv",
    "samhsa-moud": "moud_sites_ga.csv",
    "samhsa-otp": "opioid_treatment_programs_ga.csv",
    "samhsa-mh": "mental_health_ga.csv",
}
TABLES = ("organizations", "services", "locations", "service_at_locations")


@pytest.fixture(scope="module")
def georgia() -> list[DirectoryBatch]:
    return [read_samhsa(GEORGIA / name, fmt) for fmt, name in FILES.items()]


def same(a: DirectoryBatch, b: DirectoryBatch) -> bool:
    return all(getattr(a, t).equals(getattr(b, t)) for t in TABLES)


def lists_of(services: pl.DataFrame) -> pl.Series:
    return services.get_column("sources").list.eval(pl.element().str.extract(r"^([^:]+)")).list.unique()


def test_listings_on_several_lists_merge(georgia: list[DirectoryBatch]) -> None:
    merged = merge(georgia)
    total = sum(b.services.height for b in georgia)
    assert merged.services.height < total
    assert set(merged.counts.values()) == {merged.services.height}
    lists = lists_of(merged.services)
    both = merged.services.filter(lists.list.contains("samhsa-sut") & lists.list.contains("samhsa-moud"))
    assert both.height > 20
    types = both.get_column("service_types")
    assert types.list.contains("sud_treatment").all()
    assert types.list.eval(pl.element().str.starts_with("moud_")).list.any().all()
    assert (both.get_column("moud_policy") == "accepts").all()
    # every service id, org id and location id of the result is one of the inputs' (the first survives)
    assert (
        merged.services.get_column("id").is_in(pl.concat([b.services for b in georgia])["id"].implode()).all()
    )


def test_merge_is_idempotent_and_deterministic(georgia: list[DirectoryBatch]) -> None:
    merged = merge(georgia)
    assert same(merge(georgia), merged)
    assert same(merge([merged]), merged)
    assert same(merge([merged, merged]), merged)
    assert same(merge([*georgia, *georgia]), merged)


def place(name: str, address: str, postal: str, source: str, policy: str, n: int) -> DirectoryBatch:
    ids = {t: f"00000000-0000-0000-0000-{t}{n:011d}" for t in "1234"}
    return DirectoryBatch.of(
        pl.DataFrame({"id": [ids["1"]], "name": [name]}),
        pl.DataFrame(
            {
                "id": [ids["2"]],
                "organization_id": [ids["1"]],
                "name": [f"{name} service"],
                "service_types": [["sud_treatment"] if n % 2 else ["moud_buprenorphine"]],
                "moud_policy": [policy],
                "sources": [[f"{source}:f.csv:{n}"]],
            }
        ),
        pl.DataFrame(
            {"id": [ids["3"]], "organization_id": [ids["1"]], "address_1": [address], "postal_code": [postal]}
        ),
        pl.DataFrame({"id": [ids["4"]], "service_id": [ids["2"]], "location_id": [ids["3"]]}),
    )


def test_names_and_addresses_compare_without_case_punctuation_or_abbreviations() -> None:
    a = place(
        "Hope Recovery Center, Inc.", "123 North Main Street, Suite 4", "30301", "samhsa-sut", "unknown", 1
    )
    b = place("HOPE RECOVERY CTR INC", "123 N. Main St Ste 4", "30301-1234", "samhsa-moud", "accepts", 2)
    c = place("Hope Recovery Center Inc", "123 N Main St Ste 4", "30302", "samhsa-mh", "unknown", 3)
    merged = merge([a, b, c])
    assert merged.locations.height == 2  # c is at another ZIP code
    first = merged.services.row(0, named=True)
    assert first["id"] == a.services["id"][0]
    assert first["service_types"] == ["moud_buprenorphine", "sud_treatment"]
    assert first["moud_policy"] == "accepts"
    assert first["sources"] == ["samhsa-sut:f.csv:1", "samhsa-moud:f.csv:2"]


def test_forbids_wins_over_accepts() -> None:
    a = place("Sober House", "1 Elm Road", "30301", "samhsa-sut", "accepts", 1)
    b = place("Sober House", "1 Elm Rd", "30301", "samhsa-mh", "forbids", 2)
    assert merge([a, b]).services.get_column("moud_policy").to_list() == ["forbids"]
    assert merge([b, a]).services.get_column("moud_policy").to_list() == ["forbids"]


def test_hsds_services_at_one_place_stay_apart() -> None:
    a = place("Sober House", "1 Elm Road", "30301", "hsds", "accepts", 1)
    b = place("Sober House", "1 Elm Rd", "30301", "hsds", "unknown", 2)
    merged = merge([a, b])
    assert merged.counts == {"organizations": 1, "services": 2, "locations": 1, "service_at_locations": 2}
    assert merged.services.get_column("organization_id").unique().to_list() == [a.organizations["id"][0]]
