"""The record-relief and follow-up reports, read from the database and computed by core.

- `relief_candidates(pack, today)`: every stored case with a conviction disposition
  (`core.outcomes.relief.CONVICTION_DISPOSITIONS`), evaluated with today's pack (`engine.evaluate(..., on=today)`:
  today's parameter values, not those in force when the case was received) and kept when today's outcome
  is a decline or a diversion (`core.outcomes.relief.retrospective_candidates`). The evaluation frame is built the
  way intake builds it (`core.evaluation.frame.case_frame` over the `CaseBatch` that `cases.batch.batch_for`
  reads from the database), in one query per table, so thousands of cases cost a few queries and one
  vectorised evaluation. No SUD screening and no needs assessment is read: a retrospective audit of policy looks at
  the case's own facts only. The list also keeps every dismissed, nolle prossed, declined or completed-diversion
  case (restrictable once the disposition is reported), and each candidate carries its Georgia route
  (core `relief.ReliefRoute`).
- `disposition_rows(case_keys)` / `disposition_csv(case_keys)`: the disposition report of the selected cases
  (core `relief.disposition_report`; not GCIC's official format, which must be confirmed with the state).
- `followup(today)`: exits from programs, i.e. imported program referrals (`cases.ProgramReferral`,
  e.g. the CCSAO Diversion export: graduated = completed, failed = terminated, on `closed_date`) and the
  office's own diversion referrals (`diversion.Referral`: `completed_on` / `terminated_on`), joined to every
  stored case of the same person (`core.outcomes.followup.recidivism` and `summary`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from offramp.core.csvsafe import inert_csv
from offramp.core.diversion import referral_progress as progress
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.frame import case_frame
from offramp.core.intake.batch import CaseBatch
from offramp.core.outcomes.followup import DEFAULT_WINDOWS, recidivism, summary
from offramp.core.outcomes.relief import (
    CONVICTION_DISPOSITIONS,
    NON_CONVICTION_DISPOSITIONS,
    ReliefRoute,
    disposition_report,
    retrospective_candidates,
    route_expr,
)
from offramp.web.cases.batch import batch_for
from offramp.web.cases.models import Case, ProgramReferral
from offramp.web.diversion.models import Referral


def convicted_batch(today: dt.date) -> CaseBatch:
    """The stored cases with a conviction disposition dated on or before `today` (or undated)."""
    return batch_for(
        Case.objects.filter(disposition__in=sorted(CONVICTION_DISPOSITIONS)).exclude(
            disposition_date__gt=today
        )
    )


def disposed_batch(today: dt.date) -> CaseBatch:
    """The stored cases with a conviction or a non-conviction ending (dismissed, nolle prossed, declined,
    diversion completed) dated on or before `today` (or undated)."""
    kinds = sorted(CONVICTION_DISPOSITIONS | NON_CONVICTION_DISPOSITIONS)
    return batch_for(Case.objects.filter(disposition__in=kinds).exclude(disposition_date__gt=today))


def _history(batch: CaseBatch, frame: pl.DataFrame) -> pl.DataFrame:
    """The retrospective history: the case facts, the primary charge's offence, drug and severity."""
    return batch.cases.join(
        frame.select("case_key", "offense_kind", "drug", "severity"), on="case_key", how="left"
    ).select(
        "case_key", "person_key", "received_date", "offense_kind", "drug", "disposition", "severity",
        "disposition_date", "prior_felonies", "prior_first_offender",
    )  # fmt: skip


@dataclass(frozen=True)
class CandidateReport:
    candidates: pl.DataFrame
    convictions: int
    pack_id: str
    pack_version: str
    today: dt.date

    @property
    def by_outcome(self) -> list[tuple[str, int]]:
        counts = self.candidates.drop_nulls("today_outcome").group_by("today_outcome").len()
        return [(str(k), int(v)) for k, v in counts.sort("today_outcome").iter_rows()]

    @property
    def by_route(self) -> list[tuple[str, str, int]]:
        """(route, its description, count) for each route among the candidates, in `ReliefRoute` order."""
        counts = dict(self.candidates.group_by("route").len().iter_rows())
        return [(r.value, r.description, int(counts[r.value])) for r in ReliefRoute if r.value in counts]


def relief_candidates(pack: Any, today: dt.date) -> CandidateReport:
    """Past convictions today's `pack` would decline or divert, and past non-conviction endings, each with
    its route (see the module docstring)."""
    batch = disposed_batch(today)
    frame = case_frame(batch)
    if frame.height:
        evaluated = evaluate(frame, pack, on=today, columns=["case_key", "outcome", "chosen_rule"])
    else:
        evaluated = pl.DataFrame(
            schema={"case_key": pl.String, "outcome": pl.String, "chosen_rule": pl.String}
        )
    found = retrospective_candidates(_history(batch, frame), evaluated, pack=pack, non_convictions=True)
    convicted = (
        pl.col("disposition").str.strip_chars().str.to_lowercase().is_in(sorted(CONVICTION_DISPOSITIONS))
    )
    return CandidateReport(
        candidates=found,
        convictions=batch.cases.filter(convicted).height,
        pack_id=str(getattr(pack, "id", "")),
        pack_version=str(getattr(pack, "version", "")),
        today=today,
    )


def disposition_rows(case_keys: list[str]) -> pl.DataFrame:
    """The selected stored cases for the disposition report: case_key, person_key, charge (the primary
    charge's statute and title as recorded), disposition, disposition_date and route."""
    keys = sorted(set(case_keys))
    batch = batch_for(Case.objects.filter(case_key__in=keys))
    missing = sorted(set(keys) - set(batch.cases.get_column("case_key").to_list()))
    if missing:
        raise ValueError(f"disposition report: no case {', '.join(missing)}")
    frame = case_frame(batch)
    charges = (
        batch.charges.sort(
            "case_key", pl.col("is_primary").fill_null(False), "seq", descending=[False, True, False]
        )
        .unique("case_key", keep="first", maintain_order=True)
        .select(
            "case_key",
            pl.concat_str(["statute_raw", "title_raw"], separator=" ", ignore_nulls=True).alias("charge"),
        )
    )
    return (
        _history(batch, frame)
        .join(charges, on="case_key", how="left")
        .with_columns(route_expr().alias("route"))
    )


def disposition_csv(case_keys: list[str]) -> str:
    return disposition_report(disposition_rows(case_keys))


# --- follow-up ----------------------------------------------------------------------------------------------

#: one row per exit: where it was recorded, the case, the person, the day and the kind
EXIT_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "case_key": pl.String(),
    "program": pl.String(),
    "person_key": pl.String(),
    "exit_date": pl.Date(),
    "exit_kind": pl.String(),
}
IMPORTED = "imported referral"
OFFICE = "diversion referral"


def imported_exits() -> pl.DataFrame:
    """Exits recorded by an imported source (core `progress.imported_exits`: a graduated referral completed,
    a failed one terminated, on its closed date; one without a closed date is left out)."""
    rows = ProgramReferral.objects.filter(result__isnull=False).values_list(
        "case__case_key", "program_code", "case__person__person_key", "closed_date", "result"
    )
    referrals = pl.DataFrame(
        list(rows),
        schema={"case_key": pl.String(), "program": pl.String(), "person_key": pl.String(),
                "closed_date": pl.Date(), "result": pl.String()},
        orient="row",
    )  # fmt: skip
    return _exits(progress.imported_exits(referrals), IMPORTED)


def office_exits() -> pl.DataFrame:
    """Exits from the office's own diversion referrals (core `progress.office_exits`: completed on
    `completed_on`, else terminated on `terminated_on`)."""
    query = Referral.objects.filter(completed_on__isnull=False) | Referral.objects.filter(
        terminated_on__isnull=False
    )
    rows = query.values_list(
        "case__case_key", "program_name", "case__person__person_key", "completed_on", "terminated_on"
    )
    referrals = pl.DataFrame(
        list(rows),
        schema={"case_key": pl.String(), "program": pl.String(), "person_key": pl.String(),
                "completed_on": pl.Date(), "terminated_on": pl.Date()},
        orient="row",
    )  # fmt: skip
    return _exits(progress.office_exits(referrals), OFFICE)


def _exits(found: pl.DataFrame, source: str) -> pl.DataFrame:
    return found.with_columns(pl.lit(source).alias("source")).select(list(EXIT_SCHEMA)).cast(EXIT_SCHEMA)  # type: ignore[arg-type]


def exits() -> pl.DataFrame:
    """Every recorded exit, oldest first."""
    return pl.concat([imported_exits(), office_exits()]).sort("exit_date", "case_key", "source")


def cases_of(people: list[str]) -> pl.DataFrame:
    """person_key, case_key and received_date of every stored case of these people."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(people), 500):  # SQLite's bound-parameter limit
        rows.extend(
            Case.objects.filter(person__person_key__in=people[start : start + 500]).values_list(
                "person__person_key", "case_key", "received_date"
            )
        )
    return pl.DataFrame(
        rows,
        schema={"person_key": pl.String(), "case_key": pl.String(), "received_date": pl.Date()},
        orient="row",
    )


@dataclass(frozen=True)
class FollowupReport:
    exits: pl.DataFrame  # recidivism's rows: EXIT_SCHEMA + within_<N>y + first_new_case_key/date
    summary: pl.DataFrame  # core.outcomes.followup.SUMMARY_SCHEMA
    windows: tuple[int, ...]
    today: dt.date


def followup(today: dt.date, windows: tuple[int, ...] = DEFAULT_WINDOWS) -> FollowupReport:
    recorded = exits()
    events = recorded.filter(pl.col("exit_date") <= today)
    cases = cases_of(recorded.get_column("person_key").unique().to_list())
    measured = recidivism(events, cases, windows, today=today)
    return FollowupReport(exits=measured, summary=summary(measured, windows), windows=windows, today=today)


def followup_csv(report: FollowupReport) -> str:
    """One row per exit: the exit, true / false / blank (not yet measurable) per window, the first new case.
    Text a spreadsheet would run as a formula is made inert with a leading apostrophe, as in `relief.to_csv`."""
    return inert_csv(report.exits)
