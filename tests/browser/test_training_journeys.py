"""Training in a real browser, with axe on every page: an ICB administrator adds training to
the catalogue and changes it (with mistakes first); PA employer support record a Care
Certificate standard with its certificate (a program renamed .pdf refused first); the PA sees
it on "Your training"."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phb.models import Role
from tests.browser.conftest import Staff
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_training import PDF
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_an_icb_admin_keeps_the_training_catalogue(browser, icb, password):
    page = browser.page
    admin = Staff(Role.ICB_ADMIN, icb)
    browser.sign_in_with_code(admin.user, admin.secret, password)
    browser.goto("/employers/training/catalogue/")
    expect(browser.heading).to_have_text("Training catalogue")
    browser.click("Add training to the catalogue")
    browser.fill("Months before it needs refreshing", "24")
    browser.submit("Add the training")
    browser.expect_problem(
        "Enter the name of the training", page.get_by_label("Name of the training")
    )
    browser.fill("Name of the training", "Epilepsy awareness")
    browser.submit("Add the training")
    browser.expect_success("The training has been added to the catalogue")
    expect(page.get_by_role("main")).to_contain_text("Every 2 years")

    browser.click("Change Epilepsy awareness")
    browser.fill("Months before it needs refreshing", "200")
    browser.submit("Save the changes")
    browser.expect_problem(None, page.get_by_label("Months before it needs refreshing"))
    browser.fill("Months before it needs refreshing", "")
    browser.choose("No, take it out of use")
    browser.submit("Save the changes")
    browser.expect_success("The training has been changed")


def test_support_staff_record_a_standard_and_the_pa_sees_it(browser, icb, password, tmp_path):
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    pa_user = PaUserFactory()
    pa = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=pa_user, full_name="Priya Shah"
    )
    hostile = tmp_path / "certificate.pdf"
    hostile.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    certificate = tmp_path / "duty-of-care.pdf"
    certificate.write_bytes(PDF)
    today = timezone.localdate()

    browser.sign_in_with_code(support.user, support.secret, password)
    browser.goto(f"/employers/assistants/{pa.pk}/training/")
    expect(browser.heading).to_have_text("Training")
    browser.click("Record training for Priya Shah")
    browser.select("Training", "Standard 3: Duty of care")
    browser.fill("Who gave the training", "Carewise Training")
    browser.fill_date("Date completed", today - datetime.timedelta(days=7))
    browser.choose("Individual Employer Funding (Skills for Care)")
    evidence = page.get_by_label("Certificate or other evidence (optional)")
    evidence.set_input_files(str(hostile))
    browser.submit("Record the training")
    browser.expect_problem("The evidence must be a PDF, JPEG or PNG file", evidence)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the name of the assessor who observed the PA"
    )
    browser.fill("Assessor's name (Care Certificate standards only)", "Jo Assessor")
    browser.fill_date(
        "Date observed (Care Certificate standards only)", today - datetime.timedelta(days=6)
    )
    evidence.set_input_files(str(certificate))
    browser.submit("Record the training")
    browser.expect_success("The training has been recorded")
    expect(page.get_by_role("main")).to_contain_text("1 of 16 standards signed off")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the evidence for Duty of care")).click()
    assert download.value.suggested_filename == "duty-of-care.pdf"

    browser.page.context.clear_cookies()
    browser.sign_in(pa_user.email, password)
    browser.goto("/employers/my-training/")
    expect(browser.heading).to_have_text("Your training")
    expect(page.get_by_role("main")).to_contain_text("1 of 16 standards signed off")
