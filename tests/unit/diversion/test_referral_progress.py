"""How far each case got in diversion, from the office's referrals and from imported ones."""

from __future__ import annotations

import datetime as dt

import polars as pl

from offramp.core.diversion.lifecycle import ReferralState
from offramp.core.diversion.referral_progress import (
    ACCEPTED_STATES,
    COMPLETED_STATES,
    LEFT_STATES,
    imported_exits,
    imported_progress,
    office_exits,
    office_progress,
)

D = dt.date
OFFICE = {"case_id": pl.Int64(), "referral_id": pl.Int64(), "state": pl.String(), "offered_on": pl.Date(),
          "accepted_on": pl.Date(), "referred_on": pl.Date(), "enrolled_on": pl.Date(),
          "completed_on": pl.Date(), "terminated_on": pl.Date()}  # fmt: skip
IMPORTED = {"case_id": pl.Int64(), "seq": pl.Int32(), "referral_date": pl.Date(), "result": pl.String(),
            "closed_date": pl.Date()}  # fmt: skip


def office(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame([{**dict.fromkeys(OFFICE), **row} for row in rows], schema=OFFICE)


def test_the_state_groups_come_from_the_lifecycle_table() -> None:
    # the list the snapshot used to spell out by hand
    assert set(ACCEPTED_STATES) == {"accepted", "referred", "intake_overdue", "intake_completed", "enrolled",
                                    "non_compliant", "completed", "dismissed", "terminated"}  # fmt: skip
    assert set(COMPLETED_STATES) == {"completed", "dismissed"}
    assert set(LEFT_STATES) == {"terminated", "returned_to_prosecution"}
    # offered and refused are never "accepted"; a return to prosecution is, only with an acceptance date
    assert ReferralState.OFFERED.value not in ACCEPTED_STATES
    assert ReferralState.RETURNED_TO_PROSECUTION.value not in ACCEPTED_STATES


def test_the_latest_office_referral_of_each_case_decides() -> None:
    frame = office(
        {"case_id": 1, "referral_id": 1, "state": "refused", "offered_on": D(2024, 1, 1)},
        {"case_id": 1, "referral_id": 2, "state": "dismissed", "offered_on": D(2024, 3, 1),
         "accepted_on": D(2024, 3, 2), "referred_on": D(2024, 3, 5), "enrolled_on": D(2024, 3, 9),
         "completed_on": D(2024, 9, 1)},
        {"case_id": 2, "referral_id": 3, "state": "returned_to_prosecution", "offered_on": D(2024, 1, 1),
         "accepted_on": D(2024, 1, 3), "referred_on": D(2024, 1, 4), "terminated_on": D(2024, 2, 1)},
        {"case_id": 3, "referral_id": 4, "state": "returned_to_prosecution", "offered_on": D(2024, 1, 1)},
        {"case_id": 4, "referral_id": 5, "state": "enrolled", "offered_on": D(2024, 1, 1),
         "referred_on": D(2024, 1, 4), "enrolled_on": D(2024, 1, 10)},
    )  # fmt: skip
    rows = {r["case_id"]: r for r in office_progress(frame).iter_rows(named=True)}
    assert rows[1] == {"case_id": 1, "offered": True, "accepted": True, "completed": True,
                            "returned": False, "entered_on": D(2024, 3, 9), "exited_on": D(2024, 9, 1),
                            "exit_kind": "completed"}  # fmt: skip
    assert (rows[2]["accepted"], rows[2]["completed"], rows[2]["returned"]) == (True, False, True)
    assert (rows[2]["entered_on"], rows[2]["exit_kind"]) == (D(2024, 1, 4), "terminated")
    # refused, then returned: never accepted, so neither completed nor returned from a program
    assert (rows[3]["accepted"], rows[3]["completed"], rows[3]["returned"], rows[3]["entered_on"]) == (
        False, None, False, None)  # fmt: skip
    # enrolled without a recorded acceptance date: the state says it was accepted; still in the program
    assert (rows[4]["accepted"], rows[4]["completed"], rows[4]["exited_on"]) == (True, None, None)


def test_imported_referrals_graduate_fail_or_wait() -> None:
    frame = pl.DataFrame(
        [
            (1, 1, D(2023, 1, 1), "failed", D(2023, 5, 1)),
            (1, 2, D(2024, 1, 1), "graduated", D(2024, 6, 1)),
            (2, 1, None, "graduated", None),
            (3, 1, D(2024, 2, 1), "pending", None),
        ],
        schema=IMPORTED,
        orient="row",
    )
    rows = {r["case_id"]: r for r in imported_progress(frame).iter_rows(named=True)}
    assert (rows[1]["completed"], rows[1]["exited_on"], rows[1]["exit_kind"]) == (
        True,
        D(2024, 6, 1),
        "completed",
    )
    # graduated without a closed date: completed, but not placed in time (no exit for the follow-up)
    assert (rows[2]["completed"], rows[2]["exited_on"], rows[2]["exit_kind"]) == (True, None, None)
    assert (rows[3]["accepted"], rows[3]["completed"], rows[3]["returned"]) == (True, None, False)
    exits = imported_exits(frame).sort("case_id", "seq")
    assert exits.select("case_id", "exit_date", "exit_kind").rows() == [
        (1, D(2023, 5, 1), "terminated"),
        (1, D(2024, 6, 1), "completed"),
    ]


def test_office_exits_list_every_referral_that_ended() -> None:
    frame = office(
        {"case_id": 1, "referral_id": 1, "state": "terminated", "terminated_on": D(2024, 2, 1)},
        {"case_id": 1, "referral_id": 2, "state": "completed", "completed_on": D(2024, 8, 1)},
        {"case_id": 2, "referral_id": 3, "state": "enrolled"},
    )
    exits = office_exits(frame)
    assert exits.select("referral_id", "exit_date", "exit_kind").rows() == [
        (1, D(2024, 2, 1), "terminated"),
        (2, D(2024, 8, 1), "completed"),
    ]


def test_no_referrals_give_no_rows() -> None:
    assert office_progress(office()).height == 0
    assert imported_progress(pl.DataFrame(schema=IMPORTED)).height == 0
