"""Vocabulary shared by the intake formats: aliases for demographic values, derived codes, checks."""

from __future__ import annotations

import datetime as dt

import polars as pl

from offramp.core.enums import DispositionKind, Ethnicity, NibrsCode, OffenseKind, Race, SentenceType, Sex
from offramp.core.intake.errors import FieldError, IntakeError

SEX_ALIASES: dict[str, str] = {"m": Sex.MALE, "f": Sex.FEMALE, "x": Sex.OTHER, "u": Sex.UNKNOWN}

RACE_ALIASES: dict[str, str] = {
    "black or african american": Race.BLACK,
    "african american": Race.BLACK,
    "american indian or alaska native": Race.AMERICAN_INDIAN,
    "american indian": Race.AMERICAN_INDIAN,
    "native hawaiian or other pacific islander": Race.PACIFIC_ISLANDER,
    "pacific islander": Race.PACIFIC_ISLANDER,
    "two or more races": Race.MULTIRACIAL,
    "biracial": Race.MULTIRACIAL,
    "b": Race.BLACK,
    "w": Race.WHITE,
    "a": Race.ASIAN,
    "i": Race.AMERICAN_INDIAN,
    "u": Race.UNKNOWN,
}

ETHNICITY_ALIASES: dict[str, str] = {
    "hispanic": Ethnicity.HISPANIC,
    "latino": Ethnicity.HISPANIC,
    "latinx": Ethnicity.HISPANIC,
    "hispanic or latino": Ethnicity.HISPANIC,
    "not hispanic": Ethnicity.NOT_HISPANIC,
    "non-hispanic": Ethnicity.NOT_HISPANIC,
    "not hispanic or latino": Ethnicity.NOT_HISPANIC,
    "h": Ethnicity.HISPANIC,
    "n": Ethnicity.NOT_HISPANIC,
    "u": Ethnicity.UNKNOWN,
}

#: other spellings of a disposition (lower case), as court and case-management systems write them
DISPOSITION_ALIASES: dict[str, str] = {
    "nolle pros": DispositionKind.NOLLE_PROSEQUI,
    "nolle prosequi": DispositionKind.NOLLE_PROSEQUI,
    "nolle": DispositionKind.NOLLE_PROSEQUI,
    "nol pros": DispositionKind.NOLLE_PROSEQUI,
    "guilty plea": DispositionKind.PLEA_GUILTY,
    "plea of guilty": DispositionKind.PLEA_GUILTY,
    "finding guilty": DispositionKind.FINDING_GUILTY,
    "verdict guilty": DispositionKind.FINDING_GUILTY,
    "finding not guilty": DispositionKind.FINDING_NOT_GUILTY,
    "not guilty": DispositionKind.FINDING_NOT_GUILTY,
    "acquitted": DispositionKind.FINDING_NOT_GUILTY,
    "diversion completed": DispositionKind.DIVERTED_COMPLETED,
}

#: other spellings of a sentence type (lower case)
SENTENCE_ALIASES: dict[str, str] = {
    "conditional discharge": SentenceType.CONDITIONAL_DISCHARGE,
    "court supervision": SentenceType.SUPERVISION,
    "state prison": SentenceType.PRISON,
    "county jail": SentenceType.JAIL,
}

#: plausible bounds for dates in case files: before this year, a date is more likely a typo
EARLIEST_PLAUSIBLE_YEAR = 1980


def this_year() -> int:
    return dt.date.today().year


def nibrs_code(kind: pl.Expr) -> pl.Expr:
    """NIBRS offence code implied by an offence kind (35B for equipment, 35A for other drug offences)."""
    return (
        pl.when(kind == OffenseKind.PARAPHERNALIA.value)
        .then(pl.lit(NibrsCode.DRUG_EQUIPMENT.value))
        .when(kind.is_in([OffenseKind.OTHER.value]) | kind.is_null())
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit(NibrsCode.DRUG_NARCOTIC.value))
    )


def reject_duplicate_keys(
    frame: pl.DataFrame, key: str, file: str, expected: str = "a value not used on an earlier row"
) -> None:
    """Raise IntakeError naming every row whose `key` repeats an earlier row's."""
    dupes = frame.select("__row", key).filter(pl.col(key).is_duplicated() & ~pl.col(key).is_first_distinct())
    if dupes.height:
        first = frame.group_by(key).agg(pl.col("__row").min().alias("first"))
        rows = dupes.join(first, on=key).sort("__row")
        raise IntakeError(
            [
                FieldError(file, int(r), key, str(k), f"{expected} (row {int(f)} has it)")
                for r, k, f in rows.head(200).iter_rows()
            ],
            total=rows.height,
        )


def person_conflict_warnings(persons: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Warnings for a person whose rows disagree on a demographic field (the first row's value is kept).

    Only people with more than one row can disagree, so the (costly) grouping runs on those alone.
    """
    repeated = persons.filter(pl.col("person_key").is_duplicated())
    if repeated.height == 0:
        return pl.DataFrame()
    counts = repeated.group_by("person_key").agg(
        pl.col("__row").min().alias("row"), *[pl.col(c).n_unique().alias(c) for c in columns]
    )
    frames = []
    for name in columns:
        keys = counts.filter(pl.col(name) > 1).select("person_key", "row")
        if keys.height == 0:
            continue
        values = (
            repeated.join(keys, on="person_key")
            .group_by("person_key", "row")
            .agg(
                pl.col(name).cast(pl.String).fill_null("(blank)").unique().sort().str.join("|").alias("value")
            )
        )
        frames.append(
            values.select(
                pl.col("row").cast(pl.Int64),
                pl.lit(name).alias("field"),
                pl.col("value"),
                pl.lit(f"person's rows disagree on {name}; the first row's value is kept").alias("message"),
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame()


def disposition_order_warnings(cases: pl.DataFrame) -> pl.DataFrame:
    """A data-quality warning (row, field, value, message) for every case disposed of before it was
    received: imported as written, since either date may be the typo."""
    if "disposition_date" not in cases.columns:
        return pl.DataFrame()
    early = cases.filter(pl.col("disposition_date") < pl.col("received_date"))
    if early.height == 0:
        return pl.DataFrame()
    return early.select(
        pl.col("source_row").cast(pl.Int64).alias("row"),
        pl.lit("disposition_date").alias("field"),
        pl.coalesce(
            pl.col("disposition_date_raw"), pl.col("disposition_date").dt.to_string("%Y-%m-%d")
        ).alias("value"),
        (
            pl.lit("disposition_date is before received_date (")
            + pl.col("received_date").dt.to_string("%Y-%m-%d")
            + pl.lit("); imported, please check the source")
        ).alias("message"),
    )
