import datetime
import importlib
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from phb.models import Role
from phb.today import fix_database_today
from tests.database_template import copy_migrated_template
from tests.factories import (
    PASSWORD,
    BudgetHolderFactory,
    HolderUserFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    add_totp,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM is
# still used synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The date the suite's worked examples are written for (a Monday in the 2026/27 financial
# year). Every test runs on it, so that the suite gives the same answers on any day it is run:
# Python's clock is moved back to it (keeping the time of day, and ticking), and the database's
# today (phb/today.py) is fixed to it. PostgreSQL's own clock is not moved: the audit events'
# timestamps keep the real time. `today_is` moves both to another day for one test.
FIXED_TODAY = datetime.date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")


def _on(day: datetime.date) -> time_machine.travel:
    now = datetime.datetime.now(LONDON)
    return time_machine.travel(now - datetime.timedelta(days=(now.date() - day).days), tick=True)


def pytest_configure(config):
    # Before the test modules are imported: some work out their dates from today at import.
    _on(FIXED_TODAY).start()


def pytest_collection_modifyitems(items):
    """The longest single tests (`runs_first`) go first. Under `make test` pytest-xdist hands
    out tests in the order collected (the browser groups first), so the two workers finish
    together instead of one running a two-minute sweep alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("runs_first") is None)


@pytest.fixture(autouse=True)
def _fixed_today_for_each_test():
    """Python's clock ticks on from FIXED_TODAY, so a run that passes midnight would have its
    later tests on the next day (CI's run of 5 December 2026 did: 29 tests failed on dates a day
    out). Each test starts again on FIXED_TODAY, at the real time of day."""
    travel = _on(FIXED_TODAY)
    travel.start()
    yield
    travel.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """This run's test database (this worker's, under pytest-xdist) is made here, as a copy of
    the migrated template (tests/database_template.py)."""
    with django_db_blocker.unblock():
        copy_migrated_template()


@pytest.fixture(scope="session")
def django_db_keepdb():
    """pytest-django uses the copy made above, and leaves it for the next run to replace."""
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        fix_database_today(FIXED_TODAY)


@pytest.fixture
def today_is(db):
    """`today_is(day)`: the service's today is `day` for the rest of this test, in Python and in
    the database (and FIXED_TODAY again after it)."""
    travels = []

    def move(day: datetime.date) -> None:
        travels.append(_on(day))
        travels[-1].start()
        fix_database_today(day)

    yield move
    for travel in reversed(travels):
        travel.stop()
    if travels:
        fix_database_today(FIXED_TODAY)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and used TOTP codes live in Redis: start every test clean."""
    cache.clear()
    yield


@pytest.fixture
def icb(db):
    return OrganisationFactory(name="NHS North Test Integrated Care Board", ods_code="QT1")


@pytest.fixture
def other_icb(db):
    return OrganisationFactory(name="NHS South Test Integrated Care Board", ods_code="QT2")


def _staff(role, organisation):
    user = UserFactory(role=role, organisation=organisation)
    add_totp(user)
    return user


@pytest.fixture
def phb_lead(icb):
    return _staff(Role.PHB_LEAD, icb)


@pytest.fixture
def care_coordinator(icb):
    return _staff(Role.CARE_COORDINATOR, icb)


@pytest.fixture
def clinician(icb):
    return _staff(Role.CLINICIAN, icb)


@pytest.fixture
def icb_admin(icb):
    return _staff(Role.ICB_ADMIN, icb)


@pytest.fixture
def finance_officer(icb):
    return _staff(Role.FINANCE_OFFICER, icb)


@pytest.fixture
def panel_member(icb):
    return _staff(Role.PANEL_MEMBER, icb)


@pytest.fixture
def service_admin(db):
    """Runs the service for every ICB; holds no ICB role and sees nobody's record."""
    return _staff(Role.SERVICE_ADMIN, None)


@pytest.fixture
def pa_employer_support(icb):
    return _staff(Role.PA_EMPLOYER_SUPPORT, icb)


@pytest.fixture
def other_icb_lead(other_icb):
    return _staff(Role.PHB_LEAD, other_icb)


@pytest.fixture
def holder(icb):
    """A budget holder with their own sign-in."""
    return BudgetHolderFactory(organisation=icb, user=HolderUserFactory())


@pytest.fixture
def other_holder(icb):
    return BudgetHolderFactory(organisation=icb, user=HolderUserFactory())


@pytest.fixture
def other_icb_holder(other_icb):
    return BudgetHolderFactory(organisation=other_icb)


@pytest.fixture
def representative(holder):
    return RepresentativeFactory(budget_holder=holder).user


@pytest.fixture
def password():
    return PASSWORD


def running_celery_worker():
    """A real Celery worker, in a thread, consuming from the real Redis broker: the default
    queue and the PDFs' (as `make run`'s worker does). A context manager."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task)
    from celery.contrib.testing.worker import start_worker

    from phb.celery import app

    return start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=True,
        shutdown_timeout=10,
        queues=["celery", "pdf"],
    )


@pytest.fixture
def celery_worker():
    with running_celery_worker() as worker:
        yield worker


@pytest.fixture(autouse=True)
def _figures_the_migrations_load(request):
    """Every test that uses the database starts with the 2026/27 figures the migrations load.
    A transactional test ends by emptying every table, so whichever test runs next on that
    worker would otherwise find no national rates or tax-year figures, and which test that is
    depends on how the run is shared between the workers."""
    uses_database = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if uses_database:
        request.getfixturevalue("national_rates")
        request.getfixturevalue("tax_year_figures")


def load_figures_the_migrations_load():
    """The 2026/27 national figures and tax-year figures, as migrations budgets 0003 and
    employers 0002 and 0007 load them (the flush after an earlier transactional test removes
    them). For a fixture wider than one test, which runs before `_figures_the_migrations_load`."""
    from budgets.models import NationalRateSet
    from employers.models import TaxYearRateSet

    figures = importlib.import_module("employers.migrations.0002_payruns").FIGURES_2026_27
    loans = importlib.import_module("employers.migrations.0007_student_loans")
    TaxYearRateSet.objects.get_or_create(
        tax_year_start=datetime.date(2026, 4, 6),
        defaults={"name": "2026/27"} | figures | loans.STUDENT_LOANS_2026_27,
    )
    from tests.budgets.factories import NATIONAL_2026_27

    return NationalRateSet.objects.get_or_create(
        effective_from=datetime.date(2026, 4, 1), defaults=NATIONAL_2026_27
    )[0]


@pytest.fixture
def tax_year_figures(db):
    """The 2026/27 tax-year figures (and the national ones: `load_figures_the_migrations_load`)."""
    load_figures_the_migrations_load()


@pytest.fixture
def national_rates(db):
    """The 2026/27 national figures (and the tax-year ones: `load_figures_the_migrations_load`)."""
    return load_figures_the_migrations_load()
