"""Every date a person types has an example in its hint, in the order the three boxes take it
("For example, 15 3 2027"), as the NHS.UK date input pattern asks; and a free-text "by when"
is asked for in words."""

import pytest

from careplans.plan_forms import ActionForm
from phb.nhsuk_forms import NHSDateField
from tests.form_cases import app_form_classes, build, form_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cls", app_form_classes(), ids=form_id)
def test_every_date_box_has_an_example(cls):
    form = build(cls)
    without = [
        name
        for name, field in form.fields.items()
        if isinstance(field, NHSDateField)
        and not field.widget.is_hidden
        and "For example, " not in str(field.help_text)
    ]
    assert without == [], f"{form_id(cls)}: give {', '.join(without)} an example date"


def test_an_action_without_its_by_when_is_asked_for_it_in_words():
    form = ActionForm(data={"when": ""}, goals=[])
    assert not form.is_valid()
    assert form.errors["when"] == ["Enter when it will be done by"]
    form = ActionForm(data={"when": "x" * 101}, goals=[])
    assert not form.is_valid()
    assert form.errors["when"] == ["When it will be done by must be 100 characters or fewer"]
