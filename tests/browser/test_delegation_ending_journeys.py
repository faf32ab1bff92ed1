"""Ending a delegation in a real browser, with axe on every page: a clinician ends a task
delegated for a person (without a reason first), is told that the PA and the person have been
sent a message, and the person's delegated tasks then show no cover from it. A PHB lead finds
the ICB's task catalogue from the header."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from employers.services import delegation as services
from phb.models import Role
from tests.browser.conftest import Staff
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import (
    DelegatedTaskFactory,
    DelegationFactory,
    ready_competence,
)
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_clinician_ends_a_delegation(browser, icb, password):
    page = browser.page
    clinician = Staff(Role.CLINICIAN, icb)
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    employer = EmployerFactory(budget_holder=holder)
    pa = PersonalAssistantFactory(employer=employer, user=PaUserFactory(), full_name="Priya Shah")
    task = DelegatedTaskFactory(organisation=icb, name="PEG feeding")
    delegation = DelegationFactory(task=task, budget_holder=holder, practitioner=clinician.user)
    competence = ready_competence(delegation, pa, employer_user=holder.user)
    services.sign_off(
        actor=clinician.user,
        competence=competence,
        review_on=timezone.localdate() + datetime.timedelta(days=60),
        lock_version=competence.lock_version,
    )
    browser.sign_in_with_code(clinician.user, clinician.secret, password)

    browser.goto(f"/employers/people/{holder.pk}/delegations/")
    expect(page.get_by_role("main")).to_contain_text("Priya Shah")
    browser.click("PEG feeding")
    browser.click("End this delegation")
    expect(page.get_by_role("main")).to_contain_text(
        "The competence record of Priya Shah for this task is revoked at the same time"
    )
    browser.submit("End the delegation")
    browser.expect_problem(
        "Enter why the delegation is ending", page.get_by_label("Why is the delegation ending?")
    )
    browser.fill("Why is the delegation ending?", "A district nurse now does the overnight feed")
    browser.submit("End the delegation")
    browser.expect_success("The delegation has ended: no PA may do the task under it")
    browser.expect_success(f"A message has been sent to Priya Shah and {holder.full_name}")
    expect(page.get_by_role("main")).to_contain_text(
        f"{clinician.user.full_name} ended this delegation on "
    )
    expect(page.get_by_role("main")).to_contain_text("Revoked")
    expect(page.get_by_role("link", name="End this delegation")).to_have_count(0)

    browser.goto(f"/employers/people/{holder.pk}/delegations/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("No healthcare tasks are delegated for this person.")
    expect(main).to_contain_text("Delegations that have ended")


def test_a_phb_lead_finds_the_task_catalogue_in_the_header(browser, icb, password):
    lead = Staff(Role.PHB_LEAD, icb)
    DelegatedTaskFactory(organisation=icb, name="Catheter care")
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click_in_header("Delegated tasks")
    expect(browser.heading).to_have_text("Delegated healthcare tasks")
    expect(browser.page.get_by_role("main")).to_contain_text("Catheter care")
