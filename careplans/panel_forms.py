"""Forms of the approval panel pages: a session, its agenda and attendance, conflicts, the
ICB's approval policy, and the fast decision screen."""

from django import forms

from budgets.money import MoneyField
from careplans.models import DecisionOutcome
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, NHSIntegerField, PageSeenField, page_version_field
from phb.validators import shows_nothing

OUTCOME_CHOICES = [
    (DecisionOutcome.APPROVED.value, "Approve"),
    (DecisionOutcome.APPROVED_WITH_CHANGES.value, "Approve with changes"),
    (DecisionOutcome.DECLINED.value, "Decline"),
    (DecisionOutcome.DEFERRED.value, "Defer for more information"),
]


def _people(users) -> list[tuple[str, str]]:
    return [(str(user.pk), user.full_name) for user in users]


class PanelSessionForm(NHSFormMixin, forms.Form):
    date = NHSDateField(label="Date of the panel", help_text="For example, 14 1 2027")
    starts_at = forms.TimeField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={
            "required": "Enter the time the panel starts",
            "invalid": "Enter the start time on the 24-hour clock, like 14:30",
        },
    )
    place = forms.CharField(
        label="Room or place (optional)",
        max_length=200,
        required=False,
        help_text="Give a place, a video call link, or both",
    )
    call_link = forms.URLField(
        label="Video call link (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the call link as a web address, like https://..."},
    )
    chair = forms.ChoiceField(
        label="Chair",
        error_messages={"required": "Choose the chair", "invalid_choice": "Choose the chair"},
    )
    members = forms.MultipleChoiceField(
        label="Members",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The chair is a member too. Select all that apply.",
        error_messages={"invalid_choice": "Choose members from the list"},
    )

    def __init__(self, *args, people=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].widget.attrs.update(
            {"class": "nhsuk-input--width-5", "autocomplete": "off"}
        )
        self.fields["chair"].choices = [("", "Choose the chair"), *_people(people)]
        self.fields["members"].choices = _people(people)
        if editing:
            # When the session the page showed was last changed: a change since, from another
            # tab, is refused rather than written over. Required: no token is a stale page.
            self.fields["seen_updated_at"] = PageSeenField()

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("call_link") and "call_link" not in self.errors:
            self.add_error("place", "Enter a room or place, or a video call link")
        return data


class AgendaAddForm(NHSFormMixin, forms.Form):
    versions = forms.MultipleChoiceField(
        label="Plans waiting for a panel",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all the plans to add. They go at the end of the agenda.",
        error_messages={
            "required": "Select at least one plan to add",
            # Most often a second tab: the plan was added to an agenda, or decided, since.
            "invalid_choice": "A plan you selected is no longer waiting for a panel: it was "
            "added to an agenda or decided since this page was opened. Select from the list "
            "as it is now",
        },
    )

    def __init__(self, *args, waiting=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versions"].choices = waiting


class AttendanceForm(NHSFormMixin, forms.Form):
    present = forms.MultipleChoiceField(
        label="Who is here",
        widget=forms.CheckboxSelectMultiple,
        help_text="Only members who are here can decide. Select all that apply.",
        error_messages={
            "required": "Select who is here",
            "invalid_choice": "Choose members of this panel",
        },
    )
    # When the session was last changed as the page was drawn: attendance recorded since,
    # from another tab, is refused rather than written over.
    seen_updated_at = PageSeenField()

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = _people(members)


class ConflictForm(NHSFormMixin, forms.Form):
    """A panel member declares their own conflict of interest in a plan on the agenda."""

    version = forms.ChoiceField(
        label="Plan",
        error_messages={
            "required": "Choose the plan",
            "invalid_choice": "Choose a plan on this agenda",
        },
    )
    reason = forms.CharField(
        label="What is the conflict of interest?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, you are the person's care coordinator or a relative",
        error_messages={"required": "Say what the conflict of interest is"},
    )

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "Choose the plan"), *plans]


class ApprovalPolicyForm(NHSFormMixin, forms.Form):
    lead_sign_off_limit = MoneyField(
        label="Largest yearly plan cost a PHB lead may sign off",
        help_text="Plans costing more go to a panel. 0.00 sends every plan to a panel.",
    )
    # When the policy last changed as the page was drawn: an older tab is refused.
    seen = PageSeenField()
    panel_quorum = NHSIntegerField(
        label="Members needed for a panel to decide",
        min_value=1,
        max_value=20,
        help_text="Members present, less anyone with a conflict in the plan. From 1 to 20.",
    )
    review_reminder_days = forms.CharField(
        label="Remind staff this many days before a review is due",
        max_length=50,
        help_text="Days, separated by commas, like 28, 7. Reminders also go on the day a "
        "review is due, and every week while it is overdue.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter the days before a review to remind staff, like 28, 7"},
    )


class DecisionForm(NHSFormMixin, forms.Form):
    """The whole plan's decision and its reasons, then one decision per support item."""

    lock_version = page_version_field()
    outcome = forms.ChoiceField(
        label="Decision on the plan",
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the panel's decision on the plan",
            "invalid_choice": "Choose the panel's decision on the plan",
        },
    )
    reasons = forms.CharField(
        label="Reasons, written for the person",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed unless the plan is approved as it is. These go in the letter.",
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"Decision on {item.description}",
                choices=OUTCOME_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Choose a decision for {item.description}"},
            )
            self.fields[f"item_{item.pk}_reasons"] = forms.CharField(
                label=f"Reasons for {item.description}",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"item_{item.pk}_cost"] = MoneyField(
                label=item.new_cost_label,
                required=False,
                help_text="Only if approved with changes",
            )

    def item_fields(self):
        """(item, its decision, reasons and new cost fields), in the plan's order."""
        return [
            (
                item,
                self[f"item_{item.pk}"],
                self[f"item_{item.pk}_reasons"],
                self[f"item_{item.pk}_cost"],
            )
            for item in self.items
        ]

    def clean(self):
        """The service checks these too; here they are found together, each on its own field,
        so the panel sees every problem at once."""
        data = super().clean()
        outcome = data.get("outcome")
        reasons = data.get("reasons") or ""
        if outcome and outcome != DecisionOutcome.APPROVED and shows_nothing(reasons):
            self.add_error("reasons", "Give the reasons for the decision, written for the person")
        if outcome in (None, DecisionOutcome.DECLINED, DecisionOutcome.DEFERRED):
            return data  # a declined or deferred plan's items share its outcome and reasons
        for item in self.items:
            name = f"item_{item.pk}"
            choice = data.get(name) or (outcome if outcome == DecisionOutcome.APPROVED else "")
            if not choice:
                if name not in self.errors:
                    self.add_error(name, f"Choose a decision for {item.description}")
                continue
            if choice == DecisionOutcome.APPROVED:
                continue
            if shows_nothing(data.get(f"{name}_reasons") or ""):
                self.add_error(
                    f"{name}_reasons",
                    f"Give the reason for {item.description}, written for the person",
                )
            cost = f"{name}_cost"
            if (
                choice == DecisionOutcome.APPROVED_WITH_CHANGES
                and data.get(cost) is None
                and cost not in self.errors
            ):
                self.add_error(cost, item.new_cost_missing)
        return data
