"""`offramp programs import FILE_OR_DIR --format F`: one entry point for every directory source.

A format names what the path holds: `hsds` (HSDS 3.0 JSON, a 3.0 or 1.x tabular data package) or one of
the SAMHSA locator lists. A folder given with a SAMHSA format is searched for that list (the Georgia file
name, else every CSV whose header has the list's columns), so the folder of all four files can be given
four times with four formats. The result is merged (`merge.merge`): a MOUD site listed once per
medication becomes one service offering each. All or nothing: every file is read and checked before
anything is returned, and an IntakeError lists the problems of all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from offramp.core.directory.batch import DirectoryBatch
from offramp.core.directory.hsds import read_hsds
from offramp.core.directory.merge import merge
from offramp.core.directory.samhsa import FORMAT_KINDS, read_samhsa
from offramp.core.directory.samhsa_locator import FORMATS as LISTING_FORMATS
from offramp.core.intake.errors import FieldError, IntakeError

FORMATS = ("hsds", "samhsa-sut", "samhsa-moud", "samhsa-otp", "samhsa-mh")


def samhsa_files(folder: Path, fmt: str) -> list[Path]:
    """The files of a folder that hold the SAMHSA list `fmt` (see module docstring)."""
    listing = LISTING_FORMATS[FORMAT_KINDS[fmt]]
    named = folder / listing.georgia_file
    if named.is_file():
        return [named]
    found = []
    for path in sorted(folder.glob("*.csv")):
        try:
            header = pl.read_csv(path, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns
        except pl.exceptions.PolarsError:
            continue
        if all(name in header for name in listing.required):
            found.append(path)
    return found


def read_directory(path: Path, fmt: str, progress: Callable[[int], None] | None = None) -> DirectoryBatch:
    """Read `path` (a file or a folder) in format `fmt` (one of FORMATS) into one merged DirectoryBatch.

    `progress(n)` is called with the number of records just read (an increment: `tqdm.update` fits)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown directory format {fmt!r} for {path}: expected one of {', '.join(FORMATS)}")
    if not path.exists():
        raise IntakeError([FieldError(str(path), 0, "file", path.name, "an existing file or folder")])
    if fmt == "hsds":
        return merge([read_hsds(path, progress)])
    files = samhsa_files(path, fmt) if path.is_dir() else [path]
    if not files:
        expected = (
            f"a {fmt} file ({LISTING_FORMATS[FORMAT_KINDS[fmt]].georgia_file} or a CSV with its columns)"
        )
        raise IntakeError([FieldError(str(path), 0, "file", path.name, expected)])
    batches: list[DirectoryBatch] = []
    errors: list[FieldError] = []
    for file in files:
        try:
            batches.append(read_samhsa(file, fmt, progress))
        except IntakeError as exc:
            errors.extend(exc.errors)
    if errors:
        raise IntakeError(errors)
    return merge(batches)
