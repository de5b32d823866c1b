"""The coordinator's board, the case-page panel, and the POSTs that offer diversion, move a referral, add a
condition and record progress. A refused POST (core's guard, an illegal step, a stale version) is answered
with the reason on a page of its own (400, or 409 for a stale version) and stores nothing.

Who sees what (roles.py): coordinators (`diversion.coordinate`) do everything; line prosecutors and
supervisors (`diversion.view_referral`) see referrals, history, conditions, deadlines and the board;
victim advocates (`diversion.view_state`) see each referral's program and state only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from offramp.core.diversion import (
    Alert,
    Blocked,
    ConditionKind,
    Event,
    IllegalTransition,
    ProgressEntry,
    ReferralState,
    due_soon,
    legal_events,
    overdue,
    progress,
)
from offramp.core.diversion import Condition as CoreCondition
from offramp.core.diversion.voluntariness import NOT_FOR_PROSECUTION
from offramp.web.accounts.access import permission_required_audited
from offramp.web.accounts.roles import STATEMENTS_PERMISSION
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.diversion import letter as offer_letter
from offramp.web.diversion import offer as offer_rules
from offramp.web.diversion import service
from offramp.web.diversion.forms import ConditionForm, EntryForm, OfferForm, TransitionForm
from offramp.web.diversion.models import OPEN_STATES, Condition, RecordRestriction, Referral

VIEW_STATE = ("cases.view_case", "diversion.view_state")
VIEW = ("cases.view_case", "diversion.view_referral")
COORDINATE = ("cases.view_case", "diversion.coordinate")
#: the board's "due soon" window
DUE_SOON_DAYS = 7


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.case_key]) + "#diversion"


def _condition_rows(referral: Referral, coordinate: bool) -> list[dict[str, Any]]:
    rows = []
    for condition in referral.conditions.all():
        entries = list(condition.entries.all())
        core = CoreCondition(kind=condition.kind_enum, target=condition.target)
        done = progress(core, [ProgressEntry(e.on, e.amount) for e in entries])
        drug_test = condition.kind == ConditionKind.DRUG_TESTS.value
        rows.append(
            {
                "condition": condition,
                "entries": entries,
                "progress": done,
                "drug_test": drug_test,
                "entry_form": EntryForm(drug_test=drug_test, prefix=f"c{condition.pk}")
                if coordinate and referral.is_open
                else None,
            }
        )
    return rows


def panel_context(user: Any, case: Case, today: dt.date | None = None) -> dict[str, Any]:
    """The case page's diversion panel, by what the user may see (see the module docstring)."""
    if not user.has_perms(VIEW_STATE):
        return {"show": False}
    today = today or timezone.localdate()
    full = user.has_perms(VIEW)
    coordinate = user.has_perms(COORDINATE)
    referrals = list(Referral.objects.filter(case=case).order_by("-offered_on", "-id"))
    rows = []
    for referral in referrals:
        row: dict[str, Any] = {"referral": referral}
        if full:
            row["events"] = list(referral.events.select_related("by").order_by("seq"))
            row["conditions"] = _condition_rows(referral, coordinate)
            row["restriction"] = RecordRestriction.objects.filter(referral=referral).first()
            row["alerts"] = [Alert(d, today) for d in service.deadlines(referral)]
        if coordinate and referral.is_open:
            row["actions"] = [
                TransitionForm(event=e.value, initial={"expected_version": referral.version})
                for e in legal_events(referral.state_enum)
            ]
            row["condition_form"] = ConditionForm()
        rows.append(row)
    has_open = any(r.is_open for r in referrals)
    return {
        "show": True,
        "full": full,
        "coordinate": coordinate,
        "rows": rows,
        "offer_form": OfferForm(ask_admission=offer_rules.pack_admission_required(today))
        if coordinate and not has_open
        else None,
        "statements": user.has_perm(STATEMENTS_PERMISSION),
        "not_for_prosecution": NOT_FOR_PROSECUTION,
        "intake_days": service.intake_days(),
    }


def _refused(
    request: HttpRequest, case: Case, message: str, status: int = 400, form: Any = None
) -> HttpResponse:
    context = {"case": case, "message": message, "form": form, "status": status}
    return render(request, "diversion/refused.html", context, status=status)


@require_POST
@permission_required_audited(*COORDINATE)
def offer(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    form = OfferForm(request.POST, ask_admission=offer_rules.pack_admission_required(timezone.localdate()))
    if not form.is_valid():
        missing = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return _refused(request, case, f"Diversion not offered: {missing}", form=form)
    try:
        referral = service.offer_diversion(
            case,
            form.cleaned_data["program"],
            request.user,
            counsel=form.counsel_status,
            admission_confirmed=bool(form.cleaned_data.get("admission")),
        )
    except service.OfferRefused as exc:
        return _refused(request, case, f"Diversion not offered: {exc}")
    messages.success(request, f"Diversion offered: {referral.program_name}.")
    return HttpResponseRedirect(_case_url(case))


@require_POST
@permission_required_audited(*COORDINATE)
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("case"), pk=pk)
    case = referral.case
    form = TransitionForm(request.POST)
    if not form.is_valid():
        allowed = ", ".join(e.value for e in legal_events(referral.state_enum)) or "nothing (closed)"
        return _refused(
            request, case, f"Nothing changed: the form was incomplete (allowed: {allowed}).", form=form
        )
    event = Event(form.cleaned_data["event"])
    try:
        moved = service.transition(
            referral.pk, form.cleaned_data["expected_version"], event, form.transition_input(), request.user
        )
    except service.StaleReferral as exc:
        return _refused(request, case, str(exc), status=409)
    except IllegalTransition as exc:
        return _refused(request, case, f"Nothing changed: {exc}.")
    except Blocked as exc:
        return _refused(request, case, f"Nothing changed: {exc}")
    note = ""
    if moved.state == ReferralState.REFERRED.value and moved.intake_due:
        note = f" Intake due by {moved.intake_due.isoformat()}."
    messages.success(request, f"Referral {moved.pk}: {event.value.replace('_', ' ')} -> {moved.state}.{note}")
    return HttpResponseRedirect(_case_url(case))


@require_POST
@permission_required_audited(*COORDINATE)
def add_condition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("case"), pk=pk)
    form = ConditionForm(request.POST)
    if not form.is_valid():
        return _refused(request, referral.case, "Condition not added: see the form below.", form=form)
    data = form.cleaned_data
    try:
        condition = service.add_condition(
            referral,
            request.user,
            kind=ConditionKind(data["kind"]),
            target=data["target"],
            description=data["description"],
            due=data["due"],
            monthly_ability_to_pay=data["monthly_ability_to_pay"],
        )
    except service.ConditionNotAllowed as exc:
        form.add_error("description", str(exc))
        return _refused(request, referral.case, f"Condition not added. {exc}", form=form)
    messages.success(request, f"Condition added: {condition.target} {condition.unit} ({condition.kind}).")
    return HttpResponseRedirect(_case_url(referral.case))


@require_POST
@permission_required_audited(*COORDINATE)
def add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(Condition.objects.select_related("referral__case"), pk=pk)
    case = condition.referral.case
    drug_test = condition.kind == ConditionKind.DRUG_TESTS.value
    form = EntryForm(request.POST, drug_test=drug_test, prefix=f"c{condition.pk}")
    if not form.is_valid():
        return _refused(request, case, "Progress not recorded: see the form below.", form=form)
    data = form.cleaned_data
    try:
        entry = service.add_entry(
            condition,
            request.user,
            on=data["on"],
            amount=data["amount"] if data["amount"] is not None else 0,
            note=data["note"],
            substances_found=form.split(data["substances_found"]),
            prescribed=form.split(data["prescribed"]),
        )
    except service.ConditionNotAllowed as exc:
        return _refused(request, case, f"Progress not recorded: {exc}")
    result = f" Drug test: {entry.test_message}" if entry.test_message else ""
    messages.success(request, f"Progress recorded: {entry.amount} {condition.unit} on {entry.on}.{result}")
    return HttpResponseRedirect(_case_url(case))


@require_GET
@permission_required_audited(*VIEW)
def board(request: HttpRequest) -> HttpResponse:
    """The coordinator's board: overdue deadlines first, then those due within a week, then the referrals
    by state with counts. Every row links to its case."""
    today = timezone.localdate()
    referrals = list(Referral.objects.select_related("case").order_by("-offered_on", "-id"))
    by_id = {str(r.pk): r for r in referrals}
    open_deadlines = [d for r in referrals if r.state in OPEN_STATES for d in service.deadlines(r)]
    late = [(a, by_id[a.deadline.referral_key]) for a in overdue(open_deadlines, today)]
    soon = [(a, by_id[a.deadline.referral_key]) for a in due_soon(open_deadlines, today, DUE_SOON_DAYS)]
    counts = Counter(r.state for r in referrals)
    states = [
        {
            "state": s.value,
            "label": s.value.replace("_", " "),
            "description": s.description,
            "count": counts.get(s.value, 0),
            "referrals": [r for r in referrals if r.state == s.value],
        }
        for s in ReferralState
    ]
    record(
        Action.LIST,
        object_type="diversion_board",
        detail={"referrals": len(referrals), "overdue": len(late), "due_soon": len(soon)},
    )
    context = {
        "today": today,
        "overdue": late,
        "due_soon": soon,
        "states": states,
        "total": len(referrals),
        "open_total": sum(1 for r in referrals if r.state in OPEN_STATES),
        "due_soon_days": DUE_SOON_DAYS,
    }
    return render(request, "diversion/board.html", context)


@require_GET
@permission_required_audited(*VIEW)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The offer letter for the person and their lawyer (printable): the offer, the reasons, the conditions,
    what completion brings, that taking part is voluntary, counsel and admission (diversion/letter.py).
    Line prosecutors, supervisors and the diversion unit may print it; each view is audited."""
    referral = get_object_or_404(Referral.objects.select_related("case", "case__person"), pk=pk)
    record(
        Action.VIEW,
        object_type="offer_letter",
        object_id=referral.pk,
        detail={"case": referral.case.case_key, "person": referral.case.person.person_key},
    )
    context = {
        "letter": offer_letter.build(referral),
        "case": referral.case,
        "today": timezone.localdate(),
        "office": settings.OFFRAMP_OFFICE_NAME or offer_letter.DEFAULT_OFFICE_NAME,
    }
    return render(request, "diversion/letter.html", context)
