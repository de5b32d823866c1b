"""The pack in force on a date, and where packs are found (core.policy.registry).

Every date is given explicitly: the registry reads no clock, so these tests need none frozen.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.core.policy import PackError, covers, pack_for, registry, resolve_pack, shipped_policy_dir

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "policies" / "public-health.yaml"


def write_version(folder: Path, name: str, version: str, effective: dict[str, Any]) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    path = folder / name
    path.write_text(yaml.safe_dump({**data, "version": version, "effective": effective}), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """2023.1 in force for 2023 (to 2024-01-01, exclusive), 2024.1 from 2024-01-01 on."""
    write_version(tmp_path, "ph-2023.yaml", "2023.1", {"from": "2023-01-01", "to": "2024-01-01"})
    write_version(tmp_path, "ph-2024.yaml", "2024.1", {"from": "2024-01-01"})
    return tmp_path


@pytest.mark.parametrize(
    ("on", "version", "in_force"),
    [
        (dt.date(2023, 6, 1), "2023.1", True),
        (dt.date(2023, 12, 31), "2023.1", True),  # the last day of the old version
        (dt.date(2024, 1, 1), "2024.1", True),  # the day the old one ends, the new one is in force
        (dt.date(2030, 1, 1), "2024.1", True),
        (dt.date(2020, 1, 1), "2024.1", False),  # before any version: the newest, and the page says so
    ],
)
def test_it_picks_the_version_in_force_on_the_date(
    folder: Path, on: dt.date, version: str, in_force: bool
) -> None:
    pack, found = pack_for(on, "public-health", folder)
    assert (pack.version, found) == (version, in_force)


def test_a_version_ending_on_a_day_hands_over_to_the_next_on_that_day(folder: Path) -> None:
    old = resolve_pack(folder / "ph-2023.yaml")
    new = resolve_pack(folder / "ph-2024.yaml")
    day = dt.date(2024, 1, 1)
    assert (covers(old, day - dt.timedelta(days=1)), covers(new, day - dt.timedelta(days=1))) == (True, False)
    assert (covers(old, day), covers(new, day)) == (False, True)


def test_it_uses_the_newest_version_after_the_last_one_ended(tmp_path: Path) -> None:
    write_version(tmp_path, "a.yaml", "2022.1", {"from": "2022-01-01", "to": "2023-01-01"})
    write_version(tmp_path, "b.yaml", "2023.1", {"from": "2023-01-01", "to": "2024-01-01"})
    pack, in_force = pack_for(dt.date(2025, 1, 1), "public-health", tmp_path)
    assert (pack.version, in_force) == ("2023.1", False)


def test_it_takes_a_pack_file_as_it_is_in_force_or_not(folder: Path) -> None:
    pack, in_force = pack_for(dt.date(2024, 6, 1), str(folder / "ph-2023.yaml"))
    assert (pack.version, in_force) == ("2023.1", False)


def test_a_broken_file_in_the_folder_does_not_hide_the_pack(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (folder / "other.yaml").write_text("id: other\n", encoding="utf-8")
    pack, in_force = pack_for(dt.date(2024, 6, 1), "public-health", folder)
    assert (pack.version, in_force) == ("2024.1", True)


def test_it_names_the_file_it_looked_for_when_no_version_exists(folder: Path) -> None:
    with pytest.raises(PackError, match="no policy pack 'traditional'"):
        pack_for(dt.date(2024, 6, 1), "traditional", folder)


def test_it_reloads_a_pack_file_that_changed(folder: Path) -> None:
    assert pack_for(dt.date(2024, 6, 1), "public-health", folder)[0].version == "2024.1"
    path = write_version(folder, "ph-2024.yaml", "2024.2", {"from": "2024-01-01"})
    later = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(later, later))
    assert pack_for(dt.date(2024, 6, 1), "public-health", folder)[0].version == "2024.2"


def test_without_a_folder_it_uses_the_shipped_packs() -> None:
    assert shipped_policy_dir() == REPO / "policies"  # a source checkout: no packaged copy
    assert pack_for(dt.date(2024, 6, 1), "public-health")[0].id == "public-health"


def test_an_installed_package_uses_its_own_copy_of_the_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "offramp"
    (packaged / "policies").mkdir(parents=True)
    monkeypatch.setattr(registry.resources, "files", lambda package: packaged)
    assert shipped_policy_dir() == packaged / "policies"


def test_the_wheel_ships_the_packs_where_the_registry_looks() -> None:
    """pyproject's force-include puts policies/ at offramp/policies (checked by hand with a built wheel:
    `pip wheel --no-deps .`, then `resolve_pack("public-health")` from the installed copy)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["policies"] == f"offramp/{registry.PACKAGED}"
