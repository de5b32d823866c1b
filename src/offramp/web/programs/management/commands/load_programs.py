"""`offramp load_programs [FOLDER]`: load the four SAMHSA listing files into the program directory.

Without FOLDER, the Georgia listings shipped with Offramp (src/offramp/data/samhsa_georgia) are loaded.
The same path as `offramp programs import` (core importers, merge, `store_directory`): idempotent, one
transaction, and one audit event whether it succeeded or the files were refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from offramp.core.directory.samhsa_locator import GEORGIA_FOLDER
from offramp.core.intake.errors import IntakeError
from offramp.web.audit.models import Action, Outcome
from offramp.web.audit.record import record
from offramp.web.programs.loader import load_georgia


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
        try:
            # the directory and its audit event in one transaction: both stored, or neither
            with transaction.atomic():
                warnings, counts = load_georgia(folder, actor_name="load_programs")
                record(
                    Action.IMPORT,
                    object_type="program_directory",
                    object_id=folder.name[:120],
                    detail={"folder": str(folder), "format": "samhsa (four files)", **counts.as_dict()},
                )
        except IntakeError as exc:
            record(
                Action.IMPORT,
                object_type="program_directory",
                object_id=folder.name[:120],
                outcome=Outcome.FAILURE,
                detail={
                    "folder": str(folder),
                    "errors": [str(e) for e in exc.errors[:20]],
                    "total": exc.total,
                },
            )
            raise CommandError(f"nothing loaded: {folder} cannot be imported\n{exc.render()}") from exc
        self.stdout.write(
            f"Program directory from {folder}: {counts.summary()}; {warnings} data-quality warnings"
        )
