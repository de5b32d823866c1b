"""Reading settings from the environment, failing loudly on a value that cannot be right.

Modelled on healthchecks' settings: every variable has a safe development default, a bad value stops
start-up with a message naming the variable, and secrets may come from `<NAME>_FILE`.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    """`name` from the environment, or the contents of the file named by `<name>_FILE`, or `default`."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of true/false, 1/0, yes/no, on/off")


def envint(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected at most {maximum}")
    return value


def envtext(name: str, default: str) -> str:
    """A value that may not be blank when it is set (a name, a password): surrounding spaces removed."""
    raw = envstr(name, default)
    if os.environ.get(name) is not None and not raw.strip():
        raise ImproperlyConfigured(f"{name}={raw!r}: expected some text (unset it for the default)")
    return raw.strip()


def envdir(name: str, default: Path) -> Path:
    """A folder that must exist when it is set (the default may be made later, or not be needed)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an existing folder")
    return path


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """`name` from the environment, one of `choices` (case and surrounding spaces ignored), or `default`."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return word
