"""No Django default message ever reaches a user.

Every form class in the apps (found by `tests.form_cases.app_form_classes`, so a new form is
checked without being listed) is bound with empty data and with bad data of each kind, cleaned
and rendered as pages render it; the page must word every problem in NHS.UK style, never in
Django's words, a database constraint's name, or a "£NaN".
"""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from budgets.forms import LocalRatesForm, NationalRatesForm, PaLineForm
from budgets.payment_forms import InstalmentRowsForm
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import lower_first, nhs_error_messages
from tests.form_cases import (
    BAD_KINDS,
    FORBIDDEN,
    app_form_classes,
    assert_plain,
    bad_data,
    build,
    form_id,
    number_fields,
    valid_data,
    validate_and_render,
)

pytestmark = pytest.mark.django_db

FORMS = app_form_classes()


def test_the_forms_are_found():
    names = {form_id(cls) for cls in FORMS}
    assert {
        "phb.forms.BudgetHolderForm",
        "phb.forms.CaseloadSearchForm",
        "phb.auth.LoginForm",
        "budgets.payment_forms.PaymentScheduleForm",
        "budgets.payment_forms.InstalmentRowsForm",
        "budgets.forms.NationalRatesForm",
        "budgets.forms.VersionForm",
    } <= names


def test_the_wording_checked_includes_djangos_and_the_constraints():
    assert "Enter a valid email address." in FORBIDDEN
    assert "Ensure that there are no more than" in FORBIDDEN
    assert "national_rates_pension_band_ordered" in FORBIDDEN


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_every_form_uses_the_nhs_form_mixin(cls):
    assert issubclass(cls, NHSFormMixin), f"{form_id(cls)} must use phb.forms.NHSFormMixin"


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_every_form_can_be_built(cls):
    try:
        build(cls)
    except TypeError as error:
        pytest.fail(
            f"{form_id(cls)} cannot be built without arguments ({error}): add it to REGISTRY "
            "in tests/form_cases.py"
        )


@pytest.mark.parametrize("cls", [cls for cls in FORMS if number_fields(cls)], ids=form_id)
def test_the_valid_data_of_every_form_with_numbers_is_valid(cls):
    # The hostile-input tests change one field of this data at a time.
    form = build(cls, valid_data(build(cls)))
    validate_and_render(form)
    assert form.errors == {}, (
        f"{form_id(cls)}: the made-up valid data is refused ({form.errors.as_data()}); "
        "give valid data for it in REGISTRY in tests/form_cases.py"
    )


@pytest.mark.parametrize("kind", ["empty", *BAD_KINDS])
@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_no_django_wording_reaches_the_page(cls, kind):
    data = {} if kind == "empty" else bad_data(build(cls), kind)
    form = build(cls, data)
    page = validate_and_render(form)
    assert_plain(form, page)
    if kind == "empty" and any(field.required for field in form.fields.values()):
        assert "There is a problem" in page


# --- the wording itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Hourly rate", "hourly rate"),
        ("NHS number", "NHS number"),
        ("National Living Wage, 21 and over", "National Living Wage, 21 and over"),
        ("Employer's liability insurance a year", "employer's liability insurance a year"),
        ("", ""),
    ],
)
def test_labels_are_lower_cased_sensibly(label, expected):
    assert lower_first(label) == expected


def _messages(field, name="field"):
    return nhs_error_messages(field, name)


def test_money_messages():
    field = PaLineForm().fields["hourly_rate"]
    messages = _messages(field)
    assert messages["required"] == "Enter the hourly rate"
    assert messages["invalid"] == "Hourly rate must be an amount of money, like 125.50"
    assert messages["min_value"] == "Hourly rate must be £0.00 or more"
    assert messages["max_value"] == "Hourly rate must be £9,999,999.99 or less"
    assert messages["max_digits"] == messages["max_value"]
    assert messages["max_decimal_places"] == "Hourly rate must be in pounds and pence, like 125.50"


def test_number_messages_name_the_bounds_and_units():
    share = _messages(
        forms.DecimalField(label="Share (%)", min_value=Decimal("0.01"), max_value=100)
    )
    assert share["min_value"] == "Share must be 0.01% or more"
    assert share["max_value"] == "Share must be 100% or less"
    notice = _messages(forms.IntegerField(label="Notice given (days)", min_value=0, max_value=365))
    assert notice["invalid"] == "Notice given must be a whole number"
    assert notice["max_value"] == "Notice given must be 365 days or less"
    every = _messages(forms.IntegerField(label="Review every (months)", min_value=1))
    assert every["min_value"] == "Review every must be 1 month or more"
    optional = _messages(forms.IntegerField(label="Hours a week (optional)", max_value=168))
    assert optional["max_value"] == "Hours a week must be 168 or less"
    assert optional["required"] == "Enter the hours a week"
    digits_only = _messages(forms.DecimalField(label="Hours", max_digits=5, decimal_places=2))
    assert digits_only["max_digits"] == "Hours must be 999.99 or less"
    assert digits_only["max_decimal_places"] == "Hours must have no more than 2 decimal places"


def test_choice_and_text_messages():
    how_often = _messages(forms.ChoiceField(label="How often", choices=[("a", "A")]))
    assert how_often["required"] == how_often["invalid_choice"] == "Select how often"
    kind = _messages(forms.ChoiceField(label="Funding stream", choices=[("a", "A")]))
    assert kind["required"] == "Select the funding stream"
    question = _messages(forms.ChoiceField(label="Is it safe?", choices=[("a", "A")]))
    assert question["required"] == "Select an answer to: Is it safe?"
    name = _messages(forms.CharField(label="Name or role", max_length=100))
    assert name["required"] == "Enter the name or role"
    assert name["max_length"] == "Name or role must be 100 characters or fewer"
    email = _messages(forms.EmailField(label="Email address"))
    assert email["invalid"] == "Enter an email address in the correct format, like name@example.com"
    unlabelled = _messages(forms.CharField(), name="postcode")
    assert unlabelled["required"] == "Enter the postcode"


def test_a_form_keeps_the_messages_it_words_itself():
    form = PaLineForm({"label": "PA 1", "hours_per_week": "200", "hourly_rate": "13.50"})
    assert not form.is_valid()
    assert form.errors["hours_per_week"][0] == "There are only 168 hours in a week"


def test_a_message_is_shown_once_even_when_two_rules_break():
    # 20 digits is both above the maximum and more digits than allowed: one message.
    form = PaLineForm({"label": "PA 1", "hours_per_week": "30", "hourly_rate": "9" * 20})
    assert not form.is_valid()
    assert form.errors["hourly_rate"] == ["Hourly rate must be £9,999,999.99 or less"]


def test_a_label_with_a_percent_sign_is_not_a_format_string():
    field = forms.DecimalField(label="Uplift of 5% (%)", max_value=50)
    form = type("F", (NHSFormMixin, forms.Form), {"uplift": field})({"uplift": "60"})
    assert not form.is_valid()
    assert form.errors["uplift"] == ["Uplift of 5% must be 50% or less"]


def test_the_rates_forms_word_the_database_rules():
    # Valid field by field, but the band is upside down: the database's constraint would
    # refuse it, and its name must not be what the user reads.
    form = NationalRatesForm(
        valid_data(NationalRatesForm())
        | {"pension_qualifying_lower_annual": "50270", "pension_qualifying_upper_annual": "6240"}
    )
    assert not form.is_valid()
    assert form.errors["pension_qualifying_upper_annual"] == [
        "The upper end of the qualifying earnings band must be more than the lower end, £50,270.00"
    ]
    local = LocalRatesForm(valid_data(LocalRatesForm()) | {"contingency_rate": "60"})
    assert not local.is_valid()
    assert local.errors["contingency_rate"] == ["Contingency must be 50% or less"]


def test_instalments_are_read_as_money_one_row_a_payment():
    dates = [datetime.date(2027, 4, 1), datetime.date(2027, 5, 1)]

    def rows(first, second):
        form = InstalmentRowsForm(
            {"amount_1": first, "amount_2": second},
            dates=dates,
            own_amounts=True,
            today=datetime.date(2026, 11, 23),
        )
        form.is_valid()
        return form.amounts() if form.is_valid() else None, [
            str(e) for errors in form.errors.values() for e in errors
        ]

    assert form_labels() == ["Payment on 1 April 2027", "Payment on 1 May 2027"]
    assert rows("£1000.005", "1000") == (
        None,
        ["The payment on 1 April 2027 must be in pounds and pence, like 125.50"],
    )
    assert rows("1000", "NaN") == (
        None,
        ["The payment on 1 May 2027 must be an amount of money, like 125.50"],
    )
    assert rows("", "1") == (None, ["Enter the payment on 1 April 2027"])
    # "-0" is £0.00, and every payment is at least a penny.
    assert rows("£1,000.5", "-0") == (None, ["The payment on 1 May 2027 must be £0.01 or more"])
    assert rows("£1,000.5", "0.01") == ([Decimal("1000.50"), Decimal("0.01")], [])


def form_labels():
    form = InstalmentRowsForm(
        dates=[datetime.date(2027, 4, 1), datetime.date(2027, 5, 1)],
        own_amounts=True,
        today=datetime.date(2026, 11, 23),
    )
    return [str(field.label) for field in form.fields.values()]


def test_the_sign_in_page_words_its_problems_plainly(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    page = response.content.decode()
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert "This field is required." not in page
    response = client.post(reverse("account_login"), {"login": "not-an-email", "password": "x"})
    assert "Enter an email address in the correct format, like name@example.com" in (
        response.content.decode()
    )


def test_the_password_reset_page_words_its_problems_plainly(client):
    response = client.post(reverse("account_reset_password"), {"email": ""})
    assert "Enter your email address" in response.content.decode()


def test_a_formset_cut_short_or_tampered_with_says_so_plainly():
    from budgets.forms import FundingStreamFormSet

    missing = FundingStreamFormSet({}, prefix="streams")
    assert not missing.is_valid()
    assert missing.non_form_errors() == [
        "Some of the page was not sent. Go back, reload the page and try again"
    ]
    flooded = FundingStreamFormSet(
        {"streams-TOTAL_FORMS": "5000", "streams-INITIAL_FORMS": "0"}, prefix="streams"
    )
    assert not flooded.is_valid()
    assert flooded.non_form_errors() == [
        "Too many rows were sent. Go back, reload the page and try again"
    ]
