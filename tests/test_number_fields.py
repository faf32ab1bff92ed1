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


# Django counts every digit before it counts the decimal places, so a number with a place too
# many in a small box was "too big". Worked inputs, with the box each one is typed in:
@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        # Hours a week on a PA costing: up to 999.99 by its digits, 168 by its bound.
        ("hours", "37.1255", "Hours a week must have no more than 2 decimal places"),
        ("hours", "7.555", "Hours a week must have no more than 2 decimal places"),
        ("hours", "1234.5", "There are only 168 hours in a week"),  # its own bound, once
        ("hours", "37.125", "Hours a week must have no more than 2 decimal places"),
        ("hours", "37.1200", None),  # trailing zeros are not places: 37.12
        # Contingency (%) on a PA costing: 4 digits, 2 places, so 99.99 at most, and 50 or less.
        ("contingency", "12.345", "Contingency must have no more than 2 decimal places"),
        ("contingency", "123.4", "Contingency must be 50% or less"),
        ("contingency", "12.34", None),
        # A box bounded by its digits alone: 5 digits and 2 places is 999.99 at most.
        ("digits", "12.345", "Hours must have no more than 2 decimal places"),
        ("digits", "1234", "Hours must be 999.99 or less"),
        ("digits", "1234.567", "Hours must have no more than 2 decimal places"),
        # Money: pence, then size.
        ("money", "12.345", "Hourly rate must be in pounds and pence, like 125.50"),
        ("money", "12345678901.5", "Hourly rate must be £9,999,999.99 or less"),
        # Django's own DecimalField in one of our forms is read the same way.
        ("django", "12.345", "Weeks must have no more than 2 decimal places"),
        ("django", "123", "Weeks must be 99.99 or less"),
    ],
)
def test_too_many_decimal_places_is_said_as_that_and_too_many_digits_as_too_big(
    field, typed, message
):
    from budgets.forms import PaCostingForm, PaLineForm

    if field == "hours":
        form = PaLineForm({"label": "PA 1", "hours_per_week": typed, "hourly_rate": "13.50"})
        name = "hours_per_week"
    elif field == "contingency":
        form = PaCostingForm({"contingency_percent": typed})
        name = "contingency_percent"
    else:
        name = "number"
        form = form_with(
            {
                "digits": NHSDecimalField(label="Hours", max_digits=5, decimal_places=2),
                "money": MoneyField(label="Hourly rate"),
                "django": forms.DecimalField(label="Weeks", max_digits=4, decimal_places=2),
            }[field],
            typed,
        )
    form.is_valid()
    assert form.errors.get(name) == ([message] if message else None)


def test_a_percentage_with_too_many_places_is_told_so():
    from phb.nhsuk_forms import NHSPercentField

    form = form_with(NHSPercentField(label="Contingency (%)", max_percent=50), "12.345")
    assert form.errors["number"] == ["Contingency must have no more than 2 decimal places"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        # 0.001 is below 0.01 and has a place too many: one message, the one that helps.
        ("0.001", "How many each time must have no more than 2 decimal places"),
        ("0.009", "How many each time must have no more than 2 decimal places"),
        ("0", "How many each time must be 0.01 or more"),
        # 1,000,000.5 is above 999,999 and has too many whole digits for 8 digits and 2 places.
        ("1000000.5", "How many each time must be 999,999 or less"),
    ],
)
def test_one_box_shows_one_message(typed, message):
    """The plan item's "How many each time" field, as the form declares it."""
    import copy

    from careplans.plan_forms import SupportItemForm

    form = form_with(copy.deepcopy(SupportItemForm.base_fields["quantity"]), typed)
    assert form.errors["number"] == [message]


def test_one_message_when_a_field_is_checked_without_a_form():
    field = NHSDecimalField(label="How many", max_digits=8, decimal_places=2, min_value=D("0.01"))
    with pytest.raises(ValidationError) as error:
        field.clean("0.001")
    assert [e.code for e in error.value.error_list] == ["max_decimal_places"]
