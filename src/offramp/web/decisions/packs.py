"""The policy page's reading of policies/: each pack file's header, and what changed between two files.

This reads the YAML text itself rather than the engine's PolicyPack: a reviewer must be able to see and
compare a version even when the engine refuses it (that is what the diff is for), and the diff is of the
text people review, not of a parsed form.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class PackFile:
    name: str
    path: Path
    text: str
    id: str
    version: str
    office: str
    effective_from: str
    effective_to: str
    rules: dict[str, Any]
    error: str = ""

    @property
    def rule_count(self) -> int:
        return len(self.rules)

    @property
    def label(self) -> str:
        return f"{self.id} {self.version} ({self.name})"


@dataclass(frozen=True)
class PackDiff:
    old: PackFile
    new: PackFile
    unified: list[str]
    added: list[str]
    removed: list[str]
    changed: list[str]


def _effective(data: dict[str, Any], end: str) -> str:
    nested = data.get("effective")
    value = data.get(f"effective_{end}")
    if value is None and isinstance(nested, dict):
        value = nested.get(end)
    return "" if value is None else str(value)


def read_pack_file(path: Path) -> PackFile:
    """A pack file's header and rules by id; a file that is not a YAML mapping is listed with its error."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return PackFile(path.name, path, text, "", "", "", "", "", {}, error=f"not valid YAML: {exc}")
    if not isinstance(data, dict):
        return PackFile(path.name, path, text, "", "", "", "", "", {}, error="not a YAML mapping")
    rules = data.get("rules") or []
    by_id = {
        str(rule.get("id", f"#{index}")): rule
        for index, rule in enumerate(rules if isinstance(rules, list) else [])
        if isinstance(rule, dict)
    }
    return PackFile(
        name=path.name,
        path=path,
        text=text,
        id=str(data.get("id", "")),
        version=str(data.get("version", "")),
        office=str(data.get("office", "")),
        effective_from=_effective(data, "from"),
        effective_to=_effective(data, "to"),
        rules=by_id,
    )


def list_pack_files(folder: Path) -> list[PackFile]:
    """Every pack file in the folder, grouped by id, oldest version first."""
    if not folder.is_dir():
        return []
    files = [read_pack_file(p) for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml")]
    return sorted(files, key=lambda f: (f.id, f.effective_from, f.version, f.name))


def find_pack_file(files: list[PackFile], name: str) -> PackFile | None:
    # only names from the listing: a request can never make the page read another file
    return next((f for f in files if f.name == name), None)


def default_pair(files: list[PackFile]) -> tuple[PackFile, PackFile] | None:
    """The two newest versions of the first pack id that has more than one file."""
    by_id: dict[str, list[PackFile]] = {}
    for pack in files:
        by_id.setdefault(pack.id, []).append(pack)
    for versions in by_id.values():
        if len(versions) > 1:
            return versions[-2], versions[-1]
    return None


def _canonical(rule: Any) -> str:
    return json.dumps(rule, sort_keys=True, default=str)


def diff_packs(old: PackFile, new: PackFile) -> PackDiff:
    unified = list(
        difflib.unified_diff(
            old.text.splitlines(),
            new.text.splitlines(),
            fromfile=f"{old.name} ({old.id} {old.version})",
            tofile=f"{new.name} ({new.id} {new.version})",
            lineterm="",
        )
    )
    added = [rule_id for rule_id in new.rules if rule_id not in old.rules]
    removed = [rule_id for rule_id in old.rules if rule_id not in new.rules]
    changed = [
        rule_id
        for rule_id in new.rules
        if rule_id in old.rules and _canonical(old.rules[rule_id]) != _canonical(new.rules[rule_id])
    ]
    return PackDiff(old, new, unified, added, removed, changed)
