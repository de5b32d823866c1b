"""Metrics on a small dataset whose every figure is computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from offramp.core.analytics import (
    ANALYTICS_SCHEMA,
    COLUMN_MEANINGS,
    METRICS,
    METRICS_BY_ID,
    AgeBand,
    age_band,
    age_band_of,
    compute,
    conform,
    definitions_markdown,
    period_expr,
)
from offramp.core.analytics.metrics import Aggregation, MetricGroup

D = dt.date


def case(key: str, race: str, received: dt.date, **facts: Any) -> dict[str, Any]:
    return {"case_key": key, "race": race, "received_date": received, **facts}


# Six cases. 2024: k1-k5 (black k1-k3, white k4-k5); 2025: k6 (white).
#   k1 declined after 10 days
#   k2 diverted pre-filing after 4 days; offered, accepted, completed; 180 days in program; no new case in 1 y
#   k3 charged after 30 days; offered, refused; plea guilty, jail; overdose risk, naloxone given
#   k4 charged after 2 days; trial conviction, no jail; overdose risk, MOUD linked; victim contacted on day 7;
#      restitution 100 ordered, 25 collected
#   k5 diverted pre-filing after 1 day; offered, accepted, terminated and returned after 30 days in program;
#      new case within 1 y; then filed and dismissed
#   k6 undecided; a victim not yet contacted
ROWS = [
    case("k1", "black", D(2024, 1, 10), decision="declined", decided_on=D(2024, 1, 20)),
    case("k2", "black", D(2024, 2, 1), decision="diverted_pre_filing", decided_on=D(2024, 2, 5),
         diversion_offered=True, diversion_accepted=True, diversion_completed=True,
         program_entered_on=D(2024, 2, 10), program_exited_on=D(2024, 8, 8), new_case_within_1y=False),
    case("k3", "black", D(2024, 3, 1), decision="charged", decided_on=D(2024, 3, 31), filed=True,
         diversion_offered=True, diversion_accepted=False, disposition="plea_guilty", incarcerated=True,
         overdose_risk=True, naloxone_given=True, moud_linked=False),
    case("k4", "white", D(2024, 4, 1), decision="charged", decided_on=D(2024, 4, 3), filed=True,
         disposition="finding_guilty", incarcerated=False, overdose_risk=True, naloxone_given=False,
         moud_linked=True, victim_involved=True, victim_contacted_on=D(2024, 4, 8),
         restitution_ordered_usd=100.0, restitution_collected_usd=25.0),
    case("k5", "white", D(2024, 5, 1), decision="diverted_pre_filing", decided_on=D(2024, 5, 2),
         diversion_offered=True, diversion_accepted=True, diversion_completed=False, diversion_returned=True,
         program_entered_on=D(2024, 5, 10), program_exited_on=D(2024, 6, 9), new_case_within_1y=True,
         filed=True, disposition="dismissed"),
    case("k6", "white", D(2025, 1, 15), victim_involved=True),
]  # fmt: skip


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return compute(conform(pl.DataFrame(ROWS)), by=("all", "race"), period="year")


def row(table: pl.DataFrame, metric: str, period: str = "2024", group: str = "all") -> dict[str, Any]:
    found = table.filter(
        (pl.col("metric") == metric) & (pl.col("period") == period) & (pl.col("group") == group)
    )
    assert found.height == 1, (metric, period, group, found)
    return found.row(0, named=True)


def value(table: pl.DataFrame, metric: str, period: str = "2024", group: str = "all") -> Any:
    return row(table, metric, period, group)["value"]


def test_result_columns(table: pl.DataFrame) -> None:
    assert table.columns == [
        "metric",
        "period",
        "group_by",
        "group",
        "numerator",
        "denominator",
        "value",
        "unit",
    ]
    # one row per metric x period x group: 2024 has all, black, white; 2025 has all, white
    assert table.height == len(METRICS) * 5
    assert table.select("metric", "period", "group_by", "group").is_duplicated().sum() == 0


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("jc_cases_referred", 5),  # k1-k5
        ("jc_cases_declined", 1),  # k1
        ("jc_cases_diverted_pre_filing", 2),  # k2, k5
        ("jc_cases_diverted_post_filing", 0),
        ("jc_cases_disposed", 3),  # k3, k4, k5
        ("jc_cases_disposed_dismissal", 1),  # k5
        ("jc_cases_disposed_plea", 1),  # k3
        ("jc_cases_disposed_trial", 1),  # k4
        ("health_overdose_risk_cases", 2),  # k3, k4
        ("health_naloxone_given", 1),  # k3
        ("health_moud_linked", 1),  # k4
        ("restitution_ordered_usd", 100.0),
        ("restitution_collected_usd", 25.0),
    ],
)
def test_counts_and_sums_2024(table: pl.DataFrame, metric: str, expected: float) -> None:
    r = row(table, metric)
    assert r["value"] == expected
    assert r["numerator"] == expected
    assert r["denominator"] is None


@pytest.mark.parametrize(
    ("metric", "numerator", "denominator"),
    [
        ("ppi_2_2_declination_rate", 1, 5),  # k1 of the five decided
        ("ppi_2_4_incarceration_share", 1, 2),  # convictions k3 (jail), k4
        ("ppi_2_5_diversion_completion", 1, 2),  # participants with an outcome: k2 (done), k5 (not)
        ("ppi_4_4_new_case_1y", 1, 2),  # exits k2, k5; k5 had a new case
        ("ppi_4_7_naloxone_rate", 1, 2),  # at risk k3, k4; naloxone k3
        ("ppi_4_7_moud_rate", 1, 2),  # MOUD k4
        ("ppi_5_1_victim_contact_rate", 1, 1),  # k4
        ("ppi_7_3_filing_rate", 3, 5),  # k3, k4, k5 filed
        ("ppi_7_5_diversion_rate", 2, 5),  # k2, k5
        ("ppi_7_6_plea_rate", 1, 3),  # filed and disposed k3, k4, k5; plea k3
        ("diversion_offer_rate", 3, 4),  # not declined k2-k5; offered k2, k3, k5
        ("diversion_acceptance_rate", 2, 3),  # accepted k2, k5
        ("diversion_completion_rate", 1, 2),
        ("diversion_return_rate", 1, 2),  # k5
        ("restitution_collection_rate", 25, 100),
    ],
)
def test_rates_2024(table: pl.DataFrame, metric: str, numerator: int, denominator: int) -> None:
    r = row(table, metric)
    assert (r["numerator"], r["denominator"]) == (numerator, denominator)
    assert r["value"] == pytest.approx(numerator / denominator)
    assert r["unit"] == "rate"


def test_medians_2024(table: pl.DataFrame) -> None:
    # days to decision 10, 4, 30, 2, 1 -> sorted 1, 2, 4, 10, 30 -> median 4; all five measured of five
    r = row(table, "days_receipt_to_decision")
    assert (r["value"], r["numerator"], r["denominator"], r["unit"]) == (4.0, 5, 5, "days")
    # days in program: k2 10 Feb -> 8 Aug 2024 = 180 (leap year), k5 10 May -> 9 Jun = 30; median 105
    assert value(table, "days_in_program") == 105.0
    # victim contact: k4 received 1 Apr, contacted 8 Apr = 7 days
    assert value(table, "ppi_5_2_days_to_victim_contact") == 7.0


def test_zero_denominators_give_null_not_error(table: pl.DataFrame) -> None:
    # no 3-year window has elapsed for anyone: 0 / 0
    r = row(table, "ppi_4_4_new_case_3y")
    assert (r["numerator"], r["denominator"], r["value"]) == (0, 0, None)
    # 2025: k6 only, undecided: no decided cases, no convictions, no participants
    for metric in ("ppi_2_2_declination_rate", "ppi_2_4_incarceration_share", "diversion_completion_rate"):
        r = row(table, metric, period="2025")
        assert (r["denominator"], r["value"]) == (0, None), metric
    # the median of nothing measured: k6 is eligible (referred) but has no decision date
    r = row(table, "days_receipt_to_decision", period="2025")
    assert (r["value"], r["numerator"], r["denominator"]) == (None, 0, 1)
    # a victim not contacted: 0 / 1 = 0.0, not null
    assert value(table, "ppi_5_1_victim_contact_rate", period="2025") == 0.0
    # black cases have no restitution ordered: 0 / 0
    assert value(table, "restitution_collection_rate", group="black") is None


def test_breakdown_by_race(table: pl.DataFrame) -> None:
    # black 2024: k1-k3, one declined of three; conviction k3 with jail (1/1)
    assert value(table, "jc_cases_referred", group="black") == 3
    assert value(table, "ppi_2_2_declination_rate", group="black") == pytest.approx(1 / 3)
    assert value(table, "ppi_2_4_incarceration_share", group="black") == 1.0
    # white 2024: k4, k5, none declined; conviction k4 without jail (0/1)
    assert value(table, "ppi_2_2_declination_rate", group="white") == 0.0
    assert value(table, "ppi_2_4_incarceration_share", group="white") == 0.0
    # every count metric's groups add up to the whole
    counts = table.filter(pl.col("unit") == "count")
    by_group = (
        counts.filter(pl.col("group_by") == "race").group_by("metric", "period").agg(pl.col("value").sum())
    )
    whole = counts.filter(pl.col("group_by") == "all").select("metric", "period", "value")
    joined = whole.join(by_group, on=["metric", "period"], suffix="_sum")
    assert joined.height == whole.height
    assert (joined["value"] == joined["value_sum"]).all()


def test_periods() -> None:
    frame = conform(pl.DataFrame(ROWS))
    quarters = compute(frame, metrics=[METRICS_BY_ID["jc_cases_referred"]], by=("all",), period="quarter")
    # Q1 2024: k1, k2, k3; Q2: k4, k5; 2025-Q1: k6
    assert dict(zip(quarters["period"], quarters["value"], strict=True)) == {
        "2024-Q1": 3,
        "2024-Q2": 2,
        "2025-Q1": 1,
    }
    months = compute(frame, metrics=[METRICS_BY_ID["jc_cases_referred"]], by=("all",), period="month")
    assert months["period"].to_list() == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2025-01"]
    overall = compute(frame, by=("all",), period=None)
    assert value(overall, "jc_cases_referred", period="all") == 6
    # a lazy frame gives the same table
    assert compute(frame.lazy(), period=None).equals(compute(frame, period=None))


def test_breakdown_by_age_band_and_sex() -> None:
    frame = conform(
        pl.DataFrame(
            [
                {
                    "case_key": "a",
                    "received_date": D(2024, 1, 1),
                    "age": 17,
                    "sex": "male",
                    "decision": "declined",
                },
                {
                    "case_key": "b",
                    "received_date": D(2024, 1, 1),
                    "age": 18,
                    "sex": "female",
                    "decision": "charged",
                },
                {
                    "case_key": "c",
                    "received_date": D(2024, 1, 1),
                    "age": 24,
                    "sex": None,
                    "decision": "declined",
                },
            ]
        )
    )
    table = compute(
        frame, metrics=[METRICS_BY_ID["ppi_2_2_declination_rate"]], by=("age_band", "sex"), period=None
    )
    got = {
        (r["group_by"], r["group"]): (r["numerator"], r["denominator"]) for r in table.iter_rows(named=True)
    }
    assert got == {
        ("age_band", "under_18"): (1, 1),
        ("age_band", "18_24"): (1, 2),  # 18 charged, 24 declined
        ("sex", "male"): (1, 1),
        ("sex", "female"): (0, 1),
        ("sex", "unknown"): (1, 1),  # null sex is reported as unknown
    }


def test_empty_frame_and_no_metrics() -> None:
    empty = conform(pl.DataFrame(schema={"case_key": pl.String}))
    assert compute(empty).height == 0
    assert compute(conform(pl.DataFrame(ROWS)), metrics=[]).height == 0


# --- definitions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.id)
def test_every_metric_has_a_definition_page(metric: Any) -> None:
    page = metric.definition_markdown()
    for text in (
        metric.name,
        metric.definition,
        metric.numerator_text,
        metric.denominator_text,
        metric.reference,
    ):
        assert text.strip(), metric.id
        assert text in page
    assert "Numerator:" in page and "Denominator:" in page and "Reference:" in page
    # the page shows the expression that computes it and describes every column it reads
    assert "numerator   =" in page
    assert metric.columns, metric.id
    for column in metric.columns:
        assert column in ANALYTICS_SCHEMA
        assert COLUMN_MEANINGS[column] in page
    if metric.aggregation in (Aggregation.RATE, Aggregation.MEDIAN):
        assert "denominator =" in page


def test_registry_covers_the_issue() -> None:
    ids = set(METRICS_BY_ID)
    assert len(ids) == len(METRICS)
    assert {m.group for m in METRICS} == set(MetricGroup)
    for needed in ("2_2", "2_4", "2_5", "4_4", "4_7", "5_1", "5_2", "7_3", "7_5", "7_6"):
        assert any(f"ppi_{needed}" in i for i in ids), needed
    breakdowns = {m.id for m in METRICS if m.is_breakdown}
    assert breakdowns == {"ppi_7_3_filing_rate", "ppi_7_5_diversion_rate", "ppi_7_6_plea_rate"}
    assert "Breakdown:" in METRICS_BY_ID["ppi_7_3_filing_rate"].definition_markdown()
    page = definitions_markdown()
    assert all(f"## {m.name}" in page for m in METRICS)


# --- the frame ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [(None, "unknown"), (-1, "unknown"), (0, "under_18"), (17, "under_18"), (18, "18_24"), (24, "18_24"),
     (25, "25_34"), (34, "25_34"), (35, "35_44"), (44, "35_44"), (45, "45_54"), (54, "45_54"),
     (55, "55_plus"), (90, "55_plus")],
)  # fmt: skip
def test_age_band_boundaries(age: int | None, band: str) -> None:
    got = pl.select(age_band(pl.lit(age, pl.Int32))).item()
    assert got == band
    assert age_band_of(age) == AgeBand(band)


def test_conform_keeps_only_the_schema_and_checks_values() -> None:
    raw = pl.DataFrame({"case_key": ["x"], "person_name": ["Jane Doe"], "age": [30], "race": [None]})
    out = conform(raw)
    assert conform(pl.DataFrame({"person_name": ["a", "b", "c"]})).height == 3  # missing columns, same rows
    assert conform(pl.DataFrame()).height == 0
    assert out.schema == pl.Schema(ANALYTICS_SCHEMA)
    assert "person_name" not in out.columns and "age" not in out.columns
    assert out.row(0, named=True)["age_band"] == "25_34"
    assert out.row(0, named=True)["race"] == "unknown"
    with pytest.raises(ValueError, match=r"decision: \['filed'\]"):
        conform(pl.DataFrame({"case_key": ["x"], "decision": ["filed"]}))
    with pytest.raises(ValueError, match="disposition"):
        conform(pl.DataFrame({"case_key": ["x"], "disposition": ["acquitted"]}))


def test_every_column_is_documented() -> None:
    assert set(COLUMN_MEANINGS) == set(ANALYTICS_SCHEMA)
    assert all(len(text) > 15 for text in COLUMN_MEANINGS.values())


def test_period_expr_rejects_unknown_periods() -> None:
    with pytest.raises(ValueError, match="period"):
        period_expr("week")  # type: ignore[arg-type]
