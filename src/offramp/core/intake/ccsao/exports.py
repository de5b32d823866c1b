"""The five Cook County State's Attorney (CCSAO) open-data exports, declared once.

The CCSAO publishes anonymised case-level data as five exports (Intake, Initiation, Dispositions,
Sentencing, Diversion) that share CASE_ID and CASE_PARTICIPANT_ID: one case has several participants,
one participant several charges, one charge several versions over time. Each `ExportSpec` records an
export's exact header, in the published order and with the published typos (`BOND_ELECTROINIC_...`,
`UPDATE_OFFENSE_CATEGORY` in Intake but `UPDATED_OFFENSE_CATEGORY` elsewhere), so that a parser for a
further export only adds its mapping, not its header handling. Source: the column lists in
docs/SOURCES.md#ccsao-open-data.

Header matching ignores case and surrounding whitespace (and a UTF-8 byte-order mark); columns the
spec does not name are ignored; a missing column is an error at row 1 naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from offramp.core.intake.errors import FieldError, IntakeError


@dataclass(frozen=True)
class ExportSpec:
    """One CCSAO export: its name, what one row is, its exact header and the columns naming a row's subject.

    `keys` identify what a row is about; the published data does not promise they are unique (exact
    duplicate rows occur), so a parser decides what a repeat means.
    """

    name: str
    grain: str
    header: tuple[str, ...]
    keys: tuple[str, ...]
    #: columns holding the charge's statute: one full citation, or chapter / act / section parts
    statute_columns: tuple[str, ...] = ()
    title_column: str | None = None

    def __post_init__(self) -> None:
        names = [normalise_header(h) for h in self.header]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: header repeats a column")
        missing = [k for k in (*self.keys, *self.statute_columns) if normalise_header(k) not in names]
        if missing:
            raise ValueError(f"{self.name}: {missing} not in the header")

    def match_header(self, present: Sequence[str], file: str) -> dict[str, str]:
        """Map each column of the file that the spec names to the spec's spelling.

        Raises IntakeError (row 1) naming every spec column the file lacks, or any spec column that
        appears twice once case and whitespace are ignored.
        """
        wanted = {normalise_header(h): h for h in self.header}
        rename: dict[str, str] = {}
        errors: list[FieldError] = []
        for column in present:
            canonical = wanted.get(normalise_header(column))
            if canonical is None:
                continue
            if canonical in rename.values():
                errors.append(FieldError(file, 1, canonical, column, "each column once in the header row"))
            rename[column] = canonical
        found = set(rename.values())
        errors += [
            FieldError(file, 1, h, "", f"this column in the header row of a CCSAO {self.name} export")
            for h in self.header
            if h not in found
        ]
        if errors:
            raise IntakeError(errors)
        return rename


def normalise_header(name: str) -> str:
    return name.replace("\ufeff", "").strip().upper()


def read_export(path: Path, spec: ExportSpec) -> pl.DataFrame:
    """Every cell of `path` as text, columns renamed to the spec's spelling (the spec's order first).

    Raises IntakeError when the file is not a readable UTF-8 CSV or its header lacks a spec column.
    """
    file = str(path)
    try:
        # blank and missing cells are told apart nowhere below, so polars' default for them does not matter
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except pl.exceptions.NoDataError as exc:
        raise IntakeError([FieldError(file, 1, "header", "", "a header row naming the columns")]) from exc
    except pl.exceptions.PolarsError as exc:
        raise IntakeError(
            [FieldError(file, 0, "file", path.name, f"a readable UTF-8 CSV file ({exc})")]
        ) from exc
    rename = spec.match_header(raw.columns, file)
    return raw.select([pl.col(source).alias(target) for source, target in rename.items()]).select(
        list(spec.header)
    )


_DIVERSION_HEADER = (
    "CASE_ID", "CASE_PARTICIPANT_ID", "RECEIVED_DATE", "OFFENSE_CATEGORY", "DIVERSION_PROGRAM",
    "REFERRAL_DATE", "DIVERSION_COUNT", "PRIMARY_CHARGE_OFFENSE_TITLE", "STATUTE", "RACE", "GENDER",
    "DIVERSION_RESULT", "DIVERSION_CLOSED_DATE",
)  # fmt: skip

_INTAKE_HEADER = (
    "CASE_ID", "CASE_PARTICIPANT_ID", "RECEIVED_DATE", "OFFENSE_CATEGORY", "PARTICIPANT_STATUS",
    "AGE_AT_INCIDENT", "RACE", "GENDER", "INCIDENT_CITY", "INCIDENT_BEGIN_DATE", "INCIDENT_END_DATE",
    "LAW_ENFORCEMENT_AGENCY", "LAW_ENFORCEMENT_UNIT", "ARREST_DATE", "FELONY_REVIEW_DATE",
    "FELONY_REVIEW_RESULT",
    "UPDATE_OFFENSE_CATEGORY",  # sic: Intake says UPDATE_, the other exports UPDATED_
)  # fmt: skip

_INITIATION_HEADER = (
    "CASE_ID", "CASE_PARTICIPANT_ID", "RECEIVED_DATE", "OFFENSE_CATEGORY", "PRIMARY_CHARGE_FLAG",
    "CHARGE_ID", "CHARGE_VERSION_ID", "CHARGE_OFFENSE_TITLE", "CHARGE_COUNT", "CHAPTER", "ACT", "SECTION",
    "CLASS", "AOIC", "EVENT", "EVENT_DATE", "FINDING_NO_PROBABLE_CAUSE", "ARRAIGNMENT_DATE",
    "BOND_DATE_INITIAL", "BOND_DATE_CURRENT", "BOND_TYPE_INITIAL", "BOND_TYPE_CURRENT",
    "BOND_AMOUNT_INITIAL", "BOND_AMOUNT_CURRENT", "BOND_ELECTRONIC_MONITOR_FLAG_INITIAL",
    "BOND_ELECTROINIC_MONITOR_FLAG_CURRENT",  # sic: ELECTROINIC
    "AGE_AT_INCIDENT", "RACE", "GENDER", "INCIDENT_CITY", "INCIDENT_BEGIN_DATE", "INCIDENT_END_DATE",
    "LAW_ENFORCEMENT_AGENCY", "LAW_ENFORCEMENT_UNIT", "ARREST_DATE", "FELONY_REVIEW_DATE",
    "FELONY_REVIEW_RESULT", "UPDATED_OFFENSE_CATEGORY",
)  # fmt: skip

#: Dispositions' columns from CASE_ID up to and including CHARGE_DISPOSITION_REASON (Sentencing shares them)
_DISPOSITION_LEAD = (
    "CASE_ID", "CASE_PARTICIPANT_ID", "RECEIVED_DATE", "OFFENSE_CATEGORY", "PRIMARY_CHARGE_FLAG",
    "CHARGE_ID", "CHARGE_VERSION_ID", "DISPOSITION_CHARGED_OFFENSE_TITLE", "CHARGE_COUNT",
    "DISPOSITION_DATE", "DISPOSITION_CHARGED_CHAPTER", "DISPOSITION_CHARGED_ACT",
    "DISPOSITION_CHARGED_SECTION", "DISPOSITION_CHARGED_CLASS", "DISPOSITION_CHARGED_AOIC",
    "CHARGE_DISPOSITION", "CHARGE_DISPOSITION_REASON",
)  # fmt: skip

#: the columns from AGE_AT_INCIDENT on, shared by Dispositions and Sentencing
_DISPOSITION_TAIL = (
    "AGE_AT_INCIDENT", "RACE", "GENDER", "INCIDENT_CITY", "INCIDENT_BEGIN_DATE", "INCIDENT_END_DATE",
    "LAW_ENFORCEMENT_AGENCY", "LAW_ENFORCEMENT_UNIT", "ARREST_DATE", "FELONY_REVIEW_DATE",
    "FELONY_REVIEW_RESULT", "ARRAIGNMENT_DATE", "UPDATED_OFFENSE_CATEGORY",
)  # fmt: skip

_DISPOSITIONS_HEADER = (
    *_DISPOSITION_LEAD,
    "JUDGE", "DISPOSITION_COURT_NAME", "DISPOSITION_COURT_FACILITY",
    *_DISPOSITION_TAIL,
)  # fmt: skip

_SENTENCING_HEADER = (
    *_DISPOSITION_LEAD,
    "SENTENCE_JUDGE", "SENTENCE_COURT_NAME", "SENTENCE_COURT_FACILITY", "SENTENCE_PHASE", "SENTENCE_DATE",
    "SENTENCE_TYPE", "CURRENT_SENTENCE_FLAG", "COMMITMENT_TYPE", "COMMITMENT_TERM", "COMMITMENT_UNIT",
    "LENGTH_OF_CASE_in_Days",  # sic: mixed case in the published header
    *_DISPOSITION_TAIL,
)  # fmt: skip

_CHARGE_KEYS = ("CASE_ID", "CASE_PARTICIPANT_ID", "CHARGE_ID", "CHARGE_VERSION_ID")

DIVERSION = ExportSpec(
    name="Diversion",
    grain="one row per case participant and diversion-program referral",
    header=_DIVERSION_HEADER,
    keys=("CASE_ID", "CASE_PARTICIPANT_ID", "DIVERSION_PROGRAM", "REFERRAL_DATE"),
    statute_columns=("STATUTE",),
    title_column="PRIMARY_CHARGE_OFFENSE_TITLE",
)
INTAKE = ExportSpec(
    name="Intake",
    grain="one row per case participant as received (~528,000 rows in the full export)",
    header=_INTAKE_HEADER,
    keys=("CASE_ID", "CASE_PARTICIPANT_ID"),
)
INITIATION = ExportSpec(
    name="Initiation",
    grain="one row per charge version at arraignment (~1.2 million rows)",
    header=_INITIATION_HEADER,
    keys=_CHARGE_KEYS,
    statute_columns=("CHAPTER", "ACT", "SECTION"),
    title_column="CHARGE_OFFENSE_TITLE",
)
DISPOSITIONS = ExportSpec(
    name="Dispositions",
    grain="one row per charge version disposed (~1.1 million rows)",
    header=_DISPOSITIONS_HEADER,
    keys=_CHARGE_KEYS,
    statute_columns=("DISPOSITION_CHARGED_CHAPTER", "DISPOSITION_CHARGED_ACT", "DISPOSITION_CHARGED_SECTION"),
    title_column="DISPOSITION_CHARGED_OFFENSE_TITLE",
)
SENTENCING = ExportSpec(
    name="Sentencing",
    grain="one row per charge version per sentencing event (~306,000 rows)",
    header=_SENTENCING_HEADER,
    # which columns name the sentencing event is our reading of the published description
    keys=(*_CHARGE_KEYS, "SENTENCE_PHASE", "SENTENCE_DATE"),
    statute_columns=("DISPOSITION_CHARGED_CHAPTER", "DISPOSITION_CHARGED_ACT", "DISPOSITION_CHARGED_SECTION"),
    title_column="DISPOSITION_CHARGED_OFFENSE_TITLE",
)

EXPORTS: dict[str, ExportSpec] = {
    spec.name.lower(): spec for spec in (INTAKE, INITIATION, DISPOSITIONS, SENTENCING, DIVERSION)
}
