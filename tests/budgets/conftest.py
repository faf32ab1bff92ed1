"""Fixtures shared by the budget tests: the worked rates and calculations."""

import pytest

from tests.budgets.factories import (
    LocalRateSetFactory,
    chc_package,
    questionnaire,
    ras_assessment,
)


@pytest.fixture
def local_rates(icb):
    return LocalRateSetFactory(organisation=icb)


@pytest.fixture
def ras_version(icb_admin):
    return questionnaire(icb_admin)


@pytest.fixture
def ras(phb_lead, holder, ras_version):
    """The worked RAS assessment: 56 points x £148.37 = £8,308.72 a year."""
    return ras_assessment(phb_lead, holder, ras_version)


@pytest.fixture
def chc(phb_lead, holder, local_rates):
    """The worked CHC package: £2,265.25 a week, £117,793.00 a year."""
    return chc_package(phb_lead, holder)
