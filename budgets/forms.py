import re
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from budgets.calculations import (
    DAYS_IN_A_WEEK,
    HOURS_IN_A_WEEK,
    MAX_POINTS,
    NIGHTS_IN_A_WEEK,
    financial_year,
    points_text,
    too_few_days,
)
from budgets.models import (
    ChcProviderType,
    FundingStreamKind,
    HoldingMethod,
    LocalRateSet,
    NationalRateSet,
)
from budgets.models.calculations import HOURS, PayFrequencyChoice, PensionChoice
from budgets.models.rates import LOCAL_NUMBER_FIELDS, NATIONAL_NUMBER_FIELDS
from budgets.money import MoneyField
from phb.forms import NHSFormMixin, NHSFormSet
from phb.models import FREE_TEXT_LENGTH
from phb.nhsuk_forms import (
    NHSDateField,
    NHSDecimalField,
    NHSIntegerField,
    NHSPercentField,
    PageSeenField,
)

MAX_ANSWERS = 20
# Rate tables are for years someone could mean, as the questionnaire's financial year is.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# "2028/29" (or "2028-2029") in a name: the financial or tax year the figures are for.
YEARS_NAMED = re.compile(r"(?<![0-9])([0-9]{4}) ?[/-] ?([0-9]{2}|[0-9]{4})(?![0-9])")


def money_field(label: str, *, required=True, help_text="", minimum=Decimal("0.00")) -> MoneyField:
    """Pounds and pence from `minimum` to £9,999,999.99; messages come from the label."""
    return MoneyField(label=label, required=required, help_text=help_text, minimum=minimum)


def _today():
    return timezone.localdate()


def _this_financial_year() -> int:
    return financial_year(timezone.localdate())[0].year


class EffectiveDateForm(NHSFormMixin, forms.Form):
    effective_date = NHSDateField(
        label="Date the calculation applies from",
        help_text="The rates in force on this date are used. For example, 1 4 2026",
        initial=_today,
    )


class RasAssessmentForm(EffectiveDateForm):
    """One radio question per domain of the questionnaire."""

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        for domain in questionnaire.domains.all():
            self.fields[str(domain.pk)] = forms.ChoiceField(
                label=f"{domain.name}: {domain.question}",
                choices=[
                    (str(o.pk), f"{o.text} ({points_text(o.points)})") for o in domain.options.all()
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select an answer for {domain.name.lower()}",
                    "invalid_choice": f"Select an answer for {domain.name.lower()}",
                },
            )

    def answers(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name != "effective_date"
        }


def check_year(form, field: str, what: str):
    """Refuse, beside `field`, a date outside FIRST_YEAR to LAST_YEAR ("1 April 1899" is a
    slip); `what` names the date in the message. The date as typed, within them or not."""
    day = form.cleaned_data.get(field)
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        form.add_error(field, f"{what} must be between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def check_name_year(form, day, first_year: int, in_force: str) -> None:
    """Refuse, beside the name, a name that is a year ("2028/29") other than the financial or
    tax year from `first_year` that the figures are for; `in_force` says when, in words."""
    match = YEARS_NAMED.search(form.cleaned_data.get("name") or "")
    if day is None or match is None or form.has_error("name"):
        return
    start, end = int(match[1]), int(match[2])
    if end != (start + 1) % 100 and end != start + 1:
        form.add_error(
            "name",
            f"The name says {match[0]}, which is not one year: for example "
            f"{start}/{(start + 1) % 100:02d}",
        )
    elif start != first_year:
        form.add_error("name", f"The name says {match[0]} but {in_force} {day:%-d %B %Y}")


def typed_any(form, *fields) -> bool:
    """Whether anything was typed in any of the form's `fields`, even if typed wrong."""
    return any(
        form.cleaned_data.get(field) is not None or form.has_error(field) for field in fields
    )


class ChcLineForm(NHSFormMixin, forms.Form):
    service = forms.CharField(label="Service", max_length=200, required=False)
    provider_type = forms.ChoiceField(label="Type", choices=ChcProviderType.choices, required=False)
    # Hours are at most 168 a week and sleeping nights 7 (`clean`); visits, pads or items are
    # counted as they come, up to what the box holds.
    units_per_week = NHSDecimalField(
        label="Hours, nights or units a week",
        max_digits=7,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_cost = money_field(
        "Cost of each", required=False, help_text="Leave empty to use your ICB's local rate"
    )

    def clean(self):
        data = super().clean()
        # A number typed wrong already has its message: "Enter how much" would contradict it.
        if (
            data.get("service")
            and not data.get("units_per_week")
            and not self.has_error("units_per_week")
        ):
            self.add_error("units_per_week", f"Enter how much {data['service']} a week")
        units = data.get("units_per_week")
        if units is not None and units > HOURS_IN_A_WEEK and data.get("provider_type") in HOURS:
            self.add_error("units_per_week", "There are only 168 hours in a week")
        # Sleeping nights are counted in nights, one a day at most.
        if (
            units is not None
            and units > NIGHTS_IN_A_WEEK
            and data.get("provider_type") == ChcProviderType.AGENCY_NIGHT
        ):
            self.add_error("units_per_week", "There are only 7 nights in a week")
        # A line with a figure but no service would be left out of the package unseen.
        # A service refused (too long) already has its message: one message a box.
        if (
            not data.get("service")
            and not self.has_error("service")
            and typed_any(self, "units_per_week", "unit_cost")
        ):
            self.add_error("service", "Enter the service")
        return data


# A page sent with more rows than the page can show (a tampered row count) is refused, and
# no more than that many rows are ever made from it.
ChcLineFormSet = forms.formset_factory(
    ChcLineForm, formset=NHSFormSet, extra=1, max_num=20, absolute_max=20, validate_max=True
)


class PaLineForm(NHSFormMixin, forms.Form):
    label = forms.CharField(
        label="Name or role", max_length=100, required=False, help_text="For example, PA 1"
    )
    hours_per_week = NHSDecimalField(
        label="Hours a week",
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        error_messages={
            "max_value": "There are only 168 hours in a week",
            "min_value": "Hours a week must be 0.25 or more",
        },
    )
    hourly_rate = money_field("Hourly rate", required=False)
    # Their minimum wage band and pension duties are worked out from their age on the date
    # the calculation applies from; with neither, an adult is assumed (the page says so).
    date_of_birth = NHSDateField(
        label="Date of birth (if known)", required=False, help_text="For example, 27 3 1990"
    )
    age = NHSIntegerField(
        label="Age (if the date of birth is not known)",
        required=False,
        min_value=16,
        max_value=120,
        help_text="Their age on the date the calculation applies from",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3"}),
    )
    apprentice = forms.BooleanField(
        label="An apprentice aged under 19, or in the first year of their apprenticeship",
        required=False,
    )
    # Holiday cover is 5.6 weeks a year but no more than 28 days: less for 6 or 7 days a week.
    days_per_week = NHSIntegerField(
        label="Days a week (optional)",
        required=False,
        min_value=1,
        max_value=DAYS_IN_A_WEEK,
        help_text=(
            "How many days a week they work, from 1 to 7. Holiday cover is 5.6 weeks a year, "
            "but no more than 28 days, so it is less for someone who works 6 or 7 days a week"
        ),
        error_messages={"max_value": "There are only 7 days in a week"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-2"}),
    )
    irregular_hours = forms.BooleanField(
        label="Works irregular hours (holiday pay is rolled up at 12.07%)", required=False
    )
    pension = forms.ChoiceField(
        label="Workplace pension", choices=PensionChoice.choices, initial="auto"
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born is not None and born >= timezone.localdate():
            raise forms.ValidationError("Date of birth (if known) must be in the past")
        if born is not None and born.year < 1900:
            raise forms.ValidationError("Date of birth (if known) must be after 1900")
        return born

    def clean(self):
        data = super().clean()
        # Each missing figure is asked for on its own box; one typed wrong already has its
        # message, and "Enter ..." would contradict it.
        label = data.get("label")
        for field, words in (("hours_per_week", "hours a week"), ("hourly_rate", "hourly rate")):
            if label and not data.get(field) and not self.has_error(field):
                self.add_error(field, f"Enter the {words} for {label}")
        if data.get("date_of_birth") and data.get("age") is not None:
            self.add_error("age", "Enter their date of birth or their age, not both")
        hours, days = data.get("hours_per_week"), data.get("days_per_week")
        if label and hours and days and (said := too_few_days(label, hours, days)):
            self.add_error("days_per_week", said)
        # A PA with hours, a rate or an age but no name would be left out of the costing
        # unseen, and the budget costed too low.
        typed = typed_any(
            self, "hours_per_week", "hourly_rate", "date_of_birth", "age", "days_per_week"
        ) or any(data.get(box) for box in ("apprentice", "irregular_hours"))
        if not label and not self.has_error("label") and typed:
            self.add_error("label", "Enter the name or role")
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("label"))


PaLineFormSet = forms.formset_factory(
    PaLineForm, formset=NHSFormSet, extra=1, max_num=12, absolute_max=12, validate_max=True
)


class PaCostingForm(EffectiveDateForm):
    pay_frequency = forms.ChoiceField(
        label="How often the PAs are paid",
        choices=PayFrequencyChoice.choices,
        widget=forms.RadioSelect,
        initial="weekly",
    )
    claims_employment_allowance = forms.BooleanField(
        label="The employer claims the Employment Allowance", required=False, initial=True
    )
    insurance_annual = money_field(
        "Employer's liability insurance a year",
        required=False,
        help_text="Leave empty to use your ICB's default",
    )
    payroll_fee_annual = money_field(
        "Payroll service a year", required=False, help_text="Leave empty to use your ICB's default"
    )
    contingency_percent = NHSDecimalField(
        label="Contingency (%)",
        required=False,
        min_value=0,
        max_value=50,
        max_digits=4,
        decimal_places=2,
        help_text="Leave empty to use your ICB's default",
    )


class BudgetForm(NHSFormMixin, forms.Form):
    calculation = forms.ChoiceField(
        label="How the indicative amount was worked out", widget=forms.RadioSelect
    )
    period_start = NHSDateField(label="Start date", help_text="For example, 1 4 2026")
    period_end = NHSDateField(
        label="End date",
        help_text="Within the same financial year. For example, 31 3 2027",
    )
    agreed_amount = money_field("Budget amount for the period")
    clinical_justification = forms.CharField(
        label="Clinical justification",
        required=False,
        max_length=FREE_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Needed if the amount is more than the indicative amount or cap. "
            "A clinician will check it."
        ),
    )

    backdated = forms.BooleanField(
        label="The start date has passed: this budget is backdated",
        required=False,
        help_text="Only if the budget really starts on a date that has already passed",
    )
    backdating_reason = forms.CharField(
        label="Why the budget is backdated",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the care started before the budget could be agreed",
    )

    def __init__(self, *args, calculations, **kwargs):
        super().__init__(*args, **kwargs)
        self.calculations = {str(c.pk): c for c, _ in calculations}
        self.fields["calculation"].choices = [(str(c.pk), label) for c, label in calculations]

    def clean(self):
        """A start date that has passed is confirmed and explained: backdating happens, but
        never by accident."""
        data = super().clean()
        start = data.get("period_start")
        if start is not None and start < timezone.localdate():
            if not data.get("backdated"):
                self.add_error(
                    "backdated",
                    f"The start date, {start:%-d %B %Y}, has passed. If the budget really starts "
                    "then, tick the box to confirm it is backdated",
                )
            elif not data.get("backdating_reason", "").strip():
                self.add_error("backdating_reason", "Say why the budget is backdated")
        return data

    def reason_for_backdating(self) -> str:
        """The reason, if the person confirmed the budget is backdated."""
        data = self.cleaned_data
        return data.get("backdating_reason", "").strip() if data.get("backdated") else ""


class FundingStreamForm(NHSFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Funding stream",
        choices=[("", "Not chosen"), *FundingStreamKind.choices],
        required=False,
    )
    share_percent = NHSDecimalField(
        label="Share (%)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=100,
    )

    def clean(self):
        data = super().clean()
        # Half a row would be left out of the budget unseen, misstating who pays.
        kind, share = data.get("kind"), data.get("share_percent")
        if kind and share is None and not self.has_error("share_percent"):
            name = FundingStreamKind(kind).label
            self.add_error("share_percent", f"Enter the share for {name}")
        if not kind and not self.has_error("kind") and typed_any(self, "share_percent"):
            self.add_error("kind", "Choose the funding stream this share is for")
        return data


FundingStreamFormSet = forms.formset_factory(
    FundingStreamForm, formset=NHSFormSet, extra=0, max_num=6, absolute_max=6, validate_max=True
)


class PortionsForm(NHSFormMixin, forms.Form):
    notional = money_field("Notional budget amount", required=False)
    third_party = money_field("Third party budget amount", required=False)
    held_by = forms.CharField(
        label="Organisation holding the third party budget", max_length=200, required=False
    )
    direct_payment = money_field("Direct payment amount", required=False)

    def clean(self):
        data = super().clean()
        # An organisation named with no amount would be dropped unseen: ask which was meant.
        named = (data.get("held_by") or "").strip()
        if named and not data.get("third_party") and "third_party" not in self.errors:
            self.add_error(
                "third_party",
                "Enter the third party budget amount, or leave the organisation empty",
            )
        return data

    def portions(self) -> list[tuple[str, Decimal, str]]:
        data = self.cleaned_data
        return [
            (
                method,
                data[method],
                data.get("held_by", "") if method == HoldingMethod.THIRD_PARTY else "",
            )
            for method in (
                HoldingMethod.NOTIONAL,
                HoldingMethod.THIRD_PARTY,
                HoldingMethod.DIRECT_PAYMENT,
            )
            if data.get(method)
        ]


class VersionForm(NHSFormMixin, forms.Form):
    """The version of the budget the page showed, so a stale action is caught."""

    version = NHSIntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2_147_483_647,
        error_messages={
            "required": "This page is out of date. Go back, reload the page and try again",
            "invalid": "This page is out of date. Go back, reload the page and try again",
            "min_value": "This page is out of date. Go back, reload the page and try again",
            "max_value": "This page is out of date. Go back, reload the page and try again",
        },
    )


class WithdrawForm(VersionForm):
    reason = forms.CharField(
        label="Why the budget is being withdrawn",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="It stays on the person's record with this reason, and is never agreed",
    )


class SendBackForm(VersionForm):
    reason = forms.CharField(
        label="Why the budget is going back to draft",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what needs to change, so whoever changes it knows",
    )


class BudgetPolicyForm(NHSFormMixin, forms.Form):
    preparer_may_agree = forms.TypedChoiceField(
        label="Can the person who prepared or proposed a budget also agree it?",
        choices=[
            ("no", "No, another PHB lead always agrees it"),
            ("yes", "Yes, for budgets below an amount"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the person who prepared a budget can also agree it",
            "invalid_choice": "Select whether the person who prepared a budget can also agree it",
        },
    )
    preparer_may_agree_below = money_field(
        "Amount",
        required=False,
        minimum=Decimal("0.01"),
        help_text="Only if you chose yes: budgets below this amount for their whole period",
    )
    # When the policy was last changed as the page was drawn (empty: there was none).
    seen = PageSeenField(required=False)

    def clean(self):
        data = super().clean()
        missing = data.get("preparer_may_agree") and data.get("preparer_may_agree_below") is None
        if missing and "preparer_may_agree_below" not in self.errors:
            self.add_error(
                "preparer_may_agree_below",
                "Enter the amount below which the person who prepared a budget may agree it",
            )
        return data


class ClinicalCheckForm(VersionForm):
    supported = forms.TypedChoiceField(
        label="Do you support this amount on clinical grounds?",
        choices=[("yes", "Yes, I support it"), ("no", "No, I do not support it")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you support this amount on clinical grounds",
            "invalid_choice": "Select whether you support this amount on clinical grounds",
        },
    )
    notes = forms.CharField(
        label="What you checked and why",
        max_length=FREE_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NationalRatesForm(NHSFormMixin, forms.ModelForm):
    effective_from = NHSDateField(
        label="In force from",
        help_text="For example, 1 4 2027",
        error_messages={
            "required": "Enter the date these figures are in force from",
            "unique": "There are already national figures in force from this date",
        },
    )
    holiday_weeks = NHSDecimalField(
        label="Holiday entitlement (weeks)",
        min_value=0,
        max_value=52,
        max_digits=4,
        decimal_places=2,
    )
    # Rates are typed as percentages and stored as fractions.
    employer_ni_rate = NHSPercentField(
        label="Employer National Insurance rate (%)", help_text="For example, 15"
    )
    pension_employer_min_rate = NHSPercentField(
        label="Minimum employer pension contribution (%)", help_text="For example, 3"
    )
    ssp_earnings_rate = NHSPercentField(
        label="Statutory Sick Pay cap as a share of average weekly earnings (%)",
        help_text="For example, 80",
    )
    holiday_accrual_rate = NHSPercentField(
        label="Holiday accrual for irregular hours (%)", help_text="For example, 12.07"
    )

    class Meta:
        model = NationalRateSet
        fields = ["name", "effective_from", *NATIONAL_NUMBER_FIELDS]

    def clean(self):
        data = super().clean()
        day = check_year(self, "effective_from", "The date these figures are in force from")
        if day is not None:
            first = financial_year(day)[0].year
            check_name_year(self, day, first, "the figures are in force from")
        lower = data.get("pension_qualifying_lower_annual")
        upper = data.get("pension_qualifying_upper_annual")
        if lower is not None and upper is not None and upper <= lower:
            self.add_error(
                "pension_qualifying_upper_annual",
                f"The upper end of the qualifying earnings band must be more than the lower "
                f"end, £{lower:,.2f}",
            )
        return data


class LocalRatesForm(NHSFormMixin, forms.ModelForm):
    effective_from = NHSDateField(
        label="In force from",
        help_text="For example, 1 4 2027",
        error_messages={"required": "Enter the date these rates are in force from"},
    )
    # The database allows a contingency of at most half the PA costs.
    contingency_rate = NHSPercentField(
        label="Contingency (%)",
        max_percent=50,
        help_text="A share of the PA costs set aside for the unexpected. For example, 5",
    )

    class Meta:
        model = LocalRateSet
        fields = ["effective_from", *LOCAL_NUMBER_FIELDS]

    def clean(self):
        data = super().clean()
        check_year(self, "effective_from", "The date these rates are in force from")
        return data


class PricePerPointForm(NHSFormMixin, forms.Form):
    price_per_point = money_field("Price per point", minimum=Decimal("0.01"))


class QuestionnaireForm(PricePerPointForm):
    field_order = ["financial_year", "price_per_point"]
    financial_year = NHSIntegerField(
        label="Financial year it starts",
        initial=_this_financial_year,
        min_value=2000,
        max_value=2100,
        help_text="2026 for 2026/27",
    )


class DomainForm(NHSFormMixin, forms.Form):
    """A domain's name and question; its answers are rows (`AnswerFormSet`)."""

    name = forms.CharField(label="Domain", max_length=100, help_text="For example, Personal care")
    question = forms.CharField(label="Question", max_length=300)


class AnswerForm(NHSFormMixin, forms.Form):
    """One answer to a domain's question and the points it scores."""

    text = forms.CharField(
        label="Answer",
        max_length=300,
        required=False,
        help_text="For example, Needs help with all personal care",
    )
    points = NHSIntegerField(
        label="Points",
        required=False,
        min_value=0,
        max_value=MAX_POINTS,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )

    def clean(self):
        data = super().clean()
        text, points = data.get("text", ""), data.get("points")
        if text and points is None and "points" not in self.errors:
            self.add_error("points", f"Enter the points for {text}")
        if points is not None and not text and "text" not in self.errors:
            self.add_error("text", "Enter the answer")
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("text"))


class AnswerRowsFormSet(NHSFormSet):
    def clean(self):
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.cleaned_data and form.is_filled]
        if not self.forms:  # no rows were sent at all (a page that was tampered with)
            raise forms.ValidationError("Give at least 2 answers, each with its points")
        if len(filled) < 2:
            empty = next((f for f in self.forms if f not in filled), self.forms[-1])
            empty.add_error("text", "Give at least 2 answers, each with its points")
        elif len(filled) > MAX_ANSWERS:
            raise forms.ValidationError(f"Give no more than {MAX_ANSWERS} answers")
        # "Same" twice (or "same " and "Same") is one answer offered twice: a person could not
        # tell which they chose.
        given = set()
        for form in filled:
            text = form.cleaned_data["text"]
            key = " ".join(text.split()).casefold()
            if key in given:
                form.add_error("text", f"{text} is already an answer. Enter a different answer")
            given.add(key)

    def options(self) -> list[tuple[str, int]]:
        """The answers given, in order, as (text, points)."""
        return [
            (form.cleaned_data["text"], form.cleaned_data["points"])
            for form in self.forms
            if form.cleaned_data and form.is_filled
        ]


# Two rows to start with (a question needs at least two answers); "Add another answer" adds
# more, up to MAX_ANSWERS.
AnswerFormSet = forms.formset_factory(
    AnswerForm,
    formset=AnswerRowsFormSet,
    extra=0,
    min_num=2,
    max_num=MAX_ANSWERS,
    absolute_max=MAX_ANSWERS,
)
