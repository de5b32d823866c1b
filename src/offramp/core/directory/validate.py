"""Validate objects against the HSDS 3.0 specification's own JSON Schemas (shipped in
`offramp/data/hsds_3.0`, see its SOURCE.md).

Why the spec's files and not a hand-written check: an export is only HSDS 3.0 if the standard's own
schemas accept it, and the same check lets tests prove it. The files carry no `$id`; their `$ref`s name
sibling files ("organization.json"), so every file is registered under one base URI and relative
references resolve to siblings. They declare no `$schema`; HSDS 3.0's API is OpenAPI 3.1, whose dialect is
JSON Schema 2020-12, so that draft is used, with `uuid` and `email` formats checked.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

#: the HSDS 3.0 schemas shipped inside the package
SCHEMA_FOLDER = Path(__file__).resolve().parents[2] / "data" / "hsds_3.0"

#: where the spec publishes the files (its openapi.json refers to them there); only a name, never fetched
BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"

#: files in the folder that are not JSON Schemas of an HSDS object
NOT_SCHEMAS = frozenset({"openapi.json"})

#: a message quoting a large instance is cut here so a report stays readable
MAX_MESSAGE = 300


class HsdsValidationError(Exception):
    """Objects the HSDS 3.0 schemas reject; `messages` name each object, the path inside it and the
    problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("not valid HSDS 3.0:\n" + "\n".join(messages))


def schema_names() -> tuple[str, ...]:
    """The HSDS objects a schema exists for ("service", "organization", "location", ...)."""
    return tuple(
        sorted(p.stem for p in SCHEMA_FOLDER.glob("*.json") if p.name not in NOT_SCHEMAS),
    )


@functools.cache
def registry() -> Registry[Any]:
    """Every HSDS schema under `BASE_URI` + its file name, so `"$ref": "organization.json"` resolves."""
    resources: list[tuple[str, Resource[Any]]] = []
    for name in schema_names():
        contents = json.loads((SCHEMA_FOLDER / f"{name}.json").read_text(encoding="utf-8"))
        resources.append((f"{BASE_URI}{name}.json", DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for one HSDS object ("service"), checking formats."""
    if schema_name not in schema_names():
        raise ValueError(f"no HSDS 3.0 schema named {schema_name!r}; known: {', '.join(schema_names())}")
    return Draft202012Validator(
        {"$ref": f"{BASE_URI}{schema_name}.json"},
        registry=registry(),
        format_checker=FormatChecker(),
    )


def validate(obj: object, schema_name: str) -> list[str]:
    """Every reason `obj` is not a valid HSDS 3.0 `schema_name`, as "$.path.inside[0]: message" lines in
    a stable order; empty when it is valid."""
    messages = []
    for error in validator(schema_name).iter_errors(obj):
        message = error.message
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        messages.append(f"{error.json_path}: {message}")
    return sorted(messages)


def validate_service(obj: object) -> list[str]:
    """`validate(obj, "service")`: a service with its nested organization, locations and attributes."""
    return validate(obj, "service")
