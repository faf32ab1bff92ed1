"""The history page (changes only) and the access log page: newest first, 25 a page with the
NHS.UK pagination component, the same number of queries however long, and no page number that
breaks them."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from phb.models import AccessOutcome, RecordAccess, Role
from tests.factories import UserFactory, add_totp

pytestmark = pytest.mark.django_db

PAGES = ["person_history", "person_access_log"]
HOSTILE_PAGES = ["0", "-1", "abc", "1.5", "1e9", "9" * 400, "' OR 1=1 --", "%00", "", "3"]


def phone_changes(holder, count):
    """`count` changes to the phone number, the newest last: 01632 960000, 960001, ..."""
    for number in range(count):
        holder.phone = f"01632 96{number:04d}"
        holder.save()


def accesses(holder, user, count):
    """`count` earlier views of the record, a minute apart, the newest last, what: 'access N'."""
    start = timezone.now() - datetime.timedelta(days=1)
    RecordAccess.objects.bulk_create(
        RecordAccess(
            at=start + datetime.timedelta(minutes=number),
            user=user,
            budget_holder_id=holder.pk,
            outcome=AccessOutcome.VIEWED,
            what=f"access {number}",
            path="/",
        )
        for number in range(count)
    )


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def words(client, url) -> str:
    """The page as read: tags out, spaces collapsed."""
    return " ".join(strip_tags(text(client, url)).split())


def test_history_pages_show_the_older_changes_on_page_2(client, phb_lead, holder):
    phone_changes(holder, 30)  # with the holder's addition, 31 changes: 25 and 6
    client.force_login(phb_lead)
    url = reverse("person_history", args=[holder.pk])
    first = text(client, url)
    assert "→ 01632 960029" in first and "→ 01632 960005" in first
    assert "→ 01632 960004" not in first and "Budget holder added" not in first
    assert "nhsuk-pagination" in first and "Page 2 of 2" in first
    second = text(client, f"{url}?page=2")
    assert "→ 01632 960004" in second and "→ 01632 960000" in second
    assert "Budget holder added" in second
    assert "→ 01632 960029" not in second and "Page 1 of 2" in second
    # Past the end: the last page, as on the caseload.
    assert "Budget holder added" in text(client, f"{url}?page=99")


def test_a_short_history_has_no_pagination(client, phb_lead, holder):
    client.force_login(phb_lead)
    page = text(client, reverse("person_history", args=[holder.pk]))
    assert "Budget holder added" in page
    assert "nhsuk-pagination" not in page


def test_the_access_log_pages_show_the_older_accesses_on_page_2(client, phb_lead, holder):
    accesses(holder, phb_lead, 30)
    client.force_login(phb_lead)
    url = reverse("person_access_log", args=[holder.pk])
    # Newest first: this view of the log, then access 29 down to access 6 on page 1.
    first = words(client, url)
    assert first.index("Access log") < first.index("Access 29 ") < first.index("Access 6 ")
    assert "Access 5 " not in first and "Page 2 of 2" in first
    second = words(client, f"{url}?page=2")
    assert "Access 5 " in second and "Access 0 " in second and "Access 29 " not in second
    assert f"Who {phb_lead.full_name} ({phb_lead.email}) What Access 0 Outcome Viewed" in second


def test_the_pages_link_to_each_other(client, phb_lead, holder):
    client.force_login(phb_lead)
    history = reverse("person_history", args=[holder.pk])
    access_log = reverse("person_access_log", args=[holder.pk])
    assert f'href="{access_log}"' in text(client, history)
    assert f'href="{history}"' in text(client, access_log)


def test_opening_the_access_log_is_logged_as_a_view(client, phb_lead, holder):
    client.force_login(phb_lead)
    text(client, reverse("person_access_log", args=[holder.pk]))
    access = RecordAccess.objects.get(budget_holder_id=holder.pk)
    assert (access.user, access.outcome, access.what) == (
        phb_lead,
        AccessOutcome.VIEWED,
        "access log",
    )


def test_a_refused_attempt_shows_in_the_access_log_as_refused(
    client, phb_lead, other_icb_lead, holder
):
    client.force_login(other_icb_lead)
    assert client.get(reverse("person_access_log", args=[holder.pk])).status_code == 404
    refused = RecordAccess.objects.get(budget_holder_id=holder.pk)
    assert (refused.user, refused.outcome) == (other_icb_lead, AccessOutcome.REFUSED)
    client.force_login(phb_lead)
    log = text(client, reverse("person_access_log", args=[holder.pk]))
    assert other_icb_lead.full_name in log
    assert "Refused (not theirs to see)" in log


def test_the_access_log_tells_apart_two_icbs_staff_of_the_same_name(
    client, icb_admin, holder, other_icb
):
    """Each ICB has its administrator, and both may be called Sam Patel: the log says who
    signed in, so the other ICB's refused attempt does not read as this ICB's own."""
    south = UserFactory(
        role=Role.ICB_ADMIN,
        organisation=other_icb,
        full_name=icb_admin.full_name,
        email="icb.admin@south.example.nhs.uk",
    )
    add_totp(south)
    client.force_login(south)
    assert client.get(reverse("person_detail", args=[holder.pk])).status_code == 404
    client.force_login(icb_admin)
    log = words(client, reverse("person_access_log", args=[holder.pk]))
    assert (
        f"Who {icb_admin.full_name} (icb.admin@south.example.nhs.uk) What Record "
        "Outcome Refused (not theirs to see)"
    ) in log
    assert f"Who {icb_admin.full_name} ({icb_admin.email}) What Access log Outcome Viewed" in log


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_the_same_for_3_and_60_entries(
    client, phb_lead, holder, name, django_assert_num_queries
):
    client.force_login(phb_lead)
    url = reverse(name, args=[holder.pk])
    text(client, url)  # the changes made after a request are attributed to its user
    phone_changes(holder, 2)
    accesses(holder, phb_lead, 2)
    with CaptureQueriesContext(connection) as few:
        text(client, url)
    phone_changes(holder, 60)
    accesses(holder, phb_lead, 60)
    with django_assert_num_queries(len(few)):
        text(client, url)
    with django_assert_num_queries(len(few)):
        text(client, f"{url}?page=3")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("number", HOSTILE_PAGES)
def test_hostile_page_numbers_give_a_page(client, phb_lead, holder, name, number):
    phone_changes(holder, 30)
    accesses(holder, phb_lead, 30)
    client.force_login(phb_lead)
    response = client.get(reverse(name, args=[holder.pk]), {"page": number})
    assert response.status_code == 200
    assert "<td" in response.content.decode()
