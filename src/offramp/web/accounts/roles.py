"""The office's roles, as Django groups with permissions.

Roles are code, not data: `sync_roles` runs after every `migrate`, so a role's permissions are what this
file says on every installation (a change here is reviewed like any other change). Administrators may
add people to groups in the admin; they cannot silently widen a role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    description: str
    permissions: tuple[str, ...]  # "app_label.codename"
    staff: bool = False


CASE_READ = ("cases.view_case", "cases.view_person", "cases.view_charge", "cases.view_victim")
#: the program directory is public information (SAMHSA, HSDS); analysts and auditors have no need of it
PROGRAMS_READ = (
    "programs.view_organization",
    "programs.view_service",
    "programs.view_location",
    "programs.view_serviceatlocation",
    "programs.view_capacityupdate",
)
#: keeping the directory current: capacity updates and the HSDS 3.0 download
PROGRAMS_COORDINATE = ("programs.add_capacityupdate", "programs.export_directory")
#: recording charging decisions (and reading the policy packs and decisions behind them)
DECIDE = ("decisions.add_decision", "decisions.view_decision")
#: the consent status panel (whether a 42 CFR Part 2 consent is on file; never the SUD information itself)
CONSENT_STATUS = ("treatment.view_consentrecord",)
#: victims (issue 6): whether the victim was consulted (prosecutors, coordinators); the advocate records
#: consultations and letters and sees restitution; the diversion coordinator (the office's restitution
#: clerk) records orders, payments, reversals and payment plans
VICTIMS_STATUS = ("victims.view_victimconsultation",)
VICTIMS_RESTITUTION_READ = (
    "victims.view_restitutionorder",
    "victims.view_ledgerentry",
    "victims.view_paymentplan",
)
VICTIMS_ADVOCATE = (
    "victims.add_victimconsultation",
    "victims.add_letter",
    "victims.view_letter",
)
VICTIMS_RESTITUTION_WRITE = ("victims.add_restitutionorder", "victims.record_payment")

#: record relief (issue 6): the candidate list names people, so it is for prosecutors; follow-up lists exits
#: by case, for supervisors and the coordinator who runs the programs (analysts: aggregates, issue 7)
RELIEF_READ = ("relief.view_candidates",)
FOLLOWUP_READ = ("relief.view_followup",)

ROLES: tuple[Role, ...] = (
    Role(
        "line_prosecutor",
        "Line prosecutor",
        "Reviews drug cases, sees every fact of a case, records charging and diversion decisions.",
        (
            *CASE_READ,
            *PROGRAMS_READ,
            *DECIDE,
            *CONSENT_STATUS,
            *VICTIMS_STATUS,
            "cases.change_case",
            *RELIEF_READ,
        ),
    ),
    Role(
        "supervisor",
        "Supervisor",
        "Everything a line prosecutor does, plus assigning cases and approving deviations from policy.",
        (
            *CASE_READ,
            *PROGRAMS_READ,
            *DECIDE,
            *CONSENT_STATUS,
            *VICTIMS_STATUS,
            "decisions.approve_decision",
            "cases.change_case",
            "cases.assign_case",
            "cases.view_importbatch",
            *RELIEF_READ,
            *FOLLOWUP_READ,
        ),
    ),
    Role(
        "diversion_coordinator",
        "Diversion coordinator",
        "Runs the Diversion & Community Alternatives unit: program directory, referrals, progress.",
        (
            *CASE_READ,
            *PROGRAMS_READ,
            *CONSENT_STATUS,
            "cases.view_programreferral",
            *PROGRAMS_COORDINATE,
            "treatment.add_screening",
            "treatment.add_consentrecord",
            "treatment.add_needsassessment",
            "treatment.add_treatmentreport",
            *VICTIMS_STATUS,
            *VICTIMS_RESTITUTION_READ,
            *VICTIMS_RESTITUTION_WRITE,
            *FOLLOWUP_READ,
        ),
    ),
    Role(
        "victim_advocate",
        "Victim advocate",
        "Consults victims before a diversion offer and tracks restitution.",
        (
            *CASE_READ,
            *PROGRAMS_READ,
            *CONSENT_STATUS,
            *VICTIMS_STATUS,
            *VICTIMS_ADVOCATE,
            *VICTIMS_RESTITUTION_READ,
        ),
    ),
    Role(
        "analyst",
        "Analyst",
        "Measures declinations, diversions, completions and disparity from aggregates; no access to a "
        "person's case file.",
        ("cases.view_importbatch", "cases.export_aggregates"),
    ),
    Role(
        "auditor",
        "Auditor",
        "Reads the audit trail of who did what, when, from where and with what outcome.",
        ("audit.view_auditevent",),
    ),
    Role(
        "administrator",
        "Administrator",
        "The office's IT staff: manages users, roles and imports through the admin site.",
        (
            *CASE_READ,
            *PROGRAMS_READ,
            "cases.change_case",
            "cases.import_cases",
            "cases.export_cases",
            "cases.view_importbatch",
            "programs.export_directory",
            "programs.view_directoryimport",
            "decisions.view_decision",
            "audit.view_auditevent",
            "auth.view_user",
            # resetting a lost authenticator: an administrator removes the device, the user enrols again
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
            "auth.add_user",
            "auth.change_user",
            "auth.view_group",
        ),
        staff=True,
    ),
)

#: diversion lifecycle (issue 6): the coordinator offers diversion, moves referrals and sets conditions;
#: line prosecutors and supervisors see referrals, their history, conditions and the coordinator's board;
#: the victim advocate sees each referral's program and state only (what to tell the victim), not its
#: history, conditions or drug-test entries. Added here in one place, to every role it names.
DIVERSION_VIEW = ("diversion.view_referral", "diversion.view_state")
#: statements made in screening or diversion (free text: referral notes, progress notes, treatment report
#: summaries, needs answers) are not for prosecution: only the diversion unit holds this (issue 13)
STATEMENTS_PERMISSION = "diversion.view_statements"
DIVERSION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "line_prosecutor": DIVERSION_VIEW,
    "supervisor": DIVERSION_VIEW,
    # statements made in screening or diversion are not for prosecution (issue 13): the unit only
    "diversion_coordinator": (*DIVERSION_VIEW, "diversion.coordinate", STATEMENTS_PERMISSION),
    "victim_advocate": ("diversion.view_state",),
}
ROLES = tuple(
    Role(r.slug, r.name, r.description, (*r.permissions, *DIVERSION_PERMISSIONS.get(r.slug, ())), r.staff)
    for r in ROLES
)

#: analytics (issue 7): de-identified aggregates only (the pages read the analytics snapshot, never a case).
#: Analysts and supervisors get everything; line prosecutors read the dashboards and the definitions (how
#: the office is doing) but neither the disparity tables, the exports nor the simulator. Advocates,
#: coordinators, auditors and administrators have no analytics permission (their work is elsewhere).
ANALYTICS_READ = ("analytics.view_dashboards", "analytics.view_definitions")
ANALYTICS_ALL = (
    *ANALYTICS_READ,
    "analytics.view_disparity",
    "analytics.export_analytics",
    "analytics.run_simulation",
)
ANALYTICS_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "line_prosecutor": ANALYTICS_READ,
    "supervisor": ANALYTICS_ALL,
    "analyst": ANALYTICS_ALL,
}
ROLES = tuple(
    Role(r.slug, r.name, r.description, (*r.permissions, *ANALYTICS_PERMISSIONS.get(r.slug, ())), r.staff)
    for r in ROLES
)

ROLE_BY_SLUG = {role.slug: role for role in ROLES}


def sync_roles() -> list[Group]:
    """Create or update one group per role with exactly the role's permissions."""
    # post_migrate reaches apps one at a time; make sure every app's permissions exist first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups = []
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        perms = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)
        groups.append(group)
    return groups


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", None) == "accounts":
        sync_roles()


def role_names_of(user: Any) -> list[str]:
    names = {g.name for g in user.groups.all()}
    return [role.name for role in ROLES if role.name in names]


def role_slugs_of(user: Any) -> list[str]:
    """The slugs of the roles whose groups `user` is in (what consents name as recipients)."""
    names = {g.name for g in user.groups.all()}
    return [role.slug for role in ROLES if role.name in names]
