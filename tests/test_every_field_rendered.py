"""Every field of every form is on the page, and every error summary link goes to one.

A form that adds fields in its own `__init__` after `NHSFormMixin` has made its crispy helper
rendered only the fields it had then (the RAS questionnaire showed only its date, and its
error summary linked to questions that were not there). Every form class in the apps is
rendered here as pages render it, empty and with bad data.
"""

import re

import pytest

from phb.nhsuk_forms import field_anchor
from tests.form_cases import (
    app_form_classes,
    bad_data,
    build,
    form_id,
    render,
    valid_data,
    validate_and_render,
)

pytestmark = pytest.mark.django_db

FORMS = app_form_classes()


def ids_on(page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', page))


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_every_field_of_every_form_is_rendered(cls):
    form = build(cls)
    page = render(form)
    missing = [
        name
        for name, bound in ((bound.name, bound) for bound in form)
        # A hidden input is not something a person fills in or an error can point to.
        if not bound.is_hidden and field_anchor(bound) not in ids_on(page)
    ]
    assert not missing, f"{form_id(cls)} does not render {missing}"


@pytest.mark.parametrize("cls", FORMS, ids=form_id)
def test_every_error_summary_link_goes_to_a_field_on_the_page(cls):
    form = build(cls)
    form = build(cls, valid_data(form) | bad_data(form, "letters"))
    page = validate_and_render(form)
    links = re.findall(r'<a href="#([^"]+)"', page)
    assert not set(links) - ids_on(page), f"{form_id(cls)} links to fields not on the page"


def test_a_form_that_adds_fields_after_the_mixin_renders_them():
    from budgets.forms import RasAssessmentForm
    from tests.form_cases import FakeQuestionnaire

    page = render(RasAssessmentForm(questionnaire=FakeQuestionnaire()))
    assert "How much help do you need with washing and dressing?" in page
    assert "Needs some help (6 points)" in page
