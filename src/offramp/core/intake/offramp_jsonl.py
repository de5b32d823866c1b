"""`offramp-jsonl`: one full nested case per line, in the shape of `core.intake.document.Case`.

Documented in docs/formats.md and published as JSON Schema in docs/schemas/offramp-jsonl.schema.json.
Produces the same `CaseBatch` as offramp-csv, with the same normalisation: the same aliases for sex, race
and ethnicity (and case-insensitive enum values), blank text read as unknown, the raw text kept in the
`*_raw` columns, and the same plausibility checks (the bounds are read from `offramp_csv.COLUMNS`, so the
two formats cannot drift apart).

Validation runs per line (a nested object does not fit a vectorised column check); building the tables
and the plausibility checks run on whole Polars frames.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from offramp.core.enums import (
    GRAMS_PER_UNIT,
    CaseStage,
    DescribedEnum,
    DispositionKind,
    Drug,
    Ethnicity,
    Harm,
    NibrsCode,
    OffenseKind,
    QuantityUnit,
    Race,
    SentenceType,
    Severity,
    Sex,
)
from offramp.core.intake import offramp_csv
from offramp.core.intake.batch import (
    CASE_SCHEMA,
    CHARGE_SCHEMA,
    PERSON_SCHEMA,
    VICTIM_SCHEMA,
    WARNING_SCHEMA,
    CaseBatch,
)
from offramp.core.intake.common import (
    DISPOSITION_ALIASES,
    ETHNICITY_ALIASES,
    RACE_ALIASES,
    SENTENCE_ALIASES,
    SEX_ALIASES,
    disposition_order_warnings,
    nibrs_code,
    person_conflict_warnings,
)
from offramp.core.intake.document import Case
from offramp.core.intake.errors import FieldError, IntakeError
from offramp.core.intake.fields import _implausible, _plausible_message
from offramp.core.intake.model_errors import field_errors, value_text

SOURCE_FORMAT = "offramp-jsonl"

#: where each plausibility-checked offramp-csv column lives in a case (quantity_g: every charge's quantity)
PLAUSIBLE_PATHS: dict[str, str] = {
    "received_date": "received_date",
    "birth_year": "person.birth_year",
    "quantity_g": "charges.{seq}.quantity",
    "cash_usd": "evidence.cash_usd",
    "prior_felonies": "history.prior_felonies",
    "prior_violent": "history.prior_violent",
    "last_violent_conviction_year": "history.last_violent_conviction_year",
    "prior_drug_sales": "history.prior_drug_sales",
    "days_since_release": "history.days_since_release",
    "prior_drug_convictions": "history.prior_drug_convictions",
    "prior_failures_to_appear": "history.prior_failures_to_appear",
    "victim_count": "victim_count",
    "disposition_date": "disposition_date",
    "sentence_days": "sentence_days",
}

PERSON_FIELDS = ["birth_year", "sex", "race", "ethnicity", "zip"]

#: grams per unit; a count of dosage units or millilitres is compared as it is
_GRAMS: dict[str, float] = {unit.value: grams for unit, grams in GRAMS_PER_UNIT.items()} | {
    QuantityUnit.DOSAGE_UNIT.value: 1.0,
    QuantityUnit.MILLILITRE.value: 1.0,
}


def _spellings(enum: type[DescribedEnum], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Lower-case spelling -> enum value, as offramp-csv reads an enum cell (`Column.enum_mapping`)."""
    mapping = {value.lower(): value for value in enum.values()}
    mapping.update({key.lower(): str(value) for key, value in (aliases or {}).items()})
    return mapping


#: enum fields read as offramp-csv reads them: trimmed, case ignored, aliases mapped, blank = unknown
CASE_ENUMS = {
    "stage": _spellings(CaseStage),
    "disposition": _spellings(DispositionKind, DISPOSITION_ALIASES),
    "sentence_type": _spellings(SentenceType, SENTENCE_ALIASES),
}
PERSON_ENUMS = {
    "sex": _spellings(Sex, SEX_ALIASES),
    "race": _spellings(Race, RACE_ALIASES),
    "ethnicity": _spellings(Ethnicity, ETHNICITY_ALIASES),
}
CHARGE_ENUMS = {
    "offense_kind": _spellings(OffenseKind),
    "severity": _spellings(Severity),
    "nibrs_code": _spellings(NibrsCode),
    "drug": _spellings(Drug),
    "quantity_unit": _spellings(QuantityUnit),
}
VICTIM_ENUMS = {"harm": _spellings(Harm)}


@dataclass(frozen=True)
class _Line:
    """One valid line: its number, the validated case and the object as written (for the raw text)."""

    number: int
    case: Case
    source: Mapping[str, Any]


def parse(path: Path) -> CaseBatch:
    """Parse an offramp-jsonl file; IntakeError lists every invalid value on every line."""
    file = str(path)
    errors: list[FieldError] = []
    valid: list[_Line] = []
    first_line: dict[str, int] = {}
    for number, obj in _objects(path, errors):
        case_id = obj.get("case_id")
        if isinstance(case_id, str) and case_id.strip():
            key = case_id.strip()
            if key in first_line:
                expected = f"a case_id not used on an earlier line (line {first_line[key]} has it)"
                errors.append(FieldError(file, number, "case_id", key, expected))
            else:
                first_line[key] = number
        try:
            case = Case.model_validate(normalise(obj))
        except ValidationError as exc:
            errors.extend(field_errors(exc, obj, file, number))
            continue
        valid.append(_Line(number, case, obj))
    if errors:
        raise IntakeError(errors)
    if not valid:
        raise IntakeError(
            [FieldError(file, 0, "file", path.name, "at least one case, as one JSON object per line")]
        )
    return _to_batch(valid)


def _objects(path: Path, errors: list[FieldError]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line that holds a JSON object; the rest become errors."""
    file = str(path)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                shown = raw.decode("utf-8", "replace").strip()
                expected = f"UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not UTF-8)"
                errors.append(FieldError(file, number, "line", value_text(shown), expected))
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                obj = json.loads(text, parse_constant=_reject_constant)
            except ValueError as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                at = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
                expected = f"one JSON object on the line ({reason}{at})"
                errors.append(FieldError(file, number, "line", value_text(text.strip()), expected))
                continue
            if not isinstance(obj, dict):
                expected = "a JSON object {...} describing one case"
                errors.append(FieldError(file, number, "line", value_text(text.strip()), expected))
                continue
            yield number, obj


def normalise(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `obj` with its enum fields in canonical spelling (unknown spellings left for the model
    to reject). The source object is kept as it is, for the `*_raw` columns and error messages."""
    out = _canonical(obj, CASE_ENUMS)
    if isinstance(out.get("person"), Mapping):
        out["person"] = _canonical(out["person"], PERSON_ENUMS)
    for key, spellings in (("charges", CHARGE_ENUMS), ("victims", VICTIM_ENUMS)):
        items = out.get(key)
        if isinstance(items, list):
            out[key] = [_canonical(item, spellings) if isinstance(item, Mapping) else item for item in items]
    return out


def _canonical(obj: Mapping[str, Any], fields: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    out = dict(obj)
    for name, spellings in fields.items():
        value = out.get(name)
        if isinstance(value, str):
            key = value.strip().lower()
            out[name] = spellings.get(key, value) if key else None
    return out


def raw_text(value: object) -> str | None:
    """The source's text for a `*_raw` column: trimmed, None when blank or left out."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else value_text(value)
    return text or None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _to_batch(lines: list[_Line]) -> CaseBatch:
    persons_all = pl.from_dicts([_person_row(line) for line in lines], schema=_with_row(PERSON_SCHEMA))
    cases = pl.from_dicts([_case_row(line) for line in lines], schema=CASE_SCHEMA)
    charge_rows = [row for line in lines for row in _charge_rows(line)]
    charges = pl.from_dicts(charge_rows, schema=_with_row(CHARGE_SCHEMA) | {"nibrs_given": pl.String()})
    victims = pl.from_dicts([row for line in lines for row in _victim_rows(line)], schema=VICTIM_SCHEMA)

    warnings = _warnings(persons_all, cases, charges, lines)
    persons = persons_all.unique("person_key", keep="first", maintain_order=True).select(list(PERSON_SCHEMA))
    charges = charges.with_columns(
        pl.coalesce(pl.col("nibrs_given"), nibrs_code(pl.col("offense_kind"))).alias("nibrs_code")
    ).select(list(CHARGE_SCHEMA))
    return CaseBatch(
        source_format=SOURCE_FORMAT,
        persons=persons,
        cases=cases,
        charges=charges,
        victims=victims,
        warnings=warnings,
    )


def _with_row(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    return {"__row": pl.Int64(), **schema}


def _person_row(line: _Line) -> dict[str, Any]:
    person = line.case.person
    source = line.source.get("person") or {}
    return {
        "__row": line.number,
        "person_key": person.person_id,
        "birth_year": person.birth_year,
        "sex": (person.sex or Sex.UNKNOWN).value,
        "sex_raw": raw_text(source.get("sex")),
        "race": (person.race or Race.UNKNOWN).value,
        "race_raw": raw_text(source.get("race")),
        "ethnicity": (person.ethnicity or Ethnicity.UNKNOWN).value,
        "ethnicity_raw": raw_text(source.get("ethnicity")),
        "zip": person.zip,
    }


def _case_row(line: _Line) -> dict[str, Any]:
    case = line.case
    primary = case.primary_charge
    return {
        "case_key": case.case_id,
        "person_key": case.person.person_id,
        "source_row": line.number,
        "received_date": case.received_date,
        "received_date_raw": raw_text(line.source.get("received_date")),
        "agency": case.agency,
        "stage": case.stage.value,
        "primary_offense_kind": primary.offense_kind.value,
        "primary_drug": primary.drug.value if primary.drug else None,
        **case.evidence.model_dump(),
        **case.history.model_dump(),
        **case.health.model_dump(),
        **case.circumstances.model_dump(),
        "victim_count": case.victim_count,
        "narrative": case.narrative,
        "disposition": case.disposition.value if case.disposition else None,
        "disposition_raw": raw_text(line.source.get("disposition")),
        "disposition_date": case.disposition_date,
        "disposition_date_raw": raw_text(line.source.get("disposition_date")),
        "sentence_type": case.sentence_type.value if case.sentence_type else None,
        "sentence_type_raw": raw_text(line.source.get("sentence_type")),
        "sentence_days": case.sentence_days,
    }


def _charge_rows(line: _Line) -> Iterator[dict[str, Any]]:
    case = line.case
    sources = line.source.get("charges") or []
    for seq, (charge, source) in enumerate(zip(case.charges, sources, strict=True), start=1):
        given_quantity = raw_text(source.get("quantity"))
        yield {
            "__row": line.number,
            "case_key": case.case_id,
            "seq": seq,
            "is_primary": seq == case.primary_seq,
            "statute_raw": charge.statute,
            "title_raw": charge.title,
            "offense_kind": charge.offense_kind.value,
            "severity": charge.severity.value if charge.severity else None,
            "nibrs_given": charge.nibrs_code.value if charge.nibrs_code else None,
            "drug": charge.drug.value if charge.drug else None,
            "drug_raw": raw_text(source.get("drug")),
            "quantity": charge.quantity,
            "quantity_unit": charge.quantity_unit.value if charge.quantity_unit else None,
            "quantity_raw": charge.quantity_raw or given_quantity,
        }


def _victim_rows(line: _Line) -> Iterator[dict[str, Any]]:
    sources = line.source.get("victims") or []
    for seq, (victim, source) in enumerate(zip(line.case.victims, sources, strict=True), start=1):
        yield {
            "case_key": line.case.case_id,
            "seq": seq,
            "harm": (victim.harm or Harm.UNKNOWN).value,
            "harm_raw": raw_text(source.get("harm")),
            "restitution_claimed_usd": victim.restitution_claimed_usd,
        }


def _warnings(
    persons_all: pl.DataFrame, cases: pl.DataFrame, charges: pl.DataFrame, lines: list[_Line]
) -> pl.DataFrame:
    """Implausible-but-valid values (bounds from offramp_csv.COLUMNS) and persons whose lines disagree."""
    flat = cases.rename({"source_row": "__row"}).join(
        persons_all.select("__row", "birth_year"), on="__row", how="left"
    )
    grams = charges.select(
        "__row",
        "seq",
        "quantity",
        "quantity_unit",
        (pl.col("quantity") * pl.col("quantity_unit").replace_strict(_GRAMS, default=1.0)).alias(
            "quantity_g"
        ),
    )
    sources = {line.number: line.source for line in lines}
    found: list[dict[str, Any]] = []
    checked = offramp_csv.COLUMNS + offramp_csv.OPTIONAL_COLUMNS
    for column in (c for c in checked if c.name in PLAUSIBLE_PATHS):
        frame = grams if column.name == "quantity_g" else flat
        implausible = _implausible(column, pl.col(column.name))
        if implausible is None:
            continue
        odd = frame.filter(implausible)
        for row in odd.iter_rows(named=True):
            path = PLAUSIBLE_PATHS[column.name].format(seq=row.get("seq"))
            if column.name == "quantity_g":
                amount = _source_text(sources[row["__row"]], path, row["quantity"])
                value = f"{amount} {row['quantity_unit']}"
                message = _plausible_message(replace(column, name=f"{path} (in grams)"))
            else:
                value = _source_text(sources[row["__row"]], path, row[column.name])
                message = _plausible_message(replace(column, name=path))
            found.append({"row": row["__row"], "field": path, "value": value, "message": message})
    plausibility = pl.from_dicts(
        found, schema={k: WARNING_SCHEMA[k] for k in ("row", "field", "value", "message")}
    )
    frames = [plausibility]
    conflicts = person_conflict_warnings(persons_all, PERSON_FIELDS)
    if conflicts.height:  # an empty result may have no columns at all
        frames.append(conflicts.with_columns(("person." + pl.col("field")).alias("field")))
    order = disposition_order_warnings(cases)
    if order.height:
        frames.append(order)
    keys = cases.select(pl.col("source_row").alias("row"), "case_key")
    return (
        pl.concat(frames, how="diagonal_relaxed")
        .join(keys, on="row", how="left")
        .select(list(WARNING_SCHEMA))
        .cast(WARNING_SCHEMA)  # type: ignore[arg-type]
        .sort("row", "field")
    )


def _source_text(source: Mapping[str, Any], path: str, value: object) -> str:
    """The value at dotted `path` (list positions from 1) as the line wrote it; `value` if it is not there."""
    node: Any = source
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and 0 < int(part) <= len(node):
            node = node[int(part) - 1]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return value_text(value)
    return value_text(node)
