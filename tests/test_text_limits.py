"""Every free-text field has a length limit, in the form and in the database.

A CharField's limit is its column's (varchar(n)); a TextField's is a check constraint made by
`phb.models.text_length_limit`. Forms say the same limit in words before the database would.
"""

import pytest
from django import forms
from django.apps import apps
from django.db import models

from tests.form_cases import APPS, app_form_classes, build, form_id

# Text the service writes itself, never typed by a person.
NOT_TYPED = {
    ("budgets", "BudgetLetter", "body_html"): "the letter as issued, made from a template",
    ("budgets", "BudgetEdit", "summary"): "what changed in a draft, written by the service",
    ("careplans", "PlanLetter", "body_html"): "the letter as issued, made from a template",
}


def _text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model.__name__.endswith("Event"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField):
                yield model, field


def _cases():
    for model, field in _text_fields():
        app = model._meta.app_label
        if (app, model.__name__, field.name) in NOT_TYPED:
            continue
        yield pytest.param(model, field, id=f"{model.__name__}-{field.name}")


@pytest.mark.parametrize(("model", "field"), list(_cases()))
def test_every_text_column_has_a_limit_in_the_database(model, field):
    assert field.max_length, f"{model.__name__}.{field.name} has no max_length"
    names = {constraint.name for constraint in model._meta.constraints}
    assert any(name.endswith(f"{field.name}_at_most_{field.max_length}") for name in names), (
        f"{model.__name__}.{field.name}: add phb.models.text_length_limit to its constraints"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("cls", app_form_classes(), ids=form_id)
def test_every_text_box_has_a_limit(cls):
    form = build(cls)
    unlimited = [
        name
        for name, field in form.fields.items()
        if type(field) in (forms.CharField, forms.EmailField, forms.URLField)
        and not field.max_length
        and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput)
    ]
    assert not unlimited, f"{form_id(cls)}: give {unlimited} a max_length"
