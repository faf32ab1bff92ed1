"""Payment schedules and the payments made against them, through `budgets.services` and the
database's own rules. Each worked figure shows its arithmetic to the penny.

Schedules from 1 April 2026 have payments before today: the `schedule` helper records those as
paid on their due dates, as a schedule set after a budget started must.
"""

import datetime
import re
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from budgets import calculations as calc
from budgets import presenters, selectors, services
from budgets.models import (
    HoldingMethod,
    PaymentInstalment,
    PaymentRun,
    PaymentSchedule,
)
from budgets.models.budget import BudgetStatus
from budgets.services import Conflict, PastPayment
from phb.models import Role
from tests.budgets.factories import (
    BACKDATED_REASON,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    LocalRateSetFactory,
    agreed_budget,
    change_amount,
    chc_package,
    reload,
    schedule,
    staff,
)
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAID_NEVER_CHANGES = "A paid instalment cannot be changed or deleted"
PAST_MUST_BE_PAID = "An instalment due before today must be recorded as paid"
BACKDATED_NEEDS_REASON = "A first payment date in the past needs a reason"


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def direct(budget):
    return budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)


def monthly_2026() -> list[datetime.date]:
    return calc.instalment_dates(FY_2026_START, datetime.date(2027, 3, 31), "monthly")


def past_2026() -> dict:
    """How each 2026/27 monthly payment due before today was paid: on its due date."""
    return {
        day: PastPayment(day, f"BACS-{number}")
        for number, day in enumerate(monthly_2026(), start=1)
        if day < TODAY
    }


def active_2027(lead, finance, holder, *, amount=D("12000.00"), direct_amount=D("9600.00")):
    """2027/28, agreed and started: the rest notional, `direct_amount` by direct payment in 12
    monthly payments from 1 April 2027."""
    package = chc_package(lead, holder, effective_date=FY_2027_START)
    portions = [(HoldingMethod.DIRECT_PAYMENT, direct_amount, "")]
    if amount != direct_amount:
        portions.insert(0, (HoldingMethod.NOTIONAL, amount - direct_amount, ""))
    budget = agreed_budget(
        lead,
        holder,
        package,
        amount=amount,
        start=FY_2027_START,
        end=FY_2027_END,
        portions=portions,
    )
    schedule(finance, direct(budget))
    return services.activate_budget(actor=finance, budget=reload(budget))


@pytest.fixture
def budget_2027(phb_lead, finance_officer, holder, local_rates):
    """2027/28, £12,000.00: £2,400.00 notional and £9,600.00 direct payment, £800.00 a month."""
    return active_2027(phb_lead, finance_officer, holder)


def instalments(budget) -> list[PaymentInstalment]:
    return list(direct(budget).schedule.instalments.order_by("number"))


# ---------------------------------------------------------------------------------------------
# Setting a schedule
# ---------------------------------------------------------------------------------------------


def test_monthly_schedule_sums_exactly_first_gets_the_penny(finance_officer, paid_budget):
    # £12,000.01 over 12 months: 1,200,001 pennies / 12 = 100,000 r 1
    # -> the first instalment £1,000.01, the other 11 £1,000.00; 1,000.01 + 11 x 1,000 = 12,000.01
    made = schedule(finance_officer, direct(paid_budget))
    rows = list(made.instalments.order_by("number"))
    assert len(rows) == 12
    assert rows[0].amount == D("1000.01")
    assert all(i.amount == D("1000.00") for i in rows[1:])
    assert sum(i.amount for i in rows) == D("12000.01")
    assert [i.due_date for i in rows[:3]] == [
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
        datetime.date(2026, 6, 1),
    ]
    assert rows[-1].due_date == datetime.date(2027, 3, 1)
    # Those due before today were recorded as paid; the rest are not paid yet.
    assert all(i.is_paid == (i.due_date < TODAY) for i in rows)


def test_four_weekly_schedule_has_13_payments_summing_exactly(finance_officer, paid_budget):
    # 1 April 2026 + 28 days ...: 13 payments fit in the year.
    # 1,200,001 pennies / 13 = 92,307 r 10 -> ten of £923.08 and three of £923.07
    # 10 x 923.08 + 3 x 923.07 = 9,230.80 + 2,769.21 = 12,000.01
    made = schedule(finance_officer, direct(paid_budget), frequency="four_weekly")
    amounts = list(made.instalments.order_by("number").values_list("amount", flat=True))
    assert amounts == [D("923.08")] * 10 + [D("923.07")] * 3
    assert sum(amounts) == D("12000.01")


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        # 11 x 1,000.00 + 999.99 = 11,999.99, two pence short of 12,000.01
        (
            [D("1000.00")] * 11 + [D("999.99")],
            "The payments add up to £11,999.99, which is £0.02 less than the direct payment of "
            "£12,000.01. They must add up exactly",
        ),
        # 11 x 1,000.00 + 1,000.02 = 12,000.02, a penny over
        (
            [D("1000.00")] * 11 + [D("1000.02")],
            "The payments add up to £12,000.02, which is £0.01 more than the direct payment of "
            "£12,000.01. They must add up exactly",
        ),
    ],
)
def test_own_amounts_must_add_up_exactly_and_say_by_how_much(
    finance_officer, paid_budget, amounts, message
):
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, direct(paid_budget), amounts=amounts)
    assert messages_of(excinfo) == message
    assert not PaymentInstalment.objects.exists()


def test_own_amounts_of_the_wrong_count_are_refused(finance_officer, paid_budget):
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, direct(paid_budget), amounts=[D("6000.00"), D("6000.01")])
    assert "Enter 12 instalment amounts" in messages_of(excinfo)


def test_own_amounts_that_add_up_are_kept(finance_officer, paid_budget):
    # 2,000.02 + 11 x 909.09 = 2,000.02 + 9,999.99 = 12,000.01
    amounts = [D("2000.02")] + [D("909.09")] * 11
    made = schedule(finance_officer, direct(paid_budget), amounts=amounts)
    assert list(made.instalments.values_list("amount", flat=True)) == amounts


def test_a_notional_portion_has_no_schedule(finance_officer, paid_budget):
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, paid_budget.portions.get(method=HoldingMethod.NOTIONAL))
    assert "notional budget is not paid out" in messages_of(excinfo)


def test_the_first_payment_must_be_in_the_period(finance_officer, paid_budget):
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=FY_2027_START,
        )
    assert "The first payment must be within the budget's period" in messages_of(excinfo)


def test_a_budget_starts_once_its_payments_are_scheduled(finance_officer, paid_budget):
    schedule(finance_officer, direct(paid_budget))
    services.activate_budget(actor=finance_officer, budget=paid_budget)
    assert reload(paid_budget).status == BudgetStatus.ACTIVE


# --- First payment dates in the past -----------------------------------------------------------


def test_a_first_payment_in_the_past_needs_a_reason(finance_officer, paid_budget):
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=FY_2026_START,
            paid_before_today=past_2026(),
            backdated_reason="  ",
        )
    assert excinfo.value.message_dict == {
        "backdated_reason": [
            "The first payment date is in the past: explain why, or choose a date from today"
        ]
    }
    assert not PaymentSchedule.objects.exists()


def test_payments_before_today_must_be_recorded_as_paid_or_the_schedule_is_refused(
    finance_officer, paid_budget
):
    past = [day for day in monthly_2026() if day < TODAY]
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=FY_2026_START,
            backdated_reason=BACKDATED_REASON,
        )
    assert excinfo.value.message_dict == {
        "first_payment_date": [
            f"{len(past)} payments of this schedule fall before today (1 April 2026 to "
            f"{past[-1]:%-d %B %Y}). Record each as paid, with the date it was paid and the "
            "payment reference, or choose a first payment date from today"
        ]
    }
    # One missing is enough to refuse.
    some = dict(list(past_2026().items())[1:])
    with pytest.raises(ValidationError):
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=FY_2026_START,
            paid_before_today=some,
            backdated_reason=BACKDATED_REASON,
        )
    assert not PaymentSchedule.objects.exists()
    assert not PaymentInstalment.objects.exists()


def test_no_past_payment_is_recorded_while_the_plan_waits_for_approval(
    finance_officer, phb_lead, holder, chc
):
    """ADR 0024: a budget whose care and support plan is not approved has not started and
    pays nothing yet, so payments before today cannot be recorded as paid with its schedule.
    A schedule from today can be set."""
    waiting = agreed_budget(
        phb_lead,
        holder,
        chc,
        amount=D("20000.01"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.01"), ""),
        ],
        plan_approved=False,
    )
    past = list(past_2026())
    assert past  # 1 April 2026 to the 1st of this month
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(waiting),
            frequency="monthly",
            first_payment_date=FY_2026_START,
            paid_before_today=past_2026(),
            backdated_reason=BACKDATED_REASON,
        )
    assert excinfo.value.message_dict == {
        "first_payment_date": [
            f"{len(past)} payments of this schedule fall before today (1 April 2026 to "
            f"{past[-1]:%-d %B %Y}), but no payment of this budget can be recorded as paid "
            "yet: it has not started, and is waiting for the care and support plan to be "
            f"approved. Choose a first payment date from today, {TODAY:%-d %B %Y}"
        ]
    }
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()
    made = services.set_payment_schedule(
        actor=finance_officer,
        portion=direct(reload(waiting)),
        frequency="monthly",
        first_payment_date=TODAY,
    )
    assert not made.instalments.filter(paid_on__isnull=False).exists()


def test_payments_before_today_are_saved_as_paid_with_date_reference_who_and_when(
    finance_officer, paid_budget
):
    paid = past_2026()
    first = next(iter(paid))
    paid[first] = PastPayment(datetime.date(2026, 3, 30), "  CHQ-0001  ")  # paid early
    made = services.set_payment_schedule(
        actor=finance_officer,
        portion=direct(paid_budget),
        frequency="monthly",
        first_payment_date=FY_2026_START,
        paid_before_today=paid,
        backdated_reason=f"  {BACKDATED_REASON}  ",
    )
    assert made.backdated_reason == BACKDATED_REASON
    rows = list(made.instalments.order_by("number"))
    before, after = rows[: len(paid)], rows[len(paid) :]
    assert (before[0].paid_on, before[0].payment_reference) == (
        datetime.date(2026, 3, 30),
        "CHQ-0001",
    )
    for row in before[1:]:
        assert row.paid_on == row.due_date
        assert row.payment_reference == f"BACS-{row.number}"
    assert all(row.paid_recorded_by == finance_officer for row in before)
    assert all(row.paid_recorded_at is not None for row in before)
    assert all(not row.is_paid for row in after)
    assert all(row.due_date >= TODAY for row in after)


def test_past_payments_need_a_reference_and_a_date_no_later_than_today(
    finance_officer, paid_budget
):
    for change, field, message in [
        (
            PastPayment(FY_2026_START, " "),
            "reference_1",
            "Enter the payment reference",
        ),
        (
            PastPayment(FY_2026_START, "x" * 101),
            "reference_1",
            "The payment reference must be 100 characters or fewer",
        ),
        (
            PastPayment(TODAY + datetime.timedelta(days=1), "BACS-1"),
            "paid_on_1",
            "The date the payment due on 1 April 2026 was paid must be today or in the past",
        ),
        (
            PastPayment(datetime.date(2025, 3, 31), "BACS-1"),
            "paid_on_1",
            "The date the payment due on 1 April 2026 was paid must be on or after "
            "1 April 2025, a year before the budget's start on 1 April 2026",
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.set_payment_schedule(
                actor=finance_officer,
                portion=direct(paid_budget),
                frequency="monthly",
                first_payment_date=FY_2026_START,
                paid_before_today=past_2026() | {FY_2026_START: change},
                backdated_reason=BACKDATED_REASON,
            )
        assert excinfo.value.message_dict == {field: [message]}
    assert not PaymentSchedule.objects.exists()


def test_only_payments_due_before_today_can_be_recorded_when_setting_a_schedule(
    finance_officer, paid_budget
):
    last = datetime.date(2027, 3, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=FY_2026_START,
            paid_before_today=past_2026() | {last: PastPayment(TODAY, "EARLY-1")},
            backdated_reason=BACKDATED_REASON,
        )
    assert messages_of(excinfo) == (
        "Only payments due before today can be recorded as paid when the schedule is set. "
        "1 March 2027 is not one of them"
    )


def test_a_first_payment_from_today_needs_no_reason_and_keeps_none(finance_officer, paid_budget):
    # From today to 31 March 2027 the £12,000.01 is spread over the months left.
    made = services.set_payment_schedule(
        actor=finance_officer,
        portion=direct(paid_budget),
        frequency="monthly",
        first_payment_date=TODAY,
        backdated_reason="Not needed",
    )
    assert made.backdated_reason == ""
    assert sum(made.instalments.values_list("amount", flat=True)) == D("12000.01")
    assert not made.instalments.filter(paid_on__isnull=False).exists()


# --- A schedule with paid payments ----------------------------------------------------------------


def test_a_schedule_with_paid_payments_is_never_replaced(finance_officer, paid_budget):
    schedule(finance_officer, direct(paid_budget))
    paid = PaymentInstalment.objects.filter(paid_on__isnull=False).count()
    assert paid > 0  # 1 April 2026 is before today
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, direct(paid_budget), frequency="four_weekly")
    assert messages_of(excinfo) == (
        f"This schedule cannot be replaced: {paid} of its payments have been recorded as paid, "
        "and a paid payment never changes"
    )
    assert PaymentSchedule.objects.get().frequency == "monthly"


def test_a_schedule_with_no_paid_payments_can_be_replaced(
    finance_officer, phb_lead, holder, local_rates
):
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    schedule(finance_officer, budget.portions.get())
    made = schedule(finance_officer, budget.portions.get(), frequency="four_weekly")
    assert PaymentSchedule.objects.get() == made
    # 1,200,000 pennies / 13 = 92,307 r 9: nine of £923.08, four of £923.07
    amounts = list(made.instalments.order_by("number").values_list("amount", flat=True))
    assert amounts == [D("923.08")] * 9 + [D("923.07")] * 4


# --- What the database refuses ----------------------------------------------------------------


def test_the_database_refuses_changing_a_paid_instalment(finance_officer, paid_budget):
    schedule(finance_officer, direct(paid_budget))
    paid = PaymentInstalment.objects.filter(paid_on__isnull=False).first()
    for change in (
        {"amount": D("1.00")},
        {"payment_reference": "CHANGED"},
        {"paid_on": None, "payment_reference": "", "paid_recorded_by": None},
    ):
        with pytest.raises(IntegrityError, match=PAID_NEVER_CHANGES), transaction.atomic():
            PaymentInstalment.objects.filter(pk=paid.pk).update(**change)
    paid.refresh_from_db()
    assert paid.amount == D("1000.01")


def test_the_database_refuses_deleting_a_paid_instalment_or_its_schedule(
    finance_officer, paid_budget
):
    made = schedule(finance_officer, direct(paid_budget))
    paid = made.instalments.filter(paid_on__isnull=False).first()
    with pytest.raises(IntegrityError, match=PAID_NEVER_CHANGES), transaction.atomic():
        PaymentInstalment.objects.filter(pk=paid.pk).delete()
    with pytest.raises(IntegrityError, match=PAID_NEVER_CHANGES), transaction.atomic():
        PaymentSchedule.objects.filter(pk=made.pk).delete()
    assert made.instalments.count() == 12


def test_the_database_refuses_an_unpaid_instalment_due_before_today(finance_officer, budget_2027):
    made = direct(budget_2027).schedule
    with pytest.raises(IntegrityError, match=PAST_MUST_BE_PAID), transaction.atomic():
        PaymentInstalment.objects.create(
            schedule=made, number=99, due_date=TODAY - datetime.timedelta(days=1), amount=1
        )


def test_the_database_refuses_a_backdated_schedule_without_a_reason(
    finance_officer, phb_lead, paid_budget
):
    with pytest.raises(IntegrityError, match=BACKDATED_NEEDS_REASON), transaction.atomic():
        PaymentSchedule.objects.create(
            portion=direct(paid_budget),
            frequency="monthly",
            first_payment_date=TODAY - datetime.timedelta(days=1),
            backdated_reason=" ",
            created_by=finance_officer,
        )


def test_the_database_refuses_a_payment_without_its_reference_or_who(finance_officer, budget_2027):
    row = instalments(budget_2027)[0]
    for change in (
        {"paid_on": TODAY, "paid_recorded_by": finance_officer, "paid_recorded_at": timezone.now()},
        {"paid_on": TODAY, "payment_reference": "BACS-1"},
    ):
        with (
            pytest.raises(IntegrityError, match="instalment_paid_with_date_reference_who_and_when"),
            transaction.atomic(),
        ):
            PaymentInstalment.objects.filter(pk=row.pk).update(**change)


# ---------------------------------------------------------------------------------------------
# Recording one payment
# ---------------------------------------------------------------------------------------------


def test_finance_records_one_payment(finance_officer, budget_2027):
    row = instalments(budget_2027)[0]
    services.record_payment(
        actor=finance_officer, instalment=row, paid_on=TODAY, reference=" BACS-2027-04 "
    )
    row.refresh_from_db()
    assert (row.paid_on, row.payment_reference) == (TODAY, "BACS-2027-04")
    assert row.paid_recorded_by == finance_officer
    assert row.paid_recorded_at is not None
    assert row.payment_run is None
    assert row.amount == D("800.00")


def test_a_payment_recorded_twice_is_told_who_recorded_it(finance_officer, icb, budget_2027):
    row = instalments(budget_2027)[0]
    services.record_payment(actor=finance_officer, instalment=row, paid_on=TODAY, reference="A1")
    other = staff(Role.FINANCE_OFFICER, icb)
    with pytest.raises(Conflict) as excinfo:
        services.record_payment(actor=other, instalment=row, paid_on=TODAY, reference="B1")
    message = str(excinfo.value)
    assert message.startswith(
        f"You cannot record this payment: it was recorded as paid on {TODAY:%-d %B %Y} "
        f"(reference A1) by {finance_officer.full_name} on "
    )
    row.refresh_from_db()
    assert row.payment_reference == "A1"


def test_a_payment_needs_a_reference_and_a_date_no_later_than_today(finance_officer, budget_2027):
    row = instalments(budget_2027)[0]
    for paid_on, reference, expected in [
        (TODAY, "  ", {"reference": ["Enter the payment reference"]}),
        (
            TODAY + datetime.timedelta(days=1),
            "A1",
            {"paid_on": ["The date it was paid must be today or in the past"]},
        ),
        (
            datetime.date(1926, 4, 1),
            "A1",
            {
                "paid_on": [
                    "The date it was paid must be on or after 1 April 2026, a year before the "
                    "budget's start on 1 April 2027"
                ]
            },
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.record_payment(
                actor=finance_officer, instalment=row, paid_on=paid_on, reference=reference
            )
        assert excinfo.value.message_dict == expected
    row.refresh_from_db()
    assert not row.is_paid


def test_payments_are_recorded_only_for_a_budget_that_has_started(
    finance_officer, phb_lead, holder, local_rates
):
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    made = schedule(finance_officer, budget.portions.get())
    with pytest.raises(ValidationError) as excinfo:
        services.record_payment(
            actor=finance_officer,
            instalment=made.instalments.first(),
            paid_on=TODAY,
            reference="A1",
        )
    assert messages_of(excinfo) == (
        "Payments are recorded for a budget that has started. This budget is agreed"
    )


def test_only_finance_and_phb_leads_of_the_icb_record_payments(
    care_coordinator, clinician, phb_lead, icb, other_icb, budget_2027
):
    row = instalments(budget_2027)[0]
    for actor in (care_coordinator, clinician, staff(Role.FINANCE_OFFICER, other_icb)):
        with pytest.raises(PermissionDenied):
            services.record_payment(actor=actor, instalment=row, paid_on=TODAY, reference="X")
    services.record_payment(actor=phb_lead, instalment=row, paid_on=TODAY, reference="LEAD-1")
    assert reload(budget_2027).status == BudgetStatus.ACTIVE


# ---------------------------------------------------------------------------------------------
# Payment runs
# ---------------------------------------------------------------------------------------------

UP_TO_JUNE = datetime.date(2027, 6, 1)


@pytest.fixture
def two_budgets(phb_lead, finance_officer, holder, local_rates, icb):
    """Two active 2027/28 budgets in the ICB: £800.00 and £500.00 a month by direct payment."""
    other = BudgetHolderFactory(organisation=icb)
    first = active_2027(phb_lead, finance_officer, holder)
    # £6,000.00 in 12 monthly payments of £500.00
    second = active_2027(
        phb_lead, finance_officer, other, amount=D("6000.00"), direct_amount=D("6000.00")
    )
    return first, second


def due_ids(user, up_to=UP_TO_JUNE) -> list[str]:
    page, _ = selectors.payments_due(user, due_up_to=up_to)
    return [str(row.pk) for row in page]


def test_a_payment_run_records_each_payment_and_its_total(finance_officer, two_budgets):
    # Due by 1 June 2027: April, May and June of each budget.
    #   3 x £800.00 = £2,400.00 and 3 x £500.00 = £1,500.00; 6 payments, £3,900.00
    chosen = due_ids(finance_officer)
    assert len(chosen) == 6
    run = services.record_payment_run(
        actor=finance_officer,
        instalments=chosen,
        paid_on=TODAY,
        reference=" RUN-2027-06 ",
        due_up_to=UP_TO_JUNE,
    )
    run.refresh_from_db()
    assert (run.count, run.total) == (6, D("3900.00"))
    assert (run.paid_on, run.reference, run.due_up_to) == (TODAY, "RUN-2027-06", UP_TO_JUNE)
    assert run.recorded_by == finance_officer
    paid = PaymentInstalment.objects.filter(payment_run=run)
    assert paid.count() == 6
    assert all(
        (p.paid_on, p.payment_reference, p.paid_recorded_by)
        == (TODAY, "RUN-2027-06", finance_officer)
        for p in paid
    )
    assert due_ids(finance_officer) == []
    # July onwards is still due.
    assert len(due_ids(finance_officer, datetime.date(2027, 7, 1))) == 2


def test_a_run_over_a_payment_already_paid_records_nothing_and_says_why(
    finance_officer, icb, two_budgets
):
    chosen = due_ids(finance_officer)
    first = PaymentInstalment.objects.get(pk=chosen[0])
    services.record_payment(actor=finance_officer, instalment=first, paid_on=TODAY, reference="A1")
    other = staff(Role.FINANCE_OFFICER, icb)
    with pytest.raises(Conflict) as excinfo:
        services.record_payment_run(
            actor=other, instalments=chosen, paid_on=TODAY, reference="RUN-1", due_up_to=UP_TO_JUNE
        )
    assert str(excinfo.value).startswith(
        "Nothing was recorded: some of these payments were already recorded as paid. "
    )
    assert f"(reference A1) by {finance_officer.full_name} on " in str(excinfo.value)
    assert not PaymentRun.objects.exists()
    assert PaymentInstalment.objects.filter(paid_on__isnull=False).count() == 1


def test_the_same_run_sent_twice_is_refused_without_blaming_someone_else(
    finance_officer, two_budgets
):
    """A second click on "Record as paid" by the person who recorded the run."""
    chosen = due_ids(finance_officer)
    services.record_payment_run(
        actor=finance_officer,
        instalments=chosen,
        paid_on=TODAY,
        reference="RUN-1",
        due_up_to=UP_TO_JUNE,
    )
    with pytest.raises(Conflict) as excinfo:
        services.record_payment_run(
            actor=finance_officer,
            instalments=chosen,
            paid_on=TODAY,
            reference="RUN-1",
            due_up_to=UP_TO_JUNE,
        )
    message = str(excinfo.value)
    assert message.startswith(
        "Nothing was recorded: these payments were already recorded as paid. "
    )
    assert f"in payment run RUN-1 by {finance_officer.full_name} on " in message
    assert "someone else" not in message
    assert PaymentRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_over_the_same_payments_one_wins(icb, holder):
    """Two real connections record runs over overlapping payments at the same moment: one
    records its run, the other records nothing and is told why."""
    lead = staff(Role.PHB_LEAD, icb)
    finance_a = staff(Role.FINANCE_OFFICER, icb)
    finance_b = staff(Role.FINANCE_OFFICER, icb)
    LocalRateSetFactory(organisation=icb)
    active_2027(lead, finance_a, holder)
    chosen = due_ids(finance_a)  # April, May and June 2027
    barrier = threading.Barrier(2)
    results = {}

    def run(name, actor, ids):
        try:
            barrier.wait(timeout=10)
            services.record_payment_run(
                actor=actor,
                instalments=ids,
                paid_on=TODAY,
                reference=f"RUN-{name}",
                due_up_to=UP_TO_JUNE,
            )
            results[name] = "recorded"
        except Conflict as error:
            results[name] = str(error)
        except Exception as error:
            results[name] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("a", finance_a, chosen)),
        threading.Thread(target=run, args=("b", finance_b, chosen[1:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["a", "b"]
    outcomes = list(results.values())
    assert outcomes.count("recorded") == 1
    (refusal,) = [o for o in outcomes if o != "recorded"]
    # "these payments" when a won (b chose May and June), "some of these" when b won
    assert refusal.startswith("Nothing was recorded: ")
    assert "payments were already recorded as paid. " in refusal
    assert "someone else" not in refusal
    (made,) = PaymentRun.objects.all()
    winner = made.reference.removeprefix("RUN-")
    assert made.count == (3 if winner == "a" else 2)
    assert PaymentInstalment.objects.filter(payment_run=made).count() == made.count
    assert PaymentInstalment.objects.filter(paid_on__isnull=False).count() == made.count


def test_a_run_needs_payments_a_reference_and_a_date_no_later_than_today(
    finance_officer, two_budgets
):
    chosen = due_ids(finance_officer)
    first_of_the_first = [instalments(two_budgets[0])[0].pk]
    for kwargs, expected in [
        ({"instalments": []}, {"instalments": ["Select the payments that were made"]}),
        ({"reference": ""}, {"reference": ["Enter the payment reference"]}),
        (
            {"paid_on": TODAY + datetime.timedelta(days=1)},
            {"paid_on": ["The date they were paid must be today or in the past"]},
        ),
        (
            {"paid_on": datetime.date(2026, 3, 31), "instalments": first_of_the_first},
            {
                "paid_on": [
                    f"Nothing was recorded: for {two_budgets[0].budget_holder.full_name}'s "
                    "budget, the date they were paid must be on or after 1 April 2026, a year "
                    "before the budget's start on 1 April 2027"
                ]
            },
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.record_payment_run(
                actor=finance_officer,
                **(
                    {
                        "instalments": chosen,
                        "paid_on": TODAY,
                        "reference": "RUN-1",
                        "due_up_to": UP_TO_JUNE,
                    }
                    | kwargs
                ),
            )
        assert excinfo.value.message_dict == expected
    assert not PaymentRun.objects.exists()


def test_a_run_only_records_payments_due_by_its_date(finance_officer, two_budgets):
    chosen = due_ids(finance_officer, datetime.date(2027, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.record_payment_run(
            actor=finance_officer,
            instalments=chosen,
            paid_on=TODAY,
            reference="RUN-1",
            due_up_to=UP_TO_JUNE,
        )
    assert "is not due by 1 June 2027" in messages_of(excinfo)
    assert not PaymentRun.objects.exists()


def test_a_run_cannot_record_another_icbs_payments(finance_officer, other_icb, two_budgets):
    other_finance = staff(Role.FINANCE_OFFICER, other_icb)
    with pytest.raises(PermissionDenied):
        services.record_payment_run(
            actor=other_finance,
            instalments=due_ids(finance_officer),
            paid_on=TODAY,
            reference="RUN-1",
            due_up_to=UP_TO_JUNE,
        )
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()


def test_a_care_coordinator_cannot_record_a_run(care_coordinator, finance_officer, two_budgets):
    with pytest.raises(PermissionDenied):
        services.record_payment_run(
            actor=care_coordinator,
            instalments=due_ids(finance_officer),
            paid_on=TODAY,
            reference="RUN-1",
            due_up_to=UP_TO_JUNE,
        )


def test_payments_due_lists_only_unpaid_payments_of_active_budgets_of_the_icb(
    finance_officer, phb_lead, other_icb, two_budgets, local_rates
):
    _, second = two_budgets
    # An agreed budget (not started) and another ICB's budget are not listed.
    other_lead = staff(Role.PHB_LEAD, other_icb)
    LocalRateSetFactory(organisation=other_icb)
    active_2027(
        other_lead,
        staff(Role.FINANCE_OFFICER, other_icb),
        BudgetHolderFactory(organisation=other_icb),
    )
    agreed_only = BudgetHolderFactory(organisation=second.budget_holder.organisation)
    package = chc_package(phb_lead, agreed_only, effective_date=FY_2027_START)
    not_started = agreed_budget(
        phb_lead,
        agreed_only,
        package,
        amount=D("1200.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("1200.00"), "")],
    )
    schedule(finance_officer, not_started.portions.get())
    page, more = selectors.payments_due(finance_officer, due_up_to=UP_TO_JUNE)
    assert not more
    assert sorted((row.due_date, row.amount) for row in page) == sorted(
        [(datetime.date(2027, month, 1), D("800.00")) for month in (4, 5, 6)]
        + [(datetime.date(2027, month, 1), D("500.00")) for month in (4, 5, 6)]
    )
    assert [row.due_date for row in page] == sorted(row.due_date for row in page)
    totals = selectors.payments_due_totals(finance_officer, due_up_to=UP_TO_JUNE)
    assert totals == {"count": 6, "total": D("3900.00")}


def test_payments_due_pages_follow_on_without_gaps(finance_officer, two_budgets):
    # 24 payments in the year; pages of 5 follow on by due date and id.
    up_to = FY_2027_END
    seen = []
    after = None
    while True:
        page, more = selectors.payments_due(finance_officer, due_up_to=up_to, after=after, size=5)
        seen += [row.pk for row in page]
        if not more:
            break
        after = page[-1].pk
    assert len(seen) == len(set(seen)) == 24


# ---------------------------------------------------------------------------------------------
# A reduction before the budget starts leaves it payable
# ---------------------------------------------------------------------------------------------


def test_a_budget_reduced_before_it_starts_gets_its_schedule_and_starts(
    phb_lead, finance_officer, holder, local_rates
):
    # Agreed for 2027/28 at £12,000.00 (£2,400.00 notional, £9,600.00 direct payment), then
    # reduced to £10,000.00 from 1 April 2027, before any schedule: shared 4 : 1 the direct
    # payment becomes £8,000.00 and the notional £2,000.00.
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
    change_amount(
        phb_lead,
        budget,
        new_amount=D("10000.00"),
        effective_from=FY_2027_START,
        reason="Your needs have gone down since the budget was agreed.",
    )
    budget = reload(budget)
    assert budget.status == BudgetStatus.AGREED
    # £8,000.00 in 12 monthly payments: 800,000 pennies / 12 = 66,666 r 8
    #   -> eight of £666.67 and four of £666.66; 5,333.36 + 2,666.64 = 8,000.00
    made = schedule(finance_officer, direct(budget))
    amounts = list(made.instalments.order_by("number").values_list("amount", flat=True))
    assert amounts == [D("666.67")] * 8 + [D("666.66")] * 4
    services.activate_budget(actor=finance_officer, budget=reload(budget))
    assert reload(budget).status == BudgetStatus.ACTIVE


# ---------------------------------------------------------------------------------------------
# What the budget holder is told about their payments
# ---------------------------------------------------------------------------------------------


def test_the_holder_is_told_which_payments_were_paid_and_when_the_next_comes(
    finance_officer, budget_2027
):
    rows = instalments(budget_2027)
    for row in rows[:2]:  # April and May 2027
        services.record_payment(
            actor=finance_officer, instalment=row, paid_on=TODAY, reference=f"R{row.number}"
        )
    budget = selectors.budget_detail_queryset().get(pk=budget_2027.pk)
    # 2 x £800.00 = £1,600.00 of the £9,600.00 paid; the next on 1 June 2027.
    (section,) = presenters.payments_for_holder(budget, today=datetime.date(2027, 5, 15))
    assert section["heading"] == "Direct payment"
    assert section["lines"] == [
        "2 of 12 payments have been paid: £1,600.00 of £9,600.00.",
        "The next payment, £800.00, is due on 1 June 2027.",
    ]
    table = section["table"]
    assert [cell["text"] for cell in table["rows"][0]] == [
        "1 April 2027",
        "£800.00",
        f"Paid on {TODAY:%-d %B %Y}",
    ]
    assert [cell["text"] for cell in table["rows"][2]] == ["1 June 2027", "£800.00", "Not paid yet"]


def test_the_holder_is_told_a_payment_due_is_not_recorded_as_paid_yet(finance_officer, budget_2027):
    budget = selectors.budget_detail_queryset().get(pk=budget_2027.pk)
    (section,) = presenters.payments_for_holder(budget, today=datetime.date(2027, 5, 1))
    assert section["lines"] == [
        "No payments have been paid yet. There are 12 payments, adding up to £9,600.00.",
        "The payment of £800.00 due on 1 April 2027 has not been recorded as paid yet. If it "
        "has not arrived, contact the personal health budget team.",
        "The next payment, £800.00, is due today.",
    ]


def test_the_holder_is_told_when_every_payment_has_been_paid(finance_officer, budget_2027):
    services.record_payment_run(
        actor=finance_officer,
        instalments=[row.pk for row in instalments(budget_2027)],
        paid_on=TODAY,
        reference="ALL",
        due_up_to=FY_2027_END,
    )
    budget = selectors.budget_detail_queryset().get(pk=budget_2027.pk)
    (section,) = presenters.payments_for_holder(budget, today=datetime.date(2028, 3, 31))
    assert section["lines"] == [
        "12 of 12 payments have been paid: £9,600.00 of £9,600.00.",
        "All the payments have been paid.",
    ]


def test_the_holder_is_told_when_payment_dates_are_not_set_yet(phb_lead, holder, local_rates):
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
            (HoldingMethod.THIRD_PARTY, D("9600.00"), "Brokerage Ltd"),
        ],
    )
    budget = selectors.budget_detail_queryset().get(pk=budget.pk)
    assert presenters.payments_for_holder(budget) == [
        {
            "heading": "Third party budget",
            "lines": [
                "The payment dates have not been set yet. The payments will add up to £9,600.00."
            ],
            "table": None,
        }
    ]


def test_staff_see_each_payment_paid_or_a_link_to_record_it(finance_officer, budget_2027):
    first = instalments(budget_2027)[0]
    services.record_payment(actor=finance_officer, instalment=first, paid_on=TODAY, reference="R1")
    budget = selectors.budget_detail_queryset().get(pk=budget_2027.pk)
    table = presenters.staff_schedule_table(direct(budget), can_record=True)
    assert table["rows"][0][3] == {
        "text": f"Paid on {TODAY:%-d %B %Y}, reference R1",
    }
    second = instalments(budget_2027)[1]
    assert reverse("budgets:record_payment", args=[budget.pk, second.pk]) in str(
        table["rows"][1][3]["html"]
    )
    readonly = presenters.staff_schedule_table(direct(budget), can_record=False)
    assert readonly["rows"][1][3] == {"text": "Not paid yet"}
    assert re.search(r"Record as paid", str(table["rows"][1][3]["html"]))
