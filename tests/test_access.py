"""Nobody sees what is not theirs: other ICBs, other people and other roles get 404."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from phb.models import AccessOutcome, RecordAccess

pytestmark = pytest.mark.django_db


def test_staff_see_their_own_icbs_person(client, phb_lead, holder):
    client.force_login(phb_lead)
    response = client.get(reverse("person_detail", args=[holder.pk]))
    assert response.status_code == 200
    assert escape(holder.full_name) in response.content.decode()


def test_opening_a_record_is_logged_as_a_view(client, phb_lead, holder):
    client.force_login(phb_lead)
    client.get(reverse("person_detail", args=[holder.pk]))
    access = RecordAccess.objects.get(budget_holder_id=holder.pk)
    assert access.user == phb_lead
    assert access.outcome == AccessOutcome.VIEWED


@pytest.mark.parametrize(
    "name", ["person_detail", "person_edit", "person_history", "person_access_log"]
)
def test_staff_of_another_icb_get_404_logged_as_refused(client, other_icb_lead, holder, name):
    client.force_login(other_icb_lead)
    response = client.get(reverse(name, args=[holder.pk]))
    assert response.status_code == 404
    access = RecordAccess.objects.get(budget_holder_id=holder.pk)
    assert access.outcome == AccessOutcome.REFUSED
    assert access.user == other_icb_lead


def test_other_icb_person_is_not_in_the_caseload(client, phb_lead, holder, other_icb_holder):
    client.force_login(phb_lead)
    page = client.get(reverse("caseload")).content.decode()
    assert holder.family_name in unescape(page)
    assert other_icb_holder.formatted_nhs_number not in page


def test_budget_holder_sees_only_their_own_page(client, holder, other_holder):
    client.force_login(holder.user)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    assert "Your personal health budget" in response.content.decode()
    assert holder.formatted_nhs_number in response.content.decode()
    assert client.get(reverse("holder_home_for", args=[other_holder.pk])).status_code == 404


@pytest.mark.parametrize("name", ["caseload", "person_create"])
def test_budget_holder_gets_404_on_staff_pages(client, holder, name):
    client.force_login(holder.user)
    assert client.get(reverse(name)).status_code == 404


def test_budget_holder_gets_404_for_staff_record_of_themself(client, holder):
    client.force_login(holder.user)
    assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404


def test_representative_sees_the_person_they_act_for(client, representative, holder, other_holder):
    client.force_login(representative)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    assert f"{holder.given_name}'s personal health budget" in response.content.decode()
    assert client.get(reverse("holder_home_for", args=[other_holder.pk])).status_code == 404


def test_representative_whose_role_ended_sees_nobody(client, representative, holder):
    rep = representative.represents.get()
    rep.ended_on = rep.agreed_on
    rep.save()
    client.force_login(representative)
    response = client.get(reverse("holder_home"))
    assert "not acting for anyone" in response.content.decode()
    assert client.get(reverse("holder_home_for", args=[holder.pk])).status_code == 404


def test_staff_opening_your_budget_are_sent_to_their_caseload(client, phb_lead):
    client.force_login(phb_lead)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload")


def test_staff_get_404_on_the_holders_own_page(client, phb_lead, holder):
    client.force_login(phb_lead)
    assert client.get(reverse("holder_home_for", args=[holder.pk])).status_code == 404


@pytest.mark.parametrize("role_fixture", ["clinician", "finance_officer", "care_coordinator"])
def test_history_needs_lead_or_admin(client, request, role_fixture, holder):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("person_history", args=[holder.pk])).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, holder):
    response = client.get(reverse("person_detail", args=[holder.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_address_lines_are_shown_on_separate_lines_and_escaped(client, holder):
    holder.address_line_1 = "1 <Test> Street"
    holder.save()
    client.force_login(holder.user)
    page = client.get(reverse("holder_home")).content.decode()
    assert "1 &lt;Test&gt; Street<br>Testtown<br>ZZ1 1AA" in page
