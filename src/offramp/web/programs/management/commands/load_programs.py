"""`offramp load_programs [FOLDER]`: load the SAMHSA program listings into the program directory.

Without FOLDER, the Georgia listings shipped with Offramp (src/offramp/data/samhsa_georgia) are loaded.
Loading is idempotent (upsert by listing key, in one transaction) and leaves one audit event, whether
it succeeded or the files were refused.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from offramp.core.intake.errors import IntakeError
from offramp.core.programs import GEORGIA_FILES, GEORGIA_FOLDER, ListingKind, listing_warnings
from offramp.core.programs.samhsa import read_georgia_bundle
from offramp.web.audit.models import Action, Outcome
from offramp.web.audit.record import record
from offramp.web.programs.loader import load_listings

#: how many data-quality warnings the summary prints in full (all are stored on the listings)
SHOWN_WARNINGS = 50


def file_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of each listing file, for the audit trail: which bytes were loaded."""
    return {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in GEORGIA_FILES.values()
        if (folder / name).is_file()
    }


class Command(BaseCommand):
    help = (
        "Load SAMHSA program listings (the four OEPS files) into the program directory. "
        "FOLDER defaults to the Georgia listings shipped with Offramp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder", nargs="?", type=Path, default=None, help="folder with the four CSV files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = (options["folder"] or GEORGIA_FOLDER).resolve()
        started = time.perf_counter()
        object_id = folder.name[:120]
        try:
            with tqdm(total=len(GEORGIA_FILES), desc="reading", unit="file", disable=None) as bar:
                frame = read_georgia_bundle(folder, on_file=lambda kind, rows: bar.update(1))
        except IntakeError as exc:
            record(
                Action.IMPORT,
                object_type="program_listings",
                object_id=object_id,
                outcome=Outcome.FAILURE,
                detail={
                    "folder": str(folder),
                    "errors": [str(e) for e in exc.errors[:20]],
                    "total": exc.total,
                },
            )
            raise CommandError(f"nothing loaded: {folder} cannot be imported\n{exc.render()}") from exc
        counts = load_listings(frame)
        warnings = listing_warnings(frame)
        seconds = round(time.perf_counter() - started, 3)
        per_kind = {kind.value: frame.filter(kind=kind.value).height for kind in ListingKind}
        record(
            Action.IMPORT,
            object_type="program_listings",
            object_id=object_id,
            detail={
                "folder": str(folder),
                "files": file_digests(folder),
                "listings": frame.height,
                "per_kind": per_kind,
                **counts._asdict(),
                "warnings": warnings.height,
                "seconds": seconds,
            },
        )
        self.print_summary(folder, per_kind, counts._asdict(), warnings, seconds)

    def print_summary(
        self,
        folder: Path,
        per_kind: dict[str, int],
        counts: dict[str, int],
        warnings: pl.DataFrame,
        seconds: float,
    ) -> None:
        out = self.stdout
        out.write(f"Program listings from {folder}")
        for kind, rows in per_kind.items():
            out.write(f"  {kind:<26} {rows:>6}")
        total = sum(per_kind.values())
        out.write(
            self.style.SUCCESS(
                f"{total} listings: {counts['new']} new, {counts['changed']} changed, "
                f"{counts['unchanged']} unchanged; {warnings.height} data-quality warnings ({seconds:.2f} s)"
            )
        )
        for file, row, _key, message in warnings.head(SHOWN_WARNINGS).iter_rows():
            out.write(self.style.WARNING(f"  {file}:{row}: {message}"))
        if warnings.height > SHOWN_WARNINGS:
            out.write(f"  ... and {warnings.height - SHOWN_WARNINGS} more (stored on each listing)")
