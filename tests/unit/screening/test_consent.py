"""42 CFR Part 2 access rule: every role x consent state, expiry and revocation at once, §2.32 notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from offramp.core.screening.consent import (
    REDISCLOSURE_NOTICE,
    AccessState,
    Consent,
    ConsentError,
    CounselOffer,
    Purpose,
    SudInformation,
    Viewer,
    decide_access,
)

TODAY = dt.date(2026, 3, 1)
ROLES = ["line_prosecutor", "supervisor", "diversion_coordinator", "victim_advocate", "analyst", "auditor"]

BASE = Consent(
    consent_id="C-1",
    person_key="P-1",
    disclosing_program="Metro Treatment Center",
    recipient_users=frozenset(),
    recipient_roles=frozenset({"diversion_coordinator", "line_prosecutor"}),
    purposes=frozenset({Purpose.MONITOR_DIVERSION.value}),
    information=frozenset({SudInformation.SCREENING_RESULTS.value, SudInformation.TREATMENT_REPORTS.value}),
    signed_on=dt.date(2026, 1, 10),
    starts_on=dt.date(2026, 1, 10),
    expires_on=dt.date(2026, 12, 31),
)

STATES: dict[str, list[Consent]] = {
    "none": [],
    "valid": [BASE],
    "expired": [replace(BASE, expires_on=dt.date(2026, 2, 28))],
    "revoked": [replace(BASE, revoked_on=dt.date(2026, 2, 15))],
    "out_of_scope": [replace(BASE, information=frozenset({SudInformation.DIAGNOSIS.value}))],
}


def ask(consents: list[Consent], role: str, today: dt.date = TODAY, info: str = "screening_results"):  # type: ignore[no-untyped-def]
    return decide_access(
        consents,
        person_key="P-1",
        viewer=Viewer(username=f"{role}-user", roles=frozenset({role})),
        information=info,
        purpose=Purpose.MONITOR_DIVERSION,
        today=today,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", list(STATES))
def test_it_shows_sud_information_only_to_roles_a_valid_consent_names(role: str, state: str) -> None:
    decision = ask(STATES[state], role)

    named = role in BASE.recipient_roles
    expected_allowed = state == "valid" and named
    assert decision.allowed is expected_allowed
    expected_state = {
        "none": AccessState.NONE,
        "valid": AccessState.VALID if named else AccessState.OUT_OF_SCOPE,
        "expired": AccessState.EXPIRED,
        "revoked": AccessState.REVOKED,
        "out_of_scope": AccessState.OUT_OF_SCOPE,
    }[state]
    assert decision.state is expected_state
    assert decision.reason  # a withheld page says why; an allowed one says which consent
    assert decision.notice == (REDISCLOSURE_NOTICE if expected_allowed else None)


def test_it_ends_access_the_day_after_the_expiry_date_and_on_the_day_of_a_revocation() -> None:
    assert ask([BASE], "line_prosecutor", today=dt.date(2026, 12, 31)).allowed is True
    assert ask([BASE], "line_prosecutor", today=dt.date(2027, 1, 1)).state is AccessState.EXPIRED
    revoked = replace(BASE, revoked_on=dt.date(2026, 3, 1))
    assert ask([revoked], "line_prosecutor", today=dt.date(2026, 2, 28)).allowed is True
    assert ask([revoked], "line_prosecutor", today=dt.date(2026, 3, 1)).state is AccessState.REVOKED


def test_it_ends_access_when_the_named_event_happens() -> None:
    until_completion = replace(BASE, expires_on=None, expiry_event="completion of the diversion program")
    assert ask([until_completion], "diversion_coordinator").allowed is True
    done = replace(until_completion, expiry_event_on=dt.date(2026, 2, 20))
    assert ask([done], "diversion_coordinator").state is AccessState.EXPIRED


def test_it_refuses_a_revocation_before_the_irrevocable_date() -> None:
    with pytest.raises(ValueError, match="irrevocable until 2026-06-30"):
        replace(BASE, irrevocable_until=dt.date(2026, 6, 30), revoked_on=dt.date(2026, 3, 1))
    after = replace(BASE, irrevocable_until=dt.date(2026, 2, 1), revoked_on=dt.date(2026, 2, 15))
    assert ask([after], "line_prosecutor").state is AccessState.REVOKED


def test_it_requires_an_end_date_or_event() -> None:
    with pytest.raises(ValueError, match="expiry date or an expiry event"):
        replace(BASE, expires_on=None, expiry_event=None)


def test_it_names_a_user_directly_and_checks_the_information_and_purpose() -> None:
    named = replace(BASE, recipient_roles=frozenset(), recipient_users=frozenset({"alice"}))
    alice = Viewer("alice", frozenset({"analyst"}))
    allowed = decide_access(
        [named],
        person_key="P-1",
        viewer=alice,
        information="treatment_reports",
        purpose="monitor_diversion",
        today=TODAY,
    )
    assert (allowed.allowed, allowed.consent_id) == (True, "C-1")
    wrong_purpose = decide_access(
        [named],
        person_key="P-1",
        viewer=alice,
        information="treatment_reports",
        purpose="charging_decision",
        today=TODAY,
    )
    assert wrong_purpose.state is AccessState.OUT_OF_SCOPE


def test_it_lets_a_valid_consent_win_over_an_expired_one_and_ignores_other_people() -> None:
    old = replace(BASE, consent_id="C-0", expires_on=dt.date(2025, 12, 31))
    someone_else = replace(BASE, consent_id="C-9", person_key="P-2")
    decision = ask([old, BASE, someone_else], "line_prosecutor")
    assert (decision.allowed, decision.consent_id) == (True, "C-1")
    assert ask([someone_else], "line_prosecutor").state is AccessState.NONE


def test_it_does_not_start_before_the_start_date() -> None:
    later = replace(BASE, starts_on=dt.date(2026, 4, 1))
    assert ask([later], "line_prosecutor").state is AccessState.NOT_STARTED


# --- consent kinds, counsel, final disposition, notice and scope (42 CFR Part 2, 2024 rule) ---------------

COUNSEL = CounselOffer(offered=True, response="declined", offered_by="Casey", offered_on=dt.date(2026, 1, 10))
CHARGING = replace(
    BASE, kind="charging_use", purposes=frozenset({Purpose.CHARGING_DECISION.value}), counsel=COUNSEL
)


def ask_for(consents: list[Consent], purpose: Purpose):  # type: ignore[no-untyped-def]
    return decide_access(
        consents,
        person_key="P-1",
        viewer=Viewer(username="lp", roles=frozenset({"line_prosecutor"})),
        information="screening_results",
        purpose=purpose,
        today=TODAY,
    )


def test_a_monitoring_consent_never_covers_the_charging_decision_whatever_it_lists() -> None:
    both = replace(
        BASE, purposes=frozenset({Purpose.MONITOR_DIVERSION.value, Purpose.CHARGING_DECISION.value})
    )
    assert both.covered_purposes == {Purpose.MONITOR_DIVERSION.value}
    refused = ask_for([both], Purpose.CHARGING_DECISION)
    assert (refused.allowed, refused.state) == (False, AccessState.OUT_OF_SCOPE)
    assert "a monitoring consent never covers the charging decision" in refused.reason
    assert ask_for([both], Purpose.MONITOR_DIVERSION).allowed


def test_a_charging_use_consent_covers_only_the_charging_decision() -> None:
    assert ask_for([CHARGING], Purpose.CHARGING_DECISION).allowed
    assert not ask_for([CHARGING], Purpose.MONITOR_DIVERSION).allowed
    assert ask_for([CHARGING, BASE], Purpose.MONITOR_DIVERSION).consent_id == "C-1"


@pytest.mark.parametrize(
    ("counsel", "problem"),
    [
        (None, "needs a record that counsel was offered"),
        (CounselOffer(False, None, "", None), "counsel was not offered"),
        (replace(COUNSEL, response=None), "accepted or declined"),
        (replace(COUNSEL, offered_by=" "), "name who offered counsel"),
        (replace(COUNSEL, offered_on=None), "the date counsel was offered"),
    ],
)
def test_a_charging_use_consent_needs_the_counsel_record(counsel: CounselOffer | None, problem: str) -> None:
    with pytest.raises(ConsentError, match=problem):
        replace(CHARGING, counsel=counsel)


def test_irrevocable_until_is_no_later_than_final_disposition() -> None:
    named = replace(BASE, patient_name="Jordan Example")
    late = replace(named, irrevocable_until=dt.date(2026, 7, 1), final_disposition_on=dt.date(2026, 6, 30))
    assert late.signing_problems() == [
        "irrevocable until 2026-07-01 is later than the final disposition on 2026-06-30 (§2.35(c))"
    ]
    assert replace(late, irrevocable_until=dt.date(2026, 6, 30)).signing_problems() == []
    unknown = replace(named, irrevocable_until=dt.date(2026, 6, 30))
    assert "make the consent irrevocable until final disposition" in unknown.signing_problems()[0]
    event = replace(named, irrevocable_until_disposition=True)
    assert event.signing_problems() == []
    assert not event.revocable_on(dt.date(2030, 1, 1))  # the disposition has not happened
    assert replace(event, final_disposition_on=dt.date(2026, 6, 30)).revocable_on(dt.date(2026, 6, 30))
    with pytest.raises(ConsentError, match="irrevocable until final disposition of the case"):
        replace(event, revoked_on=dt.date(2026, 3, 1))


def test_a_new_consent_names_the_patient() -> None:
    assert "the consent must name the patient (§2.31(a)(1))" in BASE.signing_problems()
    assert replace(BASE, patient_name="Jordan Example").signing_problems() == []


#: §2.32(a)(1) statement 1 as amended by the 2024 final rule, word for word (docs/SOURCES.md#cfr-2-32): the
#: opening sentences up to "applies:" as quoted from the regulation's text; (i)-(iii) and the last sentence
#: as reproduced identically in three public implementations (the eCFR text itself was not in the corpus).
STATEMENT_1 = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In "
    "addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at "
    "least one of the following applies: "
    "(i) Further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
    "(ii) You are a covered entity or business associate and have received the record for treatment, payment, "
    "or health care operations, or "
    "(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part "
    "164, subparts A and E. "
    "A general authorization for the release of medical or other information is NOT sufficient to meet the "
    "required elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)


def test_the_notice_is_statement_1_word_for_word() -> None:
    assert REDISCLOSURE_NOTICE == STATEMENT_1


def test_every_disclosure_carries_statement_1_and_the_scope() -> None:
    assert REDISCLOSURE_NOTICE.startswith(
        "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2)."
    )
    assert "unless authorized by the consent of the patient" in REDISCLOSURE_NOTICE
    decision = ask_for([BASE], Purpose.MONITOR_DIVERSION)
    assert decision.notice == REDISCLOSURE_NOTICE
    assert decision.scope == BASE.scope
    assert BASE.scope == (
        "Consent C-1 (monitoring) from Metro Treatment Center. What: Scores and bands of SUD screening "
        "instruments (UNCOPE, DAST-10 ...); Attendance, drug-test and progress reports from a treatment "
        "program. To whom: diversion_coordinator, line_prosecutor. For what purpose: Monitoring the person's "
        "progress in diversion, e.g. while charges are withheld (§2.35). Until: 2026-12-31."
    )
    refused = ask_for([BASE], Purpose.CHARGING_DECISION)
    assert (refused.notice, refused.scope) == (None, None)
