"""A PA prints their own payslip in a real browser, with axe on every page: from "Your
payslips" they open the payslip, press "Create a PDF", see it waiting, and download it from
the same page when the real worker has made it."""

import datetime

import pytest
from playwright.sync_api import expect

from employers.models import ShiftKind
from employers.services import payruns
from phb.models import Role
from tests.browser.conftest import Staff
from tests.conftest import running_celery_worker
from tests.documents.helpers import text_of
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery,
    pytest.mark.xdist_group("browser-pages"),  # it sends no form of ours: see conftest
    pytest.mark.django_db(transaction=True),
]

TODAY = datetime.date(2026, 11, 23)


def test_a_pa_downloads_the_pdf_of_their_payslip(
    browser, icb, password, monkeypatch, tax_year_figures
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(organisation=icb), created_by=support.user
    )
    pa_user = PaUserFactory()
    sam = PersonalAssistantFactory(employer=employer, full_name="Sam Carer", user=pa_user)
    weeks_of(sam, support.user, datetime.date(2026, 11, 9), 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=support.user, employer=employer)
    run = payruns.finalise_pay_run(actor=support.user, run=run)

    browser.sign_in(pa_user.email, password)
    browser.goto("/employers/payslips/")
    browser.click(f"{run.pay_date:%-d %B %Y}")
    expect(browser.heading).to_have_text("Your payslip")
    panel = page.locator("#pdf")
    expect(panel).to_contain_text("Make a PDF of this payslip")
    browser.click("Create a PDF", role="button")
    expect(panel).to_contain_text("Waiting to be made")

    with running_celery_worker():
        link = panel.get_by_role("link", name="Download the PDF of this payslip", exact=True)
        expect(link).to_be_visible(timeout=60_000)
        browser.check_accessibility()
        with page.expect_download() as download:
            link.click()
    pdf = text_of(download.value.path().read_bytes())
    assert "Payslip for Sam Carer" in pdf
    assert "£540.00" in pdf
