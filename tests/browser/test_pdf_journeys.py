"""Asking for a PDF in a real browser, with axe on every page: a PHB lead presses "Create a
PDF" on the plan in use, sees it being made, and the download link appears on the same page
when the real worker has made it (the page asks for its status; no refresh). A budget holder
who needs large print prints how their budget was worked out, in 16 point."""

import pytest
from playwright.sync_api import expect

from phb.models import InformationFormat, Role
from tests.browser.conftest import Staff
from tests.careplans.review_factories import plan_in_use
from tests.conftest import running_celery_worker
from tests.documents.helpers import text_of, type_sizes
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery,
    pytest.mark.xdist_group("browser-pages"),  # it sends no form of ours: see conftest
    pytest.mark.django_db(transaction=True),
]


def test_a_plan_pdf_shows_its_progress_then_its_download(browser, icb, password):
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    version, _, _ = plan_in_use(lead.user, ada)

    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.goto(f"/plans/version/{version.pk}/")
    panel = page.locator("#pdf")
    expect(panel).to_contain_text("Make a PDF of this care and support plan")
    browser.click("Create a PDF", role="button")

    # No worker yet: the request waits on the pdf queue, and the page says so.
    expect(panel).to_contain_text("Waiting to be made")
    expect(panel.get_by_role("link", name="Refresh this page")).to_be_visible()

    with running_celery_worker():
        link = panel.get_by_role(
            "link", name="Download the PDF of this care and support plan", exact=True
        )
        expect(link).to_be_visible(timeout=60_000)
        expect(panel).to_contain_text("Ready")
        browser.check_accessibility()
        with page.expect_download() as download:
            link.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert "Ada Lovelace" in text_of(pdf)
    assert "Walk Biscuit to the park" in text_of(pdf)


def test_a_budget_holder_who_needs_large_print_prints_how_their_budget_was_worked_out(
    browser, icb, password
):
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    ada = BudgetHolderFactory(
        organisation=icb,
        given_name="Ada",
        family_name="Lovelace",
        user=HolderUserFactory(),
        information_format=InformationFormat.LARGE_PRINT,
    )
    plan_in_use(lead.user, ada)

    browser.sign_in(ada.user.email, password)
    expect(browser.heading).to_have_text("Your personal health budget")
    panel = page.locator("#pdf")
    expect(panel).to_contain_text("Large-print PDF to print or send")
    expect(panel).to_contain_text("the PDF is made in 16 point type")
    with running_celery_worker():
        browser.click("Create a PDF", role="button")
        link = panel.get_by_role(
            "link", name="Download the PDF of this explanation of the budget", exact=True
        )
        expect(link).to_be_visible(timeout=60_000)
        browser.check_accessibility()
        with page.expect_download() as download:
            link.click()
    pdf = download.value.path().read_bytes()
    assert "How the budget was worked out" in text_of(pdf)
    assert "£20,000.00" in text_of(pdf)
    assert min(type_sizes(pdf)) >= 16
