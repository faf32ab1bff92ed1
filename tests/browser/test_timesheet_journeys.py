"""Timesheets in a real browser, with axe on every page: a PA signs in, lands on "Your work",
starts a timesheet, adds, changes and removes shifts (with mistakes first) and sends it; the
budget holder sends it back with a reason, then approves another, seeing the warnings; PA
employer support staff enter and approve one for a managed-account organisation's PA."""

import datetime

import pytest
from playwright.sync_api import expect

from employers.models import EmployerKind
from employers.services import timesheets as services
from phb.models import Role
from tests.browser.conftest import Staff
from tests.careplans.review_factories import plan_in_use
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory, HolderUserFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_pa_fills_in_and_sends_a_timesheet(browser, icb, password):
    page = browser.page
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    pa_user = PaUserFactory()
    PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=pa_user, full_name="Priya Shah"
    )
    browser.sign_in(pa_user.email, password)
    expect(browser.heading).to_have_text("Your work")
    browser.click(f"Start a timesheet for your work for {holder.full_name}")

    browser.fill_date("First day", datetime.date(2026, 11, 1))
    browser.fill_date("Last day", datetime.date(2026, 12, 20))
    browser.submit("Start the timesheet")
    browser.expect_problem(
        "Priya Shah is paid monthly, so a timesheet covers at most 31 days: the last day must "
        "be on or before 1 December 2026",
        page.get_by_role("group", name="Last day").get_by_label("Day"),
    )
    browser.fill_date("Last day", datetime.date(2026, 11, 30))
    browser.submit("Start the timesheet")
    browser.expect_success("The timesheet has been started")

    browser.click("Add a shift")
    browser.choose("Night")
    browser.fill_date("Day the shift started", datetime.date(2026, 11, 10))
    browser.fill("Start time", "22:00")
    browser.fill("End time", "25:00")
    browser.submit("Add the shift")
    browser.expect_problem(
        "Enter the end time as a 24-hour clock time, like 09:30 or 22:00",
        page.get_by_label("End time"),
    )
    browser.fill("End time", "07:00")
    browser.submit("Add the shift")
    browser.expect_success("The shift has been added")
    expect(page.get_by_role("main")).to_contain_text("Wed 11 Nov 2026, 07:00")

    # A day shift that overlaps the night: refused in words.
    browser.click("Add a shift")
    browser.choose("Day")
    browser.fill_date("Day the shift started", datetime.date(2026, 11, 11))
    browser.fill("Start time", "06:00")
    browser.fill("End time", "10:00")
    browser.submit("Add the shift")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "This shift overlaps another shift Priya Shah worked: night, 10 November 2026 22:00 "
        "to 07:00"
    )
    browser.fill("Start time", "09:00")
    browser.fill("End time", "13:00")
    browser.submit("Add the shift")
    browser.expect_success("The shift has been added")

    browser.click("Change the night shift of 10 November 22:00")
    browser.fill("Start time", "")
    browser.submit("Save the shift")
    browser.expect_problem("Enter the start time", page.get_by_label("Start time"))
    browser.fill("Start time", "21:00")
    browser.submit("Save the shift")
    browser.expect_success("The shift has been changed")
    expect(page.get_by_role("main")).to_contain_text("10.00")

    browser.click("Remove the day shift of 11 November 09:00")
    browser.submit("Continue")
    browser.expect_problem(
        "Say whether to remove this shift", page.get_by_role("radio", name="Yes, remove it")
    )
    browser.choose("No, keep it")
    browser.submit("Continue")
    browser.click("Remove the day shift of 11 November 09:00")
    browser.choose("Yes, remove it")
    browser.submit("Continue")
    browser.expect_success("The shift has been removed")

    browser.click("Send the timesheet for approval")
    browser.submit("Send for approval")
    browser.expect_problem(
        "Confirm that these shifts are right before sending them",
        page.get_by_label("I confirm these shifts are right"),
    )
    browser.tick("I confirm these shifts are right")
    browser.submit("Send for approval")
    browser.expect_success("The timesheet has been sent for approval")
    expect(page.get_by_role("main")).to_contain_text("Waiting for approval")


def test_the_budget_holder_sends_one_back_and_approves_another(browser, icb, password):
    page = browser.page
    lead = UserFactory(role="phb_lead", organisation=icb)
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    plan_in_use(lead, holder)  # 14 hours of PA support a week
    pa_user = PaUserFactory()
    assistant = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=pa_user, full_name="Priya Shah"
    )
    for first, hours in ((datetime.date(2026, 11, 2), 4), (datetime.date(2026, 11, 9), 8)):
        timesheet = services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=first,
            ends_on=first + datetime.timedelta(days=6),
        )
        for offset in (0, 1):
            services.add_shift(
                actor=pa_user,
                timesheet=timesheet,
                details=services.ShiftDetails(
                    kind="day",
                    day=first + datetime.timedelta(days=offset),
                    starts=datetime.time(8),
                    ends=datetime.time(8 + hours),
                ),
            )
        services.submit_timesheet(actor=pa_user, timesheet=timesheet)

    browser.sign_in(holder.user.email, password)
    expect(page.get_by_role("main")).to_contain_text("2 timesheets waiting for you to approve.")
    browser.click("Timesheets to approve")
    browser.click("2 Nov 2026 to 8 Nov 2026")
    browser.click("Approve or send back this timesheet")
    browser.submit("Continue")
    browser.expect_problem(
        "Choose whether to approve the timesheet or send it back",
        page.get_by_role("radio", name="Approve it"),
    )
    browser.choose("Send it back for changes")
    browser.submit("Continue")
    browser.expect_problem(
        "Say why you are sending the timesheet back",
        page.get_by_label("Why are you sending it back? (only if you send it back)"),
    )
    browser.fill("Why are you sending it back? (only if you send it back)", "Monday was 9 to 1")
    browser.submit("Continue")
    browser.expect_success("The timesheet has been sent back")

    browser.click("9 Nov 2026 to 15 Nov 2026")
    expect(page.get_by_role("main")).to_contain_text("PAs would have worked 16 hours")
    browser.click("Approve or send back this timesheet")
    expect(page.get_by_role("main")).to_contain_text(
        "The care and support plan has 14 hours of PA support a week."
    )
    browser.choose("Approve it")
    browser.submit("Continue")
    browser.expect_success("The timesheet has been approved")
    expect(page.get_by_role("main")).to_contain_text("No timesheets are waiting for approval.")


def test_support_staff_enter_and_approve_a_timesheet_for_a_managed_account(browser, icb, password):
    """PA employer support staff enter a week's shifts for a managed-account organisation's
    PA from the person's record, send them, and approve them past the plan's hours."""
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    holder = BudgetHolderFactory(
        organisation=icb, given_name="Ann", family_name="Lee", user=HolderUserFactory()
    )
    plan_in_use(UserFactory(role="phb_lead", organisation=icb), holder)  # 14 hours a week
    PersonalAssistantFactory(
        employer=EmployerFactory(
            budget_holder=holder,
            kind=EmployerKind.MANAGED_ACCOUNT,
            employer_name="Care Accounts Ltd",
        ),
        full_name="Tom Reid",
    )
    browser.sign_in_with_code(support.user, support.secret, password)
    browser.goto(f"/people/{holder.pk}/")
    browser.click("See the employer's timesheets")
    expect(browser.heading).to_have_text("Timesheets")
    expect(page.get_by_role("main")).to_contain_text(
        "PA employer support staff (for Care Accounts Ltd), Ann Lee or their representative "
        "approve them."
    )
    browser.click("Enter a timesheet for Tom Reid")
    browser.fill_date("First day", datetime.date(2026, 11, 15))
    browser.fill_date("Last day", datetime.date(2026, 11, 9))
    browser.submit("Start the timesheet")
    browser.expect_problem(
        "The last day must be the same as or after the first",
        page.get_by_role("group", name="Last day").get_by_label("Day"),
    )
    browser.fill_date("First day", datetime.date(2026, 11, 9))
    browser.fill_date("Last day", datetime.date(2026, 11, 15))
    browser.submit("Start the timesheet")
    browser.expect_success("The timesheet has been started")

    browser.click("Add a shift")
    browser.choose("Day")
    browser.fill_date("Day the shift started", datetime.date(2026, 11, 10))
    browser.fill("Start time", "08:00")
    browser.fill("End time", "23:00")
    browser.submit("Add the shift")
    browser.expect_success("The shift has been added")
    browser.click("Send the timesheet for approval")
    browser.tick("I confirm these shifts are right")
    browser.submit("Send for approval")
    browser.expect_success("The timesheet has been sent for approval")

    expect(page.get_by_role("main")).to_contain_text("PAs would have worked 15 hours")
    browser.click("Approve or send back this timesheet")
    expect(page.get_by_role("main")).to_contain_text(
        "The care and support plan has 14 hours of PA support a week."
    )
    expect(page.get_by_role("main")).not_to_contain_text("your PA employer support officer")
    browser.choose("Approve it")
    browser.submit("Continue")
    browser.expect_success("The timesheet has been approved")
    expect(browser.heading).to_have_text("Timesheets")
    browser.click("9 Nov 2026 to 15 Nov 2026")
    expect(page.get_by_role("main")).to_contain_text(f"Approved by {support.user}")
