"""Offline ZIP centroids and great-circle distance, for ranking programs by how far the person must travel.

The centroids come from the `zipcodes` package, whose data ships in its wheel: a prosecutor's office
need not send a defendant's ZIP to a web geocoder, and matching works without a network. A ZIP
centroid is a rough place (a rural ZIP spans miles), so distances are shown to a tenth of a mile and
read as "about". Pure Python + Polars.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl
import zipcodes

#: mean radius of the Earth in miles (the haversine's sphere; error under 0.5% against the ellipsoid)
EARTH_RADIUS_MILES = 3958.8

ZIP_SCHEMA: dict[str, pl.DataType] = {
    "zip": pl.String(),
    "zip_latitude": pl.Float64(),
    "zip_longitude": pl.Float64(),
    "zip_state": pl.String(),
    "zip_county": pl.String(),
}


@lru_cache(maxsize=1)
def zip_frame() -> pl.DataFrame:
    """Every U.S. ZIP with its centroid, state and county: built once (~0.5 s), then cached, so a join
    places 15,000 programs in milliseconds."""
    rows: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]  # untyped wrapper
    frame = pl.DataFrame(
        {
            "zip": [r["zip_code"] for r in rows],
            "zip_latitude": [r["lat"] or None for r in rows],
            "zip_longitude": [r["long"] or None for r in rows],
            "zip_state": [r["state"] or None for r in rows],
            "zip_county": [r["county"] or None for r in rows],
        }
    )
    return frame.with_columns(pl.col("zip_latitude", "zip_longitude").cast(pl.Float64)).unique(
        "zip", keep="first", maintain_order=True
    )


def _zip5(zip_code: str | None) -> str | None:
    """The five-digit ZIP in `zip_code` ("30030", "30030-1234", " 3003 " padded), else None."""
    if zip_code is None:
        return None
    digits = zip_code.strip().split("-")[0]
    if not digits.isdigit() or len(digits) > 5:
        return None
    return digits.zfill(5)


@lru_cache(maxsize=4096)
def _zip_row(zip5: str) -> tuple[float | None, float | None, str | None, str | None] | None:
    rows = zip_frame().filter(pl.col("zip") == zip5).rows()
    return rows[0][1:] if rows else None


def zip_centroid(zip_code: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a ZIP's centroid, or None for an unknown or malformed ZIP."""
    zip5 = _zip5(zip_code)
    row = _zip_row(zip5) if zip5 else None
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]


def zip_place(zip_code: str | None) -> tuple[str | None, str | None]:
    """(state, county) a ZIP lies in, e.g. ("GA", "DeKalb County"); (None, None) if unknown. A person's
    residence for a program's residency rule when the case gives only a ZIP."""
    zip5 = _zip5(zip_code)
    row = _zip_row(zip5) if zip5 else None
    return (row[2], row[3]) if row else (None, None)


def distance_miles(lat: float, lon: float, lat_col: str | pl.Expr, lon_col: str | pl.Expr) -> pl.Expr:
    """Great-circle (haversine) miles from one point to each row's (lat_col, lon_col); null where the
    row has no coordinates. Vectorised: one expression over the whole column."""
    lat2 = (pl.col(lat_col) if isinstance(lat_col, str) else lat_col).radians()
    lon2 = (pl.col(lon_col) if isinstance(lon_col, str) else lon_col).radians()
    lat1, lon1 = math.radians(lat), math.radians(lon)
    a = ((lat2 - lat1) / 2).sin().pow(2) + math.cos(lat1) * lat2.cos() * ((lon2 - lon1) / 2).sin().pow(2)
    return 2 * EARTH_RADIUS_MILES * a.sqrt().clip(upper_bound=1.0).arcsin()


@lru_cache(maxsize=1)
def _dense_centroids() -> tuple[pl.Series, pl.Series]:
    """Latitude and longitude indexed by the ZIP as a number (100,000 entries, null where no ZIP): a
    gather places 15,000 programs in about a millisecond, four times faster than a join."""
    frame = zip_frame().filter(pl.col("zip").str.contains(r"^\d{5}$"))
    index = frame["zip"].cast(pl.Int64).to_numpy()
    columns = []
    for name in ("zip_latitude", "zip_longitude"):
        dense = np.full(100_000, np.nan)
        dense[index] = frame[name].fill_null(np.nan).to_numpy()
        columns.append(pl.Series(name, dense).fill_nan(None))
    return columns[0], columns[1]


def coordinates(
    latitude: str = "latitude", longitude: str = "longitude", postal_code: str = "postal_code"
) -> tuple[pl.Expr, pl.Expr]:
    """(latitude, longitude) expressions: the location's own coordinates, else the centroid of its
    postal code (most SAMHSA rows have coordinates; HSDS rows often do not)."""
    lat_table, lon_table = _dense_centroids()
    zip_number = pl.col(postal_code).str.strip_chars().str.slice(0, 5).str.to_integer(strict=False)
    zip_number = pl.when(zip_number.is_between(0, 99_999)).then(zip_number)
    return (
        pl.coalesce(pl.col(latitude), pl.lit(lat_table).gather(zip_number)),
        pl.coalesce(pl.col(longitude), pl.lit(lon_table).gather(zip_number)),
    )
