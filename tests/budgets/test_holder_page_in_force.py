"""The holder's page shows the amount in force, why a budget stopped, and whether it has started.

A change of amount overwrites the budget's amount and its parts as soon as it is issued, long
before its day: until the day comes, or when the budget stops first, the page shows the amount
and the parts that apply. The stop's reason and letters (careplans) are on the budget's page,
and a budget whose care and support plan is not approved yet promises no payment date.

The suite's today is 23 November 2026 (ADR 0033). The budget is £4,000.00 for 1 April 2026 to
31 March 2027: £2,500.00 paid as a direct payment and £1,500.00 kept by the team.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets import services
from budgets.holder_presenters import holder_budget, listed_letters
from budgets.models import HoldingMethod
from budgets.selectors import holder_budgets_for
from careplans.models import PlanLetter
from careplans.services import stopping
from phb.extensions import BudgetLetterLink
from tests.budgets.factories import agreed_budget, change_amount, reload
from tests.budgets.test_budget_states import main_text

pytestmark = pytest.mark.django_db

STOPS_ON = datetime.date(2027, 1, 1)
REDUCED_FROM = datetime.date(2027, 1, 15)
REDUCTION_REASON = "Fewer visits are needed after the review."
DIRECT_PAYMENT = "Paid into a bank account to spend on the care in your plan (a direct payment)"
KEPT = "Kept by the personal health budget team, who arrange your care"


def _budget(phb_lead, holder, ras, *, plan_approved=True, portions=None):
    return agreed_budget(
        phb_lead,
        holder,
        ras,
        amount=D("4000.00"),
        portions=portions
        or [
            (HoldingMethod.DIRECT_PAYMENT, D("2500.00"), ""),
            (HoldingMethod.NOTIONAL, D("1500.00"), ""),
        ],
        plan_approved=plan_approved,
    )


def _reduce(phb_lead, budget, new_amount=D("3000.00")):
    # £4,000.00 down to £3,000.00 shares £2,500.00 : £1,500.00 as £1,875.00 : £1,125.00.
    change_amount(
        phb_lead,
        reload(budget),
        new_amount=new_amount,
        effective_from=REDUCED_FROM,
        reason=REDUCTION_REASON,
    )


def _stop(phb_lead, budget, reason="not_eligible"):
    return stopping.stop_phb(
        actor=phb_lead,
        budget=reload(budget),
        reason=reason,
        explanation="The assessment on 20 November found the care is no longer needed.",
        notice_given_on=datetime.date(2026, 11, 23),
        effective_on=STOPS_ON,
    )


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    return main_text(response.content.decode())


def _presented(holder, *, acting_for=False):
    return holder_budget(holder_budgets_for(holder), holder=holder, acting_for=acting_for)


def _rows(page) -> dict:
    return {
        row["key"]["text"]: row["value"].get("text") or str(row["value"].get("html"))
        for row in page.summary_rows
    }


# --- 1. A reduction that the stop overtook never happened ------------------------------------


def test_a_stop_before_a_reduction_shows_the_amount_and_parts_that_applied(
    client, phb_lead, holder, ras
):
    budget = _budget(phb_lead, holder, ras)
    _reduce(phb_lead, budget)
    _stop(phb_lead, budget)
    text = _page(client, holder.user)
    for statement in [
        "Your budget has been agreed: £4,000.00 for 1 April 2026 to 31 March 2027.",
        "It stops on 1 January 2027: there are no payments from it from that day.",
        "Amount £4,000.00",
        f"{DIRECT_PAYMENT}: £2,500.00",
        f"{KEPT}: £1,500.00",
        "From 15 January 2027 the budget was to go down from £4,000.00 to £3,000.00, because: "
        "Fewer visits are needed after the review. That change does not happen: the budget "
        "stops on 1 January 2027, before it was due.",
    ]:
        assert statement in text
    for statement in ["£3,000.00 for", "Amount £3,000.00", "£1,875.00", "£1,125.00", "from 15"]:
        assert statement not in main_text_without_changes(text)


def main_text_without_changes(text: str) -> str:
    """The page less the box that lists the changes (which names the one that did not
    happen) and the explanation (which says it was to happen)."""
    before, _, _ = text.partition("How the budget was worked out")
    return before.replace(
        "From 15 January 2027 the budget was to go down from £4,000.00 to £3,000.00", ""
    )


def test_once_it_has_stopped_the_ended_budget_shows_the_amount_that_applied(
    phb_lead, holder, ras, today_is
):
    budget = _budget(phb_lead, holder, ras)
    _reduce(phb_lead, budget)
    _stop(phb_lead, budget)
    today_is(datetime.date(2027, 1, 2))
    services.end_budget(actor=phb_lead, budget=reload(budget))
    page = _presented(holder)
    assert page.state == "ended"
    assert page.lead[:2] == [
        # Agreed, never started: no payment was ever made from it.
        "Your budget for 1 April 2026 to 31 March 2027 stopped on 1 January 2027. It never "
        "started, so no payments were made from it.",
        "It stopped because you are no longer eligible for a personal health budget.",
    ]
    rows = _rows(page)
    assert rows["Amount"] == "£4,000.00"
    assert rows["How the money is kept"] == (
        f'<ul class="nhsuk-list"><li>{DIRECT_PAYMENT}: £2,500.00</li>'
        f"<li>{KEPT}: £1,500.00</li></ul>"
    )


# --- 2. A reduction still to come has not happened yet ----------------------------------------


def test_an_agreed_budget_with_a_reduction_to_come_says_the_amount_now_and_from_its_day(
    phb_lead, holder, ras
):
    budget = _budget(phb_lead, holder, ras)
    _reduce(phb_lead, budget)
    page = _presented(holder)
    assert page.lead[:2] == [
        "Your budget has been agreed: £4,000.00 for 1 April 2026 to 31 March 2027.",
        "It goes down from £4,000.00 to £3,000.00 from 15 January 2027. Nothing changes "
        "before then.",
    ]
    rows = _rows(page)
    assert rows["Amount"] == "£4,000.00"
    assert rows["Amount from 15 January 2027"] == "£3,000.00"
    assert rows["How the money is kept"] == (
        f'<ul class="nhsuk-list"><li>{DIRECT_PAYMENT}: £2,500.00, then £1,875.00 from '
        f"15 January 2027</li><li>{KEPT}: £1,500.00, then £1,125.00 from 15 January "
        "2027</li></ul>"
    )


def test_an_active_budget_with_a_reduction_to_come_shows_the_amount_now_in_its_rows(
    phb_lead, finance_officer, holder, ras
):
    budget = _budget(phb_lead, holder, ras)
    services.set_payment_schedule(
        actor=finance_officer,
        portion=budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT),
        frequency="monthly",
        first_payment_date=datetime.date(2026, 12, 15),
    )
    services.activate_budget(actor=finance_officer, budget=reload(budget))
    _reduce(phb_lead, budget)
    page = _presented(holder)
    assert page.lead[0] == (
        "Your budget for 1 April 2026 to 31 March 2027 goes down from £4,000.00 to £3,000.00 "
        "from 15 January 2027. Nothing changes before then."
    )
    rows = _rows(page)
    assert (rows["Amount"], rows["Amount from 15 January 2027"]) == ("£4,000.00", "£3,000.00")
    assert (
        f"{DIRECT_PAYMENT}: £2,500.00, then £1,875.00 from 15 January 2027"
        in (rows["How the money is kept"])
    )


def test_the_parts_before_a_change_are_the_ones_recorded_to_the_penny(phb_lead, holder, ras):
    """£3,000.00 kept three ways, £1,000.00 each, goes down to £2,000.00: £666.67, £666.67 and
    £666.66. Worked back from those in proportion, £3,000.00 would be £1,000.01, £1,000.00 and
    £999.99: the page shows what was recorded, not that."""
    budget = agreed_budget(
        phb_lead,
        holder,
        ras,
        amount=D("3000.00"),
        portions=[
            (HoldingMethod.DIRECT_PAYMENT, D("1000.00"), ""),
            (HoldingMethod.NOTIONAL, D("1000.00"), ""),
            (HoldingMethod.THIRD_PARTY, D("1000.00"), "Helping Hands Ltd"),
        ],
    )
    _reduce(phb_lead, budget, new_amount=D("2000.00"))
    held = _rows(_presented(holder))["How the money is kept"]
    assert held == (
        f'<ul class="nhsuk-list"><li>{DIRECT_PAYMENT}: £1,000.00, then £666.67 from '
        f"15 January 2027</li><li>{KEPT}: £1,000.00, then £666.67 from 15 January 2027</li>"
        "<li>Kept by Helping Hands Ltd, who pay for your care: £1,000.00, then £666.66 from "
        "15 January 2027</li></ul>"
    )


# --- 3. Why it stopped, and the letters about it -------------------------------------------------


def test_the_budget_page_says_why_it_stops_and_lists_the_stop_and_repayment_letters(
    client, phb_lead, finance_officer, holder, ras
):
    budget = _budget(phb_lead, holder, ras)
    portion = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    # £2,500.00 in 4 monthly payments from 15 December 2026: £625.00 each.
    services.set_payment_schedule(
        actor=finance_officer,
        portion=portion,
        frequency="monthly",
        first_payment_date=datetime.date(2026, 12, 15),
    )
    services.activate_budget(actor=finance_officer, budget=reload(budget))
    services.record_payment(
        actor=finance_officer,
        instalment=portion.schedule.instalments.get(number=1),
        paid_on=datetime.date(2026, 11, 23),
        reference="BACS-1215",
    )
    stop = _stop(phb_lead, budget, reason="consent_withdrawn")
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=reload(budget),
        ground="unspent",
        amount=D("100.00"),
        explanation="£100.00 of the payment of 15 December was not spent.",
        due_by=datetime.date(2027, 1, 31),
        who_repays=holder.full_name,
    )
    client.force_login(holder.user)
    html = client.get(reverse("holder_home")).content.decode()
    text = main_text(html)
    assert "It stops on 1 January 2027: there are no payments from it from that day." in text
    assert "It stops because you told the team you no longer want a personal health budget." in (
        text
    )
    letters = text.partition("Letters")[2]
    assert "Your personal health budget is stopping (23 November 2026)" in letters
    assert "We are asking for money back from the personal health budget (23 November 2026)" in (
        letters
    )
    assert reverse("careplans:letter", args=[stop.letter_id]) in html
    assert reverse("careplans:letter", args=[repayment.letter_id]) in html
    # The budget's own letters are still listed, and the letters open for the person.
    assert client.get(reverse("careplans:letter", args=[stop.letter_id])).status_code == 200


@pytest.mark.parametrize(
    ("reason", "to_the_person", "to_a_representative"),
    [
        (
            "consent_withdrawn",
            "you told the team you no longer want a personal health budget",
            "{name} no longer wants a personal health budget",
        ),
        (
            "not_eligible",
            "you are no longer eligible for a personal health budget",
            "{name} is no longer eligible for a personal health budget",
        ),
        (
            "representative",
            "the person acting for you is no longer suitable or willing to act, or is no "
            "longer nominated",
            "the person acting for {name} is no longer suitable or willing to act, or is no "
            "longer nominated",
        ),
        (
            "outside_plan",
            "the money was used for things that are not in your care and support plan",
            "the money was used for things that are not in {name}'s care and support plan",
        ),
        ("fraud", "the team suspects theft or fraud", "the team suspects theft or fraud"),
        (
            "needs_not_met",
            "the budget is not meeting your health needs",
            "the budget is not meeting {name}'s health needs",
        ),
    ],
)
def test_each_reason_for_a_stop_is_said_to_the_person_and_to_whoever_acts_for_them(
    phb_lead, holder, ras, reason, to_the_person, to_a_representative
):
    _stop(phb_lead, _budget(phb_lead, holder, ras), reason=reason)
    name = holder.given_name
    assert f"It stops because {to_the_person}." in _presented(holder).lead
    assert f"It stops because {to_a_representative.format(name=name)}." in (
        _presented(holder, acting_for=True).lead
    )


def test_a_stop_letter_is_not_listed_on_another_budgets_page(phb_lead, holder, ras):
    """Only this budget's letters: the person's other plan letters stay on their plan page."""
    budget = _budget(phb_lead, holder, ras)
    _reduce(phb_lead, budget)
    PlanLetter.objects.create(
        budget_holder=holder,
        kind="decision",
        addressed_to=holder.full_name,
        subject="Decision about your plan",
        body_html="<p>Approved.</p>",
        created_by=phb_lead,
    )
    assert [letter["subject"] for letter in _presented(holder).letters] == [
        "Your personal health budget is going down"
    ]


def test_two_letters_of_the_same_subject_and_day_are_told_apart_by_their_time():
    """No two links in the list read the same (WCAG 2.4.4): the same subject on the same day
    gives each its time; a letter alone on its day keeps the day only."""

    def link(subject, hour):
        at = datetime.datetime(2026, 12, 6, hour, 5, tzinfo=datetime.UTC)
        return BudgetLetterLink(subject=subject, url=f"/letters/{hour}/", created_at=at)

    listed = listed_letters(
        [
            link("Your personal health budget is going down", 9),
            link("We are asking for money back", 10),
            link("We are asking for money back", 15),
        ]
    )
    assert [(item["subject"], item["when"]) for item in listed] == [
        ("We are asking for money back", "6 December 2026, 3:05pm"),
        ("We are asking for money back", "6 December 2026, 10:05am"),
        ("Your personal health budget is going down", "6 December 2026"),
    ]


def test_two_letters_of_the_same_subject_and_minute_are_told_apart_by_their_place():
    at = datetime.datetime(2026, 12, 6, 6, 39, 12, tzinfo=datetime.UTC)
    letters = [
        BudgetLetterLink(
            subject="We are asking for money back",
            url=f"/letters/{n}/",
            created_at=at + datetime.timedelta(seconds=n),
        )
        for n in (1, 2)
    ]
    assert [(item["url"], item["when"]) for item in listed_letters(letters)] == [
        ("/letters/2/", "6 December 2026, 6:39am, 2 of 2"),
        ("/letters/1/", "6 December 2026, 6:39am, 1 of 2"),
    ]


# --- 4. A budget waiting for its plan has not started -----------------------------------------


def _waiting_for_plan(phb_lead, finance_officer, holder, ras):
    budget = _budget(phb_lead, holder, ras, plan_approved=False)
    # £2,500.00 in 4 monthly payments from 15 December 2026: £625.00 each, which cannot be
    # paid until the budget starts.
    services.set_payment_schedule(
        actor=finance_officer,
        portion=budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT),
        frequency="monthly",
        first_payment_date=datetime.date(2026, 12, 15),
    )
    return budget


@pytest.mark.parametrize("reader", ["holder", "representative"])
def test_a_budget_waiting_for_its_plan_has_not_started_and_promises_no_payment_date(
    client, phb_lead, finance_officer, holder, ras, representative, reader
):
    _waiting_for_plan(phb_lead, finance_officer, holder, ras)
    acting_for = reader == "representative"
    text = _page(client, representative if acting_for else holder.user)
    whose, their = (f"{holder.given_name}'s", "their") if acting_for else ("Your", "your")
    assert f"{whose} budget has been agreed: £4,000.00 for 1 April 2026 to 31 March 2027." in text
    assert (
        f"It has not started yet. It starts once {their} care and support plan has been "
        "approved, and no payments are made from it before then."
    ) in text
    for statement in ["The next payment", "Next payment", "15 December 2026", "£625.00"]:
        assert statement not in text


def test_a_stopped_budget_that_never_started_does_not_speak_of_payments_from_it(
    phb_lead, finance_officer, holder, ras, today_is
):
    budget = _waiting_for_plan(phb_lead, finance_officer, holder, ras)
    _stop(phb_lead, budget, reason="consent_withdrawn")
    page = _presented(holder)
    assert page.lead[1:] == [
        "It stops on 1 January 2027. It has not started, so no payments have been made from it.",
        "It stops because you told the team you no longer want a personal health budget.",
    ]
    assert page.payments == []
    # Its day has come, and it has not been ended yet.
    today_is(datetime.date(2027, 1, 2))
    page = _presented(holder)
    assert page.lead[1] == (
        "It stopped on 1 January 2027. It never started, so no payments were made from it."
    )
    assert not any("no payments from it from that day" in sentence for sentence in page.lead)
