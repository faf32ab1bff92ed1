"""`manage.py generate_dataset` for real: committed, two worker processes, VACUUM ANALYZE."""

import pytest
from django.core.management import call_command
from django.db import transaction

from budgets.models import Budget, NationalRateSet, PaymentInstalment
from phb import dataset
from phb.models import BudgetHolder
from tests.budgets.factories import FY_2026_START, NATIONAL_2027_28


@pytest.mark.django_db(transaction=True)
def test_the_command_with_two_workers_prints_a_summary(capsys):
    if not NationalRateSet.objects.exists():  # flushed by an earlier transactional test
        NationalRateSet.objects.create(
            **{**NATIONAL_2027_28, "name": "2026/27", "effective_from": FY_2026_START}
        )
    call_command("generate_dataset", people=120, icbs=2, workers=2, chunk=25)
    out = capsys.readouterr().out
    assert "Generated 120 people" in out
    assert "budgets.PaymentInstalment" in out
    assert f"Every password: {dataset.PASSWORD}" in out
    assert BudgetHolder.objects.count() == 120
    assert Budget.objects.exists()


def _fingerprint(**options) -> tuple:
    """What a seed decides (not the timestamps of the run), generated and rolled back."""
    with transaction.atomic():
        dataset.generate(people=80, icbs=2, workers=1, **options)
        people = list(
            BudgetHolder.objects.order_by("id").values_list(
                "id", "nhs_number", "given_name", "family_name", "date_of_birth"
            )
        )
        budgets = list(
            Budget.objects.order_by("id").values_list("id", "status", "basis", "agreed_amount")
        )
        instalments = list(PaymentInstalment.objects.order_by("id").values_list("id", "amount"))
        transaction.set_rollback(True)
    return people, budgets, instalments


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    first = _fingerprint(seed=7)
    assert _fingerprint(seed=7) == first
    assert _fingerprint(seed=8) != first
