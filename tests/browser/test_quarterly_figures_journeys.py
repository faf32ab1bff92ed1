"""The quarterly figures in a real browser, with axe on every page: a PHB lead opens them from
the header (the last quarter that ended), chooses the quarter under way by its name, meets the
error a stale address gets, and downloads the figures as a spreadsheet."""

import csv
import datetime
import io

import pytest
from playwright.sync_api import expect

from phb.models import EligibilityGroup, Role
from tests.browser.conftest import Browser, Staff
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser-pages"),  # it sends no form of ours: see conftest
    pytest.mark.django_db(transaction=True),
]

TODAY = datetime.date(2026, 11, 23)


def test_a_lead_reads_and_downloads_the_quarterly_figures(
    browser: Browser, icb, password, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    for group in (EligibilityGroup.CHC, EligibilityGroup.S117):
        plan_in_use(lead.user, BudgetHolderFactory(organisation=icb, eligibility=group))

    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click_in_header("Quarterly figures")
    expect(browser.heading).to_have_text("Quarterly figures")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=2)).to_have_text(
        "Quarter 2 of 2026/27 (1 July to 30 September 2026)"
    )
    in_place = main.get_by_role("table", name="in place on 30 September 2026")
    # Each plan_in_use budget is held partly notional, partly a direct payment.
    all_groups = in_place.get_by_role("row", name="All groups")
    for column in (3, 4):  # Mixed, and the total
        expect(all_groups.get_by_role("cell").nth(column)).to_have_text("2", use_inner_text=True)

    browser.select("Quarter", "Quarter 3 of 2026/27 (1 October to 31 December 2026)")
    browser.click("Show figures", role="button")
    expect(main).to_contain_text("This quarter is not over: these are the figures so far")
    expect(main.get_by_role("table", name="in place on 23 November 2026")).to_be_visible()

    # An address kept from long ago names a quarter the page no longer offers.
    browser.goto("/plans/quarterly-figures/?quarter=2019-q1")
    browser.expect_problem("Select a quarter from the list", page.get_by_label("Quarter"))
    expect(main.get_by_role("table")).to_have_count(0)

    browser.select("Quarter", "Quarter 2 of 2026/27 (1 July to 30 September 2026)")
    browser.click("Show figures", role="button")
    with page.expect_download() as download:
        main.get_by_role("link", name="Download these figures as a spreadsheet (CSV)").click()
    with open(download.value.path(), encoding="utf-8") as spreadsheet:
        rows = list(csv.reader(io.StringIO(spreadsheet.read())))
    assert rows[0][-1] == "Number"
    in_place_rows = [row for row in rows if row[3] == "People with a budget in place"]
    assert sum(int(row[-1]) for row in in_place_rows) == 2
