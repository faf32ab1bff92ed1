"""Messages in a real browser, with axe on every page: a care coordinator asks for Ada's
review reminders (first without a way to send them), the morning's reminders are recorded and
sent, one fails (her plan's coordinator has no email address), and a PHB lead finds it in the
outbox and sends it again."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import Review
from careplans.services.reminders import scan_due_reviews
from phb.models import Message, MessageStatus, Role
from phb.notifications import services as notifications
from tests.browser.conftest import Browser, Staff
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_reminders_are_asked_for_sent_and_a_failed_one_sent_again(browser: Browser, icb, password):
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    coordinator = Staff(Role.CARE_COORDINATOR, icb)
    ada = BudgetHolderFactory(
        organisation=icb,
        given_name="Ada",
        family_name="Lovelace",
        email="ada@example.org",
        preferred_contact="letter",
    )
    # Her care coordinator, Casey, has no email address. Her direct payment is paid from 1 May
    # 2026, so her first review is due (without a payment, none would be).
    plan_in_use(lead.user, ada, first_payment=datetime.date(2026, 5, 1))
    today = timezone.localdate()
    Review.objects.filter(plan__budget_holder=ada).update(due_on=today + datetime.timedelta(days=7))

    browser.sign_in_with_code(coordinator.user, coordinator.secret, password)
    browser.goto(f"/people/{ada.pk}/edit/")
    reminders = "Remind them when a review of their plan is coming up"
    browser.tick(reminders)
    browser.submit("Save details")
    browser.expect_problem(
        "Reminders go by email or text message: choose one of those as their preferred way "
        "to be contacted, and give their email address or phone number",
        page.get_by_role("checkbox", name=reminders),
    )
    browser.choose("Email")
    browser.submit("Save details")
    browser.expect_success("Ada Lovelace's details have been saved")

    # 7am: the scan records the reminders; the worker sends them.
    scan_due_reviews(today=today)
    for message in Message.objects.all():
        notifications.deliver(message_id=message.pk)
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert failed.recipient_name == "Casey"

    page.context.clear_cookies()
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click_in_header("Messages")
    expect(browser.heading).to_have_text("Messages")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Review due in 7 days: Ada Lovelace")
    expect(main).to_contain_text("Your care and support plan review")
    expect(main).to_contain_text("There is no address to send it to")
    with page.expect_navigation():  # each of her messages links to the messages about her
        main.get_by_role("link", name="Ada Lovelace", exact=True).first.click()
    browser.check_accessibility()
    expect(browser.heading).to_have_text("Messages")
    browser.click("Send it again (Review due in 7 days: Ada Lovelace to Casey)")
    expect(browser.heading).to_have_text("Send this message again")
    browser.submit("Send it again")
    browser.expect_success("will be sent again shortly")
    failed.refresh_from_db()
    assert failed.status == MessageStatus.QUEUED
    browser.goto(f"/people/{ada.pk}/")
    browser.click("See the messages sent about Ada")
    expect(browser.heading).to_have_text("Messages")
