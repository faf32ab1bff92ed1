"""Changes of a live budget's amount, up and down, with their letters: through
`budgets.services` and the database's own rules. Each worked figure shows its arithmetic.

Changes are tested on a 2027/28 budget, so that a reduction from 1 October 2027 has more than
the minimum notice whatever today is in 2026/27.
"""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone
from django.utils.html import escape

from budgets import holder_presenters, presenters, services
from budgets.models import (
    Budget,
    BudgetChange,
    BudgetLetter,
    ClinicalCheck,
    HoldingMethod,
    LetterRecipient,
    ProposedIncrease,
)
from budgets.models.budget import BudgetStatus
from budgets.services import Conflict
from phb.models import Organisation, RepresentativeKind, Role
from phb.presenters import display_time
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    agreed_budget,
    change_amount,
    chc_package,
    reload,
    schedule,
    staff,
)
from tests.factories import RepresentativeFactory, give_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FROM_OCTOBER = datetime.date(2027, 10, 1)
MARCH = datetime.date(2027, 3, 1)
REASON = "Your needs at night have gone down since your review, so you need fewer carers."
MORE = "Your review found that you need a carer for two more hours each evening."


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def cannot_change(table: str) -> str:
    return re.escape(f"pgtrigger: Cannot update or delete rows from {table} table")


def direct(budget):
    return budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)


def amounts(budget) -> list[D]:
    return list(
        direct(budget).schedule.instalments.order_by("number").values_list("amount", flat=True)
    )


@pytest.fixture
def budget_2027(phb_lead, finance_officer, holder, local_rates):
    """2027/28, £12,000.00: £2,400.00 notional and £9,600.00 direct payment, £800.00 a month;
    the CHC cap (its indicative amount) is £117,793.00."""
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("2400.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("9600.00"), ""),
        ],
    )
    schedule(finance_officer, direct(budget))
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def change(budget, actor, **overrides):
    kwargs = {"new_amount": D("10000.00"), "effective_from": FROM_OCTOBER, "reason": REASON}
    return change_amount(actor, budget, **(kwargs | overrides))


def preview(budget, actor, **overrides):
    kwargs = {"new_amount": D("10000.00"), "effective_from": FROM_OCTOBER, "reason": REASON}
    return services.preview_amount_change(actor=actor, budget=budget, **(kwargs | overrides))


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------


def test_the_amount_of_a_budget_being_stopped_is_not_changed(phb_lead, budget_2027):
    """Its payments from the stop were cancelled: a new amount would fall on the few left."""
    services.stop_budget(
        actor=phb_lead, budget=budget_2027, stops_on=datetime.date(2028, 1, 1), reason="Moved"
    )
    for attempt in (preview, change):
        with pytest.raises(Conflict) as refused:
            attempt(reload(budget_2027), phb_lead)
        assert str(refused.value) == (
            "This budget stops on 1 January 2028, so its amount cannot be changed: the payments "
            "due from that day were cancelled"
        )
    assert reload(budget_2027).agreed_amount == D("12000.00")


def _changed_then_stopped(lead, budget, stops_on):
    """Reduced to £10,000.00 from 1 October 2027, then stopped from `stops_on`."""
    change(budget, lead)
    services.stop_budget(
        actor=lead, budget=reload(budget), stops_on=stops_on, reason="You moved out of the area."
    )
    return reload(budget)


def test_a_change_dated_after_a_later_stop_is_said_not_to_happen(phb_lead, holder, budget_2027):
    """Reduced from 1 October 2027, then stopped from 1 September 2027: no payment is made from
    1 September, so the reduction never takes effect, and neither page says it does."""
    budget = _changed_then_stopped(phb_lead, budget_2027, datetime.date(2027, 9, 1))
    overtaken = (
        "That change does not happen: the budget stops on 1 September 2027, before it was due."
    )
    assert presenters.explain_budget(budget)["steps"][-1] == (
        "From 1 October 2027 the budget was to go down from £12,000.00 to £10,000.00, because: "
        f"{REASON.rstrip('.')}. {overtaken}"
    )
    page = holder_presenters.holder_budget([budget], holder=holder, acting_for=False)
    assert page.changes == [
        "From 1 October 2027 the budget was to go down from £12,000.00 to £10,000.00, because: "
        f"{REASON.rstrip('.')}. {overtaken}"
    ]
    assert page.steps[-1] == f"From 1 October 2027 it was to go down to £10,000.00. {overtaken}"
    assert not any(step.startswith("So the budget is now") for step in page.steps)


def test_a_change_dated_before_a_later_stop_still_happens(phb_lead, holder, budget_2027):
    budget = _changed_then_stopped(phb_lead, budget_2027, datetime.date(2028, 1, 1))
    steps = presenters.explain_budget(budget)["steps"]
    assert steps[-1] == (
        f"From 1 October 2027 the budget goes down from £12,000.00 to £10,000.00, because: {REASON}"
    )


def test_a_change_needs_a_reason(phb_lead, budget_2027):
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead, reason="  ")
    assert excinfo.value.message_dict == {
        "reason": ["Explain why the budget is changing, in words the person will understand"]
    }
    assert not BudgetChange.objects.exists()


def test_a_reduction_needs_the_minimum_notice_from_the_date_of_the_letter(
    phb_lead, holder, chc, budget_2027, settings
):
    this_year = agreed_budget(phb_lead, holder, chc, amount=D("12000.00"))  # 2026/27
    earliest = TODAY + datetime.timedelta(days=28)
    with pytest.raises(ValidationError) as excinfo:
        change(this_year, phb_lead, effective_from=earliest - datetime.timedelta(days=1))
    assert excinfo.value.message_dict == {
        "effective_from": [
            f"A reduction needs at least 28 days' notice. With a letter dated "
            f"{TODAY:%-d %B %Y}, it can start on {earliest:%-d %B %Y} at the earliest"
        ]
    }
    settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS = 400  # an ICB that gives more notice
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead)
    assert "A reduction needs at least 400 days' notice" in messages_of(excinfo)
    assert reload(budget_2027).agreed_amount == D("12000.00")
    assert not BudgetChange.objects.exists()


def test_the_notice_is_worked_out_from_the_dates(phb_lead, budget_2027):
    (letter,) = change(budget_2027, phb_lead)
    record = BudgetChange.objects.get()
    notice = (FROM_OCTOBER - TODAY).days
    assert (record.notified_on, record.notice_days) == (TODAY, notice)
    assert f"This letter is dated {TODAY:%-d %B %Y}, so this gives you {notice} days' notice" in (
        letter.body_html
    )


def test_a_change_to_the_same_amount_is_refused(phb_lead, budget_2027):
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead, new_amount=D("12000.00"))
    assert excinfo.value.message_dict == {
        "new_amount": ["The new amount is the same as the budget now, £12,000.00"]
    }


def test_a_change_must_start_within_the_period(phb_lead, budget_2027):
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead, effective_from=datetime.date(2028, 4, 1))
    assert excinfo.value.message_dict == {
        "effective_from": [
            "The change must start within the budget's period, 1 April 2027 to 31 March 2028"
        ]
    }


def test_a_reduction_respreads_the_schedule_to_the_penny(phb_lead, budget_2027):
    # £12,000.00 -> £10,000.00 shared as the portions were (9,600 : 2,400 = 4 : 1):
    #   direct payment £8,000.00, notional £2,000.00
    # April to September (6 x £800.00 = £4,800.00) stay as they are; the £3,200.00 left is
    # spread over October to March: 320,000 pennies / 6 = 53,333 r 2
    #   -> £533.34, £533.34, then four of £533.33; 4,800 + 1,066.68 + 2,133.32 = 8,000.00
    change(budget_2027, phb_lead)
    budget = reload(budget_2027)
    assert budget.agreed_amount == D("10000.00")
    assert budget.status == BudgetStatus.ACTIVE  # a change of amount is not a change of status
    assert direct(budget).amount == D("8000.00")
    assert budget.portions.get(method=HoldingMethod.NOTIONAL).amount == D("2000.00")
    assert amounts(budget) == [D("800.00")] * 6 + [D("533.34")] * 2 + [D("533.33")] * 4
    assert sum(amounts(budget)) == D("8000.00")


def test_a_reduction_leaves_paid_payments_as_they_are(phb_lead, finance_officer, budget_2027):
    # October and November 2027 are recorded as paid (£800.00 each) before the reduction from
    # 1 October. The direct payment's new £8,000.00 less what stays:
    #   April to September 6 x £800.00 = £4,800.00, October and November paid £1,600.00
    #   -> £1,600.00 over December to March: 4 x £400.00; 4,800 + 1,600 + 1,600 = 8,000.00
    rows = list(direct(budget_2027).schedule.instalments.order_by("number"))
    for row in rows[6:8]:
        services.record_payment(
            actor=finance_officer, instalment=row, paid_on=TODAY, reference=f"R{row.number}"
        )
    change(budget_2027, phb_lead)
    budget = reload(budget_2027)
    assert amounts(budget) == [D("800.00")] * 8 + [D("400.00")] * 4
    assert sum(amounts(budget)) == D("8000.00")


def test_a_reduction_below_what_is_paid_or_due_is_refused(phb_lead, budget_2027):
    # £4,800.00 of direct payments fall due before 1 October 2027; the direct payment's share
    # of £5,000.00 (4/5 = £4,000.00) is less than that, so the schedule cannot add up.
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead, new_amount=D("5000.00"))
    assert excinfo.value.message_dict == {
        "new_amount": [
            "Direct payment: The payments already made or due before 1 October 2027 come to "
            "£4,800.00, more than the new total of £4,000.00"
        ]
    }
    assert reload(budget_2027).agreed_amount == D("12000.00")


def test_a_change_with_no_unpaid_payments_left_to_change_is_refused(
    phb_lead, finance_officer, budget_2027
):
    rows = list(direct(budget_2027).schedule.instalments.order_by("number"))
    services.record_payment_run(
        actor=finance_officer,
        instalments=[row.pk for row in rows[6:]],
        paid_on=TODAY,
        reference="IN-ADVANCE",
        due_up_to=FY_2027_END,
    )
    # A reduction from 1 October has no payment to come out of: October to March were paid
    # in advance, and the last one still to be paid is September's.
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead)
    assert excinfo.value.message_dict == {
        "effective_from": [
            "Direct payment: The last payment still to be made is on 1 September 2027, before "
            "1 October 2027, so a reduction from 1 October 2027 has no payment to come out of. "
            "Choose a date on or before 1 September 2027"
        ]
    }
    # An increase from 1 October is one further payment on that day: £13,000.00 shared 4 : 1
    # gives the direct payment £10,400.00; 12 x £800.00 = £9,600.00 stay, so £800.00 more.
    (letter,) = change(budget_2027, phb_lead, new_amount=D("13000.00"), reason=MORE)
    assert "one further payment of £800.00 on that day" in letter.body_html
    assert amounts(reload(budget_2027)) == [D("800.00")] * 13
    added = direct(budget_2027).schedule.instalments.get(number=13)
    assert (added.due_date, added.amount, added.is_paid) == (FROM_OCTOBER, D("800.00"), False)


def _instalments(budget) -> list[tuple]:
    return list(
        direct(budget)
        .schedule.instalments.order_by("number")
        .values_list("due_date", "amount", "paid_on")
    )


@pytest.fixture
def winter_budget(phb_lead, finance_officer, holder, local_rates):
    """1 January to 31 March 2027, £5,000.00 by direct payment every 4 weeks: 1 and 29
    January and 26 February (the 26 February payment covers to 25 March; one on 26 March
    would run past the period). 500,000 pennies / 3 = 166,666 r 2: £1,666.67, £1,666.67 and
    £1,666.66."""
    budget = agreed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("5000.00"),
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 3, 31),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("5000.00"), "")],
    )
    schedule(finance_officer, direct(budget), frequency="four_weekly")
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def test_an_increase_after_the_last_payment_date_is_one_further_payment(phb_lead, winter_budget):
    assert [amount for _, amount, _ in _instalments(winter_budget)] == [
        D("1666.67"),
        D("1666.67"),
        D("1666.66"),
    ]
    # £5,500.00 from 1 March 2027, after the last payment (26 February): the three payments
    # stay (£5,000.00) and £5,500.00 - £5,000.00 = £500.00 is paid on 1 March.
    plan = preview(
        winter_budget, phb_lead, new_amount=D("5500.00"), effective_from=MARCH, reason=MORE
    )
    (portion,) = plan.portions
    assert [(row.due_date, row.new_amount, row.added) for row in portion.rows] == [
        (MARCH, D("500.00"), True)
    ]
    assert not _instalments(winter_budget)[3:]  # a preview saves nothing
    (letter,) = change(
        winter_budget, phb_lead, new_amount=D("5500.00"), effective_from=MARCH, reason=MORE
    )
    budget = reload(winter_budget)
    assert budget.agreed_amount == D("5500.00")
    assert _instalments(budget) == [
        (datetime.date(2027, 1, 1), D("1666.67"), None),
        (datetime.date(2027, 1, 29), D("1666.67"), None),
        (datetime.date(2027, 2, 26), D("1666.66"), None),
        (MARCH, D("500.00"), None),
    ]
    assert sum(amount for _, amount, _ in _instalments(budget)) == D("5500.00")
    assert (
        "No payment is still to be made from 1 March 2027, so the increase is paid as one "
        "further payment of £500.00 on that day. Payments already made, and payments due "
        "before 1 March 2027, stay as they are."
    ) in letter.body_html
    # The table gives the new payment as no payment now, £500.00 after.
    assert re.search(
        r"1 March 2027\s*</th>\s*<td[^>]*>\s*No payment\s*</td>\s*<td[^>]*>\s*£500\.00",
        letter.body_html,
    )


def test_a_reduction_after_the_last_payment_date_is_refused_on_its_date(
    phb_lead, winter_budget, budget_2027
):
    # 4-weekly: nothing is left to pay from 1 March 2027 to take £500.00 off.
    with pytest.raises(ValidationError) as excinfo:
        preview(winter_budget, phb_lead, new_amount=D("4500.00"), effective_from=MARCH)
    assert excinfo.value.message_dict == {
        "effective_from": [
            "Direct payment: The last payment still to be made is on 26 February 2027, before "
            "1 March 2027, so a reduction from 1 March 2027 has no payment to come out of. "
            "Choose a date on or before 26 February 2027"
        ]
    }
    # Monthly from 1 April 2027: the last payment is on 1 March 2028, so a reduction cannot
    # start from 2 to 31 March 2028. An increase of £100.00 from 15 March: £12,100.00 shared
    # 4 : 1 gives the direct payment £9,680.00, so £80.00 more than 12 x £800.00 = £9,600.00
    # is paid that day, and the notional part is £2,420.00.
    with pytest.raises(ValidationError) as excinfo:
        preview(budget_2027, phb_lead, effective_from=datetime.date(2028, 3, 2))
    assert list(excinfo.value.message_dict) == ["effective_from"]
    assert "Choose a date on or before 1 March 2028" in messages_of(excinfo)
    change(
        budget_2027,
        phb_lead,
        new_amount=D("12100.00"),
        effective_from=datetime.date(2028, 3, 15),
        reason=MORE,
    )
    assert _instalments(reload(budget_2027))[12:] == [
        (datetime.date(2028, 3, 15), D("80.00"), None)
    ]
    assert reload(budget_2027).portions.get(method=HoldingMethod.NOTIONAL).amount == D("2420.00")


def test_a_reduction_to_nothing_is_refused(phb_lead, budget_2027):
    with pytest.raises(ValidationError) as excinfo:
        change(budget_2027, phb_lead, new_amount=D("0.00"))
    assert excinfo.value.message_dict == {"new_amount": ["The new amount must be more than £0.00"]}
    assert not BudgetLetter.objects.exists()


def test_a_reduction_that_would_empty_a_small_portion_is_refused(phb_lead, holder, local_rates):
    # £11,999.99 notional and £0.01 third party; reduced to £6,000.00 the third party's share
    # is 0.01 x 6,000 / 12,000 = £0.005, which rounds to nothing.
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("11999.99"), ""),
            (HoldingMethod.THIRD_PARTY, D("0.01"), "Brokerage Ltd"),
        ],
    )
    with pytest.raises(ValidationError) as excinfo:
        change(budget, phb_lead, new_amount=D("6000.00"))
    assert excinfo.value.message_dict == {
        "new_amount": ["At £6,000.00 the third party budget would be £0.00. Choose a larger amount"]
    }
    assert reload(budget).agreed_amount == D("12000.00")


@pytest.fixture
def ellis_2027(phb_lead, finance_officer, holder, local_rates):
    """2027/28, £9,940.79: £5,964.47 by direct payment and £3,976.32 to a third party, both
    monthly from 1 April 2027, so the direct payment is 11 x £497.04 and 1 x £497.03
    (596,447 pennies / 12 = 49,703 r 11) and the third party 12 x £331.36."""
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("9940.79"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.DIRECT_PAYMENT, D("5964.47"), ""),
            (HoldingMethod.THIRD_PARTY, D("3976.32"), "Helping Hands Ltd"),
        ],
    )
    for portion in budget.portions.all():
        schedule(finance_officer, portion)
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


FROM_FEBRUARY = datetime.date(2028, 2, 1)


def test_a_reduction_that_would_leave_payments_of_nothing_is_refused(phb_lead, ellis_2027):
    # £8,284.00 shared 5,964.47 : 3,976.32 gives £4,970.40 and £3,313.60. Before 1 February
    # 2028 the direct payment pays 10 x £497.04 = £4,970.40 and the third party
    # 10 x £331.36 = £3,313.60: exactly each new share, so February and March would be £0.00.
    for attempt in (preview, change):
        with pytest.raises(ValidationError) as excinfo:
            attempt(ellis_2027, phb_lead, new_amount=D("8284.00"), effective_from=FROM_FEBRUARY)
        assert excinfo.value.message_dict == {
            "new_amount": [
                "Direct payment: At £8,284.00 the payments still to be made from 1 February "
                "2028 would be £0.00, as the payments already made or due before 1 February 2028 "
                "come to £4,970.40 of its £4,970.40: choose a larger amount, an earlier date, or "
                "stop the budget instead"
            ]
        }
    budget = reload(ellis_2027)
    assert budget.agreed_amount == D("9940.79")
    assert amounts(budget) == [D("497.04")] * 11 + [D("497.03")]
    assert not BudgetLetter.objects.exists()


def test_a_reduction_that_would_leave_a_penny_over_two_payments_is_refused(phb_lead, ellis_2027):
    # £8,284.02 shared 5,964.47 : 3,976.32 gives £4,970.41 and £3,313.61: £0.01 over the two
    # payments from 1 February 2028 would be £0.01 and £0.00.
    with pytest.raises(ValidationError) as excinfo:
        preview(ellis_2027, phb_lead, new_amount=D("8284.02"), effective_from=FROM_FEBRUARY)
    assert excinfo.value.message_dict == {
        "new_amount": [
            "Direct payment: At £8,284.02 the payments still to be made from 1 February 2028 "
            "would be £0.01 and £0.00, as the payments already made or due before 1 February "
            "2028 come to £4,970.40 of its £4,970.41: choose a larger amount, an earlier date, "
            "or stop the budget instead"
        ]
    }
    # £8,284.04 gives £4,970.42 and £3,313.62: £0.02 and £0.02 over two payments, a penny
    # each: direct payment February £0.01 and March £0.01, third party £0.01 and £0.01.
    change(ellis_2027, phb_lead, new_amount=D("8284.04"), effective_from=FROM_FEBRUARY)
    budget = reload(ellis_2027)
    assert amounts(budget) == [D("497.04")] * 10 + [D("0.01")] * 2
    third = budget.portions.get(method=HoldingMethod.THIRD_PARTY).schedule.instalments
    assert list(third.order_by("number").values_list("amount", flat=True)) == (
        [D("331.36")] * 10 + [D("0.01")] * 2
    )


def test_an_earlier_date_is_offered_only_when_the_notice_allows_one(phb_lead, ellis_2027, settings):
    # The notice reaches 1 February 2028 exactly: no earlier date is allowed.
    settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS = (FROM_FEBRUARY - TODAY).days
    with pytest.raises(ValidationError) as excinfo:
        preview(ellis_2027, phb_lead, new_amount=D("8284.00"), effective_from=FROM_FEBRUARY)
    assert messages_of(excinfo).endswith(
        "come to £4,970.40 of its £4,970.40: choose a larger amount, or stop the budget instead"
    )


def test_the_same_reduction_from_an_earlier_date_is_spread_over_more_payments(phb_lead, ellis_2027):
    # From 1 January 2028 9 payments are kept: the direct payment's 9 x £497.04 = £4,473.36
    # leaves £497.04 for January to March, 49,704 pennies / 3 = £165.68 each; the third
    # party's 9 x £331.36 = £2,982.24 leaves £331.36, 33,136 / 3 = 11,045 r 1, so £110.46,
    # £110.45, £110.45.
    change(ellis_2027, phb_lead, new_amount=D("8284.00"), effective_from=datetime.date(2028, 1, 1))
    budget = reload(ellis_2027)
    assert amounts(budget) == [D("497.04")] * 9 + [D("165.68")] * 3
    assert sum(amounts(budget)) == D("4970.40")
    third = budget.portions.get(method=HoldingMethod.THIRD_PARTY).schedule.instalments
    assert list(third.order_by("number").values_list("amount", flat=True)) == (
        [D("331.36")] * 9 + [D("110.46"), D("110.45"), D("110.45")]
    )


def test_a_reduction_is_recorded_with_who_when_and_why(phb_lead, budget_2027):
    change(budget_2027, phb_lead)
    record = BudgetChange.objects.get(budget=budget_2027)
    assert (record.previous_amount, record.new_amount) == (D("12000.00"), D("10000.00"))
    assert (record.effective_from, record.reason, record.by) == (FROM_OCTOBER, REASON, phb_lead)
    assert not record.is_increase


def test_a_reduced_budget_can_be_reduced_again(phb_lead, budget_2027):
    change(budget_2027, phb_lead)
    change(reload(budget_2027), phb_lead, new_amount=D("9000.00"))
    budget = reload(budget_2027)
    assert budget.agreed_amount == D("9000.00")
    assert budget.changes.count() == 2
    # 9,000 shared 8,000 : 2,000 -> £7,200.00 direct payment: 4,800 kept, 2,400 / 6 = £400.00
    assert amounts(budget) == [D("800.00")] * 6 + [D("400.00")] * 6


def test_only_a_phb_lead_changes_the_amount(care_coordinator, finance_officer, budget_2027):
    for actor in (care_coordinator, finance_officer):
        with pytest.raises(PermissionDenied):
            preview(budget_2027, actor)


def test_reducing_an_above_cap_budget_that_stays_above_the_cap(
    phb_lead, clinician, holder, local_rates
):
    # A 2027/28 budget of £5,000.00 against a small package costed at £1,040.00 a year
    # (£20.00 a week), agreed with a clinician's support; reduced to £4,000.00, still above.
    package = chc_package(
        phb_lead,
        holder,
        effective_date=FY_2027_START,
        lines=[
            {
                "service": "Equipment",
                "provider_type": "equipment",
                "units_per_week": D("1"),
                "unit_cost": D("20.00"),
            }
        ],
    )
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        clinician=clinician,
        amount=D("5000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        justification=JUSTIFICATION,
    )
    change(budget, phb_lead, new_amount=D("4000.00"))
    assert reload(budget).agreed_amount == D("4000.00")


def test_every_status_change_has_a_row_with_who(phb_lead, finance_officer, budget_2027):
    change(budget_2027, phb_lead)
    rows = list(budget_2027.status_changes.order_by("at").values_list("to_status", "by"))
    assert rows == [
        ("draft", phb_lead.pk),
        ("proposed", phb_lead.pk),
        ("agreed", budget_2027.agreed_by_id),
        ("active", finance_officer.pk),
    ]


# ---------------------------------------------------------------------------------------------
# Increases
# ---------------------------------------------------------------------------------------------


def test_an_increase_within_the_indicative_amount_needs_no_check_or_notice(phb_lead, budget_2027):
    # £12,000.00 -> £15,000.00, still below the £117,793.00 cap, from today's letter onwards:
    #   shared 4 : 1 -> direct payment £12,000.00, notional £3,000.00
    #   April to September stay (6 x £800.00 = £4,800.00); £7,200.00 over October to March
    #   = 6 x £1,200.00; 4,800 + 7,200 = 12,000.00
    (letter,) = change(budget_2027, phb_lead, new_amount=D("15000.00"), reason=MORE)
    budget = reload(budget_2027)
    assert budget.agreed_amount == D("15000.00")
    assert direct(budget).amount == D("12000.00")
    assert budget.portions.get(method=HoldingMethod.NOTIONAL).amount == D("3000.00")
    assert amounts(budget) == [D("800.00")] * 6 + [D("1200.00")] * 6
    assert letter.kind == "increase"
    assert letter.subject == "Your personal health budget is going up"
    body = letter.body_html
    assert "is going up from <strong>£12,000.00</strong> to <strong>£15,000.00</strong>" in body
    assert "The increase starts on <strong>1 October 2027</strong>" in body
    assert "reconsideration" not in body
    assert "notice" not in body


def test_an_increase_cannot_start_before_its_letter(phb_lead, holder, local_rates):
    package = chc_package(phb_lead, holder)
    budget = agreed_budget(phb_lead, holder, package, amount=D("12000.00"))
    with pytest.raises(ValidationError) as excinfo:
        change(
            budget,
            phb_lead,
            new_amount=D("13000.00"),
            effective_from=TODAY - datetime.timedelta(days=1),
        )
    assert excinfo.value.message_dict == {
        "effective_from": [
            f"An increase starts on the date of its letter, {TODAY:%-d %B %Y}, or later. The "
            "extra money is shared among the payments still to come"
        ]
    }


@pytest.fixture
def small_cap(phb_lead, finance_officer, holder, local_rates):
    """2027/28 against a small package costed at £1,040.00 a year (£20.00 a week): agreed at
    £1,000.00, all by direct payment: 100,000 pennies / 12 = 8,333 r 4, so four payments of
    £83.34 and eight of £83.33."""
    package = chc_package(
        phb_lead,
        holder,
        effective_date=FY_2027_START,
        lines=[
            {
                "service": "Equipment",
                "provider_type": "equipment",
                "units_per_week": D("1"),
                "unit_cost": D("20.00"),
            }
        ],
    )
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("1000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("1000.00"), "")],
    )
    schedule(finance_officer, budget.portions.get())
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def propose(budget, lead, amount=D("1500.00")):
    return services.propose_increase(
        actor=lead, budget=budget, new_amount=amount, clinical_justification=JUSTIFICATION
    )


def check(budget, clinician, supported=True):
    return services.record_increase_check(
        actor=clinician, budget=budget, supported=supported, notes="Seen at home: agreed."
    )


def test_an_increase_above_the_indicative_amount_needs_a_proposal_first(phb_lead, small_cap):
    with pytest.raises(ValidationError) as excinfo:
        change(small_cap, phb_lead, new_amount=D("1500.00"), reason=MORE)
    # £1,500.00 - £1,040.00 = £460.00 above
    assert excinfo.value.message_dict == {
        "new_amount": [
            "£1,500.00 is £460.00 above the indicative amount of £1,040.00. Ask a clinician to "
            "check an increase to £1,500.00 first"
        ]
    }


def test_an_increase_waits_for_the_clinicians_check(phb_lead, small_cap):
    propose(small_cap, phb_lead)
    with pytest.raises(ValidationError) as excinfo:
        change(small_cap, phb_lead, new_amount=D("1500.00"), reason=MORE)
    assert messages_of(excinfo) == (
        "A clinician has not checked the increase to £1,500.00 yet. It can be made once a "
        "clinician supports it"
    )
    # A different amount from the one proposed is not covered by the proposal.
    with pytest.raises(ValidationError) as excinfo:
        change(small_cap, phb_lead, new_amount=D("1600.00"), reason=MORE)
    assert "Ask a clinician to check an increase to £1,600.00 first" in messages_of(excinfo)


def test_an_increase_the_clinician_did_not_support_cannot_be_made(phb_lead, clinician, small_cap):
    propose(small_cap, phb_lead)
    check(small_cap, clinician, supported=False)
    with pytest.raises(ValidationError) as excinfo:
        change(small_cap, phb_lead, new_amount=D("1500.00"), reason=MORE)
    assert messages_of(excinfo) == (
        f"{clinician.full_name} did not support an increase to £1,500.00 on clinical grounds, "
        "so it cannot be made"
    )


def test_a_supported_increase_is_made_with_its_check_and_justification(
    phb_lead, clinician, small_cap
):
    propose(small_cap, phb_lead)
    supporting = check(small_cap, clinician)
    # £1,500.00 from 1 October: April to September stay (4 x £83.34 + 2 x £83.33 = £500.02);
    # £999.98 over October to March: 99,998 pennies / 6 = 16,666 r 2 -> two of £166.67 and
    # four of £166.66; 500.02 + 333.34 + 666.64 = 1,500.00
    (letter,) = change(small_cap, phb_lead, new_amount=D("1500.00"), reason=MORE)
    budget = reload(small_cap)
    assert budget.agreed_amount == D("1500.00")
    assert budget.clinical_check == supporting
    assert budget.clinical_justification == JUSTIFICATION
    record = BudgetChange.objects.get()
    assert (record.clinical_check, record.clinical_justification) == (supporting, JUSTIFICATION)
    assert amounts(budget) == (
        [D("83.34")] * 4 + [D("83.33")] * 2 + [D("166.67")] * 2 + [D("166.66")] * 4
    )
    assert sum(amounts(budget)) == D("1500.00")
    assert "A clinician checked the clinical reason for it and supported it" in letter.body_html
    # In the person's words, as their own page says it: never "indicative".
    assert "The new amount is more than the £1,040.00 worked out for you." in letter.body_html
    assert "indicative" not in letter.body_html.lower()
    assert services.current_proposed_increase(budget) is None  # used up by the change


def test_the_clinician_who_checked_an_increase_cannot_make_it(icb, phb_lead, small_cap):
    both = staff(Role.CLINICIAN, icb)
    give_role(both, Role.PHB_LEAD, icb)
    propose(small_cap, phb_lead)
    check(small_cap, both)
    with pytest.raises(ValidationError) as excinfo:
        change(small_cap, both, new_amount=D("1500.00"), reason=MORE)
    assert messages_of(excinfo) == (
        "You checked this increase as a clinician, so someone else must make it"
    )


def test_a_proposal_is_for_an_increase_above_the_indicative_amount(phb_lead, small_cap):
    for amount, message in [
        (D("900.00"), "An increase must be more than the budget's £1,000.00"),
        (
            D("1040.00"),
            "£1,040.00 is within the indicative amount of £1,040.00, so it needs no clinical "
            "check: change the amount straight away",
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            propose(small_cap, phb_lead, amount)
        assert excinfo.value.message_dict == {"new_amount": [message]}
    with pytest.raises(ValidationError) as excinfo:
        services.propose_increase(
            actor=phb_lead, budget=small_cap, new_amount=D("1500.00"), clinical_justification=" "
        )
    assert excinfo.value.message_dict == {
        "clinical_justification": [
            "Write the clinical justification for the increase, for the clinician to check"
        ]
    }
    assert not ProposedIncrease.objects.exists()


def test_the_proposer_cannot_check_their_own_increase(icb, small_cap):
    both = staff(Role.CLINICIAN, icb)
    give_role(both, Role.PHB_LEAD, icb)
    propose(small_cap, both)
    with pytest.raises(ValidationError) as excinfo:
        check(small_cap, both)
    assert messages_of(excinfo) == "You proposed this increase, so another clinician must check it"


def test_there_is_nothing_to_check_without_a_current_proposal(phb_lead, clinician, small_cap):
    with pytest.raises(ValidationError) as excinfo:
        check(small_cap, clinician)
    assert messages_of(excinfo) == "No increase of this budget is waiting for a clinical check"
    # A proposal made before the amount changed is no longer current.
    propose(small_cap, phb_lead)
    change(small_cap, phb_lead, new_amount=D("1020.00"), reason=MORE)
    assert services.current_proposed_increase(reload(small_cap)) is None
    with pytest.raises(ValidationError):
        check(reload(small_cap), clinician)


def _at(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{display_time(moment)} on {moment:%-d %B %Y}"


def test_a_check_is_of_the_proposal_the_page_showed(icb, phb_lead, clinician, small_cap):
    """The clinician opens the check of £1,200.00; the lead then proposes £5,000.00 instead;
    the clinician's "Yes" from the page they opened is not a check of £5,000.00."""
    shown = propose(small_cap, phb_lead, D("1200.00"))
    later = propose(reload(small_cap), phb_lead, D("5000.00"))
    with pytest.raises(Conflict) as refused:
        services.record_increase_check(
            actor=clinician,
            budget=reload(small_cap),
            supported=True,
            notes="Seen at home.",
            proposal=shown.pk,
        )
    assert str(refused.value) == (
        f"{phb_lead.full_name} proposed an increase to £5,000.00 at {_at(later.at)}, after you "
        "opened this page, in place of the one you were checking. Nothing was saved: check the "
        "new proposal."
    )
    assert not ClinicalCheck.objects.exists()
    # Nothing supports £5,000.00, so it cannot be made.
    with pytest.raises(ValidationError) as excinfo:
        change(reload(small_cap), phb_lead, new_amount=D("5000.00"), reason=MORE)
    assert "has not checked the increase to £5,000.00 yet" in messages_of(excinfo)
    # A check from a page showing the £5,000.00 proposal is of that one.
    checked = services.record_increase_check(
        actor=clinician,
        budget=reload(small_cap),
        supported=False,
        notes="Not needed.",
        proposal=str(later.pk),
    )
    assert (checked.proposed_increase, checked.amount) == (later, D("5000.00"))


def test_a_check_from_before_the_amount_changed_is_refused(phb_lead, clinician, small_cap):
    shown = propose(small_cap, phb_lead)
    change(reload(small_cap), phb_lead, new_amount=D("1020.00"), reason=MORE)
    with pytest.raises(Conflict) as refused:
        services.record_increase_check(
            actor=clinician,
            budget=reload(small_cap),
            supported=True,
            notes="Yes.",
            proposal=shown.pk,
        )
    assert str(refused.value) == (
        "The increase you were checking is no longer waiting for a clinical check: the "
        "budget's amount was changed after it was proposed (it is £1,000.00 now and goes up to "
        "£1,020.00 from 1 October 2027). Nothing was saved."
    )
    assert not ClinicalCheck.objects.exists()


def test_an_increase_is_checked_once(icb, phb_lead, clinician, small_cap):
    """Two tabs: "Yes" from the first, then "No" from the second is refused, naming the
    first; the increase can still be made."""
    proposal = propose(small_cap, phb_lead)
    first = check(small_cap, clinician)
    other = staff(Role.CLINICIAN, icb)
    for who, supported in [(clinician, False), (other, False), (clinician, True)]:
        with pytest.raises(Conflict) as refused:
            services.record_increase_check(
                actor=who,
                budget=reload(small_cap),
                supported=supported,
                notes="Changed my mind.",
                proposal=proposal.pk,
            )
        assert str(refused.value) == (
            f"This increase to £1,500.00 was already checked by {clinician.full_name} at "
            f"{_at(first.at)}: they supported it. Nothing was saved."
        )
    assert list(ClinicalCheck.objects.all()) == [first]
    change(reload(small_cap), phb_lead, new_amount=D("1500.00"), reason=MORE)
    assert reload(small_cap).agreed_amount == D("1500.00")


def test_asking_twice_for_the_same_check_is_refused_naming_the_first(phb_lead, small_cap):
    """A double click on "Ask for a clinical check": the second request carries the page's
    version, which the first changed, and is told about the first."""
    version = small_cap.version
    first = services.propose_increase(
        actor=phb_lead,
        budget=small_cap,
        new_amount=D("1500.00"),
        clinical_justification=JUSTIFICATION,
        version=version,
    )
    assert reload(small_cap).version == version + 1  # a page drawn before it is out of date
    for page_version in (version, None):
        with pytest.raises(Conflict) as refused:
            services.propose_increase(
                actor=phb_lead,
                budget=reload(small_cap),
                new_amount=D("1500.00"),
                clinical_justification=f" {JUSTIFICATION} ",
                version=page_version,
            )
        assert str(refused.value) == (
            f"A clinical check of an increase to £1,500.00 was already asked for by "
            f"{phb_lead.full_name} at {_at(first.at)}. It is waiting for a clinician's check. "
            "Nothing more was saved."
        )
    # A different increase from the same out-of-date page is refused too, saying so.
    with pytest.raises(Conflict) as refused:
        services.propose_increase(
            actor=phb_lead,
            budget=reload(small_cap),
            new_amount=D("1600.00"),
            clinical_justification=JUSTIFICATION,
            version=version,
        )
    assert "someone changed it while you were looking at it. Nothing was saved." in str(
        refused.value
    )
    assert list(ProposedIncrease.objects.all()) == [first]


def test_a_proposed_increase_waits_in_the_clinicians_work_queue(phb_lead, clinician, small_cap):
    from budgets import selectors

    assert selectors.increases_waiting_for(clinician) == []
    propose(small_cap, phb_lead)
    assert selectors.increases_waiting_for(clinician) == [
        (small_cap, "increase to £1,500.00 proposed, needs your clinical check")
    ]
    assert (small_cap, "increase to £1,500.00 proposed, needs your clinical check") in (
        selectors.budgets_waiting_for(clinician)
    )
    check(small_cap, clinician)
    assert selectors.increases_waiting_for(clinician) == []


# --- What the database refuses ------------------------------------------------------------------

INCREASE_NEEDS_JUSTIFICATION = (
    "An increase above the indicative amount needs a clinical justification"
)
INCREASE_NEEDS_CHECK = (
    "An increase above the indicative amount needs a supporting check by another clinician"
)


def _raw_change(budget, by, **fields):
    return BudgetChange.objects.create(
        budget=budget,
        previous_amount=budget.agreed_amount,
        new_amount=D("1500.00"),
        effective_from=FROM_OCTOBER,
        notified_on=TODAY,
        notice_days=(FROM_OCTOBER - TODAY).days,
        reason=MORE,
        by=by,
        **fields,
    )


def test_the_database_refuses_an_increase_above_the_cap_without_justification_or_check(
    phb_lead, clinician, small_cap
):
    with pytest.raises(IntegrityError, match=INCREASE_NEEDS_JUSTIFICATION), transaction.atomic():
        _raw_change(small_cap, phb_lead)
    with pytest.raises(IntegrityError, match=INCREASE_NEEDS_CHECK), transaction.atomic():
        _raw_change(small_cap, phb_lead, clinical_justification=JUSTIFICATION)
    propose(small_cap, phb_lead)
    # A check of a different amount, or one that did not support it, is not enough.
    unsupported = check(small_cap, clinician, supported=False)
    with pytest.raises(IntegrityError, match=INCREASE_NEEDS_CHECK), transaction.atomic():
        _raw_change(
            small_cap,
            phb_lead,
            clinical_justification=JUSTIFICATION,
            clinical_check=unsupported,
        )
    # Nor is a check by the person making the change.
    mine = ClinicalCheck.objects.create(
        budget=small_cap, clinician=clinician, amount=D("1500.00"), supported=True, notes="Ok"
    )
    with pytest.raises(IntegrityError, match=INCREASE_NEEDS_CHECK), transaction.atomic():
        _raw_change(small_cap, clinician, clinical_justification=JUSTIFICATION, clinical_check=mine)
    _raw_change(small_cap, phb_lead, clinical_justification=JUSTIFICATION, clinical_check=mine)
    # A proposal, like the change, is never rewritten.
    with (
        pytest.raises(ProgrammingError, match=cannot_change("budgets_proposedincrease")),
        transaction.atomic(),
    ):
        ProposedIncrease.objects.update(new_amount=D("1600.00"))


def test_the_database_refuses_a_live_budget_going_up_past_its_check(phb_lead, small_cap):
    with (
        pytest.raises(
            IntegrityError,
            match="Above its indicative amount, a budget needs a supporting check by another "
            "clinician",
        ),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=small_cap.pk).update(
            agreed_amount=D("1500.00"), clinical_justification=JUSTIFICATION
        )


def test_the_database_refuses_a_change_of_nothing_or_typed_notice(phb_lead, budget_2027):
    with (
        pytest.raises(IntegrityError, match="budget_change_changes_amount"),
        transaction.atomic(),
    ):
        BudgetChange.objects.create(
            budget=budget_2027,
            previous_amount=D("12000.00"),
            new_amount=D("12000.00"),
            effective_from=FROM_OCTOBER,
            notified_on=TODAY,
            notice_days=(FROM_OCTOBER - TODAY).days,
            reason=REASON,
            by=phb_lead,
        )
    with (
        pytest.raises(IntegrityError, match="budget_change_notice_from_the_dates"),
        transaction.atomic(),
    ):
        BudgetChange.objects.create(
            budget=budget_2027,
            previous_amount=D("12000.00"),
            new_amount=D("10000.00"),
            effective_from=FROM_OCTOBER,
            notified_on=TODAY,
            notice_days=28,
            reason=REASON,
            by=phb_lead,
        )


def test_the_database_refuses_changing_a_change_or_a_letter(phb_lead, budget_2027):
    (letter,) = change(budget_2027, phb_lead)
    with (
        pytest.raises(ProgrammingError, match=cannot_change("budgets_budgetletter")),
        transaction.atomic(),
    ):
        BudgetLetter.objects.filter(pk=letter.pk).update(body_html="<p>Something else</p>")
    with (
        pytest.raises(ProgrammingError, match=cannot_change("budgets_budgetletter")),
        transaction.atomic(),
    ):
        BudgetLetter.objects.filter(pk=letter.pk).delete()
    with (
        pytest.raises(ProgrammingError, match=cannot_change("budgets_budgetchange")),
        transaction.atomic(),
    ):
        BudgetChange.objects.update(reason="Something else")


# ---------------------------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------------------------


def test_the_letter_says_what_why_when_each_payment_and_how_to_ask_again(
    phb_lead, holder, budget_2027
):
    (letter,) = change(budget_2027, phb_lead)
    assert BudgetLetter.objects.get() == letter
    assert (letter.kind, letter.recipient, letter.addressed_to) == (
        "reduction",
        LetterRecipient.PERSON,
        holder.full_name,
    )
    assert letter.change == BudgetChange.objects.get()
    assert letter.created_by == phb_lead
    body = letter.body_html
    assert f"Dear {escape(holder.full_name)}," in body
    assert "is going down from <strong>£12,000.00</strong> to <strong>£10,000.00</strong>" in body
    assert "The change starts on <strong>1 October 2027</strong>" in body
    assert "fewer carers" in body
    assert "reconsideration" in body.lower()
    # The portions' totals, old and new, and each payment that changes, old and new.
    assert "This part of the budget goes down from £9,600.00 to £8,000.00" in body
    assert "This part of the budget goes down from £2,400.00 to £2,000.00" in body
    # Each part is headed as the person's own page says how the money is kept.
    assert "<h4>Paid into a bank account (a direct payment)</h4>" in body
    assert "<h4>Kept by the personal health budget team</h4>" in body
    assert "The personal health budget team keeps it and arranges care with it" in body
    assert "Notional" not in body and "Third party" not in body
    rows = re.findall(
        r"<tr[^>]*>\s*<th[^>]*>\s*(?:<span[^>]*>[^<]*</span>\s*)?([0-9]+ [A-Za-z]+ [0-9]{4})"
        r"\s*</th>.*?(£[0-9,.]+).*?(£[0-9,.]+)",
        body,
        flags=re.DOTALL,
    )
    assert rows == [
        ("1 October 2027", "£800.00", "£533.34"),
        ("1 November 2027", "£800.00", "£533.34"),
        ("1 December 2027", "£800.00", "£533.33"),
        ("1 January 2028", "£800.00", "£533.33"),
        ("1 February 2028", "£800.00", "£533.33"),
        ("1 March 2028", "£800.00", "£533.33"),
    ]


def test_the_letter_goes_to_the_representative_addressed_to_them(phb_lead, holder, budget_2027):
    representative = RepresentativeFactory(budget_holder=holder)
    (letter,) = change(budget_2027, phb_lead)
    name = representative.user.full_name
    assert (letter.recipient, letter.representative, letter.addressed_to) == (
        LetterRecipient.REPRESENTATIVE,
        representative,
        name,
    )
    assert letter.subject == f"{holder.full_name}'s personal health budget is going down"
    body = letter.body_html
    assert f"Dear {escape(name)}," in body
    assert (
        f"We are writing to you because you are {escape(holder.full_name)}'s representative."
        in body
    )
    assert f"{escape(holder.full_name)}'s budget for 1 April 2027 to 31 March 2028" in body
    assert f"You or {escape(holder.full_name)} can ask us to look at this decision again" in body
    assert holder.address_line_1 not in body  # their address is the person's, not theirs


def test_the_person_gets_a_copy_when_they_ask_for_one(phb_lead, holder, budget_2027):
    nominee = RepresentativeFactory(budget_holder=holder, kind=RepresentativeKind.NOMINEE)
    ended = RepresentativeFactory(
        budget_holder=holder,
        agreed_on=datetime.date(2026, 4, 1),
        ended_on=datetime.date(2026, 5, 1),
    )
    type(holder).objects.filter(pk=holder.pk).update(copy_letters_to_person=True)
    letters = change(reload(budget_2027), phb_lead)
    assert [(letter.recipient, letter.addressed_to) for letter in letters] == [
        (LetterRecipient.PERSON, holder.full_name),
        (LetterRecipient.REPRESENTATIVE, nominee.user.full_name),
    ]
    assert "because you are" not in letters[0].body_html
    assert "nominee" in letters[1].body_html
    assert ended.user.full_name not in " ".join(letter.addressed_to for letter in letters)


def test_the_letter_keeps_what_it_said_when_the_team_changes_its_details(
    phb_lead, icb, budget_2027
):
    Organisation.objects.filter(pk=icb.pk).update(phone="0113 496 0000")
    (letter,) = change(budget_2027, phb_lead)
    Organisation.objects.filter(pk=icb.pk).update(phone="0113 496 0999")
    letter.refresh_from_db()
    assert "0113 496 0000" in letter.body_html


# ---------------------------------------------------------------------------------------------
# Preview, then issue
# ---------------------------------------------------------------------------------------------


def test_a_preview_changes_nothing(phb_lead, budget_2027):
    plan = preview(budget_2027, phb_lead)
    assert [letter.addressed_to for letter in plan.letters] == [budget_2027.budget_holder.full_name]
    assert plan.notice_days == (FROM_OCTOBER - TODAY).days
    assert not BudgetChange.objects.exists()
    assert not BudgetLetter.objects.exists()
    assert reload(budget_2027).agreed_amount == D("12000.00")
    assert amounts(reload(budget_2027)) == [D("800.00")] * 12


def test_the_letter_issued_is_exactly_the_letter_previewed(phb_lead, budget_2027):
    plan = preview(budget_2027, phb_lead)
    (letter,) = change(budget_2027, phb_lead)
    assert letter.body_html == plan.letters[0].body_html
    assert letter.subject == plan.letters[0].subject


def issue(budget, actor, plan, **overrides):
    kwargs = {
        "new_amount": plan.new_amount,
        "effective_from": plan.effective_from,
        "reason": plan.reason,
        "version": plan.budget.version,
        "previewed": plan.digest,
    }
    return services.change_budget_amount(actor=actor, budget=budget, **(kwargs | overrides))


def test_a_preview_of_a_budget_changed_since_is_refused(phb_lead, icb, budget_2027):
    plan = preview(budget_2027, phb_lead)
    other = staff(Role.PHB_LEAD, icb)
    change(budget_2027, other, new_amount=D("11000.00"))
    with pytest.raises(Conflict) as excinfo:
        issue(budget_2027, phb_lead, plan)
    assert str(excinfo.value) == (
        "Nothing was changed: the budget changed after you previewed the letter (it is "
        "£12,000.00 now and goes down to £11,000.00 from 1 October 2027), so the letter may no "
        "longer be right. Check the new preview before you issue it."
    )
    assert reload(budget_2027).agreed_amount == D("11000.00")
    assert BudgetLetter.objects.count() == 1


def test_a_preview_whose_letter_would_now_be_different_is_refused(
    phb_lead, finance_officer, icb, budget_2027
):
    plan = preview(budget_2027, phb_lead)
    # October's payment is recorded as paid after the preview: it no longer changes.
    october = direct(budget_2027).schedule.instalments.get(number=7)
    services.record_payment(
        actor=finance_officer, instalment=october, paid_on=TODAY, reference="R7"
    )
    with pytest.raises(Conflict) as excinfo:
        issue(budget_2027, phb_lead, plan)
    assert str(excinfo.value).startswith(
        "Nothing was changed: the letter would now be different from the one you previewed"
    )
    # The team's phone number changes after another preview: the letter would say otherwise.
    plan = preview(reload(budget_2027), phb_lead)
    Organisation.objects.filter(pk=icb.pk).update(phone="0113 496 0000")
    with pytest.raises(Conflict):
        issue(reload(budget_2027), phb_lead, plan)
    assert not BudgetChange.objects.exists()
    assert not BudgetLetter.objects.exists()


def test_the_letter_says_when_a_part_of_the_budget_stays_the_same(phb_lead, holder, local_rates):
    # £11,999.99 notional and £0.01 third party, reduced to £11,000.00: 1,100,000 pennies shared
    # 1,199,999 : 1 gives 1,099,999.08 and 0.92 pennies; the spare penny goes to the larger
    # remainder, the third party's, which stays at £0.01.
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("11999.99"), ""),
            (HoldingMethod.THIRD_PARTY, D("0.01"), "Brokerage Ltd"),
        ],
    )
    (letter,) = change(budget, phb_lead, new_amount=D("11000.00"))
    assert "This part of the budget goes down from £11,999.99 to £10,999.99." in letter.body_html
    assert "This part of the budget stays at £0.01." in letter.body_html


def test_a_stop_or_a_change_to_come_makes_the_holders_pdf_out_of_date(
    phb_lead, holder, budget_2027
):
    """The PDF of "How the budget was worked out" prints the page's lead and summary too: a
    stop decided after it was made (which changes only those) makes it out of date."""
    from budgets.documents import _explanation_version
    from phb.models import BudgetHolder

    def version():
        return _explanation_version(BudgetHolder.objects.get(pk=holder.pk))

    before = version()
    assert version() == before  # the same record, the same version
    services.stop_budget(
        actor=phb_lead,
        budget=reload(budget_2027),
        stops_on=datetime.date(2027, 10, 1),
        reason="Moved away",
    )
    assert version() != before
