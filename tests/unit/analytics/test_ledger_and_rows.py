"""The analytics rows' rules: exact restitution sums, the decision a case's record amounts to, follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from offramp.core.analytics.dataset import ANALYTICS_SCHEMA, conform
from offramp.core.analytics.ledger import ENTRY_SCHEMA, restitution_sums
from offramp.core.analytics.rows import OUTCOME_DECISION, analytics_rows
from offramp.core.policy.pack import Outcome

D = dt.date


def entries(*rows: tuple[object, ...]) -> pl.DataFrame:
    schema = {**ENTRY_SCHEMA, "amount": pl.String()}
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def test_restitution_is_summed_in_exact_cents() -> None:
    """Ten payments of 0.10 and an order of 0.30 less 0.10 + 0.20: a float sum gives 0.9999999999999999 and
    0.30000000000000004 (the snapshot summed CAST(amount AS REAL) before); the exact sum gives 1.00 and
    0.30, and the analytics frame's float is the nearest one to that."""
    ledger = entries(
        (1, 7, 1, "order", "0.30", None),
        (1, 7, 2, "reduction", "0.10", None),
        (1, 7, 3, "order", "0.20", None),
        (1, 7, 4, "reduction", "0.20", None),
        (1, 7, 5, "reversal", "0.20", 4),  # the second reduction was a mistake
        (1, 7, 6, "reduction", "0.10", None),
        *((2, 8, seq, "payment", "0.10", None) for seq in range(1, 11)),
        (2, 8, 11, "payment", "0.25", None),
        (2, 8, 12, "reversal", "0.25", 11),  # a bounced payment
        (2, 8, 13, "order", "5.00", None),
        (2, 8, 14, "reversal", "5.00", 13),  # a mistaken order
    )
    assert sum([0.1] * 10) != 1.0 and 0.3 - 0.1 + 0.2 - 0.1 != 0.3  # what floats would have given
    sums = {r["case_id"]: r for r in restitution_sums(ledger).iter_rows(named=True)}
    assert sums[1]["restitution_ordered_usd"] == Decimal("0.30")
    assert sums[2]["restitution_collected_usd"] == Decimal("1.00")
    assert sums[2]["restitution_ordered_usd"] == Decimal("0.00")
    frame = conform(
        restitution_sums(ledger).with_columns(pl.col("case_id").cast(pl.String).alias("case_key"))
    ).sort("case_key")
    assert frame["restitution_ordered_usd"].to_list() == [0.3, 0.0]
    assert frame["restitution_collected_usd"].to_list() == [0.0, 1.0]
    assert restitution_sums(entries()).height == 0


CASES = {"case_id": pl.Int64(), "case_key": pl.String(), "person_id": pl.Int64(), "received_date": pl.Date(),
         "stage": pl.String(), "disposition": pl.String(), "disposition_date": pl.Date(),
         "sentence_type": pl.String(), "sentence_days": pl.Int32(), "victim_count": pl.Int32(),
         "has_victim": pl.Boolean(), "eng_seller_role": pl.String(), "eng_overdose_risk": pl.Boolean()}  # fmt: skip
DECISIONS = {"case_id": pl.Int64(), "outcome": pl.String(), "decided_on": pl.Date(),
             "trace_seller_role": pl.String(), "trace_overdose_risk": pl.Boolean(),
             "naloxone_given": pl.Boolean(), "moud_linked": pl.Boolean()}  # fmt: skip
OFFICE = {"case_id": pl.Int64(), "referral_id": pl.Int64(), "state": pl.String(), "offered_on": pl.Date(),
          "accepted_on": pl.Date(), "referred_on": pl.Date(), "enrolled_on": pl.Date(),
          "completed_on": pl.Date(), "terminated_on": pl.Date()}  # fmt: skip
IMPORTED = {"case_id": pl.Int64(), "seq": pl.Int32(), "referral_date": pl.Date(), "result": pl.String(),
            "closed_date": pl.Date()}  # fmt: skip


def frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame([{**dict.fromkeys(schema), **row} for row in rows], schema=schema)


def test_each_case_s_record_becomes_one_row() -> None:
    cases = frame(
        [
            {"case_id": 1, "case_key": "A", "person_id": 1, "received_date": D(2022, 1, 1), "stage": "diverted",
             "eng_seller_role": "user"},
            {"case_id": 2, "case_key": "B", "person_id": 1, "received_date": D(2023, 3, 1), "stage": "charged",
             "sentence_type": "jail", "sentence_days": 30, "victim_count": 1},
            {"case_id": 3, "case_key": "C", "person_id": 2, "received_date": D(2023, 1, 1), "stage": "disposed",
             "disposition": "diverted_completed", "sentence_type": "probation", "sentence_days": 365},
            {"case_id": 4, "case_key": "D", "person_id": 3, "received_date": D(2023, 1, 1), "stage": "received",
             "eng_seller_role": "street_level"},
        ],
        CASES,
    )  # fmt: skip
    decisions = frame(
        [{"case_id": 4, "outcome": "pre_charge_diversion", "decided_on": D(2023, 2, 1),
          "trace_seller_role": "user", "naloxone_given": True, "moud_linked": False}],
        DECISIONS,
    )  # fmt: skip
    imported = frame(
        [{"case_id": 1, "seq": 1, "referral_date": D(2022, 2, 1), "result": "graduated",
          "closed_date": D(2022, 8, 1)}],
        IMPORTED,
    )  # fmt: skip
    rows = analytics_rows(
        cases,
        decisions=decisions,
        office_referrals=frame([], OFFICE),
        imported_referrals=imported,
        ledger=entries(),
        consultations=pl.DataFrame(schema={"case_id": pl.Int64(), "victim_contacted_on": pl.Date()}),
        today=D(2025, 1, 1),
    )
    by = {r["case_key"]: r for r in conform(rows).iter_rows(named=True)}
    assert set(conform(rows).columns) == set(ANALYTICS_SCHEMA)
    # A: diverted by stage, an imported graduation; the same person's case B within a year of the exit
    assert (by["A"]["decision"], by["A"]["diversion_completed"], by["A"]["program_exited_on"]) == (
        "diverted_pre_filing", True, D(2022, 8, 1))  # fmt: skip
    assert (by["A"]["new_case_within_1y"], by["A"]["seller_role"]) == (True, "user")
    # B: charged by stage, jailed 30 days, a victim
    assert (by["B"]["decision"], by["B"]["filed"], by["B"]["incarcerated"], by["B"]["sentence_days"]) == (
        "charged", True, True, 30)  # fmt: skip
    assert by["B"]["victim_involved"] is True
    # C: disposed as diversion completed, no decision: a post-filing diversion that was completed
    assert (by["C"]["decision"], by["C"]["diverted_post_filing"], by["C"]["diversion_completed"]) == (
        "charged", True, True)  # fmt: skip
    assert (by["C"]["incarcerated"], by["C"]["sentence_days"]) == (False, None)
    # D: the decision (and its trace) wins over the stage and the engine
    assert (by["D"]["decision"], by["D"]["decided_on"], by["D"]["seller_role"]) == (
        "diverted_pre_filing", D(2023, 2, 1), "user")  # fmt: skip
    assert (by["D"]["diversion_offered"], by["D"]["naloxone_given"]) == (True, True)


def test_every_policy_outcome_maps_to_an_analytics_decision() -> None:
    """The analytics read a recorded outcome through core's one vocabulary: a new outcome in
    `core.policy.pack.Outcome` must say which decision it counts as before the snapshot can read it."""
    assert set(OUTCOME_DECISION) == {o.value for o in Outcome}
