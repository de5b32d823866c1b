"""`offramp demo load`: a demo office — one user per role, three years of synthetic cases, and the
Georgia program listings shipped with Offramp. Loads only into an empty database unless --force."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from offramp.cli.django_setup import setup_django

#: the setting (and environment variable) holding the demo users' password, read by settings.py
DEMO_PASSWORD_ENV = "OFFRAMP_DEMO_PASSWORD"

#: username -> role slug (offramp.web.accounts.roles)
DEMO_USERS: dict[str, str] = {
    "prosecutor": "line_prosecutor",
    "supervisor": "supervisor",
    "diversion": "diversion_coordinator",
    "advocate": "victim_advocate",
    "analyst": "analyst",
    "auditor": "auditor",
    "admin": "administrator",
}


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("demo", help="the demo office")
    what = parser.add_subparsers(dest="what", required=True)
    load = what.add_parser("load", help="load the demo office into an empty database")
    load.add_argument("--cases", type=int, default=4000, help="synthetic cases (default 4000)")
    load.add_argument("--seed", type=int, default=2026)
    load.add_argument("--force", action="store_true", help="load even if the database holds cases")
    load.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    setup_django()
    from offramp.web.cases.models import Case

    if Case.objects.exists() and not ns.force:
        print("demo: the database already holds cases; nothing loaded (use --force to add the demo anyway)")
        return 0
    from django.conf import settings

    users = create_demo_users(settings.OFFRAMP_DEMO_PASSWORD)
    summary = load_demo_cases(ns.cases, ns.seed)
    spread_demo_workflow(users)
    from offramp.web.programs.loader import load_georgia

    _, programs = load_georgia(actor_name="demo")  # the four SAMHSA files, as `offramp programs import`
    print(f"demo: program directory (Georgia SAMHSA listings): {programs.summary()}")
    print(
        f"demo: {summary.cases_new:,} cases and {summary.persons_new:,} people loaded; "
        f"users {', '.join(DEMO_USERS)} "
        f"(password from ${DEMO_PASSWORD_ENV}, default {settings.DEMO_PASSWORD_DEFAULT!r})"
    )
    return 0


def create_demo_users(password: str) -> dict[str, Any]:
    from django.contrib.auth.models import Group, User

    from offramp.web.accounts.roles import ROLE_BY_SLUG

    users = {}
    for username, slug in DEMO_USERS.items():
        role = ROLE_BY_SLUG[slug]
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.invalid"}
        )
        user.first_name = role.name
        user.is_staff = role.staff
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.name)])
        users[username] = user
    return users


def load_demo_cases(n: int, seed: int) -> Any:
    """Generate `n` cases over the last three full years and import them the way any file is imported."""
    from offramp.core.generate import generate_cases, write_cases_csv
    from offramp.core.intake import parse_file
    from offramp.web.audit.models import Action
    from offramp.web.audit.record import record
    from offramp.web.cases.store import store_batch

    year = dt.date.today().year
    frame = generate_cases(
        n,
        seed,
        start=dt.date(year - 3, 1, 1),
        end=dt.date(year - 1, 12, 31),
        case_prefix="DEMO",
        include_disposition=True,  # stages and dispositions that agree (relief report, analytics)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo-cases.csv"
        write_cases_csv(frame, path)
        batch = parse_file(path, "offramp-csv")
        summary = store_batch(
            batch,
            file_name="demo-cases.csv",
            file_sha256="",
            actor_name="demo",
            audit=lambda done: record(
                Action.IMPORT,
                actor_name="demo",
                object_type="file",
                object_id="demo-cases.csv",
                detail={"format": "offramp-csv", **done.as_dict()},
            ),
        )
    return summary


def spread_demo_workflow(users: dict[str, Any]) -> None:
    """Give the demo queue some shape: older cases further along, some assigned to the demo prosecutor.
    Deterministic (by id), and done in SQL so it takes no time."""
    from django.db import connection

    from offramp.web.cases.models import Case

    table = Case._meta.db_table
    with connection.cursor() as cur:
        # the generator resolves older cases (declined, diverted, disposed with a disposition, closed);
        # of the open ones, some are under review and some charged and awaiting disposition
        cur.execute(
            f"UPDATE {table} SET stage = CASE id % 10 WHEN 2 THEN 'charged' WHEN 4 THEN 'under_review' "
            "ELSE stage END WHERE stage = 'received'"
        )
        cur.execute(
            f"UPDATE {table} SET assigned_prosecutor_id = %s WHERE id %% 7 = 0",
            [users["prosecutor"].pk],
        )
