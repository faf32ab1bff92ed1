"""The pay-run form: finalising a reviewed run."""

from django import forms

from phb.forms import NHSFormMixin
from phb.nhsuk_forms import PageSeenField


class FinaliseForm(NHSFormMixin, forms.Form):
    checked = forms.BooleanField(
        label="I have checked every payslip in this pay run",
        help_text="Once it is finalised, it cannot be changed. A mistake needs a correction run.",
        error_messages={"required": "Confirm that you have checked every payslip"},
    )
    # When the run had last changed (been worked out) as the page shows it (ADR 0042): what
    # is finalised is the payslips that were checked.
    seen = PageSeenField()
