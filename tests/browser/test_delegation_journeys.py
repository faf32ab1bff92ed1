"""Delegated healthcare tasks in a real browser, with axe on every page: a clinician adds a
task to the ICB's catalogue and changes it, delegates it for a person, starts a PA's
competence record, confirms the agreement, records the training and the assessment, signs
the PA off (a wrong password first) and revokes it; each form with a mistake first. The
budget holder confirms the agreement on their side."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from employers.models import Competence
from employers.services import delegation as services
from phb.models import Role
from tests.browser.conftest import Staff
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import (
    DelegatedTaskFactory,
    DelegationFactory,
    TrainingModuleFactory,
    TrainingRecordFactory,
)
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_clinician_delegates_a_task_and_signs_off_a_pa(browser, icb, password):
    page = browser.page
    clinician = Staff(Role.CLINICIAN, icb)
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    pa_user = PaUserFactory()
    pa = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=pa_user, full_name="Priya Shah"
    )
    module = TrainingModuleFactory(organisation=icb, name="PEG feeding training")
    TrainingRecordFactory(assistant=pa, module=module)
    browser.sign_in_with_code(clinician.user, clinician.secret, password)

    browser.goto("/employers/delegated-tasks/")
    browser.click("Add a task")
    browser.submit("Add the task")
    browser.expect_problem("Enter the task", page.get_by_label("Task", exact=True))
    browser.fill("Task", "PEG feeding")
    browser.fill("Description", "Feeds and flushes through a PEG tube.")
    browser.choose("Medium")
    browser.tick("PEG feeding training")
    browser.fill("Months between competence reviews", "6")
    browser.submit("Add the task")
    browser.expect_success("The task has been added")

    browser.click("PEG feeding")
    browser.fill("Months between competence reviews", "40")
    browser.submit("Save")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    browser.fill("Months between competence reviews", "6")
    browser.submit("Save")
    browser.expect_success("The task has been changed")

    browser.goto(f"/employers/people/{holder.pk}/delegations/")
    expect(page.get_by_role("main")).to_contain_text("No healthcare tasks are delegated")
    browser.click("Delegate a healthcare task")
    browser.submit("Delegate the task")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the task")
    browser.select("Task", "PEG feeding")
    browser.fill("How the task applies to this person", "Overnight feed at 10pm.")
    browser.fill("What the person wants, in their words", "My PA, not a nurse.")
    browser.fill_date(
        "Date the person (or their representative) consented", datetime.date(2026, 11, 1)
    )
    browser.fill("How stable the person's condition is", "Stable for two years.")
    browser.fill("How complex the task is for this person", "Routine.")
    browser.choose("Low")
    browser.fill("Benefits to the person of a PA doing it", "No waiting for a nurse.")
    browser.fill("Your professional body", "NMC")
    browser.fill("Your registration number", "12A3456B")
    browser.submit("Delegate the task")
    browser.expect_success("The task has been delegated")

    browser.click("Start a PA's competence record")
    browser.submit("Start")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the PA")
    browser.choose("Priya Shah")
    browser.submit("Start")
    browser.expect_success("The competence record has been started")

    browser.click("Confirm your agreement")
    browser.submit("Confirm")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Confirm that you agree")
    browser.tick("I agree to this delegation and to my part in it")
    browser.submit("Confirm")
    browser.expect_success("Your agreement has been recorded")

    browser.click("Record the task training")
    browser.submit("Save")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    browser.fill_date("Date the task training was given", datetime.date(2026, 11, 20))
    browser.fill("Who gave it", "Nurse Jones")
    browser.submit("Save")
    browser.expect_success("The training has been recorded")

    browser.click("Record an assessment")
    browser.submit("Save")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    browser.fill_date("Date of the assessment", datetime.date(2026, 11, 21))
    browser.fill("What you observed", "Safe and confident.")
    browser.choose("Yes, competent")
    browser.submit("Save")
    browser.expect_success("The assessment has been recorded")

    # The employer's side and the PA confirm on their own pages (the next journey).
    competence = Competence.objects.get()
    now = timezone.now()
    Competence.objects.filter(pk=competence.pk).update(
        employer_agreed_at=now, employer_agreed_by=holder.user, pa_agreed_at=now
    )
    page.reload()
    browser.check_accessibility()
    browser.click("Sign off")
    browser.fill_date("Review date", datetime.date(2027, 5, 1))
    browser.fill("Your password", "not my password")
    browser.submit("Sign off")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The password is not right")
    browser.fill("Your password", password)
    browser.submit("Sign off")
    browser.expect_success("The PA has been signed off")
    # The competence's page (its tag says "Signed off") or a table row ("Signed off, review by").
    expect(page.get_by_role("main")).to_contain_text(re.compile("review by 1 May 2027", re.I))

    browser.click("Suspend or revoke")
    browser.submit("Continue")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    browser.choose("Revoke it for good")
    browser.fill("Reason", "Unsafe practice seen on a visit.")
    browser.submit("Continue")
    browser.expect_success("The competence has been stopped: the PA must not do this task now")
    expect(page.get_by_role("main")).to_contain_text("Revoked")


def test_the_holder_confirms_the_agreement_and_reads_the_sign_offs(browser, icb, password):
    page = browser.page
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    employer = EmployerFactory(budget_holder=holder)
    pa = PersonalAssistantFactory(employer=employer, user=PaUserFactory(), full_name="Sam Carer")
    clinician = Staff(Role.CLINICIAN, icb)
    task = DelegatedTaskFactory(organisation=icb, name="Catheter care")
    delegation = DelegationFactory(task=task, budget_holder=holder, practitioner=clinician.user)
    competence = services.start_competence(
        actor=clinician.user, delegation=delegation, assistant=pa
    )
    browser.sign_in(holder.user.email, password)
    browser.goto(f"/employers/competences/{competence.pk}/")
    browser.click("Confirm your agreement")
    browser.submit("Confirm")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    browser.tick("I agree to this delegation and to my part in it")
    browser.submit("Confirm")
    browser.expect_success("Your agreement has been recorded")
    browser.goto(f"/employers/{employer.pk}/sign-offs/")
    expect(page.get_by_role("main")).to_contain_text(
        "Sam Carer is being trained and assessed for Catheter care, and must not do it yet."
    )
