"""The national-scale dataset (`manage.py generate_dataset`, ADR 0027), generated small."""

import json
from decimal import Decimal

import nhs_number
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from budgets.models import (
    Budget,
    BudgetChange,
    BudgetStatus,
    BudgetStatusChange,
    CalculationBasis,
    ClinicalCheck,
    FundingStream,
    HoldingPortion,
    PaymentInstalment,
    PaymentSchedule,
)
from budgets.models.budget import CURRENT_STATUSES
from phb import dataset
from phb.models import BudgetHolder, Organisation, RecordAccess, Representative, User
from tests.conftest import load_figures_the_migrations_load


def _generate(**options):
    return dataset.generate(**{"people": 300, "icbs": 3, "seed": 1, **options})


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):
    """Generated once for the module, in a transaction rolled back at its end; each test's
    own transaction is a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_figures_the_migrations_load()  # gone if a transactional test ran before
        _generate()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def bench(_generated, db):
    return None


def test_people_are_spread_unevenly_over_the_icbs_the_largest_first():
    sizes = dataset.icb_sizes(250_000, 42)
    assert sum(sizes) == 250_000
    assert sizes == sorted(sizes, reverse=True)
    assert 19_000 <= sizes[0] <= 21_000
    assert sizes[-1] > 1_000
    assert dataset.icb_sizes(10, 1) == [10]


def test_nhs_numbers_are_valid_and_in_the_test_range():
    numbers = [number for number, _ in zip(dataset.nhs_numbers(), range(1000), strict=False)]
    assert len(set(numbers)) == 1000
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in numbers)


def test_the_icbs_staff_and_people(bench):
    icbs = list(Organisation.objects.filter(ods_code__startswith="BN").order_by("ods_code"))
    assert [icb.ods_code for icb in icbs] == ["BN00", "BN01", "BN02"]
    sizes = [icb.budget_holders.count() for icb in icbs]
    assert sum(sizes) == 300 and sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[2]
    lead = User.objects.get(email="lead0@bench.phb.test")
    assert lead.check_password(dataset.PASSWORD)
    for pattern, role, _ in dataset.STAFF:
        user = User.objects.get(email=dataset.bench_email(pattern, 2))
        assert [a.role for a in user.current_assignments] == [role]
        assert user.acting_organisation == icbs[2]
    people = BudgetHolder.objects.all()
    assert all(nhs_number.is_valid(p.nhs_number) for p in people)
    assert people.values("nhs_number").distinct().count() == 300
    assert people.filter(user__isnull=False).count() == 3 * dataset.HOLDERS_WITH_SIGN_IN
    assert User.objects.filter(email="holder1-49@bench.phb.test").exists()
    assert Representative.objects.count() == sum((size + 24) // 50 for size in sizes)
    assert RecordAccess.objects.count() > 300


def test_budgets_in_every_status_and_basis(bench):
    budgets = Budget.objects.all()
    statuses = set(budgets.values_list("status", flat=True))
    assert statuses == {str(status) for status in CURRENT_STATUSES}
    assert set(budgets.values_list("basis", flat=True)) == set(CalculationBasis.values)
    assert 0.5 < budgets.count() / 300 < 0.8
    assert budgets.filter(status=BudgetStatus.ACTIVE).count() > budgets.count() / 2
    ras = budgets.filter(basis=CalculationBasis.RAS).first().ras_assessment
    assert ras.answers.count() == 8
    assert sum(a.points for a in ras.answers.all()) == ras.total_points
    assert budgets.filter(basis=CalculationBasis.CHC_CAP).first().chc_package.lines.exists()
    assert budgets.filter(basis=CalculationBasis.PA_COSTING).first().pa_costing.lines.exists()
    assert BudgetChange.objects.filter(new_amount__lt=Decimal("1e9")).exists()
    # Someone stopped part way through the year, and last year's ended.
    ended = budgets.filter(status=BudgetStatus.ENDED)
    this_year = timezone.localdate().replace(month=4, day=1)
    assert ended.filter(period_start__gte=this_year).exists()
    assert ended.filter(period_start__lt=this_year).exists()


def test_some_people_have_a_care_plan_being_written(bench):
    from careplans.models import PlanVersion

    drafts = PlanVersion.objects.filter(status="draft").annotate(goals_count=Count("goals"))
    assert 10 <= drafts.count() <= 60
    assert all(1 <= version.goals_count <= 3 for version in drafts)


def test_every_budget_is_consistent(bench):
    for budget in Budget.objects.prefetch_related(
        "portions", "funding_streams", "status_changes", "clinical_checks"
    ):
        assert sum(p.amount for p in budget.portions.all()) == budget.agreed_amount
        assert sum(s.share_percent for s in budget.funding_streams.all()) == 100
        changes = sorted(budget.status_changes.all(), key=lambda c: c.at)
        assert changes[0].from_status == "" and changes[-1].to_status == budget.status
        if budget.is_live and budget.above_indicative:
            assert budget.clinical_check.supported
            assert budget.clinical_check.amount >= budget.agreed_amount
    assert ClinicalCheck.objects.exists()
    assert FundingStream.objects.values("kind").distinct().count() >= 5


def test_instalments_add_up_to_their_portions_and_the_past_is_paid(bench):
    today = timezone.localdate()
    stopped = BudgetStatusChange.objects.filter(reason__startswith="Stopped").values("budget")
    schedules = PaymentSchedule.objects.annotate(
        total=Sum("instalments__amount"), count=Count("instalments")
    ).select_related("portion")
    assert schedules.count() > 50
    for schedule in schedules.exclude(portion__budget__in=stopped):
        assert schedule.total == schedule.portion.amount
    for schedule in schedules.filter(portion__budget__in=stopped):
        assert schedule.total < schedule.portion.amount  # later payments cancelled
    assert not PaymentInstalment.objects.filter(due_date__lt=today, paid_on__isnull=True).exists()
    assert PaymentInstalment.objects.filter(paid_on__isnull=False).exists()
    assert PaymentInstalment.objects.filter(paid_on__isnull=True).exists()
    notional = HoldingPortion.objects.filter(method="notional")
    assert notional.exists() and not PaymentSchedule.objects.filter(portion__in=notional).exists()


def test_the_audit_triggers_wrote_history_attributed_to_the_icbs_lead(bench):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.organisation_id, c.metadata
            FROM phb_budgetholderevent e JOIN pghistory_context c ON c.id = e.pgh_context_id
            """
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM budgets_paymentinstalmentevent")
        assert cursor.fetchone()[0] == PaymentInstalment.objects.count()
    assert len(rows) == 300
    leads = {
        icb.pk: str(User.objects.get(email=f"lead{int(icb.ods_code[2:])}@bench.phb.test").pk)
        for icb in Organisation.objects.all()
    }
    for organisation_id, metadata in rows:
        assert json.loads(metadata) == {
            "command": "generate_dataset",
            "user": leads[organisation_id],
        }


def test_a_second_run_is_refused_and_changes_nothing(bench):
    people = BudgetHolder.objects.count()
    with pytest.raises(CommandError, match="already holds a generated dataset"):
        call_command("generate_dataset", people=10, icbs=1, workers=1)
    assert BudgetHolder.objects.count() == people


def test_too_few_people_is_refused(db):
    with pytest.raises(CommandError, match="at least one person"):
        call_command("generate_dataset", people=0, workers=1)


def test_the_lead_sees_their_icbs_caseload_and_the_holder_their_budget(bench, client, settings):
    settings.PHB_DEMO_MODE = True  # the bench staff are demo users: no second factor here
    assert client.login(email="lead0@bench.phb.test", password=dataset.PASSWORD)
    page = client.get(reverse("caseload")).content.decode()
    own = BudgetHolder.objects.filter(organisation__ods_code="BN00").order_by(
        "family_name", "given_name", "id"
    )
    assert own.first().formatted_nhs_number in page
    other = BudgetHolder.objects.filter(organisation__ods_code="BN01").first()
    assert other.formatted_nhs_number not in page
    client.logout()
    holder = (
        BudgetHolder.objects.filter(user__isnull=False, budgets__status=BudgetStatus.ACTIVE)
        .select_related("user")
        .first()
    )
    assert client.login(email=holder.user.email, password=dataset.PASSWORD)
    page = client.get(reverse("holder_home")).content.decode()
    assert "Your budget" in page
