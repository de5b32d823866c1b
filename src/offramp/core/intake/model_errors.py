"""Pydantic validation errors of a `core.intake.document.Case`, in the words of a `FieldError`.

Pydantic says "Input should be a valid boolean" at ('charges', 0, 'primary'); a user needs
`file:3:charges.1.primary: 'yes' — expected true or false`. The path is dotted with 1-based list
positions (the first charge is charges.1, as its seq is 1), the value is the one the line wrote, and the
expectation is read from the model field itself, so it names the allowed values and bounds.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from collections.abc import Mapping, Sequence, Sized
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from offramp.core.intake.document import Case
from offramp.core.intake.errors import FieldError
from offramp.core.intake.offramp_csv import COLUMNS

#: longest value text shown in an error; a whole line of JSON is clipped
MAX_VALUE_CHARS = 80

#: plain words for the patterns the model uses, taken from the offramp-csv columns that share them
PATTERN_WORDS: dict[str, str] = {c.pattern: c.pattern_expected for c in COLUMNS if c.pattern is not None}

_MISSING = object()


def field_errors(exc: ValidationError, source: Mapping[str, Any], file: str, row: int) -> list[FieldError]:
    """One FieldError per problem pydantic found in the case `source` (the object as the line wrote it)."""
    found: list[FieldError] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        ctx = error.get("ctx") or {}
        given = error["input"]
        if kind == "too_short" and isinstance(given, Sized) and len(given) >= ctx.get("min_length", 0):
            continue  # reported because an item failed; that item's own error says why
        path = dotted(loc)
        if kind == "inconsistent":
            path = f"{path}.{ctx['at']}" if path else str(ctx["at"])
            value: object = ctx["value"]
            expected = str(ctx["expected"])
        else:
            value = _lookup(source, loc)
            expected = _expected(kind, loc, ctx)
        shown = "" if value is _MISSING else value_text(value)
        found.append(FieldError(file, row, path, shown, expected))
    return found


def dotted(loc: Sequence[int | str]) -> str:
    """('charges', 0, 'quantity') -> 'charges.1.quantity' (list positions counted from 1)."""
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in loc)


def value_text(value: object) -> str:
    """A value as the user wrote it: text as is, anything else as JSON; clipped to MAX_VALUE_CHARS."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _lookup(source: object, loc: Sequence[int | str]) -> object:
    node = source
    for part in loc:
        present = (
            part in node
            if isinstance(part, str) and isinstance(node, Mapping)
            else isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node)
        )
        if not present:
            return _MISSING
        node = node[part]  # type: ignore[index]
    return node


def _expected(kind: str, loc: Sequence[int | str], ctx: Mapping[str, Any]) -> str:
    if kind == "invalid":
        return str(ctx["expected"])
    if kind == "extra_forbidden":
        parent = _resolve(loc[:-1])
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            return "one of the fields " + ", ".join(parent.model_fields)
        return "no such field"
    target = _field(loc)
    if target is None:
        return "a value matching docs/schemas/offramp-jsonl.schema.json"
    info, annotation, optional = target
    what = _describe(annotation, info)
    if kind == "missing":
        return what + " (required)"
    return what + (" (or null if unknown)" if optional else "")


def _field(loc: Sequence[int | str]) -> tuple[FieldInfo, object, bool] | None:
    """The model field at `loc`, its type without None, and whether it may be null."""
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _resolve(loc[:-1])
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return None
    info = parent.model_fields.get(loc[-1])
    if info is None:
        return None
    annotation, optional = _without_none(info.annotation)
    return info, annotation, optional


def _resolve(loc: Sequence[int | str]) -> object:
    """The type at `loc` inside a Case (a model class, or an item type for a list position)."""
    current: object = Case
    for part in loc:
        if isinstance(part, int):
            args = [a for a in get_args(current) if a is not Ellipsis]
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = _without_none(current.model_fields[part].annotation)[0]
        else:
            return None
    return current


def _without_none(annotation: object) -> tuple[object, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(get_args(annotation))
    return annotation, False


def _describe(annotation: object, info: FieldInfo) -> str:
    """What a value of this field must be, in plain words (the model's constraints included)."""
    meta = {
        name: getattr(m, name)
        for m in info.metadata
        for name in ("ge", "pattern", "min_length")
        if getattr(m, name, None) is not None
    }
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + " | ".join(str(m.value) for m in annotation)
    if annotation is bool:
        return "true or false"
    if annotation in (int, float):
        what = "a whole number" if annotation is int else "a number"
        return what + (f" of at least {meta['ge']:g}" if "ge" in meta else "")
    if annotation is dt.date:
        return "a date as YYYY-MM-DD"
    if annotation is str:
        if "pattern" in meta:
            return PATTERN_WORDS.get(meta["pattern"], f"text matching {meta['pattern']}")
        return "non-empty text" if "min_length" in meta else "text"
    if get_origin(annotation) is tuple:
        item = get_args(annotation)[0]
        least = f", at least {meta['min_length']}" if "min_length" in meta else ""
        return f"a list of {getattr(item, '__name__', 'item').lower()} objects{least}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "an object with the fields " + ", ".join(annotation.model_fields)
    return "a value matching docs/schemas/offramp-jsonl.schema.json"
