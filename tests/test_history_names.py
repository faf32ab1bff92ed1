"""The history names each record with one query per kind of record, whatever its name reads.

`phb.history.NAME_READS` lists the related records each model's __str__ reads, so that only
those are joined. These tests keep the list true as models change: a name that reads a related
record not listed would cost a query for every record named.
"""

import inspect
import re

import pytest
from django.apps import apps

from phb.history import NAME_READS, Names
from tests.budgets.factories import agreed_budget, questionnaire, ras_assessment

OUR_APPS = ("phb", "budgets", "careplans", "employers")


def _reads(model) -> list[str]:
    """The relations a model's own __str__ follows (`self.budget`, not `self.budget_id`)."""
    own = model.__dict__.get("__str__")
    if own is None:
        return []
    source = inspect.getsource(own)
    relations = [field.name for field in model._meta.fields if field.is_relation]
    return [name for name in relations if re.search(rf"self\.{name}\b(?!_id)", source)]


def _paths_needed(model, prefix: str = "") -> set[str]:
    """Every related path a model's name reads, through the names of what it reads."""
    needed = set()
    for name in _reads(model):
        path = f"{prefix}{name}"
        related = _paths_needed(model._meta.get_field(name).related_model, f"{path}__")
        needed |= related or {path}
    return needed


def _our_models():
    return [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]


def test_every_name_that_reads_a_related_record_lists_it():
    for model in _our_models():
        listed = set(NAME_READS.get(model._meta.label, ()))
        assert _paths_needed(model) <= listed, model._meta.label


def test_nothing_is_listed_that_a_name_does_not_read():
    for label, paths in NAME_READS.items():
        model = apps.get_model(label)
        assert set(paths) == _paths_needed(model), label
        str(model._default_manager.select_related(*paths).query)  # every path is a relation


@pytest.mark.django_db
def test_names_are_read_with_one_query_for_each_kind_of_record(
    phb_lead, icb_admin, holder, django_assert_num_queries
):
    from budgets.models import Budget, BudgetStatusChange

    budget = agreed_budget(
        phb_lead, holder, ras_assessment(phb_lead, holder, questionnaire(icb_admin))
    )
    names = Names()
    names.want(Budget, budget.pk)
    for change in BudgetStatusChange.objects.filter(budget=budget):
        names.want(BudgetStatusChange, change.pk)
    names.want(Budget, "not a key")
    with django_assert_num_queries(2):
        names.load()
    assert (
        names.of(Budget, budget.pk)
        == f"Budget for {holder.full_name} 1 April 2026 to 31 March 2027"
    )
    change = BudgetStatusChange.objects.filter(budget=budget, to_status="agreed").get()
    assert names.of(BudgetStatusChange, change.pk).startswith(f"Budget for {holder.full_name} ")
    assert names.of(Budget, "not a key") is None
