"""One analytics row per stored case, derived from the case, its decisions, referrals and ledger.

The web layer (`web.analytics.snapshot`) reads the tables and hands them here; everything that is a
domain rule about what a row says is decided here, in Polars, and tested without a database:

- `decision`, `decided_on`, `filed`, `diversion_offered`, `diverted_post_filing`: from the case's latest
  decision (`outcome`: decline -> declined, pre_charge_diversion -> diverted_pre_filing (+ offered),
  post_charge_diversion -> charged + filed + offered + diverted post filing, charge_with_plea_guidance /
  prosecute -> charged + filed). A case with no decision is read from its `stage` (`STAGE_DECISION`;
  received and under_review -> undecided), and one disposed as `diverted_completed` as a post-filing
  diversion that was completed. `decided_on` is null when the decision is read from the stage.
- `diversion_*`, `program_entered_on`, `program_exited_on`: `core.diversion.referral_progress` over the
  office's referrals; where the office has none, over the imported program referrals.
- `seller_role`, `overdose_risk`: what the latest decision's trace recorded, else what the engine finds.
- `incarcerated` (jail or prison; null without a sentence type) and `sentence_days` (only then).
- restitution: `ledger.restitution_sums` (exact); `victim_involved`: a victim row or a victim count > 0.
- `new_case_within_1y` / `3y`: `core.outcomes.followup.recidivism` from each case's program exit.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from offramp.core.analytics.dataset import Decision
from offramp.core.analytics.ledger import restitution_sums
from offramp.core.diversion.referral_progress import PROGRESS_SCHEMA, imported_progress, office_progress
from offramp.core.enums import CaseStage, DispositionKind, SentenceType
from offramp.core.outcomes.followup import recidivism
from offramp.core.policy.pack import Outcome

#: the decision a case's stage implies when no decision was recorded (other stages: undecided)
STAGE_DECISION: dict[str, str] = {
    CaseStage.DECLINED.value: Decision.DECLINED.value,
    CaseStage.DIVERTED.value: Decision.DIVERTED_PRE_FILING.value,
    CaseStage.CHARGED.value: Decision.CHARGED.value,
    CaseStage.DISPOSED.value: Decision.CHARGED.value,
    CaseStage.CLOSED.value: Decision.CHARGED.value,
}
#: the decision a recorded policy outcome amounts to
OUTCOME_DECISION: dict[str, str] = {
    Outcome.DECLINE.value: Decision.DECLINED.value,
    Outcome.PRE_CHARGE_DIVERSION.value: Decision.DIVERTED_PRE_FILING.value,
    Outcome.POST_CHARGE_DIVERSION.value: Decision.CHARGED.value,
    Outcome.CHARGE_WITH_PLEA_GUIDANCE.value: Decision.CHARGED.value,
    Outcome.PROSECUTE.value: Decision.CHARGED.value,
}
_CUSTODY = [SentenceType.JAIL.value, SentenceType.PRISON.value]


def analytics_rows(
    cases: pl.DataFrame,
    *,
    decisions: pl.DataFrame,
    office_referrals: pl.DataFrame,
    imported_referrals: pl.DataFrame,
    ledger: pl.DataFrame,
    consultations: pl.DataFrame,
    today: dt.date,
) -> pl.DataFrame:
    """Every case of `cases` with the analytics columns derived (see the module docstring), keyed by
    `case_id`; the caller keys and conforms it (`frame.conform`).

    `cases`: case_id, person_id, received_date, stage, disposition, disposition_date, sentence_type,
    sentence_days, victim_count, has_victim and the facts copied as they are (demographics, the
    evaluation frame's offence columns and `age`), plus `eng_seller_role` / `eng_overdose_risk`.
    `decisions`: case_id, outcome, decided_on, trace_seller_role, trace_overdose_risk, naloxone_given,
    moud_linked (the latest per case). `office_referrals` / `imported_referrals`: what
    `progress.office_progress` / `imported_progress` read. `ledger`: `ledger.ENTRY_SCHEMA`.
    `consultations`: case_id, victim_contacted_on (the first)."""
    office = _prefixed(office_progress(office_referrals), "o_")
    imported = _prefixed(imported_progress(imported_referrals), "i_")
    joined = (
        cases.join(decisions, on="case_id", how="left")
        .join(office, on="case_id", how="left")
        .join(imported, on="case_id", how="left")
        .join(restitution_sums(ledger), on="case_id", how="left")
        .join(consultations, on="case_id", how="left")
    )
    frame = joined.with_columns(_derived())
    return frame.join(new_cases(frame, today), on="case_id", how="left")


def _prefixed(progress: pl.DataFrame, prefix: str) -> pl.DataFrame:
    return progress.rename({name: prefix + name for name in PROGRESS_SCHEMA})


def _derived() -> list[pl.Expr]:
    outcome, stage, disposition = pl.col("outcome"), pl.col("stage"), pl.col("disposition")
    has_decision = outcome.is_not_null()
    diverted_completed = disposition == DispositionKind.DIVERTED_COMPLETED.value
    stage_decision = stage.replace_strict(STAGE_DECISION, default=None, return_dtype=pl.String)
    # a disposed-as-diverted case without a decision: diverted after filing, and completed
    stage_decision = (
        pl.when(diverted_completed).then(pl.lit(Decision.CHARGED.value)).otherwise(stage_decision)
    )
    decision = (
        pl.when(has_decision)
        .then(outcome.replace_strict(OUTCOME_DECISION, default=None, return_dtype=pl.String))
        .otherwise(stage_decision)
    )
    post_filing = pl.when(has_decision).then(outcome == "post_charge_diversion").otherwise(diverted_completed)
    pre_filing = decision == Decision.DIVERTED_PRE_FILING.value
    stage_diverted = ~has_decision & (pre_filing | diverted_completed)
    has_program = pl.col("o_offered").is_not_null() | pl.col("i_offered").is_not_null()
    use_office = pl.col("o_offered").is_not_null()

    def pick(name: str) -> pl.Expr:
        return pl.when(use_office).then(pl.col("o_" + name)).otherwise(pl.col("i_" + name))

    accepted = pl.when(has_program).then(pick("accepted")).when(stage_diverted).then(True)
    completed = pl.when(has_program).then(pick("completed")).when(diverted_completed).then(True)
    custody = pl.col("sentence_type").is_in(_CUSTODY)
    return [
        decision.alias("decision"),
        (has_program | pre_filing | post_filing).fill_null(False).alias("diversion_offered"),
        accepted.alias("diversion_accepted"),
        completed.alias("diversion_completed"),
        pl.when(has_program).then(pick("returned")).alias("diversion_returned"),
        pick("entered_on").alias("program_entered_on"),
        pick("exited_on").alias("program_exited_on"),
        pick("exit_kind").alias("_exit_kind"),
        (
            (decision == Decision.CHARGED.value)
            | (pick("returned").fill_null(False) & pre_filing & disposition.is_not_null())
        ).alias("filed"),
        post_filing.fill_null(False).alias("diverted_post_filing"),
        pl.col("disposition_date").alias("disposed_on"),
        pl.when(pl.col("sentence_type").is_null()).then(None).otherwise(custody).alias("incarcerated"),
        pl.when(custody).then(pl.col("sentence_days")).alias("sentence_days"),
        pl.coalesce("trace_seller_role", "eng_seller_role").alias("seller_role"),
        pl.coalesce("trace_overdose_risk", "eng_overdose_risk").alias("overdose_risk"),
        (pl.col("has_victim").fill_null(False) | (pl.col("victim_count").fill_null(0) > 0)).alias(
            "victim_involved"
        ),
    ]


def new_cases(frame: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """new_case_within_1y / 3y for each case of `frame` with a program exit (`program_exited_on`,
    `_exit_kind`), counted over the same person's (`person_id`) cases in `frame` (core `recidivism`)."""
    exits = frame.filter(
        pl.col("program_exited_on").is_not_null() & pl.col("_exit_kind").is_not_null()
    ).select(
        "case_id",
        pl.col("person_id").alias("person_key"),
        pl.col("program_exited_on").alias("exit_date"),
        pl.col("_exit_kind").alias("exit_kind"),
    )
    schema = {"case_id": pl.Int64(), "new_case_within_1y": pl.Boolean(), "new_case_within_3y": pl.Boolean()}
    if exits.height == 0:
        return pl.DataFrame(schema=schema).cast({"case_id": frame.schema["case_id"]})
    people = exits["person_key"].unique()
    cases = frame.filter(pl.col("person_id").is_in(people.implode())).select(
        pl.col("person_id").alias("person_key"), pl.col("case_id").alias("case_key"), "received_date"
    )
    measured = recidivism(exits.filter(pl.col("exit_date") <= today), cases, (1, 3), today=today)
    return measured.select(
        "case_id",
        pl.col("within_1y").alias("new_case_within_1y"),
        pl.col("within_3y").alias("new_case_within_3y"),
    )
