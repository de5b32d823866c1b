"""The stored directory's capacity per policy program type: what `offramp simulate --capacity-from-directory`
and the what-if page set program demand against (one reader for both)."""

from __future__ import annotations

import pytest
from tests.integration.programs.batches import stored_small  # noqa: F401

from offramp.core.simulation import ProgramCapacity
from offramp.web.programs.store import capacity_by_program_type


@pytest.mark.usefixtures("stored_small")
def test_each_program_type_sums_the_services_that_fill_it() -> None:
    capacity = capacity_by_program_type()
    # treatment: the buprenorphine clinic (20 places, 3 open) and the residential program (no figures)
    assert capacity["treatment"] == ProgramCapacity(capacity=20, vacancies=3, services=2)
    assert capacity["housing"] == ProgramCapacity(capacity=8, vacancies=0, services=1)
    assert capacity["education"] == ProgramCapacity(capacity=None, vacancies=None, services=0)


def test_an_empty_directory_has_no_capacity(db: None) -> None:
    assert all(c.services == 0 and c.capacity is None for c in capacity_by_program_type().values())
