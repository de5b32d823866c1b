"""One directory from several sources: the same program listed twice becomes one record.

The SAMHSA files list a site once per list it is on (a clinic on the substance-use list and on the MOUD
list, once per medication), and an HSDS feed may list it again. Two locations are the same place when
their organization's name and their street address and ZIP code agree once case, spacing, punctuation
and the usual abbreviations ("Street"/"St", "Suite"/"Ste", "North"/"N") are ignored. Their organizations
become one, and at that place the services that come only from SAMHSA lists become one service offering
every type any list gave (a SAMHSA row is a listing, not a distinct service). HSDS services keep their
identity: two services an HSDS publisher tells apart stay apart.

Which record survives: the first in input order (batches in the order given, rows in file order), so
a directory already stored, passed first, keeps its ids when a new file is merged into it; merging a
batch with itself changes nothing. Fields are taken from the survivor, blanks filled from the others.
A merged service's MOUD policy is `forbids` if any source says so (refusing people on MOUD is the one
thing the matcher must never miss), else `accepts` if any source says so, else `unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from offramp.core.directory.batch import (
    LOCATION_SCHEMA,
    ORGANIZATION_SCHEMA,
    SERVICE_SCHEMA,
    DirectoryBatch,
    MoudPolicy,
    ServiceType,
)
from offramp.core.directory.samhsa import SOURCE_PREFIXES, service_name_expr

#: whole words replaced by their usual abbreviation before addresses and names are compared
ABBREVIATIONS: dict[str, str] = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "circle": "cir",
    "square": "sq",
    "terrace": "ter",
    "trail": "trl",
    "highway": "hwy",
    "parkway": "pkwy",
    "expressway": "expy",
    "freeway": "fwy",
    "plaza": "plz",
    "route": "rte",
    "suite": "ste",
    "building": "bldg",
    "floor": "fl",
    "apartment": "apt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "mount": "mt",
    "saint": "st",
    "center": "ctr",
    "centre": "ctr",
    "and": "&",
}

_TYPE_ORDER = {t.value: i for i, t in enumerate(ServiceType)}


def normalised(text: pl.Expr) -> pl.Expr:
    """Lower case, punctuation as spaces ('&' kept), single spaces, abbreviations applied word by word."""
    words = (
        text.str.to_lowercase()
        .str.replace_all(r"[^\w&]+", " ")
        .str.replace_all("&", " & ")
        .str.strip_chars()
        .str.split(by=" ")
        .list.eval(pl.element().filter(pl.element() != "").replace(ABBREVIATIONS))
    )
    return words.list.join(" ")


def place_key() -> pl.Expr:
    """The merge key of each location (`org_name` joined on): organization name + address_1 + 5-digit ZIP,
    normalised; a location without a street address or ZIP only matches itself (its id)."""
    zip5 = pl.col("postal_code").str.extract(r"(\d{5})", 1)
    usable = pl.col("address_1").is_not_null() & zip5.is_not_null() & pl.col("org_name").is_not_null()
    return (
        pl.when(usable)
        .then(
            pl.concat_str(
                [normalised(pl.col("org_name")), normalised(pl.col("address_1")), zip5], separator="\x1f"
            )
        )
        .otherwise(pl.concat_str([pl.lit("id\x1f"), pl.col("id")]))
        .alias("key")
    )


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="vertical").with_row_index("_order")


def _union_orgs(edges: list[tuple[str, str]], order: dict[str, int]) -> dict[str, str]:
    """org id -> surviving org id, over the (org, org) pairs whose locations merged. Only duplicates
    reach this loop, so it stays small; the survivor of each group is the org seen first."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            first, second = sorted((ra, rb), key=lambda n: order.get(n, len(order)))
            parent[second] = first
    return {node: find(node) for node in parent}


def _first_non_null(schema: dict[str, pl.DataType], skip: tuple[str, ...] = ()) -> list[pl.Expr]:
    return [pl.col(name).drop_nulls().first() for name in schema if name not in ("id", *skip)]


def merge(batches: Sequence[DirectoryBatch]) -> DirectoryBatch:
    """One batch from `batches`, duplicates merged (see module docstring). Deterministic: the same
    batches in the same order give identical ids, rows and order."""
    if not batches:
        return DirectoryBatch.empty()
    orgs = _concat([b.organizations for b in batches])
    locs = _concat([b.locations for b in batches])
    services = _concat([b.services for b in batches])
    sals = _concat([b.service_at_locations for b in batches])
    warnings = tuple(dict.fromkeys(w for b in batches for w in b.warnings))

    # 1. places: the first location of each key survives
    org_names = orgs.unique("id", keep="first", maintain_order=True).select(
        pl.col("id").alias("organization_id"), pl.col("name").alias("org_name")
    )
    keyed = locs.join(org_names, on="organization_id", how="left", maintain_order="left").sort("_order")
    keyed = keyed.with_columns(place_key()).with_columns(
        pl.col("id").first().over("key", order_by="_order").alias("survivor"),
        pl.col("organization_id").first().over("key", order_by="_order").alias("survivor_org"),
    )
    location_map = keyed.unique("id", keep="first", maintain_order=True).select("id", "survivor")

    # 2. organizations joined by a merged place become one
    edges = keyed.filter(pl.col("organization_id") != pl.col("survivor_org")).select(
        "organization_id", "survivor_org"
    )
    order = dict(orgs.unique("id", keep="first", maintain_order=True).select("id", "_order").iter_rows())
    org_map = _union_orgs([(a, b) for a, b in edges.iter_rows()], {k: int(v) for k, v in order.items()})
    remap_org = pl.col("organization_id").replace(org_map)

    merged_orgs = (
        orgs.with_columns(pl.col("id").replace(org_map))
        .group_by("id", maintain_order=True)
        .agg(_first_non_null(ORGANIZATION_SCHEMA))
    )
    merged_locs = (
        locs.join(location_map, on="id", how="left", maintain_order="left")
        .with_columns(pl.col("survivor").alias("id"), remap_org)
        .group_by("id", maintain_order=True)
        .agg(_first_non_null(LOCATION_SCHEMA))
    )

    # 3. SAMHSA-only services at one merged place become one service
    sals = sals.join(
        location_map.rename({"id": "location_id"}), on="location_id", how="left", maintain_order="left"
    ).with_columns(pl.col("survivor").alias("location_id"))
    from_samhsa = pl.col("sources").list.eval(
        pl.any_horizontal([pl.element().str.starts_with(p) for p in SOURCE_PREFIXES])
    )
    samhsa_services = services.filter(pl.col("sources").list.len() > 0, from_samhsa.list.all()).select(
        "id", "_order"
    )
    places = (
        sals.join(samhsa_services.rename({"id": "service_id"}), on="service_id", how="inner")
        .group_by("service_id")
        .agg(pl.col("location_id").unique(), pl.col("_order").min())
        .filter(pl.col("location_id").list.len() == 1)
        .with_columns(pl.col("location_id").list.first())
    )
    service_map = places.with_columns(
        pl.col("service_id").first().over("location_id", order_by="_order").alias("survivor")
    ).select("service_id", "survivor")
    merged_ids = service_map.filter(pl.col("service_id") != pl.col("survivor")).get_column("survivor")
    service_remap = dict(service_map.iter_rows())

    merged_services = (
        services.with_columns(pl.col("id").replace(service_remap), remap_org)
        .group_by("id", maintain_order=True)
        .agg(
            *_first_non_null(SERVICE_SCHEMA, skip=("service_types", "sources", "moud_policy")),
            pl.col("service_types")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .drop_nulls()
            .unique()
            .alias("types"),
            pl.col("service_types").is_not_null().any().alias("has_types"),
            pl.col("sources")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .drop_nulls()
            .unique(maintain_order=True)
            .alias("sources"),
            moud_policy_of(pl.col("moud_policy")).alias("moud_policy"),
        )
        .with_columns(
            pl.when("has_types")
            .then(
                pl.col("types").list.eval(
                    pl.element().sort_by(pl.element().replace_strict(_TYPE_ORDER, default=len(_TYPE_ORDER)))
                )
            )
            .alias("service_types")
        )
    )
    renamed = merged_services.join(
        merged_orgs.select(pl.col("id").alias("organization_id"), pl.col("name").alias("org_name")),
        on="organization_id",
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.when(pl.col("id").is_in(merged_ids.implode()))
        .then(service_name_expr(pl.col("org_name"), pl.col("service_types")))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    merged_sals = (
        sals.with_columns(pl.col("service_id").replace(service_remap))
        .unique(["service_id", "location_id"], keep="first", maintain_order=True)
        .unique("id", keep="first", maintain_order=True)
    )
    return DirectoryBatch.of(merged_orgs, renamed, merged_locs, merged_sals, warnings)


def moud_policy_of(policies: pl.Expr) -> pl.Expr:
    """forbids if any says so, else accepts if any, else unknown (null when no source says anything)."""
    return (
        pl.when((policies == MoudPolicy.FORBIDS.value).any())
        .then(pl.lit(MoudPolicy.FORBIDS.value))
        .when((policies == MoudPolicy.ACCEPTS.value).any())
        .then(pl.lit(MoudPolicy.ACCEPTS.value))
        .when(policies.is_not_null().any())
        .then(pl.lit(MoudPolicy.UNKNOWN.value))
    )
