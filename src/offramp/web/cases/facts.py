"""A case's facts laid out for the case page: label, value, the source's raw text, and what the value means."""

from __future__ import annotations

from dataclasses import dataclass

from offramp.core.enums import (
    CaseStage,
    DispositionKind,
    Drug,
    Ethnicity,
    OffenseKind,
    Race,
    SentenceType,
    Sex,
)
from offramp.web.cases.models import Case

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    raw: str | None = None
    meaning: str = ""


def shown(value: object) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _enum_fact(label: str, enum: type, value: str | None, raw: str | None = None) -> Fact:
    member = enum.parse(value) if value else None
    return Fact(label, shown(value), raw if raw != value else None, member.description if member else "")


def case_sections(case: Case) -> list[tuple[str, list[Fact]]]:
    person = case.person
    return [
        (
            "Case",
            [
                Fact("Case id", case.case_key),
                Fact(
                    "Received",
                    shown(case.received_date),
                    case.received_date_raw if case.received_date_raw != shown(case.received_date) else None,
                ),
                Fact("Agency", shown(case.agency)),
                _enum_fact("Stage", CaseStage, case.stage),
                _enum_fact("Disposition", DispositionKind, case.disposition, case.disposition_raw),
                Fact(
                    "Disposition date",
                    shown(case.disposition_date),
                    case.disposition_date_raw
                    if case.disposition_date_raw not in (None, shown(case.disposition_date))
                    else None,
                ),
                _enum_fact("Sentence", SentenceType, case.sentence_type, case.sentence_type_raw),
                Fact("Sentence length (days)", shown(case.sentence_days)),
                _enum_fact("Primary offence", OffenseKind, case.primary_offense_kind),
                _enum_fact("Primary drug", Drug, case.primary_drug),
                Fact("Assigned prosecutor", shown(case.assigned_prosecutor)),
                Fact("Source", f"{case.source_format}, row {case.source_row}"),
            ],
        ),
        (
            "Person",
            [
                Fact("Person id (pseudonymous)", person.person_key),
                Fact("Birth year", shown(person.birth_year)),
                _enum_fact("Sex", Sex, person.sex, person.sex_raw),
                _enum_fact("Race", Race, person.race, person.race_raw),
                _enum_fact("Ethnicity", Ethnicity, person.ethnicity, person.ethnicity_raw),
                Fact("ZIP", shown(person.zip)),
            ],
        ),
        (
            "Evidence",
            [
                Fact("Weapon", shown(case.weapon)),
                Fact("Violence", shown(case.violence)),
                Fact("Cash (USD)", shown(case.cash_usd)),
                Fact("Individual packaging", shown(case.packaging)),
                Fact("Scales or ledgers", shown(case.scales_or_ledgers)),
                Fact("Sale to a minor", shown(case.sale_to_minor)),
                Fact("Near a school", shown(case.near_school)),
                Fact("Organiser, leader, manager or supervisor", shown(case.organizer_role)),
                Fact("Ties to a trafficking organisation", shown(case.trafficking_org_ties)),
                Fact(
                    "Weapon possessed or used in connection with the offence",
                    shown(case.weapon_in_connection),
                ),
                Fact(
                    "Found because someone sought help for an overdose",
                    shown(case.sought_help_for_overdose),
                ),
                Fact("Only syringes or drug-checking supplies", shown(case.harm_reduction_supplies_only)),
            ],
        ),
        (
            "Criminal history",
            [
                Fact("Prior felonies", shown(case.prior_felonies)),
                Fact("Prior violent convictions", shown(case.prior_violent)),
                Fact("Year of the latest violent conviction", shown(case.last_violent_conviction_year)),
                Fact("Prior drug sales", shown(case.prior_drug_sales)),
                Fact("On supervision", shown(case.on_supervision)),
                Fact("Days since last release from custody", shown(case.days_since_release)),
                Fact("Prior drug-law convictions", shown(case.prior_drug_convictions)),
                Fact("Conditional discharge before", shown(case.prior_conditional_discharge)),
                Fact("First Offender treatment before", shown(case.prior_first_offender)),
                Fact("Past failures to appear", shown(case.prior_failures_to_appear)),
                Fact("In custody now", shown(case.in_custody)),
            ],
        ),
        (
            "Health",
            [
                Fact("Prior overdose", shown(case.prior_overdose)),
                Fact("Injection use", shown(case.injection_use)),
                Fact("Currently on MOUD", shown(case.on_moud)),
            ],
        ),
        (
            "The person's account and circumstances",
            [
                Fact("Sold to support own use", shown(case.sells_to_support_own_use)),
                Fact("Poverty or debt", shown(case.poverty_or_debt)),
                Fact("Coerced or exploited", shown(case.coerced_or_exploited)),
                Fact("Veteran", shown(case.veteran)),
                Fact("Pregnant", shown(case.pregnant)),
                Fact("Main caregiver", shown(case.caregiver)),
                Fact("Not a U.S. citizen", shown(case.noncitizen)),
            ],
        ),
        ("Victims", [Fact("Number of victims", shown(case.victim_count))]),
    ]
