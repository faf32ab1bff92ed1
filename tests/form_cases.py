"""Every form class in the apps, how to build it, and data that makes it valid.

`app_form_classes()` finds the forms by walking `django.forms.BaseForm`'s subclasses after
importing every module of the apps, so a new form is found without anyone listing it. A form
that cannot be built with no arguments, or whose automatically made data is not valid, needs an
entry in `REGISTRY`; the tests in `test_form_messages.py` fail and say so until it has one.
"""

import contextlib
import datetime
import html
import importlib
import pkgutil
import re
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from types import SimpleNamespace

from allauth.core.context import request_context
from django import forms
from django.apps import apps
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import validators
from django.template import Context, Template
from django.test import RequestFactory

from careplans.selectors_quarterly import quarters_offered
from phb.nhsuk_forms import NHSDateField

APPS = ("phb", "budgets", "careplans", "employers")
# Modules that are not imported to look for forms: settings (production's refuses to load
# without its secrets), migrations and the WSGI entry point.
NOT_IMPORTED = {"migrations", "settings", "wsgi"}


def app_form_classes() -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if NOT_IMPORTED.isdisjoint(module.name.split(".")):
                importlib.import_module(module.name)
    found = set()
    stack = [forms.BaseForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.split(".")[0] in APPS:
                found.add(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def form_id(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --- building forms ------------------------------------------------------------------------


def _user():
    from tests.factories import UserFactory

    return UserFactory()


def _request(user=None):
    request = RequestFactory().post("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user
    return request


class FakeQuestionnaire:
    """A RAS questionnaire as RasAssessmentForm reads it, without the database."""

    def __init__(self):
        options = [
            SimpleNamespace(pk="o1", text="Independent", points=0),
            SimpleNamespace(pk="o2", text="Needs some help", points=6),
        ]
        domain = SimpleNamespace(
            pk="d1",
            name="Personal care",
            question="How much help do you need with washing and dressing?",
            options=SimpleNamespace(all=lambda: options),
        )
        self.domains = SimpleNamespace(all=lambda: [domain])


@dataclass
class FormCase:
    """How to build one form class: constructor keyword arguments (made when needed, as they
    may touch the database) and data that overrides the automatically made valid data."""

    kwargs: object = dict
    valid: dict = dataclass_field(default_factory=dict)
    # allauth's forms read the request from allauth's context while they are cleaned.
    needs_request: bool = False


def _training_modules():
    """An ICB's training catalogue (seeded when the ICB is made)."""
    from employers.models.training import TrainingModule
    from tests.factories import OrganisationFactory

    icb = OrganisationFactory(name="NHS Forms Integrated Care Board", ods_code="QF1")
    return TrainingModule.objects.filter(organisation=icb)


def _tax_year_figures() -> dict:
    """A real tax year's figures (2026/27, as the migrations load them), for 6 April 2031: a
    tax year starts on 6 April, so a made-up date is not valid."""
    from employers.models.payroll import TAX_YEAR_RATE_FIELDS

    figures = importlib.import_module("employers.migrations.0002_payruns").FIGURES_2026_27
    loans = importlib.import_module("employers.migrations.0007_student_loans")
    return {
        k: str(Decimal(v) * 100 if k in TAX_YEAR_RATE_FIELDS else v)
        for k, v in (figures | loans.STUDENT_LOANS_2026_27).items()
    } | {
        "name": "2031/32",
        "tax_year_start_day": "6",
        "tax_year_start_month": "4",
        "tax_year_start_year": "2031",
    }


def _national_figures() -> dict:
    """A real year's national figures: they are checked as a set (bands and thresholds in
    order, every figure within sane bounds), so made-up numbers are not valid."""
    from budgets.models.rates import RATE_FIELDS
    from tests.budgets.factories import NATIONAL_2027_28

    figures = {
        k: str(v * 100 if k in RATE_FIELDS else v)  # rates are typed as percentages
        for k, v in NATIONAL_2027_28.items()
        if k != "effective_from"
    }
    return figures | {
        "name": "2031/32",
        "effective_from_day": "1",
        "effective_from_month": "4",
        "effective_from_year": "2031",
    }


INSTALMENT_ID = "6f1c2a4e-8b1d-4c1e-9a77-0d5b2e3f4a10"
# The increase a clinician's check page showed.
PROPOSAL_ID = "3d9e1b7a-5c2f-4a8e-b6d0-7f1e2a3c4b5d"


def _allauth(**kwargs):
    return FormCase(kwargs=lambda: {k: v() for k, v in kwargs.items()}, needs_request=True)


def _panel_people() -> list:
    return [
        SimpleNamespace(pk="u1", full_name="Priya Chair"),
        SimpleNamespace(pk="u2", full_name="Morgan Member"),
    ]


TRAINING_MODULE_ID = "0b5e8a9c-3f0a-4d6e-9a1b-2c3d4e5f6a7b"


def _training_module():
    from employers.models import TrainingModule

    return TrainingModule(pk=TRAINING_MODULE_ID, name="PEG feeding training", kind="task")


REGISTRY: dict[str, FormCase] = {
    "careplans.panel_forms.PanelSessionForm": FormCase(
        kwargs=lambda: {"people": _panel_people()},
        valid={
            "date_day": "14",
            "date_month": "1",
            "date_year": "2027",
            "starts_at": "10:00",
            "call_link": "https://meet.example.nhs.uk/panel",
            "chair": "u1",
        },
    ),
    "careplans.panel_forms.ApprovalPolicyForm": FormCase(
        valid={
            "lead_sign_off_limit": "5000.00",
            "panel_quorum": "3",
            "review_reminder_days": "28,7",
            "seen": "2026-11-23T09:00:00.000000+00:00",
        }
    ),
    "careplans.panel_forms.AgendaAddForm": FormCase(
        kwargs=lambda: {"waiting": [("v1", "Sam Person, version 1: £12,779.00 a year")]}
    ),
    "careplans.panel_forms.AttendanceForm": FormCase(
        kwargs=lambda: {"members": _panel_people()}, valid={"present": ["u1", "u2"]}
    ),
    "careplans.panel_forms.ConflictForm": FormCase(
        kwargs=lambda: {"plans": [("v1", "Sam Person, version 1: £12,779.00 a year")]},
        valid={"version": "v1"},
    ),
    "careplans.panel_forms.DecisionForm": FormCase(
        kwargs=lambda: {
            "items": [
                SimpleNamespace(
                    pk="i1",
                    description="Hoist hire",
                    new_cost_label="New cost a year for Hoist hire",
                )
            ]
        },
        valid={"outcome": "approved"},
    ),
    "budgets.payment_forms.IncreaseCheckForm": FormCase(valid={"proposal": PROPOSAL_ID}),
    "budgets.forms.RasAssessmentForm": FormCase(
        kwargs=lambda: {"questionnaire": FakeQuestionnaire()}
    ),
    "budgets.forms.BudgetForm": FormCase(
        kwargs=lambda: {
            "calculations": [
                (SimpleNamespace(pk="c1"), "Resource allocation for 2026/27: £8,308.72 a year")
            ]
        },
        valid={
            "period_end_day": "31",
            "period_end_month": "3",
            "period_end_year": "2027",
            "backdated": "on",
            "backdating_reason": "The care started on 1 April 2026.",
        },
    ),
    "budgets.forms.BudgetPolicyForm": FormCase(
        valid={"preparer_may_agree": "yes", "preparer_may_agree_below": "5000.00", "seen": ""}
    ),
    "budgets.forms.PaLineForm": FormCase(
        valid={
            "hourly_rate": "13.50",
            "date_of_birth_day": "",
            "date_of_birth_month": "",
            "date_of_birth_year": "",
        }
    ),
    # Monthly from 1 April 2026, looked at on 15 May 2026: two payments before that day, each
    # recorded as paid (a date and a reference), and an amount in every row.
    "budgets.payment_forms.InstalmentRowsForm": FormCase(
        kwargs=lambda: {
            "dates": [datetime.date(2026, month, 1) for month in (4, 5, 6)],
            "own_amounts": True,
            "today": datetime.date(2026, 5, 15),
        }
    ),
    "budgets.payment_forms.PaymentRunForm": FormCase(
        kwargs=lambda: {"choices": [(INSTALMENT_ID, "Ann Example: £800.00 due 1 June 2027")]},
        valid={
            "instalments": [INSTALMENT_ID],
            "shown": [INSTALMENT_ID],
            "due_up_to": "2027-06-01",
        },
    ),
    "budgets.payment_forms.IssueChangeForm": FormCase(
        valid={"effective_from": "2027-10-01", "previewed": "0" * 64}
    ),
    "budgets.forms.NationalRatesForm": FormCase(valid=_national_figures()),
    "employers.tax_year_forms.TaxYearFiguresForm": FormCase(valid=_tax_year_figures()),
    "phb.staff_forms.ActingForForm": FormCase(
        kwargs=lambda: {
            "organisations": [
                SimpleNamespace(pk="o1", name="NHS North Example Integrated Care Board"),
                SimpleNamespace(pk="o2", name="NHS South Example Integrated Care Board"),
            ]
        },
        valid={"organisation": "o2"},
    ),
    "phb.staff_forms.EndRoleForm": FormCase(
        kwargs=lambda: {"assignment": SimpleNamespace(ends_on=None)},
        valid={"seen_ends_on": ""},
    ),
    "phb.forms.BudgetHolderForm": FormCase(
        valid={
            "nhs_number": "943 476 5919",
            "date_of_birth_year": "1951",
            "postcode": "ZZ9 9ZZ",
        }
    ),
    "careplans.plan_forms.ActionForm": FormCase(
        kwargs=lambda: {"goals": [SimpleNamespace(pk="g1", description="Walk to the park")]},
        valid={"goal": "g1", "confidence": "8", "status": "not_started"},
    ),
    "careplans.plan_forms.SectionsForm": FormCase(
        kwargs=lambda: {
            "budgets": [
                SimpleNamespace(
                    pk="b1",
                    period_start=datetime.date(2026, 4, 1),
                    period_end=datetime.date(2027, 3, 31),
                    full_period_end=datetime.date(2027, 3, 31),
                    agreed_amount=Decimal("20000.00"),
                )
            ],
            "representatives": [SimpleNamespace(pk="r1", user=SimpleNamespace(full_name="Ann"))],
        },
    ),
    "careplans.plan_forms.SupportItemForm": FormCase(
        kwargs=lambda: {
            "goals": [SimpleNamespace(pk="g1", description="Walk to the park")],
            "portions": [
                SimpleNamespace(
                    pk="p1",
                    get_method_display=lambda: "Direct payment",
                    amount=Decimal("100.00"),
                )
            ],
        },
        valid={
            "unit_cost": "15.00",
            "quantity": "14",
            "frequency": "weekly",
            "category": "pa_support",
            "goals": ["g1"],
        },
    ),
    "careplans.plan_forms.DecisionForm": FormCase(
        kwargs=lambda: {
            "items": [
                SimpleNamespace(
                    pk="i1",
                    description="Gym membership",
                    provider="Leisure centre",
                    annual_cost=Decimal("360.00"),
                    cost_text="£360.00 a year",
                    new_cost_label="New cost a year for Gym membership",
                    new_cost_missing="Give the new cost a year for Gym membership",
                    get_category_display=lambda: "Wellbeing activity",
                )
            ]
        },
        valid={"outcome": "approved", "item_i1": "approved"},
    ),
    "careplans.forms_reviews.QuarterForm": FormCase(
        kwargs=lambda: {"quarters": quarters_offered(datetime.date(2026, 11, 23))},
        valid={"quarter": "2026-q2"},
    ),
    "careplans.forms_reviews.ReviewForm": FormCase(
        kwargs=lambda: {
            "reviewers": [SimpleNamespace(pk="u1", full_name="Casey Coordinator")],
            "goals": [SimpleNamespace(pk="g1", description="Walk Biscuit to the park")],
        }
    ),
    "careplans.forms_reviews.ReconsiderationRequestForm": FormCase(
        kwargs=lambda: {"decisions": [("BudgetStop:s1", "Stopping the budget from 1 May 2026")]}
    ),
    "employers.timesheet_forms.ShiftForm": FormCase(valid={"starts": "09:00", "ends": "13:00"}),
    # A phone number and a postcode are checked as on a person's record.
    "employers.forms.AssistantForm": FormCase(
        valid={"phone": "0113 496 0000", "postcode": "LS1 4AP"}
    ),
    "employers.forms.WhoEmploysForm": FormCase(valid={"pa_contact_phone": "0113 496 0000"}),
    "employers.forms.SupportOfficerForm": FormCase(
        kwargs=lambda: {"officers": [SimpleNamespace(pk="o1", full_name="Sam Adviser")]},
        valid={"support_officer": "o1"},
    ),
    "employers.forms.IssueForm": FormCase(
        kwargs=lambda: {"assistants": [SimpleNamespace(pk="p1", full_name="Kim Lee")]}
    ),
    "employers.training_forms.TrainingRecordForm": FormCase(
        kwargs=lambda: {"modules": _training_modules()}
    ),
    # Delegated healthcare tasks (issue 11): choices are records the page already scoped.
    "employers.delegation_forms.TaskForm": FormCase(
        kwargs=lambda: {"modules": [_training_module()]},
        valid={"required_training": [TRAINING_MODULE_ID], "review_months": "6"},
    ),
    "employers.delegation_forms.DelegationForm": FormCase(
        kwargs=lambda: {"tasks": [SimpleNamespace(pk="t1", name="PEG feeding")]},
        valid={"task": "t1"},
    ),
    "employers.delegation_forms.StartCompetenceForm": FormCase(
        kwargs=lambda: {"assistants": [SimpleNamespace(pk="a1", full_name="Priya Shah")]},
        valid={"assistant": "a1"},
    ),
    "employers.delegation_forms.SignOffForm": FormCase(
        kwargs=lambda: {"user": SimpleNamespace(check_password=lambda p: p == "right-password")},
        valid={"password": "right-password", "lock_version": "0"},
    ),
    "phb.auth.LoginForm": _allauth(request=_request),
    "phb.auth.ResetPasswordForm": _allauth(),
    "phb.auth.ResetPasswordKeyForm": _allauth(user=_user, temp_key=lambda: "key"),
    "phb.auth.ChangePasswordForm": _allauth(user=_user),
    "phb.auth.SetPasswordForm": _allauth(user=_user),
    "phb.auth.ReauthenticateForm": _allauth(user=_user),
    "phb.auth.AddEmailForm": _allauth(user=_user),
    "phb.auth.MFAAuthenticateForm": _allauth(user=_user),
    "phb.auth.MFAReauthenticateForm": _allauth(user=_user),
    "phb.auth.ActivateTOTPForm": _allauth(user=_user),
}


def case_for(cls) -> FormCase:
    return REGISTRY.get(form_id(cls), FormCase())


def build(cls, data=None):
    """An instance of the form, bound to `data` when given."""
    case = case_for(cls)
    with cleaning(cls):
        kwargs = case.kwargs()
        return cls(data=data, **kwargs) if data is not None else cls(**kwargs)


@contextlib.contextmanager
def cleaning(cls):
    """What the form needs around it while it is cleaned and rendered."""
    if case_for(cls).needs_request:
        with request_context(_request()):
            yield
    else:
        yield


def validate_and_render(form) -> str:
    with cleaning(type(form)):
        form.is_valid()
        return render(form)


PAGE = Template(
    "{% load crispy_forms_tags phb_tags %}{% page_error_summary form %}{% crispy form %}"
)


def render(form) -> str:
    """The form as a page shows it: the error summary, then the fields by the crispy pack."""
    return PAGE.render(Context({"form": form}))


# --- data ----------------------------------------------------------------------------------


def is_number(field) -> bool:
    return isinstance(field, forms.IntegerField | forms.FloatField)


def is_money(field) -> bool:
    return getattr(field, "is_money", False)


def bounds(field):
    low = getattr(field, "min_value", None)
    high = getattr(field, "max_value", None)
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator) and low is None:
            low = validator.limit_value
        if isinstance(validator, validators.MaxValueValidator) and high is None:
            high = validator.limit_value
    return low, high


def valid_value(name: str, field) -> dict:
    """POST data that this field accepts on its own."""
    if isinstance(field, NHSDateField):
        return {f"{name}_day": "1", f"{name}_month": "4", f"{name}_year": "2026"}
    if isinstance(field, forms.MultipleChoiceField):
        return {name: [str(next(v for v, _ in field.choices if v != ""))]}
    if isinstance(field, forms.ChoiceField):
        return {name: str(next(v for v, _ in field.choices if v != ""))}
    if isinstance(field, forms.BooleanField):
        return {name: "on"} if field.required else {}
    if is_number(field):
        low, high = bounds(field)
        value = Decimal(1)
        if low is not None and value < low:
            value = Decimal(low)
        if high is not None and value > high:
            value = Decimal(high)
        return {name: str(value)}
    if isinstance(field, forms.EmailField):
        return {name: "person@example.nhs.uk"}
    return {name: "Test"}


def valid_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        data |= valid_value(form.add_prefix(name), field)
    return data | case_for(type(form)).valid


def bad_value(name: str, field, kind: str) -> dict:
    """POST data this field refuses, of one kind: letters in numbers, numbers too big or too
    small or too precise, not-numbers, over-long text, choices that are not offered."""
    if isinstance(field, NHSDateField):
        return {f"{name}_day": "x", f"{name}_month": "13", f"{name}_year": "20260"}
    if isinstance(field, forms.MultipleChoiceField):
        return {name: ["not-a-choice"]}
    if isinstance(field, forms.ChoiceField):
        return {name: "not-a-choice"}
    if is_number(field):
        low, _ = bounds(field)
        places = getattr(field, "decimal_places", None) or 0
        value = {
            "letters": "twelve",
            "too_big": "9" * 20,
            "too_small": str(Decimal(low) - 1) if low is not None else "-" + "9" * 20,
            "too_precise": "1." + "0" * places + "1",
            "not_a_number": "NaN",
        }[kind]
        return {name: value}
    if isinstance(field, forms.EmailField):
        return {name: "not an email address"}
    if isinstance(field, forms.CharField) and field.max_length:
        return {name: "x" * (field.max_length + 1)}
    return {name: "\x00"}


# Infinity, 1e400 and the like are tried in every number field by tests/test_hostile_input.py.
BAD_KINDS = ("letters", "too_big", "too_small", "too_precise", "not_a_number")


def bad_data(form, kind: str) -> dict:
    data = {}
    for name, field in form.fields.items():
        data |= bad_value(form.add_prefix(name), field, kind)
    return data


def number_fields(form_or_class) -> list[str]:
    """The number fields of a form (or of a form class: those it declares)."""
    fields = getattr(form_or_class, "fields", None) or form_or_class.base_fields
    return [name for name, field in fields.items() if is_number(field)]


# --- what a page must never say --------------------------------------------------------


PLAIN_WORDS_ONLY = [
    "This field is required.",
    "Ensure this value",
    "Enter a number.",
    "Enter a whole number.",
    "Select a valid choice",
    "Enter a valid",
    "£Infinity",
    "£NaN",
    "NaN",
    "Infinity",
    "pgtrigger",
]


def _django_wording() -> set[str]:
    """The fixed start of every message Django's form fields and validators word."""
    messages = []  # a list: lazy plural messages all look equal (as "") to a set
    classes = [forms.Field]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("django."):
            messages.extend(cls.__dict__.get("default_error_messages", {}).values())
    for name in dir(validators):
        validator = getattr(validators, name)
        if isinstance(validator, type):
            for attribute in ("message", "messages"):
                value = validator.__dict__.get(attribute)
                if isinstance(value, dict):
                    messages.extend(value.values())
                elif value is not None and not isinstance(value, property):
                    messages.append(value)
    texts = set()
    counts = defaultdict(lambda: 2)
    for message in messages:
        # ngettext_lazy messages (DecimalValidator's) need a count to become text.
        texts.add(str(message) or str(message % counts))
    starts = {re.split(r"%\(|“|[0-9]", text)[0].strip() for text in texts}
    return {start for start in starts if len(start) > 8}


def _constraint_names() -> set[str]:
    return {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in APPS or model._meta.app_label.startswith(APPS)
        for constraint in model._meta.constraints
    }


FORBIDDEN = sorted({*PLAIN_WORDS_ONLY, *_django_wording(), *_constraint_names()})


def problems_shown(page: str) -> str:
    """The page's words without what the user typed (which may itself be "NaN")."""
    page = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page, flags=re.DOTALL)
    page = re.sub(r'\svalue="[^"]*"', "", page)
    return html.unescape(page)


def assert_plain(form, page: str) -> None:
    shown = problems_shown(page)
    messages = [str(m) for errors in form.errors.values() for m in errors]
    found = sorted({w for w in FORBIDDEN if w in shown or any(w in m for m in messages)})
    assert not found, f"{form_id(type(form))} shows {found} in: {messages}"


def assert_page_plain(page: str, where: str) -> None:
    shown = problems_shown(page)
    found = sorted({w for w in FORBIDDEN if w in shown})
    assert not found, f"{where} shows {found}"


# --- hostile input ---------------------------------------------------------------------------

# What people (and scripts) put in number boxes by mistake or on purpose.
HOSTILE = [
    "NaN",
    "nan",
    "sNaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "-1e400",
    "1E+2",
    "9" * 20,
    "-" + "9" * 20,
    "99999999999999999999.99",
    "1.001",
    "0.005",
    "1000.005",
    "9999999.995",
    "10000000",
    "-0",
    "-0.00",
    "0.000",
    "1.500",
    "1" * 10_000,
    "x" * 10_000,
    "١٢٣",
    "１２３",
    "²",
    "",
    " ",
    "\t12\n",
    "1_000",
    "1,000",
    "1,2",
    "£1,000.00",
    "£-5",
    "--1",
    "0x10",
    "+5",
    "1.",
    ".5",
    "\x00",
    "12abc",
    "1/2",
    "Robert'); DROP TABLE budgets_budget;--",
]
