"""What the dashboards' filters mean, how the metric and RRI tables are laid out, and the Justice Counts
rows: core rules the analytics pages only format (core.analytics.filters, shaping, justice_counts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from offramp.core.analytics import compute, conform, disparity, metrics, shaping
from offramp.core.analytics import filters as f
from offramp.core.analytics import justice_counts as jc

D = dt.date


def case(key: str, race: str, received: dt.date, agency: str, **facts: Any) -> dict[str, Any]:
    return {
        "case_key": key,
        "race": race,
        "sex": "male",
        "received_date": received,
        **facts,
        "agency": agency,
    }


# 2024: k1-k4 (CPD: k1-k3; Sheriff: k4), 2025: k5 (Sheriff). k1 declined; k2 diverted; k3 plea; k4 dismissed.
ROWS = [
    case("k1", "black", D(2024, 1, 10), "CPD", decision="declined", drug="fentanyl", offense_kind="possession"),
    case("k2", "black", D(2024, 2, 1), "CPD", decision="diverted_pre_filing", drug="heroin", offense_kind="possession"),
    case("k3", "white", D(2024, 3, 1), "CPD", decision="charged", filed=True, disposition="plea_guilty",
         drug="fentanyl", offense_kind="delivery"),
    case("k4", "white", D(2024, 12, 31), "Sheriff", decision="charged", filed=True, disposition="dismissed",
         drug="cocaine", offense_kind="possession"),
    case("k5", "white", D(2025, 1, 15), "Sheriff", drug="cocaine", offense_kind="possession"),
]  # fmt: skip


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    agency = pl.DataFrame({"case_key": [r["case_key"] for r in ROWS], "agency": [r["agency"] for r in ROWS]})
    rows = [{k: v for k, v in r.items() if k != "agency"} for r in ROWS]
    return conform(pl.DataFrame(rows)).join(agency, on="case_key", how="left", maintain_order="left")


def keys(frame: pl.DataFrame, filters: f.Filters) -> list[str]:
    return sorted(filters.apply(frame).collect()["case_key"].to_list())


def test_an_empty_filter_keeps_every_case_and_each_filter_narrows(frame: pl.DataFrame) -> None:
    assert keys(frame, f.Filters()) == ["k1", "k2", "k3", "k4", "k5"]
    assert keys(frame, f.Filters(unit="Sheriff")) == ["k4", "k5"]
    assert keys(frame, f.Filters(drug="fentanyl")) == ["k1", "k3"]
    assert keys(frame, f.Filters(offense_kind="possession", drug="cocaine")) == ["k4", "k5"]


def test_the_date_range_is_inclusive_on_the_received_date(frame: pl.DataFrame) -> None:
    assert keys(frame, f.Filters(date_from=D(2024, 3, 1), date_to=D(2024, 12, 31))) == ["k3", "k4"]


def test_the_unit_filter_reads_the_first_unit_column_and_keeps_all_without_one(frame: pl.DataFrame) -> None:
    assert f.unit_column(frame) == "agency" and f.units(frame) == ["CPD", "Sheriff"]
    bare = frame.drop("agency")
    assert f.unit_column(bare) is None and f.units(bare) == []
    assert keys(bare, f.Filters(unit="Sheriff")) == ["k1", "k2", "k3", "k4", "k5"]


def test_periods_and_the_audit_detail() -> None:
    assert (
        f.Filters(period="all").core_period is None and f.Filters(period="quarter").core_period == "quarter"
    )
    with pytest.raises(ValueError, match="expected year, quarter, month or all"):
        _ = f.Filters(period="week").core_period
    assert (f.Filters(period="month").justice_counts_period, f.Filters().justice_counts_period) == (
        "month",
        "year",
    )
    assert f.Filters(drug="heroin", date_from=D(2024, 1, 1)).as_detail() == {
        "period": "year", "drug": "heroin", "date_from": "2024-01-01", "by": "all",
    }  # fmt: skip


def test_a_disparity_breakdown_without_a_reference_group_falls_back_to_race() -> None:
    assert f.disparity_breakdown("sex") == ("sex", "male")
    assert f.disparity_breakdown("drug") == ("race", "white")


def test_a_metric_page_is_one_row_per_period_and_group(frame: pl.DataFrame) -> None:
    chosen = [metrics.METRICS_BY_ID["jc_cases_referred"], metrics.METRICS_BY_ID["jc_cases_declined"]]
    result = compute(frame, chosen, by=("all", "race"), period="year")
    rows = shaping.pivot_metrics(result, "race")
    assert [(r.period, r.group) for r in rows] == [("2024", "black"), ("2024", "white"), ("2025", "white")]
    assert (
        rows[0].cells["jc_cases_referred"]["value"] == 2 and rows[0].cells["jc_cases_declined"]["value"] == 1
    )
    assert [(r.period, r.group) for r in shaping.pivot_metrics(result, "all")] == [
        ("2024", "all"),
        ("2025", "all"),
    ]


def test_the_rri_rows_split_into_main_and_strata_and_the_chart_shows_the_latest_period() -> None:
    rows = [
        {"decision_point": "diversion_offer", "period": p, "estimate": e, "group": g, "rri": 1.0}
        for p in ("2023", "2024")
        for e in ("crude", "mantel_haenszel", "stratum")
        for g in ("white", "black")
    ]
    main, strata = shaping.split_rri(pl.DataFrame(rows))
    assert len(main) == 8 and len(strata) == 4 and {r["estimate"] for r in strata} == {"stratum"}
    shown, latest = shaping.rri_chart_rows(main, "white", within=None)
    assert latest == "2024" and [(r["estimate"], r["group"]) for r in shown] == [("crude", "black")]
    assert shown[0]["decision_point_name"] == next(
        p.name for p in disparity.DECISION_POINTS if p.id == "diversion_offer"
    )
    shown, _ = shaping.rri_chart_rows(main, "white", within="offense_kind")
    assert [r["estimate"] for r in shown] == ["mantel_haenszel"]
    assert shaping.rri_chart_rows([], "white", None) == ([], None)


def test_justice_counts_rows_add_up_and_use_its_vocabulary(frame: pl.DataFrame) -> None:
    rows = jc.justice_counts(frame, "year")
    table = {(r[0], r[1], r[3], r[4], r[5]): r[6] for r in rows}
    assert all(len(r) == len(jc.JC_HEADERS) for r in rows)
    assert table[("Cases Referred", "2024", "", "", "")] == "4"
    assert table[("Cases Referred", "2024", "", "", "Black")] == "2"
    assert table[("Cases Referred", "2024", "", "Male", "")] == "4"
    assert table[("Cases Declined", "2024", "", "", "")] == "1"
    disposed = int(table[("Cases Disposed", "2024", "", "", "")])
    kinds = [
        int(table[("Cases Disposed", "2024", k, "", "")]) for k in ("Dismissal", "Plea", "Trial", "Other")
    ]
    assert sum(kinds) == disposed and kinds[1] == 1
    monthly = jc.justice_counts(frame, "month")
    assert ["Cases Referred", "2024", "12", "", "", "", "1", "jc_cases_referred"] in monthly


def test_the_transparency_inputs_cover_every_case(frame: pl.DataFrame) -> None:
    counts, rates, rri = shaping.transparency_inputs(frame, 5)
    assert set(counts["metric"].unique()) == set(jc.JC_METRICS)
    assert set(rates["metric"].unique()) == set(shaping.TRANSPARENCY_RATES)
    assert set(rri["group"].unique()) >= {"white", "black"}
