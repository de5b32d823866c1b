"""The synthetic case generator: deterministic, accepted by the offramp-csv intake, and shaped like the
distributions documented in offramp.core.generate (targets below are the ones in its docstring table)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from offramp.core.evaluation.frame import case_frame, frame_from_offramp_rows
from offramp.core.generate import (
    DISPOSITION_COLUMNS,
    GENERATED_LATER_FACTS,
    generate_cases,
    tables,
    write_cases_csv,
)
from offramp.core.intake import offramp_csv

SELLER_KINDS = ["possession_with_intent", "delivery", "trafficking", "manufacture"]


@pytest.fixture(scope="module")
def cases() -> pl.DataFrame:
    """50,000 cases with their latent role: large enough that shares sit within a point of target."""
    return generate_cases(50_000, 20240601, include_role=True)


def share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    return float(frame.select(condition.cast(pl.Float64).mean()).item())


def test_it_returns_the_same_frame_for_the_same_seed() -> None:
    first = generate_cases(3_000, 42)
    second = generate_cases(3_000, 42)
    assert first.equals(second)


def test_it_writes_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    write_cases_csv(generate_cases(2_000, 42), tmp_path / "a.csv")
    write_cases_csv(generate_cases(2_000, 42), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_it_returns_a_different_frame_for_another_seed() -> None:
    first = generate_cases(3_000, 42)
    other = generate_cases(3_000, 43)
    assert not first.equals(other)
    differing = (first["narrative"] != other["narrative"]).sum()
    assert differing > 2_000


def test_it_has_the_offramp_csv_columns_in_order_and_typed() -> None:
    frame = generate_cases(500, 1)
    assert frame.columns == [*offramp_csv.REQUIRED_HEADER, "agency", *GENERATED_LATER_FACTS]
    assert frame.schema["received_date"] == pl.Date
    assert frame.schema["weapon"] == pl.Boolean
    assert frame.schema["organizer_role"] == pl.Boolean
    assert frame.schema["quantity_g"] == pl.Float64
    assert frame.schema["prior_felonies"] == pl.Int32
    assert frame.schema["birth_year"] == pl.Int32


def test_it_adds_the_latent_role_only_when_asked() -> None:
    assert "latent_role" not in generate_cases(100, 1).columns
    roles = generate_cases(2_000, 1, include_role=True)["latent_role"]
    assert set(roles.unique().to_list()) <= set(tables.ROLES)


def test_it_writes_a_file_the_intake_accepts_without_warnings(tmp_path: Path) -> None:
    frame = generate_cases(5_000, 7)
    path = tmp_path / "cases.csv"
    write_cases_csv(frame, path)

    batch = offramp_csv.parse(path)

    assert batch.cases.height == 5_000
    assert batch.persons.height == frame["person_id"].n_unique()
    assert batch.warnings.height == 0
    assert batch.cases["case_key"].to_list() == frame["case_id"].to_list()
    assert batch.cases["agency"].to_list() == frame["agency"].to_list()
    assert batch.charges["quantity"].equals(frame["quantity_g"], check_names=False)
    assert batch.cases["weapon"].equals(frame["weapon"])
    assert batch.cases["days_since_release"].equals(frame["days_since_release"])


def test_it_writes_the_header_and_plain_values(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    write_cases_csv(generate_cases(3_000, 5), path)
    raw = pl.read_csv(path, infer_schema=False).fill_null("")

    assert path.read_text().splitlines()[0] == ",".join(
        [*offramp_csv.REQUIRED_HEADER, "agency", *GENERATED_LATER_FACTS]
    )
    assert set(raw["weapon"].unique().to_list()) == {"true", "false", ""}
    assert raw["received_date"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    numbers = pl.concat([raw["quantity_g"], raw["cash_usd"]])
    numbers = numbers.filter(numbers != "")
    assert numbers.len() > 5_000
    assert not numbers.str.ends_with(".0").any()
    assert not numbers.str.contains(r"\.\d{3,}$").any()
    assert raw["cash_usd"].str.contains(r"^(\d+)?$").all()


def test_it_numbers_cases_uniquely_within_each_year() -> None:
    frame = generate_cases(4_000, 3, case_prefix="DKB")
    ids = frame["case_id"]
    assert ids.n_unique() == 4_000
    assert ids.str.contains(r"^DKB-\d{4}-\d{6}$").all()
    assert (ids.str.slice(4, 4).cast(pl.Int32) == frame["received_date"].dt.year()).all()
    assert ids.head(1).item() == f"DKB-{frame['received_date'].min().year}-000001"  # type: ignore[union-attr]


def test_it_keeps_dates_and_ages_in_range() -> None:
    start, end = dt.date(2024, 3, 1), dt.date(2024, 6, 30)
    frame = generate_cases(5_000, 9, start=start, end=end)
    assert frame["received_date"].min() == start
    assert frame["received_date"].max() == end
    age = (frame["received_date"].dt.year() - frame["birth_year"]).drop_nulls()
    assert age.min() == 18
    assert 60 <= age.max() <= 70  # type: ignore[operator]
    assert 25 <= age.median() <= 31  # type: ignore[operator]


def test_it_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_cases(-1, 1)
    with pytest.raises(ValueError, match="before start"):
        generate_cases(10, 1, start=dt.date(2025, 1, 2), end=dt.date(2025, 1, 1))


def test_it_returns_an_empty_frame_with_the_columns_for_zero_rows() -> None:
    frame = generate_cases(0, 1)
    assert frame.height == 0
    assert frame.columns == [*offramp_csv.REQUIRED_HEADER, "agency", *GENERATED_LATER_FACTS]


def test_it_gives_every_case_of_a_person_the_same_demographics(cases: pl.DataFrame) -> None:
    per_person = cases.group_by("person_id").agg(
        pl.len().alias("cases"),
        *(pl.col(c).n_unique().alias(c) for c in ("birth_year", "sex", "race", "ethnicity", "zip")),
    )
    repeated = per_person.filter(pl.col("cases") > 1)
    assert repeated.height > 4_000
    assert (
        repeated.select(pl.max_horizontal("birth_year", "sex", "race", "ethnicity", "zip").max()).item() == 1
    )
    repeat_share = 1 - cases["person_id"].n_unique() / cases.height
    assert repeat_share == pytest.approx(0.15, abs=0.005)


def test_it_draws_roles_at_the_documented_shares(cases: pl.DataFrame) -> None:
    role = pl.col("latent_role")
    assert share(cases, role == "user") == pytest.approx(0.78, abs=0.01)
    sellers = cases.filter(role != "user")
    assert share(sellers, role.is_in(["user_seller", "street_seller"])) == pytest.approx(0.47, abs=0.02)
    assert share(sellers, role == "mid_level") == pytest.approx(0.30, abs=0.02)
    assert share(sellers, role == "high_level") == pytest.approx(0.02, abs=0.006)


def test_it_makes_most_cases_possession(cases: pl.DataFrame) -> None:
    kind = pl.col("offense_kind")
    assert share(cases, kind.is_in(["possession", "paraphernalia"])) == pytest.approx(0.788, abs=0.01)
    assert share(cases, kind.is_in(SELLER_KINDS)) == pytest.approx(0.183, abs=0.01)
    assert share(cases, kind == "other") == pytest.approx(0.029, abs=0.004)
    users = cases.filter(pl.col("latent_role") == "user")
    assert users.filter(kind.is_in(SELLER_KINDS)).height == 0


def test_it_includes_fentanyl_at_the_documented_share(cases: pl.DataFrame) -> None:
    drug_cases = cases.filter(pl.col("drug") != "none")
    assert share(drug_cases, pl.col("drug") == "fentanyl") == pytest.approx(0.147, abs=0.01)
    assert share(drug_cases, pl.col("drug") == "cannabis") == pytest.approx(0.28, abs=0.01)
    no_drug = cases.filter(pl.col("offense_kind").is_in(["paraphernalia", "other"]))
    assert (no_drug["drug"] == "none").all()
    assert no_drug["quantity_g"].null_count() == no_drug.height


def test_it_gives_higher_roles_larger_amounts(cases: pl.DataFrame) -> None:
    median = cases.group_by("latent_role").agg(pl.col("quantity_g").median()).rows()
    by_role = dict(median)
    assert by_role["user"] < 1.5
    assert by_role["high_level"] > 100 * by_role["user"]
    assert by_role["user"] < by_role["street_seller"] < by_role["mid_level"] < by_role["high_level"]


def test_it_puts_every_trafficking_amount_over_the_georgia_line(cases: pl.DataFrame) -> None:
    lines = pl.DataFrame({"drug": [d.value for d in tables.DRUGS], "line": list(tables.TRAFFICKING_MIN_G)})
    trafficking = cases.filter(pl.col("offense_kind") == "trafficking").join(lines, on="drug")
    assert trafficking.height > 1_500
    assert trafficking["quantity_g"].null_count() == 0
    assert (trafficking["quantity_g"] >= trafficking["line"]).all()


def test_it_cites_a_statute_that_matches_the_offence(cases: pl.DataFrame) -> None:
    kind, statute = pl.col("offense_kind"), pl.col("statute")
    expected = {
        "possession": r"^16-13-(30\((a|j)\)|2\(b\))$",
        "possession_with_intent": r"^16-13-30\((b|j)\)$",
        "delivery": r"^16-13-30\((b|j)\)$",
        "manufacture": r"^16-13-30\((b|j)\)$",
        "trafficking": r"^16-13-31",
        "paraphernalia": r"^16-13-32\.2$",
    }
    for offense, pattern in expected.items():
        rows = cases.filter(kind == offense)
        assert rows.height > 100, offense
        assert rows.select(statute.str.contains(pattern).all()).item(), offense
    assert cases.filter(kind == "other")["statute"].str.contains(r"^16-13").sum() == 0


def test_it_makes_small_cannabis_possession_a_misdemeanor_and_most_else_felony(cases: pl.DataFrame) -> None:
    cannabis = cases.filter((pl.col("offense_kind") == "possession") & (pl.col("drug") == "cannabis"))
    small = cannabis.filter(pl.col("statute") == "16-13-2(b)")
    assert small.height > 0.9 * cannabis.height
    assert (small["severity"] == "misdemeanor").all()
    assert (small["quantity_g"].drop_nulls() <= tables.CANNABIS_MISDEMEANOR_G).all()
    assert (cases.filter(pl.col("offense_kind").is_in(SELLER_KINDS))["severity"] == "felony").all()
    assert share(cases, pl.col("severity") == "felony") == pytest.approx(0.71, abs=0.02)


def test_it_sets_organizer_role_only_for_higher_sellers_on_selling_charges(cases: pl.DataFrame) -> None:
    organizers = cases.filter(pl.col("organizer_role"))
    assert organizers.height > 100
    assert organizers["offense_kind"].is_in(SELLER_KINDS).all()
    assert organizers["latent_role"].is_in(["mid_level", "high_level"]).all()
    high = cases.filter(pl.col("latent_role") == "high_level")
    assert share(high.drop_nulls("organizer_role"), pl.col("organizer_role")) == pytest.approx(0.7, abs=0.07)


def test_it_makes_indicators_likelier_for_sellers_but_present_for_some_users(cases: pl.DataFrame) -> None:
    users = cases.filter(pl.col("latent_role") == "user").drop_nulls("packaging")
    street = cases.filter(pl.col("latent_role") == "street_seller").drop_nulls("packaging")
    assert share(users, pl.col("packaging")) == pytest.approx(0.06, abs=0.01)
    assert share(street, pl.col("packaging")) == pytest.approx(0.70, abs=0.03)
    assert share(users.drop_nulls("weapon"), pl.col("weapon")) < share(
        street.drop_nulls("weapon"), pl.col("weapon")
    )


def test_it_keeps_rare_facts_rare(cases: pl.DataFrame) -> None:
    minors = cases.filter(pl.col("sale_to_minor"))
    assert 0 < minors.height < 0.003 * cases.height
    assert minors["offense_kind"].is_in(["possession_with_intent", "delivery"]).all()
    assert share(cases.drop_nulls("near_school"), pl.col("near_school")) == pytest.approx(0.025, abs=0.005)
    assert share(cases.drop_nulls("victim_count"), pl.col("victim_count") == 0) > 0.9


def test_it_leaves_release_blank_for_most_and_recent_for_some(cases: pl.DataFrame) -> None:
    days = cases["days_since_release"]
    assert days.null_count() > 0.8 * cases.height
    assert (days <= 14).sum() > 0.005 * cases.height
    assert days.min() >= 0  # type: ignore[operator]


def test_it_records_injection_and_overdose_mainly_for_opioid_users(cases: pl.DataFrame) -> None:
    users = cases.filter(pl.col("latent_role") == "user").drop_nulls("injection_use")
    heroin = users.filter(pl.col("drug") == "heroin")
    cannabis = users.filter(pl.col("drug") == "cannabis")
    assert share(heroin, pl.col("injection_use")) == pytest.approx(0.45, abs=0.06)
    assert share(cannabis, pl.col("injection_use")) < 0.03
    opioid = users.filter(pl.col("drug").is_in(["fentanyl", "heroin"])).drop_nulls("prior_overdose")
    assert share(opioid, pl.col("prior_overdose")) > 3 * share(
        cannabis.drop_nulls("prior_overdose"), pl.col("prior_overdose")
    )


def test_it_draws_demographics_at_the_documented_shares(cases: pl.DataFrame) -> None:
    people = cases.unique("person_id")
    assert share(people.drop_nulls("sex"), pl.col("sex") == "male") == pytest.approx(0.757, abs=0.01)
    assert share(people.drop_nulls("race"), pl.col("race") == "black") == pytest.approx(0.261, abs=0.01)
    assert set(people["zip"].drop_nulls().unique().to_list()) <= set(tables.ZIPS)
    assert share(people, pl.col("ethnicity").is_null()) == pytest.approx(0.10, abs=0.01)


def test_it_mentions_recorded_facts_in_the_narrative(cases: pl.DataFrame) -> None:
    armed = cases.filter(pl.col("weapon"))
    unarmed = cases.filter(~pl.col("weapon").fill_null(False))
    assert armed["narrative"].str.contains("firearm recovered", literal=True).all()
    assert not unarmed["narrative"].str.contains("firearm recovered", literal=True).any()
    weighed = cases.filter(pl.col("quantity_g").is_not_null()).head(200)
    for narrative, grams in weighed.select("narrative", "quantity_g").iter_rows():
        assert re.search(rf"\({re.escape(f'{grams:g}')} g\)", narrative), narrative


def test_it_documents_shares_that_add_up() -> None:
    for row in (*tables.KIND_BY_ROLE, *tables.DRUG_BY_ROLE):
        assert sum(row) == pytest.approx(1.0)
    for shares in (tables.ROLE_SHARES, tables.SEX_SHARES, tables.RACE_SHARES, tables.AGENCY_SHARES):
        assert sum(shares) == pytest.approx(1.0)
    assert np.all(np.asarray(tables.KIND_BY_ROLE) >= 0)
    assert len(tables.ZIPS) == len(tables.ZIP_WEIGHTS)


def test_it_adds_dispositions_consistent_with_the_stage_only_when_asked(tmp_path: Path) -> None:
    plain = generate_cases(4_000, 11)
    frame = generate_cases(4_000, 11, include_disposition=True)
    assert frame.columns == [
        *offramp_csv.REQUIRED_HEADER,
        "agency",
        *GENERATED_LATER_FACTS,
        *DISPOSITION_COLUMNS,
    ]
    assert frame.drop(DISPOSITION_COLUMNS).equals(plain)
    disposed = pl.col("stage").is_in(["disposed", "closed"])
    assert frame.filter(disposed & pl.col("disposition").is_null()).is_empty()
    assert frame.filter(~disposed & pl.col("disposition").is_not_null()).is_empty()
    assert frame.filter(pl.col("disposition_date") < pl.col("received_date")).is_empty()
    convicted = pl.col("disposition").is_in(["plea_guilty", "finding_guilty"])
    assert frame.filter(convicted != pl.col("sentence_type").is_not_null()).is_empty()
    assert frame.filter(
        pl.col("sentence_type").is_in(["prison", "jail"]) & (pl.col("sentence_days") < 1)
    ).is_empty()
    assert 0.4 < share(frame, disposed) < 0.8

    path = tmp_path / "cases.csv"
    write_cases_csv(frame, path)
    batch = offramp_csv.parse(path)
    assert batch.warnings.height == 0
    assert batch.cases["disposition"].equals(frame["disposition"])
    assert batch.cases["sentence_days"].equals(frame["sentence_days"])


def test_it_gives_conditional_discharge_only_on_a_first_possession_offence() -> None:
    """O.C.G.A. 16-13-2(a): probation without judgment for a first offence of possession only."""
    frame = generate_cases(20_000, 12, include_disposition=True, include_role=True)
    discharged = pl.col("sentence_type") == "conditional_discharge"
    assert frame.filter(discharged & (pl.col("offense_kind") != "possession")).is_empty()
    assert frame.filter(discharged & (pl.col("prior_felonies") > 0)).is_empty()
    assert frame.filter(discharged & pl.col("latent_role").is_in(["mid_level", "high_level"])).is_empty()
    first = (pl.col("offense_kind") == "possession") & (pl.col("prior_felonies") == 0)
    assert frame.filter(first & discharged).height > 100  # still drawn where the statute allows it


def test_it_draws_the_later_facts_consistently(cases: pl.DataFrame) -> None:
    assert cases.schema["trafficking_org_ties"] == pl.Boolean
    assert cases.schema["weapon_in_connection"] == pl.Boolean
    assert cases.schema["last_violent_conviction_year"] == pl.Int32
    assert cases.schema["on_moud"] == pl.Boolean
    assert cases.filter(pl.col("weapon_in_connection") & ~pl.col("weapon").fill_null(False)).is_empty()
    year = pl.col("last_violent_conviction_year")
    violent = pl.col("prior_violent")
    assert cases.filter(year.is_null() != ((violent == 0) | violent.is_null())).is_empty()
    received = pl.col("received_date").dt.year()
    assert cases.filter((year < received - 15) | (year > received)).is_empty()
    assert cases.filter(pl.col("trafficking_org_ties") & pl.col("latent_role").is_in(["user"])).is_empty()
    opioid = pl.col("drug").is_in(["fentanyl", "heroin", "prescription_opioid"])
    assert cases.filter(pl.col("on_moud") & ~opioid).is_empty()

    high = cases.filter(pl.col("latent_role") == "high_level")
    mid = cases.filter(pl.col("latent_role") == "mid_level")
    assert share(high, pl.col("trafficking_org_ties")) > 0.6
    assert share(mid, pl.col("trafficking_org_ties")) < 0.1
    armed = pl.col("weapon").fill_null(False)
    assert share(mid.filter(armed), pl.col("weapon_in_connection")) > 0.6
    assert (
        share(cases.filter(armed & (pl.col("latent_role") == "user")), pl.col("weapon_in_connection")) < 0.5
    )
    assert 0.02 < share(cases.filter(opioid & (pl.col("latent_role") == "user")), pl.col("on_moud")) < 0.3


def test_the_later_facts_reach_the_evaluation_frame(tmp_path: Path) -> None:
    frame = generate_cases(3_000, 13)
    path = tmp_path / "cases.csv"
    write_cases_csv(frame, path)
    batch = offramp_csv.parse(path)
    assert batch.warnings.height == 0
    direct = frame_from_offramp_rows(frame)
    imported = case_frame(batch)
    for name in GENERATED_LATER_FACTS:
        assert batch.cases[name].equals(frame[name]), name
        assert direct[name].equals(frame[name], check_dtypes=False), name
        assert imported[name].equals(frame[name], check_dtypes=False), name
