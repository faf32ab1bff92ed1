"""The `nhsuk` crispy-forms template pack renders NHS.UK markup."""

import datetime

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.template import Context, Template

from phb.nhsuk_forms import NHSDateField
from tests.test_components import normalise


@pytest.fixture(autouse=True)
def _clear_cache():
    """Override conftest's Redis cache clearing: these tests use no cache or database."""
    yield


# FormHelper reverses its form_action, which loads the URLconf: point it at this
# module's empty one so these template tests do not depend on the project's views.
urlpatterns: list = []


@pytest.fixture(autouse=True)
def _empty_urlconf(settings):
    settings.ROOT_URLCONF = __name__


CHOICES = [("email", "Email"), ("phone", "Phone")]


class EveryFieldForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As it appears on your letter")
    email = forms.EmailField(label="Email address")
    amount = forms.IntegerField(label="Amount")
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}))
    team = forms.ChoiceField(label="Team", choices=[("", "Choose"), *CHOICES])
    contact = forms.ChoiceField(label="Contact by", choices=CHOICES, widget=forms.RadioSelect)
    times = forms.MultipleChoiceField(
        label="Times", choices=CHOICES, widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    date_of_birth = NHSDateField(label="Date of birth", help_text="For example, 31 3 1980")

    def clean(self):
        super().clean()
        raise forms.ValidationError("Something is wrong with the whole form")


VALID = {
    "name": "Ann",
    "email": "ann@example.nhs.uk",
    "amount": "12",
    "notes": "Hi",
    "team": "email",
    "contact": "phone",
    "times": ["email"],
    "agree": "true",
    "date_of_birth_day": "31",
    "date_of_birth_month": "3",
    "date_of_birth_year": "1980",
}


def _crispy(form, source="{% crispy form %}"):
    return Template("{% load crispy_forms_tags %}" + source).render(Context({"form": form}))


def _tokens(html):
    return "\n".join(normalise(html))


def test_unbound_form_renders_each_widget_as_its_component():
    form = EveryFieldForm(initial={"date_of_birth": datetime.date(1980, 3, 31)})
    html = _crispy(form)
    tokens = _tokens(html)
    assert "nhsuk-error-summary" not in html
    assert "('class', 'nhsuk-input'), ('id', 'id_name'), ('name', 'name')" in tokens
    assert "('text', 'As it appears on your letter')" in tokens
    assert "('aria-describedby', 'id_name-hint')" in tokens
    assert "('id', 'id_email'), ('maxlength', '320'), ('name', 'email'), ('required', '')" in tokens
    assert "('id', 'id_amount'), ('inputmode', 'numeric')" in tokens
    assert "('class', 'nhsuk-textarea'), ('id', 'id_notes'), ('name', 'notes')" in tokens
    assert "('rows', '3')" in tokens
    assert "('class', 'nhsuk-select'), ('id', 'id_team')" in tokens
    assert "('class', 'nhsuk-radios'), ('data-module', 'nhsuk-radios')" in tokens
    assert "('id', 'id_contact-2'), ('name', 'contact'), ('type', 'radio')" in tokens
    assert "('class', 'nhsuk-checkboxes'), ('data-module', 'nhsuk-checkboxes')" in tokens
    assert "('id', 'id_agree'), ('name', 'agree'), ('type', 'checkbox'), ('value', 'true')" in (
        tokens
    )
    assert "('class', 'nhsuk-fieldset'), ('role', 'group')" in tokens
    assert "('name', 'date_of_birth_day'), ('type', 'text'), ('value', '31')" in tokens
    assert "('name', 'date_of_birth_year'), ('type', 'text'), ('value', '1980')" in tokens
    assert "('class', 'nhsuk-label'), ('for', 'id_name')" in tokens
    assert "('text', 'Full name')" in tokens
    assert "('start', 'legend', (('class', 'nhsuk-fieldset__legend'),))" in tokens


def test_a_multiple_choice_field_is_checkboxes_so_a_person_can_tick_several():
    # Django's CheckboxSelectMultiple is a subclass of RadioSelect.
    tokens = _tokens(_crispy(EveryFieldForm()))
    assert "('id', 'id_times'), ('name', 'times'), ('type', 'checkbox'), ('value', 'email')" in (
        tokens
    )
    assert "('name', 'times'), ('type', 'radio')" not in tokens


def test_bound_form_with_errors_shows_messages_and_summary():
    form = EveryFieldForm(data={**VALID, "name": "", "date_of_birth_year": ""})
    assert not form.is_valid()
    html = _crispy(form)
    tokens = _tokens(html)
    assert html.index("nhsuk-error-summary") < html.index("nhsuk-form-group")
    assert "('text', 'There is a problem')" in tokens
    assert "('start', 'a', (('href', '#id_name'),))\n('text', 'This field is required.')" in tokens
    # The link goes to the box in error, the year.
    assert (
        "('start', 'a', (('href', '#id_date_of_birth_year'),))\n"
        "('text', 'Date of birth must include a year')"
    ) in tokens
    assert "('text', 'Something is wrong with the whole form')" in tokens
    assert "('class', 'nhsuk-form-group nhsuk-form-group--error')" in tokens
    assert (
        "('start', 'span', (('class', 'nhsuk-error-message'), ('id', 'id_name-error')))\n"
        "('start', 'span', (('class', 'nhsuk-u-visually-hidden'),))\n"
        "('text', 'Error:')\n('end', 'span')\n('text', 'This field is required.')"
    ) in tokens
    assert "('class', 'nhsuk-input nhsuk-input--error'), ('id', 'id_name')" in tokens
    # Only the missing year is highlighted, not the day and month.
    assert (
        "('class', 'nhsuk-date-input__input nhsuk-input nhsuk-input--width-4'"
        " nhsuk-input--error')" not in tokens
    )
    assert "nhsuk-input--error nhsuk-input--width-4'), ('id', 'id_date_of_birth_year')" in tokens
    assert "nhsuk-input--width-2'), ('id', 'id_date_of_birth_day')" in tokens


def test_a_date_wrong_as_a_whole_marks_every_box_and_links_to_the_day():
    form = EveryFieldForm(
        data={
            **VALID,
            "date_of_birth_day": "31",
            "date_of_birth_month": "2",
            "date_of_birth_year": "1990",
        }
    )
    assert not form.is_valid()
    tokens = _tokens(_crispy(form))
    assert (
        "('start', 'a', (('href', '#id_date_of_birth_day'),))\n"
        "('text', 'Date of birth must be a real date')"
    ) in tokens
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        assert (
            f"nhsuk-input--error nhsuk-input--width-{width}'), ('id', 'id_date_of_birth_{part}')"
        ) in tokens


def test_error_summary_can_be_placed_by_the_page():
    form = EveryFieldForm(data={**VALID, "name": ""})
    form.helper = FormHelper()
    form.helper.show_error_summary = False
    assert "nhsuk-error-summary" not in _crispy(form)
    placed = Template("{% error_summary form %}").render(Context({"form": form}))
    assert "('href', '#id_name')" in _tokens(placed)


def test_filter_renders_fields_and_summary():
    form = EveryFieldForm(data={**VALID, "email": "nope"})
    form.is_valid()
    html = _crispy(form, "{{ form|crispy }}")
    assert "nhsuk-error-summary" in html
    assert "Enter a valid email address." in html
    assert "<form" not in html


def test_layout_fieldset_and_submit_become_nhsuk_components():
    form = EveryFieldForm()
    form.helper = FormHelper()
    form.helper.layout = Layout(Fieldset("About you", "name", "email"), Submit("save", "Save"))
    tokens = _tokens(_crispy(form))
    assert "('start', 'form', (('method', 'post'), ('novalidate', '')))" in tokens
    assert "('start', 'legend', (('class', 'nhsuk-fieldset__legend'),))\n('text', 'About you')" in (
        tokens
    )
    assert (
        "('start', 'button', (('class', 'nhsuk-button'), ('data-module', 'nhsuk-button'),"
        " ('id', 'submit-id-save'), ('name', 'save'), ('type', 'submit')))\n('text', 'Save')"
    ) in tokens


def test_date_field_cleans_to_a_date():
    form = EveryFieldForm(data=VALID)
    form.is_valid()
    assert form.cleaned_data["date_of_birth"] == datetime.date(1980, 3, 31)


def test_date_field_rejects_impossible_dates():
    field = NHSDateField(label="Date of birth")
    for value, message in [
        (["31", "2", "2000"], "Date of birth must be a real date"),
        (["1", "13", "2000"], "Date of birth must be a real date"),
        (["x", "2", "2000"], "Date of birth must be a real date"),
        # Other scripts' digits are digits to Python, not to a person typing a date.
        (["\u0666", "2", "2000"], "Date of birth must be a real date"),
        (["1", "2", "\u0662\u0660\u0660\u0660"], "Date of birth must be a real date"),
        # Beyond what a C int holds: Python's date() overflows rather than refusing the value.
        (["99999999999999999999", "2", "2000"], "Date of birth must be a real date"),
        (["1", "99999999999999999999", "2000"], "Date of birth must be a real date"),
        (["1", "2", ""], "Date of birth must include a year"),
        (["", "", "2000"], "Date of birth must include a day and month"),
        (["1", "2", "20"], "The year of the date of birth must include 4 numbers"),
        (["", "", ""], "Enter the date of birth"),
    ]:
        try:
            field.clean(value)
        except forms.ValidationError as error:
            assert error.messages == [message], value
        else:
            raise AssertionError(f"{value} should not be valid")


def test_a_date_whose_label_is_not_a_name_is_named_in_its_messages():
    """'Show payments due up to' is a label, not a name: 'The year of the show payments due
    up to' is not English."""
    field = NHSDateField(label="Show payments due up to", named="The date", required=False)
    for value, message in [
        (["1", "1", "99999"], "The year of the date must include 4 numbers"),
        (["31", "2", "2027"], "The date must be a real date"),
        (["1", "", "2027"], "The date must include a month"),
    ]:
        with pytest.raises(forms.ValidationError) as excinfo:
            field.clean(value)
        assert excinfo.value.messages == [message], value


def test_choice_fields_never_repeat_an_id():
    """The group must not share the first item's id, or labels and error links break."""
    import re

    from django import forms
    from django.template import Context, Template

    class ChoiceForm(forms.Form):
        colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
        tags = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        agree = forms.BooleanField(label="I agree")

    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": ChoiceForm()})
    )
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(ids)
    assert 'id="id_colour"' in html and 'for="id_colour"' in html
