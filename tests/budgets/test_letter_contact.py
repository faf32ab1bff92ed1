"""A letter about a change of amount tells the person how to reach their team, with the
details their ICB has recorded at the time it is written (the letter is kept exactly as sent)."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils.html import escape

from budgets import services
from budgets.models import HoldingMethod
from phb.models import Organisation
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    agreed_budget,
    change_amount,
    chc_package,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reduce(phb_lead, finance_officer, holder, local_rates):
    def reduce():
        package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
        budget = agreed_budget(
            phb_lead,
            holder,
            package,
            amount=D("12000.00"),
            start=FY_2027_START,
            end=FY_2027_END,
            portions=[(HoldingMethod.NOTIONAL, D("12000.00"), "")],
        )
        budget = services.activate_budget(actor=finance_officer, budget=budget)
        (letter,) = change_amount(
            phb_lead,
            budget,
            new_amount=D("10000.00"),
            effective_from=datetime.date(2027, 10, 1),
            reason="Your needs at night have gone down.",
        )
        return letter

    return reduce


def test_the_letter_gives_the_teams_phone_email_address_and_hours(icb, reduce):
    Organisation.objects.filter(pk=icb.pk).update(
        phone="0113 496 0000",
        email="phb.team@north.example.nhs.uk",
        address_line_1="Example House, 1 Example Way",
        town="Northtown",
        postcode="ZZ9 1NA",
        opening_hours="Monday to Friday, 9am to 5pm",
    )
    body = reduce().body_html
    assert "<h3>How to contact us</h3>" in body
    assert f"Contact your personal health budget team at {escape(icb.name)}." in body
    assert "0113 496 0000" in body
    assert "phb.team@north.example.nhs.uk" in body
    assert "Example House, 1 Example Way<br>Northtown<br>ZZ9 1NA" in body
    assert "Monday to Friday, 9am to 5pm" in body


def test_the_letter_invents_no_details_when_none_are_recorded(icb, reduce):
    body = reduce().body_html
    assert f"Contact your personal health budget team at {escape(icb.name)}." in body
    assert "tel:" not in body
    assert "mailto:" not in body


def test_a_letter_keeps_the_details_it_was_sent_with(icb, reduce):
    Organisation.objects.filter(pk=icb.pk).update(phone="0113 496 0000")
    letter = reduce()
    Organisation.objects.filter(pk=icb.pk).update(phone="0113 496 0999")
    letter.refresh_from_db()
    assert "0113 496 0000" in letter.body_html
