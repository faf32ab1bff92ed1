"""Forms for timesheets. The services check the rules (dates, overlaps, 24 hours in a day);
these forms only turn what was typed into values, with NHS.UK messages."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from employers.models import ShiftKind
from employers.services.timesheets import ShiftDetails
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, PageSeenField

TIME_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$", re.ASCII)


class TimeField(forms.CharField):
    """A clock time typed as 24-hour hours and minutes, like 09:30 or 22:00."""

    def __init__(self, *, label: str, help_text: str = "", **kwargs):
        super().__init__(
            label=label,
            help_text=" ".join(
                filter(None, ("Use the 24-hour clock, like 09:30 or 22:00.", help_text))
            ),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
            **kwargs,
        )
        self.what = label.lower()

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = TIME_PATTERN.match(value) if len(value) <= 8 else None
        hours, minutes = (int(part) for part in match.groups()) if match else (-1, -1)
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise ValidationError(
                f"Enter the {self.what} as a 24-hour clock time, like 09:30 or 22:00",
                code="invalid",
            )
        return datetime.time(hours, minutes)


class TimesheetDatesForm(NHSFormMixin, forms.Form):
    starts_on = NHSDateField(label="First day", help_text="For example, 1 10 2026")
    ends_on = NHSDateField(label="Last day", help_text="For example, 30 10 2026")


class ShiftForm(NHSFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Type of shift", choices=ShiftKind.choices, widget=forms.RadioSelect
    )
    day = NHSDateField(label="Day the shift started", help_text="For example, 24 10 2026")
    starts = TimeField(label="Start time")
    ends = TimeField(
        label="End time",
        help_text="An end time before the start time means the shift ended the next day. The "
        "same time as the start means a shift of a whole day (24 hours, or 23 or 25 when the "
        "clocks change that night).",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=300,
        help_text="Anything the person approving the timesheet should know about this shift",
    )

    def __init__(self, *args, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if changing:
            # Changing a shift: when its timesheet had last changed as the page shows it
            # (ADR 0042), so that a colleague's change since is not undone.
            self.fields["seen"] = PageSeenField()

    @classmethod
    def initial_for(cls, shift, zone, *, seen=None) -> dict:
        starts = shift.starts_at.astimezone(zone)
        ends = shift.ends_at.astimezone(zone)
        return {
            "kind": shift.kind,
            "day": starts.date(),
            "starts": f"{starts:%H:%M}",
            "ends": f"{ends:%H:%M}",
            "notes": shift.notes,
            "seen": seen,
        }

    def details(self) -> ShiftDetails:
        data = self.cleaned_data
        return ShiftDetails(
            kind=data["kind"],
            day=data["day"],
            starts=data["starts"],
            ends=data["ends"],
            notes=data["notes"].strip(),
        )


class SubmitTimesheetForm(NHSFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I confirm these shifts are right",
        error_messages={"required": "Confirm that these shifts are right before sending them"},
    )
    # When the timesheet had last changed as the page shows its shifts (ADR 0042).
    seen = PageSeenField()


class RemoveShiftForm(NHSFormMixin, forms.Form):
    remove = forms.ChoiceField(
        label="Do you want to remove this shift?",
        choices=[("yes", "Yes, remove it"), ("no", "No, keep it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether to remove this shift"},
    )
    seen = PageSeenField()


class DecisionForm(NHSFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="What do you want to do with this timesheet?",
        choices=[("approve", "Approve it"), ("return", "Send it back for changes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve the timesheet or send it back"},
    )
    reason = forms.CharField(
        label="Why are you sending it back? (only if you send it back)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 500 characters or fewer"},
    )
    # When the timesheet had last changed as the page shows it (ADR 0042): a decision is
    # about the shifts the approver saw.
    seen = PageSeenField()

    def __init__(self, *args, may_approve: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_approve:
            # Only sending it back can be done (the page says why): the one choice offered.
            field = self.fields["decision"]
            field.choices = [("return", "Send it back for changes")]
            field.error_messages["invalid_choice"] = field.error_messages["required"] = (
                "This timesheet cannot be approved: choose to send it back"
            )

    def clean(self):
        data = super().clean()
        if self.has_error("reason"):
            return data  # a reason was given, too long: that is the one thing to say
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why you are sending the timesheet back")
        return data
