"""Approval panels in a real browser, with axe on every page.

A panel member decides a whole agenda of 20 plans with the keyboard alone: Tab, Space, the
arrow keys within a group of radios, typing and Enter; no clicks. Each decision is one radio,
perhaps reasons, and one button, and the next plan opens ready to decide. The PHB lead sets a
session up, fills its agenda, records who came, starts it and closes it; the ICB's
administrator keeps the approval policy; a member declares a conflict of interest.
"""

import datetime
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import (
    ApprovalPolicy,
    ConflictOfInterest,
    DecisionOutcome,
    PanelSession,
    PanelSessionStatus,
    PlanDecision,
    PlanLetter,
)
from careplans.services.panels import REMINDER_DAYS_MESSAGE
from phb.models import Role
from tests.browser.conftest import ACCEPTED, FORMS_SUBMITTED, REFUSED, Browser, Staff
from tests.browser.test_lifecycle_journeys import OVERFLOW
from tests.careplans.panel_factories import PLAN_REASON, policy, session, submitted_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


ACTIVE_LABEL = """() => {
    const e = document.activeElement;
    const label = e.labels && e.labels[0];
    return (label ? label.textContent : e.textContent || e.value || "").trim();
}"""


@pytest.fixture
def team(icb, national_rates):
    policy(icb)
    return {
        "lead": Staff(Role.PHB_LEAD, icb),
        "chair": Staff(Role.PANEL_MEMBER, icb),
        "member": Staff(Role.PANEL_MEMBER, icb),
        "clinician": Staff(Role.CLINICIAN, icb),
        "admin": Staff(Role.ICB_ADMIN, icb),
    }


def focused(page) -> str:
    return page.evaluate(ACTIVE_LABEL)


def tab_to(page, name: str, *, most: int = 60) -> None:
    """Press Tab until the element whose label or text starts with `name` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page).startswith(name):
            return
    pytest.fail(f"Tab never reached {name!r}")


def press_enter_and_wait(browser, *, form_page: str | None = None) -> None:
    """Enter on the focused button or link, then axe on the page that opens. A form sent
    this way is noted for the check that every form has a journey."""
    with browser.page.expect_navigation():
        browser.page.keyboard.press("Enter")
    browser.check_accessibility()
    if form_page is not None:
        problem = browser.page.locator(".nhsuk-error-summary").count() > 0
        FORMS_SUBMITTED[form_page].add(REFUSED if problem else ACCEPTED)


def sign_in_by_keyboard(browser, staff: Staff, password: str) -> None:
    from tests.factories import totp_code

    browser.goto("/accounts/login/")
    page = browser.page
    tab_to(page, "Email address")
    page.keyboard.type(staff.user.email)
    tab_to(page, "Password")
    page.keyboard.type(password)
    press_enter_and_wait(browser)
    tab_to(page, "Security code")
    page.keyboard.type(totp_code(staff.secret))
    press_enter_and_wait(browser)
    expect(page.get_by_role("banner")).to_contain_text(staff.user.full_name)


def test_a_panel_decides_an_agenda_of_20_plans_with_the_keyboard_alone(browser, team, password):
    lead = team["lead"].user
    plans = [submitted_plan(lead) for _ in range(20)]
    members = [team["chair"].user, team["member"].user, team["clinician"].user]
    panel = session(lead, members, versions=plans, present=members, start=True)
    page = browser.page

    sign_in_by_keyboard(browser, team["member"], password)
    browser.goto(f"/plans/panels/{panel.pk}/")
    # A panel starts on its own date: the factory's started panel meets today.
    expect(browser.heading).to_have_text(f"Panel on {panel.date:%-d %B %Y}")
    tab_to(page, "Decide the plans")
    press_enter_and_wait(browser)

    # Sent with no decision: the error summary takes the focus and says what to do.
    tab_to(page, "Save the decision")
    press_enter_and_wait(browser, form_page="careplans:panel_decide")
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose the panel's decision on the plan"
    )

    timings = []
    for number, plan in enumerate(plans, start=1):
        holder = plan.plan.budget_holder
        expect(browser.heading).to_have_text(f"Decide {holder.full_name}'s plan")
        expect(page.get_by_text(f"Plan {number} of 20: {number - 1} decided")).to_be_visible()
        started = time.monotonic()
        # Nothing takes the focus as the page opens, so the heading, the cost against the
        # budget and any warning are read first; Tab reaches the plan's first choice.
        tab_to(page, "Approve")
        assert focused(page) == "Approve"
        if number % 5 == 0:
            page.keyboard.press("ArrowRight")  # Approve with changes
            page.keyboard.press("ArrowRight")  # Decline
            assert focused(page) == "Decline"
            page.keyboard.press("Tab")
            assert focused(page) == "Reasons, written for the person"
            page.keyboard.type(PLAN_REASON)
        else:
            page.keyboard.press("Space")
        tab_to(page, "Save the decision")
        timings.append(time.monotonic() - started)
        press_enter_and_wait(browser, form_page="careplans:panel_decide")
        if number < 20:
            expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
                f"{holder.full_name}'s plan:"
            )

    # Deciding takes a moment of the interface's time: a handful of key presses each.
    assert max(timings) < 5, timings
    expect(browser.heading).to_have_text("What the panel decided")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Approved: 16")
    expect(main).to_contain_text("Declined: 4")
    expect(main).to_contain_text("20 letters, each ready to print or send from its page.")
    assert PlanDecision.objects.filter(session=panel).count() == 20
    assert PlanDecision.objects.filter(session=panel, outcome=DecisionOutcome.DECLINED).count() == 4
    assert PlanLetter.objects.filter(version__in=plans).count() == 20


def test_the_lead_runs_a_session_from_set_up_to_close(browser, team, password):
    lead, chair, member, clinician = (
        team["lead"],
        team["chair"].user,
        team["member"].user,
        team["clinician"].user,
    )
    first = submitted_plan(lead.user)
    second = submitted_plan(lead.user)
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.goto("/plans/panels/")
    expect(browser.heading).to_have_text("Panel sessions")
    browser.click("Set up a panel session")

    # Nothing filled in: every problem in plain words.
    browser.submit("Set up the session")
    browser.expect_problem(
        "Enter the time the panel starts", browser.page.get_by_label("Start time")
    )
    expect(browser.page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a room or place, or a video call link"
    )
    browser.fill_date("Date of the panel", datetime.date(2027, 1, 14))
    browser.fill("Start time", "10:00")
    browser.fill("Room or place (optional)", "Room 4, Quayside House")
    browser.select("Chair", chair.full_name)
    browser.tick(member.full_name)
    browser.tick(clinician.full_name)
    browser.submit("Set up the session")
    browser.expect_success("The panel session has been set up")
    expect(browser.heading).to_have_text("Panel on 14 January 2027")

    browser.click("Change the date, place or members")
    browser.fill("Start time", "25:00")
    browser.submit("Save changes")
    browser.expect_problem(
        "Enter the start time on the 24-hour clock, like 14:30",
        browser.page.get_by_label("Start time"),
    )
    browser.fill("Start time", "14:30")
    browser.submit("Save changes")
    browser.expect_success("The panel session has been changed")

    browser.click("Add plans to the agenda")
    browser.submit("Add to the agenda")
    browser.expect_problem(
        "Select at least one plan to add",
        browser.page.get_by_role("checkbox").first,
    )
    for plan in (first, second):
        browser.page.get_by_role(
            "checkbox", name=re.compile(plan.plan.budget_holder.full_name)
        ).check()
    browser.submit("Add to the agenda")
    browser.expect_success("The plans have been added to the agenda")
    second_name = second.plan.budget_holder.full_name
    browser.click(f"Move up {second_name}'s plan", role="button")
    agenda = browser.page.locator("table").last
    expect(agenda.locator("tbody tr").first).to_contain_text(second_name)

    browser.click("Record who is here")
    browser.submit("Save attendance")  # with nobody ticked
    browser.expect_problem("Select who is here", browser.page.get_by_role("checkbox").first)
    for person in (chair, member, clinician):
        browser.tick(person.full_name)
    browser.submit("Save attendance")
    browser.expect_success("Attendance has been recorded")
    expect(browser.page.get_by_role("main")).to_contain_text(
        "3 members are here and 3 are needed, so the panel can start deciding."
    )
    # Planned for 14 January 2027, it cannot start today; moved to today, it can.
    browser.click("Start the panel", role="button")
    expect(browser.page.get_by_role("main")).to_contain_text(
        "This panel is planned for 14 January 2027, so it can start only on that day."
    )
    assert PanelSession.objects.get().status == PanelSessionStatus.PLANNED
    browser.click("Change the date, place or members")
    browser.fill_date("Date of the panel", timezone.localdate())
    browser.submit("Save changes")
    browser.expect_success("The panel session has been changed")
    browser.click("Start the panel", role="button")
    browser.expect_success("The panel has started")
    browser.click("Close the session", role="button")
    expect(browser.heading).to_have_text("What the panel decided")
    expect(browser.page.get_by_role("main")).to_contain_text("The panel has not decided any plans.")
    assert PanelSession.objects.get().status == PanelSessionStatus.CLOSED


def test_a_member_declares_a_conflict_of_interest(browser, team, password):
    lead, member = team["lead"].user, team["member"]
    plan = submitted_plan(lead)
    members = [team["chair"].user, member.user, team["clinician"].user]
    panel = session(lead, members, versions=[plan], present=members, start=True)
    browser.sign_in_with_code(member.user, member.secret, password)
    browser.goto(f"/plans/panels/{panel.pk}/")
    browser.click("Declare a conflict of interest")
    browser.submit("Declare the conflict")
    browser.expect_problem("Choose the plan", browser.page.get_by_label("Plan"))
    browser.page.get_by_label("Plan").select_option(index=1)
    browser.fill("What is the conflict of interest?", "The person is my neighbour")
    browser.submit("Declare the conflict")
    browser.expect_success("Your conflict of interest has been recorded")
    assert ConflictOfInterest.objects.get().member == member.user
    expect(browser.page.get_by_role("main")).to_contain_text(
        "The person is my neighbour (does not decide"
    )


def test_the_administrator_keeps_the_approval_policy(browser, team, password, icb):
    admin = team["admin"]
    browser.sign_in_with_code(admin.user, admin.secret, password)
    browser.goto("/plans/panels/policy/")
    expect(browser.heading).to_have_text("Approval policy")
    browser.fill("Members needed for a panel to decide", "0")
    browser.submit("Save the policy")
    browser.expect_problem(None, browser.page.get_by_label("Members needed for a panel to decide"))
    browser.fill("Members needed for a panel to decide", "4")
    browser.fill("Largest yearly plan cost a PHB lead may sign off", "7,500.00")
    reminders = "Remind staff this many days before a review is due"
    expect(browser.page.get_by_label(reminders)).to_have_value("28, 7")
    browser.fill(reminders, "14, four")
    browser.submit("Save the policy")
    browser.expect_problem(REMINDER_DAYS_MESSAGE, browser.page.get_by_label(reminders))
    browser.fill(reminders, "7, 30, 14")
    browser.submit("Save the policy")
    browser.expect_success("The approval policy has been saved")
    saved = ApprovalPolicy.objects.get(organisation=icb)
    assert (str(saved.lead_sign_off_limit), saved.panel_quorum) == ("7500.00", 4)
    assert saved.review_reminder_days == "30,14,7"


def test_the_panel_pages_fit_a_phone(chromium, live_server, team, password):
    lead, member = team["lead"], team["member"]
    plans = [submitted_plan(lead.user) for _ in range(2)]
    members = [team["chair"].user, member.user, team["clinician"].user]
    panel = session(lead.user, members, versions=plans, present=members, start=True)
    context = chromium.new_context(viewport={"width": 375, "height": 800})
    context.set_default_timeout(10_000)
    browser = Browser(context.new_page(), live_server.url)
    try:
        browser.sign_in_with_code(member.user, member.secret, password)
        for path in (
            "/plans/panels/",
            f"/plans/panels/{panel.pk}/",
            f"/plans/panels/{panel.pk}/plans/{plans[0].pk}/",
            f"/plans/panels/{panel.pk}/plans/{plans[0].pk}/decide/",
            f"/plans/panels/{panel.pk}/summary/",
        ):
            browser.goto(path)
            assert browser.page.evaluate(OVERFLOW) == [], f"{path} at 375px"
    finally:
        context.close()
