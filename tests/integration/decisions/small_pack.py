"""A small real policy pack for the decision pages' tests (small-pack.yaml), evaluated by the real engine:
the pages show words the test chose, and what they show is what the engine gives, never a hand-made trace.

`use_small_pack` writes a variant (the outcome, program types and flags of `treat-sud`) into its own folder and makes
it the office's policy (settings OFFRAMP_POLICY_DIR and OFFRAMP_POLICY), as an office configures one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from offramp.core.policy import Pack, load_pack

SMALL_PACK = Path(__file__).with_name("small-pack.yaml")
PACK_ID = "small-office"
VERSION = "2024.1"


def use_small_pack(
    settings: Any,
    folder: Path,
    *,
    outcome: str = "pre_charge_diversion",
    supervisor_approval: bool = False,
    victim_consultation: bool = False,
    program_types: tuple[str, ...] = ("treatment",),
) -> Pack:
    """Make a variant of the small pack the office's policy; each variant gets its own folder, so the
    registry's per-file cache never serves an earlier one."""
    data = yaml.safe_load(SMALL_PACK.read_text(encoding="utf-8"))
    treat = next(rule for rule in data["rules"] if rule["id"] == "treat-sud")
    treat["then"]["outcome"] = outcome
    treat["then"]["program_types"] = list(program_types)
    treat["flags"] = [
        name
        for name, on in (
            ("supervisor_approval", supervisor_approval),
            ("victim_consultation", victim_consultation),
        )
        if on
    ]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    variant = folder / f"policy-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    variant.mkdir(parents=True, exist_ok=True)
    path = variant / f"{PACK_ID}.yaml"
    path.write_text(text, encoding="utf-8")
    settings.OFFRAMP_POLICY_DIR = variant
    settings.OFFRAMP_POLICY = PACK_ID
    return load_pack(path)  # checked like any pack: a broken variant fails here, not on a page
