"""Forms for reviews, reconsideration, stopping and repayment, and the choice of quarter for
the quarterly figures. The services check the rules; these forms only turn what was typed into
values, with NHS.UK messages."""

from django import forms

from budgets.forms import VersionForm, money_field
from budgets.money import PENNY
from careplans.models import (
    ProgressRating,
    ReconsiderationGround,
    ReconsiderationOutcome,
    RepaymentGround,
    RiskLevel,
    StopReason,
)
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, page_version_field

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label: str, *, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def text(label: str, *, required=True, help_text="", max_length=5000, rows=4, missing=""):
    """A box for writing; `missing` is what to say when it is left empty (as the service
    says it, so the page reads the same whichever notices)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": missing} if missing else None,
    )


class ReviewForm(NHSFormMixin, forms.Form):
    """What a review found, with one question per goal of the plan in use."""

    reviewer = forms.ChoiceField(label="Who carried out the review")
    completed_on = NHSDateField(label="Date of the review", help_text="For example, 20 7 2026")
    plan_still_right = yes_no("Is the plan still right for the person?")
    money_used_well = yes_no("Was the money used well, as the plan says?")
    amount_enough = yes_no("Is the amount enough to meet the person's needs?")
    conditions_kept = yes_no("Were the conditions of the budget kept?")
    risk_level = forms.ChoiceField(
        label="The person's level of risk",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        help_text="People at high risk are reviewed as often as your ICB's policy sets",
    )
    changes_needed = text("What needs to change", required=False)
    notes = text("Other notes", required=False)
    next_due_on = NHSDateField(
        label="Date of the next review (optional)",
        required=False,
        help_text="For example, 20 1 2027. Leave it empty for the latest date the rules allow",
    )
    start_new_version = forms.BooleanField(
        label="Start a new version of the plan with these changes", required=False
    )

    def __init__(self, *args, reviewers, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "Choose who")] + [
            (str(user.pk), user.full_name) for user in reviewers
        ]
        self.goals = list(goals)
        for number, goal in enumerate(self.goals, start=1):
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"Goal {number}: {goal.description}",
                choices=ProgressRating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Say how goal {number} is going"},
            )
            self.fields[f"goal_{goal.pk}_notes"] = text(
                f"Notes on goal {number} (optional)", required=False, max_length=2000, rows=2
            )

    def progress(self) -> dict:
        data = self.cleaned_data
        return {
            str(goal.pk): (data[f"goal_{goal.pk}"], data[f"goal_{goal.pk}_notes"])
            for goal in self.goals
        }


class BringForwardForm(NHSFormMixin, forms.Form):
    due_on = NHSDateField(label="New date the review is due by", help_text="For example, 15 1 2027")
    reason = text(
        "Why the review is being brought forward",
        max_length=2000,
        missing="Say why the review is being brought forward",
        help_text="For example, their health has changed, the money is not enough, or a concern",
    )


class ReconsiderationRequestForm(NHSFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Which decision the person wants looked at again",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision the person wants looked at again"},
    )
    ground = forms.ChoiceField(
        label="For a decision about the plan: what the person disagrees with",
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (ReconsiderationGround.DIRECT_PAYMENT_REFUSED, "A direct payment was refused"),
            (ReconsiderationGround.SERVICE_LEFT_OUT, "A service was left out of the plan"),
        ],
    )
    received_on = NHSDateField(
        label="Date the request was received", help_text="For example, 1 12 2026"
    )
    persons_reasons = text(
        "Why the person asks for the decision to be looked at again",
        missing="Say why the person wants the decision looked at again",
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decisions


class ReconsiderationDecisionForm(NHSFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="The outcome",
        choices=ReconsiderationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the decision stands, has been changed, or the person "
            "withdrew the request",
            "invalid_choice": "Choose one of the outcomes shown",
        },
    )
    outcome_reasons = text(
        "Reasons, written for the person",
        help_text="This goes in the letter to the person.",
        missing="Give the reasons, written for the person",
    )


class ChangeMadeForm(NHSFormMixin, forms.Form):
    made_on = NHSDateField(
        label="Date the change was made",
        help_text="For example, 4 12 2026",
        error_messages={"required": "Enter the date the change was made"},
    )
    note = text(
        "What was changed",
        help_text="For example, the budget was changed back to £12,000.00 a year from "
        "1 January 2027. This is kept on the person's record.",
        max_length=2000,
        missing="Say what was changed",
    )


class StopForm(VersionForm):
    reason = forms.ChoiceField(
        label="The reason the law allows for stopping the budget",
        choices=StopReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason the law allows for stopping the budget"},
    )
    explanation = text(
        "Reasons, written for the person",
        help_text="This goes in the letter to the person. Use plain English.",
        missing="Give the reasons, written for the person",
    )
    notice_given_on = NHSDateField(
        label="Date notice was given to the person", help_text="For example, 1 12 2026"
    )
    effective_on = NHSDateField(
        label="Date the budget stops",
        help_text="It pays for nothing from this day. For example, 1 1 2027",
    )


class RepaymentForm(NHSFormMixin, forms.Form):
    # How many requests the page showed: sending it twice asks for the money once.
    requests_seen = page_version_field()
    ground = forms.ChoiceField(
        label="The reason the law allows for asking for money back",
        choices=RepaymentGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason the law allows for asking for money back"},
    )
    amount = money_field(
        "Amount to pay back",
        help_text="In pounds and pence, for example 250.00",
        minimum=PENNY,
    )
    explanation = text(
        "Reasons, written for the person",
        help_text="This goes in the letter to the person. Use plain English.",
        missing="Give the reasons, written for the person",
    )
    due_by = NHSDateField(label="Date to pay it back by", help_text="For example, 31 1 2027")
    who_repays = forms.CharField(
        label="Who must pay it back",
        max_length=200,
        error_messages={"required": "Say who must pay the money back"},
        help_text="The person, their representative or nominee, or the organisation holding it",
    )


class SettlementForm(NHSFormMixin, forms.Form):
    # How many payments the page showed: sending it twice records the money once.
    settlements_seen = page_version_field()
    amount = money_field("Amount received", minimum=PENNY)
    received_on = NHSDateField(
        label="Date the money was received", help_text="For example, 1 12 2026"
    )
    reference = forms.CharField(
        label="Payment reference (optional)", max_length=100, required=False
    )


class QuarterForm(NHSFormMixin, forms.Form):
    """Which quarter's figures to show: one of `quarters` (careplans.selectors_quarterly)."""

    quarter = forms.ChoiceField(
        label="Quarter",
        error_messages={
            "required": "Select a quarter",
            "invalid_choice": "Select a quarter from the list",
        },
    )

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {quarter.key: quarter for quarter in quarters}
        self.fields["quarter"].choices = [(q.key, q.label) for q in quarters]

    def clean_quarter(self):
        return self.quarters[self.cleaned_data["quarter"]]
