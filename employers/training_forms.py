"""Forms for training: the ICB's catalogue and a PA's training records. The services check the
rules (dates, the assessor for a Care Certificate standard, the evidence's content); these
forms only turn what was typed into values, with NHS.UK messages."""

from django import forms

from employers.models.training import Funding
from employers.services.training import (
    MAX_EVIDENCE_BYTES,
    Evidence,
    ModuleDetails,
    TrainingDetails,
)
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField

REFRESH_HELP = "In months, from 1 to 120. Leave blank if it does not need refreshing."


def refresh_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Months before it needs refreshing",
        required=False,
        min_value=1,
        max_value=120,
        help_text=REFRESH_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
    )


class ModuleForm(NHSFormMixin, forms.Form):
    name = forms.CharField(label="Name of the training", max_length=200)
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refresh_months = refresh_field()

    def details(self) -> ModuleDetails:
        data = self.cleaned_data
        return ModuleDetails(
            name=data["name"],
            description=data["description"],
            refresh_months=data["refresh_months"],
        )


class ModuleChangeForm(NHSFormMixin, forms.Form):
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refresh_months = refresh_field()
    active = forms.ChoiceField(
        label="Is this training still in use?",
        choices=[("yes", "Yes, PAs should do it"), ("no", "No, take it out of use")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether this training is still in use"},
    )

    def __init__(self, *args, standard=False, **kwargs):
        super().__init__(*args, **kwargs)
        if standard:  # a Care Certificate standard is always in use
            del self.fields["active"]


class TrainingRecordForm(NHSFormMixin, forms.Form):
    module = forms.ModelChoiceField(
        label="Training",
        queryset=None,
        empty_label="Choose the training",
        error_messages={
            "required": "Choose the training",
            "invalid_choice": "Choose training from the list",
        },
    )
    provider = forms.CharField(label="Who gave the training", max_length=200)
    completed_on = NHSDateField(label="Date completed", help_text="For example, 15 3 2026")
    expires_on = NHSDateField(
        label="Expiry date (optional)",
        required=False,
        help_text="Leave blank to use the training's refresh interval. For example, 15 3 2027",
    )
    funding = forms.ChoiceField(
        label="Who paid for the training",
        choices=Funding.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who paid for the training"},
    )
    assessor_name = forms.CharField(
        label="Assessor's name (Care Certificate standards only)",
        required=False,
        max_length=200,
        help_text="The assessor who observed the PA's practice",
    )
    observed_on = NHSDateField(
        label="Date observed (Care Certificate standards only)",
        required=False,
        help_text="For example, 20 3 2026",
    )
    evidence = forms.FileField(
        label="Certificate or other evidence (optional)",
        required=False,
        help_text="A PDF, JPEG or PNG file, smaller than 5 MB",
        error_messages={"invalid": "The evidence must be a PDF, JPEG or PNG file"},
    )

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["module"].label_from_instance = str

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError("The evidence must be smaller than 5 MB")
        return upload

    def details(self) -> TrainingDetails:
        data = self.cleaned_data
        upload = data.get("evidence")
        evidence = Evidence(content=upload.read(), filename=upload.name) if upload else None
        return TrainingDetails(
            module=data["module"],
            provider=data["provider"],
            completed_on=data["completed_on"],
            expires_on=data.get("expires_on"),
            funding=data["funding"],
            assessor_name=data.get("assessor_name") or "",
            observed_on=data.get("observed_on"),
            evidence=evidence,
        )
