"""`offramp programs import FILE_OR_DIR --format F` and `offramp programs export --format hsds --out DIR`.

Import: core reads the file (or folder) into a DirectoryBatch, merges duplicates, and the web layer stores
it in one transaction, idempotently (`offramp.web.programs.store`). A refused file prints every error
(file, row, field, expected) to stderr and exits 1 with nothing stored. Export: the stored directory as
HSDS 3.0 JSON, validated against the standard's schemas before anything is written. Both are audited.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from offramp.cli.django_setup import setup_django

EXPORT_FORMATS = ("hsds",)
SHOWN_WARNINGS = 20


def add_parser(sub: Any) -> None:
    from offramp.core.directory.read import FORMATS

    parser = sub.add_parser("programs", help="the program directory: import and export")
    what = parser.add_subparsers(dest="what", required=True)
    imp = what.add_parser("import", help="import programs (one transaction: every record or none)")
    imp.add_argument("path", type=Path, metavar="FILE_OR_DIR")
    imp.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    imp.add_argument("--user", help="Offramp username to record as the importer")
    imp.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when the terminal is interactive)",
    )
    imp.set_defaults(handler=run_import)
    exp = what.add_parser("export", help="write the directory as HSDS 3.0 JSON")
    exp.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="fmt")
    exp.add_argument("--out", required=True, type=Path, metavar="DIR")
    exp.add_argument("--user", help="Offramp username to record as the exporter")
    exp.set_defaults(handler=run_export)


def _actor(username: str | None) -> tuple[Any, str, str]:
    """(user or None, name for the audit trail, refusal message or "")."""
    import getpass

    if not username:
        return None, f"os:{getpass.getuser()}", ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return None, username, f"offramp programs: no active user {username!r}"
    return user, username, ""


def run_import(ns: argparse.Namespace) -> int:
    from tqdm import tqdm

    from offramp.core.intake.errors import IntakeError

    setup_django()
    from django.db import transaction

    from offramp.web.audit.models import Action, Outcome
    from offramp.web.audit.record import record
    from offramp.web.programs.store import import_batch

    user, actor_name, refusal = _actor(ns.user)

    def audit(outcome: str, detail: dict[str, Any]) -> None:
        record(
            Action.IMPORT,
            outcome=outcome,
            actor=user,
            actor_name=actor_name,
            object_type="program_directory",
            object_id=str(ns.path)[:120],
            detail={"format": ns.fmt, **detail},
        )

    if refusal:
        print(refusal, file=sys.stderr)
        audit(Outcome.DENIED, {"reason": refusal})
        return 2
    show = sys.stderr.isatty() if ns.progress is None else ns.progress
    started = time.perf_counter()
    try:
        from offramp.core.directory.read import read_directory

        with tqdm(desc="reading", unit=" rows", disable=not show, file=sys.stderr) as bar:
            batch = read_directory(ns.path, ns.fmt, bar.update)
    except IntakeError as exc:
        print(exc.render(), file=sys.stderr)
        print(
            f"offramp programs import: {exc.total} error(s) in {ns.path}; nothing was imported.",
            file=sys.stderr,
        )
        audit(Outcome.FAILURE, {"errors": exc.total, "first": [str(e) for e in exc.errors[:20]]})
        return 1
    try:
        # the directory and the success event in one transaction: both stored, or neither
        with transaction.atomic():
            with tqdm(desc="storing", unit=" records", disable=not show, file=sys.stderr) as bar:
                counts = import_batch(
                    batch, str(ns.path), fmt=ns.fmt, user=user, actor_name=actor_name, progress=bar.update
                )
            seconds = time.perf_counter() - started
            audit(
                Outcome.SUCCESS,
                {**counts.as_dict(), "warnings": len(batch.warnings), "seconds": round(seconds, 3)},
            )
    except Exception as exc:  # the store's transaction has rolled back: say so, without a traceback
        print(f"offramp programs import: failed while storing: {exc}; nothing was imported.", file=sys.stderr)
        audit(Outcome.FAILURE, {"stage": "store", "error": f"{type(exc).__name__}: {exc}"[:300]})
        return 1
    tables = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in batch.counts.items())
    print(
        f"{ns.path} ({ns.fmt}): {counts.summary()} ({tables}); "
        f"{len(batch.warnings):,} data-quality warnings. Done in {seconds:.1f} s."
    )
    for file, row, message in batch.warnings[:SHOWN_WARNINGS]:
        print(f"warning: {file}:{row}: {message}", file=sys.stderr)
    if len(batch.warnings) > SHOWN_WARNINGS:
        print(f"warning: ... and {len(batch.warnings) - SHOWN_WARNINGS:,} more", file=sys.stderr)
    return 0


def run_export(ns: argparse.Namespace) -> int:
    setup_django()
    from offramp.core.directory.export import export_hsds
    from offramp.core.directory.validate import HsdsValidationError
    from offramp.web.audit.models import Action, Outcome
    from offramp.web.audit.record import record
    from offramp.web.programs.store import stored_batch

    user, actor_name, refusal = _actor(ns.user)

    def audit(outcome: str, detail: dict[str, Any]) -> None:
        record(
            Action.EXPORT,
            outcome=outcome,
            actor=user,
            actor_name=actor_name,
            object_type="program_directory",
            object_id=str(ns.out)[:120],
            detail={"format": ns.fmt, **detail},
        )

    if refusal:
        print(refusal, file=sys.stderr)
        audit(Outcome.DENIED, {"reason": refusal})
        return 2
    try:
        summary = export_hsds(stored_batch(), ns.out)
    except (HsdsValidationError, FileExistsError) as exc:
        print(f"offramp programs export: {exc}\nnothing was written.", file=sys.stderr)
        audit(Outcome.FAILURE, {"error": str(exc)[:500]})
        return 1
    detail = {
        "organizations": summary.organizations,
        "services": summary.services,
        "locations": summary.locations,
        "service_at_locations": summary.service_at_locations,
        "files": summary.files,
    }
    audit(Outcome.SUCCESS, detail)
    print(
        f"{summary.out_dir}: HSDS 3.0 — {summary.organizations:,} organizations, {summary.services:,} services, "
        f"{summary.locations:,} locations, {summary.taxonomy_terms:,} taxonomy terms in {summary.files:,} files"
    )
    return 0
