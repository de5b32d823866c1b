"""The screener form, the consent form, revocation, the needs assessment form and the treatment report form
(diversion coordinators), the case-page panels, and the treatment reports export."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from offramp.core.csvsafe import inert_text
from offramp.core.diversion.voluntariness import NOT_FOR_PROSECUTION
from offramp.core.evaluation.criteria.enums import Need
from offramp.core.screening import needs as core_needs
from offramp.core.screening.consent import (
    CHARGING_USE_WARNING,
    FINAL_DISPOSITION,
    REDISCLOSURE_NOTICE,
    AccessDecision,
    ConsentKind,
    Purpose,
    SudInformation,
)
from offramp.web.accounts.access import permission_required_audited
from offramp.web.accounts.roles import ROLE_BY_SLUG, STATEMENTS_PERMISSION
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.treatment.access import sud_access
from offramp.web.treatment.forms import (
    ConsentForm,
    NeedsAssessmentForm,
    ScreeningForm,
    TreatmentReportForm,
)
from offramp.web.treatment.models import (
    ConsentRecord,
    ConsentRevocation,
    NeedsAssessment,
    Screening,
    TreatmentReport,
)

SCREEN_PERMS = ("cases.view_case", "treatment.add_screening")
CONSENT_PERMS = ("cases.view_case", "treatment.add_consentrecord")
NEEDS_PERMS = ("cases.view_case", "treatment.add_needsassessment")
#: needs are not 42 CFR Part 2 SUD records (housing, work, income... say nothing of substance use), so every
#: case role sees the summary; the raw answers (mental_health among them) only the coordinators who record them
NEEDS_VIEW_PERMS = ("cases.view_case",)


def _need_description(tag: str) -> str:
    need = Need.parse(tag)
    return need.description if need is not None else tag


def needs_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's needs summary: the latest assessment's tags with their descriptions, who and when;
    the answers only for coordinators."""
    if not user.has_perms(NEEDS_VIEW_PERMS):
        return {"show": False}
    latest = NeedsAssessment.objects.filter(case=case).select_related("entered_by").first()
    can_assess = user.has_perms(NEEDS_PERMS)
    answers: list[tuple[str, str]] = []
    statements = user.has_perm(STATEMENTS_PERMISSION)  # the answers are the person's own words
    if latest is not None and can_assess and statements:
        questions = {q["id"]: q["text"] for q in core_needs.definition()["questions"]}
        questions[core_needs.LANGUAGE_NAME] = "Preferred language"
        answers = [(questions.get(key, key), value) for key, value in latest.answers.items()]
    return {
        "show": True,
        "latest": latest,
        "tags": [(tag, _need_description(tag)) for tag in latest.tags] if latest is not None else [],
        "answers": answers,
        "can_assess": can_assess,
        "statements": statements,
        "not_for_prosecution": NOT_FOR_PROSECUTION,
    }


def panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's SUD panels: screenings only when core `decide_access` allows (audited either way),
    the consent status for users who may see it, and the coordinator's links."""
    decision = sud_access(user, case.person, SudInformation.SCREENING_RESULTS)
    screenings = Screening.objects.filter(case=case)
    consents = (
        list(ConsentRecord.objects.filter(person=case.person).select_related("revocation"))
        if user.has_perm("treatment.add_consentrecord")
        else []
    )
    return {
        "decision": decision,
        "status": decision.state.value.replace("_", " "),
        # the rows only when allowed; otherwise only whether any exist (the issue: "exists but is withheld")
        "screenings": list(screenings) if decision.allowed else [],
        "any_screening": screenings.exists(),
        "show_status": user.has_perm("treatment.view_consentrecord"),
        "consents": consents,
        "can_screen": user.has_perms(SCREEN_PERMS),
        "can_consent": user.has_perms(CONSENT_PERMS),
    }


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.case_key])


@permission_required_audited(*SCREEN_PERMS)
def screen(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    # step 1 asks for the instrument (`?instrument=`); step 2 posts it back with the item answers
    instrument_id = request.POST.get("instrument") or request.GET.get("instrument")
    form = ScreeningForm(request.POST or None, instrument_id=instrument_id)
    if request.method == "POST" and form.is_valid() and form.administration is not None:
        with transaction.atomic():  # the screening and its audit event, or neither
            screening = Screening.create_from(case, form.administration, request.user)
            record(
                Action.CREATE,
                object_type="screening",
                object_id=screening.pk,
                detail={"case": case.case_key, "instrument": screening.instrument},
            )
        # TAPS-1 is a pre-screen: say which TAPS-2 modules its reported use calls for (docs/SOURCES.md#taps)
        follow_up = form.administration.result.follow_up
        messages.success(
            request, f"{screening.instrument} screening recorded." + (f" {follow_up}." if follow_up else "")
        )
        return HttpResponseRedirect(_case_url(case))
    status = 404 if form.unknown_instrument else 200
    return render(request, "treatment/screen.html", {"case": case, "form": form}, status=status)


@permission_required_audited(*CONSENT_PERMS)
def consent(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    form = ConsentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            row = ConsentRecord.objects.create(
                person=case.person, case=case, created_by=request.user, **form.cleaned_data
            )
            # the kind and the case, never the patient's name (the audit trail stays pseudonymous)
            record(
                Action.CREATE,
                object_type="consent",
                object_id=row.consent_id,
                detail={"person": case.person.person_key, "case": case.case_key, "kind": row.kind},
            )
        messages.success(request, f"Consent {row.consent_id} recorded.")
        return HttpResponseRedirect(_case_url(case))
    return render(request, "treatment/consent.html", {"case": case, "form": form})


@permission_required_audited(*NEEDS_PERMS)
def needs(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    form = NeedsAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.answers is not None:
        with transaction.atomic():
            row = NeedsAssessment.create_from(
                case,
                form.answers,
                assessed_by=form.cleaned_data["assessed_by"],
                assessed_at=form.cleaned_data["assessed_at"],
                entered_by=request.user,
            )
            # the tags, never the answers (mental_health is sensitive), go into the audit trail
            record(
                Action.CREATE,
                object_type="needs_assessment",
                object_id=row.pk,
                detail={"case": case.case_key, "version": row.version, "tags": list(row.tags)},
            )
        messages.success(request, f"Needs assessment recorded: {', '.join(row.tags) or 'no needs raised'}.")
        return HttpResponseRedirect(_case_url(case))
    return render(request, "treatment/needs.html", {"case": case, "form": form})


@require_POST
@permission_required_audited(*CONSENT_PERMS)
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ConsentRecord.objects.select_related("person"), pk=pk)
    case = row.person.cases.order_by("id").first()
    back = request.POST.get("case_key") or (case.case_key if case else "")
    target = reverse("cases:detail", args=[back]) if back else reverse("cases:queue")
    try:
        with transaction.atomic():
            ConsentRevocation.objects.create(
                consent=row, revoked_on=timezone.localdate(), recorded_by=request.user
            )
            record(Action.CHANGE, object_type="consent", object_id=row.consent_id, detail={"revoked": True})
    except (ValueError, IntegrityError) as exc:
        messages.error(request, f"Not revoked: {exc}.")
        return HttpResponseRedirect(target)
    messages.success(request, f"Consent {row.consent_id} revoked; it takes effect at once.")
    return HttpResponseRedirect(target)


#: the elements §2.31(a) requires of a written consent (2024 text), in its order: the printed consent shows
#: each one under this heading (tests/integration/treatment/test_consent_kinds.py checks every one is there)
REQUIRED_ELEMENTS = (
    ("patient", "Name of the patient (§2.31(a)(1))"),
    ("discloser", "Who may disclose (§2.31(a)(2))"),
    ("information", "How much and what kind of information (§2.31(a)(3))"),
    ("recipients", "To whom (§2.31(a)(4))"),
    ("purpose", "Purpose (§2.31(a)(5))"),
    ("revocation", "Right to revoke (§2.31(a)(6), §2.35(c))"),
    ("expiry", "Expires (date or event, §2.31(a)(7))"),
    ("signature", "Signature of the patient (§2.31(a)(8))"),
    ("signed_on", "Date signed (§2.31(a)(9))"),
)


def _revocation_text(row: ConsentRecord) -> str:
    if row.irrevocable_until_disposition:
        text = f"May not be revoked before the {FINAL_DISPOSITION} (§2.35(c))."
    elif row.irrevocable_until:
        text = f"May not be revoked before {row.irrevocable_until:%Y-%m-%d} (§2.35(c))."
    else:
        text = "May be revoked at any time, except to the extent action has been taken in reliance on it."
    return text


@permission_required_audited(*CONSENT_PERMS)
def print_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The consent as a printable page: every element §2.31(a) requires (the patient named), its kind, for a
    charging-use consent the warning and the counsel offer, and the §2.32 notice."""
    row = get_object_or_404(ConsentRecord.objects.select_related("person", "revocation", "case"), pk=pk)
    record(Action.VIEW, object_type="consent", object_id=row.consent_id, detail={"printable": True})
    roles = [ROLE_BY_SLUG[slug].name if slug in ROLE_BY_SLUG else slug for slug in row.recipient_roles]
    core = row.to_core()
    ends = [f"{row.expires_on:%Y-%m-%d}"] if row.expires_on else []
    if row.expiry_event:
        ends.append(row.expiry_event)
    counsel = core.counsel
    context = {
        "consent": row,
        "kind": ConsentKind(row.kind).description if row.kind in ConsentKind.values() else row.kind,
        "charging": row.kind == ConsentKind.CHARGING_USE.value,
        "warning": CHARGING_USE_WARNING,
        "counsel": counsel.describe() if counsel is not None else "Not recorded.",
        "elements": [
            (
                key,
                label,
                {
                    "patient": row.patient_name
                    or "(not recorded: consent taken before the name was asked for)",
                    "discloser": row.disclosing_program,
                    "information": "; ".join(
                        SudInformation(i).description if i in SudInformation.values() else i
                        for i in row.information
                    ),
                    "recipients": "; ".join([*roles, *row.recipient_usernames]),
                    "purpose": "; ".join(
                        Purpose(p).description if p in Purpose.values() else p
                        for p in sorted(core.covered_purposes)
                    )
                    or "(none this kind of consent covers)",
                    "revocation": _revocation_text(row)
                    + (f" Revoked {row.revocation.revoked_on:%Y-%m-%d}." if row.revoked_on else ""),
                    "expiry": " or ".join(ends),
                    "signature": "______________________________",
                    "signed_on": f"{row.signed_on:%Y-%m-%d}",
                }[key],
            )
            for key, label in REQUIRED_ELEMENTS
        ],
        "notice": REDISCLOSURE_NOTICE,
    }
    return render(request, "treatment/consent_print.html", context)


REPORT_PERMS = ("cases.view_case", "treatment.add_treatmentreport")
#: the export's columns; the ASAM columns are core `diagnosis` information, withheld unless a consent covers it
REPORT_COLUMNS = (
    "report_date",
    "program_name",
    "period_start",
    "period_end",
    "sessions_attended",
    "sessions_scheduled",
    "drug_tests_taken",
    "drug_tests_negative",
    "moud_continuing",
    "asam_level",
    "placed_by",
    "progress_summary",
    "reported_by",
)
ASAM_COLUMNS = ("asam_level", "placed_by")
WITHHELD_CELL = "(withheld)"
#: the person's statements in a report (free text): not for prosecution, only the diversion unit sees them
STATEMENT_COLUMNS = ("progress_summary",)
NOT_FOR_PROSECUTION_CELL = "(not for prosecution)"


def _placement_decision(user: Any, case: Case, reports: list[TreatmentReport]) -> AccessDecision | None:
    """An ASAM level is a level-of-care placement, which core files under `diagnosis`, not
    `treatment_reports`: ask (and audit) separately, only when a disclosed report records one."""
    if not any(r.asam_level for r in reports):
        return None
    return sud_access(user, case.person, SudInformation.DIAGNOSIS)


def reports_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's treatment reports panel: the rows only when core `decide_access` allows
    `treatment_reports` (audited either way); otherwise only whether any exist, and why they are withheld."""
    decision = sud_access(user, case.person, SudInformation.TREATMENT_REPORTS)
    reports = TreatmentReport.objects.filter(case=case)
    rows = list(reports) if decision.allowed else []
    placement = _placement_decision(user, case, rows)
    return {
        "decision": decision,
        "reports": rows,
        "any_report": reports.exists(),
        "placement": placement,
        "can_report": user.has_perms(REPORT_PERMS),
        "statements": user.has_perm(STATEMENTS_PERMISSION),
        "not_for_prosecution": NOT_FOR_PROSECUTION,
    }


@permission_required_audited(*REPORT_PERMS)
def report(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    form = TreatmentReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            row = TreatmentReport.objects.create(case=case, entered_by=request.user, **form.cleaned_data)
            # which case, never what the report says (Part 2 information stays out of the audit trail)
            record(
                Action.CREATE,
                object_type="treatment_report",
                object_id=row.pk,
                detail={"case": case.case_key},
            )
        messages.success(request, "Treatment report recorded.")
        return HttpResponseRedirect(_case_url(case))
    return render(request, "treatment/report.html", {"case": case, "form": form})


def _cell(value: Any) -> str:
    """A CSV cell: empty for unknown, and text a spreadsheet would run as a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return inert_text(str(value))


@permission_required_audited("cases.view_case")
def reports_csv(request: HttpRequest, case_key: str) -> HttpResponse:
    """The case's treatment reports as CSV, for a user a consent covers: the §2.32 notice as the first line
    (`# ...`) and in the X-Redisclosure-Notice header, the consent's scope (`# Scope: ...`), then the column
    header and the rows. Anyone else gets a
    403 with the reason. `sud_access` audits either way."""
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    decision = sud_access(request.user, case.person, SudInformation.TREATMENT_REPORTS)
    if not decision.allowed:  # sud_access has audited the refusal (accounts.access.audit_refusal)
        return HttpResponse(
            f"Treatment reports are withheld: {decision.reason}",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    notice = decision.notice or REDISCLOSURE_NOTICE
    reports = list(TreatmentReport.objects.filter(case=case))
    placement = _placement_decision(request.user, case, reports)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.case_key}-treatment-reports.csv"'
    response["X-Redisclosure-Notice"] = notice
    response.write(f"# {notice}\r\n")
    response.write(f"# Scope: {' '.join((decision.scope or '').split())}\r\n")
    writer = csv.writer(response)
    writer.writerow(REPORT_COLUMNS)
    statements = request.user.has_perm(STATEMENTS_PERMISSION)
    for row in reports:
        writer.writerow(
            [
                NOT_FOR_PROSECUTION_CELL
                if column in STATEMENT_COLUMNS and not statements and getattr(row, column)
                else WITHHELD_CELL
                if column in ASAM_COLUMNS
                and row.asam_level
                and placement is not None
                and not placement.allowed
                else _cell(getattr(row, column))
                for column in REPORT_COLUMNS
            ]
        )
    return response
