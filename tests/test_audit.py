"""Every change to personal data is recorded by the database, append-only."""

import re
from html import unescape

import pytest
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from phb.models import RecordAccess

pytestmark = pytest.mark.django_db


def cannot_change(table: str) -> str:
    """What the append-only trigger (pgtrigger.Protect) says when it refuses a change."""
    return re.escape(f"pgtrigger: Cannot update or delete rows from {table} table")


EVENT_TABLES = [
    "phb_budgetholderevent",
    "phb_userevent",
    "phb_organisationevent",
    "phb_representativeevent",
]


@pytest.mark.parametrize("table", EVENT_TABLES)
def test_event_tables_refuse_update_and_delete(table, holder, representative):
    for statement in (f"UPDATE {table} SET pgh_label = 'forged'", f"DELETE FROM {table}"):
        with (
            pytest.raises(ProgrammingError, match=cannot_change(table)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_record_access_log_refuses_update_and_delete(client, phb_lead, holder):
    client.force_login(phb_lead)
    client.get(reverse("person_detail", args=[holder.pk]))
    assert RecordAccess.objects.count() == 1
    for statement in (
        "UPDATE phb_recordaccess SET outcome = 'viewed'",
        "DELETE FROM phb_recordaccess",
    ):
        with (
            pytest.raises(ProgrammingError, match=cannot_change("phb_recordaccess")),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_a_change_through_the_page_is_recorded_with_user_and_url(client, phb_lead, holder):
    client.force_login(phb_lead)
    url = reverse("person_edit", args=[holder.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.pop("date_of_birth")
    data.update(
        {
            "nhs_number": holder.nhs_number,
            "date_of_birth_day": holder.date_of_birth.day,
            "date_of_birth_month": holder.date_of_birth.month,
            "date_of_birth_year": holder.date_of_birth.year,
            "phone": "0113 496 0123",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.phone, c.metadata->>'user', c.metadata->>'url'
            FROM phb_budgetholderevent e JOIN pghistory_context c ON c.id = e.pgh_context_id
            WHERE e.pgh_obj_id = %s AND e.pgh_label = 'update'
            """,
            [holder.pk],
        )
        rows = cursor.fetchall()
    assert rows == [("0113 496 0123", str(phb_lead.pk), url)]


def test_history_page_shows_changes_and_the_access_log_the_views(client, phb_lead, holder):
    client.force_login(phb_lead)
    client.get(reverse("person_detail", args=[holder.pk]))
    page = unescape(client.get(reverse("person_history", args=[holder.pk])).content.decode())
    assert "Budget holder added" in page
    assert "Viewed" not in page
    access_log = reverse("person_access_log", args=[holder.pk])
    assert f'href="{access_log}"' in page
    log = unescape(client.get(access_log).content.decode())
    assert "<td" in log and "Viewed" in log and "Record" in log
    assert phb_lead.full_name in log


def test_history_page_query_count_does_not_grow_with_history(client, phb_lead, holder):
    from django.test.utils import CaptureQueriesContext

    client.force_login(phb_lead)
    url = reverse("person_history", args=[holder.pk])
    client.get(url)
    holder.phone = "01632 960000"  # a change by a person (the request's), as the many are
    holder.save()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(20):
        holder.phone = f"01632 9601{number:02d}"
        holder.save()
        client.get(reverse("person_detail", args=[holder.pk]))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few)
    assert "01632 960119" in page


def test_history_names_fields_in_words(client, phb_lead, holder):
    client.force_login(phb_lead)
    holder.phone = "01632 960999"
    holder.save()
    page = client.get(reverse("person_history", args=[holder.pk])).content.decode()
    assert "Phone number:" in page
    assert "phone:" not in page
