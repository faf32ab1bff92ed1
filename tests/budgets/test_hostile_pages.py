"""Hostile values posted into every number and money field of every form page.

Each page is posted its valid data with one field changed to a hostile value. The page never
fails (a server error would raise here), never words a problem in Django's or the database's
words, and when it refuses the value nothing is saved; no sum of money in the database is ever
NaN or more precise than a penny.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets import services
from budgets.models import HoldingMethod, PaymentSchedule
from budgets.models.rates import LOCAL_NUMBER_FIELDS, NATIONAL_NUMBER_FIELDS, RATE_FIELDS
from tests.budgets.factories import (
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    NATIONAL_2027_28,
    agreed_budget,
    chc_package,
    draft_budget,
    questionnaire,
    reload,
    schedule,
)
from tests.form_cases import assert_page_plain

pytestmark = pytest.mark.django_db

# Posted into every field; all but the blank ones are refused by every number field here.
# (The form tests in tests/test_hostile_input.py try many more values on the forms alone.)
REFUSED = ["NaN", "Infinity", "-Infinity", "1e400", "9" * 20, "1" * 10_000, "١٢٣", "12abc"]
# Refused by money fields (more places than a penny, or above £9,999,999.99).
REFUSED_AS_MONEY = ["1.001", "10000000"]
# Accepted by some fields: they must still never fail or store anything odd.
ODD_BUT_FINE = ["-0", " "]


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


@dataclass
class Page:
    user: object
    url: str
    data: dict
    numbers: list[str]
    money: tuple[str, ...] = ()
    # A POST that acts (propose) rather than a form page: a bad version is simply ignored.
    action: bool = False
    # Numbers typed into a text box: how the hostile value is put into it.
    wrap: object = None


def _person_create(request) -> Page:
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("person_create"),
        data={
            "given_name": "Ann",
            "family_name": "Example",
            "nhs_number": "943 476 5919",
            **date_fields("date_of_birth", datetime.date(1951, 3, 27)),
            "address_line_1": "1 Test Street",
            "town": "Leeds",
            "postcode": "ZZ9 9ZZ",
            "preferred_contact": "letter",
            "eligibility": "chc",
        },
        numbers=["nhs_number"],
    )


def _chc(request) -> Page:
    holder = request.getfixturevalue("holder")
    request.getfixturevalue("local_rates")
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:chc_new", args=[holder.pk]),
        data={
            **date_fields("effective_date", FY_2026_START),
            **management("lines", 6),
            "lines-0-service": "Agency day care",
            "lines-0-provider_type": "agency_day",
            "lines-0-units_per_week": "42",
            "lines-0-unit_cost": "28.50",
        },
        numbers=["lines-0-units_per_week", "lines-0-unit_cost"],
        money=("lines-0-unit_cost",),
    )


def _pa(request) -> Page:
    holder = request.getfixturevalue("holder")
    request.getfixturevalue("local_rates")
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:pa_new", args=[holder.pk]),
        data={
            **date_fields("effective_date", FY_2026_START),
            "pay_frequency": "weekly",
            "claims_employment_allowance": "on",
            "insurance_annual": "150.00",
            "payroll_fee_annual": "240.00",
            "contingency_percent": "5",
            **management("lines", 4),
            "lines-0-label": "PA 1",
            "lines-0-hours_per_week": "30",
            "lines-0-hourly_rate": "13.50",
            **{f"lines-{i}-pension": "auto" for i in range(4)},
        },
        numbers=[
            "insurance_annual",
            "payroll_fee_annual",
            "contingency_percent",
            "lines-0-hours_per_week",
            "lines-0-hourly_rate",
            "lines-0-age",
        ],
        money=("insurance_annual", "payroll_fee_annual", "lines-0-hourly_rate"),
    )


def _budget_new(request) -> Page:
    holder = request.getfixturevalue("holder")
    ras = request.getfixturevalue("ras")
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:budget_new", args=[holder.pk]),
        data={
            "calculation": str(ras.pk),
            **date_fields("period_start", FY_2026_START),
            **date_fields("period_end", datetime.date(2027, 3, 31)),
            "agreed_amount": "8308.72",
            **management("streams", 4, initial=1),
            "streams-0-kind": "nhs_chc",
            "streams-0-share_percent": "100",
            "held-notional": "8308.72",
            "backdated": "on",
            "backdating_reason": "The care started on 1 April 2026.",
        },
        numbers=[
            "agreed_amount",
            "streams-0-share_percent",
            "held-notional",
            "held-direct_payment",
        ],
        money=("agreed_amount", "held-notional", "held-direct_payment"),
    )


def _budget_edit(request) -> Page:
    lead = request.getfixturevalue("phb_lead")
    budget = draft_budget(lead, request.getfixturevalue("holder"), request.getfixturevalue("ras"))
    new = _budget_new(request)
    return Page(
        user=lead,
        url=reverse("budgets:edit", args=[budget.pk]),
        data=new.data
        | {"version": budget.version, "agreed_amount": "8000.00"}
        | {"held-notional": "8000.00"},
        numbers=new.numbers,
        money=new.money,
    )


def _withdraw(request) -> Page:
    lead = request.getfixturevalue("phb_lead")
    budget = draft_budget(lead, request.getfixturevalue("holder"), request.getfixturevalue("ras"))
    return Page(
        user=lead,
        url=reverse("budgets:withdraw", args=[budget.pk]),
        data={"version": budget.version, "reason": "Set up twice."},
        numbers=["version"],
    )


def _send_back(request) -> Page:
    budget = request.getfixturevalue("above_cap")
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:send_back", args=[budget.pk]),
        data={"version": budget.version, "reason": "Lower the amount."},
        numbers=["version"],
    )


def _budget_policy(request) -> Page:
    return Page(
        user=request.getfixturevalue("icb_admin"),
        url=reverse("budgets:budget_policy"),
        data={"preparer_may_agree": "yes", "preparer_may_agree_below": "5000.00"},
        numbers=["preparer_may_agree_below"],
        money=("preparer_may_agree_below",),
    )


def _clinical_check(request) -> Page:
    budget = request.getfixturevalue("above_cap")
    return Page(
        user=request.getfixturevalue("clinician"),
        url=reverse("budgets:clinical_check", args=[budget.pk]),
        data={"version": budget.version, "supported": "yes", "notes": "Needs two at night."},
        numbers=["version"],
    )


@pytest.fixture
def agreed_2027(phb_lead, holder, local_rates):
    """2027/28, agreed: £8,000.00 notional and £12,000.01 by direct payment, not yet
    scheduled."""
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    return agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("20000.01"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.01"), ""),
        ],
    )


def schedule_rows(amounts: list[str]) -> dict:
    """The payment schedule's second step: monthly from 1 April 2027, each amount in its row."""
    return {
        "step": "rows",
        "frequency": "monthly",
        "split": "own",
        **date_fields("first_payment_date", FY_2027_START),
        **{f"amount_{number}": amount for number, amount in enumerate(amounts, start=1)},
    }


def _payments(request) -> Page:
    budget = request.getfixturevalue("agreed_2027")
    portion = budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    # 11 x £1,000.00 + £1,000.01 = £12,000.01
    rows = ["1000.00"] * 11 + ["1000.01"]
    return Page(
        user=request.getfixturevalue("finance_officer"),
        url=reverse("budgets:payments", args=[budget.pk, portion.pk]),
        data=schedule_rows(rows),
        numbers=["amount_1", "amount_12"],
        money=("amount_1", "amount_12"),
    )


@pytest.fixture
def budget_2027(phb_lead, finance_officer, holder, local_rates):
    """2027/28, £12,000.00 by direct payment at £1,000.00 a month, active."""
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
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def _change_amount(request) -> Page:
    """The preview page's "Issue the letter and make the change", with the letter previewed."""
    budget = request.getfixturevalue("budget_2027")
    lead = request.getfixturevalue("phb_lead")
    reason = "Your needs at night have gone down since your review."
    plan = services.preview_amount_change(
        actor=lead,
        budget=budget,
        new_amount=D("10000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason=reason,
    )
    return Page(
        user=lead,
        url=reverse("budgets:change_amount", args=[budget.pk]),
        data={
            "stage": "issue",
            "version": budget.version,
            "new_amount": "10000.00",
            "effective_from": "2027-10-01",
            "reason": reason,
            "previewed": plan.digest,
        },
        numbers=["new_amount", "version"],
        money=("new_amount",),
    )


def _propose_increase(request) -> Page:
    budget = request.getfixturevalue("budget_2027")
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:propose_increase", args=[budget.pk]),
        data={
            "version": budget.version,
            "new_amount": "200000.00",
            "clinical_justification": "Two carers are needed at night.",
        },
        numbers=["new_amount", "version"],
        money=("new_amount",),
    )


def _increase_check(request) -> Page:
    budget = request.getfixturevalue("budget_2027")
    proposal = services.propose_increase(
        actor=request.getfixturevalue("phb_lead"),
        budget=budget,
        new_amount=D("200000.00"),
        clinical_justification="Two carers are needed at night.",
    )
    return Page(
        user=request.getfixturevalue("clinician"),
        url=reverse("budgets:increase_check", args=[budget.pk]),
        data={
            "version": budget.version,
            "proposal": str(proposal.pk),
            "supported": "yes",
            "notes": "Seen at home.",
        },
        numbers=["version"],
    )


def _propose(request) -> Page:
    budget = draft_budget(
        request.getfixturevalue("phb_lead"),
        request.getfixturevalue("holder"),
        request.getfixturevalue("ras"),
    )
    return Page(
        user=request.getfixturevalue("phb_lead"),
        url=reverse("budgets:propose", args=[budget.pk]),
        data={"version": budget.version},
        numbers=["version"],
        action=True,
    )


def _national_rates(request) -> Page:
    figures = NATIONAL_2027_28 | {"name": "2031/32", "effective_from": datetime.date(2031, 4, 1)}
    data = {
        k: str(v * 100 if k in RATE_FIELDS else v)  # rates are typed as percentages
        for k, v in figures.items()
        if k != "effective_from"
    }
    return Page(
        user=request.getfixturevalue("service_admin"),
        url=reverse("budgets:national_rates_new"),
        data=data | date_fields("effective_from", figures["effective_from"]),
        numbers=list(NATIONAL_NUMBER_FIELDS),
        money=tuple(f for f in NATIONAL_NUMBER_FIELDS if not f.endswith(("_rate", "_weeks"))),
    )


def _local_rates(request) -> Page:
    request.getfixturevalue("local_rates")
    return Page(
        user=request.getfixturevalue("icb_admin"),
        url=reverse("budgets:local_rates_new"),
        data={
            **date_fields("effective_from", datetime.date(2031, 4, 1)),
            "pa_hourly": "13.50",
            "agency_day_hourly": "28.50",
            "agency_night_hourly": "120.00",
            "agency_waking_night_hourly": "30.00",
            "nursing_hourly": "55.00",
            "employer_liability_insurance_annual": "150.00",
            "payroll_fee_annual": "240.00",
            "contingency_rate": "5",
        },
        numbers=list(LOCAL_NUMBER_FIELDS),
        money=tuple(f for f in LOCAL_NUMBER_FIELDS if f != "contingency_rate"),
    )


def _questionnaires(request) -> Page:
    return Page(
        user=request.getfixturevalue("icb_admin"),
        url=reverse("budgets:questionnaires"),
        data={"financial_year": "2030", "price_per_point": "148.37"},
        numbers=["financial_year", "price_per_point"],
        money=("price_per_point",),
    )


def _price_per_point(request) -> Page:
    admin = request.getfixturevalue("icb_admin")
    draft = questionnaire(admin, publish=False)
    return Page(
        user=admin,
        url=reverse("budgets:questionnaire", args=[draft.pk]),
        data={"action": "price", "price-price_per_point": "150.25"},
        numbers=["price-price_per_point"],
        money=("price-price_per_point",),
    )


def _domain(request) -> Page:
    admin = request.getfixturevalue("icb_admin")
    draft = questionnaire(admin, publish=False, domains=[])
    return Page(
        user=admin,
        url=reverse("budgets:questionnaire", args=[draft.pk]),
        data={
            "name": "Breathing",
            "question": "How much help with breathing?",
            **management("answers", 2),
            "answers-0-text": "Independent",
            "answers-0-points": "0",
            "answers-1-text": "Needs help",
            "answers-1-points": "6",
        },
        numbers=["answers-0-points", "answers-1-points"],
    )


PAGES = {
    "person_create": _person_create,
    "chc_new": _chc,
    "pa_new": _pa,
    "budget_new": _budget_new,
    "budget_edit": _budget_edit,
    "withdraw": _withdraw,
    "send_back": _send_back,
    "budget_policy": _budget_policy,
    "clinical_check": _clinical_check,
    "payments": _payments,
    "change_amount": _change_amount,
    "propose_increase": _propose_increase,
    "increase_check": _increase_check,
    "propose": _propose,
    "national_rates_new": _national_rates,
    "local_rates_new": _local_rates,
    "questionnaires": _questionnaires,
    "questionnaire_price": _price_per_point,
    "questionnaire_domain": _domain,
}


# --- what is in the database ------------------------------------------------------------------


def _models():
    return [
        model
        for app in ("budgets", "phb")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy
        and not model.__name__.endswith("Event")
        and model.__name__ != "RecordAccess"
    ]


def _count_sql() -> str:
    tables = [model._meta.db_table for model in _models()]
    return "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)


def _nan_sql() -> str:
    """One query counting NaN in every number column (PostgreSQL's numeric can hold NaN)."""
    checks = [
        f'(SELECT count(*) FROM "{model._meta.db_table}" WHERE "{field.column}" = \'NaN\')'
        for model in _models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.DecimalField)
    ]
    return "SELECT " + " + ".join(checks)


def row_counts() -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(_count_sql())
        return cursor.fetchone()


def nan_stored() -> int:
    with connection.cursor() as cursor:
        cursor.execute(_nan_sql())
        return cursor.fetchone()[0]


# --- posting ----------------------------------------------------------------------------------


def post(client, page: Page, name: str, value: str):
    """Post the page's valid data with `value` in `name`; undo whatever it saved afterwards."""
    data = page.data | {name: page.wrap(value) if page.wrap else value}
    where = f"{page.url} {name}={value[:30]!r}"
    before = row_counts()
    savepoint = transaction.savepoint()
    try:
        response = client.post(page.url, data)
        assert response.status_code in (200, 302), f"{where}: {response.status_code}"
        body = response.content.decode()
        assert_page_plain(body, where)
        assert not nan_stored(), where
        refused = response.status_code == 200
        if refused:
            assert "There is a problem" in body, where
            assert row_counts() == before, f"{where} was refused but saved something"
        return refused
    finally:
        transaction.savepoint_rollback(savepoint)


def plan(page: Page, values: list[str]) -> list[tuple[str, str]]:
    """Every field with every value, or, on pages with many fields (the rate tables), each
    field with several values and each value in several fields."""
    pairs = list(itertools.product(page.numbers, values))
    if len(pairs) <= 36:
        return pairs
    rounds = max(len(page.numbers), len(values)) * 2
    return [
        (page.numbers[i % len(page.numbers)], values[(i + i // len(page.numbers)) % len(values)])
        for i in range(rounds)
    ]


@pytest.mark.parametrize("name", PAGES)
def test_hostile_numbers_never_break_a_page_or_reach_the_database(client, request, name):
    page = PAGES[name](request)
    client.force_login(page.user)
    savepoint = transaction.savepoint()
    assert client.post(page.url, page.data).status_code == 302, f"{name}: valid data refused"
    transaction.savepoint_rollback(savepoint)
    for field, value in plan(page, REFUSED + REFUSED_AS_MONEY + ODD_BUT_FINE):
        refused = post(client, page, field, value)
        must_refuse = value in REFUSED or (value in REFUSED_AS_MONEY and field in page.money)
        if must_refuse and not page.action:
            assert refused, f"{name}: {field}={value[:30]!r} was accepted"


@pytest.mark.parametrize("name", ["payments", "budget_new"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_generated_numbers_never_break_a_page(client, request, name, data):
    page = PAGES[name](request)
    client.force_login(page.user)
    field = data.draw(st.sampled_from(page.numbers), label="field")
    value = data.draw(
        st.one_of(
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.from_regex(r"-?[0-9]{0,9}(\.[0-9]{0,4})?", fullmatch=True),
            st.text(max_size=20),
        ),
        label="value",
    )
    post(client, page, field, value)


def test_instalments_with_fractions_of_a_penny_that_add_up_are_refused(
    client, agreed_2027, finance_officer
):
    # £12,000.01 by direct payment in 12 monthly instalments: 11 x £1,000.005 + £999.955 adds up
    # exactly, but stored to the penny it would be 11 x £1,000.01 + £999.96 = £12,000.07, more
    # than the budget.
    portion = agreed_2027.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    client.force_login(finance_officer)
    response = client.post(
        reverse("budgets:payments", args=[agreed_2027.pk, portion.pk]),
        schedule_rows(["1000.005"] * 11 + ["999.955"]),
    )
    assert response.status_code == 200
    assert (
        "The payment on 1 April 2027 must be in pounds and pence, like 125.50"
        in response.content.decode()
    )
    assert not PaymentSchedule.objects.exists()


def test_instalments_in_whole_pence_that_add_up_are_saved(client, agreed_2027, finance_officer):
    portion = agreed_2027.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    client.force_login(finance_officer)
    url = reverse("budgets:payments", args=[agreed_2027.pk, portion.pk])
    # "-0" is £0.00: it adds up (£2,000.01 + 10 x £1,000.00 + £0.00 = £12,000.01), but a
    # payment of nothing is no payment, and is refused on its row.
    response = client.post(url, schedule_rows(["£2000.01"] + ["1000.00"] * 10 + ["-0"]))
    assert response.status_code == 200
    assert "must be £0.01 or more" in response.content.decode()
    assert not PaymentSchedule.objects.exists()
    # £2,000.01 + 9 x £1,000.00 + £999.99 + £0.01 = £12,000.01
    response = client.post(url, schedule_rows(["£2000.01"] + ["1000.00"] * 9 + ["999.99", "0.01"]))
    assert response.status_code == 302
    made = PaymentSchedule.objects.get(portion=portion)
    amounts = list(made.instalments.order_by("number").values_list("amount", flat=True))
    assert amounts[0] == D("2000.01")
    assert amounts[-1] == D("0.01")
    assert sum(amounts) == D("12000.01")


def test_a_huge_chc_package_is_refused_in_words_not_by_the_database(
    client, phb_lead, holder, local_rates
):
    # 168 hours a week at £9,999,999.99 is £1,679,999,998.32 a week and £87,359,999,912.64 a
    # year: more than the money columns hold.
    client.force_login(phb_lead)
    page = _chc_page(holder) | {"lines-0-units_per_week": "168", "lines-0-unit_cost": "9999999.99"}
    response = client.post(reverse("budgets:chc_new", args=[holder.pk]), page)
    assert response.status_code == 200
    assert (
        "The package comes to £87,359,999,912.64, more than the £9,999,999.99 this service can "
        "record. Check the figures" in response.content.decode()
    )


def _chc_page(holder) -> dict:
    return {
        **date_fields("effective_date", FY_2026_START),
        **management("lines", 6),
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "lines-0-unit_cost": "28.50",
    }


@pytest.mark.parametrize("sent", [{"version": "NaN"}, {"version": "0"}, {}])
def test_an_action_without_the_pages_version_is_refused_as_out_of_date(
    client, phb_lead, holder, ras, sent
):
    """A missing or garbage version does not turn the stale-page check off: the action is
    refused as from an out-of-date page, and nothing changes."""
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    response = client.post(reverse("budgets:propose", args=[budget.pk]), sent, follow=True)
    assert "This page is out of date. Go back, reload the page and try again" in (
        response.content.decode()
    )
    assert reload(budget).status == "draft"


def test_a_refused_price_shows_only_the_price_problem(client, icb_admin):
    # The price and the "add a domain" forms share the page; a bad price must not make the
    # empty domain form complain too.
    draft = questionnaire(icb_admin, publish=False)
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:questionnaire", args=[draft.pk]),
        {"action": "price", "price-price_per_point": "NaN"},
    )
    body = response.content.decode()
    assert "Price per point must be an amount of money, like 125.50" in body
    assert "Enter the domain" not in body
    assert "Enter the question" not in body


@pytest.mark.parametrize("total", ["0", "-5"])
def test_a_tampered_line_count_is_told_to_add_a_line_not_a_server_error(
    client, phb_lead, holder, local_rates, total
):
    client.force_login(phb_lead)
    page = _chc_page(holder) | {"lines-TOTAL_FORMS": total}
    response = client.post(reverse("budgets:chc_new", args=[holder.pk]), page)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Add at least one service" in response.content.decode()
    assert not holder.chc_packages.exists()
