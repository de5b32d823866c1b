"""The evaluation frame: one row per case, holding every fact the criteria and policy rules read.

The engine never reads `CaseBatch` tables directly: it reads this flat frame, so that the CLI (from a
parsed file), the web layer (from the database) and the legal-style test cases (from YAML facts) all feed
it the same columns. `EVAL_COLUMNS` is that contract; `conform_eval` casts any frame to it, filling a
missing fact with null, which every criterion reads as "unknown" (counted as absent, listed as unknown).
"""

from __future__ import annotations

import polars as pl

from offramp.core.enums import GRAMS_PER_UNIT, Harm, QuantityUnit
from offramp.core.intake.batch import CASE_FACTS as RECORD_FACTS
from offramp.core.intake.batch import CASE_SCHEMA, CaseBatch

#: case facts copied from CASE_SCHEMA as they are
CASE_FACTS: tuple[str, ...] = ("agency", *RECORD_FACTS)

#: every column the engine reads (name -> dtype); the web layer builds the same frame from its models
EVAL_COLUMNS: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "received_date": pl.Date(),
    **{name: CASE_SCHEMA[name] for name in CASE_FACTS},
    # the primary charge
    "offense_kind": pl.String(),
    "severity": pl.String(),
    "drug": pl.String(),
    "quantity_g": pl.Float64(),
    # the primary charge's quantity when it is a count of pills or other dosage units (quantity_g is null then)
    "dosage_units": pl.Float64(),
    # the person
    "age_at_received": pl.Int32(),
    # from the case's victims (VICTIM_SCHEMA `harm`): true when a victim's harm is serious bodily injury or
    # death, false when the case has victims and none had such harm, null when it has none on file or every
    # harm is unrecorded (O.C.G.A. 16-13-31(g)(2)(C); Holder memo 2013; docs/SOURCES.md#public-safety)
    "death_or_serious_injury": pl.Boolean(),
    # need tags from the person's needs assessment (screening.needs); null when none was done
    "needs_assessed": pl.List(pl.String()),
    # the latest SUD screening, where 42 CFR Part 2 consent lets the deciding user's evaluation use it:
    # one of SUD_SCREEN_USED, "withheld" (on file, consent does not allow its use), null (none on file).
    "sud_screen": pl.String(),
}

#: `sud_screen` values that come from a screening used under consent (docs/SOURCES.md#taps):
#: "positive" - a drug SUD screen at the instrument's published cut-off (a TAPS-2 drug module: higher risk);
#: "negative" - below the cut-off for drugs (incl. TAPS-1 with no use, TAPS-2 drug problem use);
#: "taps2_needed" - TAPS-1 reported use and no TAPS-2 is on file yet (a pre-screen, not a positive screen);
#: "alcohol_or_tobacco" - TAPS-2 higher risk for alcohol or tobacco only: a treatment need, not drug evidence
SUD_SCREEN_USED = ("positive", "negative", "taps2_needed", "alcohol_or_tobacco")
SUD_SCREEN_VALUES = (*SUD_SCREEN_USED, "withheld")


def conform_eval(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with exactly EVAL_COLUMNS, in order and cast; a missing column becomes null (unknown)."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in EVAL_COLUMNS.items()
        ]
    )


def grams_expr(quantity: pl.Expr, unit: pl.Expr) -> pl.Expr:
    """Quantity in grams; null when the unit is not a weight (dosage units, millilitres) or unknown."""
    factor = unit.replace_strict(
        {u.value: f for u, f in GRAMS_PER_UNIT.items()}, default=None, return_dtype=pl.Float64
    )
    return quantity * factor


def case_frame(
    batch: CaseBatch,
    *,
    needs: pl.DataFrame | None = None,
    sud_screens: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One evaluation row per case of `batch`: the case facts, its primary charge (the charge marked
    primary, else the lowest `seq`; its offence and drug fall back to the case's own when it has none;
    its quantity in grams, or as `dosage_units` when it is a count of pills or other dosage units)
    and the person's age in the year the case was received, and `death_or_serious_injury` from its victims.

    This is the only place those rules live: intake files, the database (`web.cases.batch.batch_for`) and
    the case page all come through here. Facts a batch does not carry are joined by `case_key`:
    `needs` (`case_key`, `needs_assessed`: the latest needs assessment's tags) and `sud_screens`
    (`case_key`, `sud_screen`: one of SUD_SCREEN_VALUES, as 42 CFR Part 2 consent lets the deciding user
    see it). A case missing from either has the fact unknown (null). ValueError names a value outside
    SUD_SCREEN_VALUES. The rows come in the order of `batch.cases`."""
    charges = primary_charges(batch.charges).select(
        "case_key",
        "offense_kind",
        "severity",
        "drug",
        grams_expr(pl.col("quantity"), pl.col("quantity_unit")).alias("quantity_g"),
        pl.when(pl.col("quantity_unit") == QuantityUnit.DOSAGE_UNIT.value)
        .then(pl.col("quantity"))
        .cast(pl.Float64)
        .alias("dosage_units"),
    )
    persons = batch.persons.select("person_key", "birth_year").unique("person_key", keep="first")
    joined = (
        batch.cases.join(charges, on="case_key", how="left", maintain_order="left")
        .join(persons, on="person_key", how="left", maintain_order="left")
        .with_columns(
            (pl.col("received_date").dt.year() - pl.col("birth_year"))
            .cast(pl.Int32)
            .alias("age_at_received"),
            pl.col("offense_kind").fill_null(pl.col("primary_offense_kind")),
            pl.col("drug").fill_null(pl.col("primary_drug")),
        )
        .join(victim_harm(batch.victims), on="case_key", how="left", maintain_order="left")
        .with_columns(  # no victim at all: nobody was killed or seriously hurt
            pl.when(pl.col("death_or_serious_injury").is_null() & (pl.col("victim_count") == 0))
            .then(False)
            .otherwise(pl.col("death_or_serious_injury"))
            .alias("death_or_serious_injury")
        )
    )
    for extra, column in ((needs, "needs_assessed"), (sud_screens, "sud_screen")):
        if extra is not None:
            joined = joined.join(_extra(extra, column), on="case_key", how="left", maintain_order="left")
    return conform_eval(joined)


#: victims' harms that count as death or serious bodily injury (core.enums.Harm)
GRAVE_HARMS = (Harm.SERIOUS_INJURY.value, Harm.DEATH.value)


def victim_harm(victims: pl.DataFrame) -> pl.DataFrame:
    """One row per case with victims: `death_or_serious_injury`, true when any victim's harm is serious
    bodily injury or death; false when some harm is recorded and none is; null when every harm is unknown.
    (`case_frame` makes a case with no victims at all, `victim_count` 0, false.)"""
    harm = pl.col("harm")
    recorded = harm.is_not_null() & (harm != Harm.UNKNOWN.value)
    return victims.group_by("case_key", maintain_order=True).agg(
        pl.when(harm.is_in(GRAVE_HARMS).any())
        .then(True)
        .when(recorded.any())
        .then(False)
        .otherwise(None)
        .alias("death_or_serious_injury")
    )


def primary_charges(charges: pl.DataFrame) -> pl.DataFrame:
    """One row per case: its primary charge (the charge marked primary, else the lowest `seq`)."""
    return charges.sort(
        ["case_key", pl.col("is_primary").fill_null(False), "seq"], descending=[False, True, False]
    ).unique("case_key", keep="first", maintain_order=True)


def _extra(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`case_key` and `column` of `frame`, one row per case, cast to the evaluation dtype."""
    missing = sorted({"case_key", column} - set(frame.columns))
    if missing:
        raise ValueError(f"the {column} frame needs the column(s) {', '.join(missing)}")
    out = frame.select(pl.col("case_key").cast(pl.String), pl.col(column).cast(EVAL_COLUMNS[column]))
    if column == "sud_screen":
        bad = out.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(SUD_SCREEN_VALUES))
        if bad.height:
            raise ValueError(
                f"sud_screen {bad[column][0]!r} (case {bad['case_key'][0]}): expected one of "
                + ", ".join(SUD_SCREEN_VALUES)
            )
    return out.unique("case_key", keep="last", maintain_order=True)


def frame_from_offramp_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """The evaluation frame straight from offramp-csv-shaped rows (e.g. `generate_cases` output), without
    the intake round trip: used by benchmarks and tests that start from generated data."""
    return conform_eval(
        rows.rename({"case_id": "case_key"}).with_columns(
            (pl.col("received_date").dt.year() - pl.col("birth_year")).cast(pl.Int32).alias("age_at_received")
        )
    )


def frame_from_facts(
    rows: list[dict[str, object]], defaults: dict[str, object] | None = None
) -> pl.DataFrame:
    """The evaluation frame of hand-written cases (legal-style tests, the web's what-if form): each row's
    facts over `defaults`; a fact in neither is unknown (null). Unknown fact names raise ValueError."""
    merged = [{**(defaults or {}), **row} for row in rows]
    unknown = sorted({k for row in merged for k in row} - set(EVAL_COLUMNS))
    if unknown:
        raise ValueError(f"unknown fact(s) {', '.join(unknown)}: expected names from EVAL_COLUMNS")
    columns = {name: [row.get(name) for row in merged] for name in EVAL_COLUMNS}
    return pl.DataFrame(columns, schema=EVAL_COLUMNS)
