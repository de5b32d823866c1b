"""Intake: parse a source file into a validated, normalised `CaseBatch` (see `core.records`).

Each format lives in its own module and registers itself in `FORMATS`; the CLI and the web layer only
call `parse_file`. Parsing is all-or-nothing: any invalid value raises `IntakeError` listing every problem
as `file:row:field: value — expected ...`, and nothing is returned to store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from offramp.core.intake.errors import FieldError, IntakeError
from offramp.core.records import CaseBatch

Parser = Callable[[Path], CaseBatch]


def _formats() -> dict[str, Parser]:
    from offramp.core.intake import ccsao, offramp_csv, offramp_jsonl

    return {
        "offramp-csv": offramp_csv.parse,
        "offramp-jsonl": offramp_jsonl.parse,
        "ccsao-diversion": ccsao.parse_diversion,
    }


def format_names() -> list[str]:
    return list(_formats())


def parse_file(path: Path, fmt: str) -> CaseBatch:
    """Parse `path` as format `fmt`; raises IntakeError on any invalid value or an unknown format."""
    formats = _formats()
    if fmt not in formats:
        raise IntakeError(
            [FieldError(str(path), 0, "--format", fmt, "one of " + ", ".join(formats))]
        )
    if not path.is_file():
        raise IntakeError([FieldError(str(path), 0, "file", str(path), "an existing, readable file")])
    return formats[fmt](path).conformed()


__all__ = ["CaseBatch", "FieldError", "IntakeError", "format_names", "parse_file"]
