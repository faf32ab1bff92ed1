"""The header's one "Delegated tasks" item: a clinician's work queue (which links to the ICB's
task catalogue), or the catalogue itself for the lead and the ICB administrator, who keep it
but sign nobody off. Nobody gets two items for it."""

from html import unescape

import pytest
from django.urls import reverse

from phb.extensions import navigation_items

pytestmark = pytest.mark.django_db


def delegated_tasks_items(user) -> list[str]:
    return [item.url_name for item in navigation_items(user) if item.text == "Delegated tasks"]


@pytest.mark.parametrize(
    ("who", "url_names"),
    [
        ("clinician", ["employers:delegation_queue"]),
        ("phb_lead", ["employers:delegated_tasks"]),
        ("icb_admin", ["employers:delegated_tasks"]),
        ("care_coordinator", []),
        ("pa_employer_support", []),
    ],
)
def test_each_role_has_at_most_one_delegated_tasks_item(who, url_names, request):
    assert delegated_tasks_items(request.getfixturevalue(who)) == url_names


def test_the_header_takes_the_lead_to_the_catalogue(client, phb_lead):
    client.force_login(phb_lead)
    home = unescape(client.get(reverse("caseload")).content.decode())
    catalogue = reverse("employers:delegated_tasks")
    assert f'href="{catalogue}"' in home
    page = unescape(client.get(catalogue).content.decode())
    assert "Delegated healthcare tasks" in page
    assert reverse("employers:delegation_queue") not in page


def test_the_clinicians_queue_and_the_catalogue_link_to_each_other(client, clinician):
    client.force_login(clinician)
    queue, catalogue = reverse("employers:delegation_queue"), reverse("employers:delegated_tasks")
    home = unescape(client.get(reverse("caseload")).content.decode())
    assert f'href="{queue}"' in home
    assert f'href="{catalogue}"' not in home
    assert catalogue in client.get(queue).content.decode()
    assert queue in client.get(catalogue).content.decode()
