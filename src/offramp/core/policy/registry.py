"""Where policy packs come from, and which version of a pack is in force on a date.

The one place that finds pack files: the web (its OFFRAMP_POLICY_DIR setting), the CLI (`--policy-dir`)
and the tests all pass the folder in; core never reads the environment. With no folder, the packs that
ship with Offramp are used: inside an installed wheel they are package data (`offramp/policies`, put there
by hatch's force-include), in a source checkout they are the repository's `policies/` folder.

A case is judged by the rules of its day: `pack_for` picks, among the folder's files of one pack id, the
version whose effective dates cover the date. `to` is exclusive, as for parameter periods, so a version
ending on day X hands over to the next one on X.

This module also holds `load_pack` (read, validate, check): loading needs the checker and the checker
needs the pack model, so neither `pack` nor `check` can hold it without an import circle.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path

from offramp.core.policy.check import check_source
from offramp.core.policy.pack import Pack, PackError, Problem, parse_pack, read_source

log = logging.getLogger(__name__)

#: the folder of the shipped packs inside the installed package (pyproject: force-include)
PACKAGED = "policies"
#: the source checkout's folder (src/offramp/core/policy/registry.py -> the repository root)
CHECKOUT = Path(__file__).resolve().parents[4] / "policies"


def shipped_policy_dir() -> Path:
    """The folder of the packs that ship with Offramp: the package's own copy when installed from a
    wheel, else the source checkout's `policies/`."""
    packaged = resources.files("offramp").joinpath(PACKAGED)
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return CHECKOUT


def policy_dir(folder: str | Path | None = None) -> Path:
    """`folder` when the caller configured one, else the shipped packs' folder."""
    return Path(folder) if folder is not None else shipped_policy_dir()


def load_pack(path: str | Path) -> Pack:
    """Load and validate the pack at `path`: its shape and its `check_pack` problems (PackError if any)."""
    file = Path(path)
    source = read_source(file)
    pack = parse_pack(source, file)
    problems = check_source(pack, source)
    if problems:
        raise PackError(file, problems)
    return pack


def resolve_pack_path(ref: str | Path, folder: str | Path | None = None) -> Path:
    """A pack file path from a path or a pack id (`public-health` -> <folder>/public-health.yaml)."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        return path
    return policy_dir(folder) / f"{ref}.yaml"


def resolve_pack(ref: str | Path, folder: str | Path | None = None) -> Pack:
    """Load a pack by file path or by id; PackError if it is missing or has problems."""
    path = resolve_pack_path(ref, folder)
    if not path.is_file():
        raise PackError(path, [Problem(0, f"no policy pack '{ref}' (looked for {path})")])
    return load_pack(path)


def effective(pack: Pack) -> tuple[dt.date, dt.date | None]:
    """A pack's first day in force and the day it stops (exclusive; None: open)."""
    return pack.effective.start, pack.effective.end


def covers(pack: Pack, on: dt.date) -> bool:
    """Whether `pack` is in force on `on` (from inclusive, to exclusive)."""
    start, end = effective(pack)
    return start <= on and (end is None or on < end)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int, size: int) -> Pack:
    """A pack file, parsed and checked once per change (the case page picks a version on every view); the
    size is in the key too, since two writes within one tick of the file system's clock share an mtime."""
    return load_pack(path)


def pack_versions(pack_id: str, folder: str | Path | None = None) -> list[Pack]:
    """Every version of pack `pack_id` among the folder's files, in file-name order. A file that does not
    load is logged and skipped: a broken file elsewhere in the folder must not hide the pack wanted."""
    versions = []
    for path in sorted(policy_dir(folder).glob("*.y*ml")):
        try:
            stat = path.stat()
            pack = _load(str(path), stat.st_mtime_ns, stat.st_size)
        except Exception:  # any failure of one file is that file's, never the folder's
            log.warning("policy file %s does not load", path, exc_info=True)
            continue
        if pack.id == pack_id:
            versions.append(pack)
    return versions


def pack_for(on: dt.date, policy: str, folder: str | Path | None = None) -> tuple[Pack, bool]:
    """The version of `policy` in force on `on`, and whether one was.

    `policy` is a pack file (a path: that file, in force or not) or a pack id: among the folder's versions
    of that id, the one whose dates cover `on` (the latest-starting one if several do); when none does,
    the latest-starting version, with False, so the page can say the newest was applied instead."""
    if policy.endswith((".yaml", ".yml")) or "/" in policy:
        pack = resolve_pack(policy, folder)
        return pack, covers(pack, on)
    versions = pack_versions(policy, folder)
    in_force = [p for p in versions if covers(p, on)]
    if in_force:
        return max(in_force, key=lambda p: p.effective.start), True
    if versions:
        return max(versions, key=lambda p: p.effective.start), False
    pack = resolve_pack(policy, folder)
    return pack, covers(pack, on)
