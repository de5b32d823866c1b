"""Loading the SAMHSA Georgia listings shipped with Offramp (`offramp demo load`, `offramp load_programs`):
the four files imported one after the other exactly as `offramp programs import` imports each (so a later
import of any one of them finds its records already there), all four in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from offramp.core.directory.read import read_directory
from offramp.core.directory.samhsa import FORMAT_KINDS
from offramp.core.directory.samhsa_locator import GEORGIA_FILES, GEORGIA_FOLDER
from offramp.web.programs.store import StoreCounts, import_batch

#: the packaged Georgia files, by `offramp programs import --format` name
GEORGIA_FORMATS: dict[str, str] = {fmt: GEORGIA_FILES[kind] for fmt, kind in FORMAT_KINDS.items()}


def read_georgia(folder: Path = GEORGIA_FOLDER) -> dict[str, Any]:
    """format -> the file's DirectoryBatch; every file is read (and checked) before anything is stored.
    Raises IntakeError naming file, row and field."""
    return {fmt: read_directory(folder / name, fmt) for fmt, name in GEORGIA_FORMATS.items()}


def load_georgia(
    folder: Path = GEORGIA_FOLDER, *, actor_name: str = "", user: Any = None
) -> tuple[int, StoreCounts]:
    """Read and store the four Georgia files; (warnings, counts over the four). Idempotent."""
    batches = read_georgia(folder)
    total = StoreCounts()
    with transaction.atomic():
        for fmt, batch in batches.items():
            counts = import_batch(
                batch, str(folder / GEORGIA_FORMATS[fmt]), fmt=fmt, actor_name=actor_name, user=user
            )
            total.created += counts.created
            total.updated += counts.updated
            total.unchanged += counts.unchanged
            total.tables[fmt] = {
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
    return sum(len(b.warnings) for b in batches.values()), total
