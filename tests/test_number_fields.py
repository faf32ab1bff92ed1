"""Numbers as people type them: phb.nhsuk_forms' number fields and budgets.money.MoneyField."""

from decimal import Decimal as D

import pytest
from django import forms
from django.core.exceptions import ValidationError

from budgets.money import MoneyField
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDecimalField, NHSIntegerField, nhs_error_messages


def form_with(field, value):
    form = type("NumberForm", (NHSFormMixin, forms.Form), {"number": field})({"number": value})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12", D("12")),
        (" 12.5 ", D("12.5")),
        ("1.500", D("1.50")),  # trailing zeros beyond the places are not precision
        ("-0", D("0")),
        ("-0.00", D("0.00")),
        (".5", D("0.5")),
        ("5.", D("5")),
        ("", None),
        ("   ", None),
    ],
)
def test_a_decimal_is_read_as_typed(typed, number):
    field = NHSDecimalField(max_digits=5, decimal_places=2, required=False)
    value = field.clean(typed)
    assert value == number
    if number is not None:
        assert not value.is_signed()


@pytest.mark.parametrize(
    "typed", ["NaN", "Infinity", "-inf", "1e2", "1E+2", "١٢", "１２", "1_000", "0x10", "+5", "1,5"]
)
def test_what_python_reads_as_a_number_but_a_person_did_not_mean(typed):
    form = form_with(NHSDecimalField(label="Hours", max_digits=5, decimal_places=2), typed)
    assert form.errors["number"] == ["Hours must be a number"]


def test_a_decimal_given_by_code_is_checked_too():
    field = NHSDecimalField(label="Hours", max_digits=5, decimal_places=2)
    assert field.clean(D("7.5")) == D("7.5")
    assert field.clean(3) == D("3")
    with pytest.raises(ValidationError):
        field.clean(D("NaN"))


def test_more_digits_than_a_decimal_holds_is_too_large_not_a_crash():
    # 30 digits and three zeros: rounding to 2 places would need more than 28 digits.
    form = form_with(
        NHSDecimalField(label="Hours", max_digits=5, decimal_places=2), "1" * 30 + ".000"
    )
    assert form.errors["number"] == ["Hours must be 999.99 or less"]


@pytest.mark.parametrize(
    ("typed", "number"), [("28", 28), (" 28 ", 28), ("28.0", 28), ("-0", 0), ("", None)]
)
def test_a_whole_number_is_read_as_typed(typed, number):
    assert NHSIntegerField(required=False).clean(typed) == number


def test_a_whole_number_given_by_code_is_kept():
    assert NHSIntegerField().clean(7) == 7


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("28.5", "Notice given must be a whole number"),
        ("²", "Notice given must be a whole number"),
        ("9" * 30, "Notice given must be 365 days or less"),
        ("-" + "9" * 30, "Notice given must be 0 days or more"),
        ("9" * 10_000, "Notice given must be 365 days or less"),
    ],
)
def test_whole_numbers_out_of_reach_are_refused_in_words(typed, message):
    field = NHSIntegerField(label="Notice given (days)", min_value=0, max_value=365)
    assert form_with(field, typed).errors["number"] == [message]


def test_a_huge_whole_number_with_no_bound_is_not_a_number_here():
    assert form_with(NHSIntegerField(label="Count"), "9" * 30).errors["number"] == [
        "Count must be a whole number"
    ]


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [("£1,250.50", "1250.50"), ("-£0", "0.00"), ("£-0.00", "0.00"), ("1,000,000", "1000000.00")],
)
def test_money_reads_pounds_signs_and_thousands(typed, pounds):
    assert str(MoneyField().clean(typed)) == pounds


def test_money_shows_a_pound_prefix_and_a_decimal_keyboard():
    assert MoneyField().nhsuk_options == {
        "prefix": "£",
        "classes": "nhsuk-input--width-10",
        "inputmode": "decimal",
    }


def test_messages_for_other_kinds_of_field():
    assert nhs_error_messages(forms.URLField(label="Website", assume_scheme="https"), "website")[
        "invalid"
    ] == ("Enter a web address in the correct format, like https://www.nhs.uk")
    whole = nhs_error_messages(forms.DecimalField(label="Days", decimal_places=0), "days")
    assert whole["max_decimal_places"] == "Days must be a whole number"
    unbounded = nhs_error_messages(forms.DecimalField(label="Amount"), "amount")
    assert unbounded["max_value"] == "Amount must be a number"
