"""The payslip's workplace pension line says something true for every category and
membership: a member paid £520 or less in a month (the 2026/27 lower limit) pays nothing, and
an eligible jobholder who is not a member opted out (otherwise the run enrolled them)."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from employers.models import (
    PayRun,
    Payslip,
    PensionChoice,
    PersonalAssistant,
    ShiftKind,
    TaxYearRateSet,
)
from employers.payroll_presenters import pension_status
from employers.payslip_documents import _context
from employers.services import payruns
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of

pytestmark = pytest.mark.django_db
APRIL_6 = datetime.date(2026, 4, 6)


def slip(category, member, *, enrolled_now=False, qualifying="0", choice="auto"):
    run = PayRun(
        frequency="monthly",
        rate_set=TaxYearRateSet.objects.get(tax_year_start=APRIL_6),
    )
    return Payslip(
        run=run,
        assistant=PersonalAssistant(pension_choice=choice),
        pension_category=category,
        pension_member=member,
        pension_enrolled_now=enrolled_now,
        pension_qualifying_earnings=D(qualifying),
    )


@pytest.mark.parametrize(
    ("payslip", "words"),
    [
        (
            lambda: slip("eligible", True, enrolled_now=True, qualifying="1513.60"),
            "Eligible for automatic enrolment: enrolled this month, a member",
        ),
        (
            lambda: slip("eligible", True, qualifying="1513.60"),
            "Eligible for automatic enrolment, a member",
        ),
        (
            lambda: slip("eligible", False, qualifying="1513.60", choice="opted_out"),
            "Eligible for automatic enrolment, but opted out: not a member",
        ),
        (lambda: slip("non_eligible", True, qualifying="180"), "A member"),
        (lambda: slip("non_eligible", False, qualifying="180"), "May choose to join, not a member"),
        (
            lambda: slip("non_eligible", False, qualifying="180", choice="opted_out"),
            "Opted out, not a member. May choose to join",
        ),
        # Ava Standard, enrolled in month 8, earning £203.36 in month 9.
        (
            lambda: slip("entitled", True),
            "A member; no contributions this month, as earnings are £520.00 or less",
        ),
        (lambda: slip("entitled", False), "May ask to join, not a member"),
        (
            lambda: slip("entitled", False, choice="opted_out"),
            "Opted out, not a member. May ask to join",
        ),
        (lambda: slip("not_covered", False), "Not covered by automatic enrolment, not a member"),
    ],
)
def test_every_category_and_membership_reads_true(tax_year_figures, payslip, words):
    assert pension_status(payslip()) == words


def test_a_member_earning_below_the_lower_limit_on_the_page_and_the_pdf(
    client, today_is, holder, pa_employer_support
):
    """Asked to join, 4 weeks of 5 days of 2 hours at £12.71 (£508.40, below £520): a member
    with no qualifying earnings, so nothing is paid in."""
    today_is(datetime.date(2026, 4, 20))
    employer = EmployerFactory(budget_holder=holder, created_by=pa_employer_support)
    pa = PersonalAssistantFactory(
        employer=employer, pension_choice=PensionChoice.OPTED_IN, day_rate=D("12.71")
    )
    weeks_of(pa, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "2.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payslip = run.payslips.get()
    assert payslip.gross_pay < D("520") and payslip.pension_member
    words = "A member; no contributions this month, as earnings are £520.00 or less"
    client.force_login(pa_employer_support)
    page = client.get(reverse("employers:payslip", args=[payslip.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(page)))
    assert words in text
    assert "May ask to join" not in text
    assert _context(payslip, None)["pension_status"] == words
