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
parameter values apply, not those in force when each case was received. With `non_convictions=True` the
list also keeps the dismissed, nolle prossed, declined and completed-diversion cases, whatever today's
policy says: they are restrictable by law once the disposition is on the record.

Each candidate carries its Georgia `route` (`ReliefRoute`, `route_expr`; docs/SOURCES.md#ocga-35-3-37-routes):
what the prosecutor can act on - a dismissal, nolle pros or declination is restricted once the office
reports the disposition (O.C.G.A. 35-3-37(h)); a misdemeanour conviction is restricted by the court on the
person's petition, served on the prosecutor, who can consent or not oppose (35-3-37(j)(4), SB 288); a
felony conviction with no previous felony and no earlier First Offender sentence on file may get
retroactive First Offender treatment with the prosecutor's consent (O.C.G.A. 42-8-66) - from a felony
conviction that is not restrictable under 35-3-37 without a pardon.

`disposition_report(rows)` is a CSV of dispositions for selected cases the office can send to the state
repository (GCIC). It is a plain CSV of Offramp's own; GCIC's format must be confirmed with the state
(docs/SOURCES.md#gcic-disposition-report).
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

#: dispositions that end a case without a conviction and make its record restrictable under O.C.G.A.
#: 35-3-37(h) once reported (subject to the statute's exceptions, which a person reviews)
NON_CONVICTION_DISPOSITIONS: frozenset[str] = frozenset(
    {
        Disposition.DISMISSED.value,
        Disposition.DECLINED.value,
        DispositionKind.DISMISSED.value,
        DispositionKind.NOLLE_PROSEQUI.value,
        DispositionKind.DIVERTED_COMPLETED.value,
    }
)


class ReliefRoute(DescribedEnum):
    """How a past case's record can be relieved in Georgia, and who acts (docs/SOURCES.md#ocga-35-3-37-routes)."""

    RESTRICT_NON_CONVICTION = (
        "restrict_non_conviction",
        "Dismissed, nolle prossed, declined or diversion completed: restricted under O.C.G.A. 35-3-37(h) once "
        "the office reports the disposition (check the statute's exceptions, e.g. a plea to another charge "
        "from the same incident).",
    )
    MISDEMEANOR_PETITION = (
        "misdemeanor_petition",
        "Misdemeanour conviction: the person may petition the court four years after the sentence with no "
        "new conviction (O.C.G.A. 35-3-37(j)(4), SB 288); the petition is served on the office, which can "
        "consent or not oppose. The court decides; some offences are excluded.",
    )
    RETROACTIVE_FIRST_OFFENDER = (
        "retroactive_first_offender",
        "Felony conviction, no previous felony and no earlier First Offender sentence on file: the person may "
        "petition for retroactive First Offender treatment with the prosecutor's consent (O.C.G.A. 42-8-66), "
        "if they were not informed of their eligibility. The court decides.",
    )
    NOT_RESTRICTABLE = (
        "not_restrictable",
        "Felony conviction not restrictable under O.C.G.A. 35-3-37 (only after a pardon); a previous felony "
        "or First Offender sentence rules out retroactive First Offender treatment.",
    )
    REVIEW = (
        "review",
        "The severity of the conviction is not on file: review the record to find the route.",
    )


def route_expr() -> pl.Expr:
    """The `ReliefRoute` value of each row, from `disposition`, `severity`, `prior_felonies` and
    `prior_first_offender` (an unknown count of prior felonies or an unknown First Offender history does
    not rule retroactive First Offender out: the person reviewing the record checks). Null for a
    disposition that is neither a conviction nor a non-conviction ending (pending, acquitted, other)."""
    disposition = pl.col("disposition").str.strip_chars().str.to_lowercase()
    severity = pl.col("severity").str.strip_chars().str.to_lowercase()
    no_prior_felony = pl.col("prior_felonies").fill_null(0) == 0
    no_first_offender = ~pl.col("prior_first_offender").fill_null(False)
    return (
        pl.when(disposition.is_in(list(NON_CONVICTION_DISPOSITIONS)))
        .then(pl.lit(ReliefRoute.RESTRICT_NON_CONVICTION.value))
        .when(~disposition.is_in(list(CONVICTION_DISPOSITIONS)))
        .then(pl.lit(None, pl.String))
        .when(severity == "misdemeanor")
        .then(pl.lit(ReliefRoute.MISDEMEANOR_PETITION.value))
        .when((severity == "felony") & no_prior_felony & no_first_offender)
        .then(pl.lit(ReliefRoute.RETROACTIVE_FIRST_OFFENDER.value))
        .when(severity == "felony")
        .then(pl.lit(ReliefRoute.NOT_RESTRICTABLE.value))
        .otherwise(pl.lit(ReliefRoute.REVIEW.value))
    )


def relief_route(
    disposition: str | None,
    severity: str | None,
    prior_felonies: int | None = None,
    prior_first_offender: bool | None = None,
) -> ReliefRoute | None:
    """`route_expr` for one case."""
    row = pl.DataFrame(
        {
            "disposition": [disposition],
            "severity": [severity],
            "prior_felonies": [prior_felonies],
            "prior_first_offender": [prior_first_offender],
        },
        schema={
            "disposition": pl.String,
            "severity": pl.String,
            "prior_felonies": pl.Int64,
            "prior_first_offender": pl.Boolean,
        },
    )
    value = row.select(route_expr()).item()
    return None if value is None else ReliefRoute.parse(value)


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
    "severity": pl.String(),
    "disposition_date": pl.Date(),
    "route": pl.String(),
}

#: optional history columns the route reads (a missing one is null)
ROUTE_FACTS: dict[str, pl.DataType] = {
    "severity": pl.String(),
    "disposition_date": pl.Date(),
    "prior_felonies": pl.Int64(),
    "prior_first_offender": pl.Boolean(),
}


def with_because(evaluated: pl.DataFrame, pack: Pack) -> pl.DataFrame:
    """`evaluated` (engine output with `chosen_rule`) plus `because`: the chosen rule's words in `pack`."""
    words = {rule.id: rule.because for rule in pack.rules}
    return evaluated.with_columns(
        pl.col("chosen_rule").replace_strict(words, default=None, return_dtype=pl.String).alias("because")
    )


def retrospective_candidates(
    history: pl.DataFrame, evaluated: pl.DataFrame, *, pack: Pack | None = None, non_convictions: bool = False
) -> pl.DataFrame:
    """Past convictions that today's pack would decline or divert: one row per case (CANDIDATE_SCHEMA),
    sorted by received_date (then case_key), each with its `route` (`route_expr`). With `non_convictions`,
    also every dismissed, nolle prossed, declined or completed-diversion case (route
    `restrict_non_conviction`), whatever today's outcome.

    `history`: past cases with case_key, person_key, received_date, offense_kind, drug and disposition,
    and for the route severity, disposition_date, prior_felonies and prior_first_offender (a missing fact
    column is null). `evaluated`: today's engine outcomes for the same cases (case_key, outcome,
    chosen_rule and, if it has it, because; else `pack` supplies the rule's words, else null).
    A case evaluated more than once keeps its first row."""
    if "because" not in evaluated.columns:
        evaluated = (
            with_because(evaluated, pack)
            if pack is not None
            else evaluated.with_columns(pl.lit(None, pl.String).alias("because"))
        )
    facts = ("person_key", "received_date", "offense_kind", "drug", "disposition")
    past = (
        history.select(
            pl.col("case_key").cast(pl.String),
            *(
                (pl.col(c) if c in history.columns else pl.lit(None)).cast(CANDIDATE_SCHEMA[c]).alias(c)
                for c in facts
            ),
            *(
                (pl.col(c) if c in history.columns else pl.lit(None)).cast(dtype).alias(c)
                for c, dtype in ROUTE_FACTS.items()
            ),
        )
        .unique("case_key", keep="first", maintain_order=True)
        .with_columns(route_expr().alias("route"))
    )
    today = evaluated.select(
        pl.col("case_key").cast(pl.String),
        pl.col("outcome").cast(pl.String).alias("today_outcome"),
        pl.col("chosen_rule").cast(pl.String).alias("rule"),
        pl.col("because").cast(pl.String),
    ).unique("case_key", keep="first", maintain_order=True)
    convicted = (
        pl.col("disposition").str.strip_chars().str.to_lowercase().is_in(list(CONVICTION_DISPOSITIONS))
    )
    ended = pl.col("route") == ReliefRoute.RESTRICT_NON_CONVICTION.value
    keep = convicted & pl.col("today_outcome").is_in(list(RELIEF_OUTCOMES))
    if non_convictions:
        keep = keep | ended
    return (
        past.filter(convicted | ended if non_convictions else convicted)
        .join(today, on="case_key", how="left")
        .filter(keep.fill_null(False))
        .select(list(CANDIDATE_SCHEMA))
        .sort(["received_date", "case_key"], nulls_last=True)
    )


def to_csv(candidates: pl.DataFrame) -> str:
    """The candidate list as CSV text: a header row, dates as YYYY-MM-DD, unknown as an empty cell, and
    text a spreadsheet would run as a formula (starting with = + - @ tab or CR) made inert with a leading
    apostrophe, as the treatment-report export does."""
    return inert_csv(candidates.select(c for c in CANDIDATE_SCHEMA if c in candidates.columns))


# --- the disposition report to the state repository ----------------------------------------------------------

#: the disposition report's columns, in order. Offramp's own plain CSV, NOT GCIC's official format: the
#: format, the fields GCIC needs and how to send it must be confirmed with the state
#: (docs/SOURCES.md#gcic-disposition-report)
DISPOSITION_REPORT_SCHEMA: dict[str, pl.DataType] = {
    "case_id": pl.String(),
    "person_id": pl.String(),
    "charge": pl.String(),
    "disposition": pl.String(),
    "disposition_date": pl.Date(),
    "route": pl.String(),
}


def disposition_report(rows: pl.DataFrame) -> str:
    """The disposition report as CSV text: one row per case of `rows` (case_key, person_key, charge,
    disposition, disposition_date and, optionally, route), in case_id order. A case without a disposition is
    refused with an error naming it: the report states dispositions, so none may be blank."""
    for name in ("case_key", "person_key", "charge", "disposition", "disposition_date"):
        if name not in rows.columns:
            raise ValueError(f"disposition report: column {name!r} is missing")
    blank = rows.filter(pl.col("disposition").is_null() | (pl.col("disposition").cast(pl.String) == ""))
    if blank.height:
        keys = ", ".join(str(k) for k in blank.get_column("case_key").to_list())
        raise ValueError(f"disposition report: disposition is blank for case {keys}")
    report = rows.select(
        pl.col("case_key").cast(pl.String).alias("case_id"),
        pl.col("person_key").cast(pl.String).alias("person_id"),
        pl.col("charge").cast(pl.String),
        pl.col("disposition").cast(pl.String),
        pl.col("disposition_date").cast(pl.Date),
        (pl.col("route") if "route" in rows.columns else pl.lit(None)).cast(pl.String).alias("route"),
    ).sort("case_id")
    return inert_csv(report)
