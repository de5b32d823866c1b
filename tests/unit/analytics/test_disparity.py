"""Relative Rate Index on small datasets whose every figure is computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
import pytest

from offramp.core.analytics import DECISION_POINTS, conform, public, rri
from offramp.core.analytics.disparity import RRI_SCHEMA, log_ci

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def cases(n: int, declined: int, *, race: str = "black", **facts: Any) -> list[dict[str, Any]]:
    """`n` decided referrals of `race`, the first `declined` of them declined, the rest charged."""
    return [
        {
            "case_key": f"{race}-{facts.get('offense_kind', '')}-{len(facts)}-{i}",
            "received_date": dt.date(2024, 6, 1),
            "race": race,
            "decision": "declined" if i < declined else "charged",
            "filed": i >= declined,
            **facts,
        }
        for i in range(n)
    ]


def frame(*groups: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [r for g in groups for r in g]
    for i, r in enumerate(rows):
        r["case_key"] = str(i)
    return conform(pl.DataFrame(rows))


def pick(
    table: pl.DataFrame, point: str, group: str, estimate: str = "crude", stratum: str | None = None
) -> dict[str, Any]:
    cond = (pl.col("decision_point") == point) & (pl.col("group") == group) & (pl.col("estimate") == estimate)
    cond &= pl.col("stratum").is_null() if stratum is None else pl.col("stratum") == stratum
    found = table.filter(cond)
    assert found.height == 1, found
    return found.row(0, named=True)


def test_declination_rri_with_its_confidence_interval() -> None:
    # black: 10 referrals, 3 declined -> 0.3; white: 20 referrals, 10 declined -> 0.5; RRI = 0.3 / 0.5 = 0.6
    # se = sqrt(1/3 - 1/10 + 1/10 - 1/20) = sqrt(0.283333) = 0.532291
    # CI = exp(ln 0.6 ± 1.959964 * 0.532291) = exp(-0.510826 ± 1.043270) = (0.211380, 1.703091)
    table = rri(frame(cases(10, 3), cases(20, 10, race="white")), min_cell=3)
    black = pick(table, "declination", "black")
    assert (black["numerator"], black["base"]) == (3, 10)
    assert (black["reference_numerator"], black["reference_base"]) == (10, 20)
    assert black["rate"] == pytest.approx(0.3)
    assert black["reference_rate"] == pytest.approx(0.5)
    assert black["rri"] == pytest.approx(0.6)
    se = math.sqrt(1 / 3 - 1 / 10 + 1 / 10 - 1 / 20)
    assert black["ci_low"] == pytest.approx(math.exp(math.log(0.6) - Z95 * se))
    assert black["ci_high"] == pytest.approx(math.exp(math.log(0.6) + Z95 * se))
    assert black["ci_low"] == pytest.approx(0.211380, abs=1e-6)
    assert black["ci_high"] == pytest.approx(1.703091, abs=1e-6)
    assert black["suppressed"] is False
    assert log_ci(3, 10, 10, 20) == pytest.approx((0.6, 0.211380, 1.703091), abs=1e-6)
    # the reference group's own row: RRI 1 by definition, no interval
    white = pick(table, "declination", "white")
    assert (white["rri"], white["ci_low"], white["note"]) == (1.0, None, "reference group")
    # charge is the complement here: black 7/10 = 0.7, white 10/20 = 0.5 -> 1.4
    assert pick(table, "charge", "black")["rri"] == pytest.approx(1.4)
    assert table.schema == pl.Schema(RRI_SCHEMA)


def test_a_90_percent_interval_is_narrower() -> None:
    # z(0.90) = 1.644854: exp(-0.510826 ± 1.644854 * 0.532291)
    #   = exp(-0.510826 ± 0.875540) = (0.249982, 1.440103)
    table = rri(frame(cases(10, 3), cases(20, 10, race="white")), min_cell=3, confidence=0.90)
    black = pick(table, "declination", "black")
    assert (black["ci_low"], black["ci_high"]) == pytest.approx((0.249982, 1.440103), abs=1e-6)


@pytest.mark.parametrize(("declined", "suppressed"), [(4, True), (5, False)])
def test_suppression_at_the_min_cell_boundary(declined: int, suppressed: bool) -> None:
    # black 20 referrals with 4 (suppressed) or 5 (shown) declined; white 20 with 10
    table = rri(frame(cases(20, declined), cases(20, 10, race="white")), min_cell=5)
    black = pick(table, "declination", "black")
    assert black["suppressed"] is suppressed
    assert black["numerator"] == declined  # the internal table keeps the count
    if suppressed:
        assert black["rate"] is None and black["rri"] is None and black["ci_low"] is None
        assert black["note"] == "suppressed: a count below 5"
        assert public(table)["numerator"].filter(
            (table["decision_point"] == "declination") & (table["group"] == "black")
        ).to_list() == [None]
    else:
        # 5/20 = 0.25 over 10/20 = 0.5 -> 0.5
        assert black["rri"] == pytest.approx(0.5)
        assert pick(public(table), "declination", "black")["numerator"] == 5


def test_a_small_reference_suppresses_the_ratio_but_not_the_groups_rate() -> None:
    # black 20, 10 declined -> 0.5; white 20, 4 declined (below 5): the ratio is hidden
    table = rri(frame(cases(20, 10), cases(20, 4, race="white")), min_cell=5)
    black = pick(table, "declination", "black")
    assert black["suppressed"] is True
    assert black["rate"] == pytest.approx(0.5)
    assert black["reference_rate"] is None and black["rri"] is None
    shown = public(table)
    row = pick(shown, "declination", "black")
    assert (row["numerator"], row["base"], row["reference_numerator"], row["reference_base"]) == (
        10,
        20,
        None,
        20,
    )


def test_zero_bases_give_null_not_an_error() -> None:
    # black: 10 referrals, none decided: every base is 0. white: 20 decided, 10 declined
    undecided = [{**r, "decision": None, "filed": None} for r in cases(10, 0)]
    table = rri(frame(undecided, cases(20, 10, race="white")), min_cell=0)
    black = pick(table, "declination", "black")
    assert (black["numerator"], black["base"], black["rate"], black["rri"]) == (0, 0, None, None)
    assert black["note"] == "no cases at the stage before in this group"
    # nobody was offered diversion or convicted: acceptance and incarceration have 0 bases everywhere
    for point in ("acceptance", "incarceration"):
        for group in ("black", "white"):
            r = pick(table, point, group)
            assert (r["base"], r["rate"], r["rri"]) == (0, None, None)
    # an empty frame gives an empty table
    assert rri(frame()).height == 0


def test_zero_reference_rate() -> None:
    # black 10, 3 declined -> 0.3; white 20, none declined -> 0.0: no ratio
    table = rri(frame(cases(10, 3), cases(20, 0, race="white")), min_cell=0)
    black = pick(table, "declination", "black")
    assert black["rate"] == pytest.approx(0.3)
    assert black["reference_rate"] == 0.0
    assert black["rri"] is None and black["ci_low"] is None
    assert black["note"] == "reference rate is zero: no ratio"
    # a zero group count: RRI 0 (0/10 over 10/20), no interval (ln 0)
    table = rri(frame(cases(10, 0), cases(20, 10, race="white")), min_cell=0)
    black = pick(table, "declination", "black")
    assert (black["rri"], black["ci_low"], black["note"]) == (0.0, None, "zero count: no confidence interval")


def test_mantel_haenszel_tells_a_difference_explained_by_the_charge() -> None:
    # Simpson's paradox. Within each offence kind both groups are declined at the same rate:
    #   possession: black 80, 40 declined (0.5); white 20, 10 declined (0.5) -> RRI 1.0
    #   delivery:   black 20,  2 declined (0.1); white 80,  8 declined (0.1) -> RRI 1.0
    # but black referrals are mostly possession: crude black 42/100 = 0.42, white 18/100 = 0.18,
    # crude RRI = 0.42 / 0.18 = 2.3333.
    # MH: Σ a·n2/N = 40·20/100 + 2·80/100 = 8 + 1.6 = 9.6; Σ c·n1/N = 10·80/100 + 8·20/100 = 8 + 1.6 = 9.6
    #     RR_MH = 9.6 / 9.6 = 1.0
    # Var(ln RR_MH) = Σ (n1·n2·(a+c) - a·c·N) / N² / (9.6·9.6)
    #   possession (80·20·50 - 40·10·100) / 100² = (80000 - 40000) / 10000 = 4.0
    #   delivery   (20·80·10 -  2· 8·100) / 100² = (16000 -  1600) / 10000 = 1.44
    #   = 5.44 / 92.16 = 0.0590278, se = 0.242956; CI = exp(± 1.959964 · 0.242956) = (0.621148, 1.609922)
    data = frame(
        cases(80, 40, offense_kind="possession"),
        cases(20, 10, race="white", offense_kind="possession"),
        cases(20, 2, offense_kind="delivery"),
        cases(80, 8, race="white", offense_kind="delivery"),
    )
    table = rri(data, within="offense_kind", min_cell=2)
    crude = pick(table, "declination", "black")
    assert (crude["numerator"], crude["base"]) == (42, 100)
    assert crude["rri"] == pytest.approx(42 / 18)
    for stratum in ("possession", "delivery"):
        assert pick(table, "declination", "black", "stratum", stratum)["rri"] == pytest.approx(1.0)
    mh = pick(table, "declination", "black", "mantel_haenszel")
    assert mh["rri"] == pytest.approx(1.0)
    assert (mh["numerator"], mh["base"], mh["reference_numerator"], mh["reference_base"]) == (
        42,
        100,
        18,
        100,
    )
    se = math.sqrt(5.44 / 92.16)
    assert (mh["ci_low"], mh["ci_high"]) == pytest.approx((math.exp(-Z95 * se), math.exp(Z95 * se)))
    assert (mh["ci_low"], mh["ci_high"]) == pytest.approx((0.621148, 1.609922), abs=1e-6)
    assert mh["within"] == "offense_kind"
    # the crude RRI with within=None is the same figure
    assert pick(rri(data, min_cell=2), "declination", "black")["rri"] == pytest.approx(42 / 18)


def test_mantel_haenszel_keeps_a_difference_the_charge_does_not_explain() -> None:
    # possession: black 20, 10 declined (0.5) vs white 20, 5 (0.25) -> 2.0
    # delivery:   black 20,  4 declined (0.2) vs white 20, 2 (0.1)  -> 2.0
    # MH: Σ a·n2/N = 10·20/40 + 4·20/40 = 5 + 2 = 7; Σ c·n1/N = 5·20/40 + 2·20/40 = 2.5 + 1 = 3.5 -> 2.0
    data = frame(
        cases(20, 10, offense_kind="possession"),
        cases(20, 5, race="white", offense_kind="possession"),
        cases(20, 4, offense_kind="delivery"),
        cases(20, 2, race="white", offense_kind="delivery"),
    )
    table = rri(data, within="offense_kind", min_cell=2)
    assert pick(table, "declination", "black", "mantel_haenszel")["rri"] == pytest.approx(2.0)
    assert pick(table, "declination", "black")["rri"] == pytest.approx(14 / 7)  # crude 14/40 over 7/40


def test_within_seller_role_and_small_strata() -> None:
    # user: black 10, 5 declined; white 10, 5 declined. street_seller: black 3, 1 declined; white 10, 2.
    # With min_cell 5 the street_seller stratum is suppressed, but it still enters the pooled MH estimate:
    #   Σ a·n2/N = 5·10/20 + 1·10/13 = 2.5 + 0.769231 = 3.269231
    #   Σ c·n1/N = 5·10/20 + 2·3/13  = 2.5 + 0.461538 = 2.961538 -> RR_MH = 1.103896
    data = frame(
        cases(10, 5, seller_role="user"),
        cases(10, 5, race="white", seller_role="user"),
        cases(3, 1, seller_role="street_seller"),
        cases(10, 2, race="white", seller_role="street_seller"),
    )
    table = rri(data, within="seller_role")
    assert pick(table, "declination", "black", "stratum", "street_seller")["suppressed"] is True
    assert pick(table, "declination", "black", "stratum", "user")["rri"] == pytest.approx(1.0)
    mh = pick(table, "declination", "black", "mantel_haenszel")
    # MH totals: black 6 of 13, white 7 of 20: all at least 5, so shown
    assert mh["suppressed"] is False
    assert mh["rri"] == pytest.approx((2.5 + 10 / 13) / (2.5 + 6 / 13))


def test_each_decision_point_uses_the_stage_before_as_its_base() -> None:
    # 10 black and 10 white cases, same path per index:
    #   0-1 declined; 2-9 not declined; 2-7 offered; 2-5 accepted; 2-3 completed, 4 terminated, 5 still in;
    #   6-9 charged and filed; 6-8 disposed: 6, 7 plea guilty (6 jail), 8 found not guilty
    def path(race: str) -> list[dict[str, Any]]:
        rows = []
        for i in range(10):
            rows.append(
                {
                    "case_key": f"{race}{i}",
                    "race": race,
                    "received_date": dt.date(2024, 1, 1),
                    "decision": "declined" if i < 2 else "diverted_pre_filing" if i < 6 else "charged",
                    "diversion_offered": 2 <= i <= 7,
                    "diversion_accepted": 2 <= i <= 5,
                    "diversion_completed": True if i in (2, 3) else False if i == 4 else None,
                    "filed": i >= 6,
                    "disposition": {6: "plea_guilty", 7: "plea_guilty", 8: "finding_not_guilty"}.get(i),
                    "incarcerated": i == 6,
                }
            )
        return rows

    table = rri(conform(pl.DataFrame(path("black") + path("white"))), min_cell=0)
    expected = {
        "declination": (2, 10),  # declined of decided
        "diversion_offer": (6, 8),  # offered of not declined
        "acceptance": (4, 6),  # accepted of offered
        "completion": (2, 3),  # completed of those with a known outcome (5 is still in)
        "charge": (4, 10),  # filed of decided
        "plea": (2, 3),  # plea of filed and disposed
        "incarceration": (1, 2),  # jail of convictions (6, 7)
    }
    assert [p.id for p in DECISION_POINTS] == list(expected)
    for point, counts in expected.items():
        r = pick(table, point, "black")
        assert (r["numerator"], r["base"]) == counts, point
        assert r["rri"] == pytest.approx(1.0), point


def test_other_breakdowns_and_periods() -> None:
    # by sex, reference male: female 10, 5 declined (0.5); male 20, 5 declined (0.25) -> 2.0
    data = frame(
        cases(10, 5, sex="female", age=30),
        cases(20, 5, race="white", sex="male", age=19),
    )
    by_sex = rri(data, by="sex", reference="male")
    assert pick(by_sex, "declination", "female")["rri"] == pytest.approx(2.0)
    assert set(by_sex["group_by"]) == {"sex"} and set(by_sex["reference_group"]) == {"male"}
    by_age = rri(data, by="age_band", reference="18_24")
    assert pick(by_age, "declination", "25_34")["rri"] == pytest.approx(2.0)
    # periods split the counts: every case was received in 2024
    by_year = rri(data, by="sex", reference="male", period="year")
    assert set(by_year["period"]) == {"2024"}
    assert pick(by_year, "declination", "female")["base"] == 10


def test_public_blanks_only_small_counts() -> None:
    table = rri(frame(cases(10, 3), cases(20, 10, race="white")), min_cell=5)
    shown = public(table, min_cell=5)
    black = pick(shown, "declination", "black")
    assert (black["numerator"], black["base"], black["reference_numerator"]) == (None, 10, 10)
    assert black["suppressed"] is True and black["rri"] is None
    # zero is a small count too
    assert pick(shown, "completion", "black")["base"] is None
