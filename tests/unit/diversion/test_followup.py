"""Follow-up: new cases within 1, 3 and 5 years of an exit, on small hand-computed datasets."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from offramp.core.outcomes.followup import SUMMARY_SCHEMA, ExitKind, recidivism, summary

D = dt.date
TODAY = D(2025, 6, 1)


def events() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "exit_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
            "person_key": ["A", "B", "C", "D", "E", "A"],
            "exit_date": [D(2019, 1, 10), D(2020, 2, 29), D(2023, 3, 1), D(2024, 9, 1), D(2018, 5, 5), D(2022, 1, 1)],
            "exit_kind": ["completed", "completed", "terminated", "completed", "terminated", "terminated"],
        }
    )  # fmt: skip


def cases() -> pl.DataFrame:
    rows = [
        ("A", "A-old", D(2018, 6, 1)),  # before the exit: not a new case
        ("A", "A-2", D(2021, 5, 1)),  # 2y 4m after e1; before e6
        ("A", "A-1", D(2020, 1, 10)),  # exactly 1 year after e1: within 1 year
        ("A", "A-3", D(2023, 1, 1)),  # 1 year after e6: within e6's 1-year window
        ("B", "B-same", D(2020, 2, 29)),  # same day as the exit: not counted
        ("B", "B-1", D(2021, 3, 1)),  # a day after 2020-02-29 + 1y (2021-02-28)
        ("C", "C-1", D(2023, 8, 1)),  # within 1 year; the 3-year window not yet elapsed
        ("D", "D-late", D(2025, 7, 1)),  # after today: not seen
        ("E", "E-2", D(2019, 9, 9)),  # ties on date: the smaller key wins
        ("E", "E-1", D(2019, 9, 9)),
        ("Z", "Z-1", D(2020, 1, 1)),  # nobody's exit
    ]
    return pl.DataFrame(rows, schema=["person_key", "case_key", "received_date"], orient="row")


def test_recidivism_per_exit_by_hand() -> None:
    got = recidivism(events(), cases(), today=TODAY)
    assert got.columns == [
        "exit_id",
        "person_key",
        "exit_date",
        "exit_kind",
        "within_1y",
        "within_3y",
        "within_5y",
        "first_new_case_key",
        "first_new_case_date",
    ]
    assert got.select("exit_id", "within_1y", "within_3y", "within_5y", "first_new_case_key").rows() == [
        ("e1", True, True, True, "A-1"),  # 2020-01-10 is exactly one year on: within
        ("e2", False, True, True, "B-1"),  # same-day case ignored; 5y window ends 2025-02-28 <= today
        ("e3", True, None, None, "C-1"),  # 3- and 5-year windows not elapsed: null even with a case
        ("e4", None, None, None, None),  # nothing measurable yet, and D's case is after today
        ("e5", False, True, True, "E-1"),  # exited 2018-05-05; first new case 2019-09-09 (tie -> E-1)
        ("e6", True, True, None, "A-3"),  # A's second exit: A-2 came before it; 5y not elapsed
    ]
    assert got["first_new_case_date"].to_list() == [D(2020, 1, 10), D(2021, 3, 1), D(2023, 8, 1), None,
                                                    D(2019, 9, 9), D(2023, 1, 1)]  # fmt: skip


def test_an_earlier_today_sees_less() -> None:
    got = recidivism(events(), cases(), windows=(1,), today=D(2020, 1, 9))
    assert got.columns[-3:] == ["within_1y", "first_new_case_key", "first_new_case_date"]
    # e1's window ends 2020-01-10, the day after this `today`: not measurable; the case A-1 is not yet seen
    assert got.filter(pl.col("exit_id") == "e1").row(0)[-3:] == (None, None, None)


def test_no_exits_and_bad_windows() -> None:
    empty = recidivism(events().clear(), cases(), today=TODAY)
    assert empty.is_empty() and "within_5y" in empty.columns
    assert summary(empty).is_empty()
    for bad in [(), (0,), (1, 1), (1.5,)]:
        with pytest.raises(ValueError, match="windows"):
            recidivism(events(), cases(), windows=bad, today=TODAY)  # type: ignore[arg-type]


def test_summary_counts_only_elapsed_windows() -> None:
    got = summary(recidivism(events(), cases(), today=TODAY))
    assert got.schema == pl.Schema(SUMMARY_SCHEMA)
    assert got.rows() == [
        # completed: e1 (T T T), e2 (F T T), e4 (null null null)
        ("completed", 1, 1, 2, 0.5),
        ("completed", 3, 2, 2, 1.0),
        ("completed", 5, 2, 2, 1.0),
        # terminated: e3 (T null null), e5 (F T T), e6 (T T null)
        ("terminated", 1, 2, 3, pytest.approx(2 / 3)),
        ("terminated", 3, 2, 2, 1.0),
        ("terminated", 5, 1, 1, 1.0),
    ]


def test_a_window_nobody_has_reached_has_no_rate() -> None:
    young = events().filter(pl.col("exit_id") == "e4")
    got = summary(recidivism(young, cases(), today=TODAY))
    assert got.rows() == [("completed", y, 0, 0, None) for y in (1, 3, 5)]
    assert {k.value for k in ExitKind} == {"completed", "terminated"}
