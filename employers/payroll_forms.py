"""The pay-run form: finalising a reviewed run."""

from django import forms

from phb.forms import NHSFormMixin


class FinaliseForm(NHSFormMixin, forms.Form):
    checked = forms.BooleanField(
        label="I have checked every payslip in this pay run",
        help_text="Once it is finalised, it cannot be changed. A mistake needs a correction run.",
        error_messages={"required": "Confirm that you have checked every payslip"},
    )
