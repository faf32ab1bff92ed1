"""Forms for delegated tasks. The services check the rules (who, when, what is missing); these
forms only turn what was typed into values, with NHS.UK messages. Choices are uuid strings of
records the page has already scoped to the user, so hostile values are simply not in the list."""

from django import forms
from django.core.cache import cache

from employers.models import RiskLevel
from employers.services.delegation import DelegationDetails, TaskDetails
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, NHSIntegerField, PageSeenField, page_version_field


def _text(label, *, max_length=2000, help_text="", required=True):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if max_length > 200 else forms.TextInput,
    )


class TaskForm(NHSFormMixin, forms.Form):
    name = _text("Task", max_length=200)
    description = _text("Description")
    risk_level = forms.ChoiceField(
        label="Risk level", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    required_training = forms.MultipleChoiceField(
        label="Training needed first",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="From your ICB's training catalogue. Select all that apply.",
        error_messages={"invalid_choice": "Choose training from the list"},
    )
    review_months = NHSIntegerField(
        label="Months between competence reviews", min_value=1, max_value=36
    )

    def __init__(self, *args, modules=(), task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = {str(module.pk): module for module in modules}
        self.fields["required_training"].choices = [
            (pk, str(module)) for pk, module in self.modules.items()
        ]
        if task is not None:
            # Changing a task: when it had last changed as the page shows it (ADR 0042).
            self.fields["seen"] = PageSeenField()

    @classmethod
    def initial_for(cls, task) -> dict:
        return {
            "name": task.name,
            "description": task.description,
            "risk_level": task.risk_level,
            "review_months": task.review_months,
            "required_training": [str(module.pk) for module in task.required_training.all()],
            "seen": task.updated_at,
        }

    def details(self) -> TaskDetails:
        data = self.cleaned_data
        return TaskDetails(
            name=data["name"],
            description=data["description"],
            risk_level=data["risk_level"],
            review_months=data["review_months"],
            required_training=tuple(self.modules[pk] for pk in data["required_training"]),
        )


class DelegationForm(NHSFormMixin, forms.Form):
    task = forms.ChoiceField(
        label="Task",
        error_messages={"required": "Choose the task", "invalid_choice": "Choose the task"},
    )
    how_it_applies = _text("How the task applies to this person")
    persons_choice = _text("What the person wants, in their words")
    consent_given_on = NHSDateField(
        label="Date the person (or their representative) consented",
        help_text="For example, 15 3 2026",
    )
    stability = _text("How stable the person's condition is")
    complexity = _text("How complex the task is for this person")
    risk_level = forms.ChoiceField(
        label="Risk after the assessment", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    benefits = _text("Benefits to the person of a PA doing it")
    professional_body = _text(
        "Your professional body", max_length=100, help_text="For example, NMC or HCPC."
    )
    registration_number = _text("Your registration number", max_length=30)

    def __init__(self, *args, tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = {str(task.pk): task for task in tasks}
        self.fields["task"].choices = [("", "Choose the task")] + [
            (pk, task.name) for pk, task in self.tasks.items()
        ]

    def details(self) -> DelegationDetails:
        data = self.cleaned_data
        return DelegationDetails(
            task=self.tasks[data["task"]],
            how_it_applies=data["how_it_applies"],
            persons_choice=data["persons_choice"],
            consent_given_on=data["consent_given_on"],
            stability=data["stability"],
            complexity=data["complexity"],
            risk_level=data["risk_level"],
            benefits=data["benefits"],
            professional_body=data["professional_body"],
            registration_number=data["registration_number"],
        )


class StartCompetenceForm(NHSFormMixin, forms.Form):
    assistant = forms.ChoiceField(
        label="PA",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the PA", "invalid_choice": "Choose the PA"},
    )

    def __init__(self, *args, assistants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assistants = {str(pa.pk): pa for pa in assistants}
        self.fields["assistant"].choices = [
            (pk, pa.full_name) for pk, pa in self.assistants.items()
        ]

    def chosen_assistant(self):
        return self.assistants[self.cleaned_data["assistant"]]


class AgreeForm(NHSFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I agree to this delegation and to my part in it",
        error_messages={"required": "Confirm that you agree before continuing"},
    )


class TrainingDeliveredForm(NHSFormMixin, forms.Form):
    delivered_on = NHSDateField(
        label="Date the task training was given", help_text="For example, 15 3 2026"
    )
    delivered_by = _text("Who gave it", max_length=200)
    lock_version = page_version_field()


class AssessmentForm(NHSFormMixin, forms.Form):
    assessed_on = NHSDateField(label="Date of the assessment", help_text="For example, 15 3 2026")
    observations = _text("What you observed")
    passed = forms.ChoiceField(
        label="Is the PA competent in this task?",
        choices=[("yes", "Yes, competent"), ("no", "Not yet")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the PA is competent in this task"},
    )
    lock_version = page_version_field()


# As many wrong passwords as sign-in allows (ACCOUNT_RATE_LIMITS "login_failed": 5 in 5
# minutes), then a wait.
WRONG_PASSWORDS_ALLOWED = 5
WRONG_PASSWORDS_WINDOW = 15 * 60


class SignOffForm(NHSFormMixin, forms.Form):
    """A deliberate act: the clinician confirms with their own password."""

    review_on = NHSDateField(label="Review date", help_text="For example, 15 3 2027")
    password = forms.CharField(
        label="Your password",
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To confirm that you are signing off this PA yourself.",
    )
    lock_version = page_version_field()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        # Wrong passwords are counted, as at sign-in: otherwise this form would let anyone at
        # a clinician's unlocked screen guess their password without limit.
        key = f"sign-off-wrong-passwords:{getattr(self.user, 'pk', '')}"
        if cache.get(key, 0) >= WRONG_PASSWORDS_ALLOWED:
            raise forms.ValidationError(
                f"The password was wrong {WRONG_PASSWORDS_ALLOWED} times: wait "
                f"{WRONG_PASSWORDS_WINDOW // 60} minutes, then try again"
            )
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            cache.add(key, 0, WRONG_PASSWORDS_WINDOW)
            cache.incr(key)
            raise forms.ValidationError("The password is not right: enter your own password")
        cache.delete(key)
        return password


class StopForm(NHSFormMixin, forms.Form):
    action = forms.ChoiceField(
        label="What do you want to do?",
        choices=[
            ("suspend", "Suspend it until the PA is reassessed"),
            ("revoke", "Revoke it for good"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to suspend or revoke"},
    )
    reason = _text("Reason", max_length=500)
    lock_version = page_version_field()


class EndDelegationForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the delegation ending?",
        help_text="For example, the person's condition has changed or the task is no longer "
        "needed.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the delegation is ending",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )
