"""Match one person to the program directory: who is eligible, in what order, and why.

The order is a lexicographic key, not a weighted sum, so that each place in the list explains itself
("ranks above the next because it has vacancies and the next is full") and no weight has to be argued
for. Programs are compared on, in turn:

    1. eligibility     a failed hard rule excludes the program (listed in `excluded` with every
                       failed rule); a restriction the directory does not state does not exclude, and
                       the reasons say "eligibility for ... not stated"
    2. fit             how many of the policy outcome's program types and the person's needs the
                       program's services cover (more first; `score` is this count)
    3. capacity        open vacancies, then vacancies not stated, then full; shorter waitlist first
    4. distance        from the person's ZIP centroid, to the tenth of a mile shown (nearer first;
                       unknown last)
    5. language        services in the person's language, then languages not stated, then not offered
    6. name            organization, service, id: the same directory always gives the same order

The MOUD guard is a hard rule whatever else holds (docs/SOURCES.md#krawczyk-2017): a program that forbids
medication for opioid use disorder is never ranked for someone who takes it (`on_moud`), nor for anyone who may
need it: a case that involves opioids (fentanyl, heroin, a prescription opioid; `opioid_case`) or a person with
substance use disorder indicated (`sud_indicated`). Placing them there would cut off MOUD for someone who may
need it: Krawczyk et al. 2017 found justice-referred adults in specialty opioid treatment got methadone or
buprenorphine 4.6% of the time (40.9% for other referrals). Whether someone is on MOUD is often not known
when matching, so the guard does not wait for it.

Everything is vectorised Polars over the whole directory (15,000 programs in milliseconds; bench/
bench_match.py), the reason lists too. Pure Python + Polars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import polars as pl

from offramp.core.directory.batch import (
    MATCH_SCHEMA,
    NEED_SERVICES,
    PROGRAM_TYPE_SERVICES,
    Payment,
    ServiceType,
    Sex,
    conform,
)
from offramp.core.directory.geo import coordinates, distance_miles, zip_centroid, zip_place
from offramp.core.enums import OffenseKind, PleaStage

#: ISO 639-1 codes shown by name in the reasons (others are shown as the code)
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "ko": "Korean",
    "ar": "Arabic",
    "ru": "Russian",
    "de": "German",
    "hi": "Hindi",
    "tl": "Tagalog",
    "so": "Somali",
    "am": "Amharic",
    "asl": "American Sign Language",
}

_SEQUENCES = ("payments", "needs", "program_types")


def _check(field: str, values: Sequence[str], allowed: Sequence[str]) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"match request: {field} {bad!r} not one of {', '.join(allowed)}")


@dataclass(frozen=True)
class MatchRequest:
    """The person and what the policy outcome asks for. None (or an empty list) means not known: a rule
    that needs the fact is then not applied (it cannot exclude anyone)."""

    age: int | None = None
    sex: str | None = None  # Sex: female / male
    offense_kind: str | None = None  # core OffenseKind
    plea_stage: str | None = None  # PleaStage: pre_plea / post_plea
    zip: str | None = None
    state: str | None = None  # two letters; from the ZIP when not given
    county: str | None = None  # from the ZIP when not given
    language: str | None = None  # ISO 639-1
    payments: tuple[str, ...] = ()  # Payment values the person can use (["uninsured"] for none)
    on_moud: bool = False
    opioid_case: bool = False  # the case involves fentanyl, heroin or a prescription opioid
    sud_indicated: bool = False  # the policy's `sud_indicated` finding
    needs: tuple[str, ...] = ()  # NEED_SERVICES keys
    program_types: tuple[str, ...] = ()  # PROGRAM_TYPE_SERVICES keys, from the policy outcome
    max_miles: float | None = None
    veteran: bool = False  # the person's account: veterans' services count toward fit, and a note suggests
    # asking about a veterans treatment court referral (eligibility itself is not decided here)

    def __post_init__(self) -> None:
        for name in _SEQUENCES:  # accept lists; keep the request hashable
            object.__setattr__(self, name, tuple(dict.fromkeys(getattr(self, name))))
        if self.sex is not None:
            _check("sex", [self.sex], [Sex.FEMALE.value, Sex.MALE.value])
        if self.offense_kind is not None:
            _check("offense_kind", [self.offense_kind], OffenseKind.values())
        if self.plea_stage is not None:
            _check("plea_stage", [self.plea_stage], PleaStage.values())
        _check("payments", self.payments, Payment.values())
        _check("needs", self.needs, list(NEED_SERVICES))
        _check("program_types", self.program_types, list(PROGRAM_TYPE_SERVICES))
        if self.state is None and self.county is None and self.zip is not None:
            state, county = zip_place(self.zip)
            object.__setattr__(self, "state", state)
            object.__setattr__(self, "county", county)

    @property
    def fit_needs(self) -> tuple[str, ...]:
        """The needs the fit counts: `needs`, and `veterans` for a veteran."""
        return (*self.needs, "veterans") if self.veteran and "veterans" not in self.needs else self.needs

    @property
    def veterans_note(self) -> str | None:
        """For a veteran: ask whether a veterans treatment court referral fits (not an eligibility finding)."""
        if not self.veteran:
            return None
        return VETERANS_NOTE

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def moud_guard(self) -> str | None:
        """Why a program that forbids MOUD is excluded for this person, or None when the guard does not
        apply (not on MOUD, no opioid in the case, no SUD indicated)."""
        if self.on_moud:
            return MOUD_EXCLUSION
        why = [
            w
            for w, holds in (("opioids in the case", self.opioid_case), ("SUD indicated", self.sud_indicated))
            if holds
        ]
        if not why:
            return None
        return f"{MAY_NEED_MOUD_EXCLUSION} ({', '.join(why)}; Krawczyk 2017)"


#: the exclusion reason of a program that forbids MOUD, for a person on MOUD
MOUD_EXCLUSION = "forbids MOUD; the person takes MOUD"
#: ... and for a person who may need MOUD (opioid case or SUD indicated): why it would harm them
MAY_NEED_MOUD_EXCLUSION = "forbids MOUD: it would cut off MOUD for someone who may need it"


#: what the match panel says for a veteran
VETERANS_NOTE = (
    "The person says they are a veteran: programs offering veterans' services rank higher; ask whether a "
    "referral to a veterans treatment court fits (eligibility is for the prosecutor to decide)."
)


#: the person the matcher places; the same object as the request
Person = MatchRequest


@dataclass(frozen=True)
class MatchResult:
    """`ranked`: eligible programs in rank order with `rank`, `score` (how many of the requested program
    types and needs the program meets), `distance_miles` and `reasons`; `excluded`: the other programs
    with `exclusions`, every failed rule in plain words. Both carry every MATCH_SCHEMA column as given
    (`latitude`/`longitude` as stored: `distance_miles` falls back to the postal code's centroid)."""

    ranked: pl.DataFrame
    excluded: pl.DataFrame
    request: MatchRequest


#: the reason a program that forbids MOUD carries when the person is not (known to be) on MOUD
FORBIDS_NOTE = "forbids MOUD: not for anyone who takes it"

SEPARATOR = "\x1f"  # never in a reason: joins the parts of a reason list, then splits them


def _text_list(parts: Sequence[pl.Expr]) -> pl.Expr:
    """A list[str] of the non-null `parts`, in order. Joined into one string and split again: several
    times faster in Polars than `concat_list(...).list.drop_nulls()` for string columns."""
    if not parts:
        return pl.lit([], pl.List(pl.String))
    return pl.concat_str(parts, separator=SEPARATOR, ignore_nulls=True).str.split(SEPARATOR)


Group = tuple[str, tuple[str, ...], str]  # (prefix, one label per bit, suffix)


@lru_cache(maxsize=64)
def _text_table(groups: tuple[Group, ...], none: str | None) -> pl.Series:
    """The reason text for every combination of bits (bit i of the code = the i-th label over all
    groups): per group with a bit set, prefix + the set labels + suffix; several groups joined by
    SEPARATOR (so they split into separate reasons); `none` when no bit is set. At most 2**13 entries
    (7 program types + 6 needs), built once per request shape."""
    labels = [(g, label) for g, (_, names, _) in enumerate(groups) for label in names]
    texts: list[str | None] = []
    for code in range(1 << len(labels)):
        parts = []
        for g, (prefix, _, suffix) in enumerate(groups):
            chosen = [label for i, (h, label) in enumerate(labels) if h == g and code >> i & 1]
            if chosen:
                parts.append(prefix + ", ".join(chosen) + suffix)
        texts.append(SEPARATOR.join(parts) if parts else none)
    return pl.Series(texts, dtype=pl.String)


def _text_from_bits(bits: Sequence[pl.Expr], groups: tuple[Group, ...], none: str | None = None) -> pl.Expr:
    """A reason (str) read from `_text_table` by the row's bits: one gather instead of building lists
    and joining them per row (as `lists_from_bits` does for list columns)."""
    if not bits:
        return pl.lit(none, pl.String)
    code = pl.sum_horizontal([b.fill_null(False).cast(pl.UInt32) * (1 << i) for i, b in enumerate(bits)])
    return pl.lit(_text_table(groups, none)).gather(code)


def _stated(col: str) -> pl.Expr:
    """A list restriction the directory states (null or an empty list carries no information)."""
    return pl.col(col).is_not_null() & (pl.col(col).list.len() > 0)


def _county_key(expr: pl.Expr) -> pl.Expr:
    """A county name for comparison: "DeKalb County" and "dekalb" are the same county."""
    return expr.str.strip_chars().str.to_lowercase().str.replace(r"\s+county$", "")


def _county_name(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.replace(r"(?i)\s+county$", "")


def _rules(request: MatchRequest, distance: pl.Expr) -> list[tuple[pl.Expr, pl.Expr]]:
    """(fails, message) for every hard rule the request can be checked against."""
    rules: list[tuple[pl.Expr, pl.Expr]] = []
    guard = request.moud_guard
    if guard is not None:
        rules.append((pl.col("moud_policy") == "forbids", pl.lit(guard)))
    status = pl.col("status")  # HSDS values, lower case: active, inactive, defunct, temporarily closed
    rules.append((status.is_not_null() & (status != "active"), status))
    if request.age is not None:
        age = pl.lit(request.age)
        rules.append((pl.col("minimum_age") > age, pl.format("age {} below minimum {}", age, "minimum_age")))
        rules.append((pl.col("maximum_age") < age, pl.format("age {} above maximum {}", age, "maximum_age")))
    if request.sex is not None:
        single = pl.col("sex").is_in([Sex.FEMALE.value, Sex.MALE.value]) & (pl.col("sex") != request.sex)
        women = pl.when(pl.col("sex") == Sex.FEMALE.value).then(pl.lit("serves women only"))
        rules.append((single, women.otherwise(pl.lit("serves men only"))))
    if request.offense_kind is not None:
        kinds = pl.col("offense_kinds")
        fails = _stated("offense_kinds") & ~kinds.list.contains(request.offense_kind)
        message = pl.format(
            "offence kind {} not accepted (accepts: {})", pl.lit(request.offense_kind), kinds.list.join(", ")
        )
        rules.append((fails, message))
    if request.plea_stage is not None:
        stages = pl.col("plea_stages")
        fails = _stated("plea_stages") & ~stages.list.contains(request.plea_stage)
        message = stages.list.join(" or ").str.replace_all("_", "-") + pl.lit(" only")
        rules.append((fails, message))
    if request.state is not None:
        states = pl.col("residency_states")
        fails = _stated("residency_states") & ~states.list.eval(
            pl.element().str.strip_chars().str.to_uppercase()
        ).list.contains(request.state.strip().upper())
        rules.append((fails, pl.lit("requires residence in ") + states.list.join(" or ")))
    if request.county is not None:
        counties = pl.col("residency_counties")
        key = _county_key(pl.lit(request.county))
        fails = _stated("residency_counties") & ~counties.list.eval(_county_key(pl.element())).list.contains(
            key
        )
        names = counties.list.eval(_county_name(pl.element())).list.join(" or ")
        rules.append((fails, pl.format("requires residence in {} county", names)))
    if request.payments:
        accepted = pl.any_horizontal([pl.col("payments").list.contains(p) for p in request.payments])
        fails = _stated("payments") & ~accepted.fill_null(False)
        rules.append((fails, pl.lit("does not take " + " or ".join(request.payments))))
    if request.max_miles is not None:
        fails = distance > request.max_miles
        limit = f" miles from {request.zip}, beyond the {request.max_miles:g}-mile limit"
        rules.append((fails, distance.cast(pl.String) + limit))
    return rules


def _not_stated(request: MatchRequest) -> pl.Expr:
    """One reason naming every restriction the directory leaves blank that the person could fail."""
    checks: list[tuple[str, pl.Expr]] = []
    if request.moud_guard is not None:
        checks.append(("MOUD policy", pl.col("moud_policy").is_null() | (pl.col("moud_policy") == "unknown")))
    if request.age is not None:
        checks.append(("age", pl.col("minimum_age").is_null() & pl.col("maximum_age").is_null()))
    if request.sex is not None:
        checks.append(("sex", pl.col("sex").is_null()))
    if request.offense_kind is not None:
        checks.append(("offence kind", ~_stated("offense_kinds")))
    if request.plea_stage is not None:
        checks.append(("plea stage", ~_stated("plea_stages")))
    if request.state is not None or request.county is not None:
        checks.append(("residency", ~_stated("residency_states") & ~_stated("residency_counties")))
    if request.payments:
        checks.append(("insurance", ~_stated("payments")))
    return _text_from_bits(
        [c for _, c in checks], (("eligibility for ", tuple(n for n, _ in checks), " not stated"),)
    )


#: one bit per service type, for the `__types` mask (18 types fit an Int32)
TYPE_BITS = {t.value: 1 << i for i, t in enumerate(ServiceType)}


def _type_mask() -> pl.Expr:
    """The program's service types as a bit mask: one list pass instead of a `list.contains` per type
    per requested need (that was most of the matcher's time)."""
    bits = pl.element().replace_strict(TYPE_BITS, default=0, return_dtype=pl.Int32)
    return pl.col("service_types").list.eval(bits).list.sum().fill_null(0).cast(pl.Int32)


def _offers(types: Sequence[ServiceType], mask: pl.Expr) -> pl.Expr:
    """The program's services (as `_type_mask`) include any of `types`."""
    return (mask & sum(TYPE_BITS[t.value] for t in types)) != 0


def _fit(request: MatchRequest) -> tuple[pl.Expr, list[pl.Expr]]:
    """(count of requested program types and needs met, reasons naming them)."""
    mask = pl.col("__types")
    type_bits = [_offers(PROGRAM_TYPE_SERVICES[p], mask) for p in request.program_types]
    needs = request.fit_needs
    need_bits = [_offers(NEED_SERVICES[n], mask) for n in needs]
    bits = type_bits + need_bits
    if not bits:
        return pl.lit(0, pl.Int32), []
    score = pl.sum_horizontal([b.cast(pl.Int32) for b in bits]).cast(pl.Int32)
    groups = (
        ("offers program types: ", tuple(p.replace("_", " ") for p in request.program_types), ""),
        ("meets needs: ", tuple(n.replace("_", " ") for n in needs), ""),
    )
    return score, [_text_from_bits(bits, groups, "meets none of the requested program types or needs")]


def _capacity() -> tuple[pl.Expr, list[pl.Expr]]:
    """(capacity class: 0 open vacancies, 1 not stated, 2 full; reasons)."""
    vacancies, waitlist = pl.col("vacancies"), pl.col("waitlist")
    klass = pl.when(vacancies > 0).then(0).when(vacancies.is_null()).then(1).otherwise(2).cast(pl.Int8)
    reasons = [
        pl.when(vacancies == 1)
        .then(pl.lit("1 vacancy"))
        .when(vacancies > 0)
        .then(vacancies.cast(pl.String) + " vacancies")
        .when(vacancies.is_null())
        .then(pl.lit("vacancies not stated"))
        .otherwise(pl.lit("no vacancies")),
        pl.when(waitlist > 0).then("waitlist " + waitlist.cast(pl.String)),
        "capacity updated " + pl.col("capacity_updated").cast(pl.String),
    ]
    return klass, reasons


def _language(request: MatchRequest) -> tuple[pl.Expr, list[pl.Expr]]:
    """(language class: 0 services in the person's language, 1 not stated, 2 not offered; reasons).
    The reason reads the class from the `__language` column."""
    if request.language is None:
        return pl.lit(1, pl.Int8), []
    code = request.language.strip().lower()
    name = LANGUAGE_NAMES.get(code, code)
    offered = pl.col("languages").list.contains(code) | pl.col("languages").list.contains(code.upper())
    klass = pl.when(~_stated("languages")).then(1).when(offered).then(0).otherwise(2).cast(pl.Int8)
    texts = pl.Series([f"services in {name}", "languages not stated", f"no services listed in {name}"])
    return klass, [pl.lit(texts).gather(pl.col("__language"))]


def _origin_distance(request: MatchRequest) -> tuple[pl.Expr, list[pl.Expr]]:
    """(miles from the person's ZIP centroid to a tenth, null if either place is unknown; reasons)."""
    origin = zip_centroid(request.zip)
    if origin is None:
        unknown = [pl.lit(f"distance unknown: ZIP {request.zip} not found")] if request.zip else []
        return pl.lit(None, pl.Float64), unknown
    miles = distance_miles(origin[0], origin[1], "__latitude", "__longitude").round(1)
    reason = (
        pl.when(pl.col("distance_miles").is_null())
        .then(pl.lit("distance unknown: no address on file"))
        .otherwise(pl.col("distance_miles").cast(pl.String) + f" miles from {request.zip}")
    )
    return miles, [reason]


#: the sort keys after `score` (descending) and before the names: every one ascending, nulls last
ORDER = ("__capacity", "waitlist", "distance_miles", "__language")


def match(programs: pl.DataFrame, request: MatchRequest) -> MatchResult:
    """Rank `programs` (MATCH_SCHEMA rows, e.g. `match_frame(batch)`) for `request`: see the module
    docstring for the order. Every program lands in exactly one of `ranked` and `excluded`."""
    miles, distance_reasons = _origin_distance(request)
    lat, lon = coordinates()
    rules = _rules(request, pl.col("distance_miles"))
    fit, fit_reasons = _fit(request)
    capacity, capacity_reasons = _capacity()
    language, language_reasons = _language(request)
    fail_cols = [f"__fail_{i}" for i in range(len(rules))]
    n_failed = pl.sum_horizontal([pl.col(c).cast(pl.Int32) for c in fail_cols]) if rules else pl.lit(0)
    moud = (
        pl.when(pl.col("moud_policy") == "accepts").then(pl.lit("accepts people on MOUD"))
        if request.moud_guard is not None  # no guard: a program that forbids MOUD is ranked, and marked
        else pl.when(pl.col("moud_policy") == "forbids").then(pl.lit(FORBIDS_NOTE))
    )
    reasons = [
        *fit_reasons,
        *capacity_reasons,
        *distance_reasons,
        *language_reasons,
        moud,
        _not_stated(request),
    ]
    # Phase 1: sort keys and failed rules for every program. No join or filter of the wide frame: the
    # program columns are shared, not copied, and each output gathers its rows once (gathering the
    # wide frame, list columns and all, is most of what a sort of it costs).
    frame = (
        conform(programs, MATCH_SCHEMA)
        .lazy()
        .with_columns(lat.alias("__latitude"), lon.alias("__longitude"), _type_mask().alias("__types"))
        .with_columns(miles.alias("distance_miles"))
        .with_columns(
            *[fails.fill_null(False).alias(c) for c, (fails, _) in zip(fail_cols, rules, strict=True)],
            fit.alias("score"),
            capacity.alias("__capacity"),
            language.alias("__language"),
        )
        .with_columns(n_failed.alias("__failed"))
        .with_row_index("__row")
        .collect()
    )
    names = ("organization_name", "service_name", "service_at_location_id")
    rank_order = (
        frame.lazy()
        .filter(pl.col("__failed") == 0)
        .select("__row", "score", *ORDER, *names)
        .sort(["score", *ORDER, *names], descending=[True] + [False] * (len(ORDER) + 3), nulls_last=True)
        .collect()["__row"]
    )
    exclude_order = (
        frame.lazy()
        .filter(pl.col("__failed") > 0)
        .select("__row", *names)
        .sort(names, nulls_last=True)
        .collect()["__row"]
    )
    # Phase 2: reasons only for the eligible, exclusions only for the excluded.
    ranked = (
        frame.select(pl.all().gather(rank_order))
        .lazy()
        .select(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int32).alias("rank"),
            "score",
            "distance_miles",
            _text_list(reasons).alias("reasons"),
            *MATCH_SCHEMA,
        )
        .collect()
    )
    messages = [pl.when(pl.col(c)).then(message) for c, (_, message) in zip(fail_cols, rules, strict=True)]
    excluded = (
        frame.select(pl.all().gather(exclude_order))
        .lazy()
        .select(_text_list(messages).alias("exclusions"), "distance_miles", *MATCH_SCHEMA)
        .collect()
    )
    return MatchResult(ranked, excluded, request)


def fill_program_types(
    programs: pl.DataFrame, request: MatchRequest, *, per_type: int = 3, result: MatchResult | None = None
) -> dict[str, list[dict[str, Any]]]:
    """For each program type the policy outcome names, the best-ranked eligible programs offering it
    (at most `per_type`, in rank order): the outcome "fills" with real programs. A type no eligible
    program offers maps to an empty list, which the case page shows as a gap. Pass `result` to reuse a
    match already made for the same request."""
    ranked = (result or match(programs, request)).ranked
    return {
        program_type: ranked.filter(_offers(PROGRAM_TYPE_SERVICES[program_type], _type_mask()))
        .head(per_type)
        .to_dicts()
        for program_type in request.program_types
    }
