"""Illinois statute citations and offence titles -> offence kind, drug, severity and NIBRS code.

Everything here is a Polars expression, so a million charges map in one pass. The rules are tables (at
the end of the module) that a prosecutor can check line by line against the Illinois Compiled Statutes:

- 720 ILCS 570, Illinois Controlled Substances Act: 401 manufacture/delivery (or possession with intent),
  401.1 controlled substance trafficking, 402 possession, 407 violations near schools and parks (407(b))
  or deliveries to minors (407(a));
- 720 ILCS 550, Cannabis Control Act: 4 possession, 5 manufacture/delivery, 5.1 trafficking, 5.2 delivery
  on school grounds, 8 production of cannabis plants;
- 720 ILCS 646, Methamphetamine Control and Community Protection Act: 15 participation and 20 aggravated
  participation in manufacturing, 55 delivery, 56 trafficking, 60 possession;
- 720 ILCS 600, Drug Paraphernalia Control Act, and 720 ILCS 635, Hypodermic Syringes and Needles Act:
  drug equipment (NIBRS 35B).

Text: https://www.ilga.gov/legislation/ilcs/ilcs.asp (chapter 720). What a rule does not know stays null
(unknown) — a drug is never guessed, and a subsection is only read for a drug where the Act names one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from offramp.core.enums import Drug, OffenseKind, Severity
from offramp.core.intake.common import nibrs_code

CSA, CANNABIS_ACT, METH_ACT, PARAPHERNALIA_ACT, SYRINGE_ACT = "570", "550", "646", "600", "635"
DRUG_ACTS = (CSA, CANNABIS_ACT, METH_ACT, PARAPHERNALIA_ACT, SYRINGE_ACT)

#: P.A. 99-697 (effective 29 July 2016) made possessing up to 10 g of cannabis (720 ILCS 550/4(a)) and
#: cannabis paraphernalia civil law violations; before it 550/4(a) was a Class C and 600/3.5 a Class A
#: misdemeanour. Only a case received before this date is known to fall under the old law.
CANNABIS_DECRIMINALISED = dt.date(2016, 7, 29)

# A citation: chapter, optional "ILCS", act, "/" or "\" (PROMIS), section (Criminal Code sections carry a
# hyphen: 5/16-25, 5/16A-3), then subsections in any punctuation: (a)(2)(A), -A-2-A, (C), C.
_CITATION = (
    r"^(?P<chapter>\d{1,3})\s*(?:ILCS)?\s*-?\s*(?P<act>\d{1,4})\s*[/\\]\s*"
    r"(?P<section>\d+(?:[A-Z]?-\d+(?:\.\d+)?|\.\d+)?)(?P<rest>.*)$"
)
# Old Illinois Revised Statutes, ch. 56 1/2, as written in PROMIS: par. 14NN is 720 ILCS 570/4NN and
# par. 7NN is 720 ILCS 550/NN (the ILCS source notes: "570/402 (from Ch. 56 1/2, par. 1402)",
# "550/4 (from Ch. 56 1/2, par. 704)").
_ILRS_CSA = (r"^56[.-]5[-.\s]*14(\d{2}(?:\.\d+)?)", "720 ILCS 570/4${1}")
_ILRS_CANNABIS = (r"^56[.-]5[-.\s]*70?(\d{1,2}(?:\.\d+)?)(?:[^\d.]|$)", "720 ILCS 550/${1}-")


def blank_or_dash_to_null(expr: pl.Expr) -> pl.Expr:
    """Stripped text, or null where blank or a placeholder dash (PROMIS writes `-` for no value)."""
    text = expr.str.strip_chars()
    return pl.when(text.is_in(["", "-", "--"])).then(None).otherwise(text)


def citation_in_title(title: pl.Expr) -> pl.Expr:
    """The citation a PROMIS-converted title carries after `=`, e.g. `MURDER=720-5\\9-1(A)(1-3)`."""
    return title.str.extract(r"=\s*(\d[^=]*?)\s*$", 1)


def join_citation(chapter: pl.Expr, act: pl.Expr, section: pl.Expr) -> pl.Expr:
    """One citation from the Initiation/Dispositions chapter, act and section columns.

    PROMIS-converted rows hold the whole citation in the chapter column (`720-570\\402(C)`) with act and
    section blank or `-`; those are returned as they are.
    """
    c, a, s = blank_or_dash_to_null(chapter), blank_or_dash_to_null(act), blank_or_dash_to_null(section)
    joined = pl.concat_str([c, pl.lit(" ILCS "), a, pl.lit("/"), s])
    return pl.when(a.is_null() & s.is_null()).then(c).otherwise(joined)


def citation_parts(text: pl.Expr) -> pl.Expr:
    """A struct {chapter, act, section, subs} of a citation in any of its written forms; fields null when
    the text is no recognisable ILCS citation. `subs` is normalised to lower-case `(a)(2)(a)`."""
    t = text.str.to_uppercase().str.strip_chars().str.replace_all(r"\s+", " ")
    t = t.str.replace(*_ILRS_CSA).str.replace(*_ILRS_CANNABIS)
    groups = t.str.extract_groups(_CITATION)
    tokens = groups.struct.field("rest").str.to_lowercase().str.extract_all(r"\d+(?:\.\d+)?|[a-z]+")
    subs = (
        pl.when(tokens.list.len() > 0)
        .then(pl.concat_str([pl.lit("("), tokens.list.join(")("), pl.lit(")")]))
        .otherwise(pl.lit(""))
    )
    return pl.struct(
        groups.struct.field("chapter").alias("chapter"),
        groups.struct.field("act").alias("act"),
        groups.struct.field("section").str.to_lowercase().alias("section"),
        pl.when(groups.struct.field("act").is_not_null()).then(subs).alias("subs"),
    )


def normalise_statute(text: pl.Expr) -> pl.Expr:
    """`720 ILCS 570/402(c)` for every written form of that citation; null when not recognised."""
    p = citation_parts(text)
    return pl.concat_str(
        [
            p.struct.field("chapter"),
            pl.lit(" ILCS "),
            p.struct.field("act"),
            pl.lit("/"),
            p.struct.field("section"),
            p.struct.field("subs"),
        ]
    )


def title_drug(title: pl.Expr) -> pl.Expr:
    """The drug a charge title names (highest overdose risk first when it names several), else null."""
    t = title.str.to_uppercase()
    expr: pl.Expr = pl.lit(None, pl.String)
    for drug, pattern in reversed(TITLE_DRUGS):
        expr = pl.when(t.str.contains(pattern)).then(pl.lit(drug.value)).otherwise(expr)
    return expr


#: the columns `map_charges` adds
MAPPED_COLUMNS = ("statute_normalised", "offense_kind", "drug", "drug_raw", "severity", "nibrs_code")
_NULL = "\x00"  # stands for a null key in the join back (a NUL byte never occurs in CSV text)


def map_charges(frame: pl.DataFrame, *, statute: str, title: str, as_of: str | None = None) -> pl.DataFrame:
    """`frame` plus MAPPED_COLUMNS: statute_normalised, offense_kind, drug, drug_raw, severity, nibrs_code.

    `statute` and `title` name text columns; a blank statute falls back to a citation inside the title.
    `as_of` names a date column known to be on or after the offence (e.g. the date received), used for
    tiers whose severity changed with the law. Each distinct (statute, title) is mapped once and joined
    back: an export repeats a few thousand charge texts over a million rows.
    """
    before = (pl.col(as_of) < CANNABIS_DECRIMINALISED).fill_null(False) if as_of else pl.lit(False)
    keys = ["__k_statute", "__k_title", "__k_before"]
    keyed = frame.with_columns(
        pl.col(statute).fill_null(_NULL).alias(keys[0]),
        pl.col(title).fill_null(_NULL).alias(keys[1]),
        before.alias(keys[2]),
    )
    distinct = keyed.select(keys).unique()
    mapped = _map_distinct(
        distinct.with_columns(
            pl.when(pl.col(k) != _NULL).then(pl.col(k)).alias(name)
            for k, name in ((keys[0], "__statute"), (keys[1], "__title"))
        )
    ).select([*keys, *MAPPED_COLUMNS])
    return keyed.join(mapped, on=keys, how="left", maintain_order="left").drop(keys)


def _map_distinct(frame: pl.DataFrame) -> pl.DataFrame:
    statute, title = pl.col("__statute"), pl.col("__title")
    cite_text = pl.coalesce(blank_or_dash_to_null(statute), citation_in_title(title))
    staged = frame.with_columns(
        citation_parts(cite_text).alias("__cite"),
        cite_text.alias("__cite_text"),
        title.str.to_uppercase().alias("__upper_title"),
        title_drug(title).alias("__title_drug"),
    ).with_columns(
        pl.col("__cite").struct.field(f).alias(f"__{f}") for f in ("chapter", "act", "section", "subs")
    )
    chapter720 = (pl.col("__chapter") == "720").fill_null(False)
    act, section, subs = pl.col("__act"), pl.col("__section"), pl.col("__subs")
    first_sub = subs.str.extract(r"^\(([a-z]+)\)", 1)
    staged = staged.with_columns(
        _kind(chapter720, act, section, pl.col("__upper_title")).alias("offense_kind"),
        _severity(chapter720, act, section, first_sub, pl.col("__k_before")).alias("severity"),
        normalise_statute(pl.col("__cite_text")).alias("statute_normalised"),
    )
    kind = pl.col("offense_kind")
    staged = staged.with_columns(
        _drug(chapter720, act, section, subs, title=pl.col("__upper_title"), kind=kind).alias("drug"),
        nibrs_code(kind).alias("nibrs_code"),
    )
    drug = pl.col("drug")
    # the text the drug was read from: the title's words, else the citation (which may sit in the title)
    cite_source = pl.when(blank_or_dash_to_null(statute).is_null()).then(title).otherwise(statute)
    return staged.with_columns(
        pl.when(drug.is_null() | (drug == Drug.NONE.value))
        .then(None)
        .when(drug == pl.col("__title_drug"))
        .then(title)
        .otherwise(cite_source)
        .alias("drug_raw")
    )


def _kind(chapter720: pl.Expr, act: pl.Expr, section: pl.Expr, title: pl.Expr) -> pl.Expr:
    intent = title.str.contains(INTENT_TO_DELIVER).fill_null(False)
    manufacture = title.str.contains(r"MANUFACTUR|\bMFG\b|\bMANU\b").fill_null(False)
    manufacture_only = manufacture & ~title.str.contains(r"\bDEL").fill_null(False)
    expr: pl.Expr = pl.lit(OffenseKind.OTHER.value)
    for rule in reversed(SECTIONS):
        matched = chapter720 & (act == rule.act)
        if rule.sections:
            matched = matched & section.is_in(list(rule.sections))
        value = pl.lit(rule.kind.value)
        if rule.kind == OffenseKind.DELIVERY:
            value = (
                pl.when(intent)
                .then(pl.lit(OffenseKind.POSSESSION_WITH_INTENT.value))
                .when(manufacture_only)
                .then(pl.lit(OffenseKind.MANUFACTURE.value))
                .otherwise(value)
            )
        expr = pl.when(matched.fill_null(False)).then(value).otherwise(expr)
    return expr


def _severity(
    chapter720: pl.Expr, act: pl.Expr, section: pl.Expr, first_sub: pl.Expr, before: pl.Expr
) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, pl.String)
    for rule in reversed(SEVERITIES):
        matched = chapter720 & (act == rule.act) & section.is_in(list(rule.sections))
        if rule.subsections:
            matched = matched & first_sub.is_in(list(rule.subsections))
        if rule.only_before_decriminalisation:
            matched = matched & before
        expr = pl.when(matched.fill_null(False)).then(pl.lit(rule.severity.value)).otherwise(expr)
    return expr


def _drug(
    chapter720: pl.Expr, act: pl.Expr, section: pl.Expr, subs: pl.Expr, *, title: pl.Expr, kind: pl.Expr
) -> pl.Expr:
    from_title = pl.col("__title_drug")
    from_subsection: pl.Expr = pl.lit(None, pl.String)
    for rule in reversed(SUBSECTION_DRUGS):
        matched = chapter720 & (act == rule.act) & section.is_in(list(rule.sections))
        matched = matched & subs.str.starts_with(rule.subsection)
        from_subsection = (
            pl.when(matched.fill_null(False)).then(pl.lit(rule.drug.value)).otherwise(from_subsection)
        )
    # the Act does not tell powder from base cocaine; a title that says crack refines a cocaine subsection
    from_subsection = (
        pl.when((from_subsection == Drug.COCAINE.value) & (from_title == Drug.CRACK.value))
        .then(pl.lit(Drug.CRACK.value))
        .otherwise(from_subsection)
    )
    drug_act = (chapter720 & act.is_in(list(DRUG_ACTS))).fill_null(False)
    mentions_drugs = title.str.contains(DRUG_WORDS).fill_null(False)
    return (
        pl.when(kind == OffenseKind.PARAPHERNALIA.value)
        .then(pl.lit(Drug.NONE.value))
        .when((chapter720 & (act == CANNABIS_ACT)).fill_null(False))
        .then(pl.lit(Drug.CANNABIS.value))
        .when((chapter720 & (act == METH_ACT)).fill_null(False))
        .then(pl.lit(Drug.METHAMPHETAMINE.value))
        .when(from_subsection.is_not_null())
        .then(from_subsection)
        .when(from_title.is_not_null())
        .then(from_title)
        .when(act.is_not_null() & ~drug_act & ~mentions_drugs)
        .then(pl.lit(Drug.NONE.value))
        .otherwise(pl.lit(None, pl.String))
    )


# --- rule tables -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionRule:
    """Offence kind of a section of an Act in ILCS chapter 720 (`sections` empty: every section)."""

    act: str
    sections: tuple[str, ...]
    kind: OffenseKind
    source: str


@dataclass(frozen=True)
class SeverityRule:
    """Felony or misdemeanour for sections (and, where the tier decides it, first-level subsections)."""

    act: str
    sections: tuple[str, ...]
    subsections: tuple[str, ...]
    severity: Severity
    source: str
    only_before_decriminalisation: bool = False


@dataclass(frozen=True)
class DrugRule:
    """A subsection (prefix such as `(a)(1)`) whose text names the substance."""

    act: str
    sections: tuple[str, ...]
    subsection: str
    drug: Drug
    source: str


#: a section whose kind is delivery becomes possession_with_intent when the title says so
INTENT_TO_DELIVER = r"INTENT\s*TO\s*(?:DEL|MANU|MFG)|\bW/?\s*INT(?:ENT)?\b|\bPWID\b"
#: words that make a title drug-related even when its statute is not a drug Act (attempts, contraband)
DRUG_WORDS = r"CONTROLLED\s*SUB|\bCON(?:T|TR)?\.?\s*SUB|CTL\s*SUB|NARCOTIC|\bDRUG|PARAPHERNALIA|HYPODERMIC"

TITLE_DRUGS: tuple[tuple[Drug, str], ...] = (
    (Drug.FENTANYL, r"FENTANYL|FENTANIL|\bFENT\b"),
    (Drug.HEROIN, r"HEROIN"),
    (
        Drug.PRESCRIPTION_OPIOID,
        r"OXYCOD|HYDROCOD|OXYCONTIN|PERCOCET|VICODIN|NORCO\b|MORPHINE|CODEINE|METHADONE|HYDROMORPH|"
        r"DILAUDID|OXYMORPH|TRAMADOL",
    ),
    (Drug.CRACK, r"CRACK|COCAINE\s*BASE|\bCOC\.?\s*BASE"),
    (Drug.COCAINE, r"COCAINE"),
    (Drug.METHAMPHETAMINE, r"METHAMPHETAMINE|\bMETH\b|\bAMPHETAMINE"),
    (Drug.CANNABIS, r"CANNABIS|CANNIBIS|CANABIS|MARIJUANA|MARIHUANA|\bCANN\b"),
    (
        Drug.OTHER,
        r"\bLSD\b|ECSTASY|\bMDMA\b|\bPCP\b|KETAMINE|PSILOCYB|MUSHROOM|ALPRAZOLAM|XANAX|BENZODIAZ|STEROID|"
        r"PEYOTE|MESCALINE|BARBIT|METHAQUALONE|\bGHB\b",
    ),
)

SECTIONS: tuple[SectionRule, ...] = (
    SectionRule(CSA, ("401",), OffenseKind.DELIVERY, "720 ILCS 570/401 manufacture or delivery"),
    SectionRule(
        CSA, ("401.1",), OffenseKind.TRAFFICKING, "720 ILCS 570/401.1 controlled substance trafficking"
    ),
    SectionRule(CSA, ("402",), OffenseKind.POSSESSION, "720 ILCS 570/402 possession"),
    SectionRule(
        CSA, ("407",), OffenseKind.DELIVERY, "720 ILCS 570/407 401 violations near schools, to minors"
    ),
    SectionRule(CANNABIS_ACT, ("4",), OffenseKind.POSSESSION, "720 ILCS 550/4 possession of cannabis"),
    SectionRule(CANNABIS_ACT, ("5", "5.2"), OffenseKind.DELIVERY, "720 ILCS 550/5 manufacture or delivery"),
    SectionRule(CANNABIS_ACT, ("5.1",), OffenseKind.TRAFFICKING, "720 ILCS 550/5.1 cannabis trafficking"),
    SectionRule(
        CANNABIS_ACT, ("8",), OffenseKind.MANUFACTURE, "720 ILCS 550/8 production of cannabis plants"
    ),
    SectionRule(
        METH_ACT, ("15", "20"), OffenseKind.MANUFACTURE, "720 ILCS 646/15, 646/20 meth manufacturing"
    ),
    SectionRule(METH_ACT, ("55",), OffenseKind.DELIVERY, "720 ILCS 646/55 methamphetamine delivery"),
    SectionRule(METH_ACT, ("56",), OffenseKind.TRAFFICKING, "720 ILCS 646/56 methamphetamine trafficking"),
    SectionRule(METH_ACT, ("60",), OffenseKind.POSSESSION, "720 ILCS 646/60 possession of methamphetamine"),
    SectionRule(
        PARAPHERNALIA_ACT, (), OffenseKind.PARAPHERNALIA, "720 ILCS 600 Drug Paraphernalia Control Act"
    ),
    SectionRule(
        SYRINGE_ACT, (), OffenseKind.PARAPHERNALIA, "720 ILCS 635 Hypodermic Syringes and Needles Act"
    ),
)

_FELONY, _MISDEMEANOR = Severity.FELONY, Severity.MISDEMEANOR
SEVERITIES: tuple[SeverityRule, ...] = (
    SeverityRule(
        CSA, ("401", "401.1", "407"), (), _FELONY, "570/401, 401.1, 407: Class X to Class 3 felonies"
    ),
    SeverityRule(CSA, ("402",), ("a", "c"), _FELONY, "570/402(a) Class 1, 402(c) Class 4 felony"),
    SeverityRule(CSA, ("402",), ("d",), _MISDEMEANOR, "570/402(d) anabolic steroids, Class C misdemeanor"),
    SeverityRule(
        CANNABIS_ACT,
        ("4",),
        ("a",),
        _MISDEMEANOR,
        "550/4(a) Class C misdemeanor before P.A. 99-697",
        only_before_decriminalisation=True,
    ),
    # 4(c) is a Class 4 felony for a subsequent offence, which the export cannot tell
    SeverityRule(CANNABIS_ACT, ("4",), ("b", "c"), _MISDEMEANOR, "550/4(b) Class B, (c) Class A misdemeanor"),
    SeverityRule(
        CANNABIS_ACT, ("4",), ("d", "e", "f", "g"), _FELONY, "550/4(d)-(g) Class 4 to Class 1 felony"
    ),
    SeverityRule(CANNABIS_ACT, ("5",), ("a", "b"), _MISDEMEANOR, "550/5(a) Class B, (b) Class A misdemeanor"),
    SeverityRule(CANNABIS_ACT, ("5",), ("c", "d", "e", "f", "g"), _FELONY, "550/5(c)-(g) Class 4 to Class X"),
    SeverityRule(CANNABIS_ACT, ("5.1",), (), _FELONY, "550/5.1 cannabis trafficking, felony"),
    SeverityRule(CANNABIS_ACT, ("8",), ("b", "c", "d", "e"), _FELONY, "550/8(b)-(e) more than 5 plants"),
    SeverityRule(METH_ACT, ("15", "20", "55", "56", "60"), (), _FELONY, "646/15-60: every tier is a felony"),
    SeverityRule(
        PARAPHERNALIA_ACT,
        ("3.5",),
        (),
        _MISDEMEANOR,
        "600/3.5 Class A misdemeanor before P.A. 99-697",
        only_before_decriminalisation=True,
    ),
)

_401, _402, _BOTH = ("401",), ("402",), ("401", "402")
SUBSECTION_DRUGS: tuple[DrugRule, ...] = (
    DrugRule(CSA, _BOTH, "(a)(1)", Drug.HEROIN, "401(a)(1), 402(a)(1): heroin"),
    DrugRule(CSA, _401, "(a)(1.5)", Drug.FENTANYL, "401(a)(1.5): fentanyl"),
    DrugRule(CSA, _BOTH, "(a)(2)", Drug.COCAINE, "401(a)(2), 402(a)(2): cocaine"),
    DrugRule(CSA, _BOTH, "(a)(3)", Drug.PRESCRIPTION_OPIOID, "401(a)(3), 402(a)(3): morphine"),
    DrugRule(CSA, _BOTH, "(a)(6)", Drug.METHAMPHETAMINE, "401(a)(6), 402(a)(6): amphetamine"),
    DrugRule(CSA, _BOTH, "(a)(6.5)", Drug.METHAMPHETAMINE, "(a)(6.5): methamphetamine, before 720 ILCS 646"),
    DrugRule(CSA, _BOTH, "(a)(7)", Drug.OTHER, "(a)(7): lysergic acid diethylamide (LSD)"),
    DrugRule(CSA, _BOTH, "(a)(7.5)", Drug.OTHER, "(a)(7.5): MDMA and related substances"),
    DrugRule(CSA, _BOTH, "(a)(10)", Drug.OTHER, "(a)(10): phencyclidine (PCP)"),
    DrugRule(CSA, _401, "(c)(1)", Drug.HEROIN, "401(c)(1): heroin"),
    DrugRule(CSA, _401, "(c)(1.5)", Drug.FENTANYL, "401(c)(1.5): fentanyl"),
    DrugRule(CSA, _401, "(c)(2)", Drug.COCAINE, "401(c)(2): cocaine"),
    DrugRule(CSA, _401, "(c)(7)", Drug.OTHER, "401(c)(7): LSD"),
    DrugRule(CSA, _401, "(c)(7.5)", Drug.OTHER, "401(c)(7.5): MDMA and related substances"),
    DrugRule(CSA, _402, "(d)", Drug.OTHER, "402(d): anabolic steroids"),
)
