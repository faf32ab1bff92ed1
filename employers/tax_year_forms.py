"""The form for one tax year's payroll figures, kept by the service administrator."""

from django import forms

from budgets.forms import check_name_year, check_year
from budgets.money import MoneyField
from employers.models import TaxYearRateSet
from employers.models.payroll import TAX_YEAR_FIELDS, TAX_YEAR_RATE_FIELDS
from employers.tax_year_words import label_of
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, NHSPercentField

FIGURES = TAX_YEAR_FIELDS[1:]


class TaxYearFiguresForm(NHSFormMixin, forms.ModelForm):
    name = forms.CharField(
        label="Name",
        max_length=50,
        help_text="For example, 2027/28",
        error_messages={"required": "Enter a name for these figures, for example 2027/28"},
    )
    tax_year_start = NHSDateField(
        label="Tax year starts on",
        help_text="6 April. For example, 6 4 2027",
        error_messages={
            "required": "Enter the day the tax year starts, 6 April",
            "unique": "There are already figures for the tax year from this day",
        },
    )

    class Meta:
        model = TaxYearRateSet
        fields = ["name", "tax_year_start", *FIGURES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURES:
            if name in TAX_YEAR_RATE_FIELDS:
                self.fields[name] = NHSPercentField(label=label_of(name))
            else:
                self.fields[name] = MoneyField(label=label_of(name))

    def clean_tax_year_start(self):
        start = self.cleaned_data["tax_year_start"]
        if (start.month, start.day) != (4, 6):
            raise forms.ValidationError(
                f"A tax year starts on 6 April: enter 6 April {start.year}, or the year you mean"
            )
        return start

    def clean(self):
        data = super().clean()
        start = check_year(self, "tax_year_start", "The day the tax year starts")
        if start is not None:
            check_name_year(self, start, start.year, "the tax year starts on")
        return data
