"""Office policy packs: load, check and find them (`resolve_pack("public-health")`).

Where packs are found is `registry`'s business: the caller passes the folder (the web's
OFFRAMP_POLICY_DIR setting, the CLI's `--policy-dir`); without one, the packs shipped with Offramp.
"""

from __future__ import annotations

from offramp.core.policy.check import check_pack
from offramp.core.policy.pack import Bar, Flag, Outcome, Pack, PackError, Problem, Rule
from offramp.core.policy.registry import (
    covers,
    effective,
    load_pack,
    pack_for,
    policy_dir,
    resolve_pack,
    resolve_pack_path,
    shipped_policy_dir,
)

__all__ = [
    "Bar",
    "Flag",
    "Outcome",
    "Pack",
    "PackError",
    "Problem",
    "Rule",
    "check_pack",
    "covers",
    "effective",
    "load_pack",
    "pack_for",
    "policy_dir",
    "resolve_pack",
    "resolve_pack_path",
    "shipped_policy_dir",
]
