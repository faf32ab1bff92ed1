"""Rules about payments found in review: a stopped budget's schedule is not set again, every
payment is at least a penny, the payments due page says truly how many it shows at a time,
and the payments still due of a budget that has ended are recorded like any other.

Worked on a 2027/28 budget of £12,000.00: £2,400.00 notional and £9,600.00 by direct payment,
twelve monthly payments of £800.00 from 1 April 2027.
"""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import selectors, services
from budgets.models import HoldingMethod, PaymentInstalment, PaymentRun, PaymentSchedule
from budgets.models.budget import BudgetStatus
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    agreed_budget,
    chc_package,
    reload,
    schedule,
)
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db

DUE_URL = reverse("budgets:payments_due")
OCTOBER = datetime.date(2027, 10, 1)


def page(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.DOTALL)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([.,:;)])", r"\1", text).replace("( ", "(")


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def direct(budget):
    return budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)


def agreed_2027(lead, holder, *, amount=D("12000.00"), direct_amount=D("9600.00")):
    package = chc_package(lead, holder, effective_date=FY_2027_START)
    portions = [(HoldingMethod.DIRECT_PAYMENT, direct_amount, "")]
    if amount != direct_amount:
        portions.insert(0, (HoldingMethod.NOTIONAL, amount - direct_amount, ""))
    return agreed_budget(
        lead,
        holder,
        package,
        amount=amount,
        start=FY_2027_START,
        end=FY_2027_END,
        portions=portions,
    )


def active_2027(lead, finance, holder, **kwargs):
    budget = agreed_2027(lead, holder, **kwargs)
    schedule(finance, direct(budget))
    return services.activate_budget(actor=finance, budget=reload(budget))


def schedule_url(budget):
    return reverse("budgets:payments", args=[budget.pk, direct(budget).pk])


def step1(first, *, split="equal") -> dict:
    return {"frequency": "monthly", "split": split, **date_fields("first_payment_date", first)}


def instalments(budget) -> list[tuple[datetime.date, D, bool]]:
    return [
        (i.due_date, i.amount, i.is_paid)
        for i in PaymentInstalment.objects.filter(schedule__portion__budget=budget).order_by(
            "due_date"
        )
    ]


# ---------------------------------------------------------------------------------------------
# 1. A stopped budget's payment schedule is not set again
# ---------------------------------------------------------------------------------------------

SET_AGAIN = (
    "This budget stops on 1 October 2027, so its payments cannot be set again: the payments "
    "due from that day were cancelled when it was stopped"
)


@pytest.fixture
def stopping(phb_lead, finance_officer, holder, local_rates):
    """Agreed, its £800.00 a month scheduled, then stopped from 1 October 2027: the six
    payments from October to March are cancelled, April to September (£4,800.00) stay."""
    budget = agreed_2027(phb_lead, holder)
    schedule(finance_officer, direct(budget))
    services.stop_budget(actor=phb_lead, budget=reload(budget), stops_on=OCTOBER, reason="Moved")
    return reload(budget)


def test_a_stopped_budgets_schedule_is_not_set_again(finance_officer, stopping):
    before = instalments(stopping)
    # 6 x £800.00 = £4,800.00 left, from April to September.
    assert len(before) == 6 and sum(amount for _, amount, _ in before) == D("4800.00")
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(stopping),
            frequency="monthly",
            first_payment_date=FY_2027_START,
        )
    assert excinfo.value.messages == [SET_AGAIN]
    # Nothing changed: re-spread, the whole £9,600.00 would have gone over those six months.
    assert instalments(reload(stopping)) == before


def test_a_stopped_budgets_page_does_not_offer_its_schedule(client, finance_officer, stopping):
    client.force_login(finance_officer)
    html = page(client.get(reverse("budgets:budget", args=[stopping.pk])))
    assert "It stops on 1 October 2027" in html
    assert "the payment schedule" not in html
    # A page opened before the stop is told what happened, and nothing changes.
    before = instalments(stopping)
    for method, data in ((client.get, {}), (client.post, step1(FY_2027_START))):
        response = method(schedule_url(stopping), data)
        assert response.status_code == 302
        assert response.url == reverse("budgets:budget", args=[stopping.pk])
        assert f"{SET_AGAIN}." in page(client.get(response.url))
    assert instalments(reload(stopping)) == before


def test_a_budget_stopped_before_its_schedule_was_set_gets_none(
    client, phb_lead, finance_officer, holder, local_rates
):
    budget = agreed_2027(phb_lead, holder)
    services.stop_budget(actor=phb_lead, budget=budget, stops_on=OCTOBER, reason="Moved")
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, direct(reload(budget)))
    assert excinfo.value.messages == [
        "This budget stops on 1 October 2027, so its payments cannot be set up: it was stopped "
        "before its payment schedule was set"
    ]
    assert not PaymentSchedule.objects.exists()
    client.force_login(finance_officer)
    html = page(client.get(reverse("budgets:budget", args=[budget.pk])))
    assert (
        "It has not started, and it will not: it was stopped before its payment schedule was set."
        in html
    )
    assert "waiting for a payment schedule" not in html
    assert "Set up the payment schedule" not in html
    # Nothing waits on finance for it.
    assert [b for b, _ in selectors.budgets_waiting_for(finance_officer) if b.pk == budget.pk] == []


# ---------------------------------------------------------------------------------------------
# 2. Every payment is at least a penny
# ---------------------------------------------------------------------------------------------


def test_a_schedule_with_payments_of_nothing_is_refused(
    finance_officer, phb_lead, holder, local_rates
):
    budget = agreed_2027(phb_lead, holder)
    # £9,600.00 + 11 x £0.00 = £9,600.00: it adds up, but eleven payments pay nothing.
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=direct(budget),
            frequency="monthly",
            first_payment_date=FY_2027_START,
            amounts=[D("9600.00")] + [D("0.00")] * 11,
        )
    errors = excinfo.value.message_dict
    assert sorted(errors) == sorted(f"amount_{n}" for n in range(2, 13))
    assert errors["amount_2"] == ["The payment on 1 May 2027 must be £0.01 or more"]
    assert errors["amount_12"] == ["The payment on 1 March 2028 must be £0.01 or more"]
    assert not PaymentSchedule.objects.exists()


def test_a_row_of_nothing_is_refused_on_its_row(
    client, finance_officer, phb_lead, holder, local_rates
):
    budget = agreed_2027(phb_lead, holder)
    client.force_login(finance_officer)
    # £9,599.98 + £0.01 + £0.01 + 9 x £0.00 = £9,600.00
    rows = {"step": "rows", "amount_1": "9599.98", "amount_2": "0.01", "amount_3": "0.01"}
    rows |= {f"amount_{n}": "0" for n in range(4, 13)}
    response = client.post(schedule_url(budget), step1(FY_2027_START, split="own") | rows)
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html
    assert "The payment on 1 July 2027 must be £0.01 or more" in html
    assert "The payment on 1 May 2027 must be" not in html
    assert not PaymentSchedule.objects.exists()


def test_each_payment_box_asks_for_a_penny_or_more(
    client, finance_officer, phb_lead, holder, local_rates
):
    """-1 and 0.00 get the same message, and the box says so too: the form's least is the
    service's penny, not £0.00 (which -1 was told it could be, and then 0.00 was refused)."""
    budget = agreed_2027(phb_lead, holder)
    client.force_login(finance_officer)
    html = client.post(schedule_url(budget), step1(FY_2027_START, split="own")).content.decode()
    (box,) = re.findall(r'<input[^>]*name="amount_1"[^>]*>', html)
    assert 'min="0.01"' in box
    for nothing in ("-1", "0.00"):
        # The other 11 rows are £800.00 each, as twelve equal payments of £9,600.00 are.
        rows = {"step": "rows", "amount_1": nothing}
        rows |= {f"amount_{n}": "800.00" for n in range(2, 13)}
        response = client.post(schedule_url(budget), step1(FY_2027_START, split="own") | rows)
        text = page(response)
        assert "The payment on 1 April 2027 must be £0.01 or more" in text
        assert "£0.00 or more" not in text
    assert not PaymentSchedule.objects.exists()


def test_a_portion_too_small_for_a_penny_a_payment_is_refused(
    finance_officer, phb_lead, holder, local_rates
):
    # £0.05 over 12 monthly payments would be 5 of £0.01 and 7 of £0.00.
    budget = agreed_2027(phb_lead, holder, direct_amount=D("0.05"))
    with pytest.raises(ValidationError) as excinfo:
        schedule(finance_officer, direct(budget))
    assert excinfo.value.messages == [
        "The direct payment of £0.05 cannot be paid in 12 payments of at least £0.01 each. "
        "Choose a later first payment date, so that there are fewer payments"
    ]
    # From 1 November 2027: 5 payments of £0.01.
    made = schedule(finance_officer, direct(budget), first=datetime.date(2027, 11, 1))
    assert list(made.instalments.values_list("amount", flat=True)) == [D("0.01")] * 5


# ---------------------------------------------------------------------------------------------
# 3. The payments due page says how many it shows at a time, on every page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_active(phb_lead, finance_officer, holder, icb, local_rates):
    """Two active 2027/28 budgets, £800.00 and £500.00 a month: 24 payments in the year."""
    active_2027(phb_lead, finance_officer, holder)
    other = BudgetHolderFactory(organisation=icb)
    active_2027(phb_lead, finance_officer, other, amount=D("6000.00"), direct_amount=D("6000.00"))


def test_the_page_size_is_said_truly_on_every_page(
    client, finance_officer, two_active, monkeypatch
):
    monkeypatch.setattr(selectors, "PAYMENTS_DUE_PAGE_SIZE", 10)
    client.force_login(finance_officer)
    year = {"due_up_to": FY_2027_END.isoformat()}
    # 12 x £800.00 + 12 x £500.00 = £9,600.00 + £6,000.00 = £15,600.00, 10 to a page: 10, 10, 4.
    after = None
    for expected in (10, 10, 4):
        response = client.get(DUE_URL, year | ({"after": after} if after else {}))
        html = page(response)
        assert len(response.context["payments"]) == expected
        assert "24 payments, £15,600.00 in total. They are shown 10 at a time." in html
        after = str(response.context["payments"][-1].pk)
    # A link from a page after which nothing follows any more.
    html = page(client.get(DUE_URL, year | {"after": after}))
    assert "They are shown 10 at a time." in html
    assert "shown 0 at a time" not in html
    assert "No payments are due" not in html
    assert "No payments follow the ones on the page you came from." in html
    assert "Show the first payments due up to 31 March 2028" in html


def test_all_on_one_page_says_nothing_about_pages(client, finance_officer, two_active):
    client.force_login(finance_officer)
    html = page(client.get(DUE_URL, date_fields("due_up_to", datetime.date(2027, 6, 1))))
    assert "6 payments, £3,900.00 in total." in html
    assert "at a time" not in html
    html = page(client.get(DUE_URL, date_fields("due_up_to", datetime.date(2027, 3, 31))))
    assert "No payments are due up to 31 March 2027." in html
    assert "at a time" not in html


# ---------------------------------------------------------------------------------------------
# 4. A budget that has ended still has its unpaid payments recorded
# ---------------------------------------------------------------------------------------------

JUNE_15 = datetime.date(2027, 6, 15)


@pytest.fixture
def stopped_unpaid(phb_lead, finance_officer, holder, local_rates, today_is):
    """Started, then on 15 June 2027 stopped from that day, nothing recorded as paid: April,
    May and June's £800.00 are still due; July to March are cancelled."""
    budget = active_2027(phb_lead, finance_officer, holder)
    today_is(JUNE_15)
    services.stop_budget(actor=phb_lead, budget=reload(budget), stops_on=JUNE_15, reason="Moved")
    budget = reload(budget)
    assert budget.status == BudgetStatus.ENDED
    return budget


def test_payments_still_due_of_an_ended_budget_are_listed_and_recorded(
    client, finance_officer, stopped_unpaid
):
    due, more = selectors.payments_due(finance_officer, due_up_to=JUNE_15)
    assert not more
    assert [(row.due_date, row.amount) for row in due] == [
        (datetime.date(2027, 4, 1), D("800.00")),
        (datetime.date(2027, 5, 1), D("800.00")),
        (datetime.date(2027, 6, 1), D("800.00")),
    ]
    # 3 x £800.00 = £2,400.00
    assert selectors.payments_due_totals(finance_officer, due_up_to=JUNE_15) == {
        "count": 3,
        "total": D("2400.00"),
    }
    services.record_payment(
        actor=finance_officer, instalment=due[0], paid_on=JUNE_15, reference="LATE-1"
    )
    run = services.record_payment_run(
        actor=finance_officer,
        instalments=[row.pk for row in due[1:]],
        paid_on=JUNE_15,
        reference="RUN-LATE",
        due_up_to=JUNE_15,
    )
    # 2 x £800.00 = £1,600.00
    assert (run.count, run.total) == (2, D("1600.00"))
    assert [paid for _, _, paid in instalments(stopped_unpaid)] == [True] * 3
    assert selectors.payments_due(finance_officer, due_up_to=JUNE_15) == ([], False)
    assert reload(stopped_unpaid).status == BudgetStatus.ENDED


def test_an_ended_budgets_pages_offer_its_payments_still_due(
    client, finance_officer, stopped_unpaid
):
    client.force_login(finance_officer)
    html = page(client.get(DUE_URL, date_fields("due_up_to", JUNE_15)))
    assert "3 payments, £2,400.00 in total." in html
    assert "due 1 April 2027 (the budget has ended)" in html
    html = page(client.get(reverse("budgets:budget", args=[stopped_unpaid.pk])))
    assert html.count("Record as paid") == 3


def test_payments_of_a_budget_that_ended_without_starting_are_not_recorded(
    phb_lead, finance_officer, holder, local_rates, today_is
):
    budget = agreed_2027(phb_lead, holder)
    schedule(finance_officer, direct(budget))
    today_is(JUNE_15)
    services.stop_budget(actor=phb_lead, budget=reload(budget), stops_on=JUNE_15, reason="Moved")
    assert reload(budget).status == BudgetStatus.ENDED
    assert selectors.payments_due(finance_officer, due_up_to=JUNE_15) == ([], False)
    first = PaymentInstalment.objects.filter(schedule__portion__budget=budget).order_by("number")[0]
    with pytest.raises(ValidationError) as excinfo:
        services.record_payment(
            actor=finance_officer, instalment=first, paid_on=JUNE_15, reference="X"
        )
    assert excinfo.value.messages == [
        "Payments are recorded for a budget that has started. This budget ended without being "
        "started"
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.record_payment_run(
            actor=finance_officer,
            instalments=[first.pk],
            paid_on=JUNE_15,
            reference="X",
            due_up_to=JUNE_15,
        )
    assert excinfo.value.messages == [
        f"Nothing was recorded: {holder.full_name}'s budget ended without being started, so "
        "its payments are not due"
    ]
    assert not PaymentRun.objects.exists()
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()
