"""Forms for payments and changes of amount: schedules, payments made, payment runs, and
increases and reductions with their letters."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from budgets.forms import VersionForm, money_field
from budgets.models.changes import JUSTIFICATION_MAX_LENGTH
from budgets.models.payments import (
    REASON_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    InstalmentFrequencyChoice,
)
from budgets.money import PENNY, MoneyField
from phb.forms import NHSFormMixin, with_defaults
from phb.nhsuk_forms import NHSDateField, apply_nhs_error_messages

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ALL = "all"


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _reference_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REFERENCE_MAX_LENGTH,
        help_text="As it appears on the bank statement or in the finance system",
    )


# --- Payment schedules --------------------------------------------------------------------------


class PaymentScheduleForm(NHSFormMixin, forms.Form):
    """The first step: how often, from when, and whether the payments are equal."""

    frequency = forms.ChoiceField(
        label="How often", choices=InstalmentFrequencyChoice.choices, widget=forms.RadioSelect
    )
    first_payment_date = NHSDateField(
        label="First payment date",
        help_text="The first review is due within 3 months of it. For example, 1 1 2027",
    )
    split = forms.ChoiceField(
        label="Amount of each payment",
        choices=[
            ("equal", "Equal payments (any odd pennies go on the first payments)"),
            ("own", "I will enter the amount of each payment"),
        ],
        widget=forms.RadioSelect,
        initial="equal",
    )
    # The schedule the page was drawn with ("" for none), so that one set since in another
    # tab is not replaced unseen.
    seen_schedule = forms.CharField(widget=forms.HiddenInput, required=False, max_length=36)


def _labelled_money(name: str, label: str, words: str) -> MoneyField:
    """A money field labelled `label` whose messages name it as `words` ("Payment on ...").

    Every payment is at least a penny (as `set_payment_schedule` says), so -1 and 0.00 both
    read "must be £0.01 or more", and the input says min="0.01"."""
    field = MoneyField(label=words, minimum=PENNY)
    apply_nhs_error_messages(field, name)
    field.label = label
    return field


class InstalmentRowsForm(NHSFormMixin, forms.Form):
    """The second step: one row per payment when staff enter their own amounts, and, for a
    first payment date in the past, the confirmation, the reason and how each payment due
    before today was paid."""

    def __init__(self, *args, dates, own_amounts: bool, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.dates = dates
        self.past = [day for day in dates if day < today]
        if self.past:
            first = dates[0]
            self.fields["backdated"] = forms.BooleanField(
                label=f"I confirm the first payment date, {_day(first)}, is in the past",
                error_messages={
                    "required": "Confirm that the first payment date is in the past, or go "
                    "back and choose a date from today"
                },
            )
            self.fields["backdated_reason"] = forms.CharField(
                label="Why the first payment date is in the past",
                max_length=REASON_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="For example, the budget was agreed after it started",
            )
        for number, day in enumerate(dates, start=1):
            if own_amounts:
                name = f"amount_{number}"
                # A payment of £0.00 is refused here and by the service, on this row's field.
                self.fields[name] = _labelled_money(
                    name, f"Payment on {_day(day)}", f"The payment on {_day(day)}"
                )
            if day in self.past:
                self.fields[f"paid_on_{number}"] = NHSDateField(
                    label=f"Date the payment due on {_day(day)} was paid",
                    initial=day,
                    help_text=f"For example, {day.day} {day.month} {day.year}",
                )
                self.fields[f"reference_{number}"] = _reference_field(
                    f"Payment reference for the payment due on {_day(day)}"
                )

    def amounts(self) -> list[Decimal] | None:
        names = [f"amount_{n}" for n in range(1, len(self.dates) + 1)]
        if names[0] not in self.fields:
            return None
        return [self.cleaned_data[name] for name in names]

    def paid_before_today(self) -> dict:
        from budgets.services import PastPayment

        return {
            day: PastPayment(
                self.cleaned_data[f"paid_on_{number}"], self.cleaned_data[f"reference_{number}"]
            )
            for number, day in enumerate(self.dates, start=1)
            if day in self.past
        }


# --- Payments made ------------------------------------------------------------------------------


class RecordPaymentForm(NHSFormMixin, forms.Form):
    paid_on = NHSDateField(label="Date it was paid", help_text="For example, 1 12 2026")
    reference = _reference_field("Payment reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **with_defaults(kwargs, paid_on=timezone.localdate()))


class PaymentsDueForm(NHSFormMixin, forms.Form):
    """Which payments the payments due page lists."""

    due_up_to = NHSDateField(
        label="Show payments due up to",
        named="The date to show payments up to",
        help_text="For example, 30 11 2026",
        required=False,
    )


class InstalmentsField(forms.MultipleChoiceField):
    """Instalments chosen by their ids. Any id is accepted here (the list may have changed
    since the page was drawn); the service decides what may be recorded."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value) -> bool:
        return value == ALL or bool(UUID.fullmatch(str(value)))


class PaymentRunForm(NHSFormMixin, forms.Form):
    instalments = InstalmentsField(label="Payments that were made")
    paid_on = NHSDateField(label="Date they were paid", help_text="For example, 1 12 2026")
    reference = _reference_field("Payment reference")
    due_up_to = forms.DateField(widget=forms.HiddenInput)
    shown = InstalmentsField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **with_defaults(kwargs, paid_on=timezone.localdate()))
        choices = list(choices)
        self.fields["instalments"].choices = [
            (ALL, "Select all payments on this page"),
            *choices,
        ]
        self.fields["shown"].choices = choices
        self.fields["due_up_to"].error_messages = {
            "required": "This page is out of date. Go back, reload the page and try again",
            "invalid": "This page is out of date. Go back, reload the page and try again",
        }
        self.fields["shown"].error_messages["invalid_choice"] = (
            "This page is out of date. Go back, reload the page and try again"
        )

    def chosen(self) -> list[str]:
        values = self.cleaned_data["instalments"]
        if ALL in values:
            return sorted(set(self.cleaned_data.get("shown") or []) | set(values) - {ALL})
        return values


# --- Changes of amount --------------------------------------------------------------------------


class ChangeAmountForm(VersionForm):
    new_amount = money_field("New budget amount for the period")
    effective_from = NHSDateField(
        label="Date the change starts",
        help_text=(
            f"A reduction needs at least {settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS} days' "
            "notice from the date of the letter (today). An increase can start today. "
            "For example, 1 2 2027"
        ),
    )
    reason = forms.CharField(
        label="Why the budget is changing",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="This goes in the letter to the person. Use plain English.",
    )


class IssueChangeForm(VersionForm):
    """The change as previewed, sent back by the preview page with a fingerprint of the
    letters the user saw."""

    new_amount = MoneyField(widget=forms.HiddenInput, label="New budget amount")
    effective_from = forms.DateField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.HiddenInput, max_length=REASON_MAX_LENGTH)
    previewed = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stale = "This page is out of date. Go back, reload the page and try again"
        for name in ("new_amount", "effective_from", "reason", "previewed"):
            field = self.fields[name]
            field.error_messages = dict.fromkeys(
                [*field.error_messages, "required", "invalid"], stale
            )


class ProposeIncreaseForm(VersionForm):
    new_amount = money_field("New budget amount for the period")
    clinical_justification = forms.CharField(
        label="Clinical justification",
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "Why the person needs more than the indicative amount. A clinician will check it."
        ),
    )


class IncreaseCheckForm(VersionForm):
    # The proposal the page showed: the check is of that one, never of one made since.
    proposal = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page is out of date. Go back, reload the page and try again",
            "invalid": "This page is out of date. Go back, reload the page and try again",
        },
    )
    supported = forms.TypedChoiceField(
        label="Do you support this increase on clinical grounds?",
        choices=[("yes", "Yes, I support it"), ("no", "No, I do not support it")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you support this increase on clinical grounds",
            "invalid_choice": "Select whether you support this increase on clinical grounds",
        },
    )
    notes = forms.CharField(
        label="What you checked and why",
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
