"""Georgia statute text for each (offence kind, drug) and the short narrative composed from a row's facts.

Statutes are the Georgia Controlled Substances Act sections a DeKalb County charge would cite:
O.C.G.A. 16-13-30(a) possession, 16-13-30(b) sale / distribution / possession with intent / manufacture,
16-13-30(j) the same for marijuana, 16-13-2(b) one ounce or less of marijuana (misdemeanour), 16-13-31
trafficking (subsections (a) cocaine, (b) illegal drugs: morphine, opium, heroin and their salts,
(c) marijuana, (e) methamphetamine; the fentanyl line is cited without a subsection), 16-13-31.1 MDMA,
16-13-32.2 drug-related objects. The titles are plausible charging text, not quotations of the code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from offramp.core.enums import Severity
from offramp.core.generate import tables as t

FELONY, MISDEMEANOR = Severity.FELONY.value, Severity.MISDEMEANOR.value

#: how each drug reads in a charge title, and in a narrative
_TITLE_DRUG = (
    "FENTANYL",
    "HEROIN",
    "OXYCODONE",
    "COCAINE",
    "COCAINE (CRACK)",
    "METHAMPHETAMINE",
    "MARIJUANA",
    "MDMA",
    "",
)
_NARRATIVE_DRUG = (
    "fentanyl",
    "heroin",
    "oxycodone pills",
    "cocaine",
    "crack cocaine",
    "methamphetamine",
    "marijuana",
    "MDMA",
    "",
)
_POSSESSION_TITLE = (
    "POSSESSION OF A SCHEDULE II CONTROLLED SUBSTANCE (FENTANYL)",
    "POSSESSION OF A SCHEDULE I CONTROLLED SUBSTANCE (HEROIN)",
    "POSSESSION OF A SCHEDULE II CONTROLLED SUBSTANCE (OXYCODONE)",
    "POSSESSION OF COCAINE",
    "POSSESSION OF COCAINE (CRACK)",
    "POSSESSION OF METHAMPHETAMINE",
    "POSSESSION OF MARIJUANA (MORE THAN ONE OUNCE)",
    "POSSESSION OF A SCHEDULE I CONTROLLED SUBSTANCE (MDMA)",
)
_TRAFFICKING = (
    ("16-13-31", "TRAFFICKING IN FENTANYL"),
    ("16-13-31(b)", "TRAFFICKING IN ILLEGAL DRUGS (HEROIN)"),
    ("16-13-31(b)", "TRAFFICKING IN ILLEGAL DRUGS (OXYCODONE)"),
    ("16-13-31(a)", "TRAFFICKING IN COCAINE"),
    ("16-13-31(a)", "TRAFFICKING IN COCAINE"),
    ("16-13-31(e)", "TRAFFICKING IN METHAMPHETAMINE"),
    ("16-13-31(c)", "TRAFFICKING IN MARIJUANA"),
    ("16-13-31.1", "TRAFFICKING IN MDMA"),
)
#: non-drug charges for the `other` offence kind: (statute, title, victims it implies)
OTHER_CHARGES: tuple[tuple[str, str, int], ...] = (
    ("16-10-24(a)", "OBSTRUCTION OR HINDERING LAW ENFORCEMENT OFFICERS", 0),
    ("16-8-14(a)", "THEFT BY SHOPLIFTING", 1),
    ("40-6-391(a)(2)", "DRIVING UNDER THE INFLUENCE OF DRUGS (LESS SAFE)", 0),
)


def _charges() -> tuple[list[tuple[str, str, str]], npt.NDArray[np.int64]]:
    """Every (statute, title, severity) and the index of the one for [kind, drug, small_cannabis]."""
    rows: list[tuple[str, str, str]] = []
    index = np.zeros((len(t.KINDS), len(t.DRUGS), 2), dtype=np.int64)

    def put(kind: int, drug: int, row: tuple[str, str, str], small: tuple[int, ...] = (0, 1)) -> None:
        rows.append(row)
        for s in small:
            index[kind, drug, s] = len(rows) - 1

    for d, name in enumerate(_TITLE_DRUG[:-1]):
        pot = d == t.CANNABIS
        put(t.POSSESSION, d, ("16-13-30(j)" if pot else "16-13-30(a)", _POSSESSION_TITLE[d], FELONY), (0,))
        if pot:
            small = ("16-13-2(b)", "POSSESSION OF ONE OUNCE OR LESS OF MARIJUANA", MISDEMEANOR)
            put(t.POSSESSION, d, small, (1,))
        else:
            index[t.POSSESSION, d, 1] = index[t.POSSESSION, d, 0]
        section = "16-13-30(j)" if pot else "16-13-30(b)"
        put(t.PWID, d, (section, f"POSSESSION WITH INTENT TO DISTRIBUTE {name}", FELONY))
        put(t.DELIVERY, d, (section, f"SALE OF {name}", FELONY))
        put(t.MANUFACTURE, d, (section, f"MANUFACTURE OF {name}", FELONY))
        put(t.TRAFFICKING, d, (*_TRAFFICKING[d], FELONY))
    put(t.PARAPHERNALIA, t.NO_DRUG, ("16-13-32.2", "POSSESSION OF DRUG RELATED OBJECTS", MISDEMEANOR))
    return rows, index


CHARGES, CHARGE_INDEX = _charges()
#: the `other` charges follow the drug charges in the charge list
OTHER_CHARGE_BASE = len(CHARGES)
CHARGES.extend((statute, title, MISDEMEANOR) for statute, title, _ in OTHER_CHARGES)


def charge_columns(charge: npt.NDArray[np.int64]) -> list[pl.Series]:
    """statute, charge_title and severity for each row's index into CHARGES."""
    picks = pl.Series("i", charge, dtype=pl.UInt32)
    return [
        pl.Series(name, [c[i] for c in CHARGES], dtype=pl.String).gather(picks)
        for i, name in enumerate(("statute", "charge_title", "severity"))
    ]


def plain_number(value: pl.Expr) -> pl.Expr:
    """A number as text without needless precision: 12.0 -> "12", 0.25 -> "0.25" (Polars prints the
    shortest text that reads back as the same float, never in exponent form)."""
    return value.cast(pl.String).str.strip_suffix(".0")


#: the facts a narrative mentions when true, in order (a bitmask of them picks a prepared suffix)
_NOTES = (
    ("packaging", "packaged in individual bags"),
    ("scales_or_ledgers", "scale or ledger recovered"),
    ("weapon", "firearm recovered"),
    ("violence", "force used against another person"),
    ("near_school", "within 1,000 feet of a school"),
    ("sale_to_minor", "buyer was a minor"),
    ("injection_use", "injection marks observed"),
    ("prior_overdose", "reports a past overdose"),
)
_VERB = {
    t.POSSESSION: "found in possession of",
    t.PWID: "found in possession of",
    t.DELIVERY: "seen selling",
    t.TRAFFICKING: "stopped transporting",
    t.MANUFACTURE: "found producing",
}


def _phrases() -> list[str]:
    """What the person was doing, for each charge in CHARGES (same order)."""
    phrases = [""] * len(CHARGES)
    for (kind, drug, _), i in np.ndenumerate(CHARGE_INDEX):
        if kind in _VERB and drug != t.NO_DRUG:
            phrases[int(i)] = f"{_VERB[kind]} suspected {_NARRATIVE_DRUG[drug]}"
    phrases[CHARGE_INDEX[t.PARAPHERNALIA, t.NO_DRUG, 0]] = (
        "found with drug-related objects (pipe, syringes, baggies)"
    )
    for j, (_, title, _) in enumerate(CHARGES[OTHER_CHARGE_BASE:], start=OTHER_CHARGE_BASE):
        phrases[j] = "arrested for " + title.lower()
    return phrases


_PHRASES = pl.Series("phrase", _phrases(), dtype=pl.String)
_SUFFIXES = pl.Series(
    "suffix",
    ["".join(f"; {text}" for bit, (_, text) in enumerate(_NOTES) if code >> bit & 1) + "." for code in
     range(1 << len(_NOTES))],
    dtype=pl.String,
)  # fmt: skip


_SEX_WORDS = (*(sex.value for sex in t.SEXES), "person")
_AGES = range(t.MAX_AGE + 2)  # the last one stands for "age unknown"
_HEADS = pl.Series(
    "head",
    [f"Adult {sex}, {age if age <= t.MAX_AGE else 'age unknown'}, " for age in _AGES for sex in _SEX_WORDS],
    dtype=pl.String,
)


def narrative(charge: pl.Expr) -> pl.Expr:
    """One sentence composed from the row's recorded facts, as an officer's summary would read; a blank
    (unknown) fact is not mentioned. `charge` is the row's index into CHARGES. Built from prepared
    pieces picked by index, so a million rows take a fraction of a second."""
    drug_charge = pl.col("drug") != t.DRUGS[t.NO_DRUG].value
    amount = pl.when(drug_charge).then(
        pl.concat_str(pl.lit(" ("), plain_number(pl.col("quantity_g")), pl.lit(" g)")).fill_null(
            " (weight pending)"
        )
    )
    cash = pl.when(pl.col("cash_usd") > 0).then(
        pl.concat_str(pl.lit("; $"), plain_number(pl.col("cash_usd")), pl.lit(" cash seized"))
    )
    notes = pl.sum_horizontal(
        pl.col(flag).fill_null(False).cast(pl.UInt32) * (1 << bit) for bit, (flag, _) in enumerate(_NOTES)
    )
    unknown_age = len(_AGES) - 1
    age = (
        (pl.col("received_date").dt.year() - pl.col("birth_year")).fill_null(unknown_age).clip(0, unknown_age)
    )
    sex = pl.col("sex").replace_strict(
        [x.value for x in t.SEXES], range(len(t.SEXES)), default=len(t.SEXES), return_dtype=pl.UInt32
    )
    return pl.concat_str(
        pl.lit(_HEADS).gather(age.cast(pl.UInt32) * len(_SEX_WORDS) + sex),
        pl.lit(_PHRASES).gather(charge),
        amount,
        cash,
        pl.lit(_SUFFIXES).gather(notes),
        ignore_nulls=True,
    )
