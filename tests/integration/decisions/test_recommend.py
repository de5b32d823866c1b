"""The adapter from a stored case to the policy engine: the evaluation row, the pack version in force on the
case's received date, and (once the engine explains) a real recommendation under the shipped pack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import REPO, cases_csv, load_cases, no_static_finders  # noqa: F401

from offramp.core.evaluation.frame import EVAL_COLUMNS
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.models import Decision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    # the example's first row: fentanyl 0.3 g, born 1996, received 2024-01-08, released 21 days ago
    load_cases(cases_csv(tmp_path, [{"case_id": "R-1", "person_id": "P-R1"}]))
    return Case.objects.get(case_key="R-1")


def test_it_builds_the_evaluation_row_from_the_case_its_primary_charge_and_person(case: Case) -> None:
    frame = recommend.frame_for(case)
    row = frame.row(0, named=True)
    assert (row["case_key"], row["received_date"]) == ("R-1", dt.date(2024, 1, 8))
    assert (row["offense_kind"], row["severity"], row["drug"], row["quantity_g"]) == (
        "possession",
        "felony",
        "fentanyl",
        0.3,
    )
    assert (row["age_at_received"], row["days_since_release"], row["prior_overdose"]) == (28, 21, True)
    assert frame.schema == EVAL_COLUMNS
    assert frame.height == 1
    assert frame.row(0, named=True)["quantity_g"] == 0.3


def write_versions(folder: Path) -> None:
    """Two dated versions of the shipped pack: 2023.1 for 2023, 2024.1 from 2024 on."""
    data = yaml.safe_load((REPO / "policies" / "public-health.yaml").read_text(encoding="utf-8"))
    for name, version, effective in (
        ("public-health-2023.yaml", "2023.1", {"from": dt.date(2023, 1, 1), "to": dt.date(2024, 1, 1)}),
        ("public-health-2024.yaml", "2024.1", {"from": dt.date(2024, 1, 1)}),
    ):
        text = yaml.safe_dump({**data, "version": version, "effective": effective}, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")


def test_it_picks_the_pack_version_in_force_on_the_received_date(tmp_path: Path, settings: Any) -> None:
    write_versions(tmp_path)
    settings.OFFRAMP_POLICY_DIR = tmp_path
    in_2023, in_force = recommend.pack_for(dt.date(2023, 6, 1))
    assert (in_2023.version, in_force) == ("2023.1", True)
    last_day, _ = recommend.pack_for(dt.date(2023, 12, 31))
    assert last_day.version == "2023.1"
    in_2024, in_force = recommend.pack_for(dt.date(2024, 1, 1))
    assert (in_2024.version, in_force) == ("2024.1", True)
    before_any, in_force = recommend.pack_for(dt.date(2020, 1, 1))
    assert (before_any.version, in_force) == ("2024.1", False)


def test_it_recommends_under_the_shipped_public_health_pack(case: Case, settings: Any) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "public-health"
    rec = recommend.recommend_case(case)
    assert (rec.policy_id, rec.in_force) == ("public-health", True)
    # fentanyl 0.3 g for personal use, nothing aggravating: declined, with the overdose responses attached
    assert (rec.outcome, rec.chosen_rule) == ("decline", "decline-personal-use")
    assert rec.because == [
        "Possessing a small amount for your own use is not charged; declining is not condoning."
    ]
    assert "naloxone" in rec.overdose_responses
    # the catch-all charge-otherwise matches too (every matched rule is reported) but is not chosen, so its
    # supervisor_approval flag does not apply
    assert "charge-otherwise" in [rule.id for rule in rec.matched_rules]
    assert rec.supervisor_approval is False
    assert rec.parameter_dates["personal_use_grams"] == "2023-01-01"


def test_it_records_a_decision_under_the_real_pack_from_the_case_page(
    case: Case, staff: Staff, settings: Any
) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "public-health"
    rec = recommend.recommend_case(case)
    client = Client()
    client.force_login(staff.alice)
    page = client.get("/cases/R-1/").content.decode()
    assert f'<strong data-testid="policy">public-health {rec.policy_version}</strong>' in page
    response = client.post(
        "/decisions/cases/R-1/",
        {
            "outcome": rec.outcome,
            "policy_id": rec.policy_id,
            "policy_version": rec.policy_version,
            "recommended_outcome": rec.outcome,
            "supersedes": "",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.policy_id, decision.policy_version, decision.outcome) == (
        "public-health",
        rec.policy_version,
        rec.outcome,
    )
    assert decision.trace == rec.trace.to_dict()
    assert decision.decision_trace == rec.trace  # read back through the one schema
    assert (decision.accepted, decision.needs_supervisor) == (True, False)
    assert decision.parameter_dates["personal_use_grams"] == "2023-01-01"


def test_a_primary_charge_without_a_drug_is_read_with_the_case_s_drug(case: Case) -> None:
    """Bug (issue 11): the page took a blank drug from the primary charge where bulk evaluation (CLI,
    relief, snapshot) fell back to the case's own drug, so the page and a bulk run could disagree."""
    case.charges.update(drug=None)
    Case.objects.filter(pk=case.pk).update(primary_drug="heroin")
    assert recommend.frame_for(case).row(0, named=True)["drug"] == "heroin"
