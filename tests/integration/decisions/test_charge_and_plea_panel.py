"""The case page's recommendation panel shows the charge options, the plea options (in the office's order,
each with eligibility and reasons) and the immigration warning (issue 13; docs/charge-and-plea.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import REPO, cases_csv, load_cases, no_static_finders  # noqa: F401

from offramp.web.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    # the example's first row: fentanyl 0.3 g possession; citizenship and drug history not on file
    load_cases(cases_csv(tmp_path, [{"case_id": "P-1", "person_id": "P-P1"}]))
    return Case.objects.get(case_key="P-1")


def test_the_panel_shows_charge_and_plea_options_and_the_immigration_warning(
    case: Case, staff: Staff, settings: Any
) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "traditional"
    client = Client()
    client.force_login(staff.alice)
    page = client.get("/cases/P-1/").content.decode()
    assert 'data-code="charge_possession_16_13_30_a"' in page
    options = re.findall(r'data-testid="plea-option" data-option="(\w+)" data-eligible="(\w+)"', page)
    assert [o for o, _ in options] == [
        "conditional_discharge", "first_offender", "accountability_court", "safety_valve", "pretrial_intervention"
    ]  # fmt: skip
    # drug history not on file: not eligible on the facts, and the page says which fact is unknown
    assert dict(options)["conditional_discharge"] == "false"
    assert "conditional_discharge: unknown: prior_drug_convictions" in page
    # citizenship not on file and the case is charged: the warning is given (Padilla)
    assert 'data-testid="immigration-warning"' in page and "Citizenship is not on file" in page


def test_a_declined_case_has_no_immigration_warning_and_no_plea(
    case: Case, staff: Staff, settings: Any
) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    settings.OFFRAMP_POLICY = "public-health"
    client = Client()
    client.force_login(staff.alice)
    page = client.get("/cases/P-1/").content.decode()
    assert 'data-testid="recommended-outcome">Decline to charge' in page
    assert 'data-testid="immigration-warning"' not in page
    # a declination files nothing: there is no plea to offer
    assert 'data-testid="plea-options"' not in page
