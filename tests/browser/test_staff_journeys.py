"""Staff accounts in a real browser: working for another ICB, an ICB administrator's staff
list and roles, and the service administrator adding an ICB and its administrator."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from phb.models import Organisation, Role, RoleAssignment, User
from tests.browser.conftest import Browser, Staff
from tests.factories import BudgetHolderFactory, give_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def caseload_names(browser: Browser):
    return browser.page.get_by_role("table").locator("tbody").get_by_role("link")


def test_a_finance_officer_for_two_icbs_changes_the_icb_they_work_for(
    browser, icb, other_icb, password
):
    finance = Staff(Role.FINANCE_OFFICER, icb)
    give_role(finance.user, Role.FINANCE_OFFICER, other_icb)
    BudgetHolderFactory(organisation=icb, given_name="Nora", family_name="North")
    BudgetHolderFactory(organisation=other_icb, given_name="Sam", family_name="South")
    page = browser.page

    # Working for two ICBs, they are asked which one first, not put in the first by name.
    browser.sign_in_with_code(finance.user, finance.secret, password)
    expect(browser.heading).to_have_text("Choose the ICB you are working for")
    browser.choose(
        icb.name, within=page.get_by_role("group", name="Which ICB are you working for now?")
    )
    browser.submit("Continue")
    expect(browser.heading).to_have_text("Caseload")
    expect(page.get_by_role("banner")).to_contain_text(f"Finance officer at {icb.name}")
    expect(caseload_names(browser)).to_have_text(["North, Nora"])

    browser.click_in_header("Change ICB")
    expect(browser.heading).to_have_text("Choose the ICB you are working for")
    choice = page.get_by_role("group", name="Which ICB are you working for now?")
    expect(choice.get_by_role("radio")).to_have_count(2)
    expect(choice.get_by_role("radio", name=icb.name, exact=True)).to_be_checked()
    browser.choose(other_icb.name, within=choice)
    browser.submit("Continue")

    expect(browser.heading).to_have_text("Caseload")
    browser.expect_success(f"You are now working for {other_icb.name}")
    expect(page.get_by_role("banner")).to_contain_text(f"Finance officer at {other_icb.name}")
    expect(caseload_names(browser)).to_have_text(["South, Sam"])


def roles_table(browser: Browser):
    return browser.page.get_by_role("table", name="Roles, with the dates they hold them")


def role_row(browser: Browser, role: str):
    return (
        roles_table(browser)
        .locator("tbody tr")
        .filter(has=browser.page.get_by_role("cell", name=role, exact=True))
    )


def test_an_icb_administrator_adds_a_member_of_staff_gives_them_a_role_and_ends_it(
    browser, icb, password
):
    admin = Staff(Role.ICB_ADMIN, icb)
    today = timezone.localdate()
    started = today - datetime.timedelta(days=60)
    last_day = today
    page = browser.page
    browser.sign_in_with_code(admin.user, admin.secret, password)

    browser.click_in_header("Staff")
    expect(browser.heading).to_have_text("Staff")
    browser.click("Add a member of staff", role="button")
    expect(browser.heading).to_have_text("Add a member of staff")
    browser.fill("Full name", "Rosalind Franklin")
    browser.fill("Email address", "Rosalind.Franklin@north.example.nhs.uk")
    browser.fill_date("Start date", started)
    browser.submit("Add them")
    browser.expect_problem(
        "Select at least one role", page.get_by_role("checkbox", name="PHB lead", exact=True)
    )
    expect(page.get_by_label("Full name", exact=True)).to_have_value("Rosalind Franklin")
    assert not User.objects.filter(full_name="Rosalind Franklin").exists()

    browser.tick("Care coordinator")
    browser.tick("Panel member")
    browser.submit("Add them")

    expect(browser.heading).to_have_text("Rosalind Franklin")
    browser.expect_success(
        "Rosalind Franklin has been added. We have emailed them a link to set their password."
    )
    expect(page.get_by_role("main")).to_contain_text("rosalind.franklin@north.example.nhs.uk")
    for role in ("Care coordinator", "Panel member"):
        expect(role_row(browser, role)).to_contain_text(f"{started:%-d %B %Y}")
        expect(role_row(browser, role)).to_contain_text("Current")
    assert [message.to for message in mail.outbox] == [["rosalind.franklin@north.example.nhs.uk"]]

    expect(page.get_by_role("heading", name="Give Rosalind Franklin another role")).to_be_visible()
    browser.select("Role", "Clinician")
    browser.fill_date("Start date", started)
    browser.fill_date("End date (optional)", started - datetime.timedelta(days=1))
    browser.submit("Give the role")
    browser.expect_problem(
        "End date must be the same as or after the start date",
        page.get_by_role("group", name="End date (optional)").get_by_label("Day", exact=True),
    )
    rosalind = User.objects.get(email="rosalind.franklin@north.example.nhs.uk")
    assert not rosalind.role_assignments.filter(role=Role.CLINICIAN).exists()

    browser.fill_date("End date (optional)", None)
    browser.submit("Give the role")
    browser.expect_success("Rosalind Franklin has a new role")
    expect(role_row(browser, "Clinician")).to_contain_text("No end date")
    expect(role_row(browser, "Clinician")).to_contain_text("Current")

    browser.click("End this role (Clinician)")
    expect(browser.heading).to_have_text("End the role Clinician")
    browser.fill_date("Last day in this role", started - datetime.timedelta(days=1))
    browser.submit("End the role")
    browser.expect_problem(
        f"The last day must be on or after the day the role started, {started:%-d %B %Y}",
        page.get_by_role("group", name="Last day in this role").get_by_label("Day", exact=True),
    )
    clinician = RoleAssignment.objects.get(user=rosalind, role=Role.CLINICIAN)
    assert clinician.ends_on is None

    # What they did in the role up to today stands: its end is not put in the past.
    browser.fill_date("Last day in this role", today - datetime.timedelta(days=1))
    browser.submit("End the role")
    browser.expect_problem(
        "The last day must be today or in the future",
        page.get_by_role("group", name="Last day in this role").get_by_label("Day", exact=True),
    )
    browser.fill_date("Last day in this role", last_day)
    browser.submit("End the role")
    expect(browser.heading).to_have_text("Rosalind Franklin")
    browser.expect_success(f"Rosalind Franklin's role Clinician ends on {last_day:%-d %B %Y}")
    expect(role_row(browser, "Clinician")).to_contain_text(f"Until {last_day:%-d %B %Y}")
    expect(role_row(browser, "Care coordinator")).to_contain_text("Current")
    clinician.refresh_from_db()
    assert clinician.ends_on == last_day

    # A role given by mistake to start next week is withdrawn before its first day.
    next_week = today + datetime.timedelta(days=7)
    browser.select("Role", "PHB lead")
    browser.fill_date("Start date", next_week)
    browser.submit("Give the role")
    browser.expect_success("Rosalind Franklin has a new role")
    browser.click("End this role (PHB lead)")
    expect(page.get_by_role("main")).to_contain_text(
        f"This role starts on {next_week:%-d %B %Y}. If it was given by mistake"
    )
    browser.submit("Withdraw the role")
    expect(browser.heading).to_have_text("Rosalind Franklin")
    browser.expect_success(
        f"Rosalind Franklin's role PHB lead, which was to start on {next_week:%-d %B %Y}, "
        "has been withdrawn"
    )
    expect(role_row(browser, "PHB lead")).to_have_count(0)
    assert not rosalind.role_assignments.filter(role=Role.PHB_LEAD).exists()


def test_the_service_administrator_adds_an_icb_and_its_first_administrator(browser, password, db):
    service_admin = Staff(Role.SERVICE_ADMIN, None)
    today = timezone.localdate()
    page = browser.page
    browser.sign_in_with_code(service_admin.user, service_admin.secret, password)

    browser.click_in_header("ICBs")
    expect(browser.heading).to_have_text("Integrated care boards")
    browser.click("Add an ICB", role="button")
    expect(browser.heading).to_have_text("Add an ICB")
    browser.fill("ODS code", "Q!")
    browser.fill("Name", "NHS West Example Integrated Care Board")
    browser.submit("Add the ICB")
    browser.expect_problem(
        "Enter an ODS code of 3 to 5 capital letters and numbers, like QWE",
        page.get_by_label("ODS code", exact=True),
    )
    assert not Organisation.objects.exists()

    browser.fill("ODS code", "qwe")
    browser.submit("Add the ICB")
    expect(browser.heading).to_have_text("NHS West Example Integrated Care Board")
    browser.expect_success(
        "NHS West Example Integrated Care Board has been added. Now add its administrator."
    )
    expect(page.get_by_text("ODS code QWE")).to_be_visible()
    expect(page.get_by_text("This ICB has no administrator today")).to_be_visible()

    expect(page.get_by_role("heading", name="Add an administrator")).to_be_visible()
    browser.fill("Full name", "Mary Seacole")
    browser.fill("Email address", "mary.seacole@west")
    browser.fill_date("Start date", today)
    browser.submit("Add the administrator")
    browser.expect_problem(
        "Enter an email address in the correct format, like name@example.nhs.uk",
        page.get_by_label("Email address", exact=True),
    )
    west = Organisation.objects.get()
    assert not RoleAssignment.objects.filter(organisation=west).exists()

    browser.fill("Email address", "mary.seacole@west.example.nhs.uk")
    browser.submit("Add the administrator")
    browser.expect_success(
        "Mary Seacole is now an administrator of NHS West Example Integrated Care Board. "
        "We have emailed them a link to set their password."
    )
    expect(page.get_by_role("main")).to_contain_text(
        f"Mary Seacole (mary.seacole@west.example.nhs.uk), since {today:%-d %B %Y}"
    )
    expect(page.get_by_text("This ICB has no administrator today")).to_have_count(0)
    assert RoleAssignment.objects.get(organisation=west).role == Role.ICB_ADMIN

    browser.click_in_header("ICBs")
    row = page.get_by_role("table").locator("tbody tr").filter(has_text="QWE")
    expect(row).to_contain_text("NHS West Example Integrated Care Board")
    expect(row.get_by_role("cell").last).to_have_accessible_name("1")  # administrators now
