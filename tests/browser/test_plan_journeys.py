"""A care and support plan in a real browser, with axe on every page: the care coordinator adds
an item (a mistake first) and submits the plan, another PHB lead approves it with one item
declined (forgetting the reason first), and the person reads the reason on "Your plan"."""

import re
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import NationalRateSet
from careplans.models import ApprovalPolicy, PlanStatus, PlanVersion
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2026_START,
    NATIONAL_2026_27,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
)
from tests.careplans.test_plan_services import complete_draft
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_plan_written_submitted_approved_with_a_decline_and_read_by_the_person(
    browser, chromium, live_server, icb, password
):
    NationalRateSet.objects.get_or_create(effective_from=FY_2026_START, defaults=NATIONAL_2026_27)
    LocalRateSetFactory(organisation=icb)
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    coordinator = Staff(Role.CARE_COORDINATOR, icb)
    lead = Staff(Role.PHB_LEAD, icb)
    ada = BudgetHolderFactory(
        organisation=icb, given_name="Ada", family_name="Lovelace", user=HolderUserFactory()
    )
    budget = agreed_budget(
        lead.user, ada, chc_package(lead.user, ada), amount=D("20000.00"), plan_approved=False
    )
    version = complete_draft(coordinator.user, ada, budget)

    page = browser.page
    browser.sign_in_with_code(coordinator.user, coordinator.secret, password)
    browser.goto(f"/plans/version/{version.pk}/")
    browser.click("Add something the budget pays for")
    browser.fill("What it is", "Gym membership")
    browser.select("Category", "Wellbeing activity")
    browser.fill("Who provides it", "Leisure centre")
    browser.fill("Cost each time", "30.00")
    browser.fill("How many each time", "")
    browser.choose("Each month")
    browser.tick("Walk Biscuit to the park")
    browser.submit("Save")
    browser.expect_problem(None, page.get_by_label("How many each time", exact=True))
    browser.fill("How many each time", "1")
    browser.submit("Save")
    # £30.00 a month x 12 = £360.00; with the PA's £10,920.00 the plan costs £11,280.00.
    expect(page.get_by_role("main")).to_contain_text("The plan costs £11,280.00 a year.")
    # Not paid from any part of the budget yet, so it cannot be sent for a decision.
    expect(page.get_by_role("main")).to_contain_text("Choose how Gym membership is paid for")
    browser.click("Change Gym membership")
    browser.select(
        "Which part of the budget pays for it",
        "Notional budget (the ICB holds the money and arranges care): £20,000.00",
    )
    browser.submit("Save")
    expect(page.get_by_role("main")).to_contain_text("Notional budget: £20,000.00")
    browser.submit("Submit for a decision")
    browser.expect_success("The plan has been submitted for a decision")
    browser.submit("Take it back to change it")
    browser.expect_success("The plan has been taken back to draft")
    browser.submit("Submit for a decision")
    browser.expect_success("The plan has been submitted for a decision")

    decider = Browser(
        chromium.new_context(viewport={"width": 1280, "height": 900}).new_page(), live_server.url
    )
    decider.sign_in_with_code(lead.user, lead.secret, password)
    decider.goto(f"/plans/version/{version.pk}/")
    decider.click("Decide this plan", role="button")
    gym = decider.page.get_by_role("group", name="Gym membership: £360.00 a year", exact=True)
    decider.choose("Decline", within=gym)
    decider.choose("Approve it with changes")
    decider.fill("Reasons, written for the person", "We approved the personal assistant.")
    decider.submit("Record the decision")
    reason = decider.page.get_by_label(
        "Reason for Gym membership, written for the person", exact=True
    )
    decider.expect_problem("Give the reason for Gym membership, written for the person", reason)
    decider.choose("Decline", within=gym)
    decider.fill(
        "Reason for Gym membership, written for the person",
        "The walks with Biscuit already meet this goal.",
    )
    decider.submit("Record the decision")
    decider.expect_success("The plan has been approved with changes")
    assert PlanVersion.objects.get(pk=version.pk).status == PlanStatus.ACTIVE
    decider.page.context.close()

    person = Browser(
        chromium.new_context(viewport={"width": 375, "height": 800}).new_page(), live_server.url
    )
    person.sign_in(ada.user.email, password)
    person.goto(f"/plans/person/{ada.pk}/yours/")
    main = person.page.get_by_role("main")
    expect(person.heading).to_have_text("Your plan")
    expect(main).to_contain_text("£10,920.00 a year")
    expect(main).to_contain_text(
        "Gym membership (£360.00 a year). Why: The walks with Biscuit already meet this goal."
    )
    # The letter's link reads with its day, as the list says it.
    day = f"{timezone.localdate():%-d %B %Y}"
    letter = f"Your care and support plan has been approved with changes ({day})"
    person.click(letter)
    expect(person.page.get_by_role("main")).to_contain_text("look at this decision again")
    person.page.context.close()


def test_changing_a_draft_withdrawing_it_and_starting_a_new_version(browser, icb, password):
    coordinator = Staff(Role.CARE_COORDINATOR, icb)
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    page = browser.page
    browser.sign_in_with_code(coordinator.user, coordinator.secret, password)
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Care and support plan")
    browser.submit("Start a plan")
    browser.expect_success("The care and support plan has been started as a draft")

    browser.click("Change what the plan says about Ada, their health, contingency and agreement")
    browser.fill("My health needs", "Multiple sclerosis; tires quickly")
    group = page.get_by_role("group", name="Date the person agreed the plan", exact=True)
    group.get_by_label("Day", exact=True).fill("31")
    group.get_by_label("Month", exact=True).fill("2")
    group.get_by_label("Year", exact=True).fill("2026")
    browser.submit("Save")
    expect(page).to_have_title(re.compile("^Error: "))
    group.get_by_label("Day", exact=True).fill("28")
    browser.submit("Save")
    browser.expect_success("The plan has been saved")
    expect(browser.summary_value("My health needs")).to_have_text(
        "Multiple sclerosis; tires quickly"
    )

    browser.click("Add a goal")
    browser.fill("The goal, in the person's words", "Swim twice a week")
    browser.choose("Important to me")
    browser.submit("Save")
    browser.expect_success("A goal has been saved")
    browser.click("Change the goal Swim twice a week")
    browser.fill("The goal, in the person's words", "")
    browser.submit("Save")
    browser.expect_problem(None, page.get_by_label("The goal, in the person's words", exact=True))
    browser.fill("The goal, in the person's words", "Swim three times a week")
    browser.submit("Save")
    browser.expect_success("A goal has been saved")
    browser.click("Change the goal Swim three times a week")
    browser.click("Remove it from the plan", role="button")
    expect(page.get_by_role("main")).to_contain_text("Swim three times a week")
    browser.click("No, keep it")
    browser.click("Remove it from the plan", role="button")
    browser.submit("Yes, remove it")
    browser.expect_success("A goal has been removed")

    browser.click("Withdraw this version")
    browser.submit("Withdraw this version")
    browser.expect_problem(None, page.get_by_label("Why", exact=True))
    browser.fill("Why", "Ada moved to another area")
    browser.submit("Withdraw this version")
    browser.expect_success("This version of the plan has been withdrawn")

    browser.click("Change the plan (start a new version)")
    browser.submit("Start a new version")
    browser.expect_problem(None, page.get_by_label("Why", exact=True))
    browser.fill("Why", "Ada came back")
    browser.submit("Start a new version")
    browser.expect_success("Version 2 has been started")
    expect(browser.heading).to_have_text("Care and support plan, version 2")
