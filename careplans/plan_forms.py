"""Forms for writing a care and support plan and deciding it. Plain forms: the services
validate and save; every form carries the version's `lock_version` so a stale page is refused."""

from decimal import Decimal

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from budgets.money import MoneyField
from careplans.models import (
    ActionStatus,
    DecisionOutcome,
    Importance,
    SupportCategory,
    SupportFrequency,
)
from careplans.services import ItemChoice
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, NHSDecimalField, NHSIntegerField, page_version_field
from phb.validators import shows_nothing


def text(label, *, max_length=5000, required=False, help_text="", rows=4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class LockedForm(NHSFormMixin, forms.Form):
    # Required: a page without it (or with anything but a number) is refused as stale, never
    # saved without the check.
    lock_version = page_version_field()


class SectionsForm(LockedForm):
    """The plan's own sections (PRSB): about me, health, outcomes, contingency, agreement."""

    what_matters = text("What matters to me")
    strengths = text("My strengths")
    communication_needs = text(
        "How I communicate and what helps me",
        help_text="Communication and accessibility needs, for example British Sign Language",
    )
    health_needs = text("My health needs")
    outcomes_evidence = text("How we will know the plan is working")
    crisis_plan = text("If I am in crisis")
    relapse_plan = text("If my health gets worse")
    pa_absence_plan = text("If my personal assistant cannot come")
    budget = forms.ChoiceField(label="The budget that pays for this plan", required=False)
    over_budget_justification = text(
        "Why the plan costs more than the budget",
        help_text="Needed only when the plan costs more than the budget. It explains the plan "
        "to whoever decides it, but a plan is approved for no more than its budget: the budget "
        "must be increased first, or items cut",
    )
    representative = forms.ChoiceField(
        label="The representative or nominee who agreed the plan", required=False
    )
    representative_agreed_on = NHSDateField(
        label="Date the representative agreed the plan",
        required=False,
        help_text="For example, 15 4 2026",
    )
    person_agreed_on = NHSDateField(
        label="Date the person agreed the plan", required=False, help_text="For example, 15 4 2026"
    )

    def __init__(self, *args, budgets=(), representatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.budgets = {str(b.pk): b for b in budgets}
        self.representatives = {str(r.pk): r for r in representatives}
        self.fields["budget"].choices = [("", "Not chosen yet")] + [
            (
                pk,
                f"{b.period_start:%-d %b %Y} to {b.full_period_end:%-d %b %Y}: "
                f"£{b.agreed_amount:,.2f}",
            )
            for pk, b in self.budgets.items()
        ]
        self.fields["representative"].choices = [("", "Not chosen")] + [
            (pk, r.user.full_name) for pk, r in self.representatives.items()
        ]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lock_version")
        data["budget"] = self.budgets.get(data["budget"])
        data["representative"] = self.representatives.get(data["representative"])
        return data


class GoalForm(LockedForm):
    description = text("The goal, in the person's words", max_length=1000, required=True, rows=3)
    importance = forms.ChoiceField(
        label="How important is it to them?",
        choices=Importance.choices,
        widget=forms.RadioSelect,
    )


class ActionForm(LockedForm):
    goal = forms.ChoiceField(label="Which goal is it for?", widget=forms.RadioSelect)
    what = text("What will be done", max_length=1000, required=True, rows=3)
    who = forms.CharField(label="Who will do it", max_length=200)
    when = forms.CharField(
        label="By when",
        max_length=100,
        help_text="For example, by June",
        error_messages={
            "required": "Enter when it will be done by",
            "max_length": "When it will be done by must be 100 characters or fewer",
        },
    )
    status = forms.ChoiceField(
        label="Where it stands", choices=ActionStatus.choices, widget=forms.RadioSelect
    )
    confidence = NHSIntegerField(
        label="How confident the person feels (0 to 10)",
        min_value=0,
        max_value=10,
        help_text="0 is not at all confident, 10 is completely confident",
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {str(g.pk): g for g in goals}
        self.fields["goal"].choices = [(pk, g.description) for pk, g in self.goals.items()]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lock_version")
        data.pop("goal")
        return data


class ProfessionalContactForm(LockedForm):
    name = forms.CharField(label="Name", max_length=200)
    role = forms.CharField(
        label="Role", max_length=200, help_text="For example, GP or district nurse"
    )
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)
    is_care_coordinator = forms.BooleanField(label="Named care coordinator", required=False)
    has_clinical_responsibility = forms.BooleanField(
        label="Holds clinical responsibility", required=False
    )


class PersonalContactForm(LockedForm):
    name = forms.CharField(label="Name", max_length=200)
    relationship = forms.CharField(
        label="Relationship to the person", max_length=100, help_text="For example, daughter"
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)


class RiskForm(LockedForm):
    risk = text("The risk", max_length=1000, required=True, rows=3)
    consequence = text("What could happen", max_length=2000, required=True, rows=3)
    mitigation = text("How it is reduced", max_length=2000, required=True, rows=3)


class SupportItemForm(LockedForm):
    description = forms.CharField(label="What it is", max_length=300)
    category = forms.ChoiceField(label="Category", choices=SupportCategory.choices)
    provider = forms.CharField(label="Who provides it", max_length=200)
    unit_cost = MoneyField(label="Cost each time")
    quantity = NHSDecimalField(
        label="How many each time",
        max_digits=8,
        decimal_places=2,
        help_text="For example, 14 hours",
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("999999"))],
    )
    frequency = forms.ChoiceField(
        label="How often", choices=SupportFrequency.choices, widget=forms.RadioSelect
    )
    goals = forms.MultipleChoiceField(
        label="Which goals it helps with", widget=forms.CheckboxSelectMultiple, required=False
    )
    portion = forms.ChoiceField(label="Which part of the budget pays for it", required=False)
    pays_family_member = forms.BooleanField(
        label="It pays a family member or friend who lives in the same household", required=False
    )
    family_member_justification = text(
        "Why paying them is justified",
        help_text="Needed when it pays a family member or friend who lives with the person",
    )

    def __init__(self, *args, goals=(), portions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {str(g.pk): g for g in goals}
        self.portions = {str(p.pk): p for p in portions}
        self.fields["goals"].choices = [(pk, g.description) for pk, g in self.goals.items()]
        self.fields["portion"].choices = [("", "Not chosen yet")] + [
            (pk, f"{p.get_method_display()}: £{p.amount:,.2f}") for pk, p in self.portions.items()
        ]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("lock_version")
        data["goals"] = [self.goals[pk] for pk in data["goals"]]
        data["portion"] = self.portions.get(data["portion"])
        return data


class ReasonForm(LockedForm):
    reason = text("Why", max_length=2000, required=True, rows=3)


PLAN_OUTCOMES = [
    (DecisionOutcome.APPROVED, "Approve the plan as it is"),
    (DecisionOutcome.APPROVED_WITH_CHANGES, "Approve it with changes"),
    (DecisionOutcome.DECLINED, "Decline the plan"),
    (DecisionOutcome.DEFERRED, "Defer it for more information"),
]
ITEM_OUTCOMES = [
    (DecisionOutcome.APPROVED, "Approve"),
    (DecisionOutcome.APPROVED_WITH_CHANGES, "Approve at a lower cost"),
    (DecisionOutcome.DECLINED, "Decline"),
    (DecisionOutcome.DEFERRED, "Defer for more information"),
]


class DecisionForm(LockedForm):
    """The decision on the whole plan, then one choice, reason and changed cost per item."""

    outcome = forms.ChoiceField(
        label="Your decision", choices=PLAN_OUTCOMES, widget=forms.RadioSelect
    )
    reasons = text(
        "Reasons, written for the person",
        help_text=(
            "Needed unless you approve the plan as it is. The person reads this in their letter"
        ),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.description}: {item.cost_text}",
                choices=ITEM_OUTCOMES,
                widget=forms.RadioSelect,
                initial=DecisionOutcome.APPROVED,
                required=False,
            )
            self.fields[f"item_{item.pk}_cost"] = MoneyField(
                label=item.new_cost_label,
                required=False,
                help_text="Only when you approve it at a lower cost",
            )
            self.fields[f"item_{item.pk}_reasons"] = text(
                f"Reason for {item.description}, written for the person",
                max_length=5000,
                rows=2,
                help_text="Needed when you decline it, defer it or lower its cost",
            )

        self.helper.layout = Layout(
            "lock_version",
            *(
                Fieldset(
                    f"{item.description} ({item.get_category_display().lower()}, from "
                    f"{item.provider}): {item.cost_text}",
                    f"item_{item.pk}",
                    f"item_{item.pk}_cost",
                    f"item_{item.pk}_reasons",
                )
                for item in self.items
            ),
            Fieldset("The whole plan", "outcome", "reasons"),
        )

    def clean(self):
        """The service checks all of this too; here each message is put on its own field."""
        data = super().clean()
        outcome = data.get("outcome")
        whole = outcome in (DecisionOutcome.DECLINED, DecisionOutcome.DEFERRED)
        reasons = data.get("reasons") or ""
        if outcome and outcome != DecisionOutcome.APPROVED and shows_nothing(reasons):
            self.add_error("reasons", "Give the reasons for the decision, written for the person")
        for item in [] if whole else self.items:
            choice = data.get(f"item_{item.pk}") or DecisionOutcome.APPROVED
            if choice == DecisionOutcome.APPROVED:
                continue
            if shows_nothing(data.get(f"item_{item.pk}_reasons") or ""):
                self.add_error(
                    f"item_{item.pk}_reasons",
                    f"Give the reason for {item.description}, written for the person",
                )
            if (
                choice == DecisionOutcome.APPROVED_WITH_CHANGES
                and data.get(f"item_{item.pk}_cost") is None
                and f"item_{item.pk}_cost" not in self.errors  # one message a box
            ):
                self.add_error(f"item_{item.pk}_cost", item.new_cost_missing)
        return data

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            str(item.pk): ItemChoice(
                data.get(f"item_{item.pk}") or DecisionOutcome.APPROVED,
                reasons=data.get(f"item_{item.pk}_reasons") or "",
                changed_cost=data.get(f"item_{item.pk}_cost"),
            )
            for item in self.items
        }
