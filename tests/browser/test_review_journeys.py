"""Reviews, reconsideration, stopping and repayment in a real browser, with axe on every page:
a PHB lead records an overdue review (first with mistakes), brings the next one forward, stops
the budget for a legal reason, asks for money back and records it paid; the person's requests
about the stop (which stands) and the money asked back (changed) are recorded and looked at
again by another PHB lead."""

import datetime

import pytest
from playwright.sync_api import expect

from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory

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


def test_review_stop_repayment_and_reconsideration(browser, second_tab, icb, password, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    other_lead = Staff(Role.PHB_LEAD, icb)
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    plan_in_use(
        lead.user,
        ada,
        first_payment=datetime.date(2026, 5, 1),
        approved_on=datetime.date(2026, 4, 20),
    )

    browser.sign_in_with_code(lead.user, lead.secret, password)
    expect(page.get_by_role("main")).to_contain_text("Overdue: 1 Aug 2026")
    browser.click_in_header("Reviews due")
    expect(page.get_by_role("main")).to_contain_text("Overdue by 114 days")
    browser.click("Ada Lovelace")
    expect(browser.heading).to_have_text("Record the review")

    # Mistakes first: nothing chosen for the goal, the plan not right with no changes given.
    browser.select("Who carried out the review", lead.user.full_name)
    browser.fill_date("Date of the review", datetime.date(2026, 11, 20))
    for question, answer in (
        ("Is the plan still right for the person?", "No"),
        ("Was the money used well, as the plan says?", "Yes"),
        ("Is the amount enough to meet the person's needs?", "Yes"),
        ("Were the conditions of the budget kept?", "Yes"),
    ):
        browser.choose(answer, within=page.get_by_role("group", name=question))
    browser.choose("Standard")
    browser.submit("Record the review")
    browser.expect_problem(
        "Say how goal 1 is going",
        page.get_by_role("group", name="Goal 1: Walk Biscuit to the park")
        .get_by_role("radio")
        .first,
    )
    browser.choose(
        "Good progress",
        within=page.get_by_role("group", name="Goal 1: Walk Biscuit to the park"),
    )
    browser.submit("Record the review")
    browser.expect_problem(
        "Say what needs to change in the plan", page.get_by_label("What needs to change")
    )
    browser.fill("What needs to change", "An evening PA visit as well as mornings")
    browser.submit("Record the review")
    browser.expect_success("The review has been recorded")
    expect(page.get_by_role("main")).to_contain_text("Regular review 20 November 2027")

    # Bring the next one (20 November 2027) forward.
    browser.goto(f"/people/{ada.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Regular review due by 20 November 2027")
    browser.click("Bring the next review forward")
    browser.fill_date("New date the review is due by", datetime.date(2027, 1, 4))
    browser.submit("Bring it forward")
    browser.expect_problem(
        "Say why the review is being brought forward",
        page.get_by_label("Why the review is being brought forward"),
    )
    browser.fill("Why the review is being brought forward", "A fall at home")
    browser.submit("Bring it forward")
    browser.expect_success("The review has been brought forward")
    expect(page.get_by_role("main")).to_contain_text("Review brought forward due by 4 January 2027")

    # Stop the budget: without a legal reason, refused; with one, a letter is written.
    browser.click("Stop the budget")
    browser.fill("Reasons, written for the person", "You told us you no longer want a budget.")
    browser.fill_date("Date notice was given to the person", datetime.date(2026, 11, 20))
    browser.fill_date("Date the budget stops", datetime.date(2026, 12, 18))
    browser.submit("Stop the budget")
    browser.expect_problem(
        "Choose the reason the law allows for stopping the budget",
        page.get_by_role("radio", name="The person no longer consents"),
    )
    browser.choose("The person no longer consents")
    browser.submit("Stop the budget")
    browser.expect_success("The budget is stopping and the letter has been written")

    # Ask for money back, then record it paid.
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Ask for money back")
    browser.choose("A substantial amount was unspent and built up")
    browser.fill("Amount to pay back", "300.001")
    browser.fill("Reasons, written for the person", "£300.00 built up and was not spent.")
    browser.fill_date("Date to pay it back by", datetime.date(2027, 1, 31))
    browser.fill("Who must pay it back", "Ada Lovelace")
    browser.submit("Ask for the money back")
    browser.expect_problem(None, page.get_by_label("Amount to pay back"))
    browser.fill("Amount to pay back", "300.00")
    browser.submit("Ask for the money back")
    browser.expect_success("The request for money back has been made")
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Record money paid back against £300.00")
    browser.fill("Amount received", "300.01")
    browser.fill_date("Date the money was received", TODAY)
    browser.submit("Record the payment")
    browser.expect_problem("Only £300.00 is still owed", page.get_by_label("Amount received"))
    browser.fill("Amount received", "300.00")
    browser.submit("Record the payment")
    browser.expect_success("The money received has been recorded")

    # Ada asks for the stop to be looked at again.
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Record a request for reconsideration")
    browser.choose("Stopping the budget from 18 December 2026")
    browser.fill_date("Date the request was received", datetime.date(2026, 11, 21))
    browser.submit("Record the request")
    browser.expect_problem(
        None, page.get_by_label("Why the person asks for the decision to be looked at again")
    )
    browser.fill(
        "Why the person asks for the decision to be looked at again",
        "I was confused when I said it. I want to keep my budget.",
    )
    browser.submit("Record the request")
    browser.expect_success("The request has been recorded")
    expect(page.get_by_role("main")).to_contain_text("2 days")

    # The lead who stopped it cannot decide, and is told so before filling anything in;
    # another lead does, on a phone.
    browser.click("Ada Lovelace")
    expect(page.get_by_role("main")).to_contain_text(
        "You were part of the first decision, so someone else must look at it again"
    )
    expect(page.get_by_role("button", name="Record the outcome")).to_have_count(0)
    second_tab.sign_in_with_code(other_lead.user, other_lead.secret, password)
    second_tab.goto("/plans/reconsideration/")
    second_tab.click("Ada Lovelace")
    second_tab.submit("Record the outcome")
    second_tab.expect_problem(
        None, second_tab.page.get_by_role("radio", name="The decision stands")
    )
    # A stop is never changed (ADR 0043): the page says so, what to do instead, and offers
    # only the outcomes that can be recorded.
    expect(second_tab.page.get_by_role("main")).to_contain_text("set up a new budget for them")
    expect(
        second_tab.page.get_by_role("radio", name="The decision has been changed")
    ).to_have_count(0)
    second_tab.choose("The decision stands")
    second_tab.fill(
        "Reasons, written for the person",
        "You have told us you want to keep a budget: we are setting up a new one for you.",
    )
    second_tab.submit("Record the outcome")
    second_tab.expect_success("The outcome has been recorded and the letter written")
    expect(second_tab.page.get_by_role("main")).to_contain_text("No requests are waiting")

    # Ada asks for the request for money back to be looked at again; it is changed, so it is
    # withdrawn, and the £300.00 she had paid back waits for staff to deal with.
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Record a request for reconsideration")
    browser.choose("The request of 23 November 2026 to pay back £300.00")
    browser.fill_date("Date the request was received", TODAY)
    browser.fill(
        "Why the person asks for the decision to be looked at again",
        "The money paid for respite my coordinator agreed.",
    )
    browser.submit("Record the request")
    browser.expect_success("The request has been recorded")
    second_tab.goto("/plans/reconsideration/")
    second_tab.click("Ada Lovelace")
    second_tab.choose("The decision has been changed")
    second_tab.fill("Reasons, written for the person", "The respite was agreed.")
    second_tab.submit("Record the outcome")
    second_tab.expect_success("The outcome has been recorded and the letter written")
    expect(second_tab.page.get_by_role("main")).to_contain_text(
        "Changed decisions to put into effect"
    )

    # The first lead deals with the money and records it from Ada's record.
    browser.goto(f"/people/{ada.pk}/")
    expect(page.get_by_role("main")).to_contain_text("record what was done with that money")
    browser.click(
        "Record that the change was made for the request of 23 November 2026 to pay back £300.00"
    )
    browser.submit("Record it")
    browser.expect_problem(
        "Enter the date the change was made",
        page.get_by_role("group", name="Date the change was made").get_by_label("Day"),
    )
    browser.fill_date("Date the change was made", TODAY)
    browser.fill("What was changed", "The £300.00 was paid back to Ada.")
    browser.submit("Record it")
    browser.expect_success("It has been recorded that the change was made")
    expect(page.get_by_role("main")).not_to_contain_text("record what was done with that money")
