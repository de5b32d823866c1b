"""Intake: parse a source file into a validated, normalised `CaseBatch` (see `core.intake.batch`).

Each format lives in its own module and registers itself in `FORMATS`; the CLI and the web layer only
call `parse_file`. Parsing is all-or-nothing: any invalid value raises `IntakeError` listing every problem
as `file:row:field: value — expected ...`, and nothing is returned to store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from offramp.core.intake.batch import CaseBatch
from offramp.core.intake.errors import FieldError, IntakeError

Parser = Callable[[Path], CaseBatch]


#: format name -> (module, function); imported only when used
FORMATS: dict[str, tuple[str, str]] = {
    "offramp-csv": ("offramp.core.intake.offramp_csv", "parse"),
    "offramp-jsonl": ("offramp.core.intake.offramp_jsonl", "parse"),
    "ccsao-diversion": ("offramp.core.intake.ccsao", "parse_diversion"),
}


def format_names() -> list[str]:
    return list(FORMATS)


def parser_for(fmt: str) -> Parser:
    module_name, function = FORMATS[fmt]
    parser: Parser = getattr(importlib.import_module(module_name), function)
    return parser


def parse_file(path: Path, fmt: str) -> CaseBatch:
    """Parse `path` as format `fmt`; raises IntakeError on any invalid value or an unknown format."""
    if fmt not in FORMATS:
        raise IntakeError([FieldError(str(path), 0, "--format", fmt, "one of " + ", ".join(FORMATS))])
    if not path.is_file():
        raise IntakeError([FieldError(str(path), 0, "file", str(path), "an existing, readable file")])
    return parser_for(fmt)(path).conformed()


__all__ = ["CaseBatch", "FieldError", "IntakeError", "format_names", "parse_file"]
