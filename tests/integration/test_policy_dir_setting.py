"""The policy folder setting's default: <OFFRAMP_HOME>/policies when the office has one, else the packs
shipped inside the package, so an installed wheel finds its packs (before issue 11 the default was a
folder an installed wheel does not have, and the packs were not in the wheel).

Like tests/integration/test_settings.py, each case imports the settings in a fresh interpreter with a
controlled environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from offramp.core.policy import shipped_policy_dir

PRINT = "import offramp.web.settings as s; print(s.OFFRAMP_POLICY_DIR)"


def policy_dir_setting(tmp_path: Path, **env: str) -> str:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "OFFRAMP_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "DEBUG": "true",
        "OFFRAMP_HOME": str(tmp_path),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PRINT], env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_without_a_policies_folder_at_home_it_uses_the_shipped_packs(tmp_path: Path) -> None:
    assert policy_dir_setting(tmp_path) == str(shipped_policy_dir())


def test_the_office_s_own_policies_folder_comes_first(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    assert policy_dir_setting(tmp_path) == str(tmp_path / "policies")
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert policy_dir_setting(tmp_path, OFFRAMP_POLICY_DIR=str(other)) == str(other)
