"""Employers in a real browser, with axe on every page: a PA employer support officer sets a
person up as an employer from their record, names a colleague as the support officer, records
each duty, adds a PA (first below the minimum wage), changes the PA, records an issue with
advice and closes it, records the PA leaving, and finds the employer on the dashboard; then the
person sees "Your PAs"."""

import datetime

import pytest
from playwright.sync_api import expect

from employers.models import Employer, EmploymentIssue, PersonalAssistant
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def radio(browser: Browser, question: str, answer: str) -> None:
    browser.choose(answer, within=browser.page.get_by_role("group", name=question, exact=True))


def test_support_officer_sets_up_an_employer_and_the_person_sees_their_pas(
    browser: Browser, icb, password, national_rates
):
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    ada = BudgetHolderFactory(
        organisation=icb, given_name="Ada", family_name="Lovelace", user=HolderUserFactory()
    )
    colleague = Staff(Role.PA_EMPLOYER_SUPPORT, icb).user
    colleague.full_name = "Robin Field"
    colleague.save()
    browser.sign_in_with_code(support.user, support.secret, password)

    # Set up, from the person's record.
    browser.goto(f"/people/{ada.pk}/")
    browser.click("Set up as an employer")
    expect(browser.heading).to_have_text("Set up as an employer")
    browser.choose("A nominee (someone the budget holder chose to employ for them)")
    browser.submit("Set up the employer")
    browser.expect_problem(
        "Enter the name of the nominee or organisation that employs the PAs",
        page.get_by_label("Name of the nominee or organisation", exact=True),
    )
    browser.choose("The budget holder")
    browser.fill("Point of contact for PAs (optional)", "Sam Adviser")
    browser.submit("Set up the employer")
    browser.expect_success("The employer has been set up")
    expect(browser.heading).to_have_text("Employer: Ada Lovelace")
    employer = Employer.objects.get()

    # The support officer: whoever set the employer up, until a colleague is named.
    expect(
        page.get_by_text(f"PA employer support officer: {support.user.full_name}.")
    ).to_be_visible()
    browser.click("Change the PA employer support officer")
    expect(browser.heading).to_have_text("PA employer support officer")
    browser.choose("Robin Field")
    browser.submit("Save")
    browser.expect_success("PA employer support officer: saved")
    expect(page.get_by_text("PA employer support officer: Robin Field.")).to_be_visible()

    # PAYE.
    browser.goto(f"/employers/employer/{employer.pk}/change/paye/")
    browser.fill("Employer PAYE reference", "AB")
    browser.submit("Save")
    browser.expect_problem(
        "Enter the employer PAYE reference as it is on HMRC's letter, like 123/AB45678",
        page.get_by_label("Employer PAYE reference", exact=True),
    )
    browser.fill("Employer PAYE reference", "120/am46110")
    browser.submit("Save")
    browser.expect_success("PAYE registration: saved")

    # Insurance: the exemption is refused with no PAs who are close relatives.
    browser.goto(f"/employers/employer/{employer.pk}/change/insurance/")
    radio(browser, "Is every PA a close relative of the employer?", "Yes")
    browser.submit("Save")
    browser.expect_problem(
        "The exemption applies only when every PA is a close relative: add the PAs first",
        page.get_by_role("radio", name="Yes", exact=True),
    )
    radio(browser, "Is every PA a close relative of the employer?", "No")
    browser.fill("Insurer", "Mutual PA Insurance")
    browser.fill("Policy number", "PA-1")
    browser.fill("Amount of cover", "5,000,000")
    browser.fill_date("Insurance expiry date", datetime.date(2026, 12, 31))
    browser.submit("Save")
    browser.expect_success("Employer's liability insurance: saved")

    # Pension and payroll.
    browser.goto(f"/employers/employer/{employer.pk}/change/pension/")
    browser.fill_date("Duties start date", datetime.date(2026, 4, 1))
    browser.submit("Save")
    browser.expect_problem(
        "Enter the name of the workplace pension scheme",
        page.get_by_label("Workplace pension scheme", exact=True),
    )
    browser.fill("Workplace pension scheme", "NEST")
    browser.submit("Save")
    browser.expect_success("Workplace pension: saved")
    browser.goto(f"/employers/employer/{employer.pk}/change/payroll/")
    browser.choose("A payroll bureau")
    browser.choose("Weekly")
    radio(browser, "Does the employer claim the Employment Allowance?", "Yes")
    browser.submit("Save")
    browser.expect_problem(
        "Enter the name of the payroll bureau",
        page.get_by_label("Name of the payroll bureau", exact=True),
    )
    browser.choose("This service runs the payroll")
    browser.submit("Save")
    browser.expect_success("Payroll: saved")
    expect(page.get_by_role("main")).to_contain_text("Insurance runs out on 31 December 2026")

    # A PA, first paid below the minimum wage for their age.
    browser.click("Add a PA")
    browser.fill("Full name", "Riley Evans")
    browser.fill_date("Date of birth", datetime.date(2000, 1, 1))
    browser.fill("National Insurance number (optional)", "AB 12 34 56 A")
    radio(browser, "Does the PA live in the same household as the budget holder?", "Yes")
    radio(browser, "Is the PA a close relative of the employer?", "No")
    browser.fill_date("Date the right to work was checked", datetime.date(2026, 5, 1))
    browser.select("Document seen for the right to work check", "UK or Irish passport")
    browser.tick("A copy of the document, or of the online check's result, was kept")
    radio(browser, "Is their permission to work in the UK time-limited?", "No")
    browser.select("Level of DBS check", "Enhanced with barred list check")
    browser.fill("DBS certificate number", "001234567890")
    browser.fill_date("Date the DBS certificate was issued", datetime.date(2026, 5, 2))
    radio(browser, "Is the PA signed up to the DBS Update Service?", "Yes")
    browser.fill_date("Start date", datetime.date(2026, 6, 1))
    browser.fill_date("Date the written statement was given", datetime.date(2026, 6, 1))
    browser.fill("Day rate, per hour (optional)", "12.00")
    browser.choose("Regular hours: 5.6 weeks a year, paid when taken")
    browser.fill("Tax code", "1257L")
    browser.choose("As the law says (enrolled when eligible)")
    browser.submit("Add the PA")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The day rate is too low")
    browser.fill("Day rate, per hour (optional)", "12.71")
    browser.submit("Add the PA")
    browser.expect_success("The PA has been added")
    expect(page.get_by_role("main")).to_contain_text(
        "Riley Evans is marked as living in the same household"
    )
    assert PersonalAssistant.objects.get().right_to_work_copy_kept

    # Change the PA: a Scottish tax code is refused.
    browser.click("Riley Evans")
    expect(browser.heading).to_have_text("Riley Evans")
    browser.click("Change Riley Evans's details")
    browser.fill("Tax code", "S1257L")
    browser.submit("Save")
    browser.expect_problem(None, page.get_by_label("Tax code", exact=True))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Scottish tax code")
    browser.fill("Tax code", "1257L")
    radio(browser, "Does the PA live in the same household as the budget holder?", "No")
    radio(browser, "Student loan", "Plan 2")
    browser.tick("They are repaying a postgraduate loan")
    browser.tick("They are an apprentice")
    browser.submit("Save")
    browser.expect_problem(
        "Enter the date their apprenticeship started",
        page.get_by_role("group", name="Date their apprenticeship started").get_by_label("Day"),
    )
    browser.fill_date("Date their apprenticeship started", datetime.date(2025, 9, 1))
    browser.submit("Save")
    browser.expect_success("The PA's details have been saved")
    expect(browser.summary_value("Student loans")).to_have_text("Plan 2 and a postgraduate loan")
    expect(browser.summary_value("Apprentice")).to_have_text("Yes, since 1 September 2025")
    expect(browser.summary_value("Lives in the same household as the budget holder")).to_have_text(
        "No"
    )

    # The issues log.
    browser.goto(f"/employers/employer/{employer.pk}/")
    browser.click("Record an employment issue")
    browser.submit("Add to the log")
    browser.expect_problem(
        "Choose what kind of issue",
        page.get_by_role("radio", name="Grievance (a PA's complaint)", exact=True),
    )
    browser.choose("Absence")
    browser.select("Which PA it is about (optional)", "Riley Evans")
    browser.fill_date("Date raised", datetime.date(2026, 11, 2))
    browser.fill("What happened", "<b>Did not come</b> to work for three days.")
    browser.submit("Add to the log")
    browser.expect_success("The issue has been added to the log")
    issue = EmploymentIssue.objects.get()
    browser.goto(f"/employers/issue/{issue.pk}/")
    expect(page.get_by_role("main")).to_contain_text("<b>Did not come</b>")
    expect(page.get_by_role("main")).to_contain_text("Sam Adviser")
    browser.click("Record advice given")
    browser.fill_date("Date the advice was given", datetime.date(2026, 11, 1))
    browser.fill("Advice given", "Hold a return to work meeting.")
    browser.submit("Record the advice")
    browser.expect_problem(
        "The advice cannot be before the issue was raised",
        page.get_by_role("group", name="Date the advice was given").get_by_label("Day"),
    )
    browser.fill_date("Date the advice was given", datetime.date(2026, 11, 3))
    browser.submit("Record the advice")
    browser.expect_success("The advice has been recorded")
    browser.click("Close the issue")
    browser.fill_date("Date closed", datetime.date(2026, 11, 20))
    browser.submit("Close the issue")
    browser.expect_problem("Say how it ended", page.get_by_label("How it ended", exact=True))
    browser.fill("How it ended", "Back at work.")
    browser.submit("Close the issue")
    browser.expect_success("The issue has been closed")

    # The dashboard.
    browser.click_in_header("Employers")
    expect(browser.heading).to_have_text("Employers")
    expect(page.get_by_role("main")).to_contain_text("Employer's liability insurance")
    expect(page.get_by_role("main")).to_contain_text("31 December 2026")

    # The PA leaves.
    pa = PersonalAssistant.objects.get()
    browser.goto(f"/employers/pa/{pa.pk}/")
    browser.click("Record Riley Evans leaving")
    browser.fill_date("Date they left", datetime.date(2026, 11, 20))
    browser.submit("Record leaving")
    browser.expect_problem("Say why they left", page.get_by_label("Why they left", exact=True))
    browser.fill("Why they left", "Moved to Leeds.")
    browser.submit("Record leaving")
    browser.expect_success("The PA's leaving has been recorded")

    # Ada sees her PAs page in plain English.
    page.context.clear_cookies()
    browser.sign_in(ada.user.email, password)
    browser.click("Your PAs")
    expect(browser.heading).to_have_text("Your PAs")
    main = page.get_by_role("main")
    expect(main).to_contain_text("What still needs doing")
    expect(main).to_contain_text("Sam Adviser")
