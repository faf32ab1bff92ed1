"""Role assignments: several roles, in several ICBs, with dates; acting for one ICB at a time;
the service administrator; and refusals logged as refusals."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
import rules
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from budgets.models import NationalRateSet
from budgets.models.rates import RATE_FIELDS
from phb import services
from phb.models import AccessOutcome, Organisation, RecordAccess, Role, RoleAssignment, User
from phb.permissions import Permission
from tests.budgets.factories import NATIONAL_2027_28
from tests.factories import (
    BudgetHolderFactory,
    OrganisationFactory,
    UserFactory,
    add_totp,
    give_role,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def staff_user(role, organisation, **kwargs):
    user = UserFactory(role=role, organisation=organisation, **kwargs)
    add_totp(user)
    return user


# ---------------------------------------------------------------------------------------------
# One vocabulary, checked one way
# ---------------------------------------------------------------------------------------------


def test_every_permission_has_a_rule_and_every_rule_is_a_permission():
    registered = {name for name in rules.permissions.permissions if "." in name}
    assert registered == {str(permission) for permission in Permission}


def test_every_page_checks_a_permission_or_is_one_anyone_may_open():
    from django.urls import URLPattern, URLResolver, get_resolver

    from phb.views.mixins import PermissionRequiredMixin

    # Pages with no permission of their own: sign-in (allauth), health and liveness, the
    # footer's pages,
    # "home" (which only redirects) and "Your personal health budget" (which lists only the
    # signed-in person's own records and renders each through the permission-checked view).
    open_pages = {"healthz", "livez", "home", "holder_home"} | {
        "accessibility_statement",
        "contact",
        "cookies",
        "privacy_notice",
    }

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name not in ("allauth",) and "allauth" not in str(
                    pattern.urlconf_name
                ):
                    yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern

    unchecked = []
    for pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if pattern.name in open_pages:
            continue
        if view_class is None or not issubclass(view_class, PermissionRequiredMixin):
            unchecked.append(pattern.name)
        elif view_class.permission is None:
            unchecked.append(f"{pattern.name} (no permission named)")
    assert unchecked == []


# ---------------------------------------------------------------------------------------------
# Several roles, with dates
# ---------------------------------------------------------------------------------------------


def test_a_lead_who_also_sits_on_panels_has_both_roles(icb):
    lead = staff_user(Role.PHB_LEAD, icb)
    give_role(lead, Role.PANEL_MEMBER, icb)
    assert lead.roles == {"phb_lead", "panel_member"}
    assert lead.has_perm(Permission.AGREE_BUDGET, BudgetHolderFactory(organisation=icb))


def test_a_role_counts_only_between_its_dates(client, icb, holder):
    ended = UserFactory(role=None)
    give_role(ended, Role.PHB_LEAD, icb, starts_on=datetime.date(2025, 1, 1), ends_on=YESTERDAY)
    future = UserFactory(role=None)
    give_role(future, Role.PHB_LEAD, icb, starts_on=TOMORROW)
    last_day = UserFactory(role=None)
    give_role(last_day, Role.PHB_LEAD, icb, starts_on=datetime.date(2025, 1, 1), ends_on=TODAY)
    for user in (ended, future):
        add_totp(user)
        assert not user.is_staff_member
        client.force_login(user)
        assert client.get(reverse("caseload")).status_code == 404
        assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404
    assert last_day.is_staff_member  # the end date is the last day they hold the role


def test_an_ended_role_is_refused_and_logged_as_refused(client, icb, holder):
    user = UserFactory(role=None)
    give_role(user, Role.PHB_LEAD, icb, starts_on=datetime.date(2025, 1, 1), ends_on=YESTERDAY)
    add_totp(user)
    client.force_login(user)
    assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404
    access = RecordAccess.objects.get(budget_holder_id=holder.pk)
    assert (access.user, access.outcome) == (user, AccessOutcome.REFUSED)


def test_the_database_refuses_a_role_without_an_icb_or_ending_before_it_starts(icb):
    user = UserFactory(role=None)
    refusals = [
        ({"role": Role.PHB_LEAD}, "role_assignment_icb_roles_have_an_icb"),
        (
            {"organisation": icb, "role": Role.CLINICIAN, "ends_on": YESTERDAY},
            "role_assignment_ends_after_it_starts",
        ),
    ]
    for fields, constraint in refusals:
        with pytest.raises(DatabaseError, match=constraint), transaction.atomic():
            RoleAssignment.objects.create(user=user, starts_on=TODAY, **fields)
    RoleAssignment.objects.create(user=user, organisation=icb, role=Role.CLINICIAN, starts_on=TODAY)
    with (
        pytest.raises(DatabaseError, match="role_assignment_no_overlapping_duplicates"),
        transaction.atomic(),
    ):
        RoleAssignment.objects.create(
            user=user, organisation=icb, role=Role.CLINICIAN, starts_on=TOMORROW
        )


# ---------------------------------------------------------------------------------------------
# Acting for one ICB at a time
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_icb_finance(icb, other_icb):
    """A finance officer for both ICBs (North sorts before South, so North is the default)."""
    user = staff_user(Role.FINANCE_OFFICER, icb)
    give_role(user, Role.FINANCE_OFFICER, other_icb)
    return user


def test_someone_with_two_icbs_acts_for_one_and_sees_only_its_people(
    client, two_icb_finance, holder, other_icb_holder, other_icb
):
    client.force_login(two_icb_finance)
    page = client.get(reverse("caseload")).content.decode()
    assert escape(holder.family_name) in page
    assert other_icb_holder.formatted_nhs_number not in page
    assert "Change ICB" in page

    response = client.post(reverse("acting_for"), {"organisation": str(other_icb.pk)})
    assert response.status_code == 302
    page = client.get(reverse("caseload")).content.decode()
    assert other_icb_holder.formatted_nhs_number in page
    assert holder.formatted_nhs_number not in page
    # While acting for South, North's people are not theirs to see: refused, and logged so.
    assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404
    assert RecordAccess.objects.get(budget_holder_id=holder.pk).outcome == AccessOutcome.REFUSED


def test_acting_for_an_icb_without_a_role_there_is_refused(client, two_icb_finance, caplog, holder):
    elsewhere = OrganisationFactory(ods_code="QT7")
    client.force_login(two_icb_finance)
    response = client.post(reverse("acting_for"), {"organisation": str(elsewhere.pk)})
    assert response.status_code == 200
    assert "Select one of the ICBs you work for" in response.content.decode()
    assert "Refused acting for" in caplog.text
    assert client.session.get("phb_acting_for") is None
    assert escape(holder.family_name) in client.get(reverse("caseload")).content.decode()


def test_a_session_choice_for_an_icb_whose_role_ended_falls_back(
    client, two_icb_finance, other_icb, icb
):
    client.force_login(two_icb_finance)
    client.post(reverse("acting_for"), {"organisation": str(other_icb.pk)})
    RoleAssignment.objects.filter(user=two_icb_finance, organisation=other_icb).update(
        starts_on=datetime.date(2025, 1, 1), ends_on=YESTERDAY
    )
    page = client.get(reverse("caseload")).content.decode()
    assert escape(icb.name) in page
    assert "Change ICB" not in page  # one ICB left: nothing to switch


def test_a_page_opened_for_one_icb_cannot_save_after_a_change_of_icb(
    two_icb_finance, other_icb, icb
):
    """Changing ICB gives a new security token: a form drawn for the other ICB, still open in
    another tab, is refused in words and changes nothing (it would have saved into the ICB
    acted for now)."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(two_icb_finance)
    html = browser.get(reverse("acting_for")).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    switched = browser.post(
        reverse("acting_for"), {"organisation": str(other_icb.pk), "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    stale = browser.post(
        reverse("acting_for"), {"organisation": str(icb.pk), "csrfmiddlewaretoken": token}
    )
    assert stale.status_code == 403
    text = unescape(stale.content.decode())
    assert "This page was out of date" in text
    assert "Nothing has been changed." in text
    assert "CSRF" not in text
    assert browser.session["phb_acting_for"] == str(other_icb.pk)
    # Signing out from the old tab still signs them out.
    signed_out = browser.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out["Location"] == reverse("account_login")
    assert "_auth_user_id" not in browser.session


def test_someone_with_one_icb_has_no_switcher(client, phb_lead):
    client.force_login(phb_lead)
    assert "Change ICB" not in client.get(reverse("caseload")).content.decode()
    assert client.get(reverse("acting_for")).status_code == 404


def test_the_header_says_what_they_are_working_as(client, icb):
    lead = staff_user(Role.PHB_LEAD, icb)
    give_role(lead, Role.PANEL_MEMBER, icb)
    client.force_login(lead)
    page = client.get(reverse("caseload")).content.decode()
    assert f"PHB lead, Panel member at {escape(icb.name)}" in page


# ---------------------------------------------------------------------------------------------
# The service administrator: the service, never the people
# ---------------------------------------------------------------------------------------------


def test_the_service_administrator_sees_nobody_and_is_logged_as_refused(
    client, service_admin, holder
):
    client.force_login(service_admin)
    assert client.get(reverse("home"))["Location"] == reverse("service_home")
    assert client.get(reverse("caseload")).status_code == 404
    assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404
    assert client.get(reverse("budgets:person", args=[holder.pk])).status_code == 404
    outcomes = list(
        RecordAccess.objects.filter(budget_holder_id=holder.pk).values_list("outcome", flat=True)
    )
    assert outcomes == [AccessOutcome.REFUSED, AccessOutcome.REFUSED]


def test_the_service_administrator_adds_national_figures_through_the_page(client, service_admin):
    client.force_login(service_admin)
    # Rates are typed as percentages (15 for 0.15).
    data = {
        k: v * 100 if k in RATE_FIELDS else v
        for k, v in NATIONAL_2027_28.items()
        if k != "effective_from"
    }
    data |= {"effective_from_day": "1", "effective_from_month": "4", "effective_from_year": "2027"}
    response = client.post(reverse("budgets:national_rates_new"), data)
    assert response.status_code == 302
    assert NationalRateSet.objects.filter(name="2027/28").exists()


def test_an_icb_administrator_reads_but_cannot_change_national_figures(client, icb_admin):
    client.force_login(icb_admin)
    page = client.get(reverse("budgets:rates")).content.decode()
    assert "The service administrator keeps them up to date" in page
    assert reverse("budgets:national_rates_new") not in page
    assert client.get(reverse("budgets:national_rates_new")).status_code == 404
    national = NationalRateSet.objects.get(effective_from__year=2026)
    edit = reverse("budgets:national_rates_edit", args=[national.pk])
    assert client.post(edit, {"nlw_21_plus": "1.00"}).status_code == 404
    national.refresh_from_db()
    assert national.nlw_21_plus == D("12.71")


def test_the_service_administrator_adds_an_icb_and_its_first_administrator(
    client, service_admin, django_capture_on_commit_callbacks
):
    client.force_login(service_admin)
    response = client.post(
        reverse("service_icb_new"), {"ods_code": "qe9", "name": "NHS East Example ICB"}
    )
    icb = Organisation.objects.get(ods_code="QE9")
    assert response["Location"] == reverse("service_organisation", args=[icb.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("service_organisation", args=[icb.pk]),
            {
                "full_name": "Ash East",
                "email": "ash@east.example.nhs.uk",
                "starts_on_day": str(TODAY.day),
                "starts_on_month": str(TODAY.month),
                "starts_on_year": str(TODAY.year),
            },
        )
    assert response.status_code == 302
    admin = User.objects.get(email="ash@east.example.nhs.uk")
    assert admin.roles == {"icb_admin"} and admin.acting_organisation == icb
    assert not admin.has_usable_password()
    assert len(mail.outbox) == 1
    page = client.get(reverse("service_organisation", args=[icb.pk])).content.decode()
    assert "Ash East" in page


def test_an_administrator_from_a_later_day_is_said_to_start_then(client, service_admin):
    """The ICB has no administrator today, so the page says so, and names the one to come."""
    icb = Organisation.objects.create(ods_code="QE8", name="NHS Later Example ICB")
    client.force_login(service_admin)
    later = TODAY + datetime.timedelta(days=30)
    response = client.post(
        reverse("service_organisation", args=[icb.pk]),
        {
            "full_name": "Lee Later",
            "email": "lee@later.example.nhs.uk",
            "starts_on_day": str(later.day),
            "starts_on_month": str(later.month),
            "starts_on_year": str(later.year),
        },
        follow=True,
    )
    html = unescape(response.content.decode())
    assert (
        f"Lee Later will be an administrator of NHS Later Example ICB from {later:%-d %B %Y}."
    ) in html
    assert "is now an administrator" not in html
    assert f"lee@later.example.nhs.uk), from {later:%-d %B %Y} (not started yet)" in html
    assert "This ICB has no administrator today." in html


def test_an_icb_with_the_same_ods_code_is_refused_in_words(client, service_admin, icb):
    client.force_login(service_admin)
    response = client.post(reverse("service_icb_new"), {"ods_code": icb.ods_code, "name": "X"})
    assert response.status_code == 200
    assert "There is already an ICB with this ODS code" in response.content.decode()


def test_an_icb_administrator_cannot_add_icbs_or_service_administrators(icb_admin):
    with pytest.raises(PermissionDenied):
        services.add_organisation(actor=icb_admin, ods_code="QE8", name="NHS Sneaky ICB")
    with pytest.raises(PermissionDenied):
        services.add_staff_member(
            actor=icb_admin,
            organisation=None,
            email="me@example.nhs.uk",
            full_name="Me",
            roles=[Role.SERVICE_ADMIN],
        )


# ---------------------------------------------------------------------------------------------
# An ICB administrator's staff list
# ---------------------------------------------------------------------------------------------


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_an_icb_administrator_adds_a_member_of_staff_with_two_roles(
    client, icb_admin, icb, django_capture_on_commit_callbacks
):
    client.force_login(icb_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff_create"),
            {
                "full_name": "Robin New",
                "email": "Robin.New@North.example.nhs.uk",
                "roles": ["clinician", "panel_member"],
                **_date("starts_on", TODAY),
            },
        )
    user = User.objects.get(email="robin.new@north.example.nhs.uk")
    assert response["Location"] == reverse("staff_member", args=[user.pk])
    assert user.roles == {"clinician", "panel_member"}
    assert RoleAssignment.objects.filter(user=user, granted_by=icb_admin).count() == 2
    assert len(mail.outbox) == 1


def test_someone_who_works_for_another_icb_keeps_their_account(icb_admin, other_icb):
    existing = staff_user(Role.FINANCE_OFFICER, other_icb)
    user, created = services.add_staff_member(
        actor=icb_admin,
        organisation=icb_admin.acting_organisation,
        email=existing.email.upper(),
        full_name="Someone Else",
        roles=[Role.FINANCE_OFFICER],
    )
    assert (user, created) == (existing, False)
    assert len(user.organisations) == 2
    assert user.full_name == existing.full_name
    assert mail.outbox == []


def test_a_budget_holders_or_the_service_administrators_sign_in_cannot_get_staff_roles(
    client, icb_admin, holder, service_admin
):
    """Staff roles on a person's own sign-in would let them open every record of the ICB."""
    client.force_login(icb_admin)
    for email, words in (
        (holder.user.email, "is already someone else's sign-in: staff need their own work email"),
        (service_admin.email.upper(), "is the service administrator's sign-in"),
    ):
        response = client.post(
            reverse("staff_create"),
            {
                "full_name": "Not Staff",
                "email": email,
                "roles": ["phb_lead"],
                **_date("starts_on", TODAY),
            },
        )
        page = unescape(response.content.decode())
        assert response.status_code == 200 and "There is a problem" in page
        assert words in page
    assert (
        not RoleAssignment.objects.filter(user__in=[holder.user, service_admin])
        .exclude(role=Role.SERVICE_ADMIN)
        .exists()
    )


def test_the_staff_list_shows_only_this_icbs_roles(client, icb_admin, icb, other_icb):
    both = staff_user(Role.CLINICIAN, icb)
    give_role(both, Role.ICB_ADMIN, other_icb)
    client.force_login(icb_admin)
    page = client.get(reverse("staff_member", args=[both.pk])).content.decode()
    assert "Clinician" in page
    assert "ICB administrator" not in page.split("<main", 1)[1].split("Give ", 1)[0]


def test_staff_of_another_icb_are_not_in_the_list(client, icb_admin, other_icb_lead):
    client.force_login(icb_admin)
    assert other_icb_lead.email not in client.get(reverse("staff_list")).content.decode()
    assert client.get(reverse("staff_member", args=[other_icb_lead.pk])).status_code == 404
    assignment = other_icb_lead.role_assignments.get()
    assert client.get(reverse("staff_end_role", args=[assignment.pk])).status_code == 404


def test_giving_a_role_they_already_hold_is_refused_in_words(client, icb_admin, phb_lead):
    client.force_login(icb_admin)
    response = client.post(
        reverse("staff_member", args=[phb_lead.pk]),
        {"role": "phb_lead", **_date("starts_on", TODAY)},
    )
    assert response.status_code == 200
    assert "already has the role PHB lead for those dates" in response.content.decode()
    assert phb_lead.role_assignments.count() == 1


def test_ending_a_role_keeps_its_history(client, icb_admin, phb_lead, today_is):
    assignment = phb_lead.role_assignments.get()
    client.force_login(icb_admin)
    response = client.post(reverse("staff_end_role", args=[assignment.pk]), _date("ends_on", TODAY))
    assert response["Location"] == reverse("staff_member", args=[phb_lead.pk])
    assignment.refresh_from_db()
    assert assignment.ends_on == TODAY
    page = client.get(reverse("staff_member", args=[phb_lead.pk])).content.decode()
    assert f"Until {TODAY:%-d %B %Y}" in page
    today_is(TOMORROW)
    assert not User.objects.get(pk=phb_lead.pk).is_staff_member
    client.force_login(icb_admin)
    page = client.get(reverse("staff_member", args=[phb_lead.pk])).content.decode()
    assert f"Ended {TODAY:%-d %B %Y}" in page


def test_a_role_given_by_mistake_is_withdrawn_before_its_first_day(client, icb_admin, phb_lead):
    """A role that starts tomorrow cannot end before it starts, so it is withdrawn instead:
    they never hold it, and the history keeps that it was given and withdrawn."""
    future = services.grant_role(
        actor=icb_admin,
        user=phb_lead,
        organisation=phb_lead.role_assignments.get().organisation,
        role=Role.PANEL_MEMBER,
        starts_on=TOMORROW,
    )
    url = reverse("staff_end_role", args=[future.pk])
    client.force_login(icb_admin)
    page = unescape(client.get(url).content.decode())
    assert f"This role starts on {TOMORROW:%-d %B %Y}." in page
    assert "Withdraw the role" in page
    response = client.post(url, {"withdraw": "yes"})
    assert response["Location"] == reverse("staff_member", args=[phb_lead.pk])
    assert not RoleAssignment.objects.filter(pk=future.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgh_label FROM phb_roleassignmentevent WHERE pgh_obj_id = %s ORDER BY pgh_id",
            [future.pk],
        )
        assert [label for (label,) in cursor.fetchall()] == ["insert", "delete"]
    # A role already started is not withdrawn: its last day is given instead.
    current = phb_lead.role_assignments.get()
    url = reverse("staff_end_role", args=[current.pk])
    assert "Withdraw the role" not in client.get(url).content.decode()
    refused = client.post(url, {"withdraw": "yes"}, follow=True)
    assert (
        f"This role started on {current.starts_on:%-d %B %Y}, so it cannot be withdrawn: give "
        "its last day instead. Nothing was changed."
    ) in unescape(refused.content.decode())
    assert RoleAssignment.objects.filter(pk=current.pk).exists()


def test_an_administrator_cannot_end_their_own_administrator_role(icb_admin):
    with pytest.raises(ValidationError, match="You cannot end your own administrator role"):
        services.end_role_assignment(
            actor=icb_admin, assignment=icb_admin.role_assignments.get(), ends_on=TODAY
        )


def test_a_role_cannot_end_before_it_started(icb_admin, phb_lead):
    with pytest.raises(ValidationError, match="on or after the day the role started"):
        services.end_role_assignment(
            actor=icb_admin,
            assignment=phb_lead.role_assignments.get(),
            ends_on=datetime.date(2019, 1, 1),
        )


def test_a_roles_last_day_is_from_today_to_a_year_ahead(icb_admin, phb_lead):
    """What someone did in a role up to today stands: its end is not moved into the past (a
    clinician's check of yesterday would lose the role it was made in), nor set for ever."""
    assignment = phb_lead.role_assignments.get()
    assignment.starts_on = TODAY - datetime.timedelta(days=30)
    assignment.save()
    for ends_on, message in (
        (YESTERDAY, "The last day must be today or in the future"),
        (datetime.date(9999, 12, 31), "The last day must be no more than a year from today"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.end_role_assignment(actor=icb_admin, assignment=assignment, ends_on=ends_on)
        assert excinfo.value.message_dict == {"ends_on": [message]}
    assignment.refresh_from_db()
    assert assignment.ends_on is None
    services.end_role_assignment(actor=icb_admin, assignment=assignment, ends_on=TODAY)
    assignment.refresh_from_db()
    assert assignment.ends_on == TODAY


def test_a_role_withdrawn_in_another_tab_is_said_to_be_withdrawn(client, icb_admin, phb_lead):
    future = RoleAssignment.objects.create(
        user=phb_lead,
        organisation=phb_lead.role_assignments.get().organisation,
        role=Role.PANEL_MEMBER,
        starts_on=TOMORROW,
    )
    url = reverse("staff_end_role", args=[future.pk])
    client.force_login(icb_admin)
    assert client.post(url, {"withdraw": "yes"}).status_code == 302
    again = client.post(url, {"withdraw": "yes"}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("staff_member", args=[phb_lead.pk])
    assert "This role has already been withdrawn. Nothing was changed." in unescape(
        again.content.decode()
    )
    # Another ICB's administrator learns nothing of it.
    other_admin = staff_user(Role.ICB_ADMIN, OrganisationFactory(ods_code="QT8"))
    client.force_login(other_admin)
    assert client.post(url, {"withdraw": "yes"}).status_code == 404


def test_only_an_administrator_of_that_icb_gives_roles(phb_lead, other_icb, icb):
    other_admin = staff_user(Role.ICB_ADMIN, other_icb)
    for actor in (phb_lead, other_admin):
        with pytest.raises(PermissionDenied):
            services.grant_role(
                actor=actor, user=phb_lead, organisation=icb, role=Role.ICB_ADMIN, starts_on=TODAY
            )
    assert phb_lead.role_assignments.count() == 1


def test_a_stale_second_tab_does_not_move_a_roles_end(client, icb_admin, phb_lead):
    """Two tabs open the end page of a role with no end: the first ends it on the 6th, and
    the second (which still shows no end) is told, and changes nothing."""
    assignment = phb_lead.role_assignments.get()
    url = reverse("staff_end_role", args=[assignment.pk])
    client.force_login(icb_admin)
    first_end = TODAY + datetime.timedelta(days=13)
    assert 'name="seen_ends_on"' in client.get(url).content.decode()
    first = client.post(url, {**_date("ends_on", first_end), "seen_ends_on": ""})
    assert first.status_code == 302
    second = client.post(
        url, {**_date("ends_on", TODAY + datetime.timedelta(days=38)), "seen_ends_on": ""}
    )
    html = unescape(second.content.decode())
    assert (
        "Someone changed this role after you opened this page: it now ends on "
        f"{first_end:%-d %B %Y}. Check the date, then save again. Nothing was changed."
    ) in html
    assignment.refresh_from_db()
    assert assignment.ends_on == first_end
    # The page now shows the end, and changing it from there works.
    page = unescape(client.get(url).content.decode())
    assert f"to {first_end:%-d %B %Y}: you can change that last day here" in page
    # The page carries the end it shows, so that sending it as it stands is not "stale".
    assert f'name="seen_ends_on" value="{first_end.isoformat()}"' in page
    later = TODAY + datetime.timedelta(days=38)
    client.post(url, {**_date("ends_on", later), "seen_ends_on": first_end.isoformat()})
    assignment.refresh_from_db()
    assert assignment.ends_on == later
    html = unescape(
        client.post(url, {**_date("ends_on", later), "seen_ends_on": "1 May"}).content.decode()
    )
    assert "This page is out of date. Go back, reload the page and try again" in html


@pytest.mark.parametrize(
    "starts_on, message",
    [
        (TODAY - datetime.timedelta(days=366), "The start date must be no more than a year ago"),
        (
            TODAY + datetime.timedelta(days=366),
            "The start date must be no more than a year from today",
        ),
    ],
)
def test_a_role_starts_within_a_year_of_today(icb_admin, phb_lead, icb, starts_on, message):
    with pytest.raises(ValidationError) as excinfo:
        services.grant_role(
            actor=icb_admin,
            user=phb_lead,
            organisation=icb,
            role=Role.CLINICIAN,
            starts_on=starts_on,
        )
    assert excinfo.value.message_dict == {"starts_on": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.add_staff_member(
            actor=icb_admin,
            organisation=icb,
            email="far.away@north.example.nhs.uk",
            full_name="Far Away",
            roles=[Role.CLINICIAN],
            starts_on=starts_on,
        )
    assert excinfo.value.message_dict == {"starts_on": [message]}
    assert not User.objects.filter(email="far.away@north.example.nhs.uk").exists()


def test_adding_someone_who_works_for_another_icb_says_so_and_they_choose_at_sign_in(
    client, icb_admin, other_icb
):
    existing = staff_user(Role.FINANCE_OFFICER, other_icb)
    client.force_login(icb_admin)
    response = client.post(
        reverse("staff_create"),
        {
            "full_name": "Someone Else",
            "email": existing.email,
            "roles": ["finance_officer"],
            **_date("starts_on", TODAY),
        },
        follow=True,
    )
    html = unescape(response.content.decode())
    # Their name is not said: it was given in another ICB.
    assert (
        f"{existing.email} already had a sign-in: they keep it, and now have roles here too."
    ) in html
    # Signing in, they are asked which ICB they are working for, once a session.
    client.force_login(existing)
    assert client.get(reverse("home"))["Location"] == reverse("acting_for")
    client.post(reverse("acting_for"), {"organisation": str(other_icb.pk)})
    assert client.get(reverse("home"))["Location"] == reverse("caseload")


def test_someone_whose_roles_ended_or_have_not_started_is_told_so(client, icb, today_is):
    """Not 'We cannot find your personal health budget record': they are staff, not a budget
    holder."""
    user = staff_user(Role.CARE_COORDINATOR, icb)
    assignment = user.role_assignments.get()
    assignment.starts_on = TOMORROW
    assignment.ends_on = TOMORROW + datetime.timedelta(days=30)
    assignment.save()
    client.force_login(user)
    html = unescape(client.get(reverse("holder_home"), follow=True).content.decode())
    assert "You have no role at the moment" in html
    assert f"Your role Care coordinator at {icb.name} starts on {TOMORROW:%-d %B %Y}." in html
    assert "cannot find your personal health budget record" not in html
    today_is(TOMORROW + datetime.timedelta(days=31))
    client.force_login(user)
    html = unescape(client.get(reverse("holder_home"), follow=True).content.decode())
    ended = TOMORROW + datetime.timedelta(days=30)
    assert f"Your role Care coordinator at {icb.name} ended on {ended:%-d %B %Y}." in html


# ---------------------------------------------------------------------------------------------
# An ICB keeps an administrator; roles end within a year; other ICBs' names are not said
# ---------------------------------------------------------------------------------------------


def test_two_administrators_cannot_end_each_others_roles_and_leave_the_icb_with_none(
    icb_admin, icb
):
    """Ann (icb_admin) ends Bea's role on the 3 December; Bea then cannot end Ann's, on any
    day: after Bea's last day, or Ann's, nobody would give the ICB's staff their roles."""
    bea = staff_user(Role.ICB_ADMIN, icb)
    beas_role = bea.role_assignments.get()
    anns_role = icb_admin.role_assignments.get()
    beas_last_day = TODAY + datetime.timedelta(days=10)
    services.end_role_assignment(actor=icb_admin, assignment=beas_role, ends_on=beas_last_day)
    for ends_on, after in (
        (TODAY + datetime.timedelta(days=5), beas_last_day),
        (TODAY + datetime.timedelta(days=20), TODAY + datetime.timedelta(days=20)),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.end_role_assignment(actor=bea, assignment=anns_role, ends_on=ends_on)
        assert excinfo.value.message_dict == {
            "ends_on": [
                f"{icb.name} would have no administrator after {after:%-d %B %Y}. Give someone "
                "else the administrator role first. Nothing was changed."
            ]
        }
    anns_role.refresh_from_db()
    assert anns_role.ends_on is None
    # Bea's last day can be brought forward while Ann stays.
    services.end_role_assignment(actor=icb_admin, assignment=beas_role, ends_on=TODAY)
    # With a third administrator who stays, Ann's role can end.
    staff_user(Role.ICB_ADMIN, icb)
    services.end_role_assignment(actor=bea, assignment=anns_role, ends_on=beas_last_day)
    anns_role.refresh_from_db()
    assert anns_role.ends_on == beas_last_day


def test_the_last_administrators_role_cannot_end_through_the_page(client, icb_admin, icb):
    bea = staff_user(Role.ICB_ADMIN, icb)
    services.end_role_assignment(
        actor=icb_admin, assignment=bea.role_assignments.get(), ends_on=TODAY
    )
    client.force_login(bea)
    anns_role = icb_admin.role_assignments.get()
    response = client.post(
        reverse("staff_end_role", args=[anns_role.pk]),
        {**_date("ends_on", TOMORROW), "seen_ends_on": ""},
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "There is a problem" in html
    assert f"{icb.name} would have no administrator after {TOMORROW:%-d %B %Y}." in html
    anns_role.refresh_from_db()
    assert anns_role.ends_on is None


def test_the_administrator_who_takes_over_cannot_be_withdrawn(icb_admin, icb):
    """Ann's role ends on 23 December and Cal's starts on the 24th: withdrawing Cal's would
    leave the ICB with nobody after the 23rd. A second administrator to come may go."""
    anns_last_day = TODAY + datetime.timedelta(days=30)
    RoleAssignment.objects.filter(user=icb_admin).update(ends_on=anns_last_day)
    cal = UserFactory(role=None)
    cals_role = services.grant_role(
        actor=icb_admin,
        user=cal,
        organisation=icb,
        role=Role.ICB_ADMIN,
        starts_on=anns_last_day + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_role_assignment(actor=icb_admin, assignment=cals_role)
    assert excinfo.value.messages == [
        f"{icb.name} would have no administrator after {anns_last_day:%-d %B %Y}. Give someone "
        "else the administrator role first. Nothing was changed."
    ]
    assert RoleAssignment.objects.filter(pk=cals_role.pk).exists()
    dee_role = services.grant_role(
        actor=icb_admin,
        user=UserFactory(role=None),
        organisation=icb,
        role=Role.ICB_ADMIN,
        starts_on=TOMORROW,
    )
    services.withdraw_role_assignment(actor=icb_admin, assignment=dee_role)
    assert not RoleAssignment.objects.filter(pk=dee_role.pk).exists()


def test_a_role_given_with_an_end_ends_within_a_year_as_ending_one_does(
    client, icb_admin, phb_lead, icb
):
    for ends_on in (datetime.date(9999, 12, 31), TODAY + datetime.timedelta(days=366)):
        with pytest.raises(ValidationError) as excinfo:
            services.grant_role(
                actor=icb_admin,
                user=phb_lead,
                organisation=icb,
                role=Role.CLINICIAN,
                starts_on=TODAY,
                ends_on=ends_on,
            )
        assert excinfo.value.message_dict == {
            "ends_on": ["The last day must be no more than a year from today"]
        }
    client.force_login(icb_admin)
    response = client.post(
        reverse("staff_member", args=[phb_lead.pk]),
        {
            "role": "clinician",
            **_date("starts_on", TODAY),
            **_date("ends_on", datetime.date(9999, 12, 31)),
        },
    )
    assert "The last day must be no more than a year from today" in unescape(
        response.content.decode()
    )
    assert not phb_lead.role_assignments.filter(role=Role.CLINICIAN).exists()
    a_year = TODAY + datetime.timedelta(days=365)
    services.grant_role(
        actor=icb_admin,
        user=phb_lead,
        organisation=icb,
        role=Role.CLINICIAN,
        starts_on=TODAY,
        ends_on=a_year,
    )
    assert phb_lead.role_assignments.get(role=Role.CLINICIAN).ends_on == a_year


def test_the_service_administrator_sees_when_each_administrator_stops(
    client, service_admin, icb_admin, icb
):
    first_end = TODAY + datetime.timedelta(days=40)
    later = TODAY + datetime.timedelta(days=10)
    later_end = TODAY + datetime.timedelta(days=60)
    RoleAssignment.objects.filter(user=icb_admin).update(ends_on=first_end)
    cal = UserFactory(role=None, full_name="Cal Later", email="cal@north.example.nhs.uk")
    RoleAssignment.objects.create(
        user=cal, organisation=icb, role=Role.ICB_ADMIN, starts_on=later, ends_on=later_end
    )
    client.force_login(service_admin)
    html = unescape(client.get(reverse("service_organisation", args=[icb.pk])).content.decode())
    assert (
        f"{icb_admin.full_name} ({icb_admin.email}), since 1 January 2020, until "
        f"{first_end:%-d %B %Y}"
    ) in html
    assert (
        f"Cal Later (cal@north.example.nhs.uk), from {later:%-d %B %Y} until "
        f"{later_end:%-d %B %Y} (not started yet)"
    ) in html
    assert f"This ICB has no administrator after {later_end:%-d %B %Y}. Add one" in html
    assert "no administrator today" not in html
    # With nobody today either, the page says both.
    RoleAssignment.objects.filter(user=icb_admin).delete()
    html = unescape(client.get(reverse("service_organisation", args=[icb.pk])).content.decode())
    assert (
        f"This ICB has no administrator today, and none after {later_end:%-d %B %Y}. Add one"
    ) in html
    # An administrator with no last day: no warning.
    RoleAssignment.objects.filter(user=cal).update(starts_on=TODAY, ends_on=None)
    html = unescape(client.get(reverse("service_organisation", args=[icb.pk])).content.decode())
    assert "This ICB has no administrator" not in html
    assert f"Cal Later (cal@north.example.nhs.uk), since {TODAY:%-d %B %Y}<" in html


def test_adding_another_icbs_member_of_staff_does_not_say_their_name(
    client, icb_admin, icb, other_icb, service_admin
):
    existing = staff_user(Role.FINANCE_OFFICER, other_icb, full_name="Priya Elsewhere")
    client.force_login(icb_admin)
    response = client.post(
        reverse("staff_create"),
        {
            "full_name": "Someone Else",
            "email": existing.email,
            "roles": ["finance_officer"],
            **_date("starts_on", TODAY),
        },
        follow=True,
    )
    html = unescape(response.content.decode())
    assert f"{existing.email} already had a sign-in: they keep it, and now have roles" in html
    assert "as Priya Elsewhere" not in html
    # Someone who already has a role here is named: the ICB knows them.
    kim = staff_user(Role.CLINICIAN, icb, full_name="Kim Here")
    response = client.post(
        reverse("staff_create"),
        {
            "full_name": "Kim",
            "email": kim.email,
            "roles": ["panel_member"],
            **_date("starts_on", TODAY),
        },
        follow=True,
    )
    assert f"{kim.email} already had a sign-in, as Kim Here: they keep it" in unescape(
        response.content.decode()
    )
    # The service administrator, making them an administrator of a third ICB, likewise.
    third = OrganisationFactory(ods_code="QT9", name="NHS Third Test ICB")
    client.force_login(service_admin)
    response = client.post(
        reverse("service_organisation", args=[third.pk]),
        {"full_name": "Someone Else", "email": existing.email, **_date("starts_on", TODAY)},
        follow=True,
    )
    html = unescape(response.content.decode())
    assert (
        f"{existing.email} already had a sign-in: they keep it, and are now an administrator "
        "of NHS Third Test ICB."
    ) in html
    assert "Priya Elsewhere is now" not in html
