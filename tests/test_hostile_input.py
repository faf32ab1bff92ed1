"""Hostile values in every number and money field of every form, property-based.

Whatever is typed, binding, validating and rendering the form never raises; and when the form
accepts it, every number it hands on is finite and within the field's bounds, and money is whole
pence. RAS points (a row per answer) and the payments of a schedule (a row per payment) are
number fields like any other.
"""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.forms import AnswerForm, AnswerFormSet, PortionsForm
from budgets.money import MAX_MONEY
from budgets.payment_forms import InstalmentRowsForm
from phb.nhsuk_forms import NHSPercentField
from tests.form_cases import (
    HOSTILE,
    app_form_classes,
    assert_plain,
    bounds,
    build,
    cleaning,
    form_id,
    is_money,
    number_fields,
    valid_data,
)

pytestmark = pytest.mark.django_db

FORMS = [cls for cls in app_form_classes() if number_fields(cls)]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats().map(repr),
    st.from_regex(r"-?£?[0-9]{0,12}(\.[0-9]{0,5})?", fullmatch=True),
)

FIELDS = Template(
    "{% load crispy_forms_filters phb_tags %}{% page_error_summary form %}"
    "{% for field in fields %}{{ field|as_crispy_field }}{% endfor %}"
)


def bind(cls, values: dict):
    return build(cls, valid_data(build(cls)) | values)


def assert_whole_pence(value: Decimal, where: str, maximum=MAX_MONEY) -> None:
    assert isinstance(value, Decimal) and value.is_finite(), where
    assert value == value.quantize(Decimal("0.01")), where
    assert not (value.is_zero() and value.is_signed()), f"{where}: negative zero"
    assert Decimal(0) <= value <= maximum, where


def assert_sane_number(value, field, where: str) -> None:
    low, high = bounds(field)
    if isinstance(field, NHSPercentField):
        # Typed as a percentage, handed on as a fraction with two more places.
        assert -value.as_tuple().exponent <= field.decimal_places + 2, where
        value = (value * 100).normalize()
    if isinstance(value, Decimal):
        assert value.is_finite(), where
        assert not (value.is_zero() and value.is_signed()), f"{where}: negative zero"
        places = getattr(field, "decimal_places", None)
        if places is not None:
            assert -value.as_tuple().exponent <= places, where
    assert low is None or value >= low, where
    assert high is None or value <= high, where
    if is_money(field):
        assert_whole_pence(value, where, maximum=high if high is not None else MAX_MONEY)


def check(cls, values: dict) -> None:
    """Bind the form's valid data with `values` in place, validate it and render the fields:
    nothing raises, the words are plain, and every number a field accepted is sane."""
    form = bind(cls, values)
    where = f"{form_id(cls)} with { ({k: v[:30] for k, v in values.items()})!r}"
    with cleaning(cls):
        valid = form.is_valid()
        page = FIELDS.render(Context({"form": form, "fields": [form[name] for name in values]}))
    assert_plain(form, page)
    if not valid:
        assert form.errors, where
    cleaned = form.cleaned_data
    for name, field in form.fields.items():
        if isinstance(field, forms.IntegerField) and cleaned.get(name) is not None:
            assert_sane_number(cleaned[name], field, f"{where}: {name}")


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_every_hostile_value_in_every_number_field(cls):
    # Each value goes into all the form's number fields at once (fields are read one by one,
    # so each is tested; one form per value keeps the test quick).
    for value in HOSTILE:
        check(cls, dict.fromkeys(number_fields(cls), value))


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_generated_values_one_field_at_a_time(cls, data):
    # The rest of the form is valid, so a value the field accepts reaches the form's own
    # cleaning (a model form's database rules, the instalments adding up).
    name = data.draw(st.sampled_from(number_fields(cls)), label="field")
    check(cls, {name: data.draw(hostile_text, label="value")})


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [
        ("1250.5", "1250.50"),
        ("£1,250.50", "1250.50"),
        (" 1250.50 ", "1250.50"),
        ("1.500", "1.50"),
        ("-0", "0.00"),
        ("-0.00", "0.00"),
        ("£0", "0.00"),
        ("9999999.99", "9999999.99"),
    ],
)
def test_money_is_read_as_people_type_it(typed, pounds):
    form = bind(PortionsForm, {"notional": typed})
    assert form.is_valid(), form.errors
    notional = form.cleaned_data["notional"]
    assert notional == Decimal(pounds)
    assert str(notional) == pounds


@pytest.mark.parametrize("typed", ["1,2", "12,34.5", "1,0000", "£-", "5-", "£5£", "1 000"])
def test_money_with_stray_commas_or_signs_is_not_money(typed):
    form = bind(PortionsForm, {"notional": typed})
    assert not form.is_valid()
    assert form.errors["notional"] == [
        "Notional budget amount must be an amount of money, like 125.50"
    ]


# The first row of the payment schedule (tests/form_cases.py: monthly from 1 April 2026).
ROW = "The payment on 1 April 2026"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.001", ROW + " must be in pounds and pence, like 125.50"),
        ("0.005", ROW + " must be in pounds and pence, like 125.50"),
        ("NaN", ROW + " must be an amount of money, like 125.50"),
        ("sNaN", ROW + " must be an amount of money, like 125.50"),
        ("Infinity", ROW + " must be an amount of money, like 125.50"),
        ("-Infinity", ROW + " must be an amount of money, like 125.50"),
        ("1e3", ROW + " must be an amount of money, like 125.50"),
        ("١٢٣", ROW + " must be an amount of money, like 125.50"),
        ("£", "Enter the payment on 1 April 2026"),
        ("10000000", ROW + " must be £9,999,999.99 or less"),
        ("9" * 20, ROW + " must be £9,999,999.99 or less"),
        # Every payment is at least a penny: -1 is not told it could be £0.00.
        ("-1", ROW + " must be £0.01 or more"),
        ("0.00", ROW + " must be £0.01 or more"),
    ],
)
def test_money_that_is_not_whole_pence_is_refused_in_words(typed, message):
    form = bind(InstalmentRowsForm, {"amount_1": typed})
    assert not form.is_valid()
    assert form.errors["amount_1"] == [message]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("10001", "Points must be 10,000 or less"),
        ("9" * 20, "Points must be 10,000 or less"),
        ("²", "Points must be a whole number"),
        ("١٢", "Points must be a whole number"),
        ("-1", "Points must be 0 or more"),
        ("1.5", "Points must be a whole number"),
        ("NaN", "Points must be a whole number"),
    ],
)
def test_ras_points_are_bounded_whole_numbers(points, message):
    form = build(AnswerForm, {"text": "Needs help", "points": points})
    assert not form.is_valid()
    assert form.errors["points"] == [message]


def answers(*rows, total=None) -> dict:
    data = {
        "answers-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "answers-INITIAL_FORMS": "0",
    }
    for index, (text, points) in enumerate(rows):
        data |= {f"answers-{index}-text": text, f"answers-{index}-points": points}
    return data


def test_ras_answers_are_rows_of_an_answer_and_its_points():
    formset = AnswerFormSet(
        answers(("Independent", "0"), ("", ""), ("Needs help", "6")), prefix="answers"
    )
    assert formset.is_valid(), formset.errors
    assert formset.options() == [("Independent", 0), ("Needs help", 6)]


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        (
            [("Independent", "0"), ("", "")],
            {1: {"text": ["Give at least 2 answers, each with its points"]}},
        ),
        (
            [("Independent", "0"), ("Needs help", "")],
            {1: {"points": ["Enter the points for Needs help"]}},
        ),
        ([("Independent", "0"), ("", "6")], {1: {"text": ["Enter the answer"]}}),
        (
            [("Independent", "0"), ("x" * 301, "6")],
            {1: {"text": ["Answer must be 300 characters or fewer"]}},
        ),
    ],
)
def test_ras_answers_are_checked_row_by_row(rows, errors):
    formset = AnswerFormSet(answers(*rows), prefix="answers")
    assert not formset.is_valid()
    assert {i: e for i, e in enumerate(formset.errors) if e} == errors


def test_no_more_rows_of_answers_than_allowed_are_read():
    rows = [(f"Answer {n}", str(n)) for n in range(25)]
    formset = AnswerFormSet(answers(*rows), prefix="answers")
    assert not formset.is_valid()
    assert len(formset.forms) == 20
    assert formset.non_form_errors() == [
        "Too many rows were sent. Go back, reload the page and try again"
    ]
