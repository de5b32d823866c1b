"""The program matcher: eligibility with reasons, the MOUD guard, the order (fit, capacity, distance,
language, name), the distances themselves, and filling a policy outcome's program types."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offramp.core.directory.batch import MATCH_SCHEMA, conform
from offramp.core.directory.geo import distance_miles, zip_centroid, zip_place
from offramp.core.directory.matching import MAY_NEED_MOUD_EXCLUSION, MatchRequest, fill_program_types, match

DECATUR, ATLANTA, SAVANNAH = "30030", "30303", "31401"


def programs(*rows: dict[str, Any]) -> pl.DataFrame:
    """A MATCH_SCHEMA frame: each row an outpatient program in Decatur, open and unrestricted, except
    for what the row says; ids p0, p1, ... and organization names "Org 0", "Org 1", ... by default."""
    filled = [
        {
            "service_at_location_id": f"p{i}",
            "organization_name": f"Org {i}",
            "service_name": "Outpatient",
            "status": "active",
            "service_types": ["outpatient"],
            "postal_code": DECATUR,
            **row,
        }
        for i, row in enumerate(rows)
    ]
    return conform(pl.from_dicts(filled, schema=MATCH_SCHEMA), MATCH_SCHEMA)


def centroid(zip_code: str) -> tuple[float, float]:
    place = zip_centroid(zip_code)
    assert place is not None
    return place


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["service_at_location_id"].to_list()


def reasons_of(result_frame: pl.DataFrame, sal_id: str, column: str = "reasons") -> list[str]:
    rows = result_frame.filter(pl.col("service_at_location_id") == sal_id)[column].to_list()
    assert len(rows) == 1, f"{sal_id} not in the frame"
    return list(rows[0])


# --- geography ---------------------------------------------------------------------------------------


def test_zip_centroids_come_from_the_offline_table() -> None:
    lat, lon = centroid(DECATUR)
    assert 33.7 < lat < 33.8 and -84.4 < lon < -84.2
    assert zip_centroid("30030-1234") == zip_centroid(DECATUR)
    assert zip_centroid("00000") is None
    assert zip_centroid("abcde") is None
    assert zip_centroid(None) is None
    assert zip_place(DECATUR) == ("GA", "DeKalb County")


def test_haversine_against_known_distances() -> None:
    """Decatur to Savannah is about 220 miles as the crow flies, to downtown Atlanta about 5."""
    lat, lon = centroid(DECATUR)
    places = pl.DataFrame([centroid(ATLANTA), centroid(SAVANNAH)], schema=["lat", "lon"], orient="row")
    atlanta, savannah = places.select(distance_miles(lat, lon, "lat", "lon").alias("miles"))[
        "miles"
    ].to_list()
    assert 4 < atlanta < 8
    assert 210 < savannah < 230
    same = pl.DataFrame({"lat": [lat], "lon": [lon]}).select(distance_miles(lat, lon, "lat", "lon")).item()
    assert same == pytest.approx(0.0, abs=1e-9)


# --- eligibility -------------------------------------------------------------------------------------

PERSON = MatchRequest(
    age=30,
    sex="male",
    offense_kind="delivery",
    plea_stage="pre_plea",
    zip=DECATUR,
    language="es",
    payments=["medicaid", "uninsured"],
    on_moud=True,
    needs=["treatment"],
    program_types=["treatment"],
)


@pytest.mark.parametrize(
    ("program", "reason"),
    [
        ({"minimum_age": 31}, "age 30 below minimum 31"),
        ({"maximum_age": 25}, "age 30 above maximum 25"),
        ({"sex": "female"}, "serves women only"),
        ({"offense_kinds": ["possession"]}, "offence kind delivery not accepted (accepts: possession)"),
        ({"plea_stages": ["post_plea"]}, "post-plea only"),
        ({"residency_counties": ["Fulton County"]}, "requires residence in Fulton county"),
        ({"residency_states": ["AL"]}, "requires residence in AL"),
        ({"payments": ["private"]}, "does not take medicaid or uninsured"),
        ({"moud_policy": "forbids"}, "forbids MOUD; the person takes MOUD"),
        ({"status": "inactive"}, "inactive"),
        ({"status": "temporarily closed"}, "temporarily closed"),
    ],
)
def test_each_rule_excludes_with_its_reason(program: dict[str, Any], reason: str) -> None:
    frame = programs({}, program)
    result = match(frame, PERSON)
    assert ids(result.ranked) == ["p0"]
    assert ids(result.excluded) == ["p1"]
    assert reasons_of(result.excluded, "p1", "exclusions") == [reason]


def test_restrictions_the_person_meets_do_not_exclude() -> None:
    frame = programs(
        {
            "minimum_age": 18,
            "maximum_age": 30,
            "sex": "male",
            "offense_kinds": ["possession", "delivery"],
            "plea_stages": ["pre_plea"],
            "residency_states": ["GA"],
            "residency_counties": ["DeKalb"],  # the person's county comes from the ZIP: "DeKalb County"
            "payments": ["medicaid"],
            "moud_policy": "accepts",
        },
        {"sex": "any"},
    )
    result = match(frame, PERSON)
    assert result.excluded.height == 0
    assert "accepts people on MOUD" in reasons_of(result.ranked, "p0")


def test_unstated_restrictions_do_not_exclude_but_are_named() -> None:
    """A program that states nothing is eligible; its reasons say what the directory leaves blank."""
    result = match(programs({"status": None}), PERSON)
    assert ids(result.ranked) == ["p0"]
    assert (
        "eligibility for MOUD policy, age, sex, offence kind, plea stage, residency, insurance not stated"
        in reasons_of(result.ranked, "p0")
    )
    stated = match(programs({"minimum_age": 18, "payments": ["medicaid"], "moud_policy": "accepts"}), PERSON)
    assert "eligibility for sex, offence kind, plea stage, residency, insurance not stated" not in reasons_of(
        stated.ranked, "p0"
    )
    assert "eligibility for sex, offence kind, plea stage, residency not stated" in reasons_of(
        stated.ranked, "p0"
    )


def test_a_fact_the_person_lacks_applies_no_rule() -> None:
    frame = programs({"minimum_age": 21, "sex": "female", "offense_kinds": ["possession"]})
    result = match(frame, MatchRequest())
    assert ids(result.ranked) == ["p0"]


def test_every_failed_rule_is_named_in_order() -> None:
    frame = programs({"minimum_age": 40, "sex": "female", "moud_policy": "forbids", "status": "defunct"})
    assert reasons_of(match(frame, PERSON).excluded, "p0", "exclusions") == [
        "forbids MOUD; the person takes MOUD",
        "defunct",
        "age 30 below minimum 40",
        "serves women only",
    ]


def test_max_miles_excludes_far_programs() -> None:
    frame = programs({"postal_code": ATLANTA}, {"postal_code": SAVANNAH}, {"postal_code": None})
    result = match(frame, MatchRequest(zip=DECATUR, max_miles=50))
    assert ids(result.ranked) == ["p0", "p2"]  # unknown distance is not excluded, but ranks last
    (reason,) = reasons_of(result.excluded, "p1", "exclusions")
    assert reason.endswith(" miles from 30030, beyond the 50-mile limit")
    assert 210 < float(reason.split()[0]) < 230


# --- the MOUD guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (MatchRequest(opioid_case=True), f"{MAY_NEED_MOUD_EXCLUSION} (opioids in the case; Krawczyk 2017)"),
        (MatchRequest(sud_indicated=True), f"{MAY_NEED_MOUD_EXCLUSION} (SUD indicated; Krawczyk 2017)"),
        (
            MatchRequest(opioid_case=True, sud_indicated=True),
            f"{MAY_NEED_MOUD_EXCLUSION} (opioids in the case, SUD indicated; Krawczyk 2017)",
        ),
        (MatchRequest(on_moud=True, opioid_case=True), "forbids MOUD; the person takes MOUD"),
    ],
)
def test_the_moud_guard_applies_to_anyone_who_may_need_moud(request_: MatchRequest, reason: str) -> None:
    """Not only someone known to be on MOUD: an opioid case or SUD indicated excludes a program that forbids
    MOUD, and the reason says why (it would cut off MOUD for someone who may need it)."""
    result = match(programs({"moud_policy": "forbids"}, {"moud_policy": "accepts"}), request_)
    assert ids(result.ranked) == ["p1"]
    assert reasons_of(result.excluded, "p0", "exclusions") == [reason]
    assert "accepts people on MOUD" in reasons_of(result.ranked, "p1")


def test_without_moud_opioids_or_sud_a_program_that_forbids_moud_is_ranked_and_marked() -> None:
    result = match(programs({"moud_policy": "forbids"}), MatchRequest())
    assert ids(result.ranked) == ["p0"]
    assert "forbids MOUD: not for anyone who takes it" in reasons_of(result.ranked, "p0")


def test_moud_guard_never_matches_a_program_that_forbids_it() -> None:
    """The forbidding program is best on every other key, and still never ranked for a person on MOUD."""
    best = {
        "moud_policy": "forbids",
        "organization_name": "A best",
        "service_types": ["residential", "outpatient", "moud_naltrexone"],
        "vacancies": 9,
        "languages": ["es"],
    }
    frame = programs(best, {"moud_policy": "accepts", "vacancies": 0, "postal_code": SAVANNAH})
    on_moud = match(frame, MatchRequest(zip=DECATUR, language="es", on_moud=True, needs=["treatment"]))
    assert ids(on_moud.ranked) == ["p1"]
    assert reasons_of(on_moud.excluded, "p0", "exclusions") == ["forbids MOUD; the person takes MOUD"]
    off_moud = match(frame, MatchRequest(zip=DECATUR, language="es", on_moud=False, needs=["treatment"]))
    assert ids(off_moud.ranked) == ["p0", "p1"]
    assert off_moud.excluded.height == 0
    assert "forbids MOUD: not for anyone who takes it" in reasons_of(off_moud.ranked, "p0")


def test_moud_policy_unknown_is_eligible_and_said() -> None:
    result = match(programs({"moud_policy": "unknown"}), MatchRequest(on_moud=True))
    assert ids(result.ranked) == ["p0"]
    assert "eligibility for MOUD policy not stated" in reasons_of(result.ranked, "p0")


# --- the order ---------------------------------------------------------------------------------------


def test_capacity_order_vacancies_then_unknown_then_full_by_waitlist() -> None:
    frame = programs(
        {"vacancies": 0, "waitlist": 12},
        {"vacancies": None},
        {"vacancies": 0, "waitlist": 3},
        {"vacancies": 2},
        {"vacancies": 1, "capacity_updated": dt.date(2026, 11, 20)},
        {"vacancies": 0, "waitlist": None},
    )
    result = match(frame, MatchRequest(zip=DECATUR))
    assert ids(result.ranked) == ["p3", "p4", "p1", "p2", "p0", "p5"]
    assert result.ranked["rank"].to_list() == [1, 2, 3, 4, 5, 6]
    assert reasons_of(result.ranked, "p3")[0] == "2 vacancies"  # nothing requested: no fit reason
    assert {"1 vacancy", "capacity updated 2026-11-20"} <= set(reasons_of(result.ranked, "p4"))
    assert "vacancies not stated" in reasons_of(result.ranked, "p1")
    assert {"no vacancies", "waitlist 12"} <= set(reasons_of(result.ranked, "p0"))


def test_distance_order_nearer_first_unknown_last() -> None:
    frame = programs(
        {"postal_code": SAVANNAH},
        {"postal_code": None},
        {"postal_code": ATLANTA},
        {"postal_code": "99999"},  # no such ZIP, no coordinates: distance unknown
        {"postal_code": DECATUR},
    )
    result = match(frame, MatchRequest(zip=DECATUR))
    assert ids(result.ranked) == ["p4", "p2", "p0", "p1", "p3"]
    miles = dict(zip(ids(result.ranked), result.ranked["distance_miles"].to_list(), strict=True))
    assert miles["p4"] == 0.0
    assert 4 < miles["p2"] < 8
    assert 210 < miles["p0"] < 230
    assert miles["p1"] is None and miles["p3"] is None
    assert f"{miles['p0']} miles from 30030" in reasons_of(result.ranked, "p0")
    assert "distance unknown: no address on file" in reasons_of(result.ranked, "p1")


def test_own_coordinates_win_over_the_postal_code() -> None:
    """A location whose coordinates are in Savannah but whose postal code says Decatur is in Savannah."""
    lat, lon = centroid(SAVANNAH)
    frame = programs({"latitude": lat, "longitude": lon}, {"postal_code": ATLANTA})
    result = match(frame, MatchRequest(zip=DECATUR))
    assert ids(result.ranked) == ["p1", "p0"]
    assert result.ranked["distance_miles"].to_list()[1] > 200


def test_fit_comes_before_capacity_and_distance() -> None:
    """Lexicographic, not weighted: meeting both needs beats any vacancy or distance advantage."""
    frame = programs(
        {"service_types": ["outpatient"], "vacancies": 5},
        {"service_types": ["outpatient", "job_training"], "vacancies": 0, "postal_code": SAVANNAH},
        {"service_types": ["education"], "vacancies": 5},
    )
    result = match(frame, MatchRequest(zip=DECATUR, needs=["treatment", "work"]))
    assert ids(result.ranked) == ["p1", "p0", "p2"]
    assert result.ranked["score"].to_list() == [2, 1, 0]
    assert "meets needs: treatment, work" in reasons_of(result.ranked, "p1")
    assert "meets none of the requested program types or needs" in reasons_of(result.ranked, "p2")


def test_capacity_comes_before_distance() -> None:
    frame = programs({"vacancies": 0}, {"vacancies": 3, "postal_code": SAVANNAH})
    assert ids(match(frame, MatchRequest(zip=DECATUR)).ranked) == ["p1", "p0"]


def test_language_breaks_ties_of_distance() -> None:
    """Three services at the same address: Spanish first, languages not stated next, English only last."""
    frame = programs({"languages": ["en"]}, {"languages": None}, {"languages": ["en", "es"]})
    result = match(frame, MatchRequest(zip=DECATUR, language="es"))
    assert ids(result.ranked) == ["p2", "p1", "p0"]
    assert "services in Spanish" in reasons_of(result.ranked, "p2")
    assert "languages not stated" in reasons_of(result.ranked, "p1")
    assert "no services listed in Spanish" in reasons_of(result.ranked, "p0")
    # language never outranks distance
    farther = programs({"languages": ["es"], "postal_code": ATLANTA}, {"languages": ["en"]})
    assert ids(match(farther, MatchRequest(zip=DECATUR, language="es")).ranked) == ["p1", "p0"]


def test_names_make_the_order_deterministic() -> None:
    frame = programs(
        {"organization_name": "Zeta"}, {"organization_name": "Alpha"}, {"organization_name": None}
    )
    assert ids(match(frame, MatchRequest()).ranked) == ["p1", "p0", "p2"]
    shuffled = frame.reverse()
    assert ids(match(shuffled, MatchRequest()).ranked) == ["p1", "p0", "p2"]


# --- filling the outcome's program types ---------------------------------------------------------------


def test_fill_program_types_with_the_best_ranked_programs() -> None:
    frame = programs(
        {"service_types": ["outpatient"], "vacancies": 0},
        {"service_types": ["education"], "vacancies": 4},
        {"service_types": ["outpatient", "education"], "vacancies": 0, "postal_code": ATLANTA},
        {"service_types": ["residential"], "vacancies": 2},
        {"service_types": ["residential"], "moud_policy": "forbids", "vacancies": 9},
    )
    request = MatchRequest(zip=DECATUR, on_moud=True, program_types=["treatment", "education", "housing"])
    filled = fill_program_types(frame, request, per_type=2)
    assert list(filled) == ["treatment", "education", "housing"]
    assert [row["service_at_location_id"] for row in filled["treatment"]] == ["p2", "p3"]
    assert [row["service_at_location_id"] for row in filled["education"]] == ["p2", "p1"]
    assert filled["housing"] == []
    assert filled["treatment"][0]["rank"] == 1 and filled["treatment"][0]["reasons"]


# --- the request -------------------------------------------------------------------------------------


def test_request_rejects_unknown_values_and_derives_residence_from_the_zip() -> None:
    with pytest.raises(ValueError, match="needs"):
        MatchRequest(needs=["treatmnet"])
    with pytest.raises(ValueError, match="program_types"):
        MatchRequest(program_types=["rehab"])
    with pytest.raises(ValueError, match="payments"):
        MatchRequest(payments=["cash"])
    request = MatchRequest(zip=SAVANNAH, needs=["work", "work"])
    assert (request.state, request.county, request.needs) == ("GA", "Chatham County", ("work",))


def test_empty_directory() -> None:
    result = match(programs(), PERSON)
    assert result.ranked.height == 0 and result.excluded.height == 0
    assert {"rank", "score", "distance_miles", "reasons", *MATCH_SCHEMA} == set(result.ranked.columns)


# --- properties --------------------------------------------------------------------------------------

maybe_list = st.none() | st.lists(st.sampled_from(["a", "b"]), max_size=0)  # an empty list = not stated
program_rows = st.fixed_dictionaries(
    {
        "status": st.sampled_from([None, "active", "inactive"]),
        "service_types": st.none()
        | st.lists(st.sampled_from(["outpatient", "residential", "education", "job_training", "housing"])),
        "moud_policy": st.sampled_from([None, "accepts", "forbids", "unknown"]),
        "minimum_age": st.none() | st.integers(14, 30),
        "maximum_age": st.none() | st.integers(20, 70),
        "sex": st.sampled_from([None, "any", "female", "male"]),
        "offense_kinds": maybe_list | st.lists(st.sampled_from(["possession", "delivery"]), min_size=1),
        "plea_stages": maybe_list | st.lists(st.sampled_from(["pre_plea", "post_plea"]), min_size=1),
        "residency_counties": maybe_list | st.lists(st.sampled_from(["DeKalb", "Fulton County"]), min_size=1),
        "payments": maybe_list | st.lists(st.sampled_from(["medicaid", "private", "uninsured"]), min_size=1),
        "languages": maybe_list | st.lists(st.sampled_from(["en", "es"]), min_size=1),
        "vacancies": st.none() | st.integers(0, 3),
        "waitlist": st.none() | st.integers(0, 20),
        "postal_code": st.sampled_from([None, DECATUR, ATLANTA, SAVANNAH, "30303-0001"]),
        "organization_name": st.none() | st.sampled_from(["A", "B", "C"]),
    }
)
requests = st.builds(
    MatchRequest,
    age=st.none() | st.integers(15, 70),
    sex=st.sampled_from([None, "female", "male"]),
    offense_kind=st.sampled_from([None, "possession", "delivery"]),
    plea_stage=st.sampled_from([None, "pre_plea", "post_plea"]),
    zip=st.sampled_from([None, DECATUR, SAVANNAH]),
    language=st.sampled_from([None, "en", "es"]),
    payments=st.lists(st.sampled_from(["medicaid", "private", "uninsured"]), max_size=2),
    on_moud=st.booleans(),
    opioid_case=st.booleans(),
    sud_indicated=st.booleans(),
    needs=st.lists(st.sampled_from(["treatment", "work", "housing"]), max_size=3),
    program_types=st.lists(st.sampled_from(["treatment", "education", "job_training"]), max_size=3),
    max_miles=st.none() | st.sampled_from([10.0, 300.0]),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(program_rows, max_size=12), request=requests)
def test_every_program_is_ranked_or_excluded_and_the_moud_guard_holds(
    rows: list[dict[str, Any]], request: MatchRequest
) -> None:
    frame = programs(*rows)
    result = match(frame, request)
    ranked, excluded = ids(result.ranked), ids(result.excluded)
    assert not set(ranked) & set(excluded)
    assert sorted(ranked + excluded) == sorted(ids(frame))
    assert result.ranked["rank"].to_list() == list(range(1, len(ranked) + 1))
    assert all(len(e) > 0 for e in result.excluded["exclusions"].to_list())
    assert all(len(r) > 0 for r in result.ranked["reasons"].to_list())
    scores = result.ranked["score"].to_list()
    assert scores == sorted(scores, reverse=True)
    # someone on MOUD, in an opioid case or with SUD indicated is never matched to a program forbidding MOUD
    forbids = result.excluded.filter(pl.col("moud_policy") == "forbids")["exclusions"].to_list()
    if request.on_moud:
        assert "forbids" not in result.ranked["moud_policy"].to_list()
        assert all("forbids MOUD; the person takes MOUD" in e for e in forbids)
    elif request.opioid_case or request.sud_indicated:
        assert "forbids" not in result.ranked["moud_policy"].to_list()
        assert all(any(r.startswith(MAY_NEED_MOUD_EXCLUSION) for r in e) for e in forbids)
    # the same programs in another order rank the same way
    assert ids(match(frame.reverse(), request).ranked) == ranked


# --- motivating factors: pregnancy, caregiving, veterans (issue 13) ------------------------------------------


def test_pregnancy_and_caregiving_steer_the_fit_to_programs_that_meet_them() -> None:
    directory = programs(
        {"service_types": ["outpatient"]},
        {"service_types": ["outpatient", "prenatal_care"]},
        {"service_types": ["outpatient", "childcare", "prenatal_care"]},
    )
    result = match(directory, MatchRequest(program_types=["treatment"], needs=["prenatal_care", "childcare"]))
    assert ids(result.ranked) == ["p2", "p1", "p0"]
    assert "meets needs: prenatal care, childcare" in reasons_of(result.ranked, "p2")


def test_a_veteran_ranks_veterans_services_higher_and_is_told_to_ask_about_veterans_court() -> None:
    directory = programs(
        {"service_types": ["outpatient"]}, {"service_types": ["outpatient", "veterans_services"]}
    )
    veteran = MatchRequest(program_types=["treatment"], veteran=True)
    result = match(directory, veteran)
    assert ids(result.ranked) == ["p1", "p0"]
    assert "meets needs: veterans" in reasons_of(result.ranked, "p1")
    assert veteran.veterans_note is not None and "veterans treatment court" in veteran.veterans_note
    civilian = MatchRequest(program_types=["treatment"])
    assert ids(match(directory, civilian).ranked) == ["p0", "p1"]
    assert civilian.veterans_note is None and civilian.fit_needs == ()
