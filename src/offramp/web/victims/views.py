"""Victim pages: the case-page panel, recording a consultation, letters (and their printable page),
restitution orders and the ledger page (payments, reversals, payment plans).

Who does what (roles.py): the victim advocate records consultations and generates letters, and sees
restitution; the diversion coordinator (the office's coordinator/clerk for restitution) creates orders,
records payments and reversals and sets payment plans; the coordinator and the prosecutors see the
consultation status. Every write is audited with ids and amounts only: never the victim's views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from offramp.core.victims import restitution as core
from offramp.web.accounts.access import permission_required_audited
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.decisions.models import Decision
from offramp.web.victims import ledger as ledger_service
from offramp.web.victims.consultation import consultation_status
from offramp.web.victims.forms import (
    ConsultationForm,
    LetterForm,
    OrderForm,
    PaymentForm,
    PlanForm,
    ReversalForm,
)
from offramp.web.victims.models import Letter, LetterKind, RestitutionOrder, VictimConsultation

DEFAULT_OFFICE_NAME = "District Attorney's Office"
CONSULT_PERMS = ("cases.view_case", "victims.add_victimconsultation")
STATUS_PERMS = ("cases.view_case", "victims.view_victimconsultation")
LETTER_PERMS = ("cases.view_case", "victims.add_letter")
LETTER_VIEW_PERMS = ("cases.view_case", "victims.view_letter")
ORDER_VIEW_PERMS = ("cases.view_case", "victims.view_restitutionorder")
ORDER_PERMS = ("cases.view_case", "victims.add_restitutionorder")
PAY_PERMS = ("cases.view_case", "victims.record_payment")
INABILITY_NOTE = (
    "Inability to pay never bars entry to diversion, and never by itself causes termination: a payment "
    "plan sized to what the person can pay is always offered (a deferred plan when nothing can be paid now). "
    "Arrears are a reason to review the plan with the person."
)


def office_name() -> str:
    return settings.OFFRAMP_OFFICE_NAME or DEFAULT_OFFICE_NAME


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.case_key]) + "#victims"


# --- the case-page panel ----------------------------------------------------------------------------------


def panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's victim panel, each part only for the roles that may see it."""
    victims = list(case.victims.all())
    can_status = user.has_perms(STATUS_PERMS)
    can_consult = user.has_perms(CONSULT_PERMS)
    can_letters = user.has_perms(LETTER_VIEW_PERMS)
    can_orders = user.has_perms(ORDER_VIEW_PERMS)
    show = can_status or can_consult or can_letters or can_orders
    context: dict[str, Any] = {
        "show": show,
        "victims": victims,
        "can_status": can_status,
        "can_consult": can_consult,
        "can_letters": can_letters,
        "can_write_letters": user.has_perms(LETTER_PERMS),
        "can_orders": can_orders,
        "can_create_order": user.has_perms(ORDER_PERMS) and user.has_perms(PAY_PERMS),
    }
    if not show:
        return context
    if can_status or can_consult:
        context["status"] = consultation_status(case)
        context["consultations"] = list(
            VictimConsultation.objects.filter(case=case).select_related("victim", "recorded_by")
        )
    if can_letters:
        context["letters"] = list(Letter.objects.filter(case=case).select_related("victim", "created_by"))
        context["letter_form"] = LetterForm(case=case)
    if can_orders:
        orders = RestitutionOrder.objects.filter(case=case).select_related("victim")
        context["orders"] = [ledger_service.summary(o) for o in orders]
    return context


# --- consultations ----------------------------------------------------------------------------------------


@permission_required_audited(*CONSULT_PERMS)
def consult(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case, case_key=case_key)
    form = ConsultationForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the consultation and its audit event, or neither
            row = VictimConsultation.objects.create(case=case, recorded_by=request.user, **form.cleaned_data)
            # ids and the yes/no only: the victim's views stay out of the audit trail
            record(
                Action.CREATE,
                object_type="victim_consultation",
                object_id=row.pk,
                detail={
                    "case": case.case_key,
                    "victim_id": row.victim_id,
                    "method": row.method,
                    "agrees_to_diversion": row.agrees_to_diversion,
                },
            )
        messages.success(request, "Victim consultation recorded.")
        return HttpResponseRedirect(_case_url(case))
    return render(
        request,
        "victims/consult.html",
        {"case": case, "form": form, "status": consultation_status(case)},
    )


# --- letters ----------------------------------------------------------------------------------------------


def letter_context(case: Case, victim: Any, kind: str, today: Any) -> dict[str, Any]:
    """What a letter template may use: office, case key, date, victim number and the decision/referral
    facts on file."""
    decision = Decision.objects.filter(case=case).order_by("-decided_at", "-id").first()
    referral = case.referrals.order_by("-seq").first()
    return {
        "office": office_name(),
        "case_key": case.case_key,
        "today": today,
        "victim": victim,
        "kind": kind,
        "decision": decision,
        "decision_outcome": decision.get_outcome_display() if decision else "",
        "decided_on": timezone.localdate(decision.decided_at) if decision else None,
        "referral": referral,
    }


def render_letter(case: Case, victim: Any, kind: str) -> str:
    context = letter_context(case, victim, kind, timezone.localdate())
    return render_to_string(f"victims/letters/{LetterKind(kind).value}.txt", context).strip() + "\n"


@require_POST
@permission_required_audited(*LETTER_PERMS)
def generate_letter(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case, case_key=case_key)
    form = LetterForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, "Letter not generated: choose a kind of letter and a victim of this case.")
        return HttpResponseRedirect(_case_url(case))
    kind, victim = form.cleaned_data["kind"], form.cleaned_data["victim"]
    body = render_letter(case, victim, kind)
    with transaction.atomic():
        row = Letter.objects.create(case=case, victim=victim, kind=kind, body=body, created_by=request.user)
        record(
            Action.CREATE,
            object_type="victim_letter",
            object_id=row.pk,
            detail={"case": case.case_key, "victim_id": row.victim_id, "kind": kind},
        )
    messages.success(request, f"{row.get_kind_display()} letter generated.")
    return HttpResponseRedirect(reverse("victims:letter", args=[row.pk]))


@permission_required_audited(*LETTER_VIEW_PERMS)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a printable page."""
    row = get_object_or_404(Letter.objects.select_related("case", "victim"), pk=pk)
    record(Action.VIEW, object_type="victim_letter", object_id=row.pk, detail={"printable": True})
    return render(request, "victims/letter.html", {"letter": row, "case": row.case, "office": office_name()})


# --- restitution orders and the ledger --------------------------------------------------------------------


@permission_required_audited(*ORDER_PERMS, *PAY_PERMS)
def new_order(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case, case_key=case_key)
    form = OrderForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = ledger_service.create_order(
                case=case,
                victim=data["victim"],
                ordered_on=data["ordered_on"],
                amount=data["amount"],
                description=data["description"],
                user=request.user,
            )
        except (core.LedgerError, ValueError, TypeError) as exc:
            form.add_error("amount", str(exc))
        else:  # stored with its audit event (ledger.create_order)
            messages.success(request, f"Restitution order of {core.fmt(data['amount'])} recorded.")
            return HttpResponseRedirect(reverse("victims:order", args=[order.pk]))
    return render(request, "victims/order_new.html", {"case": case, "form": form})


def _reversal_choices(ledger: core.Ledger) -> list[tuple[int, str]]:
    return [
        (e.seq, f"#{e.seq}: {e.label}")
        for e in ledger.entries
        if e.kind is not core.EntryKind.REVERSAL and ledger.reversed_by(e.seq) is None
    ]


def _order_page(
    request: HttpRequest, order: RestitutionOrder, status: int = 200, **forms: Any
) -> HttpResponse:
    info = ledger_service.summary(order)
    rows = [
        {"entry": e, "amount": core.fmt(e.amount), "reversed_by": info.ledger.reversed_by(e.seq)}
        for e in order.entries.select_related("recorded_by").order_by("seq")
    ]
    today = timezone.localdate()
    context = {
        "order": order,
        "case": order.case,
        "info": info,
        "rows": rows,
        "installments": [
            {"i": i, "amount": core.fmt(i.amount), "past": i.due <= today} for i in info.schedule
        ],
        "can_pay": request.user.has_perms(PAY_PERMS),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "reversal_form": forms.get("reversal_form") or ReversalForm(choices=_reversal_choices(info.ledger)),
        "plan_form": forms.get("plan_form") or PlanForm(initial={"first_due": today}),
        "inability_note": INABILITY_NOTE,
    }
    return render(request, "victims/order.html", context, status=status)


@permission_required_audited(*ORDER_VIEW_PERMS)
def order(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RestitutionOrder.objects.select_related("case", "victim"), pk=pk)
    record(Action.VIEW, object_type="restitution_order", object_id=row.pk, detail={"case": row.case.case_key})
    return _order_page(request, row)


def _refused(request: HttpRequest, order: RestitutionOrder, what: str, exc: Exception) -> None:
    record(
        Action.CREATE,
        object_type="ledger_entry",
        object_id="",
        outcome="failure",
        detail={"order": order.pk, "refused": what, "reason": str(exc)[:300]},
    )


@require_POST
@permission_required_audited(*PAY_PERMS)
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RestitutionOrder.objects.select_related("case"), pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = ledger_service.append_entry(
                row,
                kind=core.EntryKind.PAYMENT,
                amount=data["amount"],
                on=data["on"],
                note=data["note"],
                user=request.user,
            )
        except (core.LedgerError, ValueError, TypeError) as exc:
            form.add_error(None, f"Not recorded: {exc}")
            _refused(request, row, "payment", exc)
        else:  # stored with its audit event (ledger.append_entry)
            messages.success(request, f"Payment of {core.fmt(entry.amount)} recorded as entry #{entry.seq}.")
            return HttpResponseRedirect(reverse("victims:order", args=[row.pk]))
    return _order_page(request, row, status=400, payment_form=form)


@require_POST
@permission_required_audited(*PAY_PERMS)
def reverse_entry(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RestitutionOrder.objects.select_related("case"), pk=pk)
    # every seq on the ledger is offered to the form, so core (not the form) says why a reversal is refused
    choices = [(e.seq, str(e.seq)) for e in row.entries.all()]
    form = ReversalForm(request.POST, choices=choices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = ledger_service.reverse_entry(
                row, data["seq"], on=data["on"], note=data["note"], user=request.user
            )
        except (core.LedgerError, ValueError, TypeError) as exc:
            form.add_error(None, f"Not reversed: {exc}")
            _refused(request, row, "reversal", exc)
        else:
            messages.success(request, f"Entry #{entry.reverses_seq} reversed by entry #{entry.seq}.")
            return HttpResponseRedirect(reverse("victims:order", args=[row.pk]))
    form.fields["seq"].choices = _reversal_choices(row.ledger())  # type: ignore[attr-defined]
    return _order_page(request, row, status=400, reversal_form=form)


@require_POST
@permission_required_audited(*PAY_PERMS)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(RestitutionOrder.objects.select_related("case"), pk=pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = ledger_service.set_plan(
                row, monthly_ability=data["monthly_ability"], first_due=data["first_due"], user=request.user
            )
        except (ValueError, TypeError) as exc:
            form.add_error(None, f"No plan set: {exc}")
        else:  # stored with its audit event (ledger.set_plan)
            messages.success(request, f"Payment plan set: {saved.basis}")
            return HttpResponseRedirect(reverse("victims:order", args=[row.pk]))
    return _order_page(request, row, status=400, plan_form=form)
