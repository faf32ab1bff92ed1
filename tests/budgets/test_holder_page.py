"""The budget holder's page in every state, for the person and for a representative.

Each case builds the person's budgets in one state; the page is opened by the person and by
someone acting for them. The page's main content must say every statement in `says` (written
with {whose}, {their} and {subject} for the reader) and none in `never`; no page ever uses the
staff's words, and a representative never reads "your" needs, plan or care.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.holder_presenters import holder_budget
from budgets.models import HoldingMethod
from budgets.selectors import budgets_for
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    agreed_budget,
    change_amount,
    draft_budget,
    proposed_budget,
    reload,
)
from tests.budgets.test_budget_states import main_text

pytestmark = pytest.mark.django_db

STAFF_WORDS = [
    "ICB",
    "nominee",
    "Why they can have a personal health budget",
    "indicative",
    "portion",
    "Notional",
    "PHB lead",
]
NOT_TO_A_REPRESENTATIVE = ["your plan", "your care", "your needs", "Your budget", "You do not"]
AGREED_WORDS = ["has been agreed", "agreed,", "The amount agreed"]


@dataclass
class Case:
    says: list[str]
    never: list[str] = field(default_factory=list)


def _words(holder, acting_for: bool) -> dict:
    return {
        "whose": f"{holder.given_name}'s" if acting_for else "Your",
        "their": "their" if acting_for else "your",
        "subject": holder.given_name if acting_for else "You",
        "does": f"{holder.given_name} does" if acting_for else "You do",
        "name": holder.given_name if acting_for else "you",
    }


@pytest.fixture
def people(phb_lead, care_coordinator, clinician, finance_officer, holder, ras, ras_2027):
    return {
        "lead": phb_lead,
        "coordinator": care_coordinator,
        "clinician": clinician,
        "finance": finance_officer,
        "holder": holder,
        "ras": ras,
        "ras_2027": ras_2027,
    }


def _next_year(p, **kwargs):
    return {"start": FY_2027_START, "end": FY_2027_END, **kwargs}


def _none(p):
    return Case(
        says=[
            "{does} not have a personal health budget yet. The personal health budget team "
            "will say how much it is, and how they worked it out, before it starts."
        ],
        never=["£", *AGREED_WORDS, "proposed"],
    )


def _draft_only(p):
    draft_budget(p["coordinator"], p["holder"], p["ras_2027"], **_next_year(p))
    return _none(p)


def _withdrawn(p):
    budget = proposed_budget(p["coordinator"], p["holder"], p["ras_2027"], **_next_year(p))
    services.withdraw_budget(actor=p["lead"], budget=budget, reason="Set up twice")
    return _none(p)


def _proposed_above(p):
    budget = proposed_budget(
        p["coordinator"],
        p["holder"],
        p["ras_2027"],
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        **_next_year(p),
    )
    return budget, Case(
        says=[
            "{whose} proposed budget",
            "The personal health budget team has proposed a budget of £9,000.00 for "
            "1 April 2027 to 31 March 2028.",
            "It has not been agreed yet, so the amount may change. The team will tell {name} "
            "when it is agreed.",
            "Proposed amount £9,000.00",
            "How the proposed amount was worked out",
            "56 points × £148.37 = the amount for a year £8,308.72",
            "The amount proposed, £9,000.00, is £691.28 more than the £8,308.72 worked out above, "
            f"because: {JUSTIFICATION}",
        ],
        never=[*AGREED_WORDS, "A clinician checked and supported this", "Payments"],
    )


def _proposed_without_check(p):
    return _proposed_above(p)[1]


def _proposed_supported(p):
    budget, case = _proposed_above(p)
    services.record_clinical_check(
        actor=p["clinician"], budget=budget, supported=True, notes="Two carers at night."
    )
    case.says[-1] += " A clinician checked and supported this."
    case.never.remove("A clinician checked and supported this")
    return case


def _agreed_budget(p):
    return agreed_budget(
        p["coordinator"],
        p["holder"],
        p["ras_2027"],
        amount=D("8000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("2000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("6000.00"), ""),
        ],
        agreed_by=p["lead"],
        **_next_year(p),
    )


AGREED_SAYS = [
    "Kept by the personal health budget team, who arrange {their} care: £2,000.00",
    "Paid into a bank account to spend on the care in {their} plan (a direct payment): £6,000.00",
    "How the budget was worked out",
    "The amount agreed, £8,000.00, is £308.72 less than the £8,308.72 worked out above.",
]


def _agreed(p):
    _agreed_budget(p)
    return Case(
        says=[
            "{whose} budget has been agreed: £8,000.00 for 1 April 2027 to 31 March 2028.",
            "The personal health budget team will tell {name} the payment dates when they have "
            "set them up.",
            *AGREED_SAYS,
        ],
        never=["proposed", "Next payment", "now £"],
    )


def _schedule(p, budget):
    portion = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    services.set_payment_schedule(
        actor=p["finance"], portion=portion, frequency="monthly", first_payment_date=FY_2027_START
    )
    return services.activate_budget(actor=p["finance"], budget=reload(budget))


def _active(p):
    _schedule(p, _agreed_budget(p))
    # £6,000.00 in 12 monthly payments of £500.00 from 1 April 2027.
    return Case(
        says=[
            "{whose} budget is £8,000.00 for 1 April 2027 to 31 March 2028.",
            *AGREED_SAYS,
            "Payments into the bank account (direct payment)",
            "The next payment is £500.00 on 1 April 2027.",
            "Date 1 April 2027 Amount £500.00 Payment Next payment",
            "Date 1 May 2027 Amount £500.00 Payment Still to come",
            "Date 1 March 2028 Amount £500.00 Payment Still to come",
            "If a payment has not arrived by its date, contact the personal health budget team",
        ],
        never=["proposed", "set them up", "Paid on", "now £", "went down"],
    )


def _reduced(p):
    budget = _schedule(p, _agreed_budget(p))
    change_amount(
        p["lead"],
        reload(budget),
        new_amount=D("6800.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="Fewer visits are needed after the review.",
    )
    # £8,000.00 down to £6,800.00: £2,000.00 : £6,000.00 becomes £1,700.00 : £5,100.00; the
    # direct payment has paid 6 x £500.00 = £3,000.00 by October, so the 6 payments from
    # 1 October 2027 share £2,100.00: £350.00 each.
    return Case(
        says=[
            "{whose} budget for 1 April 2027 to 31 March 2028 goes down from £8,000.00 to "
            "£6,800.00 from 1 October 2027. Nothing changes before then.",
            "From 1 October 2027 the budget goes down from £8,000.00 to £6,800.00, because: "
            "Fewer visits are needed after the review.",
            # The rows agree with the lead: the amount now, and the amount from the change.
            "Amount £8,000.00",
            "Amount from 1 October 2027 £6,800.00",
            "Kept by the personal health budget team, who arrange {their} care: £2,000.00, then "
            "£1,700.00 from 1 October 2027",
            "(a direct payment): £6,000.00, then £5,100.00 from 1 October 2027",
            "How the budget was worked out",
            "The amount first agreed, £8,000.00, is £308.72 less than the £8,308.72 worked out "
            "above.",
            "From 1 October 2027 it goes down to £6,800.00.",
            "So from 1 October 2027 the budget will be £6,800.00.",
            "Date 1 September 2027 Amount £500.00 Payment Still to come",
            "Date 1 October 2027 Amount £350.00 Payment Still to come",
            "Date 1 March 2028 Amount £350.00 Payment Still to come",
        ],
        never=["Amount £6,800.00", ": £1,700.00", ": £5,100.00", "proposed", "went up"],
    )


INCREASE_JUSTIFICATION = "A second carer is needed at night since the fall in September."


def _increased(p):
    budget = _schedule(p, _agreed_budget(p))
    # £9,000.00 is above the £8,308.72 worked out, so a clinician checks the increase first.
    services.propose_increase(
        actor=p["lead"],
        budget=reload(budget),
        new_amount=D("9000.00"),
        clinical_justification=INCREASE_JUSTIFICATION,
    )
    services.record_increase_check(
        actor=p["clinician"], budget=reload(budget), supported=True, notes="Two carers needed."
    )
    change_amount(
        p["lead"],
        reload(budget),
        new_amount=D("9000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="You need a second carer at night.",
    )
    # £8,000.00 up to £9,000.00: £2,000.00 : £6,000.00 becomes £2,250.00 : £6,750.00; the
    # direct payment has paid 6 x £500.00 = £3,000.00 by October, so the 6 payments from
    # 1 October 2027 share £3,750.00: £625.00 each. £9,000.00 is £691.28 more than the
    # £8,308.72 worked out.
    return Case(
        says=[
            "{whose} budget for 1 April 2027 to 31 March 2028 goes up from £8,000.00 to "
            "£9,000.00 from 1 October 2027. Nothing changes before then.",
            "From 1 October 2027 the budget goes up from £8,000.00 to £9,000.00, because: "
            "You need a second carer at night.",
            "Amount £8,000.00",
            "Amount from 1 October 2027 £9,000.00",
            "Kept by the personal health budget team, who arrange {their} care: £2,000.00, then "
            "£2,250.00 from 1 October 2027",
            "(a direct payment): £6,000.00, then £6,750.00 from 1 October 2027",
            "The amount first agreed, £8,000.00, is £308.72 less than the £8,308.72 worked out "
            "above.",
            "From 1 October 2027 it goes up to £9,000.00, £691.28 more than the £8,308.72 worked "
            f"out above, because: {INCREASE_JUSTIFICATION} A clinician checked and supported "
            "this.",
            "So from 1 October 2027 the budget will be £9,000.00.",
            "Date 1 September 2027 Amount £500.00 Payment Still to come",
            "Date 1 October 2027 Amount £625.00 Payment Still to come",
            "Date 1 March 2028 Amount £625.00 Payment Still to come",
        ],
        never=["Amount £9,000.00", ": £2,250.00", ": £6,750.00", "proposed", "went down"],
    )


def _ended(p):
    budget = agreed_budget(p["coordinator"], p["holder"], p["ras"], agreed_by=p["lead"])
    p["on_day"](datetime.date(2027, 4, 1))
    services.end_budget(actor=p["lead"], budget=budget)
    return Case(
        says=[
            # Agreed but never started: no payment was ever made from it.
            "{whose} budget for 1 April 2026 to 31 March 2027 has ended. It never started, so "
            "no payments were made from it.",
            "{does} not have a budget now.",
            "Amount £8,308.72",
        ],
        never=["proposed", "Next payment", "has been agreed", "{whose} budget is", "no more"],
    )


def _stopping(p):
    budget = _schedule(p, _agreed_budget(p))
    services.stop_budget(
        actor=p["lead"],
        budget=reload(budget),
        stops_on=datetime.date(2027, 10, 1),
        reason="The person no longer consents",
    )
    # The amount was agreed for the whole year: the page says so, and that it stops, not
    # "£8,000.00 for 1 April 2027 to 30 September 2027". The 6 payments from October are gone.
    return Case(
        says=[
            "{whose} budget is £8,000.00 for 1 April 2027 to 31 March 2028.",
            "It stops on 1 October 2027: there are no payments from it from that day.",
            "Dates 1 April 2027 to 31 March 2028 (stops on 1 October 2027)",
            "Date 1 September 2027 Amount £500.00 Payment Still to come",
        ],
        never=["30 September 2027", "Date 1 October 2027", "stopped", "set them up"],
    )


def _stopped(p):
    budget = agreed_budget(p["coordinator"], p["holder"], p["ras"], agreed_by=p["lead"])
    services.stop_budget(
        actor=p["lead"],
        budget=budget,
        stops_on=datetime.date(2026, 11, 23),
        reason="The person no longer consents",
    )
    return Case(
        says=[
            "{whose} budget for 1 April 2026 to 31 March 2027 stopped on 23 November 2026. "
            "It never started, so no payments were made from it.",
            "Dates 1 April 2026 to 31 March 2027 (stopped on 23 November 2026)",
            "{does} not have a budget now.",
        ],
        never=[
            "22 November 2026",
            "has ended",
            "{whose} budget is",
            "stops on",
            "no more payments",
        ],
    )


def _agreed_and_next_year_proposed(p):
    agreed_budget(p["coordinator"], p["holder"], p["ras"], agreed_by=p["lead"])
    proposed_budget(p["coordinator"], p["holder"], p["ras_2027"], **_next_year(p))
    return Case(
        says=[
            "{whose} budget has been agreed: £8,308.72 for 1 April 2026 to 31 March 2027.",
            "A budget of £8,308.72 has also been proposed for 1 April 2027 to 31 March 2028. "
            "It has not been agreed yet, so the amount may change.",
        ],
        never=["{whose} proposed budget"],
    )


STATES = {
    "no budget": _none,
    "a draft only": _draft_only,
    "withdrawn": _withdrawn,
    "proposed, no check": _proposed_without_check,
    "proposed, supported": _proposed_supported,
    "agreed": _agreed,
    "active": _active,
    "reduced": _reduced,
    "increased above the amount worked out": _increased,
    "ended": _ended,
    "stopping from a day to come": _stopping,
    "stopped": _stopped,
    "agreed, next year proposed": _agreed_and_next_year_proposed,
}


@pytest.mark.parametrize("reader", ["holder", "representative"])
@pytest.mark.parametrize("state", STATES)
def test_the_holders_page_says_only_what_is_true_in_every_state(
    client, people, representative, monkeypatch, state, reader
):
    people["on_day"] = lambda day: monkeypatch.setattr(
        timezone, "localdate", lambda *args, **kwargs: day
    )
    case = STATES[state](people)
    holder = people["holder"]
    acting_for = reader == "representative"
    client.force_login(representative if acting_for else holder.user)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    text = main_text(response.content.decode())
    words = _words(holder, acting_for)
    for statement in case.says:
        assert statement.format(**words) in text, f"{state}: missing {statement.format(**words)!r}"
    never = [*case.never, *STAFF_WORDS]
    if acting_for:
        never += NOT_TO_A_REPRESENTATIVE
    for statement in never:
        assert statement.format(**words) not in text, f"{state}: must not say {statement!r}"


def test_paid_payments_say_when_and_the_next_is_the_first_unpaid(people, monkeypatch):
    """Each payment finance has recorded as paid says when; the next is the first unpaid."""
    budget = _schedule(people, _agreed_budget(people))
    # On 30 March 2027 finance pays the first payment, due 1 April, early; on 10 May the one
    # due 1 May is not recorded yet, and the next is the one due 1 June.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2027, 3, 30))
    services.record_payment(
        actor=people["finance"],
        instalment=budget.portions.get(
            method=HoldingMethod.DIRECT_PAYMENT
        ).schedule.instalments.get(number=1),
        paid_on=datetime.date(2027, 3, 30),
        reference="BACS-0401",
    )
    page = holder_budget(
        budgets_for(people["holder"]),
        holder=people["holder"],
        acting_for=False,
        today=datetime.date(2027, 5, 10),
    )
    assert page.budget == budget
    (payments,) = page.payments
    assert payments["next"] == (
        "The payment of £500.00 due on 1 May 2027 has not been made yet. "
        "The next payment is £500.00 on 1 June 2027."
    )
    words = [row[2]["text"] for row in payments["table"]["rows"]]
    assert words[:4] == [
        "Paid on 30 March 2027",
        "Not made yet",
        "Next payment",
        "Still to come",
    ]


def _pay(people, budget, numbers, paid_on):
    """Finance records the direct payment's instalments `numbers` as paid on `paid_on`."""
    instalments = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT).schedule.instalments
    services.record_payment_run(
        actor=people["finance"],
        instalments=[i.pk for i in instalments.filter(number__in=numbers)],
        paid_on=paid_on,
        reference="BACS-RUN",
        due_up_to=FY_2027_END,
    )


AFTER_THE_LAST = datetime.date(2028, 3, 2)


@pytest.mark.parametrize("reader", ["holder", "representative"])
@pytest.mark.parametrize(
    ("paid", "says"),
    [
        # All 12 of £500.00 recorded as paid: nothing is left to pay.
        (range(1, 13), "There are no more payments for this budget."),
        # 1 March 2028's £500.00 is not recorded: it is still to be made (finance lists it as
        # due), so there are more payments.
        (
            range(1, 12),
            "The payment of £500.00 due on 1 March 2028 has not been made yet. It is the last "
            "payment still to be made for this budget.",
        ),
        # February and March: 2 x £500.00 = £1,000.00.
        (
            range(1, 11),
            "2 payments due from 1 February 2028 to 1 March 2028, £1,000.00 in all, have not "
            "been made yet. They are the last payments still to be made for this budget.",
        ),
    ],
    ids=["all paid", "one not made", "two not made"],
)
def test_after_the_last_payment_date_a_payment_not_made_is_still_to_be_made(
    client, people, representative, today_is, reader, paid, says
):
    """On 2 March 2028, the day after the last payment date, with the payments `paid`
    recorded: "no more payments" only when none is waiting to be made."""
    budget = _schedule(people, _agreed_budget(people))
    today_is(AFTER_THE_LAST)
    _pay(people, budget, paid, AFTER_THE_LAST)
    acting_for = reader == "representative"
    page = holder_budget(
        budgets_for(people["holder"]), holder=people["holder"], acting_for=acting_for
    )
    (payments,) = page.payments
    assert payments["next"] == says
    words = [row[2]["text"] for row in payments["table"]["rows"]]
    assert words == [f"Paid on {AFTER_THE_LAST:%-d %B %Y}"] * len(paid) + ["Not made yet"] * (
        12 - len(paid)
    )
    # The page says it as the presenter does, to the person and to a representative alike.
    client.force_login(representative if acting_for else people["holder"].user)
    text = main_text(client.get(reverse("holder_home")).content.decode())
    assert says in text
    if len(paid) < 12:
        assert "no more payments" not in text
    if acting_for:
        assert not [words for words in NOT_TO_A_REPRESENTATIVE if words in text]


@pytest.mark.parametrize("reader", ["holder", "representative"])
def test_a_payment_not_made_is_said_before_the_next_payment(
    client, people, representative, today_is, reader
):
    # On 10 May 2027 the payment due on 1 April 2027 is recorded; the one due on 1 May is not.
    budget = _schedule(people, _agreed_budget(people))
    today_is(datetime.date(2027, 5, 10))
    _pay(people, budget, [1], datetime.date(2027, 4, 1))
    acting_for = reader == "representative"
    client.force_login(representative if acting_for else people["holder"].user)
    text = main_text(client.get(reverse("holder_home")).content.decode())
    assert (
        "The payment of £500.00 due on 1 May 2027 has not been made yet. The next payment is "
        "£500.00 on 1 June 2027."
    ) in text
    assert "Date 1 May 2027 Amount £500.00 Payment Not made yet" in text
    assert "Date 1 June 2027 Amount £500.00 Payment Next payment" in text


def test_a_third_party_is_named_as_who_keeps_and_is_paid_the_money(people):
    budget = agreed_budget(
        people["coordinator"],
        people["holder"],
        people["ras_2027"],
        amount=D("8000.00"),
        portions=[(HoldingMethod.THIRD_PARTY, D("8000.00"), "Helping Hands Ltd")],
        agreed_by=people["lead"],
        **_next_year(people),
    )
    _schedule_third_party = services.set_payment_schedule(
        actor=people["finance"],
        portion=budget.portions.get(),
        frequency="monthly",
        first_payment_date=FY_2027_START,
    )
    assert _schedule_third_party.instalments.count() == 12
    page = holder_budget(budgets_for(people["holder"]), holder=people["holder"], acting_for=True)
    assert page.summary_rows[2]["value"]["html"] == (
        '<ul class="nhsuk-list"><li>Kept by Helping Hands Ltd, who pay for their care: '
        "£8,000.00</li></ul>"
    )
    assert page.payments[0]["heading"] == "Payments to Helping Hands Ltd"


def test_a_next_years_agreed_budget_is_mentioned_with_this_years(people):
    agreed_budget(people["coordinator"], people["holder"], people["ras"], agreed_by=people["lead"])
    agreed_budget(
        people["coordinator"],
        people["holder"],
        people["ras_2027"],
        agreed_by=people["lead"],
        **_next_year(people),
    )
    page = holder_budget(budgets_for(people["holder"]), holder=people["holder"], acting_for=False)
    assert page.budget.period_start == datetime.date(2026, 4, 1)
    assert page.other == [
        "A budget of £8,308.72 has also been agreed for 1 April 2027 to 31 March 2028."
    ]


def test_an_increase_checked_after_an_amount_above_the_worked_out_one_keeps_each_reason_apart(
    people,
):
    """A checked increase replaces the budget's clinical justification with its own, so the
    amount first agreed no longer gives a reason that was written for the increase."""
    budget = agreed_budget(
        people["coordinator"],
        people["holder"],
        people["ras_2027"],
        clinician=people["clinician"],
        agreed_by=people["lead"],
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        **_next_year(people),
    )
    services.propose_increase(
        actor=people["lead"],
        budget=reload(budget),
        new_amount=D("9500.00"),
        clinical_justification=INCREASE_JUSTIFICATION,
    )
    services.record_increase_check(
        actor=people["clinician"], budget=reload(budget), supported=True, notes="Agreed."
    )
    change_amount(
        people["lead"],
        reload(budget),
        new_amount=D("9500.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="You need a second carer at night.",
    )
    page = holder_budget(budgets_for(people["holder"]), holder=people["holder"], acting_for=False)
    # £9,000.00 - £8,308.72 = £691.28; £9,500.00 - £8,308.72 = £1,191.28.
    assert page.steps == [
        "The amount first agreed, £9,000.00, is £691.28 more than the £8,308.72 worked out "
        "above. A clinician checked and supported this.",
        "From 1 October 2027 it goes up to £9,500.00, £1,191.28 more than the £8,308.72 worked "
        f"out above, because: {INCREASE_JUSTIFICATION} A clinician checked and supported this.",
        "So from 1 October 2027 the budget will be £9,500.00.",
    ]


def test_the_dates_row_says_stops_or_stopped_as_it_is_on_the_pages_day(people):
    """The lead and the Dates row are in the same tense, both as of the day the page is for."""
    _stopping(people)  # from 1 October 2027
    for today, verb in (
        (datetime.date(2027, 9, 30), "stops"),
        (FY_2027_START.replace(month=10, day=2), "stopped"),
    ):
        page = holder_budget(
            budgets_for(people["holder"]), holder=people["holder"], acting_for=False, today=today
        )
        assert (
            page.lead[-1]
            == f"It {verb} on 1 October 2027: there are no payments from it from that day."
        )
        assert page.summary_rows[1]["value"]["text"] == (
            f"1 April 2027 to 31 March 2028 ({verb} on 1 October 2027)"
        )
