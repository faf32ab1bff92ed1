"""The pages for reviews, reconsideration, stopping and repayment: each in its states, bad
input with NHS.UK errors and nothing saved, and the lists in a fixed number of queries."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import Budget, BudgetStatus, PaymentInstalment, PaymentSchedule
from careplans.models import (
    BudgetStop,
    PlanLetter,
    ReconsiderationRequest,
    RepaymentRequest,
    RepaymentSettlement,
    Review,
    ReviewKind,
    ReviewStatus,
)
from careplans.services import reconsideration, stopping
from careplans.services import reviews as review_services
from tests.budgets.factories import staff
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)
PROBLEM = "There is a problem"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)


def page(response) -> str:
    return unescape(response.content.decode())


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


@pytest.fixture
def in_use(phb_lead, holder):
    """Approved on 20 April 2026 (a review cannot be dated before its plan was approved)."""
    return plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20))


def review_data(version, reviewer, **changes) -> dict:
    data = {
        "reviewer": str(reviewer.pk),
        **date_fields("completed_on", D_(2026, 11, 20)),
        "plan_still_right": "yes",
        "money_used_well": "yes",
        "amount_enough": "yes",
        "conditions_kept": "yes",
        "risk_level": "standard",
        "changes_needed": "",
        "notes": "",
        **{f"goal_{goal.pk}": "good" for goal in version.goals.all()},
    }
    return data | changes


def test_a_review_is_recorded_through_its_page(client, in_use, care_coordinator):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    client.force_login(care_coordinator)
    url = reverse("careplans:review_record", args=[review.pk])
    html = page(client.get(url))
    assert "First review, due by 1 August 2026." in html
    assert "Goal 1: Walk Biscuit to the park" in html
    response = client.post(url, review_data(version, care_coordinator))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED
    # Reviewed 20 November 2026: the next review is due by 20 November 2027.
    assert Review.objects.get(plan=version.plan, status=ReviewStatus.DUE).due_on == D_(2027, 11, 20)
    # Done: the page now says so rather than offer the form again.
    response = client.get(url, follow=True)
    assert "This review was already completed" in page(response)


def test_a_review_with_bad_input_says_what_is_wrong_and_saves_nothing(
    client, in_use, care_coordinator, other_icb_lead
):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    client.force_login(care_coordinator)
    data = review_data(version, other_icb_lead, plan_still_right="no")
    del data[f"goal_{version.goals.get().pk}"]
    response = client.post(reverse("careplans:review_record", args=[review.pk]), data)
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "<title>Error: Record the review" in html
    assert "Say how goal 1 is going" in html
    assert "Select who carried out the review" in html or "Choose who" in html
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE
    # The reviewer from another ICB is not even offered.
    assert other_icb_lead.full_name not in page(
        client.get(reverse("careplans:review_record", args=[review.pk]))
    )


def test_reviews_due_in_a_fixed_number_of_queries(client, in_use, phb_lead, icb):
    version, _, _ = in_use
    client.force_login(phb_lead)
    url = reverse("careplans:reviews_due")
    html = page(client.get(url))
    holder = version.plan.budget_holder
    assert holder.full_name in html
    assert "Overdue by 114 days" in html  # due 1 August 2026, today 23 November 2026
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    # More people with reviews due: the same number of queries.
    for _ in range(3):
        plan_in_use(
            phb_lead,
            BudgetHolderFactory(organisation=icb),
            first_payment=D_(2026, 9, 1),
            approved_on=D_(2026, 8, 20),
        )
    with CaptureQueriesContext(connection) as four:
        html = page(client.get(url))
    assert len(four) == len(one)
    # Approved 20 August, first payment 1 September: due 1 December.
    assert html.count("Due in 8 days") == 3
    overdue = page(client.get(url, {"show": "overdue"}))
    assert "Due in 8 days" not in overdue
    assert holder.full_name in overdue


def _changed_plan_decision(lead, icb):
    """A person whose plan decision was looked at again and changed, not yet put into effect."""
    version, _, _ = plan_in_use(lead, BudgetHolderFactory(organisation=icb))
    request = reconsideration.record_request(
        actor=lead,
        holder=version.plan.budget_holder,
        decision=version.decision,
        received_on=TODAY,
        persons_reasons="The gym was left out.",
        ground="reg8",
    )
    ReconsiderationRequest.objects.filter(pk=request.pk).update(
        outcome="changed",
        outcome_reasons="It should be in.",
        reconsidered_by=staff("phb_lead", icb),
        decided_at=timezone.now(),
    )


def test_the_requests_page_lists_changed_decisions_in_a_fixed_number_of_queries(
    client, phb_lead, icb
):
    _changed_plan_decision(phb_lead, icb)
    client.force_login(phb_lead)
    url = reverse("careplans:reconsiderations")
    with CaptureQueriesContext(connection) as one:
        html = page(client.get(url))
    assert html.count("The decision about version 1 of the care and support plan") == 1
    for _ in range(3):
        _changed_plan_decision(phb_lead, icb)
    with CaptureQueriesContext(connection) as four:
        html = page(client.get(url))
    assert len(four) == len(one)
    assert html.count("The decision about version 1 of the care and support plan") == 4


def test_the_caseload_shows_when_the_review_is_due(client, in_use, phb_lead, icb):
    client.force_login(phb_lead)
    html = page(client.get(reverse("caseload")))
    assert "Review due" in html
    assert "Overdue: 1 Aug 2026" in html
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("caseload"))
    # More people, with reviews due and without: the same number of queries.
    for _ in range(2):
        plan_in_use(
            phb_lead,
            BudgetHolderFactory(organisation=icb),
            first_payment=D_(2026, 9, 1),
            approved_on=D_(2026, 8, 20),
        )
    BudgetHolderFactory(organisation=icb)
    with CaptureQueriesContext(connection) as more:
        html = page(client.get(reverse("caseload")))
    assert len(more) == len(one)
    assert html.count("1 Dec 2026") == 2
    assert "None due" in html


def test_the_holder_is_told_an_overdue_review_was_due_not_that_it_is_coming(
    client, monkeypatch, in_use, holder
):
    """The first review is due by 1 August 2026: up to that day it is the next review; after
    it, the page says when it was due and who will arrange it, for the holder and for their
    representative (whom the coordinator contacts, as the letters say)."""
    representative = RepresentativeFactory(budget_holder=holder)
    url = reverse("careplans:your_plan", args=[holder.pk])
    readers = (
        (holder.user, "Your", "you"),
        (representative.user, f"{holder.given_name}'s", "you"),
    )
    for user, your, you in readers:
        client.force_login(user)
        html = page(client.get(url))
        assert (
            f"{your} review was due by 1 August 2026. {your} care coordinator will contact "
            f"{you} to arrange it."
        ) in html
        assert "next review is due by" not in html
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D_(2026, 8, 1))
    for user, your, _ in readers:
        client.force_login(user)
        html = page(client.get(url))
        assert f"{your} next review is due by 1 August 2026." in html
        assert "was due by" not in html


def test_bringing_a_review_forward_through_its_page(client, in_use, care_coordinator, holder):
    client.force_login(care_coordinator)
    url = reverse("careplans:review_bring_forward", args=[holder.pk])
    response = client.post(url, {**date_fields("due_on", D_(2026, 1, 1)), "reason": ""})
    html = page(response)
    assert PROBLEM in html
    assert "Say why the review is being brought forward" in html
    response = client.post(url, {**date_fields("due_on", D_(2026, 1, 1)), "reason": "A fall"})
    assert "The new date must be today or later" in page(response)
    # The first review is overdue (1 August 2026): it cannot be brought forward any more.
    response = client.post(url, {**date_fields("due_on", D_(2026, 12, 1)), "reason": "A fall"})
    assert "The review is already due by 1 August 2026: choose an earlier date" in page(response)
    assert Review.objects.get(plan__budget_holder=holder).reason_brought_forward == ""


def stop_data(budget, **changes):
    return {
        "version": budget.version,
        "reason": "needs_not_met",
        "explanation": "The support bought is not meeting your health needs.",
        **date_fields("notice_given_on", D_(2026, 11, 20)),
        **date_fields("effective_on", D_(2026, 12, 18)),
    } | changes


def test_the_stop_page_says_the_notice_and_refuses_less_beside_the_date(client, in_use, phb_lead):
    """Notice given on 20 November 2026, the budget to stop on 17 December 2026 for needs
    not met: 27 days, so refused beside the date it stops; nothing is stopped."""
    _, budget, _ = in_use
    client.force_login(phb_lead)
    url = reverse("careplans:stop", args=[budget.pk])
    assert (
        "it can stop no sooner than 28 days after notice was given, unless the person has "
        "died, theft or fraud is suspected, or the person asked for the budget to stop."
    ) in page(client.get(url))
    html = page(
        client.post(url, stop_data(budget, **date_fields("effective_on", D_(2026, 12, 17))))
    )
    assert PROBLEM in html
    beside = re.search(
        r'<span class="nhsuk-error-message" id="id_effective_on[^"]*-error"\s*>\s*'
        r'<span class="nhsuk-u-visually-hidden">Error: </span>(.*?)</span>',
        html,
        re.S,
    )
    assert (
        beside.group(1)
        .strip()
        .startswith(
            "The budget can stop no sooner than 28 days after notice was given, on or after "
            "18 December 2026: "
        )
    )
    assert not BudgetStop.objects.exists()


def test_a_stop_without_a_legal_reason_is_refused_on_the_page(
    client, in_use, phb_lead, today_is, monkeypatch
):
    _, budget, _ = in_use
    client.force_login(phb_lead)
    url = reverse("careplans:stop", args=[budget.pk])
    assert "regulation 17" in page(client.get(url))
    response = client.post(url, stop_data(budget, reason=""))
    html = page(response)
    assert PROBLEM in html
    assert "Choose the reason the law allows for stopping the budget" in html
    assert not BudgetStop.objects.exists()
    response = client.post(url, stop_data(budget))
    assert response.status_code == 302
    stop = BudgetStop.objects.get()
    assert "the budget is not meeting your health needs" in unescape(stop.letter.body_html)
    # The person's record says the budget is stopping, when and why, with the letter.
    record = unescape(page(client.get(reverse("person_detail", args=[budget.budget_holder_id]))))
    assert (
        "The budget stops on <strong>18 December 2026</strong>: the person's needs are not "
        "being met."
    ) in record
    assert reverse("careplans:letter", args=[stop.letter_id]) in record
    assert "Stop the budget" not in record
    # A second stop is not offered.
    assert "already been stopped" in page(client.get(url, follow=True))
    # Once the stop has taken effect (the budget has ended), the record still says so, with the
    # letter, and the caseload says the budget ended (not "No budget yet").
    today_is(D_(2026, 12, 18))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D_(2026, 12, 18))
    budget_services.end_budget(actor=phb_lead, budget=Budget.objects.get(pk=budget.pk))
    client.force_login(phb_lead)  # a new day's sign-in
    record = unescape(page(client.get(reverse("person_detail", args=[budget.budget_holder_id]))))
    assert "The budget stopped on <strong>18 December 2026</strong>" in record
    assert reverse("careplans:letter", args=[stop.letter_id]) in record
    assert "Stop the budget" not in record
    caseload = unescape(page(client.get(reverse("caseload"))))
    assert "Ended: £20,000.00" in caseload


def test_a_stop_keeps_a_payment_made_early_and_says_so(client, in_use, phb_lead, finance_officer):
    """A payment recorded before it was due, for days after the stop, is never deleted: the
    stop goes ahead, the unpaid payments from that day are cancelled, and both the lead and the
    person are told about the one already made."""
    _, budget, _ = in_use
    if budget.status == BudgetStatus.AGREED:
        budget = budget_services.activate_budget(actor=finance_officer, budget=budget)
    instalments = PaymentInstalment.objects.filter(schedule__portion__budget=budget)
    early = instalments.filter(due_date__gte=D_(2027, 1, 1)).order_by("due_date").first()
    budget_services.record_payment(
        actor=finance_officer, instalment=early, paid_on=D_(2026, 11, 20), reference="EARLY-1"
    )
    unpaid_after = instalments.filter(due_date__gte=D_(2026, 12, 18), paid_on__isnull=True)
    assert unpaid_after.exists()
    client.force_login(phb_lead)
    budget.refresh_from_db()
    response = client.post(reverse("careplans:stop", args=[budget.pk]), stop_data(budget))
    assert response.status_code == 302
    flashed = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert (
        f"1 payment for the time from 18 December 2026 had already been made "
        f"(£{early.amount:,.2f}): ask for the money back if it should be repaid"
    ) in flashed
    assert not unpaid_after.exists()
    assert instalments.get(pk=early.pk).payment_reference == "EARLY-1"
    letter = unescape(BudgetStop.objects.get().letter.body_html)
    assert f"1 payment for the time from 18 December 2026, £{early.amount:,.2f} in all" in letter


def test_a_stop_from_a_stale_page_is_refused(client, in_use, phb_lead):
    _, budget, _ = in_use
    client.force_login(phb_lead)
    response = client.post(
        reverse("careplans:stop", args=[budget.pk]),
        stop_data(budget, version=budget.version - 1),
        follow=True,
    )
    schedule = PaymentSchedule.objects.filter(portion__budget=budget).latest("created_at")
    assert (
        "You cannot stop this budget: its payment schedule was set by "
        f"{schedule.created_by.full_name} on "
        f"{timezone.localtime(schedule.created_at):%-d %B %Y at %H:%M}, after you opened this "
        "page. Check it and try again."
    ) in unescape(page(response))
    assert not BudgetStop.objects.exists()
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.AGREED


def test_money_asked_back_and_paid_back_through_the_pages(client, in_use, finance_officer):
    _, budget, _ = in_use
    client.force_login(finance_officer)
    url = reverse("careplans:repayment_new", args=[budget.pk])
    data = {
        "ground": "outside_plan",
        "amount": "300.00",
        "explanation": "£300.00 paid for a television, which is not in the plan.",
        **date_fields("due_by", D_(2027, 1, 31)),
        "who_repays": "Alex Example",
        "requests_seen": "0",
    }
    assert 'name="requests_seen" value="0"' in page(client.get(url))
    response = client.post(url, data | {"amount": "3.001"})
    assert PROBLEM in page(response)
    assert not RepaymentRequest.objects.exists()
    assert client.post(url, data).status_code == 302
    repayment = RepaymentRequest.objects.get()
    assert repayment.amount == D("300.00")
    settle = reverse("careplans:repayment_settle", args=[repayment.pk])
    shown = page(client.get(settle))
    assert "£300.00 is still owed" in shown
    assert 'name="settlements_seen" value="0"' in shown
    response = client.post(
        settle,
        {
            "amount": "300.01",
            **date_fields("received_on", TODAY),
            "reference": "",
            "settlements_seen": "0",
        },
    )
    assert "Only £300.00 is still owed" in page(response)
    client.post(
        settle, {"amount": "300.00", **date_fields("received_on", TODAY), "settlements_seen": "0"}
    )
    assert RepaymentSettlement.objects.get().amount == D("300.00")
    assert "paid in full" in page(client.get(settle, follow=True))


def repayment_data(**changes) -> dict:
    return {
        "ground": "outside_plan",
        "amount": "200.00",
        "explanation": "£200.00 paid for a television, which is not in the plan.",
        **date_fields("due_by", D_(2027, 1, 31)),
        "who_repays": "Alex Example",
        "requests_seen": "0",
    } | changes


def test_asking_for_money_back_twice_from_one_page_asks_once(client, in_use, finance_officer):
    _, budget, _ = in_use
    client.force_login(finance_officer)
    url = reverse("careplans:repayment_new", args=[budget.pk])
    assert client.post(url, repayment_data()).status_code == 302
    first = RepaymentRequest.objects.get()
    letters = PlanLetter.objects.count()
    # The button pressed again (or the page sent from a second tab): refused in words.
    again = client.post(url, repayment_data(), follow=True)
    html = page(again)
    made_at = timezone.localtime(first.created_at)
    assert (
        f"A request for £200.00 back was already made by {finance_officer.full_name} on "
        f"{made_at:%-d %B %Y at %H:%M}, after this page was opened. Nothing was changed"
    ) in html
    assert RepaymentRequest.objects.count() == 1
    assert PlanLetter.objects.count() == letters
    # A page without what it showed is stale too.
    missing = repayment_data()
    del missing["requests_seen"]
    assert "This page is out of date" in page(client.post(url, missing))
    assert RepaymentRequest.objects.count() == 1


def test_who_must_pay_back_in_invisible_text_is_asked_for(client, in_use, finance_officer):
    _, budget, _ = in_use
    client.force_login(finance_officer)
    url = reverse("careplans:repayment_new", args=[budget.pk])
    html = page(client.post(url, repayment_data(who_repays="\u200b")))
    assert PROBLEM in html
    assert "Say who must pay the money back" in html
    html = page(client.post(url, repayment_data(who_repays="\u202eelpmaxE xelA")))
    assert "Who must pay it back must not contain hidden characters" in html
    assert not RepaymentRequest.objects.exists()


def test_the_same_request_from_a_fresh_page_the_same_day_is_refused(
    client, in_use, finance_officer
):
    _, budget, _ = in_use
    client.force_login(finance_officer)
    url = reverse("careplans:repayment_new", args=[budget.pk])
    client.post(url, repayment_data())
    first = RepaymentRequest.objects.get()
    html = page(client.post(url, repayment_data(requests_seen="1"), follow=True))
    assert (
        "The same request, for £200.00 back by 31 January 2027 from Alex Example, was already "
        f"made by {finance_officer.full_name}"
    ) in html
    assert "Nothing more was saved." in html
    assert list(RepaymentRequest.objects.all()) == [first]


def test_a_second_request_from_a_fresh_page_is_made(client, in_use, finance_officer):
    _, budget, _ = in_use
    client.force_login(finance_officer)
    url = reverse("careplans:repayment_new", args=[budget.pk])
    client.post(url, repayment_data())
    fresh = page(client.get(url))
    assert 'name="requests_seen" value="1"' in fresh
    response = client.post(url, repayment_data(amount="50.00", requests_seen="1"))
    assert response.status_code == 302
    assert sorted(RepaymentRequest.objects.values_list("amount", flat=True)) == [
        D("50.00"),
        D("200.00"),
    ]


def test_recording_money_paid_back_twice_from_one_page_records_it_once(
    client, in_use, finance_officer
):
    _, budget, _ = in_use
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="outside_plan",
        amount=D("300.00"),
        explanation="Paid for a television.",
        due_by=D_(2027, 1, 31),
        who_repays="Alex Example",
    )
    client.force_login(finance_officer)
    settle = reverse("careplans:repayment_settle", args=[repayment.pk])
    data = {"amount": "100.00", **date_fields("received_on", TODAY), "settlements_seen": "0"}
    assert client.post(settle, data).status_code == 302
    recorded = RepaymentSettlement.objects.get()
    html = page(client.post(settle, data, follow=True))
    assert (
        f"£100.00 received on 23 November 2026 was already recorded by "
        f"{finance_officer.full_name} on "
        f"{timezone.localtime(recorded.recorded_at):%-d %B %Y at %H:%M}, after this page was "
        "opened. Nothing was changed: £200.00 is still owed."
    ) in html
    assert RepaymentSettlement.objects.count() == 1
    # From a fresh page, the next payment is recorded.
    assert 'name="settlements_seen" value="1"' in page(client.get(settle))
    client.post(settle, data | {"settlements_seen": "1"})
    assert stopping.outstanding(repayment) == D("100.00")
    # Paid in full, then the same button again: still told what was recorded, and by whom.
    paid_off = data | {"amount": "100.00", "settlements_seen": "2"}
    client.post(settle, paid_off)
    assert stopping.outstanding(repayment) == D("0.00")
    html = page(client.post(settle, paid_off, follow=True))
    who = finance_officer.full_name
    assert f"£100.00 received on 23 November 2026 was already recorded by {who}" in html
    assert RepaymentSettlement.objects.count() == 3


def test_a_request_is_recorded_and_decided_through_the_pages(
    client, in_use, phb_lead, care_coordinator, holder, icb
):
    _, budget, _ = in_use
    stop = stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="fraud",
        explanation="We think money was taken from the account.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=D_(2026, 11, 23),
    )
    client.force_login(care_coordinator)
    url = reverse("careplans:reconsideration_new", args=[holder.pk])
    token = f"BudgetStop:{stop.pk}"
    assert "Stopping the budget from 23 november 2026" in page(client.get(url)).replace(
        "November", "november"
    )
    response = client.post(url, {"decision": token, "persons_reasons": ""})
    assert PROBLEM in page(response)
    assert not ReconsiderationRequest.objects.exists()
    client.post(
        url,
        {
            "decision": token,
            **date_fields("received_on", D_(2026, 11, 21)),
            "persons_reasons": "Nothing was taken.",
        },
    )
    request = ReconsiderationRequest.objects.get()
    decide = reverse("careplans:reconsideration_decide", args=[request.pk])
    # Staff who cannot decide it are linked to the person's record, not to a page they
    # cannot open.
    html = page(client.get(reverse("careplans:reconsiderations")))
    assert decide not in html
    assert reverse("person_detail", args=[request.budget_holder_id]) in html
    client.force_login(phb_lead)
    html = page(client.get(reverse("careplans:reconsiderations")))
    assert "2 days" in html and decide in html
    # The lead who stopped it is told before filling the form, and again if they post it.
    assert "someone else must look at it again" in page(client.get(decide, follow=True))
    response = client.post(decide, {"outcome": "changed", "outcome_reasons": "x"}, follow=True)
    assert "someone else must look at it again" in page(response)
    client.force_login(staff("phb_lead", icb))
    # A stop is never changed (ADR 0043): the page says what to do instead, before and after.
    instead = "If the person should go on having a personal health budget, set up a new budget"
    shown = unescape(page(client.get(decide)))
    assert instead in shown
    # Only what can be recorded is offered.
    assert "The decision has been changed" not in shown
    assert "The decision stands" in shown and "The person withdrew the request" in shown
    response = client.post(decide, {"outcome": "changed", "outcome_reasons": "We were wrong."})
    assert instead in unescape(page(response)) and PROBLEM in page(response)
    assert "Choose one of the outcomes shown" in page(response)
    request.refresh_from_db()
    assert request.is_open
    assert not PlanLetter.objects.filter(kind="reconsideration").exists()

    # A stop decided "changed" before then waits, on the record and the requests page, until
    # a coordinator records what was done.
    ReconsiderationRequest.objects.filter(pk=request.pk).update(
        outcome="changed",
        outcome_reasons="We were wrong.",
        reconsidered_by=staff("phb_lead", icb),
        decided_at=timezone.now(),
    )
    made = reverse("careplans:reconsideration_change_made", args=[request.pk])
    client.force_login(care_coordinator)
    record = reverse("person_detail", args=[holder.pk])
    html = unescape(page(client.get(record)))
    assert (
        "On reconsideration on 23 November 2026, stopping the budget from 23 November 2026 "
        "was changed. It has not been recorded yet that the change was made."
    ) in html
    assert made in html
    html = unescape(page(client.get(reverse("careplans:reconsiderations"))))
    assert "Changed decisions to put into effect" in html and made in html
    assert "No requests are waiting." in html
    response = client.post(made, {"note": " "})
    html = unescape(page(response))
    assert PROBLEM in html
    assert "Enter the date the change was made" in html and "Say what was changed" in html
    response = client.post(
        made, {**date_fields("made_on", D_(2026, 11, 22)), "note": "A new budget was set up."}
    )
    assert "the day the decision was changed" in unescape(page(response))
    response = client.post(
        made, {**date_fields("made_on", D_(2026, 11, 23)), "note": "A new budget was set up."}
    )
    assert response["Location"] == record
    request.refresh_from_db()
    assert request.change_made_on == D_(2026, 11, 23)
    assert request.change_made_by == care_coordinator
    html = unescape(page(client.get(record)))
    assert "It has not been recorded yet" not in html and made not in html
    html = unescape(page(client.get(reverse("careplans:reconsiderations"))))
    assert "No changed decisions are waiting to be put into effect." in html
    # A second tab is told who recorded it, and nothing changes.
    response = client.post(
        made, {**date_fields("made_on", D_(2026, 11, 23)), "note": "Again."}, follow=True
    )
    assert (
        f"{care_coordinator.full_name} recorded on 23 November 2026 that the change was made"
    ) in unescape(page(response))
    request.refresh_from_db()
    assert request.change_made_note == "A new budget was set up."


def test_the_persons_record_says_what_is_due_and_offers_the_actions(
    client, in_use, phb_lead, holder, finance_officer
):
    _, budget, _ = in_use
    stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="unspent",
        amount=D("100.00"),
        explanation="Unspent.",
        due_by=D_(2026, 12, 31),
        who_repays="Alex",
    )
    client.force_login(phb_lead)
    html = page(client.get(reverse("person_detail", args=[holder.pk])))
    assert "First review due by <strong>1 August 2026</strong> (overdue)" in html
    assert "£100.00 asked back by 31 December 2026" in html
    assert "Stop the budget" in html
    assert "Record a request for reconsideration" in html
    # Money paid back so far is shown with what is still owed.
    stopping.record_settlement(
        actor=finance_officer,
        repayment=budget.repayments.get(),
        amount=D("10.00"),
        received_on=TODAY,
    )
    html = page(client.get(reverse("person_detail", args=[holder.pk])))
    assert (
        "£100.00 asked back by 31 December 2026: £10.00 paid back so far, £90.00 still owed" in html
    )


def test_money_paid_back_below_a_penny_is_refused_with_the_real_minimum(
    client, in_use, finance_officer
):
    _, budget, _ = in_use
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="unspent",
        amount=D("100.00"),
        explanation="Unspent.",
        due_by=D_(2026, 12, 31),
        who_repays="Alex",
    )
    client.force_login(finance_officer)
    settle = reverse("careplans:repayment_settle", args=[repayment.pk])
    for typed in ("-5", "0", "£-0"):
        data = {"amount": typed, **date_fields("received_on", TODAY), "settlements_seen": "0"}
        assert "Amount received must be £0.01 or more" in page(client.post(settle, data))
    assert not repayment.settlements.exists()


def test_no_review_is_promised_after_the_budget_stops(client, phb_lead, holder):
    """A review due by 4 January 2027, and the budget stops on 18 December 2026: the person
    is not told a review is coming, and staff are told it is not needed."""
    _, budget, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 11, 1), approved_on=D_(2026, 10, 20)
    )
    stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="needs_not_met",
        explanation="The support bought is not meeting your health needs.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=D_(2026, 12, 18),
    )
    # The stop cancelled the review due, and none can be brought forward to a day after it.
    plan = budget.budget_holder.care_plan
    with pytest.raises(ValidationError) as excinfo:
        review_services.bring_forward(
            actor=phb_lead, plan=plan, due_on=D_(2027, 1, 4), reason="A fall"
        )
    assert excinfo.value.message_dict == {
        "due_on": [
            "The new date must be before 18 December 2026, the day the budget stops: no review "
            "is needed from then"
        ]
    }
    # One left due after the stop from before that rule is still shown as not needed.
    Review.objects.create(
        plan=plan,
        kind=ReviewKind.BROUGHT_FORWARD,
        due_on=D_(2027, 1, 4),
        reason_brought_forward="A fall",
    )
    client.force_login(holder.user)
    html = page(client.get(reverse("careplans:your_plan", args=[holder.pk])))
    assert "No review is needed: your budget stops on 18 December 2026." in html
    assert "next review is due by" not in html
    client.force_login(phb_lead)
    html = page(client.get(reverse("person_detail", args=[holder.pk])))
    assert (
        "Review brought forward due by <strong>4 January 2027</strong>. The budget stops on "
        "18 December 2026, before then, so no review is needed."
    ) in html


def test_a_letter_leads_back_to_a_page_its_reader_can_open(
    client, in_use, phb_lead, finance_officer, holder
):
    """A stop letter has no plan version: staff go back to the person's record, the person to
    their own plan page (which staff cannot open)."""
    _, budget, _ = in_use
    stop = stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="needs_not_met",
        explanation="The support bought is not meeting your health needs.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=D_(2026, 12, 18),
    )
    url = reverse("careplans:letter", args=[stop.letter_id])
    for user, back in (
        (phb_lead, reverse("person_detail", args=[holder.pk])),
        (finance_officer, reverse("person_detail", args=[holder.pk])),
        (holder.user, reverse("careplans:your_plan", args=[holder.pk])),
    ):
        client.force_login(user)
        html = page(client.get(url))
        assert f'href="{back}"' in html
        assert client.get(back).status_code == 200


def test_the_holder_and_their_representative_see_money_asked_back_and_paid_back(
    client, in_use, holder, finance_officer
):
    """£100.00 asked back by 6 January 2027: nothing paid, then £10.00 (£90.00 still to
    pay), then the other £90.00 (all paid back); a withdrawn request is not shown. Said to
    the person as "your budget" and to their representative as "Margaret's budget", in a
    number of queries that does not grow with the requests."""
    _, budget, _ = in_use
    representative = RepresentativeFactory(budget_holder=holder)
    url = reverse("holder_home_for", args=[holder.pk])
    readers = ((holder.user, "your"), (representative.user, f"{holder.given_name}'s"))

    def seen(user) -> str:
        client.force_login(user)
        return page(client.get(url))

    with CaptureQueriesContext(connection) as before:
        assert "Money asked back" not in seen(holder.user)
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="unspent",
        amount=D("100.00"),
        explanation="Unspent.",
        due_by=D_(2027, 1, 6),
        who_repays="Alex",
    )
    for user, whose in readers:
        assert (
            f"We have asked for £100.00 back from {whose} budget, by 6 January 2027. Nothing "
            "has been paid back yet."
        ) in seen(user)
    stopping.record_settlement(
        actor=finance_officer, repayment=repayment, amount=D("10.00"), received_on=TODAY
    )
    for user, whose in readers:
        assert (
            f"We have asked for £100.00 back from {whose} budget, by 6 January 2027. £10.00 "
            "has been paid back so far, so £90.00 is still to pay."
        ) in seen(user)
    stopping.record_settlement(
        actor=finance_officer, repayment=repayment, amount=D("90.00"), received_on=TODAY
    )
    for user, whose in readers:
        html = seen(user)
        assert (
            f"We asked for £100.00 back from {whose} budget, by 6 January 2027. It has all been "
            "paid back."
        ) in html
        assert "still to pay" not in html
    second = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="outside_plan",
        amount=D("25.50"),
        explanation="Spent outside the plan.",
        due_by=D_(2027, 2, 1),
        who_repays="Alex",
    )
    with CaptureQueriesContext(connection) as after:
        html = seen(holder.user)
    assert "£25.50 back from your budget, by 1 February 2027. Nothing has been" in html
    # One query for the section whether there are no requests or two.
    assert len(after.captured_queries) == len(before.captured_queries)
    type(second).objects.filter(pk=second.pk).update(withdrawn_on=TODAY)
    assert "£25.50 back from your budget" not in seen(holder.user)
