"""Pay runs in a real browser, with axe on every page: PA employer support starts a monthly
run from approved timesheets, works it out again, finalises it (first without confirming),
starts a correction; the holder sees it in plain words; the PA sees their own payslip."""

import datetime

import pytest
from playwright.sync_api import expect

from employers.models import ShiftKind
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def second_tab(chromium, live_server):
    context = chromium.new_context(viewport={"width": 375, "height": 800})
    context.set_default_timeout(10_000)
    browser = Browser(context.new_page(), live_server.url)
    yield browser
    context.close()
    assert not browser.unchecked


def test_a_pay_run_from_start_to_payslip(
    browser, second_tab, icb, password, monkeypatch, tax_year_figures
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    ada = BudgetHolderFactory(
        organisation=icb, given_name="Ada", family_name="Lovelace", user=HolderUserFactory()
    )
    employer = EmployerFactory(budget_holder=ada, created_by=support.user)
    pa_user = PaUserFactory()
    sam = PersonalAssistantFactory(employer=employer, full_name="Sam Carer", user=pa_user)
    # 40 day hours at £13.50 in November: £540.00, under every threshold but the employer's
    # NI (£18.45, met by the Employment Allowance).
    weeks_of(sam, support.user, datetime.date(2026, 11, 9), 1, ShiftKind.DAY, "8.00")

    browser.sign_in_with_code(support.user, support.secret, password)
    browser.goto(f"/employers/{employer.pk}/pay-runs/")
    expect(browser.heading).to_have_text("Pay runs for Ada Lovelace")
    browser.submit("Start the next pay run")
    expect(browser.heading).to_have_text("Pay run for 6 November 2026 to 5 December 2026")
    browser.expect_success("The pay run has been worked out: check it, then finalise it")
    expect(page.get_by_role("main")).to_contain_text("£540.00")
    browser.submit("Work it out again")
    browser.expect_success("The pay run has been worked out again")

    browser.click("Finalise this pay run", role="button")
    expect(browser.heading).to_have_text(
        "Finalise the pay run for 6 November 2026 to 5 December 2026"
    )
    browser.submit("Finalise this pay run")
    browser.expect_problem(
        "Confirm that you have checked every payslip",
        page.get_by_role("checkbox", name="I have checked every payslip in this pay run"),
    )
    browser.tick("I have checked every payslip in this pay run")
    browser.submit("Finalise this pay run")
    browser.expect_success("The pay run is finalised. The payslip PDFs are being made.")
    expect(page.get_by_role("main")).to_contain_text("It cannot be changed.")
    browser.click("Sam Carer")
    expect(browser.heading).to_have_text("Payslip for Sam Carer")
    page.go_back()
    browser.check_accessibility()
    browser.submit("Start a correction run")
    browser.expect_success("A correction run has been worked out: check it, then finalise it")

    second_tab.sign_in(ada.user.email, password)
    second_tab.goto(f"/employers/{employer.pk}/pay-runs/")
    expect(second_tab.heading).to_have_text("Paying your PAs")

    second_tab.goto("/accounts/logout/")
    second_tab.submit("Sign out")
    second_tab.sign_in(pa_user.email, password)
    second_tab.goto("/employers/payslips/")
    expect(second_tab.heading).to_have_text("Your payslips")
    second_tab.click("5 December 2026")
    expect(second_tab.heading).to_have_text("Your payslip")
    expect(second_tab.page.get_by_role("main")).to_contain_text("£540.00")
