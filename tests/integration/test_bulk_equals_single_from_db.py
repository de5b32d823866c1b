"""Property: for random cases stored in the database, the case page's recommendation, `offramp evaluate` on
an export of the same cases, and the analytics snapshot agree on the outcome and the findings.

One reader (`web.cases.batch.batch_for`) and one frame builder (core `case_frame`) stand between the
database and every path, so they cannot drift: the cases below have several charges (the primary one
marked or not, weights in every unit, blank drugs that fall back to the case's), blank facts and persons
of every age. The snapshot carries findings, not the policy's outcome, for cases not yet decided.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.helpers import REPO, offramp

from offramp.core.generate.export import write_offramp_csv
from offramp.core.intake.batch import CaseBatch
from offramp.web.analytics import snapshot
from offramp.web.cases.batch import batch_for
from offramp.web.cases.models import Case, Person
from offramp.web.cases.store import store_batch
from offramp.web.decisions.recommend import recommend_case

pytestmark = pytest.mark.django_db

KINDS = ["possession", "possession_with_intent", "delivery", "trafficking", "paraphernalia", "other"]
DRUGS = ["fentanyl", "heroin", "cocaine", "methamphetamine", "cannabis", "other", "none"]
UNITS = ["g", "mg", "kg", "oz", "lb", "dosage_unit", "ml"]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


flag = maybe(st.booleans())
count = maybe(st.integers(0, 4))
charge = st.fixed_dictionaries(
    {
        "is_primary": st.booleans(),
        "offense_kind": st.sampled_from(KINDS),
        "severity": maybe(st.sampled_from(["felony", "misdemeanor"])),
        "drug": maybe(st.sampled_from(DRUGS)),
        "quantity": maybe(st.sampled_from([0.2, 1.0, 3.0, 3.5, 14.0, 100.0, 2000.0])),
        "quantity_unit": maybe(st.sampled_from(UNITS)),
    }
)
case = st.fixed_dictionaries(
    {
        "received_date": st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)),
        "birth_year": maybe(st.integers(1950, 2006)),
        "primary_offense_kind": st.sampled_from(KINDS),
        "primary_drug": maybe(st.sampled_from(DRUGS)),
        "charges": st.lists(charge, max_size=3),
        "cash_usd": maybe(st.sampled_from([0.0, 40.0, 1500.0, 25000.0])),
        "days_since_release": maybe(st.integers(0, 30)),
        **{f: flag for f in ("weapon", "violence", "packaging", "scales_or_ledgers", "sale_to_minor",
                             "near_school", "organizer_role", "prior_overdose", "injection_use",
                             "on_supervision")},
        **{f: count for f in ("prior_felonies", "prior_violent", "prior_drug_sales", "victim_count")},
    }
)  # fmt: skip


def batch_of(drawn: list[dict[str, Any]]) -> CaseBatch:
    persons, cases, charges = [], [], []
    for i, one_case in enumerate(drawn):
        facts = dict(one_case)
        persons.append({"person_key": f"P{i}", "birth_year": facts.pop("birth_year"), "sex": "unknown",
                        "race": "unknown", "ethnicity": "unknown"})  # fmt: skip
        primary_marked = False
        for seq, one in enumerate(facts.pop("charges"), start=1):
            marked = one["is_primary"] and not primary_marked  # intake allows one marked primary charge
            primary_marked |= marked
            charges.append({**one, "case_key": f"H{i}", "seq": seq, "is_primary": marked})
        cases.append({**facts, "case_key": f"H{i}", "person_key": f"P{i}", "stage": "received"})
    return CaseBatch(
        source_format="test",
        persons=pl.DataFrame(persons),
        cases=pl.DataFrame(cases),
        charges=pl.DataFrame(charges) if charges else pl.DataFrame(),
    ).conformed()


@pytest.fixture
def shipped_policy(settings: Any) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "public-health"


@pytest.mark.usefixtures("shipped_policy")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.lists(case, min_size=1, max_size=4))
def test_the_page_the_cli_and_the_snapshot_agree(
    drawn: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Case.objects.all().delete()
    Person.objects.all().delete()
    store_batch(batch_of(drawn), file_name="drawn", file_sha256="", actor_name="test")

    page = {c.case_key: recommend_case(c) for c in Case.objects.all()}

    export, results = tmp_path / "export.csv", tmp_path / "results.csv"
    write_offramp_csv(batch_for(Case.objects.all()), export)
    run = offramp(
        capsys, "evaluate", "--policy", "public-health", "--cases", str(export), "--out", str(results)
    )
    assert run.rc == 0, run.err
    cli = {row["case_key"]: row for row in pl.read_csv(results, infer_schema=False).iter_rows(named=True)}

    frame = snapshot.build_frame()
    keys = snapshot.opaque_keys(pl.Series(list(page)))
    rows = {r["case_key"]: r for r in frame.iter_rows(named=True)}
    snap = {key: rows[opaque] for key, opaque in zip(page, keys.to_list(), strict=True)}

    assert set(cli) == set(page) == set(snap)
    for key, rec in page.items():
        values = rec.trace.finding_values()
        role, risk = values.get("seller_role"), values.get("overdose_risk")
        assert cli[key]["outcome"] == rec.outcome, key
        assert cli[key]["seller_role"] == role, key
        assert cli[key]["overdose_risk"] == ("true" if risk else "false" if risk is not None else None), key
        assert (snap[key]["seller_role"], snap[key]["overdose_risk"]) == (role, risk), key
        assert snap[key]["decision"] is None  # undecided: the snapshot has findings, no outcome
