"""A PHB lead reads the history of a person's record and who has opened it, page by page, in a
real browser (axe on every page)."""

import re

import pytest
from playwright.sync_api import expect

from phb.models import Role
from tests.browser.conftest import Staff
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser-pages"),  # it sends no form of ours: see conftest
    pytest.mark.django_db(transaction=True),
]


def follow(browser, link) -> None:
    """Follow a link outside the main content's plain links (pagination, back link)."""
    with browser.page.expect_navigation():
        link.click()
    browser.check_accessibility()


def test_a_lead_reads_the_history_then_who_opened_the_record(browser, icb, password):
    lead = Staff(Role.PHB_LEAD, icb)
    person = BudgetHolderFactory(organisation=icb, given_name="Grace", family_name="Hopper")
    for number in range(30):  # 30 changes of phone number, newest 01632 960029
        person.phone = f"01632 96{number:04d}"
        person.save()
    browser.sign_in_with_code(lead.user, lead.secret, password)

    browser.goto(f"/people/{person.pk}/")
    expect(browser.heading).to_have_text("Grace Hopper")
    browser.click("See the history of Grace's record")
    expect(browser.heading).to_have_text("History of this record")
    main = browser.page.get_by_role("main")
    expect(main).to_contain_text("→ 01632 960029")
    expect(main).not_to_contain_text("Budget holder added")

    follow(browser, main.get_by_role("link", name=re.compile("Page 2 of 2")))
    expect(main).to_contain_text("Budget holder added")
    expect(main).not_to_contain_text("→ 01632 960029")

    browser.click("See who has opened this record")
    expect(browser.heading).to_have_text("Who has opened this record")
    rows = main.get_by_role("row")
    # Newest first: this look at the access log, then the history pages, then the record.
    expect(rows.nth(1)).to_contain_text(lead.user.full_name)
    expect(rows.nth(1)).to_contain_text("Access log")
    expect(rows.nth(1)).to_contain_text("Viewed")
    expect(rows.nth(2)).to_contain_text("History")

    follow(browser, browser.page.get_by_role("link", name="Back to history"))
    expect(browser.heading).to_have_text("History of this record")
