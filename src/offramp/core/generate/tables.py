"""The numbers behind the synthetic cases, one constant per distribution (bases in the package docstring
and docs/synthetic-data.md). Tuples, not dicts, so that nothing depends on iteration order; every
per-role tuple follows `ROLES`, every per-drug tuple follows `DRUGS`.
"""

from __future__ import annotations

from offramp.core.enums import (
    CaseStage,
    DispositionKind,
    Drug,
    Ethnicity,
    OffenseKind,
    Race,
    SentenceType,
    Sex,
)

# --- latent role ---
ROLES: tuple[str, ...] = ("user", "user_seller", "street_seller", "courier", "mid_level", "high_level")
USER, USER_SELLER, STREET, COURIER, MID, HIGH = range(len(ROLES))

#: share of cases whose person only uses (no selling role at all)
USER_SHARE = 0.78
#: among sellers: USSC 2011 street-level 47.0% (split into subsistence user-sellers and other street
#: sellers), wholesalers 27.9% (+ managers/supervisors -> mid-level 30%), high-level suppliers and
#: organisers under 1% each (-> 2%), the remaining functions (couriers, mules, brokers, lookouts) 21%
SELLER_SPLIT: tuple[float, ...] = (0.17, 0.30, 0.21, 0.30, 0.02)
ROLE_SHARES: tuple[float, ...] = (USER_SHARE, *((1 - USER_SHARE) * s for s in SELLER_SPLIT))

# --- offence kind by role ---
KINDS: tuple[OffenseKind, ...] = (
    OffenseKind.POSSESSION,
    OffenseKind.PARAPHERNALIA,
    OffenseKind.POSSESSION_WITH_INTENT,
    OffenseKind.DELIVERY,
    OffenseKind.TRAFFICKING,
    OffenseKind.MANUFACTURE,
    OffenseKind.OTHER,
)
POSSESSION, PARAPHERNALIA, PWID, DELIVERY, TRAFFICKING, MANUFACTURE, OTHER_KIND = range(len(KINDS))
SELLER_KINDS = (PWID, DELIVERY, TRAFFICKING, MANUFACTURE)
KIND_BY_ROLE: tuple[tuple[float, ...], ...] = (
    # poss  para   pwid  deliv  traff  manuf  other
    (0.89, 0.08, 0.00, 0.00, 0.00, 0.00, 0.03),  # user
    (0.45, 0.00, 0.35, 0.17, 0.00, 0.00, 0.03),  # user_seller
    (0.15, 0.00, 0.50, 0.32, 0.00, 0.00, 0.03),  # street_seller
    (0.10, 0.00, 0.38, 0.05, 0.45, 0.00, 0.02),  # courier
    (0.00, 0.00, 0.40, 0.20, 0.33, 0.05, 0.02),  # mid_level
    (0.00, 0.00, 0.15, 0.05, 0.70, 0.10, 0.00),  # high_level
)

# --- drug ---
DRUGS: tuple[Drug, ...] = (
    Drug.FENTANYL,
    Drug.HEROIN,
    Drug.PRESCRIPTION_OPIOID,
    Drug.COCAINE,
    Drug.CRACK,
    Drug.METHAMPHETAMINE,
    Drug.CANNABIS,
    Drug.OTHER,
    Drug.NONE,
)
FENTANYL, HEROIN, RX_OPIOID, COCAINE, CRACK, METH, CANNABIS, OTHER_DRUG, NO_DRUG = range(len(DRUGS))
OPIOIDS = (FENTANYL, HEROIN, RX_OPIOID)
DRUG_BY_ROLE: tuple[tuple[float, ...], ...] = (
    # fent  her   rx    coc   crack meth  cann  other  (none: set by the offence kind, never drawn)
    (0.14, 0.04, 0.06, 0.10, 0.09, 0.19, 0.28, 0.10),  # user
    (0.18, 0.04, 0.05, 0.12, 0.12, 0.17, 0.24, 0.08),  # user_seller
    (0.18, 0.04, 0.04, 0.14, 0.13, 0.15, 0.27, 0.05),  # street_seller
    (0.16, 0.04, 0.03, 0.18, 0.04, 0.20, 0.32, 0.03),  # courier
    (0.17, 0.04, 0.04, 0.18, 0.06, 0.21, 0.27, 0.03),  # mid_level
    (0.18, 0.04, 0.02, 0.22, 0.02, 0.22, 0.28, 0.02),  # high_level
)
#: a manufacture charge is a grow, a meth lab or a pill press, whatever the role's usual drug
DRUG_IF_MANUFACTURE: tuple[float, ...] = (0.05, 0.0, 0.0, 0.0, 0.0, 0.40, 0.45, 0.10)

# --- quantity (grams, lognormal) ---
QTY_MEDIAN_G: tuple[float, ...] = (0.5, 2.0, 5.0, 120.0, 50.0, 1500.0)
QTY_SIGMA: tuple[float, ...] = (0.9, 0.8, 0.9, 1.1, 1.1, 1.0)
#: multiplies the role's median: cannabis is bulky, fentanyl and crack are sold in small units
QTY_DRUG_FACTOR: tuple[float, ...] = (0.5, 0.6, 1.0, 1.0, 0.6, 1.0, 8.0, 1.0, 0.0)
#: O.C.G.A. 16-13-31 trafficking lines (grams): 4 g opioids, 28 g cocaine / methamphetamine / MDMA,
#: 10 lb marijuana. A trafficking row always carries at least its drug's line.
TRAFFICKING_MIN_G: tuple[float, ...] = (4.0, 4.0, 4.0, 28.0, 28.0, 28.0, 4535.9, 28.0, 0.0)
#: O.C.G.A. 16-13-2(b): possession of one ounce or less of marijuana is a misdemeanour
CANNABIS_MISDEMEANOR_G = 28.35
#: the intake flags quantities above 100 kg as implausible; the generator stays well below
QTY_CAP_G = 50_000.0

# --- evidence facts, by role ---
PACKAGING: tuple[float, ...] = (0.06, 0.45, 0.70, 0.75, 0.80, 0.80)
SCALES_OR_LEDGERS: tuple[float, ...] = (0.03, 0.25, 0.45, 0.30, 0.65, 0.80)
CASH_PRESENT: tuple[float, ...] = (0.30, 0.55, 0.70, 0.60, 0.80, 0.90)
CASH_MEDIAN_USD: tuple[float, ...] = (40.0, 150.0, 400.0, 1500.0, 3000.0, 25000.0)
CASH_SIGMA = 1.0
CASH_CAP_USD = 2_000_000.0
WEAPON: tuple[float, ...] = (0.02, 0.05, 0.10, 0.08, 0.15, 0.20)
VIOLENCE: tuple[float, ...] = (0.01, 0.02, 0.04, 0.02, 0.06, 0.08)
NEAR_SCHOOL: tuple[float, ...] = (0.02, 0.05, 0.05, 0.03, 0.04, 0.03)
ORGANIZER: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.05, 0.70)
#: only on a possession-with-intent or delivery charge
SALE_TO_MINOR = 0.01
#: of the cases with a weapon, the share where it was possessed or used in connection with the offence
#: (the Holder memo's and the safety valve's test; a gun at home is not): most for sellers, few for users
WEAPON_IN_CONNECTION: tuple[float, ...] = (0.30, 0.50, 0.60, 0.60, 0.80, 0.85)
#: ties to a trafficking organisation (cartel, gang supply line): mostly high-level, rare for mid-level
#: and couriers, never a user or a street seller
TRAFFICKING_ORG_TIES: tuple[float, ...] = (0.0, 0.0, 0.0, 0.02, 0.05, 0.80)

# --- criminal history ---
#: Poisson mean of prior felonies at age 30; scaled by (age - 18) / 12, clipped to [0.15, 2.5]
PRIOR_FELONIES_AT_30: tuple[float, ...] = (0.8, 1.5, 2.0, 0.8, 2.2, 2.5)
PRIOR_VIOLENT_SHARE: tuple[float, ...] = (0.10, 0.12, 0.18, 0.10, 0.20, 0.25)
PRIOR_SALES_SHARE: tuple[float, ...] = (0.05, 0.30, 0.50, 0.30, 0.55, 0.50)
#: of people with a prior felony, the share whose release date is recorded; of those, released within
#: 14 days (Binswanger 2007's highest-risk window); the rest: 15 + exponential(mean 400) days
RELEASE_KNOWN = 0.25
RELEASED_WITHIN_14_DAYS = 0.12
RELEASE_MEAN_DAYS = 400.0
#: the latest violent conviction (only with a prior violent felony): uniform over the last this many
#: years up to the year received, never before the person turned 18
VIOLENT_LOOKBACK_YEARS = 15

# --- health facts ---
INJECTION_BY_DRUG: tuple[float, ...] = (0.30, 0.45, 0.10, 0.03, 0.02, 0.10, 0.01, 0.03, 0.25)
OVERDOSE_BY_DRUG: tuple[float, ...] = (0.30, 0.30, 0.15, 0.05, 0.05, 0.06, 0.02, 0.05, 0.12)
#: how much of the drug's rate applies to the role (people who sell without using rarely inject)
USE_FACTOR: tuple[float, ...] = (1.0, 0.8, 0.1, 0.1, 0.1, 0.1)
#: currently on medication for opioid use disorder (methadone, buprenorphine, naltrexone), opioid cases
#: only, times the role's USE_FACTOR. CDC MMWR 73(25), 2024 (NSDUH 2022): 25.1% of adults who needed OUD
#: treatment received MOUD in the past year; 20% assumed for "currently on it" in an opioid case (not
#: every opioid case is OUD, and past-year receipt exceeds current)
ON_MOUD_IF_OPIOID = 0.20

# --- people ---
#: share of cases whose person already has another case in the file
REPEAT_CASE_SHARE = 0.15
#: adult age at the window's start: 18 + gamma(shape, scale), median about 27
AGE_GAMMA_SHAPE = 1.8
AGE_GAMMA_SCALE = 6.0
MIN_AGE, MAX_AGE = 18, 70
SEXES: tuple[Sex, ...] = (Sex.MALE, Sex.FEMALE)
SEX_SHARES: tuple[float, ...] = (0.757, 0.243)
RACES: tuple[Race, ...] = (Race.WHITE, Race.BLACK, Race.AMERICAN_INDIAN, Race.ASIAN, Race.PACIFIC_ISLANDER)
RACE_SHARES: tuple[float, ...] = (0.712, 0.261, 0.015, 0.010, 0.002)
ETHNICITIES: tuple[Ethnicity, ...] = (Ethnicity.HISPANIC, Ethnicity.NOT_HISPANIC)
ETHNICITY_SHARES: tuple[float, ...] = (0.18, 0.82)

#: DeKalb County ZIPs (and a few neighbouring Fulton / Gwinnett ones, people do not live where arrested)
ZIPS: tuple[str, ...] = (
    "30002", "30021", "30030", "30032", "30033", "30034", "30035", "30038", "30058", "30079", "30083",
    "30084", "30087", "30088", "30294", "30316", "30317", "30319", "30329", "30338", "30340", "30341",
    "30345", "30346", "30360",
    "30310", "30311", "30314", "30047", "30093",
)  # fmt: skip
ZIP_WEIGHTS: tuple[float, ...] = (1.0,) * 25 + (0.4,) * 5

AGENCIES: tuple[str, ...] = (
    "DeKalb County Police Department",
    "DeKalb County Sheriff's Office",
    "Brookhaven Police Department",
    "Dunwoody Police Department",
    "Chamblee Police Department",
    "Doraville Police Department",
    "Decatur Police Department",
    "Clarkston Police Department",
    "Stone Mountain Police Department",
    "Lithonia Police Department",
    "MARTA Police Department",
    "Georgia State Patrol",
)
AGENCY_SHARES: tuple[float, ...] = (0.55, 0.06, 0.07, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.02, 0.04, 0.04)

# --- unknown (blank) shares ---
BLANK_SHARES: tuple[tuple[str, float], ...] = (
    ("birth_year", 0.01),
    ("sex", 0.005),
    ("race", 0.01),
    ("ethnicity", 0.10),
    ("zip", 0.03),
    ("quantity_g", 0.03),  # lab result pending; never on trafficking (the quantity is the charge)
    ("weapon", 0.02),
    ("violence", 0.02),
    ("sale_to_minor", 0.03),
    ("near_school", 0.10),
    ("cash_usd", 0.05),
    ("packaging", 0.04),
    ("scales_or_ledgers", 0.04),
    ("organizer_role", 0.05),
    ("priors", 0.03),  # prior_felonies, prior_violent, prior_drug_sales together (no record check yet)
    ("on_supervision", 0.05),
    ("prior_overdose", 0.25),
    ("injection_use", 0.25),
    ("on_moud", 0.25),
    ("trafficking_org_ties", 0.05),
    ("victim_count", 0.02),
)

# --- stage and disposition (only with include_disposition=True) ---
STAGES: tuple[CaseStage, ...] = (
    CaseStage.RECEIVED,
    CaseStage.UNDER_REVIEW,
    CaseStage.CHARGED,
    CaseStage.DECLINED,
    CaseStage.DIVERTED,
    CaseStage.DISPOSED,
    CaseStage.CLOSED,
)
RECEIVED_STAGE, REVIEW_STAGE, CHARGED_STAGE, DECLINED_STAGE, DIVERTED_STAGE, DISPOSED_STAGE, CLOSED_STAGE = (
    range(len(STAGES))
)
#: a case is resolved (declined, diverted, disposed or closed) by the window's end with probability
#: 1 - exp(-age / RESOLVE_MEAN_DAYS), age = days from received_date to the window's end
RESOLVE_MEAN_DAYS = 180.0
#: an open case: received / under review / charged
OPEN_STAGE_SHARES: tuple[float, ...] = (0.30, 0.30, 0.40)
#: a resolved case, by role: declined / diverted (pending completion) / disposed / closed
RESOLVED_STAGE_BY_ROLE: tuple[tuple[float, ...], ...] = (
    # decl  divert disposed closed
    (0.15, 0.15, 0.40, 0.30),  # user
    (0.10, 0.10, 0.45, 0.35),  # user_seller
    (0.08, 0.05, 0.50, 0.37),  # street_seller
    (0.08, 0.04, 0.50, 0.38),  # courier
    (0.05, 0.02, 0.53, 0.40),  # mid_level
    (0.03, 0.00, 0.55, 0.42),  # high_level
)
DISPOSITIONS: tuple[DispositionKind, ...] = tuple(DispositionKind)
DISPOSITION_BY_ROLE: tuple[tuple[float, ...], ...] = (
    # dism  nolle  plea   find_g find_ng div_done other
    (0.15, 0.12, 0.50, 0.02, 0.01, 0.18, 0.02),  # user
    (0.12, 0.10, 0.58, 0.03, 0.02, 0.13, 0.02),  # user_seller
    (0.12, 0.10, 0.65, 0.05, 0.03, 0.03, 0.02),  # street_seller
    (0.12, 0.10, 0.66, 0.05, 0.03, 0.02, 0.02),  # courier
    (0.10, 0.08, 0.70, 0.07, 0.03, 0.00, 0.02),  # mid_level
    (0.08, 0.06, 0.72, 0.10, 0.04, 0.00, 0.00),  # high_level
)
#: days from received_date to the disposition: lognormal, median and sigma; never after the window's end
DISPOSITION_MEDIAN_DAYS = 120.0
DISPOSITION_SIGMA = 0.8
SENTENCES: tuple[SentenceType, ...] = tuple(SentenceType)
PRISON_SENTENCE, JAIL_SENTENCE = 0, 1
#: O.C.G.A. 16-13-2(a): conditional discharge only on a first offence of possession; other cases draw
#: from their role's row without it (its share spread over the other sentences pro rata)
CONDITIONAL_DISCHARGE_SENTENCE = SENTENCES.index(SentenceType.CONDITIONAL_DISCHARGE)
SENTENCE_BY_ROLE: tuple[tuple[float, ...], ...] = (
    # prison jail  prob   cond   superv fine   none
    (0.05, 0.15, 0.45, 0.20, 0.05, 0.08, 0.02),  # user
    (0.15, 0.20, 0.45, 0.12, 0.03, 0.03, 0.02),  # user_seller
    (0.30, 0.25, 0.35, 0.05, 0.02, 0.02, 0.01),  # street_seller
    (0.35, 0.20, 0.38, 0.03, 0.01, 0.02, 0.01),  # courier
    (0.55, 0.15, 0.27, 0.01, 0.00, 0.01, 0.01),  # mid_level
    (0.80, 0.05, 0.14, 0.00, 0.00, 0.01, 0.00),  # high_level
)
#: incarceration length in days, lognormal (median, sigma); prison at least 365, jail at most 364
PRISON_MEDIAN_DAYS, PRISON_SIGMA = 1095.0, 0.7
JAIL_MEDIAN_DAYS, JAIL_SIGMA = 45.0, 0.9
