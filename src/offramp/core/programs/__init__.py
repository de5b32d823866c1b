"""Programs: the directory of community treatment programs a diversion unit refers people to.

`listing` defines the normalised listing every source is read into; `samhsa` reads the public SAMHSA
treatment-locator files (OEPS data warehouse) into it; the web layer (`offramp.web.programs`) stores and
shows the result. Pure Python + Polars, no Django.
"""

from __future__ import annotations

from offramp.core.programs.listing import LISTING_SCHEMA, ListingKind, MoudCategory, listing_warnings
from offramp.core.programs.samhsa import (
    FORMATS,
    GEORGIA_FILES,
    GEORGIA_FOLDER,
    read_bundle,
    read_georgia_bundle,
    read_listing,
)

__all__ = [
    "FORMATS",
    "GEORGIA_FILES",
    "GEORGIA_FOLDER",
    "LISTING_SCHEMA",
    "ListingKind",
    "MoudCategory",
    "listing_warnings",
    "read_bundle",
    "read_georgia_bundle",
    "read_listing",
]
