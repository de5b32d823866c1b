"""Record relief: eligibility for record restriction on completion, and a retrospective candidate list.

On completion of diversion the charge is dismissed and the record restricted (DeKalb County DA's Diversion &
Community Alternatives unit; Georgia O.C.G.A. § 35-3-37, docs/SOURCES.md#ocga-35-3-37). `eligibility_on_completion`
writes that down as a `ReliefEntry` naming the statute used. The statute is the office's choice:
`DEFAULT_STATUTE` is Georgia's, and `statute_for(program_model, statutes)` reads an office's mapping of
program model (e.g. the outcome `pre_charge_diversion`, or a plea stage `pre_plea` / `post_plea`) to the
statute its completion uses; a model mapped to None brings no record relief.

The retrospective report (IIP/Vital Strategies 2021 rec. 2: audit office policy) asks which past
convictions in the office's history today's policy pack would have declined or diverted:
`retrospective_candidates(history, evaluated)` joins the history's dispositions to today's engine outcomes
for the same cases and keeps the convictions whose outcome is in `RELIEF_OUTCOMES`: a candidate list for
record relief, not a decision (each candidate still needs a person to review the record and the statute's
own conditions). Evaluate the history with `engine.evaluate(frame, pack, on=today)` so that today's
parameter values apply, not those in force when each case was received.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from offramp.core.csvsafe import inert_csv
from offramp.core.enums import DescribedEnum, DispositionKind
from offramp.core.policy.pack import Outcome, Pack


@dataclass(frozen=True)
class ReliefStatute:
    """The law under which a record is restricted (sealed, expunged ...) on completion."""

    code: str
    title: str
    jurisdiction: str
    reference: str

    def __str__(self) -> str:
        return f"{self.code} ({self.title})"


DEFAULT_STATUTE = ReliefStatute(
    code="O.C.G.A. § 35-3-37",
    title="Review, correction and restriction of criminal history records",
    jurisdiction="Georgia",
    reference=(
        "Official Code of Georgia Annotated § 35-3-37 (record restriction); DeKalb County DA Diversion & "
        "Community Alternatives: completion brings dismissal and record restriction (docs/SOURCES.md#dekalb-da)."
    ),
)


def statute_for(
    program_model: str, statutes: Mapping[str, ReliefStatute | None] | None = None
) -> ReliefStatute | None:
    """The statute the office uses when `program_model` is completed: the mapping's entry when it has one
    (None there: this model brings no record relief), else `DEFAULT_STATUTE`."""
    if statutes is not None and str(program_model) in statutes:
        return statutes[str(program_model)]
    return DEFAULT_STATUTE


@dataclass(frozen=True)
class ReliefEntry:
    """A record-restriction eligibility entry, written when a person completes a program."""

    eligible: bool
    statute: ReliefStatute | None
    basis: str
    as_of: dt.date
    program_model: str


def eligibility_on_completion(
    completed_on: dt.date, program_model: str, statute: ReliefStatute | None = DEFAULT_STATUTE
) -> ReliefEntry:
    """The record-relief entry for a completion of `program_model` on `completed_on`: eligible under
    `statute` (pass `statute_for(model, office_mapping)` to use the office's configuration); not eligible
    when `statute` is None, i.e. the office's configuration names no record relief for this model."""
    model = str(program_model)
    if statute is None:
        return ReliefEntry(
            eligible=False,
            statute=None,
            basis=(
                f"Completed {model.replace('_', ' ')} on {completed_on.isoformat()}, but the office's "
                f"configuration names no record-relief statute for this program model."
            ),
            as_of=completed_on,
            program_model=model,
        )
    return ReliefEntry(
        eligible=True,
        statute=statute,
        basis=(
            f"Completed {model.replace('_', ' ')} on {completed_on.isoformat()}: the charge is dismissed "
            f"and the record may be restricted under {statute.code} ({statute.jurisdiction})."
        ),
        as_of=completed_on,
        program_model=model,
    )


# --- the retrospective report ------------------------------------------------------------------------------


class Disposition(DescribedEnum):
    CONVICTED = ("convicted", "Convicted (how is not recorded).")
    PLEA_GUILTY = ("plea_guilty", "Convicted on a plea of guilty (or no contest).")
    FINDING_GUILTY = ("finding_guilty", "Convicted after a bench trial (a finding of guilty).")
    VERDICT_GUILTY = ("verdict_guilty", "Convicted after a jury trial (a verdict of guilty).")
    DISMISSED = ("dismissed", "Dismissed (including nolle prosequi).")
    ACQUITTED = ("acquitted", "Found not guilty.")
    DIVERTED = ("diverted", "Diverted; dismissed or pending completion.")
    DECLINED = ("declined", "Declined: no charge was filed.")
    PENDING = ("pending", "Not yet disposed.")
    OTHER = ("other", "Any other disposition.")


#: dispositions that are convictions (compared case- and space-insensitively): this module's `Disposition`
#: words and the case fact `DispositionKind` (core.enums) that intake stores in a case's `disposition`
CONVICTION_DISPOSITIONS: frozenset[str] = frozenset(
    {
        Disposition.CONVICTED.value,
        Disposition.PLEA_GUILTY.value,
        Disposition.FINDING_GUILTY.value,
        Disposition.VERDICT_GUILTY.value,
        *(kind.value for kind in DispositionKind if kind.is_conviction),
    }
)

#: today's outcomes that make a past conviction a candidate: declined, or diverted before or after charging
RELIEF_OUTCOMES: frozenset[str] = frozenset(
    {Outcome.DECLINE.value, Outcome.PRE_CHARGE_DIVERSION.value, Outcome.POST_CHARGE_DIVERSION.value}
)

#: the candidate list's columns, in order
CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "case_key": pl.String(),
    "person_key": pl.String(),
    "received_date": pl.Date(),
    "offense_kind": pl.String(),
    "drug": pl.String(),
    "disposition": pl.String(),
    "today_outcome": pl.String(),
    "rule": pl.String(),
    "because": pl.String(),
}


def with_because(evaluated: pl.DataFrame, pack: Pack) -> pl.DataFrame:
    """`evaluated` (engine output with `chosen_rule`) plus `because`: the chosen rule's words in `pack`."""
    words = {rule.id: rule.because for rule in pack.rules}
    return evaluated.with_columns(
        pl.col("chosen_rule").replace_strict(words, default=None, return_dtype=pl.String).alias("because")
    )


def retrospective_candidates(
    history: pl.DataFrame, evaluated: pl.DataFrame, *, pack: Pack | None = None
) -> pl.DataFrame:
    """Past convictions that today's pack would decline or divert: one row per case (CANDIDATE_SCHEMA),
    sorted by received_date (then case_key).

    `history`: past cases with case_key, person_key, received_date, offense_kind, drug and disposition
    (a missing fact column is null). `evaluated`: today's engine outcomes for the same cases (case_key,
    outcome, chosen_rule and, if it has it, because; else `pack` supplies the rule's words, else null).
    A case evaluated more than once keeps its first row."""
    if "because" not in evaluated.columns:
        evaluated = (
            with_because(evaluated, pack)
            if pack is not None
            else evaluated.with_columns(pl.lit(None, pl.String).alias("because"))
        )
    facts = ("person_key", "received_date", "offense_kind", "drug", "disposition")
    past = history.select(
        pl.col("case_key").cast(pl.String),
        *(
            (pl.col(c) if c in history.columns else pl.lit(None)).cast(CANDIDATE_SCHEMA[c]).alias(c)
            for c in facts
        ),
    ).unique("case_key", keep="first", maintain_order=True)
    today = evaluated.select(
        pl.col("case_key").cast(pl.String),
        pl.col("outcome").cast(pl.String).alias("today_outcome"),
        pl.col("chosen_rule").cast(pl.String).alias("rule"),
        pl.col("because").cast(pl.String),
    ).unique("case_key", keep="first", maintain_order=True)
    convicted = (
        pl.col("disposition").str.strip_chars().str.to_lowercase().is_in(list(CONVICTION_DISPOSITIONS))
    )
    return (
        past.filter(convicted)
        .join(today, on="case_key", how="inner")
        .filter(pl.col("today_outcome").is_in(list(RELIEF_OUTCOMES)))
        .select(list(CANDIDATE_SCHEMA))
        .sort(["received_date", "case_key"], nulls_last=True)
    )


def to_csv(candidates: pl.DataFrame) -> str:
    """The candidate list as CSV text: a header row, dates as YYYY-MM-DD, unknown as an empty cell, and
    text a spreadsheet would run as a formula (starting with = + - @ tab or CR) made inert with a leading
    apostrophe, as the treatment-report export does."""
    return inert_csv(candidates.select(c for c in CANDIDATE_SCHEMA if c in candidates.columns))
