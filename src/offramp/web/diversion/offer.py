"""What an offer needs loaded: the programs a coordinator may offer (Cook County's models and the
directory's services, as choices for the offer form) and the victims' position for the offer's guard.
Which core `ProgramModel` a choice stands for, and when a victim must be consulted, are core's rules
(`core.diversion.referral`); this module only loads the rows they read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from offramp.core.diversion import COOK_COUNTY_PROGRAMS, ProgramModel
from offramp.core.diversion import referral as rules
from offramp.core.diversion.voluntariness import AdmissionRule, admission_rule, pre_charge_admission_required
from offramp.core.enums import PleaStage
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.programs.models import Service
from offramp.web.victims import consultation


@dataclass(frozen=True)
class ProgramChoice:
    """A program a coordinator may offer: a Cook County model ("ccsao:DC") or a directory service."""

    key: str
    name: str
    code: str = ""
    service: Any = None
    plea_stage: str = ""
    duration_months: int | None = None
    requires_victim_agreement: bool = False

    @property
    def model(self) -> ProgramModel:
        return rules.program_model(
            self.code or self.key,
            name=self.name,
            plea_stage=self.plea_stage,
            duration_months=self.duration_months,
            requires_victim_agreement=self.requires_victim_agreement,
        )


def cook_county_choices() -> list[ProgramChoice]:
    return [
        ProgramChoice(
            key=f"ccsao:{code}",
            name=p.name,
            code=code,
            plea_stage=p.plea_stage.value if p.plea_stage else "",
            duration_months=p.duration_months,
            requires_victim_agreement=p.requires_victim_agreement,
        )
        for code, p in COOK_COUNTY_PROGRAMS.items()
    ]


def service_choice(service: Any) -> ProgramChoice:
    return ProgramChoice(
        key=f"service:{service.pk}",
        name=f"{service.name} ({service.organization.name})",
        service=service,
        plea_stage=rules.directory_plea_stage(service.plea_stages),
    )


def directory_choices() -> list[ProgramChoice]:
    return [service_choice(s) for s in Service.objects.select_related("organization").order_by("name", "id")]


def program_from_key(key: str) -> ProgramChoice | None:
    """The choice a form's key names ("ccsao:<code>" or "service:<id>"), or None for an unknown one."""
    kind, _, value = key.partition(":")
    if kind == "ccsao" and value in COOK_COUNTY_PROGRAMS:
        return next(c for c in cook_county_choices() if c.code == value)
    if kind == "service" and value:
        try:
            service = Service.objects.select_related("organization").filter(pk=value).first()
        except (ValidationError, ValueError):
            return None
        return service_choice(service) if service is not None else None
    return None


@dataclass(frozen=True)
class VictimPosition:
    consultation_required: bool
    consulted: bool
    agreed: bool | None
    note: str
    no_victim: bool = False  # nobody on file to consult (counts as consulted; the event says so)


def victim_position(case: Case, user: Any) -> VictimPosition:
    """What the offer's guard needs: the recommendation's victim-consultation flag (core's rule decides
    when the policy cannot be evaluated) and the case's consultation status."""
    try:
        policy_requires: bool | None = bool(recommend.recommend_case(case, user).victim_consultation)
    except recommend.RecommendationUnavailable:
        policy_requires = None
    on_file = policy_requires is None and (case.victims.exists() or bool(case.victim_count))
    required, why = rules.victim_consultation_required(policy_requires, on_file)
    status = consultation.consultation_status(case)
    no_victim = status.note == consultation.NO_VICTIM_NOTE
    return VictimPosition(required, bool(status.consulted), status.agreed, why or status.note, no_victim)


# --- admission of guilt (issue 13: pre-charge diversion needs none unless the office's pack says so) -------


def pack_admission_required(on: dt.date) -> bool:
    """The pack in force on `on` asks for an admission before a pre-charge offer (`pre_charge_admission_
    required` = 1). The offer form shows its admission step only then."""
    pack, _ = recommend.pack_for(on)
    return pre_charge_admission_required(pack, on)


def admission_for(program: ProgramChoice, on: dt.date) -> AdmissionRule:
    """Whether an offer of `program` on `on` involves an admission, and why (core's rule)."""
    pack, _ = recommend.pack_for(on)
    return admission_rule(pack, on, program.plea_stage)


def asks_admission(program: ProgramChoice, on: dt.date) -> bool:
    """The offer form's admission step applies to this program: the pack asks for an admission before
    pre-charge diversion and the program is not post-plea (that one is entered on a plea in court)."""
    return program.plea_stage != PleaStage.POST_PLEA.value and pack_admission_required(on)
