"""The CCSAO exports' coded values, each mapped to Offramp's enums with a written description.

Lookups ignore case and surrounding whitespace (keys are lower case; program codes upper case). Values
and program descriptions come from the CCSAO's data notes (docs/SOURCES.md#ccsao-open-data and #cook-county-programs),
which summarises the CCSAO's own data notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from offramp.core.enums import Ethnicity, Race, ReferralResult, Sex


@dataclass(frozen=True)
class RaceTerm:
    race: Race
    ethnicity: Ethnicity
    description: str


@dataclass(frozen=True)
class SexTerm:
    sex: Sex
    description: str


@dataclass(frozen=True)
class ResultTerm:
    result: ReferralResult
    description: str


@dataclass(frozen=True)
class Program:
    """A CCSAO diversion program. `plea` is when a participant enters it, None where the source is silent."""

    code: str
    name: str
    plea: Literal["pre-plea", "post-plea"] | None
    months: int | None
    description: str


#: RACE. CCSAO records Latinx as a race; Offramp keeps race and ethnicity apart (OMB), so Latinx is an
#: ethnicity with race unknown, and the source text stays in race_raw.
RACE: Mapping[str, RaceTerm] = {
    "black": RaceTerm(Race.BLACK, Ethnicity.UNKNOWN, "Black; ethnicity not recorded."),
    "white": RaceTerm(Race.WHITE, Ethnicity.UNKNOWN, "White; ethnicity not recorded."),
    "latinx": RaceTerm(
        Race.UNKNOWN,
        Ethnicity.HISPANIC,
        "Latinx, recorded by CCSAO as a race: kept as Hispanic/Latino ethnicity.",
    ),
    "asian": RaceTerm(Race.ASIAN, Ethnicity.UNKNOWN, "Asian; ethnicity not recorded."),
    "biracial": RaceTerm(Race.MULTIRACIAL, Ethnicity.UNKNOWN, "Biracial: two or more races."),
    "other": RaceTerm(Race.OTHER, Ethnicity.UNKNOWN, "Another race recorded by CCSAO."),
    "unknown": RaceTerm(Race.UNKNOWN, Ethnicity.UNKNOWN, "Recorded by CCSAO as unknown."),
}

#: GENDER
GENDER: Mapping[str, SexTerm] = {
    "male": SexTerm(Sex.MALE, "Male."),
    "female": SexTerm(Sex.FEMALE, "Female."),
    "unknown": SexTerm(Sex.UNKNOWN, "Recorded by CCSAO as unknown."),
}

#: DIVERSION_RESULT; a blank cell means no result yet (pending). Any other value is an error.
DIVERSION_RESULT: Mapping[str, ResultTerm] = {
    "graduated": ResultTerm(ReferralResult.GRADUATED, "Completed the program."),
    "failed": ResultTerm(
        ReferralResult.FAILED, "Left or was removed from the program without completing it."
    ),
}
BLANK_RESULT = ResultTerm(ReferralResult.PENDING, "Blank: no result recorded yet.")

#: DIVERSION_PROGRAM codes. New programs appear over time: an unknown code is imported with a warning.
DIVERSION_PROGRAM: Mapping[str, Program] = {
    p.code: p
    for p in (
        Program(
            "DDPP",
            "Drug Deferred Prosecution Program",
            "pre-plea",
            None,
            "Pre-plea program for low-level, non-violent drug cases; includes a substance-use assessment.",
        ),
        Program(
            "BR9",
            "Felony Deferred Prosecution",
            "pre-plea",
            12,
            "Pre-plea felony deferred prosecution, 12 months.",
        ),
        Program(
            "DS", "Drug School", "post-plea", None, "Post-plea drug education: four lessons of 2.5 hours."
        ),
        Program("DC", "Drug Treatment Court", "post-plea", 24, "Post-plea drug treatment court, 24 months."),
        Program("MHC", "Mental Health Court", None, 24, "Mental health court, 24 months."),
        Program("VC", "Veterans Court", None, 24, "Veterans court, 24 months."),
        Program(
            "ACT", "Access to Community Treatment", None, 18, "Access to Community Treatment, 18 months."
        ),
        Program("ARI", "Adult Redeploy Illinois", "post-plea", None, "Adult Redeploy Illinois, post-plea."),
        Program(
            "RJCC",
            "Restorative Justice Community Court",
            "pre-plea",
            None,
            "Pre-plea restorative justice community court; the victim must agree to it.",
        ),
    )
}


def lookup(raw: pl.Expr, table: Mapping[str, str]) -> pl.Expr:
    """`table[raw.strip().lower()]`, null where `raw` is null or not in the table."""
    key = raw.str.strip_chars().str.to_lowercase()
    return key.replace_strict(dict(table), default=None, return_dtype=pl.String)


def race_values() -> dict[str, str]:
    return {k: t.race.value for k, t in RACE.items()}


def ethnicity_values() -> dict[str, str]:
    return {k: t.ethnicity.value for k, t in RACE.items()}


def sex_values() -> dict[str, str]:
    return {k: t.sex.value for k, t in GENDER.items()}


def result_values() -> dict[str, str]:
    return {k: t.result.value for k, t in DIVERSION_RESULT.items()}
