"""How far each case got in diversion, read from stored referrals: offered, accepted, completed, returned,
the day the person entered the program and the day (and way) they left it.

Two sources say it. The office's own referrals (`lifecycle.ReferralState`, with the dates the web layer
records on each step) and imported program referrals (e.g. the CCSAO Diversion export: `ReferralResult`
graduated / failed / pending, a referral date and a closed date). The analytics snapshot reads the latest
referral of each case through `office_progress` / `imported_progress`; the follow-up report counts every
exit through `office_exits` / `imported_exits`. Both use the same exit rule, so a dashboard's recidivism
and the follow-up report cannot disagree about who left a program, when, or how.

The state groups are derived from the lifecycle's own transition table, never listed by hand: a state
added to the lifecycle falls into the right group (or into none) by where it sits in the table.

Every function takes a frame with a `case_id` column (any dtype: the database id or the source's key) and
the columns named in its docstring, and is pure Polars (vectorised, no Python per row).
"""

from __future__ import annotations

import polars as pl

from offramp.core.diversion.lifecycle import ReferralState, reachable_states
from offramp.core.enums import ReferralResult
from offramp.core.outcomes.followup import ExitKind

S = ReferralState


def _values(states: frozenset[ReferralState]) -> tuple[str, ...]:
    return tuple(sorted(s.value for s in states))


#: states in which the person has accepted the offer: every state reachable after acceptance that a
#: refusal cannot also lead to (a return to prosecution follows either, so the date decides there)
ACCEPTED_STATES: tuple[str, ...] = _values(reachable_states(S.ACCEPTED) - reachable_states(S.REFUSED))
#: states after a successful completion
COMPLETED_STATES: tuple[str, ...] = _values(reachable_states(S.COMPLETED))
#: states after the person left the program without completing it
LEFT_STATES: tuple[str, ...] = _values(reachable_states(S.TERMINATED))

#: what `office_progress` / `imported_progress` give per case (besides `case_id`)
PROGRESS_SCHEMA: dict[str, pl.DataType] = {
    "offered": pl.Boolean(),
    "accepted": pl.Boolean(),
    "completed": pl.Boolean(),
    "returned": pl.Boolean(),
    "entered_on": pl.Date(),
    "exited_on": pl.Date(),
    "exit_kind": pl.String(),
}


def _office_exit() -> tuple[pl.Expr, pl.Expr]:
    """(exit day, exit kind) of an office referral: completed on `completed_on`, else terminated on
    `terminated_on`; null while neither is recorded."""
    completed, terminated = pl.col("completed_on"), pl.col("terminated_on")
    kind = (
        pl.when(completed.is_not_null())
        .then(pl.lit(ExitKind.COMPLETED.value))
        .when(terminated.is_not_null())
        .then(pl.lit(ExitKind.TERMINATED.value))
    )
    return pl.coalesce(completed, terminated), kind


def _imported_exit() -> tuple[pl.Expr, pl.Expr]:
    """(exit day, exit kind) of an imported referral: graduated = completed, failed =
    terminated, on its closed date; a referral closed without a date cannot be placed in time, so it has
    no exit kind."""
    result = pl.col("result")
    closed = result.is_in([ReferralResult.GRADUATED.value, ReferralResult.FAILED.value])
    kind = (
        pl.when(closed & pl.col("closed_date").is_not_null())
        .then(
            pl.when(result == ReferralResult.GRADUATED.value)
            .then(pl.lit(ExitKind.COMPLETED.value))
            .otherwise(pl.lit(ExitKind.TERMINATED.value))
        )
        .otherwise(pl.lit(None, pl.String))
    )
    return pl.when(closed).then(pl.col("closed_date")), kind


def office_exits(referrals: pl.DataFrame) -> pl.DataFrame:
    """The office referrals that ended (`completed_on` / `terminated_on`), each with `exit_date` and
    `exit_kind` (core `followup.ExitKind`) added: every exit, for the follow-up report."""
    day, kind = _office_exit()
    return referrals.with_columns(day.alias("exit_date"), kind.alias("exit_kind")).filter(
        pl.col("exit_kind").is_not_null()
    )


def imported_exits(referrals: pl.DataFrame) -> pl.DataFrame:
    """The imported referrals that ended (`result` graduated / failed with a `closed_date`), each with
    `exit_date` and `exit_kind` added."""
    day, kind = _imported_exit()
    return referrals.with_columns(day.alias("exit_date"), kind.alias("exit_kind")).filter(
        pl.col("exit_kind").is_not_null()
    )


def office_progress(referrals: pl.DataFrame) -> pl.DataFrame:
    """One row per case from its latest office referral (by `offered_on`, then `referral_id`).

    Reads `case_id, referral_id, state, offered_on, accepted_on, referred_on, enrolled_on, completed_on,
    terminated_on`. Accepted: an acceptance date, or a state only an acceptance leads to. Completed: true in
    a completed state, false once left (terminated or returned) after acceptance, else null. Returned:
    accepted and then left. Entered: enrolment, else referral, else acceptance (accepted only). Exited
    and the exit kind: `office_exits`' rule."""
    latest = referrals.sort(["case_id", "offered_on", "referral_id"]).unique("case_id", keep="last")
    state = pl.col("state")
    accepted = pl.col("accepted_on").is_not_null() | state.is_in(ACCEPTED_STATES)
    left = state.is_in(LEFT_STATES) | pl.col("terminated_on").is_not_null()
    day, kind = _office_exit()
    return latest.select(
        "case_id",
        pl.lit(True).alias("offered"),
        accepted.alias("accepted"),
        pl.when(~accepted)
        .then(None)
        .when(state.is_in(COMPLETED_STATES))
        .then(True)
        .when(left)
        .then(False)
        .otherwise(None)
        .alias("completed"),
        (accepted & left).alias("returned"),
        pl.when(accepted).then(pl.coalesce("enrolled_on", "referred_on", "accepted_on")).alias("entered_on"),
        day.alias("exited_on"),
        kind.alias("exit_kind"),
    ).cast(PROGRESS_SCHEMA)  # type: ignore[arg-type]


def imported_progress(referrals: pl.DataFrame) -> pl.DataFrame:
    """One row per case from its latest imported referral (by `referral_date`, undated first, then `seq`).

    Reads `case_id, seq, referral_date, result, closed_date`. An imported referral means the person took
    part: offered and accepted. Graduated: completed; failed: not completed and returned; pending: neither
    known. Entered on the referral date; exited on the closed date of a graduated or failed referral."""
    latest = referrals.sort(["case_id", "referral_date", "seq"], nulls_last=False).unique(
        "case_id", keep="last"
    )
    result = pl.col("result")
    day, kind = _imported_exit()
    return latest.select(
        "case_id",
        pl.lit(True).alias("offered"),
        pl.lit(True).alias("accepted"),
        pl.when(result == ReferralResult.GRADUATED.value)
        .then(True)
        .when(result == ReferralResult.FAILED.value)
        .then(False)
        .alias("completed"),
        (result == ReferralResult.FAILED.value).alias("returned"),
        pl.col("referral_date").alias("entered_on"),
        day.alias("exited_on"),
        kind.alias("exit_kind"),
    ).cast(PROGRESS_SCHEMA)  # type: ignore[arg-type]
