"""The factories build rows the pages accept: a factory case opens like an imported one."""

from __future__ import annotations

import pytest
from tests.factories import CaseFactory, VictimFactory
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import no_static_finders  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]


def test_a_factory_case_has_its_person_and_primary_charge(db: None) -> None:
    case = CaseFactory(primary_offense_kind="delivery", primary_drug="heroin")

    charge = case.charges.get()
    assert (charge.is_primary, charge.offense_kind, charge.drug) == (True, "delivery", "heroin")
    assert case.person.cases.get() == case


def test_a_factory_case_opens_on_the_case_page(staff: Staff) -> None:
    victim = VictimFactory(case__case_key="F-1")

    page = client_for(staff.alice).get("/cases/F-1/")

    assert page.status_code == 200
    assert "O.C.G.A. 16-13-30(a)" in page.content.decode()
    assert victim.case.victims.count() == 1
