"""Illinois statute and offence-title mapping (offramp.core.intake.ccsao.statutes) and CCSAO dates."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from offramp.core.intake.ccsao.dates import parse_date
from offramp.core.intake.ccsao.statutes import (
    MAPPED_COLUMNS,
    SECTIONS,
    SEVERITIES,
    SUBSECTION_DRUGS,
    citation_in_title,
    join_citation,
    map_charges,
    normalise_statute,
    title_drug,
)

INTENT = "[POSSESSION OF CONTROLLED SUBSTANCE WITH INTENT TO DELIVER/DELIVERY OF A CONTROLLED SUBSTANCE]"


def mapped(
    statute: str | None, title: str | None, received: dt.date | None = dt.date(2012, 3, 1)
) -> tuple[str | None, ...]:
    frame = pl.DataFrame(
        {"s": [statute], "t": [title], "d": [received]}, schema={"s": pl.String, "t": pl.String, "d": pl.Date}
    )
    row = map_charges(frame, statute="s", title="t", as_of="d").row(0, named=True)
    return row["offense_kind"], row["drug"], row["severity"], row["nibrs_code"]


@pytest.mark.parametrize(
    ("statute", "title", "expected"),
    [
        # 720 ILCS 570, Controlled Substances Act
        ("720 ILCS 570/402(c)", "POSS AMT CON SUB EXCEPT(A)/(D)", ("possession", None, "felony", "35A")),
        ("720 ILCS 570/402(a)(1)(A)", "POSSESSION", ("possession", "heroin", "felony", "35A")),
        ("720 ILCS 570/402(a)(2)(B)", "POSSESSION", ("possession", "cocaine", "felony", "35A")),
        ("720 ILCS 570/402(d)", "POSS ANABOLIC STEROIDS", ("possession", "other", "misdemeanor", "35A")),
        ("720 ILCS 570/402", "POSSESSION OF HEROIN", ("possession", "heroin", None, "35A")),
        ("720 ILCS 570/401(a)(1)(A)", "MFG/DEL HEROIN", ("delivery", "heroin", "felony", "35A")),
        ("720 ILCS 570/401(a)(1.5)(B)", "DELIVERY", ("delivery", "fentanyl", "felony", "35A")),
        ("720 ILCS 570/401(c)(1.5)", "DELIVERY", ("delivery", "fentanyl", "felony", "35A")),
        ("720 ILCS 570/401(c)(2)", INTENT, ("possession_with_intent", "cocaine", "felony", "35A")),
        (
            "720 ILCS 570/401(c)(2)",
            "MFG/DEL 01-15 GR COCAINE BASE/ANLG",
            ("delivery", "crack", "felony", "35A"),
        ),
        ("720 ILCS 570/401(a)(10)", "MFG/DEL PCP", ("delivery", "other", "felony", "35A")),
        (
            "720 ILCS 570/401(d)(i)",
            "MANUFACTURE OF A CONTROLLED SUBSTANCE",
            ("manufacture", None, "felony", "35A"),
        ),
        ("720 ILCS 570/401.1(a)", "CONTROLLED SUBSTANCE TRAFFICKING", ("trafficking", None, "felony", "35A")),
        ("720 ILCS 570/407(b)(2)", "DELIVERY NEAR SCHOOL/ COCAINE", ("delivery", "cocaine", "felony", "35A")),
        ("720 ILCS 570/406(b)(2)", "OBTAIN CONTROLLED SUBSTANCE BY FRAUD", ("other", None, None, None)),
        # 720 ILCS 550, Cannabis Control Act
        ("720 ILCS 550/4(b)", "POSSESSION OF CANNABIS", ("possession", "cannabis", "misdemeanor", "35A")),
        ("720 ILCS 550/4(c)", "POSS CANNABIS/10-30 GRAMS", ("possession", "cannabis", "misdemeanor", "35A")),
        ("720 ILCS 550/4(d)", "POSS CANNABIS 30-500 GRAMS", ("possession", "cannabis", "felony", "35A")),
        ("720 ILCS 550/4(g)", "POSSESSION", ("possession", "cannabis", "felony", "35A")),
        ("720 ILCS 550/5(a)", "DELIVERY OF CANNABIS", ("delivery", "cannabis", "misdemeanor", "35A")),
        (
            "720 ILCS 550/5(d)",
            "POSS CANNABIS WITH INTENT TO DELIVER",
            ("possession_with_intent", "cannabis", "felony", "35A"),
        ),
        ("720 ILCS 550/5.1(a)", "CANNABIS TRAFFICKING", ("trafficking", "cannabis", "felony", "35A")),
        (
            "720 ILCS 550/8(b)",
            "MANUFACTURE/CULTIVATION OF CANNABIS PLANTS",
            ("manufacture", "cannabis", "felony", "35A"),
        ),
        ("720 ILCS 550/8(a)", "POSSESSION OF CANNABIS PLANTS", ("manufacture", "cannabis", None, "35A")),
        # 720 ILCS 646, Methamphetamine Control and Community Protection Act
        (
            "720 ILCS 646/60(a)",
            "POSSESSION OF METHAMPHETAMINE",
            ("possession", "methamphetamine", "felony", "35A"),
        ),
        ("720 ILCS 646/55(a)(1)", "METH DELIVERY <5 GRAMS", ("delivery", "methamphetamine", "felony", "35A")),
        (
            "720 ILCS 646/15(a)(1)",
            "PARTICIPATE METH MANUFACTURING",
            ("manufacture", "methamphetamine", "felony", "35A"),
        ),
        # 720 ILCS 600 and 635: drug equipment
        (
            "720 ILCS 600/3.5(a)",
            "POSSESSION OF DRUG PARAPHERNALIA",
            ("paraphernalia", "none", "misdemeanor", "35B"),
        ),
        ("720 ILCS 635/1", "POSS HYPO/SYRINGE/NEEDLES", ("paraphernalia", "none", None, "35B")),
        # anything else
        ("720 ILCS 5/16-25(a)(1)", "RETAIL THEFT", ("other", "none", None, None)),
        ("720 ILCS 5/19-1(a)", "BURGLARY", ("other", "none", None, None)),
        (
            "720 ILCS 5/8-4(720-570/402(c))",
            "ATTEMPT POSSESSION CONTROLLED SUBSTANCE",
            ("other", None, None, None),
        ),
        ("38-12-11-A(2)", "HOME INVASION", ("other", None, None, None)),
        (None, "SAME AS DEFENDANT #1", ("other", None, None, None)),
    ],
)
def test_it_maps_the_statute_and_title(
    statute: str | None, title: str, expected: tuple[str | None, ...]
) -> None:
    assert mapped(statute, title) == expected


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("720 ILCS 570/402(c)", "720 ILCS 570/402(c)"),
        ("720 ilcs 570/402 (C)", "720 ILCS 570/402(c)"),
        ("  720  ILCS  570 / 402(C) ", "720 ILCS 570/402(c)"),
        ("720-570\\402(C)", "720 ILCS 570/402(c)"),
        ("720-570/402-C", "720 ILCS 570/402(c)"),
        ("720 570/402C", "720 ILCS 570/402(c)"),
        ("720-570/402-A-2-A", "720 ILCS 570/402(a)(2)(a)"),
        ("720-570/402(A)(6.5)D", "720 ILCS 570/402(a)(6.5)(d)"),
        ("720 ILCS 570/401.1(a)", "720 ILCS 570/401.1(a)"),
        ("720-5\\9-1(A)(1)", "720 ILCS 5/9-1(a)(1)"),
        ("720 ILCS 5/16A-3", "720 ILCS 5/16a-3"),
        ("56.5-1402-A", "720 ILCS 570/402(a)"),
        ("56.5-704-D", "720 ILCS 550/4(d)"),
        ("56.5-705(B)", "720 ILCS 550/5(b)"),
        ("38-12-11-A(2)", None),
        ("", None),
    ],
)
def test_it_normalises_every_written_form_of_a_citation(written: str, canonical: str | None) -> None:
    frame = pl.DataFrame({"s": [written]}, schema={"s": pl.String})
    assert frame.select(normalise_statute(pl.col("s"))).item() == canonical


def test_it_reads_the_citation_a_promis_title_carries() -> None:
    titles = pl.DataFrame(
        {"t": ["MURDER=720-5\\9-1(A)(1-3)", "POSS CON SUB = 720-570\\402(C) ", "RETAIL THEFT", None]}
    )
    got = titles.select(citation_in_title(pl.col("t"))).to_series().to_list()
    assert got == ["720-5\\9-1(A)(1-3)", "720-570\\402(C)", None, None]
    assert mapped(None, "POSS CON SUB=720-570\\402(C)") == ("possession", None, "felony", "35A")
    assert mapped("-", "MURDER=720-5\\9-1(A)(1-3)") == ("other", "none", None, None)


def test_it_joins_initiation_chapter_act_and_section_including_promis_rows() -> None:
    frame = pl.DataFrame(
        {
            "CHAPTER": ["720", "720-570\\402(C)", "720-550\\4(D)", "720"],
            "ACT": ["570", "", "-", "646"],
            "SECTION": ["402(c)", "", "-", ""],
        }
    )
    joined = frame.select(join_citation(pl.col("CHAPTER"), pl.col("ACT"), pl.col("SECTION")).alias("cite"))
    assert joined["cite"].to_list() == ["720 ILCS 570/402(c)", "720-570\\402(C)", "720-550\\4(D)", None]
    assert joined.select(normalise_statute(pl.col("cite"))).to_series().to_list()[:3] == [
        "720 ILCS 570/402(c)",
        "720 ILCS 570/402(c)",
        "720 ILCS 550/4(d)",
    ]


def test_it_calls_small_cannabis_possession_a_misdemeanour_only_before_decriminalisation() -> None:
    title = "POSSESSION OF CANNABIS"
    assert mapped("720 ILCS 550/4(a)", title, dt.date(2016, 7, 28))[2] == "misdemeanor"
    assert mapped("720 ILCS 550/4(a)", title, dt.date(2016, 7, 29))[2] is None
    assert mapped("720 ILCS 550/4(a)", title, None)[2] is None
    assert mapped("720 ILCS 600/3.5", "POSSESSION OF DRUG PARAPHERNALIA", dt.date(2019, 1, 1))[2] is None


def test_it_reads_the_drug_from_title_words_riskiest_first() -> None:
    titles = [
        "POSS HEROIN/FENTANYL",
        "POSSESSION OF HEROIN",
        "POSS OXYCODONE",
        "POSS HYDROCODONE PILLS",
        "POSS METHADONE",
        "POSSESSION OF CRACK COCAINE",
        "POSSESSION OF COCAINE",
        "POSSESSION OF METH<5 GRAMS",
        "POSS OF MARIJUANA",
        "POSS ECSTASY",
        "POSSESSION OF A CONTROLLED SUBSTANCE",
        None,
    ]
    got = (
        pl.DataFrame({"t": titles}, schema={"t": pl.String})
        .select(title_drug(pl.col("t")))
        .to_series()
        .to_list()
    )
    assert got == [
        "fentanyl",
        "heroin",
        "prescription_opioid",
        "prescription_opioid",
        "prescription_opioid",
        "crack",
        "cocaine",
        "methamphetamine",
        "cannabis",
        "other",
        None,
        None,
    ]


def test_it_keeps_the_source_of_the_drug_in_drug_raw() -> None:
    frame = pl.DataFrame(
        {
            "s": [
                "720 ILCS 570/402(c)",
                "720 ILCS 570/401(a)(2)(A)",
                "720 ILCS 570/402(c)",
                "720 ILCS 5/16-25",
            ],
            "t": ["POSS HEROIN", "MFG/DEL", "POSS AMT CON SUB", "RETAIL THEFT"],
        }
    )
    out = map_charges(frame, statute="s", title="t")
    assert out.columns == ["s", "t", *MAPPED_COLUMNS]
    assert out.select("drug", "drug_raw").rows() == [
        ("heroin", "POSS HEROIN"),
        ("cocaine", "720 ILCS 570/401(a)(2)(A)"),
        (None, None),
        ("none", None),
    ]


def test_it_maps_each_distinct_charge_once_and_keeps_row_order() -> None:
    statutes = ["720 ILCS 550/4(d)", None, "720 ILCS 570/402(c)"] * 1000
    titles = ["POSS CANNABIS", "RETAIL THEFT", None] * 1000
    frame = pl.DataFrame({"n": range(3000), "s": statutes, "t": titles})
    out = map_charges(frame, statute="s", title="t")
    assert out["n"].to_list() == list(range(3000))
    assert out["offense_kind"].to_list()[:3] == ["possession", "other", "possession"]
    assert out["drug"].to_list()[:3] == ["cannabis", None, None]


def test_it_cites_a_source_for_every_rule() -> None:
    for rule in (*SECTIONS, *SEVERITIES, *SUBSECTION_DRUGS):
        assert rule.source.strip()
        assert rule.act in ("570", "550", "646", "600", "635")


def test_it_parses_ccsao_date_shapes_and_rejects_others() -> None:
    values = [
        "01/01/2011 12:00:00 AM",
        "05/24/2011",
        "05/22/2011 06:51:00 PM",
        "2011-01-01T00:00:00.000",
        "02/30/2011",
        "24/05/2011",
        "garbage",
        None,
    ]
    got = (
        pl.DataFrame({"d": values}, schema={"d": pl.String})
        .select(parse_date(pl.col("d")))
        .to_series()
        .to_list()
    )
    assert (
        got
        == [dt.date(2011, 1, 1), dt.date(2011, 5, 24), dt.date(2011, 5, 22), dt.date(2011, 1, 1)] + [None] * 4
    )
