"""Staff pages, the person's record and the caseload show the amount in force, as the holder's
page does (`budgets.in_force`); a reduction's letter gives the last day to ask again; and a
reduction that no date could make is refused saying so, not pointing to a date also refused.

Issuing a change of amount writes the budget's amount and its parts at once, long before the
change's day: until that day, or when the budget stops first, the amount before it stands.
"""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services
from budgets.in_force import Amounts, amount_in_force
from budgets.models import Budget, HoldingMethod
from budgets.presenters import budget_summary_rows
from tests.budgets.factories import (
    agreed_budget,
    change_amount,
    ras_assessment,
    reload,
    schedule,
)
from tests.budgets.test_budget_states import main_text
from tests.budgets.test_holder_page_in_force import _budget, _reduce, _stop

pytestmark = pytest.mark.django_db

DEC_6 = datetime.date(2026, 12, 6)
CUT_FROM = datetime.date(2027, 1, 7)
REASON = "Your review found that you need fewer visits."


def _text(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    # The words as read: no space the markup left before a comma or full stop.
    return re.sub(r" ([.,])", r"\1", main_text(response.content.decode()))


def _rows(budget, today=None) -> dict:
    return {
        row["key"]["text"]: row["value"].get("text") or str(row["value"].get("html"))
        for row in budget_summary_rows(budget, today)
    }


def _in_force_in_sql(budget, on) -> D:
    return Budget.objects.annotate(now=amount_in_force(on)).get(pk=budget.pk).now


@pytest.fixture
def cut_to_come(phb_lead, finance_officer, holder, ras, today_is):
    """Today is 6 December 2026. A budget of £943.06 from 6 December 2026 to 31 March 2027,
    all by direct payment, monthly on the 6th (a payment on 6 March would run past the
    period): 94,306 pennies / 3 = 31,435 r 1, so £314.36, £314.35 and £314.35. Cut to £800.00
    from 7 January 2027: the payments of 6 December and 6 January stay (£628.71), and £800.00
    - £628.71 = £171.29 is paid on 6 February."""
    today_is(DEC_6)
    budget = agreed_budget(
        phb_lead,
        holder,
        ras,
        amount=D("943.06"),
        start=DEC_6,
        end=datetime.date(2027, 3, 31),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("943.06"), "")],
    )
    schedule(finance_officer, budget.portions.get())
    budget = services.activate_budget(actor=finance_officer, budget=reload(budget))
    (letter,) = change_amount(
        phb_lead, budget, new_amount=D("800.00"), effective_from=CUT_FROM, reason=REASON
    )
    instalments = reload(budget).portions.get().schedule.instalments.order_by("number")
    assert [i.amount for i in instalments] == [D("314.36"), D("314.35"), D("171.29")]
    return reload(budget), letter


# --- 1. The amount in force on the staff pages, the record and the caseload -----------------


def test_the_staff_budget_page_shows_the_amount_and_parts_a_stop_left(
    client, phb_lead, holder, ras
):
    """£4,000.00 (£2,500.00 direct payment, £1,500.00 notional), cut to £3,000.00 from 15
    January 2027 (which wrote £1,875.00 and £1,125.00), then stopped from 1 January 2027: the
    cut never happens, so £4,000.00 and its parts stand."""
    budget = _budget(phb_lead, holder, ras)
    _reduce(phb_lead, budget)
    _stop(phb_lead, budget)
    assert reload(budget).agreed_amount == D("3000.00")  # as the change wrote it
    rows = _rows(reload(budget))
    assert rows["Amount"] == "£4,000.00"
    assert "Amount from 15 January 2027" not in rows
    held = rows["How the money is held"]
    assert 'nominee): <span class="phb-money">£2,500.00</span></li>' in held
    assert 'arranges care): <span class="phb-money">£1,500.00</span></li>' in held
    text = _text(client, phb_lead, reverse("budgets:budget", args=[budget.pk]))
    assert "Amount £4,000.00" in text
    assert "That change does not happen: the budget stops on 1 January 2027" in text
    for written_early in ("Amount £3,000.00", "£1,875.00", "£1,125.00"):
        assert written_early not in text
    # The record and the caseload say the same.
    record = _text(client, phb_lead, reverse("person_detail", args=[holder.pk]))
    assert "£4,000.00 for 1 Apr 2026 to 31 Mar 2027 (stops on 1 Jan 2027)." in record
    assert "Agreed: £4,000.00" in _text(client, phb_lead, reverse("caseload"))


def test_a_cut_still_to_come_shows_the_amount_now_and_from_its_day(
    client, phb_lead, holder, cut_to_come
):
    budget, _ = cut_to_come
    assert budget.agreed_amount == D("800.00")  # as the change wrote it
    rows = _rows(budget)
    assert rows["Amount"] == "£943.06"
    assert rows["Amount from 7 January 2027"] == "£800.00"
    assert rows["How the money is held"] == (
        '<ul class="nhsuk-list"><li>Direct payment (money paid to the person or their '
        'nominee): <span class="phb-money">£943.06</span>, then <span class="phb-money">'
        "£800.00</span> from 7 January 2027</li></ul>"
    )
    text = _text(client, phb_lead, reverse("budgets:budget", args=[budget.pk]))
    assert "Amount £943.06 Amount from 7 January 2027 £800.00" in text
    assert "nominee): £943.06, then £800.00 from 7 January 2027" in text
    # On its day the cut has happened.
    assert _rows(budget, CUT_FROM)["Amount"] == "£800.00"
    # The person's record, the caseload and the list of their budgets.
    record = _text(client, phb_lead, reverse("person_detail", args=[holder.pk]))
    assert (
        "£943.06 now, for 6 Dec 2026 to 31 Mar 2027. It goes down to £800.00 from 7 January 2027."
    ) in record
    assert "£800.00 for" not in record
    assert "Active: £943.06" in _text(client, phb_lead, reverse("caseload"))
    calculations = _text(client, phb_lead, reverse("budgets:person", args=[holder.pk]))
    assert "£943.06" in calculations and "£800.00" not in calculations


def test_the_amount_in_force_in_sql_is_the_amount_worked_out_in_python(
    phb_lead, cut_to_come, other_holder, ras_version, today_is
):
    """One rule, read two ways: a list's one query and a page's `Amounts` agree, day by day."""
    cut, _ = cut_to_come
    for day, amount in [
        (DEC_6, D("943.06")),
        (CUT_FROM - datetime.timedelta(days=1), D("943.06")),
        (CUT_FROM, D("800.00")),
    ]:
        assert _in_force_in_sql(cut, day) == Amounts(cut).on(day) == amount
    # A second cut, issued later, to £700.00 from 1 February 2027: on 10 January it is £800.00.
    change_amount(
        phb_lead,
        cut,
        new_amount=D("700.00"),
        effective_from=datetime.date(2027, 2, 1),
        reason=REASON,
    )
    cut = reload(cut)
    for day, amount in [
        (DEC_6, D("943.06")),
        (datetime.date(2027, 1, 10), D("800.00")),
        (datetime.date(2027, 2, 1), D("700.00")),
    ]:
        assert _in_force_in_sql(cut, day) == Amounts(cut).on(day) == amount
    # A stop overtook the cut (the 23 November example): £4,000.00 on every day.
    today_is(datetime.date(2026, 11, 23))
    stopped = _budget(phb_lead, other_holder, ras_assessment(phb_lead, other_holder, ras_version))
    _reduce(phb_lead, stopped)
    _stop(phb_lead, stopped)
    stopped = reload(stopped)
    for day in (datetime.date(2026, 11, 23), datetime.date(2026, 12, 31), CUT_FROM):
        assert _in_force_in_sql(stopped, day) == Amounts(stopped).on(day) == D("4000.00")


def test_the_caseload_makes_the_same_queries_with_and_without_changes(
    client, phb_lead, holder, ras
):
    client.force_login(phb_lead)
    budget = _budget(phb_lead, holder, ras)
    client.get(reverse("caseload"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("caseload")).status_code == 200
    _reduce(phb_lead, budget)
    _stop(phb_lead, budget)
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("caseload"))
    assert len(after) == len(before)
    assert "Agreed: £4,000.00" in main_text(response.content.decode())


def test_the_change_page_and_its_refusal_say_the_amount_now_and_the_cut_to_come(
    client, phb_lead, cut_to_come
):
    budget, _ = cut_to_come
    text = _text(client, phb_lead, reverse("budgets:change_amount", args=[budget.pk]))
    assert "The budget is £943.06 now and goes down to £800.00 from 7 January 2027." in text
    assert "A change you make here follows on from that: it goes up or down from £800.00." in text
    assert "The budget is now" not in text
    increase = _text(client, phb_lead, reverse("budgets:propose_increase", args=[budget.pk]))
    assert "The budget is £943.06 now and goes down to £800.00 from 7 January 2027." in increase
    # £800.00 is what it will be: the same amount changes nothing.
    with pytest.raises(ValidationError) as refused:
        services.preview_amount_change(
            actor=phb_lead,
            budget=budget,
            new_amount=D("800.00"),
            effective_from=datetime.date(2027, 2, 1),
            reason=REASON,
        )
    assert refused.value.message_dict == {
        "new_amount": [
            "The budget is £943.06 now and goes down to £800.00 from 7 January 2027, so a new "
            "amount of £800.00 changes nothing"
        ]
    }


# --- 2. A reduction's letter gives the last day to ask again ---------------------------------


def test_a_reduction_letter_of_6_december_gives_3_january_to_ask_again(cut_to_come):
    _, letter = cut_to_come
    # 6 December 2026 + 28 days = 3 January 2027.
    assert (
        "Contact the personal health budget team within 28 days of this letter, by 3 January 2027."
    ) in letter.body_html


# --- 3. A reduction no date could make ---------------------------------------------------------


def test_a_reduction_with_no_date_left_that_gives_its_notice_says_none_can_be_made(
    phb_lead, finance_officer, holder, ras, today_is, settings
):
    """15 November 2026 to 14 January 2027, £1,000.00 by direct payment, monthly: £500.00 on
    15 November and on 15 December. A reduction to £900.00 comes out of the 15 December
    payment, so it can start by 15 December: with 14 days' notice (an ICB's setting; 28
    unless set), from a letter of 1 December (1 + 14 = 15) but not of 6 December (6 + 14 =
    20), when no date can be chosen."""
    settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS = 14
    today_is(datetime.date(2026, 12, 1))
    budget = agreed_budget(
        phb_lead,
        holder,
        ras,
        amount=D("1000.00"),
        start=datetime.date(2026, 11, 15),
        end=datetime.date(2027, 1, 14),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("1000.00"), "")],
    )
    schedule(finance_officer, budget.portions.get())
    budget = services.activate_budget(actor=finance_officer, budget=reload(budget))

    def preview(effective_from):
        return services.preview_amount_change(
            actor=phb_lead,
            budget=reload(budget),
            new_amount=D("900.00"),
            effective_from=effective_from,
            reason=REASON,
        )

    # 1 December: from 21 December is after the last payment, and 15 December can be chosen.
    with pytest.raises(ValidationError) as refused:
        preview(datetime.date(2026, 12, 21))
    assert refused.value.message_dict == {
        "effective_from": [
            "Direct payment: The last payment still to be made is on 15 December 2026, before "
            "21 December 2026, so a reduction from 21 December 2026 has no payment to come out "
            "of. Choose a date on or before 15 December 2026"
        ]
    }
    (portion,) = preview(datetime.date(2026, 12, 15)).portions
    assert [(row.old_amount, row.new_amount) for row in portion.rows] == [
        (D("500.00"), D("400.00"))
    ]
    # 6 December: 15 December gives 9 days' notice, and every later date has no payment left
    # (21 December is refused for that, 15 December for its notice: both say why no date can).
    today_is(DEC_6)
    none_can_be_made = (
        "Direct payment: No reduction can be made on this payment schedule. A reduction needs at "
        "least 14 days' notice, so with a letter dated 6 December 2026 it can start on 20 "
        "December 2026 at the earliest, and the last payment still to be made is on 15 December "
        "2026, before then: a reduction would have no payment to come out of. Change the "
        "payment schedule first, so that a payment is still to be made on or after 20 December "
        "2026, or reduce next year's budget instead"
    )
    for asked in (datetime.date(2026, 12, 21), datetime.date(2026, 12, 15)):
        with pytest.raises(ValidationError) as refused:
            preview(asked)
        assert refused.value.message_dict == {"effective_from": [none_can_be_made]}
    # With 60 days' notice, 6 December + 60 = 4 February 2027, after the budget ends.
    settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS = 60
    with pytest.raises(ValidationError) as refused:
        preview(datetime.date(2026, 12, 15))
    assert refused.value.message_dict == {
        "effective_from": [
            "A reduction needs at least 60 days' notice, so with a letter dated 6 December 2026 "
            "it can start on 4 February 2027 at the earliest, after the budget ends on 14 "
            "January 2027: no reduction can be made to this budget now"
        ]
    }
