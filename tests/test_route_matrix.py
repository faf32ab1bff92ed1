"""Every route × every role × GET and POST: nobody sees or does what is not theirs.

The matrix below names, for each route in the URLconf, who may use it and what they get.
Everyone else signed in gets a 404 (never a 403 that confirms the record exists), and a
signed-out visitor is sent to sign in. A route without an entry fails the test, so a new
page cannot ship without deciding who may open it.

Each request runs in a savepoint that is rolled back, so one actor's POST (say, proposing a
budget) does not change what the next actor sees.
"""

import copy
import datetime
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from budgets import services
from budgets.models import BudgetLetter, HoldingMethod, LetterKind, NationalRateSet
from budgets.services import prepare_next_year
from careplans import services as plan_services
from careplans.models import PlanLetter, PlanLetterKind, ReconsiderationRequest, Review
from careplans.services.reconsideration import record_request
from careplans.services.stopping import request_repayment
from employers.models import TaxYearRateSet
from employers.models.payroll import TAX_YEAR_FIELDS
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.models import Role
from tests.budgets.factories import (
    FY_2026_END,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    proposed_budget,
    questionnaire,
    ras_assessment,
    schedule,
)
from tests.careplans.panel_factories import panel_universe
from tests.careplans.review_factories import plan_in_use
from tests.employers import matrix as employers_matrix
from tests.factories import (
    BudgetHolderFactory,
    HolderUserFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    add_totp,
    give_role,
)
from tests.notification_factories import failed_message

pytestmark = pytest.mark.django_db

ROLE_OF = {
    "lead": Role.PHB_LEAD,
    "coordinator": Role.CARE_COORDINATOR,
    "panel": Role.PANEL_MEMBER,
    "clinician": Role.CLINICIAN,
    "finance": Role.FINANCE_OFFICER,
    "pa_support": Role.PA_EMPLOYER_SUPPORT,
    "icb_admin": Role.ICB_ADMIN,
}
STAFF = tuple(ROLE_OF)
OTHER_STAFF = tuple(f"other_{name}" for name in STAFF)
ACTORS = (
    "anonymous",
    *STAFF,
    *OTHER_STAFF,
    "shared_finance",  # a finance officer for both ICBs, acting for the first (this one)
    "service_admin",
    "holder",
    "other_holder",
    "representative",
    *employers_matrix.PA_ACTORS,
)
EVERYONE_SIGNED_IN = frozenset(ACTORS) - {"anonymous"}
ALL_STAFF = frozenset((*STAFF, *OTHER_STAFF, "shared_finance"))
SAME_ICB_STAFF = frozenset((*STAFF, "shared_finance"))
LOGIN = "login"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Route:
    """Who may use a route, and what they get for GET and POST. Everyone else signed in
    gets 404; a signed-out visitor is sent to sign in. `special` overrides any actor."""

    args: str | None = None  # which object of the universe the URL names
    allowed: frozenset = frozenset()
    get: int = 200
    post: int = 405
    special: dict = field(default_factory=dict)


def only(*actors, **kwargs) -> Route:
    return Route(allowed=frozenset(actors), **kwargs)


def about(obj: str, *actors, **kwargs) -> Route:
    return Route(args=obj, allowed=frozenset(actors), **kwargs)


NO_SECOND_FACTOR = frozenset(
    {"holder", "other_holder", "representative", *employers_matrix.PA_ACTORS}
)
REAUTHENTICATE = 302  # allauth asks for the password again first


def public(get, post, *, signed_in=None, without_second_factor=None) -> Route:
    """A page anyone may reach (allauth's). `signed_in` is what a signed-in person gets
    instead, and `without_second_factor` what one with no authenticator app gets."""
    special = {"anonymous": (get, post)}
    for actor in EVERYONE_SIGNED_IN:
        answer = signed_in or (get, post)
        if actor in NO_SECOND_FACTOR and without_second_factor:
            answer = without_second_factor
        special[actor] = answer
    return Route(special=special)


def account(get, post, **kwargs) -> Route:
    """An allauth page for signed-in people: a visitor is sent to sign in."""
    return public(LOGIN, LOGIN, signed_in=(get, post), **kwargs)


# The panel members in the universe: the panel member chairs, the clinician and the PHB lead sit.
PANEL_MEMBERS = ("panel", "clinician", "lead")
PANEL_ROUTES = {
    "careplans:panel_sessions": only(*ALL_STAFF),
    "careplans:panel_session_new": only("lead", "other_lead", post=200),
    "careplans:approval_policy": only("icb_admin", "other_icb_admin", post=200),
    "careplans:panel_session": about("session", *SAME_ICB_STAFF),
    "careplans:panel_session_edit": about("session", "lead", post=200),
    "careplans:panel_agenda_add": about("session", "lead", post=200),
    "careplans:panel_agenda_item": about("agenda_plan", "lead", get=405, post=302),
    # Sent with nobody ticked: "Select who is here".
    "careplans:panel_attendance": about("session", "lead", post=200),
    "careplans:panel_start": about("session", "lead", get=405, post=302),
    "careplans:panel_close": about("session", "lead", get=405, post=302),
    "careplans:panel_conflict": about("session", *PANEL_MEMBERS, post=200),
    "careplans:panel_pack": about("agenda_plan", *SAME_ICB_STAFF),
    "careplans:panel_decide": about("agenda_plan", *PANEL_MEMBERS, post=200),
    "careplans:panel_summary": about("session", *SAME_ICB_STAFF),
}

# PA employers (issue 10), one dict per part so the parts are built side by side. The PA actors
# and the records these routes name are in tests/employers/matrix.py.

# Employers, their duties, PAs and the issues log (employers/urls_employers.py).
EMPLOYER_VIEWERS = ("pa_support", "lead", "coordinator", "finance", "shared_finance")
EMPLOYER_MANAGERS = ("pa_support", "lead")
EMPLOYER_ROUTES: dict[str, Route] = {
    "employers:dashboard": only(
        *EMPLOYER_VIEWERS, "other_pa_support", "other_lead", "other_coordinator", "other_finance"
    ),
    "employers:set_up": about("reviewed", *EMPLOYER_MANAGERS, post=200),
    "employers:your_pas": about("holder", "holder", "representative"),
    "employers:employer": about("employer", *EMPLOYER_VIEWERS),
    "employers:employer_change": about("employer_section", *EMPLOYER_MANAGERS, post=200),
    "employers:pa_new": about("employer", *EMPLOYER_MANAGERS, post=200),
    "employers:issue_new": about("employer", *EMPLOYER_MANAGERS, post=200),
    "employers:pa": about("assistant", *EMPLOYER_VIEWERS),
    "employers:pa_change": about("assistant", *EMPLOYER_MANAGERS, post=200),
    "employers:pa_leaving": about("assistant", *EMPLOYER_MANAGERS, post=200),
    # The matrix's PA already signs in: the page says so and goes back to the PA.
    "employers:pa_sign_in": about("assistant", *EMPLOYER_MANAGERS, get=302, post=302),
    "employers:issue": about("issue", *EMPLOYER_VIEWERS),
    "employers:issue_advice": about("issue", *EMPLOYER_MANAGERS, post=200),
    "employers:issue_close": about("issue", *EMPLOYER_MANAGERS, post=200),
}


# Timesheets (employers/urls_timesheets.py).
# The PA and the employer's side (the holder and their representative) share the timesheet
# pages; staff who see employers open an employer's timesheets, and PA employer support staff
# and PHB leads enter them for a PA. Staff approve only for a managed-account organisation: the
# universe's employer is the holder, so they get 404 there (tests/employers/
# test_timesheets_staff.py approves for a managed account).
EMPLOYER_SIDE = ("holder", "representative")
TIMESHEET_VIEWERS = (*EMPLOYER_SIDE, "pa")
TIMESHEET_STAFF = ("lead", "coordinator", "finance", "pa_support", "shared_finance")
TIMESHEET_ENTERERS = (*TIMESHEET_VIEWERS, "pa_support", "lead")
TIMESHEET_ROUTES: dict[str, Route] = {
    "employers:my_work": only(*employers_matrix.PA_ACTORS),
    "employers:timesheets_to_approve": about("employer", *EMPLOYER_SIDE),
    "employers:employer_timesheets": about("employer", *TIMESHEET_STAFF),
    "employers:timesheet_new": about("assistant", *TIMESHEET_ENTERERS, post=200),
    "employers:timesheet": about("draft_timesheet", *TIMESHEET_VIEWERS, *TIMESHEET_STAFF),
    "employers:shift_add": about("draft_timesheet", *TIMESHEET_ENTERERS, post=200),
    "employers:timesheet_submit": about("draft_timesheet", *TIMESHEET_ENTERERS, post=200),
    "employers:timesheet_decide": about("submitted_timesheet", *EMPLOYER_SIDE, post=200),
    "employers:shift_change": about("shift", *TIMESHEET_ENTERERS, post=200),
    "employers:shift_remove": about("shift", *TIMESHEET_ENTERERS, post=200),
}


# Pay runs and payslips (employers/urls_payroll.py).
# Who sees an employer's pay runs: staff who see employers, and the employer's side.
PAY_RUN_VIEWERS = ("pa_support", "lead", "coordinator", "finance", "shared_finance")
PAY_RUN_VIEWERS += ("holder", "representative")
PAYROLL = ("pa_support", "finance", "shared_finance")
PAYROLL_ROUTES: dict[str, Route] = {
    "employers:pay_runs": about("employer", *PAY_RUN_VIEWERS),
    "employers:pay_run_start": about("employer", *PAYROLL, get=405, post=302),
    "employers:pay_run": about("pay_run", *PAY_RUN_VIEWERS),
    "employers:pay_run_recalculate": about("draft_pay_run", *PAYROLL, get=405, post=302),
    "employers:pay_run_finalise": about("draft_pay_run", *PAYROLL, post=200),
    "employers:pay_run_correct": about("pay_run", *PAYROLL, get=405, post=302),
    "employers:pay_run_export": about("pay_run", *PAYROLL),
    "employers:payslip": about(
        "payslip",
        "pa",
        "holder",
        "representative",
        "pa_support",
        "lead",
        "finance",
        "shared_finance",
    ),
    "employers:own_payslips": only("pa", "other_pa"),
    # The tax year figures every employer's payroll uses: read with the rates, kept by the
    # service administrator.
    "employers:tax_years": only("icb_admin", "other_icb_admin", "service_admin"),
    "employers:tax_year_new": only("service_admin", post=200),
    "employers:tax_year_edit": about("tax_year", "service_admin", post=200),
}


# Training (employers/urls_training.py, issue 11). ICB administrators and PHB leads keep the
# catalogue; staff who see employers see "Training due" and a PA's training, as do the
# employer's side and the PA; staff who support employers and the employer's side record it.
CATALOGUE_KEEPERS = ("icb_admin", "lead")
TRAINING_VIEWERS = ("lead", "coordinator", "finance", "pa_support", "shared_finance")
TRAINING_VIEWERS += ("holder", "representative", "pa")
TRAINING_RECORDERS = ("lead", "pa_support", "holder", "representative")
TRAINING_ROUTES: dict[str, Route] = {
    "employers:training_catalogue": only(*CATALOGUE_KEEPERS, "other_icb_admin", "other_lead"),
    "employers:training_module_new": only(
        *CATALOGUE_KEEPERS, "other_icb_admin", "other_lead", post=200
    ),
    "employers:training_module": about("training_module", *CATALOGUE_KEEPERS, post=200),
    "employers:training_due": only(
        "lead",
        "coordinator",
        "finance",
        "pa_support",
        "shared_finance",
        *(f"other_{name}" for name in ("lead", "coordinator", "finance", "pa_support")),
    ),
    "employers:pa_training": about("assistant", *TRAINING_VIEWERS),
    "employers:training_record_new": about("assistant", *TRAINING_RECORDERS, post=200),
    "employers:training_evidence": about("training_record", *TRAINING_VIEWERS),
    "employers:my_training": only(*employers_matrix.PA_ACTORS),
}

# Delegated healthcare tasks (employers/urls_delegation.py): the catalogue for the ICB's
# admins, leads and clinicians; the clinical steps for its clinicians; the records for its
# staff and the employer's side; each party's own agreement; the PA's own sign-offs.
CATALOGUE = ("lead", "icb_admin", "clinician")
# Pages about no record show each user their own ICB's (catalogue, work queue).
EVERY_ICB_CATALOGUE = (*CATALOGUE, "other_lead", "other_icb_admin", "other_clinician")
DELEGATION_VIEWERS = (*SAME_ICB_STAFF, "holder", "representative")
DELEGATION_ROUTES: dict[str, Route] = {
    "employers:delegated_tasks": only(*EVERY_ICB_CATALOGUE),
    "employers:delegated_task_add": only(*EVERY_ICB_CATALOGUE, post=200),
    "employers:delegated_task": about("delegated_task", *CATALOGUE, post=200),
    "employers:person_delegations": about("delegation_person", *SAME_ICB_STAFF),
    "employers:delegation_add": about("delegation_person", "clinician", post=200),
    "employers:delegation": about("delegation", *DELEGATION_VIEWERS),
    "employers:delegation_end": about("delegation", "clinician", post=200),
    "employers:competence_start": about("delegation", "clinician", post=200),
    "employers:competence": about("competence", *DELEGATION_VIEWERS, "pa"),
    "employers:competence_agree": about(
        "competence", "clinician", "holder", "representative", "pa", post=200
    ),
    "employers:competence_training": about("competence", "clinician", post=200),
    "employers:competence_assessment": about("competence", "clinician", post=200),
    "employers:competence_sign_off": about("competence", "clinician", post=200),
    "employers:competence_stop": about("competence", "clinician", post=200),
    "employers:delegation_queue": only("clinician", "other_clinician"),
    "employers:employer_sign_offs": about("employer", "holder", "representative"),
    "employers:own_sign_offs": only("pa", "other_pa"),
}


MATRIX: dict[str, Route] = {
    **EMPLOYER_ROUTES,
    **TIMESHEET_ROUTES,
    **PAYROLL_ROUTES,
    **TRAINING_ROUTES,
    **DELEGATION_ROUTES,
    "healthz": public({200, 503}, 405),
    "livez": public(200, 405),
    # The footer's pages, for everyone.
    "accessibility_statement": public(200, 405),
    "contact": public(200, 405),
    "cookies": public(200, 405),
    "privacy_notice": public(200, 405),
    # Sign-in and account pages (allauth). Sign-up is closed: its page says so.
    "account_login": public(200, 200, signed_in=(302, 302)),
    "account_logout": public(302, 302, signed_in=(200, 302)),
    "account_inactive": public(200, 405),
    "account_signup": public(200, 200, signed_in=(302, 302)),
    "account_reauthenticate": account(200, 200),
    "account_email": account(200, 302),
    "account_email_verification_sent": public(200, 405),
    "account_change_password": account(200, 200),
    "account_set_password": account(302, 302),
    "account_reset_password": public(200, 200),
    "account_confirm_login_code": public(302, 302),
    "account_confirm_email": public(200, 404),
    "account_reset_password_from_key_done": public(200, 405),
    "account_reset_password_from_key": public(200, 200),
    "account_reset_password_done": public(200, 405),
    "mfa_index": account(200, 405),
    "mfa_authenticate": public(302, 302),
    "mfa_reauthenticate": account(200, 200, without_second_factor=(302, 302)),
    "mfa_activate_totp": account(REAUTHENTICATE, REAUTHENTICATE),
    # Staff are asked for their password first, and then refused: they cannot turn two-step
    # sign-in off (tests/test_auth.py shows the authenticator stays after a POST).
    "mfa_deactivate_totp": account(
        REAUTHENTICATE, REAUTHENTICATE, without_second_factor=(404, 404)
    ),
    "mfa_view_recovery_codes": account(404, 405),
    "mfa_generate_recovery_codes": account(REAUTHENTICATE, REAUTHENTICATE),
    "mfa_download_recovery_codes": account(404, 404),
    # The core.
    "home": Route(special={actor: (302, 302) for actor in EVERYONE_SIGNED_IN}),
    "caseload": only(*ALL_STAFF),
    "person_create": only(
        "lead",
        "coordinator",
        "icb_admin",
        "other_lead",
        "other_coordinator",
        "other_icb_admin",
        post=200,
    ),
    "person_detail": about("holder", *SAME_ICB_STAFF),
    "person_edit": about("holder", "lead", "coordinator", "icb_admin", post=200),
    "person_sign_in": about("holder", "lead", "coordinator", "icb_admin", post=200),
    "representative_add": about("holder", "lead", "coordinator", "icb_admin", post=200),
    "representative_end": about("representative_row", "lead", "coordinator", "icb_admin", post=200),
    # An empty form is good input: it records that no address is kept.
    "representative_address": about(
        "representative_row", "lead", "coordinator", "icb_admin", post=302
    ),
    "person_history": about("holder", "lead", "icb_admin"),
    "person_access_log": about("holder", "lead", "icb_admin"),
    # Staff, the service administrator and a PA have no budget of their own: sent home.
    "holder_home": only(
        *EVERYONE_SIGNED_IN,
        special={
            actor: (302, 405)
            for actor in (*ALL_STAFF, "service_admin", *employers_matrix.PA_ACTORS)
        },
    ),
    "holder_home_for": about("holder", "holder", "representative"),
    "acting_for": only("shared_finance", post=200),
    "staff_list": only("icb_admin", "other_icb_admin"),
    "staff_create": only("icb_admin", "other_icb_admin", post=200),
    "staff_member": about("lead_user", "icb_admin", post=200),
    "staff_end_role": about("lead_assignment", "icb_admin", post=200),
    "icb_contact_details": only("icb_admin", "other_icb_admin", post=200),
    # The outbox: messages sent for the ICB, and about one person; a failed one sent again.
    "outbox": only(
        "lead", "coordinator", "icb_admin", "other_lead", "other_coordinator", "other_icb_admin"
    ),
    "person_outbox": about("holder", "lead", "coordinator", "icb_admin"),
    "message_retry": about("failed_message", "lead", "coordinator", "icb_admin", post=302),
    "service_home": only("service_admin"),
    "service_icb_new": only("service_admin", post=200),
    "service_organisation": about("icb", "service_admin", post=200),
    # Budgets.
    "budgets:person": about("holder", *SAME_ICB_STAFF),
    "budgets:ras_new": about("holder", "lead", "coordinator", post=200),
    "budgets:chc_new": about("holder", "lead", "coordinator", post=200),
    "budgets:pa_new": about("holder", "lead", "coordinator", post=200),
    "budgets:budget_new": about("holder", "lead", "coordinator", post=200),
    "budgets:budget": about("agreed", *SAME_ICB_STAFF),
    "budgets:edit": about("draft", "lead", "coordinator", post=200),
    "budgets:propose": about("draft", "lead", "coordinator", get=405, post=302),
    "budgets:send_back": about("above_cap", "lead", "coordinator", post=200),
    "budgets:withdraw": about("draft", "lead", "coordinator", post=200),
    "budgets:clinical_check": about("above_cap", "clinician", post=200),
    "budgets:agree": about("above_cap", "lead", get=405, post=302),
    "budgets:payments": about("portion", "lead", "finance", "shared_finance", post=200),
    "budgets:start": about("agreed", "lead", "finance", "shared_finance", get=405, post=302),
    "budgets:record_payment": about("instalment", "lead", "finance", "shared_finance", post=200),
    "budgets:change_amount": about("active", "lead", post=200),
    "budgets:propose_increase": about("active", "lead", post=200),
    "budgets:increase_check": about("active", "clinician", post=200),
    "budgets:payments_due": only(
        "lead", "finance", "shared_finance", "other_lead", "other_finance", post=200
    ),
    "budgets:payment_run": about("payment_run", "lead", "finance", "shared_finance"),
    "budgets:end": about("agreed", "lead", get=405, post=302),
    "budgets:next_year": about("agreed", "lead", "coordinator", get=405, post=302),
    "budgets:what_changed": about("draft", *SAME_ICB_STAFF),
    "budgets:budget_policy": only("icb_admin", "other_icb_admin", post=200),
    "budgets:letter": about("letter", *SAME_ICB_STAFF, "holder", "representative"),
    "budgets:rates": only("icb_admin", "other_icb_admin", "service_admin"),
    "budgets:national_rates_new": only("service_admin", post=200),
    "budgets:national_rates_edit": about("national_rates", "service_admin", post=200),
    "budgets:local_rates_new": only("icb_admin", "other_icb_admin", post=200),
    "budgets:local_rates_edit": about("local_rates", "icb_admin", post=200),
    "budgets:questionnaires": only("lead", "icb_admin", "other_lead", "other_icb_admin", post=200),
    "budgets:questionnaire": about("questionnaire", "lead", "icb_admin", post=200),
    # Care and support plans: the person's plan (a draft, version 2 after a withdrawn 1).
    "careplans:plan": about("holder", *SAME_ICB_STAFF, get=302),
    "careplans:start": about("holder", "lead", "coordinator", get=405, post=302),
    "careplans:your_plan": about("holder", "holder", "representative"),
    "careplans:version": about("plan_draft", *SAME_ICB_STAFF),
    "careplans:sections": about("plan_draft", "lead", "coordinator", post=200),
    "careplans:row_new": about("plan_row_new", "lead", "coordinator", post=200),
    "careplans:row_edit": about("plan_row", "lead", "coordinator", post=200),
    "careplans:row_remove": about("plan_row", "lead", "coordinator", get=200, post=302),
    "careplans:submit": about("plan_draft", "lead", "coordinator", get=405, post=302),
    "careplans:take_back": about("plan_draft", "lead", "coordinator", get=405, post=302),
    "careplans:withdraw": about("plan_draft", "lead", "coordinator", post=200),
    "careplans:new_version": about("plan_draft", "lead", "coordinator", post=200),
    "careplans:compare": about("plan_versions", *SAME_ICB_STAFF),
    "careplans:decide": about("plan_draft", "lead", post=302),
    "careplans:letter": about("plan_letter", *SAME_ICB_STAFF, "holder", "representative"),
    # PDFs of a page: allowed exactly as the page (here a plan letter's) is.
    "document_request": about(
        "pdf_subject", *SAME_ICB_STAFF, "holder", "representative", get=405, post=302
    ),
    "document_status": about("pdf", *SAME_ICB_STAFF, "holder", "representative"),
    "document_download": about("pdf", *SAME_ICB_STAFF, "holder", "representative"),
    # Approval panels (careplans/urls_panels.py).
    **PANEL_ROUTES,
    # Reviews, reconsideration, stopping and repayment (careplans).
    "careplans:reviews_due": only("lead", "coordinator", "other_lead", "other_coordinator"),
    "careplans:review_record": about("review", "lead", "coordinator", post=200),
    "careplans:review_bring_forward": about("reviewed", "lead", "coordinator", post=200),
    "careplans:reconsiderations": only(*ALL_STAFF),
    "careplans:quarterly_figures": only("lead", "icb_admin", "other_lead", "other_icb_admin"),
    "careplans:reconsideration_new": about("reviewed", "lead", "coordinator", post=200),
    "careplans:reconsideration_decide": about("reconsideration", "lead", "panel", post=200),
    "careplans:reconsideration_change_made": about(
        "changed_reconsideration", "lead", "coordinator", post=200
    ),
    "careplans:stop": about("agreed", "lead", post=200),
    "careplans:repayment_new": about("agreed", "lead", "finance", "shared_finance", post=200),
    "careplans:repayment_settle": about("repayment", "lead", "finance", "shared_finance", post=200),
}


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            yield from _routes(
                pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix
            )
        elif isinstance(pattern, URLPattern):
            yield f"{prefix}{pattern.name}"


ROUTES = sorted(set(_routes()))


def test_every_route_is_in_the_matrix():
    assert sorted(set(ROUTES) - set(MATRIX)) == [], "add these routes to MATRIX"
    assert sorted(set(MATRIX) - set(ROUTES)) == [], "these routes no longer exist"


def unused_tax_year():
    """A tax year's figures no pay run has used (the universe's pay runs use 2026/27's), so
    that the service administrator may still correct them."""
    this_year = TaxYearRateSet.objects.get(tax_year_start__year=2026)
    figures = {name: getattr(this_year, name) for name in TAX_YEAR_FIELDS[1:]}
    return TaxYearRateSet.objects.create(
        name="2031/32", tax_year_start=datetime.date(2031, 4, 6), **figures
    )


@pytest.fixture
def universe(db):
    """Two ICBs with one member of staff per role each, a service administrator, people and
    a budget in each state a route needs."""
    icb = OrganisationFactory(name="NHS Matrix North Integrated Care Board", ods_code="QM1")
    other = OrganisationFactory(name="NHS Matrix South Integrated Care Board", ods_code="QM2")
    users = {}
    for name, role in ROLE_OF.items():
        users[name] = UserFactory(role=role, organisation=icb)
        users[f"other_{name}"] = UserFactory(role=role, organisation=other)
    users["shared_finance"] = UserFactory(role=Role.FINANCE_OFFICER, organisation=icb)
    give_role(users["shared_finance"], Role.FINANCE_OFFICER, other)
    users["service_admin"] = UserFactory(role=Role.SERVICE_ADMIN, organisation=None)
    for user in users.values():
        add_totp(user)
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    other_holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    users["holder"], users["other_holder"] = holder.user, other_holder.user
    users["representative"] = RepresentativeFactory(budget_holder=holder).user

    lead, admin = users["lead"], users["icb_admin"]
    local_rates = LocalRateSetFactory(organisation=icb)
    version = questionnaire(admin)
    ras_assessment(lead, holder, version)
    ras_2027 = ras_assessment(
        lead, holder, questionnaire(admin, financial_year=2027), effective_date=FY_2027_START
    )
    chc = chc_package(lead, holder)
    agreed = agreed_budget(
        lead,
        holder,
        chc,
        amount=D("20000.01"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.01"), ""),
        ],
    )
    next_year = {"start": FY_2027_START, "end": FY_2027_END}
    above_cap = proposed_budget(
        lead, holder, ras_2027, amount=D("9000.00"), justification=JUSTIFICATION, **next_year
    )
    # The other person's 2027/28 draft, prepared from their 2026/27 budget.
    this_year = agreed_budget(lead, other_holder, chc_package(lead, other_holder))
    draft = prepare_next_year(actor=lead, budget=this_year)
    letter = BudgetLetter.objects.create(
        budget=agreed,
        kind=LetterKind.REDUCTION,
        subject="Your personal health budget is going down",
        body_html="<p>A letter.</p>",
        created_by=lead,
    )
    # Active for 2027/28 with its payments, an increase waiting for a clinical check, and a
    # payment run that paid its first payment.
    # A third person's, since the other person has a 2027/28 draft.
    finance = users["finance"]
    third_holder = BudgetHolderFactory(organisation=icb)
    active = agreed_budget(
        lead,
        third_holder,
        chc_package(lead, third_holder, effective_date=FY_2027_START),
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    schedule(finance, active.portions.get())
    active = services.activate_budget(actor=finance, budget=active)
    services.propose_increase(
        actor=lead,
        budget=active,
        new_amount=D("200000.00"),
        clinical_justification=JUSTIFICATION,
    )
    instalments = active.portions.get().schedule.instalments.order_by("number")
    run = services.record_payment_run(
        actor=finance,
        instalments=[instalments[0].pk],
        paid_on=FY_2026_START,
        reference="RUN-1",
        due_up_to=FY_2027_START,
    )
    first = plan_services.start_plan(actor=lead, budget_holder=holder)
    plan_services.withdraw_version(actor=lead, version=first, reason="Started by mistake")
    plan_draft = plan_services.new_version(actor=lead, plan=first.plan)
    goal = plan_services.save_goal(
        actor=lead, version=plan_draft, description="Walk to the park", importance="very"
    )
    plan_letter = PlanLetter.objects.create(
        budget_holder=holder,
        version=first,
        kind=PlanLetterKind.DECISION,
        addressed_to=holder.full_name,
        subject="Your care and support plan has been approved",
        body_html="<p>A letter.</p>",
        created_by=lead,
    )
    # A third person with a plan in use, a review due, money asked back and a request to look
    # at that again.
    reviewed = BudgetHolderFactory(organisation=icb)
    plan_version, reviewed_budget, _ = plan_in_use(lead, reviewed, first_payment=FY_2026_START)
    # Asked by the finance officer, so that the PHB lead, who was not part of it, may look at
    # it again.
    repayment = request_repayment(
        actor=finance,
        budget=reviewed_budget,
        ground="unspent",
        amount=D("100.00"),
        explanation="Unspent money built up.",
        due_by=FY_2026_END,
        who_repays="The person",
    )
    request = record_request(
        actor=lead,
        holder=reviewed,
        decision=repayment,
        received_on=repayment.requested_on,
        persons_reasons="I need it.",
    )
    # A decision about the plan changed on reconsideration, not yet put into effect.
    changed = record_request(
        actor=lead,
        holder=reviewed,
        decision=plan_version.decision,
        received_on=timezone.localdate(),
        persons_reasons="The gym was left out.",
        ground="reg8",
    )
    ReconsiderationRequest.objects.filter(pk=changed.pk).update(
        outcome="changed",
        outcome_reasons="It should be in.",
        reconsidered_by=users["panel"],
        decided_at=timezone.now(),
    )
    pdf = GeneratedDocument.objects.create(
        budget_holder=holder,
        kind="plan_letter",
        subject_id=plan_letter.pk,
        description=plan_letter.subject,
        source_version="letter",
        requested_by=lead,
        status=DocumentStatus.DONE,
        content=b"%PDF-1.7",
        pages=1,
        filename="letter.pdf",
    )
    objects = {
        "pdf_subject": {"kind": "plan_letter", "pk": plan_letter.pk},
        "pdf": {"pk": pdf.pk},
        "plan_draft": {"pk": plan_draft.pk},
        "plan_versions": {"pk": plan_draft.pk, "other": first.pk},
        "plan_row_new": {"pk": plan_draft.pk, "kind": "goals"},
        "plan_row": {"pk": plan_draft.pk, "kind": "goals", "row": goal.pk},
        "plan_letter": {"pk": plan_letter.pk},
        "icb": {"pk": icb.pk},
        "active": {"pk": active.pk},
        "instalment": {"pk": active.pk, "instalment": instalments[1].pk},
        "payment_run": {"pk": run.pk},
        "reviewed": {"pk": reviewed.pk},
        "review": {"pk": Review.objects.get(plan=plan_version.plan).pk},
        "repayment": {"pk": repayment.pk},
        "reconsideration": {"pk": request.pk},
        "changed_reconsideration": {"pk": changed.pk},
        "holder": {"pk": holder.pk},
        "representative_row": {"pk": holder.representatives.get().pk},
        "lead_user": {"pk": lead.pk},
        "lead_assignment": {"pk": lead.role_assignments.get().pk},
        "agreed": {"pk": agreed.pk},
        "draft": {"pk": draft.pk},
        "above_cap": {"pk": above_cap.pk},
        "portion": {
            "pk": agreed.pk,
            "portion": agreed.portions.get(method=HoldingMethod.DIRECT_PAYMENT).pk,
        },
        "letter": {"pk": letter.pk},
        "national_rates": {"rate_pk": NationalRateSet.objects.get(effective_from__year=2026).pk},
        "tax_year": {"pk": unused_tax_year().pk},
        "local_rates": {"rate_pk": local_rates.pk},
        "questionnaire": {"pk": version.pk},
        "failed_message": {"pk": failed_message(holder).pk},
    }
    objects |= panel_universe(users, icb)
    objects |= employers_matrix.universe(users, holder, other_holder)
    # Each actor from their own address, as people are: allauth's per-address limits (20
    # password resets a minute) are for one person, not for the whole matrix.
    clients = {"anonymous": Client(REMOTE_ADDR="10.0.0.1")}
    for number, (name, user) in enumerate(users.items(), start=2):
        clients[name] = Client(REMOTE_ADDR=f"10.0.0.{number}")
        clients[name].force_login(user)
    return clients, objects


def _expected(route: Route, actor: str) -> tuple:
    if actor in route.special:
        return route.special[actor]
    if actor == "anonymous":
        return (LOGIN, LOGIN)
    if actor in route.allowed:
        return (route.get, route.post)
    return (404, 404)


def _matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(
            reverse("account_login")
        )
    if isinstance(expected, set):
        return response.status_code in expected
    return response.status_code == expected


def _request(client, method, url):
    """One request whose effects are undone: its database changes are rolled back and the
    client's cookies restored (signing out must not sign the next request out)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _url(name: str, route: Route, objects: dict) -> str:
    if name == "account_confirm_email":
        return reverse(name, kwargs={"key": "not-a-key"})
    if name == "account_reset_password_from_key":
        return reverse(name, kwargs={"uidb36": "0", "key": "not-a-key"})
    return reverse(name, kwargs=objects[route.args] if route.args else None)


@pytest.mark.runs_first
def test_every_route_answers_each_role_as_the_matrix_says(universe):
    """One universe for the whole matrix (each request is undone), and every mismatch
    listed at once."""
    clients, objects = universe
    wrong = []
    for name in ROUTES:
        wrong += _check_route(clients, name, _url(name, MATRIX[name], objects))
    assert wrong == []


def _check_route(clients, name, url) -> list[str]:
    route = MATRIX[name]
    wrong = []
    for actor in ACTORS:
        for method, expected in zip(("GET", "POST"), _expected(route, actor), strict=True):
            response = _request(clients[actor], method, url)
            if not _matches(expected, response):
                wrong.append(
                    f"{name}: {actor} {method} {url}: expected {expected}, got "
                    f"{response.status_code} {response.get('Location', '')}"
                )
    return wrong
