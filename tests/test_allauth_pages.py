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
    tokens = "\n".join(_page(client, holder.user, "account_email"))
    assert "('class', 'nhsuk-radios__input'), ('id', 'email_radio_0')" in tokens
    assert "('start', 'strong', (('class', 'nhsuk-tag nhsuk-tag--orange'),))" in tokens
    # allauth's tags choose the button: "secondary" and "danger,delete".
    assert (
        "('class', 'nhsuk-button nhsuk-button--secondary'), ('data-module', 'nhsuk-button'),"
        in (tokens)
    )
    assert "('class', 'nhsuk-button nhsuk-button--warning')" in tokens


def test_two_factor_page_draws_panels_as_cards(client, holder):
    tokens = _page(client, holder.user, "mfa_index")
    heading = tokens.index("('start', 'h2', (('class', 'nhsuk-card__heading nhsuk-heading-m'),))")
    assert tokens[heading + 1] == "('text', 'Authenticator App')"
