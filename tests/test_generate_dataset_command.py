"""`manage.py generate_dataset` for real: committed, two worker processes, VACUUM ANALYZE."""

import pytest
from django.core.management import call_command

from budgets.models import Budget, NationalRateSet
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
