"""The staff and service administrators' lists make the same number of queries however many
rows they hold (the other list pages assert theirs beside their own tests: caseload, work
queues, payments due, panels, reviews, reconsiderations, rates, questionnaires, history)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phb.models import Role
from tests.factories import OrganisationFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def staff(icb, count):
    """`count` members of staff in the ICB, each a care coordinator who also sits on panels."""
    for _ in range(count):
        give_role(UserFactory(role=Role.CARE_COORDINATOR, organisation=icb), Role.PANEL_MEMBER, icb)


def test_the_staff_list_makes_the_same_queries_for_2_and_120_staff(client, icb_admin, icb):
    client.force_login(icb_admin)
    url = reverse("staff_list")
    staff(icb, 1)
    client.get(url)  # the session and the acting ICB are read once
    few = queries(client, url)
    staff(icb, 119)
    assert queries(client, url) == few
    assert queries(client, url + "?page=3") == few


def test_a_staff_members_page_makes_the_same_queries_for_1_and_12_roles(client, icb_admin, icb):
    member = UserFactory(role=Role.CARE_COORDINATOR, organisation=icb)
    url = reverse("staff_member", args=[member.pk])
    client.force_login(icb_admin)
    client.get(url)
    few = queries(client, url)
    for role in (Role.PANEL_MEMBER, Role.CLINICIAN, Role.FINANCE_OFFICER, Role.PHB_LEAD):
        give_role(member, role, icb)
    assert queries(client, url) == few


def test_the_service_home_makes_the_same_queries_for_2_and_42_icbs(client, service_admin):
    client.force_login(service_admin)
    url = reverse("service_home")
    OrganisationFactory.create_batch(2)
    client.get(url)
    few = queries(client, url)
    OrganisationFactory.create_batch(40)
    assert queries(client, url) == few
