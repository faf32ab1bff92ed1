"""Stopping a budget for a legal reason, asking for money back, and settling it."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from budgets.models import BudgetStatus, PaymentInstalment
from budgets.services import Conflict
from careplans.models import (
    BudgetStop,
    PlanLetter,
    PlanLetterKind,
    RepaymentRequest,
    RepaymentSettlement,
    Review,
    ReviewStatus,
)
from careplans.services import stopping
from phb.presenters import display_time
from tests.careplans.review_factories import plan_in_use
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)


@pytest.fixture
def in_use(phb_lead, holder):
    """The direct payment of £12,000.00 is paid monthly from 1 May 2026: 11 instalments."""
    return plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))


def stop(actor, budget, **changes):
    values = {
        "reason": "consent_withdrawn",
        "explanation": "You told us on 20 November that you no longer want a budget.",
        "notice_given_on": D_(2026, 11, 20),
        "effective_on": D_(2026, 12, 18),
    }
    return stopping.stop_phb(actor=actor, budget=budget, **(values | changes))


def test_a_stop_in_the_future_cancels_the_instalments_from_that_day(in_use, phb_lead):
    version, budget, _ = in_use
    assert PaymentInstalment.objects.filter(schedule__portion__budget=budget).count() == 11
    record = stop(phb_lead, budget)
    budget.refresh_from_db()
    # Instalments on 1 January, 1 February and 1 March 2027 are cancelled; 1 December stays.
    dates = list(
        PaymentInstalment.objects.filter(schedule__portion__budget=budget).values_list(
            "due_date", flat=True
        )
    )
    assert max(dates) == D_(2026, 12, 1)
    assert len(dates) == 8
    assert budget.period_end == D_(2026, 12, 17)
    assert budget.status == BudgetStatus.AGREED  # it runs until the day it stops
    letter = record.letter
    assert letter.kind == PlanLetterKind.STOP
    # The reason in the person's own terms, not the staff's list.
    assert (
        "The reason here is: you told us you no longer want a personal health budget."
        in letter.body_html
    )
    assert "The last day it pays for support is 17 December 2026" in letter.body_html
    assert "ask us to look at this decision again" in letter.body_html
    # Dated 23 November 2026: 28 days on is 21 December 2026.
    assert (
        "Contact your personal health budget team within 28 days of this letter, by "
        "21 December 2026." in letter.body_html
    )
    # The first review was due after the stop: it is not needed.
    assert Review.objects.get(plan=version.plan).status == ReviewStatus.CANCELLED


def test_a_review_due_before_the_stop_still_happens(in_use, phb_lead):
    """Due by 10 December, and the budget pays until 18 December: the review is still owed."""
    version, budget, _ = in_use
    Review.objects.filter(plan=version.plan).update(due_on=D_(2026, 12, 10))
    stop(phb_lead, budget)  # from 18 December 2026
    assert Review.objects.get(plan=version.plan).status == ReviewStatus.DUE


def test_a_stop_from_today_ends_the_budget(in_use, phb_lead):
    _, budget, _ = in_use
    stop(phb_lead, budget, reason="death", effective_on=TODAY, explanation="We are sorry.")
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.ENDED
    change = budget.status_changes.order_by("-at").first()
    assert change.reason == "Stopped from 23 November 2026: The person has died. We are sorry."


def test_a_stop_without_a_legal_reason_saves_nothing(in_use, phb_lead):
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(phb_lead, budget, reason="", explanation=" ", effective_on=D_(2026, 11, 1))
    assert excinfo.value.message_dict == {
        "reason": ["Choose the reason the law allows for stopping the budget"],
        "explanation": ["Give the reasons, written for the person"],
        "effective_on": ["The budget can stop only on or after the day notice was given"],
    }
    assert not BudgetStop.objects.exists()
    assert not PlanLetter.objects.filter(kind=PlanLetterKind.STOP).exists()
    budget.refresh_from_db()
    assert budget.period_end == D_(2027, 3, 31)


def test_after_a_death_the_letter_goes_to_the_family_and_speaks_of_the_person(in_use, phb_lead):
    version, budget, _ = in_use
    holder = version.plan.budget_holder
    record = stop(phb_lead, budget, reason="death", explanation="We are sorry for your loss.")
    letter = record.letter
    assert letter.addressed_to == f"The family or representatives of {holder.full_name}"
    assert letter.subject == f"{holder.full_name}'s personal health budget is stopping"
    text = unescape(letter.body_html)
    assert "Dear family or representatives," in text
    assert f"We are very sorry to hear that {holder.full_name} has died." in text
    assert f"The reason here is: {holder.full_name} has died." in text
    assert "stop your personal health budget" not in text
    assert "Your care coordinator will contact you" not in text


def test_notice_given_more_than_a_year_ago_is_refused(in_use, phb_lead):
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stopping.stop_phb(
            actor=phb_lead,
            budget=budget,
            reason="not_eligible",
            explanation="You are no longer eligible.",
            notice_given_on=D_(1900, 1, 1),
            effective_on=D_(2026, 12, 1),
        )
    assert excinfo.value.message_dict == {
        "notice_given_on": [
            "The date notice was given must be within the last year, on or after 23 November 2025"
        ]
    }
    assert not BudgetStop.objects.exists()


def test_only_a_phb_lead_stops_a_budget(in_use, care_coordinator):
    _, budget, _ = in_use
    with pytest.raises(PermissionDenied):
        stop(care_coordinator, budget)


def test_a_budget_is_stopped_once(in_use, phb_lead):
    _, budget, _ = in_use
    stop(phb_lead, budget)
    with pytest.raises(ValidationError, match="already been stopped"):
        stop(phb_lead, budget)
    assert BudgetStop.objects.count() == 1


def test_a_stop_after_the_budget_ends_is_refused(in_use, phb_lead):
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(phb_lead, budget, effective_on=D_(2027, 4, 2))
    assert excinfo.value.message_dict == {
        "effective_on": [
            "This budget ends on 31 March 2027 anyway: choose a date on or before then"
        ]
    }


def ask(actor, budget, **changes):
    values = {
        "ground": "unspent",
        "amount": D("1234.56"),
        "explanation": "£1,234.56 built up in the account and was not spent.",
        "due_by": D_(2026, 12, 31),
        "who_repays": "Alex Example, the budget holder",
    }
    return stopping.request_repayment(actor=actor, budget=budget, **(values | changes))


def test_a_repayment_request_states_ground_amount_deadline_and_who(in_use, finance_officer):
    _, budget, _ = in_use
    request = ask(finance_officer, budget)
    assert (request.amount, request.requested_on) == (D("1234.56"), TODAY)
    body = request.letter.body_html
    assert "We are asking for £1,234.56 to be paid back" in body
    assert "by 31 December 2026" in body
    assert "Alex Example, the budget holder" in body
    assert "a substantial amount was unspent and built up" in body
    assert "within 28 days of this letter, by 21 December 2026." in body


def test_a_repayment_cannot_ask_for_more_than_was_paid_out(in_use, finance_officer):
    """Only money paid out of the budget, less what was already asked back, can be asked
    back: and a repay-by date gives the person time, within a year."""
    _, budget, _ = in_use
    paid = stopping.repayable(budget)
    assert paid > 0

    def asking(amount, due_by=D_(2027, 1, 31)):
        return ask(
            finance_officer,
            budget,
            ground="unspent",
            amount=amount,
            explanation="Money was left over.",
            due_by=due_by,
            who_repays="The person",
        )

    with pytest.raises(ValidationError) as excinfo:
        asking(paid + D("0.01"))
    assert excinfo.value.message_dict["amount"] == [
        f"The amount must be no more than £{paid:,.2f}: the money paid out of this budget that "
        "has not already been asked back"
    ]
    asking(paid - D("100.00"))
    assert stopping.repayable(budget) == D("100.00")
    with pytest.raises(ValidationError) as excinfo:
        asking(D("100.01"), due_by=D_(2028, 1, 1))
    assert excinfo.value.message_dict == {
        "amount": [
            "The amount must be no more than £100.00: the money paid out of this budget that "
            "has not already been asked back"
        ],
        "due_by": ["The date to repay by must be within a year"],
    }


def test_a_repayment_request_with_bad_input_saves_nothing(in_use, finance_officer):
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        ask(
            finance_officer,
            budget,
            ground="because",
            amount=D("12.345"),
            explanation="",
            due_by=D_(2026, 1, 1),
            who_repays=" ",
        )
    assert excinfo.value.message_dict == {
        "amount": ["The amount must be in pounds and pence, with no fraction of a penny"],
        "ground": ["Choose the reason the law allows for asking for money back"],
        "explanation": ["Give the reasons, written for the person"],
        "who_repays": ["Say who must pay the money back"],
        "due_by": ["The date to repay by must be after today, to give the person time"],
    }
    assert not RepaymentRequest.objects.exists()


def test_who_must_pay_back_must_be_words_that_show(in_use, finance_officer):
    """A zero-width space alone would print "The person who must pay it back is: ." in the
    letter; a character that turns text round would print a name other than the one stored.
    The service refuses both, whatever the form let through."""
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        ask(finance_officer, budget, who_repays="\u200b \u200b", explanation="\u200b")
    assert excinfo.value.message_dict == {
        "explanation": ["Give the reasons, written for the person"],
        "who_repays": ["Say who must pay the money back"],
    }
    with pytest.raises(ValidationError) as excinfo:
        ask(finance_officer, budget, who_repays="\u202eelpmaxE xelA")
    assert excinfo.value.message_dict == {
        "who_repays": ["Who must pay it back must not contain hidden characters"]
    }
    assert not RepaymentRequest.objects.exists()
    assert not PlanLetter.objects.filter(kind=PlanLetterKind.REPAYMENT).exists()


def test_the_same_request_made_again_the_same_day_is_refused_naming_the_first(
    in_use, finance_officer
):
    """£100.00 back by 31 January 2027 from Alex Example, asked twice on 23 November (from a
    fresh page each time): the second would be a second, identical letter. It is refused,
    naming the first; a different amount the same day is a new request."""
    _, budget, _ = in_use
    same = {"amount": D("100.00"), "due_by": D_(2027, 1, 31), "who_repays": "Alex Example"}
    first = ask(finance_officer, budget, **same)
    letters = PlanLetter.objects.count()
    with pytest.raises(Conflict) as excinfo:
        ask(finance_officer, budget, **same | {"who_repays": " alex example "}, requests_seen=1)
    at = timezone.localtime(first.created_at)
    assert str(excinfo.value) == (
        "The same request, for £100.00 back by 31 January 2027 from Alex Example, was already "
        f"made by {finance_officer.full_name} at {display_time(at)} on {at:%-d %B %Y}, and its "
        "letter written. Nothing more was saved."
    )
    assert RepaymentRequest.objects.count() == 1
    assert PlanLetter.objects.count() == letters
    ask(finance_officer, budget, **same | {"amount": D("50.00")})
    assert sorted(RepaymentRequest.objects.values_list("amount", flat=True)) == [
        D("50.00"),
        D("100.00"),
    ]


def test_settlements_never_exceed_what_is_owed(in_use, finance_officer):
    _, budget, _ = in_use
    request = ask(finance_officer, budget)
    stopping.record_settlement(
        actor=finance_officer, repayment=request, amount=D("1000.00"), received_on=TODAY
    )
    assert stopping.outstanding(request) == D("234.56")
    with pytest.raises(ValidationError) as excinfo:
        stopping.record_settlement(
            actor=finance_officer, repayment=request, amount=D("234.57"), received_on=TODAY
        )
    assert excinfo.value.message_dict == {"amount": ["Only £234.56 is still owed"]}
    stopping.record_settlement(
        actor=finance_officer, repayment=request, amount=D("234.56"), received_on=TODAY
    )
    assert stopping.outstanding(request) == D("0.00")
    assert RepaymentSettlement.objects.count() == 2


def test_a_stop_before_today_is_refused_unless_the_person_died(in_use, phb_lead):
    """Notice on 1 November, stopping on 2 November, recorded on 23 November: the letter,
    dated 23 November, would say the budget last paid on 1 November. Only a death, learnt of
    after the day, is recorded from an earlier day."""
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(
            phb_lead,
            budget,
            notice_given_on=D_(2026, 11, 1),
            effective_on=D_(2026, 11, 22),
        )
    assert excinfo.value.message_dict == {
        "effective_on": [
            "The date the budget stops must be today or in the future, unless the person has died"
        ]
    }
    assert not BudgetStop.objects.exists()
    budget.refresh_from_db()
    assert budget.period_end == D_(2027, 3, 31)
    # The notice rules still come first.
    with pytest.raises(ValidationError) as excinfo:
        stop(phb_lead, budget, notice_given_on=D_(2026, 11, 20), effective_on=D_(2026, 11, 2))
    assert excinfo.value.message_dict == {
        "effective_on": ["The budget can stop only on or after the day notice was given"]
    }
    record = stop(
        phb_lead,
        budget,
        reason="death",
        explanation="We are sorry for your loss.",
        notice_given_on=D_(2026, 11, 1),
        effective_on=D_(2026, 11, 2),
    )
    assert record.effective_on == D_(2026, 11, 2)
    budget.refresh_from_db()
    assert (budget.period_end, budget.status) == (D_(2026, 11, 1), BudgetStatus.ENDED)


def test_a_stop_letter_to_a_representative_names_whose_coordinator_it_is(in_use, phb_lead):
    version, budget, _ = in_use
    holder = version.plan.budget_holder
    acting = RepresentativeFactory(budget_holder=holder)
    record = stop(phb_lead, budget)
    assert record.letter.addressed_to == acting.user.full_name
    text = unescape(record.letter.body_html)
    assert (
        f"{holder.given_name}'s care coordinator will contact you to talk about how "
        f"{holder.given_name}'s care and support will be arranged" in text
    )
    assert "Your care coordinator" not in text


def test_money_asked_back_after_a_death_is_asked_of_the_family(in_use, finance_officer):
    """The ground "the person has died": the notice goes to the family or representatives,
    never to the person."""
    version, budget, _ = in_use
    holder = version.plan.budget_holder
    request = ask(
        finance_officer,
        budget,
        ground="death",
        explanation="Payments made after the death are asked back.",
        who_repays="The executor of the estate",
    )
    letters = PlanLetter.objects.filter(kind=PlanLetterKind.REPAYMENT)
    assert [letter.addressed_to for letter in letters] == [
        f"The family or representatives of {holder.full_name}"
    ]
    assert request.letter.subject == "We are asking for money back from the personal health budget"
    text = unescape(request.letter.body_html)
    assert "Dear family or representatives," in text
    assert f"Dear {holder.full_name}" not in text


def test_every_letter_after_a_stop_for_death_goes_to_the_family(in_use, phb_lead, finance_officer):
    """Money asked back on another ground after the budget was stopped because the person
    died is still not addressed to them."""
    version, budget, _ = in_use
    holder = version.plan.budget_holder
    stop(phb_lead, budget, reason="death", explanation="We are sorry.", effective_on=TODAY)
    request = ask(finance_officer, budget, ground="unspent")
    assert request.letter.addressed_to == f"The family or representatives of {holder.full_name}"


def test_a_death_learnt_of_today_stops_the_budget_from_the_day_they_died(in_use, phb_lead):
    """They died on 18 November; the team hears of it and writes on 23 November. The stop is
    from 18 November, before the letter, and the letter claims no notice was given before."""
    _, budget, _ = in_use
    record = stop(
        phb_lead,
        budget,
        reason="death",
        explanation="We are sorry for your loss.",
        notice_given_on=TODAY,
        effective_on=D_(2026, 11, 18),
    )
    assert record.effective_on == D_(2026, 11, 18)
    assert "We gave notice" not in record.letter.body_html
    assert "18 November 2026" in record.letter.body_html


SHORT_NOTICE = (
    "The budget can stop no sooner than 28 days after notice was given, on or after "
    "18 December 2026: less notice is allowed only if the person has died, theft or fraud is "
    "suspected, or the person asked for the budget to stop"
)


@pytest.mark.parametrize(
    "reason", ["not_eligible", "representative", "outside_plan", "needs_not_met"]
)
def test_a_stop_needs_28_days_notice(in_use, phb_lead, reason):
    """Notice given on 20 November 2026: 28 days on is 18 December 2026. A stop from
    17 December 2026 is refused beside its date, and nothing is saved; from 18 December it
    stands."""
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(phb_lead, budget, reason=reason, effective_on=D_(2026, 12, 17))
    assert excinfo.value.message_dict == {"effective_on": [SHORT_NOTICE]}
    assert not BudgetStop.objects.exists()
    assert not PlanLetter.objects.filter(kind=PlanLetterKind.STOP).exists()
    budget.refresh_from_db()
    assert budget.period_end == D_(2027, 3, 31)
    record = stop(phb_lead, budget, reason=reason, effective_on=D_(2026, 12, 18))
    assert record.effective_on == D_(2026, 12, 18)


@pytest.mark.parametrize("reason", ["death", "fraud", "consent_withdrawn"])
def test_a_death_suspected_fraud_or_the_persons_own_wish_needs_no_notice(in_use, phb_lead, reason):
    """Notice given today, 23 November 2026, and the budget stops today."""
    _, budget, _ = in_use
    record = stop(phb_lead, budget, reason=reason, notice_given_on=TODAY, effective_on=TODAY)
    assert record.effective_on == TODAY
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.ENDED


def test_the_notice_for_a_stop_is_the_icbs_setting(in_use, phb_lead, settings):
    """An ICB that gives 60 days: notice on 20 November 2026 allows 19 January 2027."""
    settings.PHB_STOP_MINIMUM_NOTICE_DAYS = 60
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(phb_lead, budget, reason="not_eligible", effective_on=D_(2027, 1, 18))
    assert excinfo.value.message_dict["effective_on"][0].startswith(
        "The budget can stop no sooner than 60 days after notice was given, on or after "
        "19 January 2027: "
    )
    stop(phb_lead, budget, reason="not_eligible", effective_on=D_(2027, 1, 19))


def test_notice_given_long_ago_still_needs_a_stop_from_today(in_use, phb_lead):
    """Notice on 1 October 2026 allows a stop from 29 October 2026, but that has passed: the
    budget stops from today or later."""
    _, budget, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        stop(
            phb_lead,
            budget,
            reason="not_eligible",
            notice_given_on=D_(2026, 10, 1),
            effective_on=D_(2026, 10, 20),
        )
    assert excinfo.value.message_dict == {
        "effective_on": [
            "The date the budget stops must be today or in the future, unless the person has died"
        ]
    }
    assert (
        stop(
            phb_lead,
            budget,
            reason="not_eligible",
            notice_given_on=D_(2026, 10, 1),
            effective_on=TODAY,
        ).effective_on
        == TODAY
    )
