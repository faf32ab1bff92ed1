"""Payments and changes of amount through the pages, with the Django test client: the payment
schedule in rows, recording payments one at a time and in a payment run, and the change form
that leads to a preview of the letter before it is issued."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import calculations as calc
from budgets import services
from budgets.models import (
    BudgetChange,
    BudgetLetter,
    HoldingMethod,
    PaymentInstalment,
    PaymentRun,
    PaymentSchedule,
)
from budgets.models.budget import BudgetStatus
from phb.models import Role
from phb.presenters import display_time
from tests.budgets.factories import (
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    agreed_budget,
    chc_package,
    reload,
    schedule,
    staff,
)
from tests.factories import BudgetHolderFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PROBLEM = "There is a problem"
REASON = "Your needs at night have gone down since your review, so you need fewer carers."


def page(response) -> str:
    """The page's words as a person reads them: tags gone, spaces collapsed."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.DOTALL)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([.,:;)])", r"\1", text).replace("( ", "(")


def markup(response) -> str:
    return response.content.decode()


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


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
    schedule(finance, budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT))
    return services.activate_budget(actor=finance, budget=reload(budget))


@pytest.fixture
def agreed(phb_lead, holder, local_rates):
    """2027/28, agreed at £12,000.00: £2,400.00 notional, £9,600.00 by direct payment."""
    return agreed_2027(phb_lead, holder)


@pytest.fixture
def active(phb_lead, finance_officer, holder, local_rates):
    """As `agreed`, with 12 monthly payments of £800.00 from 1 April 2027, started."""
    return active_2027(phb_lead, finance_officer, holder)


def schedule_url(budget):
    portion = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    return reverse("budgets:payments", args=[budget.pk, portion.pk])


def step1(first, *, frequency="monthly", split="equal") -> dict:
    return {"frequency": frequency, "split": split, **date_fields("first_payment_date", first)}


# ---------------------------------------------------------------------------------------------
# The payment schedule
# ---------------------------------------------------------------------------------------------


def test_equal_payments_from_a_future_date_are_saved_in_one_step(client, finance_officer, agreed):
    client.force_login(finance_officer)
    response = client.post(schedule_url(agreed), step1(FY_2027_START))
    assert response.status_code == 302
    assert flashed(response) == "The payment schedule has been set"
    amounts = PaymentSchedule.objects.get().instalments.values_list("amount", flat=True)
    assert list(amounts) == [D("800.00")] * 12


def test_a_schedule_set_in_another_tab_is_not_replaced_unseen(
    client, finance_officer, phb_lead, agreed
):
    """Two tabs open the schedule page of a portion with none. The first sets 12 monthly
    payments; the second, drawn before it, would replace them with four-weekly ones: it is
    refused, saying who set the schedule, and the monthly one stays. Opened again, the page
    knows the schedule and may change it."""
    client.force_login(finance_officer)
    url = schedule_url(agreed)
    seen = client.get(url).context["form"]["seen_schedule"].value()
    assert seen == ""
    client.force_login(phb_lead)
    client.post(url, step1(FY_2027_START) | {"seen_schedule": seen})
    monthly = PaymentSchedule.objects.get()
    client.force_login(finance_officer)
    response = client.post(
        url, step1(FY_2027_START, frequency="four_weekly") | {"seen_schedule": seen}
    )
    assert response.status_code == 302
    assert (
        f"{phb_lead.full_name} set this payment schedule on "
        f"{timezone.localtime(monthly.created_at):%-d %B %Y at %H:%M}, after you opened the "
        "page. Check it before changing it. Nothing was changed."
    ) in flashed(response)
    assert PaymentSchedule.objects.get() == monthly
    seen = client.get(url).context["form"]["seen_schedule"].value()
    assert seen == str(monthly.pk)
    client.post(url, step1(FY_2027_START, frequency="four_weekly") | {"seen_schedule": seen})
    assert PaymentSchedule.objects.get().frequency == "four_weekly"


def test_a_past_first_date_is_refused_on_its_field_while_the_plan_waits(
    client, finance_officer, phb_lead, holder, chc
):
    """The plan is not approved, so the budget pays nothing yet: a first payment date
    before today is refused at the first step, before any payment is asked about."""
    waiting = agreed_budget(
        phb_lead,
        holder,
        chc,
        amount=D("12000.00"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
        plan_approved=False,
    )
    client.force_login(finance_officer)
    response = client.post(schedule_url(waiting), step1(FY_2026_START))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["first_payment_date"]
    assert (
        "waiting for the care and support plan to be approved. Choose a first payment "
        in (form.errors["first_payment_date"][0])
    )
    assert 'name="paid_on_1_day"' not in markup(response)
    assert not PaymentSchedule.objects.exists()


def test_the_schedule_page_suggests_the_first_payment_from_today_or_the_start(
    client, finance_officer, agreed, paid_budget
):
    client.force_login(finance_officer)
    form = client.get(schedule_url(agreed)).context["form"]
    assert form["first_payment_date"].value() == FY_2027_START  # it starts after today
    form = client.get(schedule_url(paid_budget)).context["form"]
    assert form["first_payment_date"].value() == TODAY  # it started before today


def test_own_amounts_are_entered_one_row_a_payment_labelled_by_its_date(
    client, finance_officer, agreed
):
    client.force_login(finance_officer)
    response = client.post(schedule_url(agreed), step1(FY_2027_START, split="own"))
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM not in html
    assert "Payment on 1 April 2027" in html and "Payment on 1 March 2028" in html
    assert markup(response).count('name="amount_') == 12
    assert not PaymentSchedule.objects.exists()
    # 2,000.00 + 11 x 690.90 = 2,000.00 + 7,599.90 = 9,599.90: £0.10 less than £9,600.00
    rows = {"step": "rows", "amount_1": "2000.00"} | {f"amount_{n}": "690.90" for n in range(2, 13)}
    response = client.post(schedule_url(agreed), step1(FY_2027_START, split="own") | rows)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert (
        "The payments add up to £9,599.90, which is £0.10 less than the direct payment of "
        "£9,600.00. They must add up exactly" in html
    )
    # 2,000.10 + 11 x 690.90 = 9,600.00
    rows["amount_1"] = "£2,000.10"
    response = client.post(schedule_url(agreed), step1(FY_2027_START, split="own") | rows)
    assert response.status_code == 302
    amounts = list(PaymentSchedule.objects.get().instalments.values_list("amount", flat=True))
    assert amounts == [D("2000.10")] + [D("690.90")] * 11


def test_a_row_with_a_fraction_of_a_penny_names_its_payment(client, finance_officer, agreed):
    client.force_login(finance_officer)
    rows = {"step": "rows", "amount_1": "800.005"} | {f"amount_{n}": "800" for n in range(2, 13)}
    response = client.post(schedule_url(agreed), step1(FY_2027_START, split="own") | rows)
    assert response.status_code == 200
    assert "The payment on 1 April 2027 must be in pounds and pence, like 125.50" in page(response)
    assert not PaymentSchedule.objects.exists()


def test_a_first_payment_in_the_past_asks_for_confirmation_and_each_past_payment(
    client, finance_officer, paid_budget
):
    client.force_login(finance_officer)
    url = schedule_url(paid_budget)
    dates = calc.instalment_dates(FY_2026_START, datetime.date(2027, 3, 31), "monthly")
    past = [(number, day) for number, day in enumerate(dates, start=1) if day < TODAY]
    response = client.post(url, step1(FY_2026_START))
    html = page(response)
    assert response.status_code == 200
    assert "The first payment date is in the past" in html
    assert "I confirm the first payment date, 1 April 2026, is in the past" in html
    assert "Date the payment due on 1 April 2026 was paid" in html
    assert "Payment reference for the payment due on 1 April 2026" in html
    assert not PaymentSchedule.objects.exists()

    # Sent without the confirmation, the reason or the references: refused, nothing saved.
    response = client.post(url, step1(FY_2026_START) | {"step": "rows"})
    html = page(response)
    assert PROBLEM in html
    assert "Confirm that the first payment date is in the past" in html
    assert "Enter why the first payment date is in the past" in html
    assert "Enter the payment reference for the payment due on 1 April 2026" in html
    assert not PaymentSchedule.objects.exists()

    rows = {"step": "rows", "backdated": "on", "backdated_reason": "Agreed late."}
    for number, day in past:
        rows |= date_fields(f"paid_on_{number}", day) | {f"reference_{number}": f"BACS-{number}"}
    response = client.post(url, step1(FY_2026_START) | rows)
    assert response.status_code == 302
    made = PaymentSchedule.objects.get()
    assert made.backdated_reason == "Agreed late."
    paid = made.instalments.filter(paid_on__isnull=False).order_by("number")
    assert [(i.paid_on, i.payment_reference) for i in paid] == [
        (day, f"BACS-{number}") for number, day in past
    ]


def test_a_first_payment_outside_the_period_is_refused(client, finance_officer, agreed):
    client.force_login(finance_officer)
    response = client.post(schedule_url(agreed), step1(datetime.date(2028, 4, 1)))
    assert response.status_code == 200
    assert (
        "The first payment must be within the budget's period, 1 April 2027 to 31 March 2028"
        in page(response)
    )


def test_a_notional_portion_has_no_payments_page(client, finance_officer, paid_budget):
    client.force_login(finance_officer)
    portion = paid_budget.portions.get(method=HoldingMethod.NOTIONAL)
    response = client.get(reverse("budgets:payments", args=[paid_budget.pk, portion.pk]))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# One payment
# ---------------------------------------------------------------------------------------------


def record_url(budget, number=1):
    portion = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    instalment = portion.schedule.instalments.get(number=number)
    return reverse("budgets:record_payment", args=[budget.pk, instalment.pk])


def test_the_budget_page_offers_to_record_each_payment(client, finance_officer, active):
    client.force_login(finance_officer)
    html = markup(client.get(reverse("budgets:budget", args=[active.pk])))
    assert html.count("Record as paid") == 12
    assert record_url(active) in html


def test_one_payment_is_recorded_from_the_budget_page(client, finance_officer, active):
    client.force_login(finance_officer)
    url = record_url(active)
    html = page(client.get(url))
    assert "Payment 1 of the direct payment: £800.00, due on 1 April 2027" in html
    response = client.post(url, date_fields("paid_on", TODAY) | {"reference": "BACS-0401"})
    assert response.status_code == 302
    assert flashed(response) == (
        "Payment 1 of £800.00, due on 1 April 2027, has been recorded as paid"
    )
    paid = PaymentInstalment.objects.get(paid_on__isnull=False)
    assert (paid.number, paid.payment_reference, paid.paid_recorded_by) == (
        1,
        "BACS-0401",
        finance_officer,
    )
    html = page(client.get(reverse("budgets:budget", args=[active.pk])))
    assert f"Paid on {TODAY:%-d %B %Y}, reference BACS-0401" in html
    assert html.count("Record as paid") == 11


def test_a_payment_with_no_reference_or_a_future_date_is_refused(client, finance_officer, active):
    client.force_login(finance_officer)
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = client.post(record_url(active), date_fields("paid_on", tomorrow) | {"reference": ""})
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "Enter the payment reference" in html
    response = client.post(
        record_url(active), date_fields("paid_on", tomorrow) | {"reference": "R"}
    )
    assert "The date it was paid must be today or in the past" in page(response)
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()


def test_a_payment_recorded_by_someone_else_first_is_explained(
    client, finance_officer, icb, active
):
    url = record_url(active)
    other = staff(Role.FINANCE_OFFICER, icb)
    client.force_login(other)
    client.get(url)  # the page is open...
    services.record_payment(
        actor=finance_officer,
        instalment=PaymentInstalment.objects.get(number=1),
        paid_on=TODAY,
        reference="FIRST",
    )
    response = client.post(url, date_fields("paid_on", TODAY) | {"reference": "SECOND"})
    assert response.status_code == 302
    assert flashed(response).startswith(
        f"You cannot record this payment: it was recorded as paid on {TODAY:%-d %B %Y} "
        f"(reference FIRST) by {finance_officer.full_name}"
    )
    assert PaymentInstalment.objects.get(number=1).payment_reference == "FIRST"
    # Opening it again says it is paid.
    response = client.get(url)
    assert response.status_code == 302
    assert flashed(response).endswith("Payment 1 has already been recorded as paid")


# ---------------------------------------------------------------------------------------------
# Payment runs
# ---------------------------------------------------------------------------------------------

UP_TO_JUNE = datetime.date(2027, 6, 1)
DUE_URL = reverse("budgets:payments_due")


@pytest.fixture
def two_active(phb_lead, finance_officer, holder, icb, local_rates):
    """Two active 2027/28 budgets: £800.00 and £500.00 a month by direct payment."""
    first = active_2027(phb_lead, finance_officer, holder)
    second = active_2027(
        phb_lead,
        finance_officer,
        BudgetHolderFactory(organisation=icb),
        amount=D("6000.00"),
        direct_amount=D("6000.00"),
    )
    return first, second


def due_ids():
    return [
        str(pk)
        for pk in PaymentInstalment.objects.filter(
            due_date__lte=UP_TO_JUNE, paid_on__isnull=True
        ).values_list("pk", flat=True)
    ]


def run_data(ids, *, shown=None, **extra) -> dict:
    return {
        "instalments": ids,
        "shown": shown if shown is not None else ids,
        "due_up_to": UP_TO_JUNE.isoformat(),
        **date_fields("paid_on", TODAY),
        "reference": "RUN-2027-06",
    } | extra


def test_payments_due_lists_what_is_due_with_the_total(client, finance_officer, two_active):
    client.force_login(finance_officer)
    response = client.get(DUE_URL, date_fields("due_up_to", UP_TO_JUNE))
    html = page(response)
    assert response.status_code == 200
    # 3 x £800.00 + 3 x £500.00 = £2,400.00 + £1,500.00 = £3,900.00
    assert "6 payments, £3,900.00 in total." in html
    assert "Select all payments on this page" in html
    holder = two_active[0].budget_holder
    assert (
        f"{holder.full_name} (NHS number {holder.formatted_nhs_number}): direct payment of "
        "£800.00 due 1 June 2027" in html
    )
    assert "due 1 July 2027" not in html


def test_a_payment_run_is_recorded_and_shown_with_its_payments(client, finance_officer, two_active):
    client.force_login(finance_officer)
    response = client.post(DUE_URL, run_data(["all"], shown=due_ids()))
    assert response.status_code == 302
    run = PaymentRun.objects.get()
    assert response.url == reverse("budgets:payment_run", args=[run.pk])
    assert flashed(response) == "6 payments of £3,900.00 in total have been recorded as paid"
    html = page(client.get(response.url))
    assert "Payment run RUN-2027-06" in html
    assert "£3,900.00" in html and "Total of 6 payments" in html
    assert html.count("£800.00") == 3 and html.count("£500.00") == 3
    html = page(client.get(DUE_URL, date_fields("due_up_to", UP_TO_JUNE)))
    assert "No payments are due up to 1 June 2027." in html
    assert "RUN-2027-06" in html  # among the recent runs


def test_a_run_of_some_payments_records_only_those(client, finance_officer, two_active):
    client.force_login(finance_officer)
    ids = due_ids()
    client.post(DUE_URL, run_data(ids[:2], shown=ids))
    assert PaymentRun.objects.get().count == 2
    assert PaymentInstalment.objects.filter(paid_on__isnull=False).count() == 2


def test_a_run_with_nothing_ticked_or_no_reference_is_refused(client, finance_officer, two_active):
    client.force_login(finance_officer)
    response = client.post(DUE_URL, run_data([], reference=""))
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "Select the payments that were made" in html
    assert "Enter the payment reference" in html
    assert not PaymentRun.objects.exists()


def test_a_second_run_over_the_same_payments_is_told_what_happened(
    client, finance_officer, icb, two_active
):
    ids = due_ids()
    other = staff(Role.FINANCE_OFFICER, icb)
    client.force_login(other)
    services.record_payment_run(
        actor=finance_officer,
        instalments=ids[:1],
        paid_on=TODAY,
        reference="FIRST-RUN",
        due_up_to=UP_TO_JUNE,
    )
    response = client.post(DUE_URL, run_data(ids))
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "Nothing was recorded: some of these payments were already recorded as paid." in html
    assert f"in payment run FIRST-RUN by {finance_officer.full_name}" in html
    assert PaymentRun.objects.count() == 1
    # The list now shows only what is still due.
    assert "5 payments, £3,100.00 in total." in html


def test_a_run_from_a_tampered_page_records_nothing(client, finance_officer, other_icb, two_active):
    client.force_login(finance_officer)
    response = client.post(DUE_URL, run_data(["not-an-id"], due_up_to="never"))
    assert response.status_code == 200
    assert "This page is out of date" in page(response)
    # Another ICB's payments are not found at all.
    other_finance = staff(Role.FINANCE_OFFICER, other_icb)
    client.force_login(other_finance)
    assert client.post(DUE_URL, run_data(due_ids())).status_code == 404
    assert not PaymentRun.objects.exists()


def test_payments_due_queries_do_not_grow_with_payments(
    client, phb_lead, finance_officer, icb, local_rates, django_assert_num_queries
):
    active_2027(phb_lead, finance_officer, BudgetHolderFactory(organisation=icb))
    client.force_login(finance_officer)
    whole_year = date_fields("due_up_to", FY_2027_END)
    client.get(DUE_URL, whole_year)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert "12 payments" in page(client.get(DUE_URL, whole_year))
    for _ in range(5):
        active_2027(phb_lead, finance_officer, BudgetHolderFactory(organisation=icb))
    with django_assert_num_queries(len(small)):
        html = page(client.get(DUE_URL, whole_year))
    # 72 payments, shown 50 at a time; the next page follows on from the last shown.
    assert "72 payments" in html and "They are shown 50 at a time." in html
    assert "Next payments" in html


def test_the_next_page_of_payments_follows_on(client, phb_lead, finance_officer, icb, local_rates):
    for _ in range(5):
        active_2027(phb_lead, finance_officer, BudgetHolderFactory(organisation=icb))
    client.force_login(finance_officer)
    first = client.get(DUE_URL, date_fields("due_up_to", FY_2027_END))
    shown = first.context["payments"]
    assert len(shown) == 50
    second = client.get(DUE_URL, {"due_up_to": FY_2027_END.isoformat(), "after": str(shown[-1].pk)})
    rest = second.context["payments"]
    assert len(rest) == 10
    assert not {row.pk for row in shown} & {row.pk for row in rest}
    assert "First payments" in page(second)


def test_a_payment_run_page_is_only_for_its_icb(client, finance_officer, other_icb, two_active):
    run = services.record_payment_run(
        actor=finance_officer,
        instalments=due_ids(),
        paid_on=TODAY,
        reference="RUN-1",
        due_up_to=UP_TO_JUNE,
    )
    client.force_login(staff(Role.FINANCE_OFFICER, other_icb))
    assert client.get(reverse("budgets:payment_run", args=[run.pk])).status_code == 404


def test_payments_due_is_in_the_header_for_finance(client, finance_officer, care_coordinator):
    client.force_login(finance_officer)
    assert DUE_URL in markup(client.get(reverse("caseload")))
    client.force_login(care_coordinator)
    assert DUE_URL not in markup(client.get(reverse("caseload")))


# ---------------------------------------------------------------------------------------------
# Changing the amount: the form, the preview, the letter
# ---------------------------------------------------------------------------------------------

FROM_OCTOBER = datetime.date(2027, 10, 1)


def change_url(budget):
    return reverse("budgets:change_amount", args=[budget.pk])


def change_data(budget, **overrides) -> dict:
    return {
        "stage": "preview",
        "version": budget.version,
        "new_amount": "10000.00",
        **date_fields("effective_from", FROM_OCTOBER),
        "reason": REASON,
    } | overrides


def issue_data(response) -> dict:
    form = response.context["issue_form"]
    return (
        {"stage": "issue"}
        | {name: form[name].value() for name in ("version", "new_amount", "reason", "previewed")}
        | {"effective_from": form["effective_from"].value()}
    )


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_the_change_form_leads_to_a_preview_of_the_exact_letter(client, phb_lead, holder, active):
    representative = RepresentativeFactory(budget_holder=holder)
    client.force_login(phb_lead)
    response = client.post(change_url(active), change_data(active))
    html = page(response)
    assert response.status_code == 200
    assert "Check the letter before you issue it" in html
    assert "Nothing has changed yet." in html
    assert f"Letter to {representative.user.full_name}, {holder.full_name}'s representative" in html
    assert "£800.00" in html and "£533.34" in html
    assert "Issue the letter and make the change" in html
    assert not BudgetChange.objects.exists()
    assert reload(active).agreed_amount == D("12000.00")

    data = issue_data(response)
    data["effective_from"] = _iso(data["effective_from"])
    response = client.post(change_url(active), data)
    letter = BudgetLetter.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("budgets:letter", args=[letter.pk])
    assert flashed(response) == (
        "The budget has been reduced to £10,000.00 and the letter has been issued"
    )
    assert letter.addressed_to == representative.user.full_name
    assert reload(active).agreed_amount == D("10000.00")


def test_a_stale_preview_is_refused_and_the_new_letter_shown(client, phb_lead, icb, active):
    client.force_login(phb_lead)
    response = client.post(change_url(active), change_data(active))
    data = issue_data(response)
    data["effective_from"] = _iso(data["effective_from"])
    # Someone else reduces it first.
    from tests.budgets.factories import change_amount

    change_amount(
        staff(Role.PHB_LEAD, icb),
        active,
        new_amount=D("11000.00"),
        effective_from=FROM_OCTOBER,
        reason=REASON,
    )
    response = client.post(change_url(active), data)
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "Nothing was changed: the budget changed after you previewed the letter" in html
    assert "going down from £11,000.00 to £10,000.00" in html  # the letter as it would be now
    assert BudgetChange.objects.count() == 1


def test_the_same_change_issued_from_a_second_tab_points_at_no_preview(client, phb_lead, active):
    client.force_login(phb_lead)
    response = client.post(change_url(active), change_data(active))
    data = issue_data(response)
    data["effective_from"] = _iso(data["effective_from"])
    assert client.post(change_url(active), dict(data)).status_code == 302  # the first tab
    html = page(client.post(change_url(active), data))  # the second
    assert "Nothing was changed: the budget changed after you previewed the letter" in html
    assert "Check the new preview" not in html  # there is none to check
    assert BudgetChange.objects.count() == 1


def test_a_change_form_with_bad_input_shows_the_problems(client, phb_lead, active):
    client.force_login(phb_lead)
    response = client.post(
        change_url(active), change_data(active, new_amount="12000.00", reason="")
    )
    html = page(response)
    assert response.status_code == 200
    assert PROBLEM in html
    assert "Enter why the budget is changing" in html
    response = client.post(change_url(active), change_data(active, new_amount="12000.00"))
    assert "The new amount is the same as the budget now, £12,000.00" in page(response)
    assert not BudgetChange.objects.exists()


def test_a_reduction_to_payments_of_nothing_is_refused_before_any_letter_is_shown(
    client, phb_lead, active
):
    # £10,000.00 shared 2,400 : 9,600 gives the direct payment £8,000.00, and the 10 payments
    # before 1 February 2028 are 10 x £800.00 = £8,000.00: February and March would be £0.00.
    client.force_login(phb_lead)
    data = change_data(active, **date_fields("effective_from", datetime.date(2028, 2, 1)))
    html = page(client.post(change_url(active), data))
    assert PROBLEM in html
    assert (
        "Direct payment: At £10,000.00 the payments still to be made from 1 February 2028 would "
        "be £0.00, as the payments already made or due before 1 February 2028 come to £8,000.00 "
        "of its £8,000.00: choose a larger amount, an earlier date, or stop the budget instead"
    ) in html
    assert "Issue the letter and make the change" not in html
    assert not BudgetChange.objects.exists()


def test_a_tampered_preview_is_refused(client, phb_lead, active):
    client.force_login(phb_lead)
    response = client.post(
        change_url(active),
        {
            "stage": "issue",
            "version": active.version,
            "new_amount": "NaN",
            "effective_from": "2027-10-01",
            "reason": REASON,
            "previewed": "0" * 64,
        },
    )
    assert response.status_code == 200
    assert "This page is out of date" in page(response)
    response = client.post(
        change_url(active),
        {
            "stage": "issue",
            "version": active.version,
            "new_amount": "10000.00",
            "effective_from": "2027-10-01",
            "reason": REASON,
            "previewed": "0" * 64,
        },
    )
    assert "the letter would now be different from the one you previewed" in page(response)
    assert not BudgetChange.objects.exists()


# ---------------------------------------------------------------------------------------------
# An increase above the indicative amount
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def small_cap(phb_lead, finance_officer, holder, local_rates):
    """2027/28 against a package costed at £1,040.00 a year; agreed at £1,000.00 by direct
    payment, started."""
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


def test_an_increase_above_the_cap_is_proposed_checked_then_made(
    client, phb_lead, clinician, small_cap
):
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:propose_increase", args=[small_cap.pk]),
        {"version": small_cap.version, "new_amount": "1500.00", "clinical_justification": ""},
    )
    assert "Enter the clinical justification" in page(response)
    response = client.post(
        reverse("budgets:propose_increase", args=[small_cap.pk]),
        {
            "version": small_cap.version,
            "new_amount": "1500.00",
            "clinical_justification": JUSTIFICATION,
        },
    )
    assert response.status_code == 302
    assert flashed(response) == "A clinician has been asked to check the increase to £1,500.00"
    html = page(client.get(reverse("budgets:budget", args=[small_cap.pk])))
    assert "An increase to £1,500.00 was proposed by" in html

    client.force_login(clinician)
    html = page(client.get(reverse("caseload")))
    assert "increase to £1,500.00 proposed, needs your clinical check" in html
    html = page(client.get(reverse("budgets:increase_check", args=[small_cap.pk])))
    assert JUSTIFICATION in html
    assert "£460.00 more than its indicative amount or cap of £1,040.00" in html
    proposal = small_cap.proposed_increases.get()
    response = client.post(
        reverse("budgets:increase_check", args=[small_cap.pk]),
        {
            "version": reload(small_cap).version,
            "proposal": proposal.pk,
            "supported": "yes",
            "notes": "Seen at home.",
        },
    )
    assert response.status_code == 302

    client.force_login(phb_lead)
    html = page(client.get(change_url(small_cap)))
    assert "A clinician supported an increase to £1,500.00." in html
    response = client.post(
        change_url(small_cap),
        change_data(small_cap, new_amount="1500.00", reason="You need more help at night."),
    )
    assert "A clinician checked the clinical reason for it and supported it." in page(response)
    data = issue_data(response)
    data["effective_from"] = _iso(data["effective_from"])
    response = client.post(change_url(small_cap), data)
    assert response.status_code == 302
    assert reload(small_cap).agreed_amount == D("1500.00")
    assert reload(small_cap).status == BudgetStatus.ACTIVE


def _check_data(page_response, supported="yes") -> dict:
    """What the check page sends: its hidden fields, and the clinician's answer."""
    form = page_response.context["form"]
    return {
        "version": form["version"].value(),
        "proposal": form["proposal"].value(),
        "supported": supported,
        "notes": "Seen at home.",
    }


def test_a_check_page_opened_before_a_new_proposal_records_nothing(
    client, phb_lead, clinician, small_cap
):
    """The clinician opens the check of £1,200.00; the lead then asks for £5,000.00; the
    clinician's "Yes" from the open page is refused, saying what happened."""
    services.propose_increase(
        actor=phb_lead,
        budget=small_cap,
        new_amount=D("1200.00"),
        clinical_justification=JUSTIFICATION,
    )
    client.force_login(clinician)
    url = reverse("budgets:increase_check", args=[small_cap.pk])
    opened = client.get(url)
    assert "to £1,200.00" in page(opened)
    later = services.propose_increase(
        actor=phb_lead,
        budget=reload(small_cap),
        new_amount=D("5000.00"),
        clinical_justification=JUSTIFICATION,
    )
    response = client.post(url, _check_data(opened))
    assert response.status_code == 302
    at = timezone.localtime(later.at)
    assert flashed(response) == (
        f"{phb_lead.full_name} proposed an increase to £5,000.00 at {display_time(at)} on "
        f"{at:%-d %B %Y}, after you opened this page, in place of the one you were checking. "
        "Nothing was saved: check the new proposal."
    )
    assert not small_cap.clinical_checks.exists()
    html = page(client.get(reverse("budgets:budget", args=[small_cap.pk])))
    assert "An increase to £5,000.00 was proposed by" in html
    assert "It is waiting for a clinician's check." in html


def test_a_check_sent_again_from_another_tab_is_refused_naming_the_first(
    client, phb_lead, clinician, small_cap
):
    services.propose_increase(
        actor=phb_lead,
        budget=small_cap,
        new_amount=D("1500.00"),
        clinical_justification=JUSTIFICATION,
    )
    client.force_login(clinician)
    url = reverse("budgets:increase_check", args=[small_cap.pk])
    first_tab, second_tab = client.get(url), client.get(url)
    assert client.post(url, _check_data(first_tab, "yes")).status_code == 302
    first = small_cap.clinical_checks.get()
    response = client.post(url, _check_data(second_tab, "no"))
    assert response.status_code == 302
    at = timezone.localtime(first.at)
    assert flashed(response).endswith(  # after the first tab's message, not yet shown
        f"This increase to £1,500.00 was already checked by {clinician.full_name} at "
        f"{display_time(at)} on {at:%-d %B %Y}: they supported it. Nothing was saved."
    )
    assert list(small_cap.clinical_checks.all()) == [first]
    # The page is not offered again once the increase is checked.
    client.get(reverse("budgets:budget", args=[small_cap.pk]))  # shows the messages so far
    response = client.get(url)
    assert response.status_code == 302
    assert flashed(response) == (
        f"This increase to £1,500.00 was already checked by {clinician.full_name} at "
        f"{display_time(at)} on {at:%-d %B %Y}: they supported it."
    )


def test_asking_twice_for_a_clinical_check_makes_one_request(client, phb_lead, small_cap):
    client.force_login(phb_lead)
    url = reverse("budgets:propose_increase", args=[small_cap.pk])
    data = {
        "version": small_cap.version,
        "new_amount": "1500.00",
        "clinical_justification": JUSTIFICATION,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)  # the second click
    assert response.status_code == 302
    first = small_cap.proposed_increases.get()
    at = timezone.localtime(first.at)
    assert flashed(response).endswith(  # after the first click's message, not yet shown
        f"A clinical check of an increase to £1,500.00 was already asked for by "
        f"{phb_lead.full_name} at {display_time(at)} on {at:%-d %B %Y}. It is waiting for a "
        "clinician's check. Nothing more was saved."
    )


def test_the_increase_check_page_sends_back_when_nothing_waits(client, clinician, small_cap):
    client.force_login(clinician)
    response = client.get(reverse("budgets:increase_check", args=[small_cap.pk]))
    assert response.status_code == 302
    assert flashed(response) == "No increase of this budget is waiting for a clinical check"
    response = client.post(
        reverse("budgets:increase_check", args=[small_cap.pk]),
        {"version": small_cap.version, "supported": "yes", "notes": "Seen at home."},
    )
    assert response.status_code == 302
    assert not small_cap.clinical_checks.exists()
