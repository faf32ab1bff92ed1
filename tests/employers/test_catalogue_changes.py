"""Changing the catalogues without rewriting what has been done with them: a delegated task's
name, risk, training and review interval stay as clinicians delegated them (only its
description changes), training a task needs stays in use, and the Care Certificate standards
are always in use. Each refusal is in words on the right field, with nothing changed."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from employers.models import DelegatedTask, RiskLevel
from employers.models.training import TrainingModule
from employers.services import delegation as delegation_services
from employers.services import training as training_services
from tests.employers.factories_delegation import (
    DelegatedTaskFactory,
    DelegationFactory,
    TrainingModuleFactory,
)
from tests.employers.factories_training import standard
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def peg_training(icb):
    return TrainingModuleFactory(organisation=icb, name="PEG feeding training")


@pytest.fixture
def insulin_training(icb):
    return TrainingModuleFactory(organisation=icb, name="Insulin training")


@pytest.fixture
def peg_feeding(icb, peg_training):
    task = DelegatedTaskFactory(
        organisation=icb, name="PEG feeding", risk_level=RiskLevel.MEDIUM, review_months=6
    )
    task.required_training.set([peg_training])
    return task


def delegate_for(task, people: int, clinician) -> None:
    for _ in range(people):
        holder = BudgetHolderFactory(organisation=task.organisation)
        DelegationFactory(task=task, budget_holder=holder, practitioner=clinician)


def as_it_is(task, **changes) -> delegation_services.TaskDetails:
    fields = {
        "name": task.name,
        "description": task.description,
        "risk_level": task.risk_level,
        "review_months": task.review_months,
        "required_training": tuple(task.required_training.all()),
    } | changes
    return delegation_services.TaskDetails(**fields)


def what_it_is(task) -> tuple:
    task = DelegatedTask.objects.get(pk=task.pk)
    return (
        task.name,
        task.description,
        task.risk_level,
        task.review_months,
        sorted(module.name for module in task.required_training.all()),
    )


# --- A delegated task -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("name", lambda insulin: {"name": "Insulin injections"}),
        ("risk_level", lambda insulin: {"risk_level": RiskLevel.HIGH}),
        ("review_months", lambda insulin: {"review_months": 12}),
        ("required_training", lambda insulin: {"required_training": (insulin,)}),
        ("required_training", lambda insulin: {"required_training": ()}),
    ],
)
def test_once_delegated_what_is_delegated_cannot_change(
    peg_feeding, insulin_training, icb_admin, clinician, field, change
):
    """PEG feeding delegated for 3 people: renaming it "Insulin injections" (or making it
    high risk, reviewed every 12 months instead of 6, or needing other training) would rewrite
    those 3 delegations, so it is refused and nothing changes."""
    delegate_for(peg_feeding, 3, clinician)
    before = what_it_is(peg_feeding)
    with pytest.raises(ValidationError) as error:
        delegation_services.change_task(
            actor=icb_admin,
            task=peg_feeding,
            details=as_it_is(peg_feeding, **change(insulin_training)),
        )
    assert error.value.message_dict == {
        field: [
            "PEG feeding has been delegated for 3 people, so only its description can change. "
            "To change what is delegated, add a new task"
        ]
    }
    assert what_it_is(peg_feeding) == before


def test_once_delegated_the_description_still_changes(peg_feeding, icb_admin, clinician):
    delegate_for(peg_feeding, 1, clinician)
    delegation_services.change_task(
        actor=icb_admin,
        task=peg_feeding,
        details=as_it_is(peg_feeding, description="Feeds, flushes and checks the stoma site."),
    )
    assert what_it_is(peg_feeding) == (
        "PEG feeding",
        "Feeds, flushes and checks the stoma site.",
        RiskLevel.MEDIUM,
        6,
        ["PEG feeding training"],
    )


def test_an_ended_delegation_still_counts(peg_feeding, icb_admin, clinician, holder):
    """The record of an ended delegation still reads the task: it must not be rewritten."""
    DelegationFactory(
        task=peg_feeding,
        budget_holder=holder,
        practitioner=clinician,
        ended_on=datetime.date(2026, 11, 20),
        ended_by=clinician,
        ended_reason="No longer needed",
    )
    with pytest.raises(ValidationError, match="delegated for 1 person, so only its description"):
        delegation_services.change_task(
            actor=icb_admin, task=peg_feeding, details=as_it_is(peg_feeding, review_months=3)
        )


def test_a_task_never_delegated_changes_freely(peg_feeding, insulin_training, icb_admin):
    delegation_services.change_task(
        actor=icb_admin,
        task=peg_feeding,
        details=as_it_is(
            peg_feeding,
            name="Insulin injections",
            risk_level=RiskLevel.HIGH,
            review_months=3,
            required_training=(insulin_training,),
        ),
    )
    assert what_it_is(peg_feeding)[0::2] == (
        "Insulin injections",
        RiskLevel.HIGH,
        ["Insulin training"],
    )


def test_training_out_of_use_cannot_be_added_to_a_task(peg_feeding, insulin_training, icb_admin):
    """A form opened before the training was taken out of use still offers it."""
    TrainingModule.objects.filter(pk=insulin_training.pk).update(active=False)
    with pytest.raises(ValidationError) as error:
        delegation_services.change_task(
            actor=icb_admin,
            task=peg_feeding,
            details=as_it_is(peg_feeding, required_training=(insulin_training,)),
        )
    assert error.value.message_dict == {
        "required_training": ["Some of this training has been taken out of use: choose again"]
    }


def test_the_change_page_says_so_and_refuses_on_the_field(
    client, peg_feeding, peg_training, icb_admin, clinician
):
    delegate_for(peg_feeding, 2, clinician)
    client.force_login(icb_admin)
    url = reverse("employers:delegated_task", args=[peg_feeding.pk])
    said = (
        "PEG feeding has been delegated for 2 people, so only its description can change. "
        "To change what is delegated, add a new task"
    )
    assert said + "." in page(client.get(url))
    data = {
        "name": "PEG feeding",
        "description": "Feeds and flushes through a PEG tube.",
        "risk_level": RiskLevel.HIGH,
        "review_months": "6",
        "required_training": [str(peg_training.pk)],
        "seen": peg_feeding.updated_at.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"risk_level": [said]}
    assert "There is a problem" in page(response)
    assert DelegatedTask.objects.get(pk=peg_feeding.pk).risk_level == RiskLevel.MEDIUM
    response = client.post(url, data | {"risk_level": RiskLevel.MEDIUM, "description": "Night"})
    assert response.status_code == 302
    assert DelegatedTask.objects.get(pk=peg_feeding.pk).description == "Night"


def test_a_stale_change_page_does_not_overwrite_a_colleagues_change(
    client, peg_feeding, peg_training, icb_admin, phb_lead
):
    """Two people open "Change a delegated healthcare task" for PEG feeding. One saves 6
    months between reviews as 3; the other, from the page opened before, saves a new
    description: that would put back 6 months, so it is refused and the page shows the task as
    it is now."""
    url = reverse("employers:delegated_task", args=[peg_feeding.pk])
    client.force_login(icb_admin)
    seen = page(client.get(url))
    opened = DelegatedTask.objects.get(pk=peg_feeding.pk).updated_at.isoformat()
    assert f'value="{opened}"' in seen
    delegation_services.change_task(
        actor=phb_lead,
        task=peg_feeding,
        details=as_it_is(peg_feeding, review_months=3),
        seen_updated_at=DelegatedTask.objects.get(pk=peg_feeding.pk).updated_at,
    )
    data = {
        "name": "PEG feeding",
        "description": "Feeds and flushes through a PEG tube.",
        "risk_level": RiskLevel.MEDIUM,
        "review_months": "6",
        "required_training": [str(peg_training.pk)],
        "seen": opened,
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert (
        "Someone changed PEG feeding after you opened this page. The page now shows it as it "
        "is: make your change again. Nothing was changed."
    ) in page(response)
    assert response.context["form"].initial["review_months"] == 3
    assert what_it_is(peg_feeding)[1:4] == (peg_feeding.description, RiskLevel.MEDIUM, 3)


def test_a_change_page_without_its_version_is_out_of_date(client, peg_feeding, icb_admin):
    client.force_login(icb_admin)
    url = reverse("employers:delegated_task", args=[peg_feeding.pk])
    data = {
        "name": "PEG feeding",
        "description": "Night feeds",
        "risk_level": RiskLevel.MEDIUM,
        "review_months": "6",
    }
    for seen in ({}, {"seen": "yesterday"}):
        response = client.post(url, data | seen)
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "seen": ["This page is out of date. Go back, reload the page and try again"]
        }
    assert what_it_is(peg_feeding)[1] == peg_feeding.description


# --- Training a task needs --------------------------------------------------------------


def change_module(actor, module, *, active: bool):
    return training_services.change_module(
        actor=actor,
        module=module,
        description=module.description,
        refresh_months=module.refresh_months,
        active=active,
    )


def test_training_a_task_needs_stays_in_use(peg_feeding, peg_training, icb_admin):
    with pytest.raises(ValidationError) as error:
        change_module(icb_admin, peg_training, active=False)
    assert error.value.message_dict == {
        "active": [
            "PEG feeding needs this training, so it cannot be taken out of use. "
            "Take it off PEG feeding's training first"
        ]
    }
    assert TrainingModule.objects.get(pk=peg_training.pk).active


def test_training_several_tasks_need_names_them_all(icb, peg_feeding, peg_training, icb_admin):
    for name in ("Suction", "Catheter care"):
        DelegatedTaskFactory(organisation=icb, name=name).required_training.set([peg_training])
    with pytest.raises(ValidationError) as error:
        change_module(icb_admin, peg_training, active=False)
    assert error.value.message_dict == {
        "active": [
            "Catheter care, PEG feeding and Suction need this training, so it cannot be taken "
            "out of use. Take it off each task's training first"
        ]
    }


def test_once_no_task_needs_it_the_training_can_be_taken_out_of_use(
    peg_feeding, peg_training, icb_admin
):
    peg_feeding.required_training.clear()
    change_module(icb_admin, peg_training, active=False)
    assert not TrainingModule.objects.get(pk=peg_training.pk).active


def test_the_catalogue_page_refuses_on_the_in_use_question(
    client, peg_feeding, peg_training, icb_admin
):
    client.force_login(icb_admin)
    url = reverse("employers:training_module", args=[peg_training.pk])
    response = client.post(url, {"description": "", "refresh_months": "12", "active": "no"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["active"]
    assert "Take it off PEG feeding's training first" in page(response)
    assert TrainingModule.objects.get(pk=peg_training.pk).active


# --- Care Certificate standards ---------------------------------------------------------


def test_a_care_certificate_standard_is_always_in_use(icb, icb_admin):
    duty_of_care = standard(icb, 3)
    with pytest.raises(ValidationError) as error:
        change_module(icb_admin, duty_of_care, active=False)
    assert error.value.message_dict == {
        "active": [
            "A Care Certificate standard is always in use: every PA's induction covers all 16 "
            "standards"
        ]
    }
    assert TrainingModule.objects.get(pk=duty_of_care.pk).active


def test_a_standards_change_page_does_not_offer_taking_it_out_of_use(client, icb, icb_admin):
    duty_of_care = standard(icb, 3)
    client.force_login(icb_admin)
    url = reverse("employers:training_module", args=[duty_of_care.pk])
    html = page(client.get(url))
    assert "is always in use" in html
    assert "No, take it out of use" not in html and 'name="active"' not in html
    # A hostile or old form's "no" is not a field of this form: it is ignored.
    data = {"description": "Knows the duty", "refresh_months": "", "active": "no"}
    response = client.post(url, data)
    assert response.status_code == 302
    duty_of_care.refresh_from_db()
    assert (duty_of_care.description, duty_of_care.active) == ("Knows the duty", True)


def test_a_standard_taken_out_of_use_before_comes_back_when_changed(client, icb, icb_admin):
    """Before this rule, a standard could be taken out of use; saving it puts it back."""
    duty_of_care = standard(icb, 3)
    TrainingModule.objects.filter(pk=duty_of_care.pk).update(active=False)
    client.force_login(icb_admin)
    url = reverse("employers:training_module", args=[duty_of_care.pk])
    assert client.post(url, {"description": "", "refresh_months": ""}).status_code == 302
    assert TrainingModule.objects.get(pk=duty_of_care.pk).active
