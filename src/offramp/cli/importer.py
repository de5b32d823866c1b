"""`offramp import cases FILE --format F [--dry-run]`: all-or-nothing, idempotent case import."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

from offramp.cli.django_setup import setup_django


def add_parser(sub: Any) -> None:
    from offramp.core.intake import format_names

    parser = sub.add_parser("import", help="import data files")
    what = parser.add_subparsers(dest="what", required=True)
    cases = what.add_parser("cases", help="import a case file (one transaction: all rows or none)")
    cases.add_argument("file", type=Path)
    cases.add_argument("--format", required=True, choices=format_names(), dest="fmt")
    cases.add_argument("--dry-run", action="store_true", help="validate and count, then roll back")
    cases.add_argument("--user", help="Offramp username to record as the importer (needs import permission)")
    cases.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when the terminal is interactive)",
    )
    cases.set_defaults(handler=run)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(ns: argparse.Namespace) -> int:
    from offramp.core.intake import IntakeError, parse_file

    setup_django()
    from offramp.web.audit.models import Action, Outcome
    from offramp.web.audit.record import record
    from offramp.web.cases.store import store_batch

    actor, actor_name, refusal = _resolve_actor(ns.user)

    def audit(outcome: str, detail: dict[str, Any]) -> None:
        """One audit event per attempt, whatever its outcome."""
        record(
            Action.IMPORT,
            outcome=outcome,
            actor=actor,
            actor_name=actor_name or ns.user or "",
            object_type="file",
            object_id=str(ns.file)[:120],
            detail={"format": ns.fmt, **detail},
        )

    if refusal:
        print(refusal, file=sys.stderr)
        audit(Outcome.DENIED, {"reason": refusal})
        return 2
    started = time.perf_counter()
    try:
        batch = parse_file(ns.file, ns.fmt)
    except IntakeError as exc:
        print(exc.render(), file=sys.stderr)
        print(f"offramp import: {exc.total} error(s) in {ns.file}; nothing was imported.", file=sys.stderr)
        audit(Outcome.FAILURE, {"errors": exc.total})
        return 1
    parsed = time.perf_counter()
    show = sys.stderr.isatty() if ns.progress is None else ns.progress
    try:
        # the success event is written in the import's transaction (store_batch's `audit`)
        summary = _store_with_progress(
            store_batch, batch, ns, actor_name, show, lambda done: audit(Outcome.SUCCESS, done.as_dict())
        )
    except Exception as exc:  # the store's transaction has rolled back: report it, don't show a traceback
        print(f"offramp import: failed while storing: {exc}; nothing was imported.", file=sys.stderr)
        audit(Outcome.FAILURE, {"stage": "store", "error": f"{type(exc).__name__}: {exc}"[:300]})
        return 1
    elapsed = time.perf_counter() - started
    _print_summary(ns, summary, parsed - started, elapsed, batch.warnings)
    return 0


def _resolve_actor(username: str | None) -> tuple[Any, str, str]:
    import getpass

    if not username:
        return None, f"os:{getpass.getuser()}", ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return None, username, f"offramp import: no active user {username!r}"
    if not user.has_perm("cases.import_cases"):
        return user, username, f"offramp import: user {username!r} may not import cases"
    return user, username, ""


def _store_with_progress(
    store_batch: Any, batch: Any, ns: argparse.Namespace, actor_name: str, show: bool, audit: Any
) -> Any:
    from tqdm import tqdm

    with tqdm(
        total=batch.cases.height, unit=" cases", disable=not show, file=sys.stderr, desc="storing"
    ) as bar:
        return store_batch(
            batch,
            file_name=str(ns.file),
            file_sha256=file_sha256(ns.file),
            actor_name=actor_name,
            dry_run=ns.dry_run,
            progress=bar.update,
            audit=audit,
        )


def _print_summary(
    ns: argparse.Namespace, summary: Any, parse_s: float, total_s: float, warnings: Any
) -> None:
    verb = "would import" if ns.dry_run else "imported"
    print(
        f"{ns.file}: {summary.rows:,} rows ({ns.fmt}) — {verb} {summary.cases_new:,} new cases, "
        f"{summary.cases_changed:,} changed, {summary.cases_unchanged:,} unchanged; "
        f"{summary.persons_new:,} new people, {summary.persons_changed:,} changed; "
        f"{summary.warnings:,} data-quality warnings. Parsed in {parse_s:.1f} s, done in {total_s:.1f} s."
    )
    if ns.dry_run:
        print("dry run: nothing was written.")
    for row, field, value, message in (
        warnings.select("row", "field", "value", "message").head(20).iter_rows()
    ):
        print(f"warning: {ns.file}:{row}:{field}: {value!r} — {message}", file=sys.stderr)
    if warnings.height > 20:
        print(
            f"warning: ... and {warnings.height - 20:,} more (see the import batch in the admin)",
            file=sys.stderr,
        )
