"""`simulate`: what a draft policy pack would change, against the pack in force, over the same cases.

Each pack is evaluated once over the whole frame (only the columns the report needs, no reason lists:
projection pushdown skips the rest), the two results are laid side by side (`evaluate` keeps row order),
and everything else is a few group-bys over that one frame:

- outcome counts per pack and the transition matrix (baseline outcome -> draft outcome);
- the same by seller role (the draft pack's finding), drug and offence kind;
- demand for each program type (cases whose diversion outcome names it) against the directory's capacity,
  when the caller passes one (`capacity_from_services` / `capacity_from_frame`; core never reads a database);
- expected jail and prison days avoided (`Assumptions`, `assumptions.FORMULA`);
- declination, diversion and charging rates by race per pack, with the Relative Rate Index
  (docs/SOURCES.md#rri; `analytics.disparity.rri`: counts shown, small cells suppressed);
- a deterministic sample of cases whose outcome changes, each with both packs' full explanations
  (`explain`, the same expressions as the bulk run).

Race is not an evaluation fact (EVAL_COLUMNS): a `race` column on the frame is used if present, else
`attributes` (case_key, race), else the disparity section says there was none.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from offramp.core.analytics import metrics as m
from offramp.core.analytics.dataset import Decision
from offramp.core.analytics.disparity import DecisionPoint, rri
from offramp.core.directory.batch import PROGRAM_TYPE_SERVICES
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import Explanation, explain
from offramp.core.policy.pack import Outcome, Pack
from offramp.core.simulation.assumptions import CHARGED, DIVERTED, FORMULA, Assumptions

OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
#: label for a case no deciding rule matched (outcome null)
NO_OUTCOME = "(none)"
DIMENSIONS = ("seller_role", "drug", "offense_kind")
DECISIONS = {"decline": [str(Outcome.DECLINE)], "divert": list(DIVERTED), "charge": list(CHARGED)}
DISPARITY_REFERENCE = "white"
MIN_CELL = 5


@dataclass(frozen=True)
class ProgramCapacity:
    """The directory's capacity for one program type: slots, open slots and how many services report."""

    capacity: int | None
    vacancies: int | None
    services: int = 0


@dataclass(frozen=True)
class ChangedCase:
    """One sampled case whose outcome differs between the packs, with both explanations."""

    case_key: str
    baseline_outcome: str | None
    draft_outcome: str | None
    baseline: Explanation
    draft: Explanation


@dataclass(frozen=True)
class DaysAvoided:
    jail_avoided: float
    jail_added: float
    prison_avoided: float
    prison_added: float

    @property
    def jail_net(self) -> float:
        return self.jail_avoided - self.jail_added

    @property
    def prison_net(self) -> float:
        return self.prison_avoided - self.prison_added


@dataclass(frozen=True)
class SimulationResult:
    draft: Pack
    baseline: Pack
    cases: int
    changed: int
    on: dt.date | None
    assumptions: Assumptions
    #: outcome, baseline, draft, change (every Outcome, plus NO_OUTCOME if any case had none)
    outcomes: pl.DataFrame
    #: baseline_outcome, draft_outcome, cases, jail_days_avoided, prison_days_avoided (net, per cell)
    transitions: pl.DataFrame
    #: dimension -> value, cases, changed, baseline_/draft_ decline/divert/charge counts, days avoided
    by: dict[str, pl.DataFrame]
    #: program_type, baseline_cases, draft_cases, per year, capacity, vacancies, services, yearly slots
    demand: pl.DataFrame
    days: DaysAvoided
    #: decision_point, race, then per pack: numerator, base, rate, rri, ci, suppressed, note (None: no race)
    disparity: pl.DataFrame | None
    disparity_note: str
    sample: list[ChangedCase]
    years: float
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (for `offramp simulate --json`)."""

        def rows(frame: pl.DataFrame | None) -> list[dict[str, Any]] | None:
            return None if frame is None else frame.to_dicts()

        return {
            "draft": {"id": self.draft.id, "version": self.draft.version, "title": self.draft.title},
            "baseline": {
                "id": self.baseline.id,
                "version": self.baseline.version,
                "title": self.baseline.title,
            },
            "cases": self.cases,
            "changed": self.changed,
            "on": self.on.isoformat() if self.on else None,
            "years": self.years,
            "outcomes": rows(self.outcomes),
            "transitions": rows(self.transitions),
            "by": {name: rows(frame) for name, frame in self.by.items()},
            "demand": rows(self.demand),
            "days": {
                "jail_avoided": self.days.jail_avoided,
                "jail_added": self.days.jail_added,
                "jail_net": self.days.jail_net,
                "prison_avoided": self.days.prison_avoided,
                "prison_added": self.days.prison_added,
                "prison_net": self.days.prison_net,
                "formula": FORMULA,
            },
            "assumptions": {"source": self.assumptions.source, "values": self.assumptions.table()},
            "disparity": rows(self.disparity),
            "disparity_note": self.disparity_note,
            "sample": [
                {
                    "case_key": c.case_key,
                    "baseline_outcome": c.baseline_outcome,
                    "draft_outcome": c.draft_outcome,
                    "baseline": c.baseline.to_dict(),
                    "draft": c.draft.to_dict(),
                }
                for c in self.sample
            ],
            "timings": self.timings,
        }


# --- capacity ---------------------------------------------------------------------------------------------


def capacity_from_services(services: pl.DataFrame) -> dict[str, ProgramCapacity]:
    """Capacity per program type from directory services (`service_types` list, `capacity`, `vacancies`,
    as in `directory.batch.SERVICE_SCHEMA`): a service counts toward every program type one of its
    service types fills (PROGRAM_TYPE_SERVICES), so a service offering two kinds counts for both."""
    result: dict[str, ProgramCapacity] = {}
    types = services["service_types"].to_list() if services.height else []
    caps = services["capacity"].to_list() if services.height else []
    vacs = services["vacancies"].to_list() if services.height else []
    for program_type, service_types in PROGRAM_TYPE_SERVICES.items():
        wanted = {str(t) for t in service_types}
        hits = [i for i, ts in enumerate(types) if ts and wanted.intersection(ts)]
        cap = [caps[i] for i in hits if caps[i] is not None]
        vac = [vacs[i] for i in hits if vacs[i] is not None]
        result[program_type] = ProgramCapacity(
            capacity=sum(cap) if cap else None, vacancies=sum(vac) if vac else None, services=len(hits)
        )
    return result


def capacity_from_frame(frame: pl.DataFrame) -> dict[str, ProgramCapacity]:
    """Capacity per program type from a table with `program_type`, `capacity` and optionally `vacancies`
    and `services` columns (the `--capacity FILE.csv` of `offramp simulate`); ValueError if malformed."""
    missing = {"program_type", "capacity"} - set(frame.columns)
    if missing:
        raise ValueError(f"a capacity table needs the column(s) {', '.join(sorted(missing))}")
    unknown = sorted(set(frame["program_type"].cast(pl.String).to_list()) - set(PROGRAM_TYPE_SERVICES))
    if unknown:
        raise ValueError(
            f"unknown program type(s) {', '.join(map(str, unknown))}: expected {', '.join(PROGRAM_TYPE_SERVICES)}"
        )
    result: dict[str, ProgramCapacity] = {}
    for row in frame.iter_rows(named=True):
        result[str(row["program_type"])] = ProgramCapacity(
            capacity=_int_or_none(row.get("capacity")),
            vacancies=_int_or_none(row.get("vacancies")),
            services=int(row.get("services") or 0),
        )
    return result


def _int_or_none(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


# --- simulate ---------------------------------------------------------------------------------------------


def simulate(
    frame: pl.DataFrame,
    draft: Pack,
    baseline: Pack,
    *,
    assumptions: Assumptions,
    capacity: Mapping[str, ProgramCapacity] | None = None,
    attributes: pl.DataFrame | None = None,
    on: dt.date | None = None,
    sample: int = 20,
    seed: int = 0,
    reference: str = DISPARITY_REFERENCE,
    min_cell: int = MIN_CELL,
) -> SimulationResult:
    """Evaluate `frame` (EVAL_COLUMNS, plus an optional `race` column) under both packs and compare them.

    `capacity`: program type -> ProgramCapacity (from the directory; the caller reads it). `attributes`:
    a frame with `case_key` and `race` used when `frame` has no `race` column. `on`: evaluate with the
    parameters in force on that date (else each case's received date). `sample`: how many changed cases
    to explain; which ones depends only on the frame, the packs and `seed`."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    draft_out = evaluate(
        frame, draft, on=on, columns=["outcome", "chosen_rule", "program_types", "seller_role"]
    )
    timings["evaluate draft"] = time.perf_counter() - started
    started = time.perf_counter()
    base_out = evaluate(frame, baseline, on=on, columns=["outcome", "chosen_rule", "program_types"])
    timings["evaluate baseline"] = time.perf_counter() - started

    started = time.perf_counter()
    race = _race(frame, attributes)
    sim = pl.DataFrame(
        [
            frame["severity"],
            frame["drug"],
            frame["offense_kind"],
            draft_out["seller_role"],
            base_out["outcome"].alias("baseline_outcome"),
            draft_out["outcome"].alias("draft_outcome"),
            base_out["program_types"].alias("baseline_program_types"),
            draft_out["program_types"].alias("draft_program_types"),
            *([race] if race is not None else []),
        ]
    )
    # every aggregation below reads `cells`: one row per distinct combination of the columns above, with
    # its count `n` (thousands of rows for a million cases); per-case days and decision flags are worked out
    # per cell and multiplied by `n`
    cells = sim.group_by(sim.columns).len("n")
    base_jail, base_prison = assumptions.days_exprs(pl.col("baseline_outcome"), pl.col("severity"))
    draft_jail, draft_prison = assumptions.days_exprs(pl.col("draft_outcome"), pl.col("severity"))
    n = pl.col("n")
    cells = cells.with_columns(
        (pl.col("baseline_outcome").eq_missing(pl.col("draft_outcome")).not_().cast(pl.Int64) * n).alias(
            "changed"
        ),
        ((base_jail - draft_jail) * n).alias("jail_days_avoided"),
        ((base_prison - draft_prison) * n).alias("prison_days_avoided"),
        *(
            (pl.col(f"{pack}_outcome").is_in(outcomes).fill_null(False).cast(pl.Int64) * n).alias(
                f"{pack}_{decision}"
            )
            for pack in ("baseline", "draft")
            for decision, outcomes in DECISIONS.items()
        ),
    )
    changed = int(cells["changed"].sum())
    outcomes = _outcome_counts(cells)
    transitions = _transitions(cells)
    by = {dim: _by(cells, dim) for dim in DIMENSIONS}
    days_row = cells.select(
        pl.col("jail_days_avoided").clip(lower_bound=0).sum().alias("jail_avoided"),
        (-pl.col("jail_days_avoided")).clip(lower_bound=0).sum().alias("jail_added"),
        pl.col("prison_days_avoided").clip(lower_bound=0).sum().alias("prison_avoided"),
        (-pl.col("prison_days_avoided")).clip(lower_bound=0).sum().alias("prison_added"),
    ).row(0, named=True)
    days = DaysAvoided(**{k: float(v or 0.0) for k, v in days_row.items()})
    years = _years(frame)
    demand = _demand(cells, capacity, assumptions, years)
    if race is not None:
        disparity, note = _disparity(cells, reference, min_cell)
    else:
        disparity, note = (
            None,
            "No race data was given (a `race` column or attributes), so no disparity table.",
        )
    timings["aggregate"] = time.perf_counter() - started

    started = time.perf_counter()
    picked = _sample_rows(sim, sample, seed)
    chosen = [
        ChangedCase(
            case_key=str(frame["case_key"][i]),
            baseline_outcome=sim["baseline_outcome"][i],
            draft_outcome=sim["draft_outcome"][i],
            baseline=explain(frame.slice(i, 1), baseline, on=on),
            draft=explain(frame.slice(i, 1), draft, on=on),
        )
        for i in picked
    ]
    timings["explain sample"] = time.perf_counter() - started
    return SimulationResult(
        draft=draft,
        baseline=baseline,
        cases=frame.height,
        changed=changed,
        on=on,
        assumptions=assumptions,
        outcomes=outcomes,
        transitions=transitions,
        by=by,
        demand=demand,
        days=days,
        disparity=disparity,
        disparity_note=note,
        sample=chosen,
        years=years,
        timings=timings,
    )


def _race(frame: pl.DataFrame, attributes: pl.DataFrame | None) -> pl.Series | None:
    if "race" in frame.columns:
        return frame["race"].cast(pl.String).fill_null("unknown").alias("race")
    if attributes is None:
        return None
    if not {"case_key", "race"} <= set(attributes.columns):
        raise ValueError("attributes need case_key and race columns")
    people = attributes.select("case_key", pl.col("race").cast(pl.String)).unique("case_key", keep="first")
    joined = frame.select("case_key").join(people, on="case_key", how="left", maintain_order="left")
    return joined["race"].fill_null("unknown")


def _label(column: str) -> pl.Expr:
    return pl.col(column).fill_null(NO_OUTCOME)


def _order(values: list[str]) -> list[str]:
    known = [o for o in OUTCOMES if o in values]
    return known + sorted(v for v in values if v not in OUTCOMES)


def _outcome_counts(cells: pl.DataFrame) -> pl.DataFrame:
    base = cells.group_by(_label("baseline_outcome").alias("outcome")).agg(
        pl.col("n").sum().alias("baseline")
    )
    draft = cells.group_by(_label("draft_outcome").alias("outcome")).agg(pl.col("n").sum().alias("draft"))
    seen = set(base["outcome"].to_list()) | set(draft["outcome"].to_list())
    names = _order([*OUTCOMES, *(v for v in seen if v not in OUTCOMES)])
    return (
        pl.DataFrame({"outcome": names})
        .join(base, on="outcome", how="left")
        .join(draft, on="outcome", how="left")
        .with_columns(pl.col("baseline", "draft").fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("draft") - pl.col("baseline")).alias("change"))
    )


def _transitions(cells: pl.DataFrame) -> pl.DataFrame:
    pairs = cells.group_by(
        _label("baseline_outcome").alias("baseline_outcome"), _label("draft_outcome").alias("draft_outcome")
    ).agg(
        pl.col("n").sum().cast(pl.Int64).alias("cases"),
        pl.col("jail_days_avoided").sum(),
        pl.col("prison_days_avoided").sum(),
    )
    rank = {o: i for i, o in enumerate(_order(list({*pairs["baseline_outcome"], *pairs["draft_outcome"]})))}
    return pairs.sort(
        pl.col("baseline_outcome").replace_strict(rank, return_dtype=pl.Int32),
        pl.col("draft_outcome").replace_strict(rank, return_dtype=pl.Int32),
    )


def _by(cells: pl.DataFrame, dim: str) -> pl.DataFrame:
    return (
        cells.group_by(pl.col(dim).fill_null("unknown").alias(dim))
        .agg(
            pl.col("n").sum().cast(pl.Int64).alias("cases"),
            pl.col("changed").sum().cast(pl.Int64),
            *(
                pl.col(f"{pack}_{d}").sum().cast(pl.Int64)
                for d in DECISIONS
                for pack in ("baseline", "draft")
            ),
            pl.col("jail_days_avoided").sum(),
            pl.col("prison_days_avoided").sum(),
        )
        .sort(["cases", dim], descending=[True, False])
    )


def _years(frame: pl.DataFrame) -> float:
    """The span of received dates in years (at least one), to put demand per year beside capacity."""
    dates = frame["received_date"].drop_nulls()
    if dates.is_empty():
        return 1.0
    low, high = dates.min(), dates.max()
    if not isinstance(low, dt.date) or not isinstance(high, dt.date):
        raise TypeError(f"received_date must hold dates, not {type(low).__name__}")
    return max(1.0, ((high - low).days + 1) / 365.25)


def _demand(
    cells: pl.DataFrame,
    capacity: Mapping[str, ProgramCapacity] | None,
    assumptions: Assumptions,
    years: float,
) -> pl.DataFrame:
    def count(pack: str) -> pl.DataFrame:
        return (
            cells.lazy()
            .filter(pl.col(f"{pack}_outcome").is_in(list(DIVERTED)))
            .select(pl.col(f"{pack}_program_types").alias("program_type"), "n")
            .explode("program_type", empty_as_null=False)
            .drop_nulls()
            .group_by("program_type")
            .agg(pl.col("n").sum().alias(f"{pack}_cases"))
            .collect()
        )

    base, draft = count("baseline"), count("draft")
    names = [*PROGRAM_TYPE_SERVICES]
    names += sorted({*base["program_type"], *draft["program_type"]} - set(names))
    cap = capacity or {}
    slot_years = 365.25 / assumptions.program_slot_days.value
    table = (
        pl.DataFrame({"program_type": names})
        .join(base, on="program_type", how="left")
        .join(draft, on="program_type", how="left")
        .with_columns(pl.col("baseline_cases", "draft_cases").fill_null(0).cast(pl.Int64))
        .with_columns(
            (pl.col("baseline_cases") / years).alias("baseline_per_year"),
            (pl.col("draft_cases") / years).alias("draft_per_year"),
            pl.Series("capacity", [cap[n].capacity if n in cap else None for n in names], pl.Int64),
            pl.Series("vacancies", [cap[n].vacancies if n in cap else None for n in names], pl.Int64),
            pl.Series("services", [cap[n].services if n in cap else None for n in names], pl.Int64),
        )
        .with_columns((pl.col("capacity") * slot_years).alias("people_per_year"))
        .with_columns((pl.col("draft_per_year") / pl.col("people_per_year")).alias("draft_demand_ratio"))
    )
    keep = (pl.col("baseline_cases") > 0) | (pl.col("draft_cases") > 0) | pl.col("capacity").is_not_null()
    return table.filter(keep)


#: the decision points the disparity table shows, each over the cases with a decision (every case a
#: pack decides): declined, diverted (before or after filing) and charged (filed, diversion or not)
SIM_POINTS: tuple[DecisionPoint, ...] = (
    DecisionPoint("declination", "Declination", m.DECLINED & m.DECIDED, m.DECIDED,
                  "cases declined", "cases with a recommendation"),
    DecisionPoint("diversion", "Diversion (pre or post filing)", m.DECIDED & m.OFFERED, m.DECIDED,
                  "cases diverted before or after filing", "cases with a recommendation"),
    DecisionPoint("charge", "Charge filed", m.DECIDED & m.FILED, m.DECIDED,
                  "cases charged (incl. post-charge diversion)", "cases with a recommendation"),
)  # fmt: skip

#: a policy outcome as the analytics frame's decision columns (decision, filed, diversion_offered)
_AS_DECISION = {
    str(Outcome.DECLINE): (Decision.DECLINED.value, False, False),
    str(Outcome.PRE_CHARGE_DIVERSION): (Decision.DIVERTED_PRE_FILING.value, False, True),
    str(Outcome.POST_CHARGE_DIVERSION): (Decision.CHARGED.value, True, True),
    str(Outcome.CHARGE_WITH_PLEA_GUIDANCE): (Decision.CHARGED.value, True, False),
    str(Outcome.PROSECUTE): (Decision.CHARGED.value, True, False),
}


def analytics_rows(outcome: pl.Expr) -> list[pl.Expr]:
    """The analytics frame's decision columns (ANALYTICS_SCHEMA) for a policy outcome column: the
    recommendation read as if it were the office's decision (null outcome: not decided)."""
    decision, filed, offered = ({o: v[i] for o, v in _AS_DECISION.items()} for i in range(3))
    return [
        outcome.replace_strict(decision, default=None, return_dtype=pl.String).alias("decision"),
        outcome.replace_strict(filed, default=None, return_dtype=pl.Boolean).alias("filed"),
        outcome.replace_strict(offered, default=None, return_dtype=pl.Boolean).alias("diversion_offered"),
    ]


def _disparity(cells: pl.DataFrame, reference: str, min_cell: int) -> tuple[pl.DataFrame, str]:
    """The RRI (`analytics.disparity.rri`, OJJDP method, docs/SOURCES.md#rri) of each pack's declination,
    diversion and charging by race, side by side: one row per decision point x race.

    `rri` counts rows, so each (race, outcome) cell is repeated `n` times: one row per case again, but
    only of the few columns it reads."""
    tables = []
    for pack in ("baseline", "draft"):
        small = cells.group_by("race", f"{pack}_outcome").agg(pl.col("n").sum())
        repeat = np.repeat(np.arange(small.height), small["n"].to_numpy())
        frame = small.select(pl.col("race"), *analytics_rows(pl.col(f"{pack}_outcome"))).select(
            pl.all().gather(pl.Series(repeat, dtype=pl.UInt32))
        )
        table = rri(frame, by="race", reference=reference, min_cell=min_cell, points=SIM_POINTS)
        tables.append(
            table.select(
                "decision_point",
                pl.col("group").alias("race"),
                *(
                    pl.col(c).alias(f"{pack}_{c}")
                    for c in ("numerator", "base", "rate", "rri", "ci_low", "ci_high", "suppressed", "note")
                ),
            )
        )
    order = {p.id: i for i, p in enumerate(SIM_POINTS)}
    table = (
        tables[0]
        .join(tables[1], on=["decision_point", "race"], how="full", coalesce=True)
        .with_columns(pl.col("decision_point").replace_strict(order, return_dtype=pl.Int32).alias("_p"))
        .sort(["_p", pl.col("race") != reference, pl.col("baseline_base")], descending=[False, False, True])
        .drop("_p")
    )
    note = (
        f"Rates are per case with a recommendation; RRI = a group's rate / the rate of '{reference}' "
        f"(OJJDP method; 95% confidence interval by the log method). A cell with a count under {min_cell} "
        "is suppressed (no rate, no RRI). Computed by offramp.core.analytics.disparity.rri."
    )
    if reference not in set(cells["race"].unique().to_list()):
        note += f" No '{reference}' cases, so no RRI."
    return table, note


def _sample_rows(sim: pl.DataFrame, n: int, seed: int) -> list[int]:
    """Up to `n` row indexes of changed cases, spread over the transitions: within each (baseline, draft)
    pair the cases are shuffled by `seed` and the first `n` kept; then the pairs are taken in turn (first
    of each, second of each, ...), so a rare kind of change is shown too."""
    if n <= 0:
        return []
    per_pair = (
        sim.lazy()
        .select(_label("baseline_outcome").alias("b"), _label("draft_outcome").alias("d"))
        .with_row_index("row")
        .filter(pl.col("b") != pl.col("d"))
        .group_by("b", "d")
        .agg(pl.col("row").shuffle(seed=seed).head(n))
        .sort("b", "d")
        .explode("row", empty_as_null=False)
        .with_columns(pl.int_range(pl.len()).over("b", "d").alias("turn"))
        .sort("turn", "b", "d")
        .head(n)
        .collect()
    )
    return sorted(int(i) for i in per_pair["row"])
