"""`offramp demo load`: one user per role, synthetic cases, the program directory; a second run adds none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from tests.fixtures.clock import TODAY
from tests.integration.helpers import offramp, snapshot

from offramp.cli.demo import DEMO_PASSWORD_ENV, DEMO_USERS
from offramp.web.accounts.roles import ROLE_BY_SLUG
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case, Person
from offramp.web.programs.models import DirectoryImport, Service

pytestmark = pytest.mark.django_db

PASSWORD = "a demo password for the tests 7"
CASES = 300


@pytest.fixture
def demo(capsys: pytest.CaptureFixture[str], settings: Any, frozen_today: dt.date) -> str:
    settings.OFFRAMP_DEMO_PASSWORD = PASSWORD  # read from $OFFRAMP_DEMO_PASSWORD at start-up
    # the demo spreads its cases over the three full years before (frozen) today
    run = offramp(capsys, "demo", "load", "--cases", str(CASES))
    assert run.rc == 0, run.err
    return run.out


def test_it_loads_the_demo_cases(demo: str) -> None:
    people = Person.objects.count()
    assert demo.splitlines()[-1] == (
        f"demo: {CASES} cases and {people} people loaded; users {', '.join(DEMO_USERS)} "
        f"(password from ${DEMO_PASSWORD_ENV}, default 'offramp-demo-2026')"
    )
    assert Case.objects.count() == CASES
    assert 0 < people <= CASES
    assert not Case.objects.exclude(case_key__startswith="DEMO").exists()
    year = TODAY.year
    dates = Case.objects.values_list("received_date", flat=True)
    assert min(dates) >= dt.date(year - 3, 1, 1)
    assert max(dates) <= dt.date(year - 1, 12, 31)
    # the queue is given some shape: later stages and cases assigned to the demo prosecutor
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {"received", "declined", "diverted", "charged", "disposed", "under_review"} <= stages
    assigned = set(
        Case.objects.filter(assigned_prosecutor__username="prosecutor").values_list("id", flat=True)
    )
    assert assigned == {pk for pk in Case.objects.values_list("id", flat=True) if pk % 7 == 0}
    assert assigned
    event = AuditEvent.objects.get(action="import", object_type="file")
    assert (event.actor_name, event.object_id, event.detail["cases_new"]) == ("demo", "demo-cases.csv", CASES)


def test_it_creates_one_user_per_role(demo: str) -> None:
    assert User.objects.count() == len(DEMO_USERS)
    for username, slug in DEMO_USERS.items():
        user = User.objects.get(username=username)
        role = ROLE_BY_SLUG[slug]
        assert list(user.groups.values_list("name", flat=True)) == [role.name], username
        assert user.is_staff == role.staff, username
        assert user.is_active and not user.is_superuser
        assert user.check_password(PASSWORD), username
    assert User.objects.get(username="admin").is_staff
    assert User.objects.get(username="prosecutor").has_perm("cases.view_case")
    assert not User.objects.get(username="analyst").has_perm("cases.view_case")


def test_it_loads_the_program_directory(demo: str) -> None:
    services = Service.objects.count()
    assert services > 0
    (line,) = [line for line in demo.splitlines() if line.startswith("demo: program directory")]
    assert "0 unchanged" in line and " 0 created" not in line
    formats = set(DirectoryImport.objects.values_list("source_format", flat=True))
    assert formats == {"samhsa-sut", "samhsa-moud", "samhsa-otp", "samhsa-mh"}


def test_it_loads_nothing_more_the_second_time(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    users = list(User.objects.order_by("id").values_list("username", "password"))
    services = Service.objects.count()

    again = offramp(capsys, "demo", "load", "--cases", str(CASES))

    assert again.rc == 0
    assert again.out == (
        "demo: the database already holds cases; nothing loaded (use --force to add the demo anyway)\n"
    )
    assert snapshot() == before
    assert list(User.objects.order_by("id").values_list("username", "password")) == users
    assert Service.objects.count() == services
    assert AuditEvent.objects.filter(action="import", object_id="demo-cases.csv").count() == 1
