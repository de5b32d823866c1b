"""The random draws, as whole numpy columns. Every function takes the one Generator and draws in a fixed
order, so a seed fixes the output; no per-row Python anywhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from offramp.core.generate import tables as t

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def categorical(rng: np.random.Generator, shares: Sequence[float], n: int) -> Ints:
    """n draws of an index into `shares` (which sum to 1)."""
    return pick_by_group(rng, (shares,), np.zeros(n, dtype=np.int64))


def pick_by_group(rng: np.random.Generator, table: Sequence[Sequence[float]], group: Ints) -> Ints:
    """For each row, an index drawn from the row of `table` its group selects.

    One searchsorted over all groups at once: group g's cumulative shares are shifted into (g, g + 1],
    so a uniform draw u lands in its own group's segment at u + g."""
    width = len(table[0])
    cum = np.cumsum(np.asarray(table, dtype=np.float64), axis=1)
    cum /= cum[:, -1:]
    cum[:, -1] = 1.0  # exact, so the last category absorbs rounding
    flat = (cum + np.arange(len(table))[:, None]).ravel()
    u = np.minimum(rng.random(group.size), 1 - 2**-40) + group  # u + g must not round up to g + 1
    hit: Ints = np.searchsorted(flat, u, side="right").astype(np.int64)
    out: Ints = np.minimum(hit - group * width, width - 1)
    return out


def chance(rng: np.random.Generator, p: Floats | float, n: int) -> Bools:
    """n yes/no draws with probability p (a scalar or one per row)."""
    return rng.random(n, dtype=np.float32) < p


def by_role(values: Sequence[float], role: Ints) -> Floats:
    return np.asarray(values, dtype=np.float64)[role]


def persons(rng: np.random.Generator, n: int) -> Ints:
    """Each case's person index: the first-case people once each, repeat cases spread among them."""
    repeats = round(n * t.REPEAT_CASE_SHARE)
    people = n - repeats
    person = np.concatenate([np.arange(people), rng.integers(0, max(people, 1), repeats)])
    rng.shuffle(person)
    return person.astype(np.int64)


def quantities(rng: np.random.Generator, role: Ints, drug: Ints, kind: Ints) -> tuple[Floats, Bools]:
    """Grams (lognormal by role, scaled by drug; at least the trafficking line on a trafficking charge),
    rounded to a sensible precision, and whether the cannabis amount is one ounce or less."""
    median = by_role(t.QTY_MEDIAN_G, role) * np.asarray(t.QTY_DRUG_FACTOR)[drug]
    grams = median * np.exp(by_role(t.QTY_SIGMA, role) * rng.standard_normal(role.size))
    line = np.asarray(t.TRAFFICKING_MIN_G)[drug]
    above_line = line * (1.0 + rng.exponential(0.6, role.size))
    trafficking = kind == t.TRAFFICKING
    grams = np.where(trafficking & (grams < line), above_line, grams)
    grams = np.minimum(grams, t.QTY_CAP_G)
    grams = np.where(
        grams < 10, np.round(grams, 2), np.where(grams < 1000, np.round(grams, 1), np.round(grams))
    )
    grams = np.maximum(grams, 0.01)
    small_cannabis = (drug == t.CANNABIS) & (grams <= t.CANNABIS_MISDEMEANOR_G)
    return grams, small_cannabis


def cash(rng: np.random.Generator, role: Ints) -> Floats:
    present = chance(rng, by_role(t.CASH_PRESENT, role), role.size)
    amount = by_role(t.CASH_MEDIAN_USD, role) * np.exp(t.CASH_SIGMA * rng.standard_normal(role.size))
    return np.where(present, np.round(np.minimum(amount, t.CASH_CAP_USD)), 0.0)


def priors(rng: np.random.Generator, role: Ints, age: Ints) -> tuple[Ints, Ints, Ints]:
    """Prior felonies (Poisson, mean by role, growing with age), and the violent / drug-sale ones among
    them (binomial shares by role)."""
    scale = np.clip((age - 18) / 12.0, 0.15, 2.5)
    felonies = rng.poisson(by_role(t.PRIOR_FELONIES_AT_30, role) * scale)
    violent = rng.binomial(felonies, by_role(t.PRIOR_VIOLENT_SHARE, role))
    sales = rng.binomial(felonies, by_role(t.PRIOR_SALES_SHARE, role))
    return felonies.astype(np.int64), violent.astype(np.int64), sales.astype(np.int64)


def release(rng: np.random.Generator, felonies: Ints) -> tuple[Floats, Bools]:
    """Days since release from custody (NaN where not recorded) and whether on supervision."""
    n = felonies.size
    known = (felonies > 0) & chance(rng, t.RELEASE_KNOWN, n)
    recent = chance(rng, t.RELEASED_WITHIN_14_DAYS, n)
    days = np.where(
        recent, rng.integers(0, 15, n), 15 + np.minimum(rng.exponential(t.RELEASE_MEAN_DAYS, n), 365 * 20)
    )
    days = np.where(known, np.floor(days), np.nan)
    p_supervision = 0.08 + 0.06 * np.minimum(felonies, 5) + 0.3 * (np.nan_to_num(days, nan=1e9) < 365)
    return days, chance(rng, np.minimum(p_supervision, 0.9), n)


def health(rng: np.random.Generator, role: Ints, drug: Ints) -> tuple[Bools, Bools]:
    """Injection use and a past overdose: mostly people who use opioids (and syringe paraphernalia)."""
    factor = by_role(t.USE_FACTOR, role)
    injection = chance(rng, np.asarray(t.INJECTION_BY_DRUG)[drug] * factor, role.size)
    od_rate = np.asarray(t.OVERDOSE_BY_DRUG)[drug] * factor * np.where(injection, 1.6, 0.8)
    return injection, chance(rng, np.minimum(od_rate, 0.9), role.size)


def later_facts(
    rng: np.random.Generator,
    role: Ints,
    drug: Ints,
    weapon: Bools,
    violent: Ints,
    year: Ints,
    birth_year: Ints,
) -> tuple[Bools, Bools, Floats, Bools]:
    """Ties to a trafficking organisation (by role), a weapon in connection with the offence (a share of
    the weapon cases, by role), the year of the latest violent conviction (NaN without a prior violent
    felony; uniform over the lookback, never before age 18 nor after the year received) and currently on
    MOUD (opioid cases only, scaled by the role's use)."""
    n = role.size
    org_ties = chance(rng, by_role(t.TRAFFICKING_ORG_TIES, role), n)
    in_connection = weapon & chance(rng, by_role(t.WEAPON_IN_CONNECTION, role), n)
    earliest = np.minimum(np.maximum(year - t.VIOLENT_LOOKBACK_YEARS, birth_year + 18), year)
    last_violent = earliest + np.floor(rng.random(n) * (year - earliest + 1))
    last_violent = np.where(violent > 0, last_violent, np.nan)
    opioid = np.isin(drug, t.OPIOIDS)
    on_moud = opioid & chance(rng, t.ON_MOUD_IF_OPIOID * by_role(t.USE_FACTOR, role), n)
    return org_ties, in_connection, last_violent, on_moud


def victims(rng: np.random.Generator, violence: Bools, to_minor: Bools, other_victims: Ints) -> Ints:
    """Mostly 0: a person hurt in a violent arrest, a minor sold to, a store in a theft."""
    hurt = np.where(violence, 1 + rng.poisson(0.25, violence.size), 0)
    return (hurt + to_minor + other_victims).astype(np.int64)


def dispositions(
    rng: np.random.Generator, role: Ints, age_days: Ints, first_possession: Bools
) -> tuple[Ints, Ints, Ints, Ints, Ints]:
    """Stage, disposition (-1: none), days from receipt to the disposition (-1: none), sentence (-1: none)
    and incarceration days (-1: none) for cases `age_days` old at the window's end.

    Only disposed and closed cases have a disposition; only convictions a sentence; prison and jail a
    length, the other sentences 0 days. Conditional discharge only where `first_possession` (a possession
    charge and no prior felony, O.C.G.A. 16-13-2(a)); elsewhere its share goes to the other sentences."""
    n = role.size
    resolved = rng.random(n) < 1.0 - np.exp(-age_days / t.RESOLVE_MEAN_DAYS)
    open_stage = categorical(rng, t.OPEN_STAGE_SHARES, n)
    resolved_stage = pick_by_group(rng, t.RESOLVED_STAGE_BY_ROLE, role) + t.DECLINED_STAGE
    stage: Ints = np.where(resolved, resolved_stage, open_stage)
    disposed = (stage == t.DISPOSED_STAGE) | (stage == t.CLOSED_STAGE)
    kind = pick_by_group(rng, t.DISPOSITION_BY_ROLE, role)
    lag = np.floor(rng.lognormal(np.log(t.DISPOSITION_MEDIAN_DAYS), t.DISPOSITION_SIGMA, n))
    lag = np.minimum(lag.astype(np.int64), age_days)
    convicted = np.isin(kind, [t.DISPOSITIONS.index(k) for k in t.DISPOSITIONS if k.is_conviction]) & disposed
    sentence = pick_by_group(rng, _sentence_table(), role * 2 + first_possession)
    prison = np.clip(rng.lognormal(np.log(t.PRISON_MEDIAN_DAYS), t.PRISON_SIGMA, n), 365, 365 * 40)
    jail = np.clip(rng.lognormal(np.log(t.JAIL_MEDIAN_DAYS), t.JAIL_SIGMA, n), 1, 364)
    days = np.where(
        sentence == t.PRISON_SENTENCE, prison, np.where(sentence == t.JAIL_SENTENCE, jail, 0.0)
    ).astype(np.int64)
    none = np.int64(-1)
    return (
        stage,
        np.where(disposed, kind, none),
        np.where(disposed, lag, none),
        np.where(convicted, sentence, none),
        np.where(convicted, days, none),
    )


def _sentence_table() -> tuple[tuple[float, ...], ...]:
    """SENTENCE_BY_ROLE as two rows per role (group role * 2 + eligible): without conditional discharge
    (pick_by_group renormalises the row, so its share goes to the others pro rata), then as it is."""
    cd = t.CONDITIONAL_DISCHARGE_SENTENCE
    rows: list[tuple[float, ...]] = []
    for row in t.SENTENCE_BY_ROLE:
        rows.append(tuple(0.0 if i == cd else p for i, p in enumerate(row)))
        rows.append(row)
    return tuple(rows)
