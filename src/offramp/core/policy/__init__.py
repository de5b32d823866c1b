"""Office policy packs: load, check and find them (`resolve_pack("public-health")`).

Shipped packs live in the repository's `policies/` folder; set OFFRAMP_POLICY_DIR to use another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from offramp.core.policy.check import check_pack
from offramp.core.policy.pack import Flag, Outcome, Pack, PackError, Problem, Rule, load_pack

ENV_DIR = "OFFRAMP_POLICY_DIR"


def policy_dir() -> Path:
    """The folder of pack files: $OFFRAMP_POLICY_DIR, else the repository's policies/ folder."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4] / "policies"


def resolve_pack_path(ref: str | Path) -> Path:
    """A pack file path from a path or a pack id (`public-health` -> policies/public-health.yaml)."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        return path
    return policy_dir() / f"{ref}.yaml"


def resolve_pack(ref: str | Path) -> Pack:
    """Load a pack by file path or by id; PackError if it is missing or has problems."""
    path = resolve_pack_path(ref)
    if not path.is_file():
        raise PackError(path, [Problem(0, f"no policy pack '{ref}' (looked for {path})")])
    return load_pack(path)


__all__ = [
    "Flag",
    "Outcome",
    "Pack",
    "PackError",
    "Problem",
    "Rule",
    "check_pack",
    "load_pack",
    "policy_dir",
    "resolve_pack",
    "resolve_pack_path",
]
