"""A refused attempt on a person's record is logged once as refused and never as a view;
an allowed one is logged once as a view."""

import pytest
from django.urls import reverse

from budgets.models import BudgetLetter, LetterKind
from phb.models import AccessOutcome, RecordAccess

pytestmark = pytest.mark.django_db

# (route, what its address names)
PERSON_PAGES = [
    ("person_detail", "holder"),
    ("person_edit", "holder"),
    ("person_history", "holder"),
    ("person_access_log", "holder"),
    ("budgets:person", "holder"),
    ("budgets:ras_new", "holder"),
    ("budgets:chc_new", "holder"),
    ("budgets:pa_new", "holder"),
    ("budgets:budget_new", "holder"),
    ("budgets:budget", "budget"),
    ("budgets:change_amount", "budget"),
    ("budgets:propose_increase", "budget"),
    ("budgets:letter", "letter"),
    ("holder_home_for", "holder"),
]


@pytest.fixture
def things(holder, paid_budget, phb_lead):
    letter = BudgetLetter.objects.create(
        budget=paid_budget,
        kind=LetterKind.REDUCTION,
        subject="Your personal health budget is going down",
        body_html="<p>A letter.</p>",
        created_by=phb_lead,
    )
    return {"holder": holder.pk, "budget": paid_budget.pk, "letter": letter.pk}


def _outcomes(holder):
    return list(
        RecordAccess.objects.filter(budget_holder_id=holder.pk).values_list("outcome", flat=True)
    )


@pytest.mark.parametrize(("name", "names"), PERSON_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_refused_attempt_is_logged_once_as_refused(
    client, other_icb_lead, holder, things, name, names, method
):
    client.force_login(other_icb_lead)
    response = getattr(client, method)(reverse(name, args=[things[names]]))
    assert response.status_code == 404
    assert _outcomes(holder) == [AccessOutcome.REFUSED]


@pytest.mark.parametrize(("name", "names"), PERSON_PAGES)
def test_a_role_without_the_permission_is_logged_as_refused(
    client, panel_member, holder, things, name, names
):
    allowed_to_panel = {"person_detail", "budgets:person", "budgets:budget", "budgets:letter"}
    client.force_login(panel_member)
    response = client.get(reverse(name, args=[things[names]]))
    if name in allowed_to_panel:
        assert response.status_code == 200
        assert _outcomes(holder) == [AccessOutcome.VIEWED]
    else:
        assert response.status_code == 404
        assert _outcomes(holder) == [AccessOutcome.REFUSED]


@pytest.mark.parametrize(("name", "names"), PERSON_PAGES)
def test_an_allowed_view_is_logged_once_as_a_view(client, phb_lead, holder, things, name, names):
    client.force_login(holder.user if name == "holder_home_for" else phb_lead)
    assert client.get(reverse(name, args=[things[names]])).status_code == 200
    assert _outcomes(holder) == [AccessOutcome.VIEWED]


def test_a_refusal_for_something_that_does_not_exist_names_the_address(client, phb_lead):
    import uuid

    missing = uuid.uuid4()
    client.force_login(phb_lead)
    assert client.get(reverse("budgets:budget", args=[missing])).status_code == 404
    access = RecordAccess.objects.get()
    assert (access.budget_holder_id, access.outcome) == (missing, AccessOutcome.REFUSED)
