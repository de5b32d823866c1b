"""Instrument definitions, answer validation, TAPS-2 levels, administration records and enum descriptions."""

from __future__ import annotations

import datetime as dt

import pytest

from offramp.core.screening import (
    INSTRUMENTS,
    Administration,
    AdministrationMode,
    AnswerError,
    AsamLevel,
    AsamPlacement,
    Taps2Risk,
    Taps2Substance,
    UnknownInstrumentError,
    get_instrument,
    score,
    taps2_risk,
)
from offramp.core.screening.instruments import (
    Band,
    Instrument,
    Item,
    Licence,
    LicenceKind,
    ScoringRule,
)

ALL_NO_DAST = [False] * 10


# --- definitions ---------------------------------------------------------------------------------------


def test_the_instruments_and_taps2_modules_are_defined_with_their_item_counts() -> None:
    assert list(INSTRUMENTS) == [
        "uncope",
        "dast-10",
        "taps-1",
        *(f"taps-2-{s.value.replace('_', '-')}" for s in Taps2Substance),
        "tcu-ds5",
    ]
    assert [len(i.items) for i in INSTRUMENTS.values()] == [6, 10, 4, 3, 4, 3, 3, 3, 3, 3, 3, 11]
    assert [i.max_score for i in INSTRUMENTS.values()] == [6, 10, 4, 3, 4, 3, 3, 3, 3, 3, 3, 11]
    assert [i.version for i in INSTRUMENTS.values()] == [
        "1",
        "1",
        "2",
        *["1"] * 8,
        "1",
    ]  # TAPS-1 v2: pre-screen


def test_only_dast10_item3_is_reverse_scored() -> None:
    reversed_items = [
        (i.id, item.id) for i in INSTRUMENTS.values() for item in i.items if item.reverse_scored
    ]
    assert reversed_items == [("dast-10", "dast-3")]


def test_taps1_options_in_published_order() -> None:
    item = get_instrument("taps-1").items[0]
    assert [opt.value for opt in item.options] == [
        "never",
        "less_than_monthly",
        "monthly",
        "weekly",
        "daily_or_almost_daily",
    ]
    assert [opt.points for opt in item.options] == [0, 1, 1, 1, 1]


def test_licence_notes() -> None:
    assert get_instrument("uncope").licence.kind is LicenceKind.FREE
    assert "free for oral administration" in get_instrument("uncope").licence.note
    dast = get_instrument("dast-10").licence
    assert dast.kind is LicenceKind.NON_COMMERCIAL
    assert "Skinner" in dast.note
    assert "CAMH" in dast.note
    assert "paraphrases" in dast.note
    assert get_instrument("taps-1").licence.kind is LicenceKind.FREE
    assert "National Institute on Drug Abuse" in get_instrument("taps-1").licence.note
    tcu = get_instrument("tcu-ds5").licence
    assert tcu.kind is LicenceKind.NON_PROFIT
    assert "non-profit" in tcu.note
    assert "paraphrases" in tcu.note


def test_tcu_notes_the_published_sub_parts() -> None:
    assert "items 10 and 11 have parts a and b" in get_instrument("tcu-ds5").notes[0]


def test_asam_level_names_only() -> None:
    assert AsamLevel.values() == ["0.5", "1", "2.1", "2.5", "3.x", "4"]
    assert AsamLevel.parse("2.1") is AsamLevel.INTENSIVE_OUTPATIENT


def _instrument(bands: tuple[Band, ...]) -> Instrument:
    return Instrument(
        id="test",
        version="1",
        title="Test",
        items=(Item("a", 1, "A?"), Item("b", 2, "B?")),
        scoring=ScoringRule.COUNT_YES,
        bands=bands,
        licence=Licence(LicenceKind.FREE, "test"),
        source="test",
    )


def test_bands_must_cover_every_score_without_gaps() -> None:
    assert _instrument((Band("x", 0, 2, "all"),)).band_for(2).name == "x"
    with pytest.raises(ValueError, match="band 'y' must start at 1"):
        _instrument((Band("x", 0, 0, "zero"), Band("y", 2, 2, "two")))
    with pytest.raises(ValueError, match="bands must end at the maximum score 2"):
        _instrument((Band("x", 0, 1, "zero or one"),))


# --- validation -----------------------------------------------------------------------------------------


def test_too_few_answers_names_the_first_missing_item() -> None:
    with pytest.raises(AnswerError) as err:
        score("dast-10", [True, False, True])
    assert str(err.value) == (
        "dast-10: expects 10 answers (items 1-10, in order), got 3: item 4 (dast-4) onwards is missing"
    )
    assert err.value.item_id is None


def test_too_many_answers() -> None:
    with pytest.raises(AnswerError) as err:
        score("uncope", [False] * 8)
    assert (
        str(err.value)
        == "uncope: expects 6 answers (items 1-6, in order), got 8: 2 extra answer(s) after item 6"
    )


def test_a_word_for_a_yes_no_item_names_the_item() -> None:
    with pytest.raises(AnswerError) as err:
        score("dast-10", [True, False, "yes", *[False] * 7])
    assert str(err.value) == 'dast-10 item 3 (dast-3): expected true (yes) or false (no), got "yes"'
    assert err.value.item_id == "dast-3"
    assert err.value.instrument_id == "dast-10"


def test_one_and_zero_are_not_yes_and_no() -> None:
    with pytest.raises(
        AnswerError, match=r"^uncope item 1 \(used-more\): expected true \(yes\) or false \(no\), got 1$"
    ):
        score("uncope", [1, 0, 0, 0, 0, 0])


def test_null_answer_is_rejected() -> None:
    with pytest.raises(AnswerError, match=r"^tcu-ds5 item 11 \(tcu-11\): .* got null$"):
        score("tcu-ds5", [False] * 10 + [None])


def test_unknown_frequency_lists_the_allowed_values() -> None:
    with pytest.raises(AnswerError) as err:
        score("taps-1", ["never", "sometimes", "never", "never"])
    assert str(err.value) == (
        'taps-1 item 2 (alcohol): expected one of "never", "less_than_monthly", "monthly", "weekly", '
        '"daily_or_almost_daily", got "sometimes"'
    )
    assert err.value.item_id == "alcohol"


def test_true_is_not_a_frequency() -> None:
    with pytest.raises(AnswerError, match=r"^taps-1 item 1 \(tobacco\): expected one of .* got true$"):
        score("taps-1", [True, "never", "never", "never"])


def test_answers_must_be_a_list() -> None:
    with pytest.raises(AnswerError, match=r'^uncope: answers must be a list, got "yyynnn"$'):
        score("uncope", "yyynnn")


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrumentError) as err:
        score("audit", [])
    assert str(err.value).startswith("unknown instrument 'audit'; known: uncope, dast-10, taps-1, taps-2-")
    assert str(err.value).endswith(", tcu-ds5.")


def test_rant_is_refused_with_the_reason() -> None:
    with pytest.raises(UnknownInstrumentError, match=r"RANT .* is commercial: its items are not reproduced"):
        get_instrument("rant")


# --- TAPS-2 ---------------------------------------------------------------------------------------------


def test_taps2_risk_levels() -> None:
    assert taps2_risk(0) is Taps2Risk.NO_USE
    assert taps2_risk(1) is Taps2Risk.PROBLEM_USE
    assert taps2_risk(2) is Taps2Risk.HIGHER_RISK
    assert taps2_risk(3) is Taps2Risk.HIGHER_RISK
    with pytest.raises(ValueError, match="0 or more, got -1"):
        taps2_risk(-1)


# --- administration -------------------------------------------------------------------------------------

WHEN = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)


def test_an_administration_records_who_when_how_and_the_result() -> None:
    adm = Administration.record(
        "dast-10",
        [True, True, False, *[False] * 7],
        administered_by="coordinator.lee",
        administered_at=WHEN,
        mode=AdministrationMode.PHONE,
    )
    assert adm.instrument_id == "dast-10"
    assert adm.instrument_version == "1"
    assert adm.result.score == 3
    assert adm.result.band == "moderate"
    record = adm.to_dict()
    assert record["administered_by"] == "coordinator.lee"
    assert record["administered_at"] == "2026-03-02T14:30:00+00:00"
    assert record["mode"] == "phone"
    assert record["answers"] == [True, True, False, *[False] * 7]
    assert record["result"]["score"] == 3
    assert record["result"]["band"] == "moderate"


def test_an_administration_rejects_bad_answers() -> None:
    with pytest.raises(AnswerError, match=r"^uncope item 2 \(neglected\)"):
        Administration.record(
            "uncope",
            [True, "no", False, False, False, False],
            administered_by="x",
            administered_at=WHEN,
            mode=AdministrationMode.IN_PERSON,
        )


def test_an_administration_needs_a_screener_and_an_aware_time() -> None:
    with pytest.raises(ValueError, match="administered_by must name who gave the screen"):
        Administration.record(
            "dast-10", ALL_NO_DAST, administered_by="  ", administered_at=WHEN, mode=AdministrationMode.VIDEO
        )
    with pytest.raises(ValueError, match="administered_at must be timezone-aware"):
        Administration.record(
            "dast-10",
            ALL_NO_DAST,
            administered_by="x",
            administered_at=dt.datetime(2026, 3, 2, 14, 30),
            mode=AdministrationMode.VIDEO,
        )


def test_an_administration_refuses_a_result_from_another_instrument() -> None:
    with pytest.raises(ValueError, match="different instrument or version"):
        Administration(
            instrument_id="uncope",
            instrument_version="1",
            administered_by="x",
            administered_at=WHEN,
            mode=AdministrationMode.IN_PERSON,
            answers=tuple(ALL_NO_DAST),
            result=score("dast-10", ALL_NO_DAST),
        )


# --- enums ----------------------------------------------------------------------------------------------


def test_administration_modes() -> None:
    assert AdministrationMode.values() == ["in_person", "phone", "video"]


def test_instrument_ids_ignore_case_and_spaces() -> None:
    assert get_instrument(" DAST-10 ").id == "dast-10"
    assert score("TAPS-1", ["never"] * 4).band == "negative"


def test_an_administration_round_trips_through_its_record() -> None:
    adm = Administration.record(
        "taps-1",
        ["never", "weekly", "never", "never"],
        administered_by="coordinator.lee",
        administered_at=WHEN,
        mode=AdministrationMode.VIDEO,
    )
    again = Administration.from_dict(adm.to_dict())
    assert again == adm
    assert again.result.positive_substances == adm.result.positive_substances


def test_a_record_from_another_version_is_not_rescored() -> None:
    record = Administration.record(
        "uncope", [False] * 6, administered_by="x", administered_at=WHEN, mode=AdministrationMode.PHONE
    ).to_dict()
    record["version"] = "0"
    with pytest.raises(ValueError, match=r"^uncope: record is version 0, the definition is version 1$"):
        Administration.from_dict(record)
    record["version"] = "1"
    record["mode"] = "mail"
    with pytest.raises(ValueError, match="unknown mode 'mail'"):
        Administration.from_dict(record)


def test_an_asam_placement_records_the_level_name_only() -> None:
    placement = AsamPlacement(AsamLevel.INTENSIVE_OUTPATIENT, placed_by="dr.okafor", placed_at=WHEN)
    assert placement.to_dict() == {
        "level": "2.1",
        "level_name": "ASAM level 2.1: intensive outpatient services.",
        "placed_by": "dr.okafor",
        "placed_at": "2026-03-02T14:30:00+00:00",
        "note": "",
    }
    with pytest.raises(ValueError, match="placed_by must name the clinician"):
        AsamPlacement(AsamLevel.OUTPATIENT, placed_by="", placed_at=WHEN)
    with pytest.raises(ValueError, match="placed_at must be timezone-aware"):
        AsamPlacement(AsamLevel.OUTPATIENT, placed_by="x", placed_at=dt.datetime(2026, 1, 1))
