"""allauth's own pages draw their elements with the NHS.UK components."""

import pytest
from django.urls import reverse

from tests.test_components import normalise

pytestmark = pytest.mark.django_db


def _page(client, user, url_name) -> list[str]:
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    return normalise(response.content.decode())


def test_email_addresses_page_uses_radios_buttons_and_tags(client, holder):
    from allauth.account.models import EmailAddress

    # A second address, not confirmed: each action has something to act on.
    EmailAddress.objects.create(user=holder.user, email="second@example.org")
    tokens = "\n".join(_page(client, holder.user, "account_email"))
    assert "('class', 'nhsuk-radios__input'), ('id', 'email_radio_0')" in tokens
    assert "('start', 'strong', (('class', 'nhsuk-tag nhsuk-tag--orange'),))" in tokens
    # allauth's tags choose the button: "secondary" and "danger,delete".
    assert (
        "('class', 'nhsuk-button nhsuk-button--secondary'), ('data-module', 'nhsuk-button'),"
        in (tokens)
    )
    assert "('class', 'nhsuk-button nhsuk-button--warning')" in tokens
    # In the service's words, not allauth's ("Make Primary", "Unverified").
    for words in ("Your email addresses", "Make it my main address", "Not confirmed"):
        assert f"('text', '{words}')" in tokens


def test_two_factor_page_draws_panels_as_cards(client, holder):
    tokens = _page(client, holder.user, "mfa_index")
    heading = tokens.index("('start', 'h2', (('class', 'nhsuk-card__heading nhsuk-heading-m'),))")
    assert tokens[heading + 1] == "('text', 'Authenticator app')"


def test_password_and_two_step_pages_are_in_the_services_words(client, phb_lead):
    """Not allauth's "Change Password" or "Two-Factor Authentication"."""
    password = "\n".join(_page(client, phb_lead, "account_change_password"))
    assert "('text', 'Change your password')" in password
    assert "('text', 'Change the password')" in password
    two_step = "\n".join(_page(client, phb_lead, "mfa_index"))
    assert "('text', 'Two-step sign-in')" in two_step
    for words in ("Change Password", "Two-Factor", "Authenticator App", "Deactivate"):
        assert words not in password + two_step


def test_someone_elses_sign_in_address_cannot_be_added_to_an_account(client, holder, icb):
    """allauth lets another account's address through and then fails making it the sign-in
    address (a 500, half saved): it is refused in words, and too long an address too."""
    from allauth.account.models import EmailAddress

    from tests.factories import BudgetHolderFactory, HolderUserFactory

    other = BudgetHolderFactory(organisation=icb, user=HolderUserFactory()).user
    client.force_login(holder.user)
    url = reverse("account_email")
    for typed, message in (
        (other.email.upper(), "This email address is someone else's sign-in"),
        ("b" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ):
        response = client.post(url, {"action_add": "", "email": typed})
        assert response.status_code == 200
        html = response.content.decode().replace("&#x27;", "'")
        assert "There is a problem" in html
        assert message in html
    assert not EmailAddress.objects.filter(user=holder.user).exclude(email=holder.user.email)
    added = client.post(url, {"action_add": "", "email": "new.address@example.org"})
    assert added.status_code == 302
    assert EmailAddress.objects.filter(user=holder.user, email="new.address@example.org").exists()


def test_one_confirmed_address_is_offered_no_action_that_cannot_work(client, holder):
    """With only the address they sign in with, confirmed, there is nothing to make main,
    confirm again or remove."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=holder.user).delete()
    EmailAddress.objects.create(
        user=holder.user, email=holder.user.email, verified=True, primary=True
    )
    html = "\n".join(_page(client, holder.user, "account_email"))
    for words in ("Make it my main address", "Send the confirmation email again", "Remove it"):
        assert words not in html
    assert "Add the email address" in html


def test_staff_with_two_step_sign_in_are_told_why_no_address_can_be_added(client, phb_lead):
    html = "\n".join(_page(client, phb_lead, "account_email"))
    assert "Add the email address" not in html
    assert "protected by two-step sign-in, so an email address cannot be added here" in html
