import os

import pytest
from django.core.cache import cache

from phb.models import Role
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


@pytest.fixture
def celery_worker():
    """A real Celery worker, in a thread, consuming from the real Redis broker."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task)
    from celery.contrib.testing.worker import start_worker

    from phb.celery import app

    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=True, shutdown_timeout=10
    ) as worker:
        yield worker
