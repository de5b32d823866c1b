"""Shared fixtures of the victims tests: a case with one victim on file (created directly: the CSV importer
records only `victim_count`; victims as rows come from the JSONL format), and a case without victims."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.factories import VictimFactory
from tests.fixtures.users import Staff
from tests.integration.helpers import cases_csv, load_cases

from offramp.web.cases.models import Case


@pytest.fixture
def cases(tmp_path: Path, staff: Staff) -> dict[str, Case]:
    load_cases(cases_csv(tmp_path, [{"case_id": "V-1", "victim_count": "1"}, {"case_id": "V-2"}]))
    with_victim = Case.objects.get(case_key="V-1")
    VictimFactory(case=with_victim, seq=1)
    return {"with_victim": with_victim, "no_victim": Case.objects.get(case_key="V-2")}
