"""Synthetic drug cases in the `offramp-csv` format, for demos, load tests and for scoring the evaluation
engine against a known answer. Deterministic for a seed; vectorised (a million rows in a few seconds).

Each case first draws a latent seller role; charge, drug, amount and evidence follow from it, so the
engine's seller-role finding can be checked (`include_role=True` adds the role as `latent_role`).
The numbers are in `tables.py`; docs/synthetic-data.md explains each one.

| what | distribution | basis |
|---|---|---|
| latent role | user 78%; sellers 22%: user-seller 17%, street 30, courier 21, mid 30, high 2 | UCR USSC |
| offence kind | by role; possession + paraphernalia 78.8%, sale / traffic / make 18.3%, other 2.9% | UCR A |
| drug | by role; of drug cases cannabis 28%, meth 19, fentanyl 14.7, cocaine 11, crack 9, | UCR A |
|  | other 9, pills 5, heroin 4; `none` for paraphernalia and `other` charges | |
| quantity_g | lognormal, median user 0.5 g, user-seller 2, street 5, mid 50, courier 120, high 1500 | LEAD |
|  | x8 cannabis, x0.5 fentanyl; trafficking at least the 16-13-31 line; capped at 50 kg | GA |
| severity, statute | misdemeanour: 1 oz or less of marijuana, paraphernalia, `other`; else felony | GA |
| indicators | packaging / scales / cash: user 6 / 3 / 30% ($40) ... high-level 80 / 80 / 90% ($25k) | D2 A |
| weapon, violence | user 2 / 1% ... high-level 20 / 8% | A |
| organizer_role | high-level 70%, mid-level 5%; only on sale, trafficking and manufacture charges | D2 A |
| trafficking_org_ties | high-level 80%, mid-level 5, courier 2; never users, user-sellers, street sellers | D2 A |
| weapon_in_connection | only with `weapon`; of those user 30%, user-seller 50, street / courier 60, mid 80, | D3 A |
|  | high 85 | |
| sale_to_minor | 1% of possession-with-intent and delivery charges; near_school 2-5% by role | A |
| priors | felonies Poisson (role mean at 30 x (age - 18) / 12); violent and sale priors binomial shares | A |
| last_violent_conviction_year | only if prior_violent > 0: uniform over received year - 15 .. received year, | A |
|  | never before age 18; blank with the priors | |
| release | known for 25% of people with priors, 12% of them within 14 days; supervision follows | D4 A |
| health | injection / past overdose by drug x role: heroin 45 / 30%, fentanyl 30 / 30% | D4 A |
| on_moud | opioid cases only (fentanyl, heroin, pills): 20% x role use (users 20%, user-sellers 16, | MOUD A |
|  | other sellers 2) | |
| victim_count | 0, except violence 1 + Poisson(0.25), sale to a minor 1, shoplifting 1 | A |
| sex | male 75.7%, female 24.3% | UCR17 |
| race, ethnicity | White 71.2%, Black 26.1, AIAN 1.5, Asian 1.0, NHPI 0.2; Hispanic 18% | UCR |
| age | 18 + Gamma(1.8, 6.0) years at the window's start (median about 27), never over 70 | BJS |
| people | 15% of cases are a further case of someone already in the file; demographics drawn per person | A |
| zip, agency | 25 DeKalb ZIPs + 5 neighbouring; DeKalb County Police 55%, 11 other DeKalb-area agencies | A |
| stage (if asked) | at `end`: resolved with p = 1 - exp(-age / 180 days), by role (declined, diverted, | A |
|  | disposed, closed); open: received 30%, under review 30, charged 40 | |
| disposition (if asked) | disposed / closed cases only; by role, e.g. users plea 50%, diversion completed 18, | BJS A |
|  | dismissed 15, nolle 12; dated receipt + lognormal(median 120 days), never after `end` | |
| sentence (if asked) | convictions only; by role (users probation 45%, high-level prison 80%); days: prison | BJS GA |
|  | median 3 years, jail median 45 days, other sentences 0; conditional discharge only on a possession | |
|  | charge with no prior felony, its share spread pro rata over the others elsewhere | |
| blanks (unknown) | per column, from 0.5% (sex) to 25% (health facts, on_moud); weapon_in_connection | A |
|  | with weapon | |

UCR: FBI Uniform Crime Reports, Crime in the United States 2019, arrests for drug abuse violations
(86.7% possession, 13.3% sale / manufacture; by drug: marijuana 35%, heroin or cocaine 24%, synthetic
narcotics 6%, other dangerous non-narcotics 35%) and Table 43 (race). UCR17: the same, 2017, by sex.
USSC: U.S. Sentencing Commission 2011, federal crack defendants 47.0% street-level, 27.9% wholesalers, under
1% each high-level supplier, organiser, manager, supervisor. GA: O.C.G.A. 16-13-2(b), 16-13-30, 16-13-31,
16-13-32.2; 16-13-2(a) conditional discharge for a first offence of possession only. LEAD: LEAD Seattle's
3 g and Santa Fe's 6 g lines. BJS: Snyder, Arrest in the United States
1990-2010 (median age 26 in drug possession arrests); for dispositions and sentences, BJS Felony Defendants in
Large Urban Counties 2009 and Felony Sentences in State Courts (shape only; splits assumed).
D2, D3, D4: docs/SOURCES.md#sellers, docs/SOURCES.md#public-safety and docs/SOURCES.md#overdose.
MOUD: CDC MMWR 73(25), 2024 (Dowell et al., NSDUH 2022): 25.1% of adults who needed OUD treatment received
medication for it in the past year (docs/SOURCES.md#mmwr-moud-2024); 20% "currently on" is the assumption.
A: an assumption chosen to be plausible; change it here, in tables.py and in the docs together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from offramp.core.generate import sample as s
from offramp.core.generate import tables as t
from offramp.core.generate import text
from offramp.core.intake.offramp_csv import REQUIRED_HEADER

__all__ = ["DISPOSITION_COLUMNS", "GENERATED_LATER_FACTS", "generate_cases", "write_cases_csv"]

_EPOCH = dt.date(1970, 1, 1)
_FLOAT_COLUMNS = ("quantity_g", "cash_usd")
_PERSON_FACTS = ("birth_year", "sex", "race", "ethnicity", "zip")


def generate_cases(
    n: int,
    seed: int,
    *,
    start: dt.date = dt.date(2023, 1, 1),
    end: dt.date = dt.date(2025, 12, 31),
    case_prefix: str = "SYN",
    include_role: bool = False,
    include_disposition: bool = False,
) -> pl.DataFrame:
    """`n` synthetic cases received between `start` and `end`, identical for the same arguments.

    Columns are offramp-csv's required header in order, then `agency` and the optional case facts
    `GENERATED_LATER_FACTS`, then (if asked) the stage at
    `end` with the disposition facts (`DISPOSITION_COLUMNS`), then (if asked) `latent_role`. Asking for
    the disposition changes none of the other columns.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    rng = np.random.Generator(np.random.PCG64(seed))
    day = np.sort(rng.integers(0, (end - start).days + 1, n)) + (start - _EPOCH).days
    year = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    person = s.persons(rng, n)
    people, exact_birth_year = _people(rng, int(person.max()) + 1 if n else 0, start, end, case_prefix)

    role = s.categorical(rng, t.ROLE_SHARES, n)
    kind = s.pick_by_group(rng, t.KIND_BY_ROLE, role)
    drug = s.pick_by_group(rng, t.DRUG_BY_ROLE, role)
    drug = np.where(kind == t.MANUFACTURE, s.categorical(rng, t.DRUG_IF_MANUFACTURE, n), drug)
    no_drug = (kind == t.PARAPHERNALIA) | (kind == t.OTHER_KIND)
    drug = np.where(no_drug, t.NO_DRUG, drug)
    grams, small_cannabis = s.quantities(rng, role, drug, kind)
    other_pick = rng.integers(0, len(text.OTHER_CHARGES), n)
    charge = np.where(
        kind == t.OTHER_KIND,
        text.OTHER_CHARGE_BASE + other_pick,
        text.CHARGE_INDEX[kind, drug, small_cannabis.astype(np.int64)],
    )

    seller_kind = np.isin(kind, t.SELLER_KINDS)
    to_minor = s.chance(rng, t.SALE_TO_MINOR, n) & ((kind == t.PWID) | (kind == t.DELIVERY))
    violence = s.chance(rng, s.by_role(t.VIOLENCE, role), n)
    other_victims = np.where(
        kind == t.OTHER_KIND, np.asarray([v for *_, v in text.OTHER_CHARGES])[other_pick], 0
    )
    felonies, violent, sales = s.priors(rng, role, year - exact_birth_year[person])
    days_since_release, supervision = s.release(rng, felonies)
    injection, overdose = s.health(rng, role, np.where(kind == t.OTHER_KIND, t.OTHER_DRUG, drug))
    facts: dict[str, pl.Series] = {
        "received_date": pl.Series(day, dtype=pl.Int32).cast(pl.Date),
        "offense_kind": _labels([k.value for k in t.KINDS], kind),
        "drug": _labels([d.value for d in t.DRUGS], drug),
        "quantity_g": pl.Series(np.where(no_drug, np.nan, grams), nan_to_null=True),
        "weapon": pl.Series(s.chance(rng, s.by_role(t.WEAPON, role), n)),
        "violence": pl.Series(violence),
        "sale_to_minor": pl.Series(to_minor),
        "near_school": pl.Series(s.chance(rng, s.by_role(t.NEAR_SCHOOL, role), n)),
        "cash_usd": pl.Series(s.cash(rng, role)),
        "packaging": pl.Series(s.chance(rng, s.by_role(t.PACKAGING, role), n)),
        "scales_or_ledgers": pl.Series(s.chance(rng, s.by_role(t.SCALES_OR_LEDGERS, role), n)),
        "organizer_role": pl.Series(s.chance(rng, s.by_role(t.ORGANIZER, role), n) & seller_kind),
        "prior_felonies": pl.Series(felonies, dtype=pl.Int32),
        "prior_violent": pl.Series(violent, dtype=pl.Int32),
        "prior_drug_sales": pl.Series(sales, dtype=pl.Int32),
        "on_supervision": pl.Series(supervision),
        "days_since_release": pl.Series(days_since_release, nan_to_null=True).cast(pl.Int32),
        "prior_overdose": pl.Series(overdose),
        "injection_use": pl.Series(injection),
        "victim_count": pl.Series(s.victims(rng, violence, to_minor, other_victims), dtype=pl.Int32),
        "agency": _labels(t.AGENCIES, s.categorical(rng, t.AGENCY_SHARES, n)),
    }
    facts |= _later_facts(seed, role, drug, facts["weapon"], violent, year, exact_birth_year[person])
    _blank_case_facts(rng, facts, keep_quantity=kind == t.TRAFFICKING)
    # a fact that depends on a blanked one is unknown with it
    for name, on in (("weapon_in_connection", "weapon"), ("last_violent_conviction_year", "prior_violent")):
        facts[name] = facts[name].scatter(np.flatnonzero(facts[on].is_null().to_numpy()), None)
    statute, title, severity = text.charge_columns(charge)
    frame = pl.DataFrame(facts).with_columns(
        _case_ids(case_prefix, year).alias("case_id"),
        statute, title, severity,
        *(people[c].gather(pl.Series(person)) for c in people.columns),
        pl.Series("latent_role", [t.ROLES[i] for i in range(len(t.ROLES))]).gather(pl.Series(role)),
    )  # fmt: skip
    frame = frame.with_columns(text.narrative(pl.lit(pl.Series(charge, dtype=pl.UInt32))).alias("narrative"))
    if include_disposition:
        first_possession = (kind == t.POSSESSION) & (felonies == 0)
        frame = frame.with_columns(
            _disposition_columns(seed, role, day, (end - _EPOCH).days, first_possession)
        )
    columns = [
        *REQUIRED_HEADER,
        "agency",
        *GENERATED_LATER_FACTS,
        *(DISPOSITION_COLUMNS if include_disposition else ()),
        *(("latent_role",) if include_role else ()),
    ]
    return frame.select(columns)


#: the columns `include_disposition=True` adds (optional offramp-csv columns)
DISPOSITION_COLUMNS: tuple[str, ...] = (
    "stage",
    "disposition",
    "disposition_date",
    "sentence_type",
    "sentence_days",
)


#: the optional offramp-csv case facts (intake's LATER_FACTS) the generator draws, after `agency`
GENERATED_LATER_FACTS: tuple[str, ...] = (
    "trafficking_org_ties",
    "weapon_in_connection",
    "last_violent_conviction_year",
    "on_moud",
)


def _later_facts(
    seed: int,
    role: np.ndarray,
    drug: np.ndarray,
    weapon: pl.Series,
    violent: np.ndarray,
    year: np.ndarray,
    birth_year: np.ndarray,
) -> dict[str, pl.Series]:
    """GENERATED_LATER_FACTS, from a generator of their own (so the facts drawn before them kept their
    values for a seed when they were added); their blanks come with the others'."""
    rng = np.random.Generator(np.random.PCG64([seed, 7]))
    org_ties, in_connection, last_violent, on_moud = s.later_facts(
        rng, role, drug, weapon.to_numpy(), violent, year, birth_year
    )
    return {
        "trafficking_org_ties": pl.Series(org_ties),
        "weapon_in_connection": pl.Series(in_connection),
        "last_violent_conviction_year": pl.Series(last_violent, nan_to_null=True).cast(pl.Int32),
        "on_moud": pl.Series(on_moud),
    }


def _disposition_columns(
    seed: int, role: np.ndarray, day: np.ndarray, end_day: int, first_possession: np.ndarray
) -> list[pl.Series]:
    """Stage at the window's end and the disposition facts, from a generator of their own (so the other
    columns are the same with or without them)."""
    rng = np.random.Generator(np.random.PCG64([seed, 6]))
    stage, kind, lag, sentence, days = s.dispositions(rng, role, end_day - day, first_possession)

    def labels(values: Sequence[str], index: np.ndarray) -> pl.Series:
        return (
            pl.Series(list(values), dtype=pl.String)
            .gather(pl.Series(np.where(index < 0, 0, index), dtype=pl.UInt32))
            .scatter(np.flatnonzero(index < 0), None)
        )

    return [
        _labels([x.value for x in t.STAGES], stage).alias("stage"),
        labels([x.value for x in t.DISPOSITIONS], kind).alias("disposition"),
        pl.Series(np.where(lag < 0, 0, day + lag), dtype=pl.Int32)
        .cast(pl.Date)
        .scatter(np.flatnonzero(lag < 0), None)
        .alias("disposition_date"),
        labels([x.value for x in t.SENTENCES], sentence).alias("sentence_type"),
        pl.Series(days, dtype=pl.Int32).scatter(np.flatnonzero(days < 0), None).alias("sentence_days"),
    ]


def write_cases_csv(frame: pl.DataFrame, path: str | Path) -> None:
    """Write `frame` as offramp-csv text: true/false, blank for unknown, YYYY-MM-DD, plain numbers."""
    out = frame.with_columns(
        text.plain_number(pl.col(c)).alias(c) for c in _FLOAT_COLUMNS if c in frame.columns
    )
    out.write_csv(Path(path), include_header=True, null_value="", date_format="%Y-%m-%d")


def _people(
    rng: np.random.Generator, count: int, start: dt.date, end: dt.date, prefix: str
) -> tuple[pl.DataFrame, np.ndarray]:
    """One row per person (demographics drawn once, so every case of a person agrees), with the small
    unknown shares blanked, and the exact birth years (age-driven draws use them even where blank)."""
    oldest = max(t.MIN_AGE, t.MAX_AGE - (end.year - start.year))
    age = np.minimum(t.MIN_AGE + rng.gamma(t.AGE_GAMMA_SHAPE, t.AGE_GAMMA_SCALE, count), oldest)
    birth_year = start.year - np.floor(age).astype(np.int64)
    columns = {
        # numbered in random order, so a person's number says nothing about when they first appear
        "person_id": pl.select(
            pl.concat_str(
                pl.lit(f"{prefix}-P"),
                pl.lit(pl.Series(rng.permutation(count) + 1)).cast(pl.String).str.zfill(7),
            )
        ).to_series(),
        "birth_year": pl.Series(birth_year, dtype=pl.Int32),
        "sex": _labels([x.value for x in t.SEXES], s.categorical(rng, t.SEX_SHARES, count)),
        "race": _labels([x.value for x in t.RACES], s.categorical(rng, t.RACE_SHARES, count)),
        "ethnicity": _labels([x.value for x in t.ETHNICITIES], s.categorical(rng, t.ETHNICITY_SHARES, count)),
        "zip": _labels(t.ZIPS, s.categorical(rng, t.ZIP_WEIGHTS, count)),
    }
    shares = dict(t.BLANK_SHARES)
    for name in _PERSON_FACTS:
        columns[name] = columns[name].scatter(np.flatnonzero(s.chance(rng, shares[name], count)), None)
    return pl.DataFrame(columns), birth_year


def _blank_case_facts(
    rng: np.random.Generator, facts: dict[str, pl.Series], *, keep_quantity: np.ndarray
) -> None:
    """Null out a small share of each optional fact (unknown), in place."""
    n = len(facts["received_date"])
    for name, share in t.BLANK_SHARES:
        if name in _PERSON_FACTS:
            continue
        mask = s.chance(rng, share, n)
        if name == "quantity_g":
            mask &= ~keep_quantity
        targets = ("prior_felonies", "prior_violent", "prior_drug_sales") if name == "priors" else (name,)
        for target in targets:
            facts[target] = facts[target].scatter(np.flatnonzero(mask), None)


def _labels(values: Sequence[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(pl.Series(index, dtype=pl.UInt32))


def _case_ids(prefix: str, year: np.ndarray) -> pl.Expr:
    """`PREFIX-YYYY-000123`, numbered within each year in received order (rows are sorted by date)."""
    seq = np.arange(year.size) - np.searchsorted(year, year, side="left") + 1
    width = max(6, len(str(int(seq.max())))) if seq.size else 6
    return pl.concat_str(
        pl.lit(f"{prefix}-"), pl.lit(pl.Series(year)).cast(pl.String), pl.lit("-"),
        pl.lit(pl.Series(seq)).cast(pl.String).str.zfill(width),
    )  # fmt: skip
