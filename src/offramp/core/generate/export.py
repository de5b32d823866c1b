"""A `CaseBatch` written back out as offramp-csv, the format `offramp import` and `offramp evaluate` read.

offramp-csv is one row per case with its primary charge (docs/formats.md), so the row carries what core's
`case_frame` would evaluate: the primary charge (the one marked primary, else the lowest seq) with its
quantity in grams (or its count of pills in `dosage_units`), the case's own offence and drug where the
charge has none, the person's demographics and the case's facts, stage and disposition. Other charges,
victims and imported program referrals have no column in the format and are not written; the charge's
own statute and title text are kept.

Every value is written as normalised (`sex` "unknown", not the source's own spelling), so importing the
file gives the same cases, and evaluating it gives the same findings and outcomes as evaluating the stored
cases (`tests/integration/test_export_cases.py`). The text is written as it is, not made inert for
spreadsheets (`core.csvsafe`): an apostrophe in front of a narrative would change the case on re-import.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from offramp.core.enums import QuantityUnit
from offramp.core.evaluation.frame import grams_expr, primary_charges
from offramp.core.generate import DISPOSITION_COLUMNS, write_cases_csv
from offramp.core.intake.batch import LATER_FACTS, CaseBatch
from offramp.core.intake.offramp_csv import REQUIRED_HEADER

#: the columns written: the required header, then the optional agency, stage, disposition and later facts
EXPORT_COLUMNS: tuple[str, ...] = (
    *REQUIRED_HEADER,
    "agency",
    *DISPOSITION_COLUMNS,
    *LATER_FACTS,
    "dosage_units",
)


def offramp_rows(batch: CaseBatch) -> pl.DataFrame:
    """One offramp-csv row per case of `batch` (EXPORT_COLUMNS, typed; see the module docstring)."""
    batch = batch.conformed()
    charges = primary_charges(batch.charges).select(
        "case_key",
        pl.col("statute_raw").alias("statute"),
        pl.col("title_raw").alias("charge_title"),
        pl.col("offense_kind").alias("charge_kind"),
        "severity",
        pl.col("drug").alias("charge_drug"),
        grams_expr(pl.col("quantity"), pl.col("quantity_unit")).alias("quantity_g"),
        pl.when(pl.col("quantity_unit") == QuantityUnit.DOSAGE_UNIT.value)
        .then(pl.col("quantity"))
        .cast(pl.Float64)
        .alias("dosage_units"),
    )
    persons = batch.persons.unique("person_key", keep="first").drop("sex_raw", "race_raw", "ethnicity_raw")
    rows = (
        batch.cases.join(charges, on="case_key", how="left", maintain_order="left")
        .join(persons, on="person_key", how="left", maintain_order="left")
        .with_columns(
            pl.col("case_key").alias("case_id"),
            pl.col("person_key").alias("person_id"),
            pl.col("charge_kind").fill_null(pl.col("primary_offense_kind")).alias("offense_kind"),
            pl.col("charge_drug").fill_null(pl.col("primary_drug")).alias("drug"),
        )
    )
    return rows.select(EXPORT_COLUMNS)


def write_offramp_csv(batch: CaseBatch, path: str | Path) -> int:
    """Write `batch` as an offramp-csv file at `path`; the number of cases written."""
    rows = offramp_rows(batch)
    write_cases_csv(rows, path)
    return rows.height
