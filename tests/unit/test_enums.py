"""Every domain enumeration value carries a description a prosecutor can read, and values are unambiguous.

One parametrised check over every DescribedEnum in offramp.core (found by walking the package), instead of
a copy of it beside each enum's own tests."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import offramp.core
from offramp.core import enums as core_enums_module
from offramp.core.enums import ALL_ENUMS, DescribedEnum

MIN_DESCRIPTION = 10


def core_enums() -> tuple[type[DescribedEnum], ...]:
    """Every DescribedEnum defined anywhere in offramp.core, found by importing each module of the package:
    an enum added in a new module is checked without being listed anywhere."""
    found: dict[str, type[DescribedEnum]] = {}
    for info in pkgutil.walk_packages(offramp.core.__path__, "offramp.core."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, DescribedEnum)
                and obj is not DescribedEnum
                and obj.__module__ == module.__name__
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return tuple(found[name] for name in sorted(found))


ENUMS = core_enums()


def ids(enum: type[DescribedEnum]) -> str:
    return f"{enum.__module__.removeprefix('offramp.core.')}.{enum.__name__}"


def test_it_finds_the_enums_of_every_part_of_the_core() -> None:
    assert set(ALL_ENUMS) <= set(ENUMS)
    parts = {enum.__module__.split(".")[2] for enum in ENUMS}
    assert {
        "enums",
        "diversion",
        "screening",
        "evaluation",
        "directory",
        "outcomes",
        "victims",
        "policy",
    } <= parts


def test_it_covers_every_described_enum_of_the_core() -> None:
    """A new enum in offramp.core.enums must be added to ALL_ENUMS, or it escapes these checks."""
    declared = {
        obj
        for obj in vars(core_enums_module).values()
        if isinstance(obj, type) and issubclass(obj, DescribedEnum) and obj is not DescribedEnum
    }
    assert declared == set(ALL_ENUMS)
    assert len(ALL_ENUMS) == len(set(ALL_ENUMS))


@pytest.mark.parametrize("enum", ENUMS, ids=ids)
def test_it_describes_every_member(enum: type[DescribedEnum]) -> None:
    members = list(enum)
    assert members, f"{enum.__name__} has no members"
    for member in members:
        description = getattr(member, "description", None)
        assert isinstance(description, str), f"{enum.__name__}.{member.name} has no description"
        assert len(description.strip()) >= MIN_DESCRIPTION, (
            f"{enum.__name__}.{member.name}: {description!r} is under {MIN_DESCRIPTION} characters"
        )
        assert description == description.strip()
        assert description != member.value, (
            f"{enum.__name__}.{member.name}: the description only repeats the value"
        )


@pytest.mark.parametrize("enum", ENUMS, ids=ids)
def test_it_has_unique_values(enum: type[DescribedEnum]) -> None:
    values = [member.value for member in enum]
    # a repeated value would make the second name an alias of the first: it would vanish from iteration
    assert len(enum.__members__) == len(values), f"{enum.__name__} has aliases: {list(enum.__members__)}"
    assert len(set(values)) == len(values)
    lowered = [v.lower() for v in values]
    assert len(set(lowered)) == len(lowered), f"{enum.__name__}: values differ only in case"
    assert all(v and v == v.strip() for v in values)
    assert enum.values() == values
    assert [value for value, _ in enum.choices()] == values


@pytest.mark.parametrize("enum", ENUMS, ids=ids)
def test_it_parses_every_value_whatever_its_case(enum: type[DescribedEnum]) -> None:
    for member in enum:
        assert enum.parse(member.value) is member
        assert enum.parse(f"  {member.value.upper()} ") is member
        assert enum.parse(member.value.lower()) is member
    assert enum.parse("no such value anywhere") is None
