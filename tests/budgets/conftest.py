"""Fixtures shared by the budget tests: the worked rates and calculations."""

from decimal import Decimal as D

import pytest

from budgets.models import HoldingMethod
from tests.budgets.factories import (
    FY_2027_START,
    JUSTIFICATION,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    proposed_budget,
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


@pytest.fixture
def ras_2027(phb_lead, holder, icb_admin):
    """The worked RAS assessment with 2027/28's questionnaire, at the same price per point
    (£8,308.72 a year): a budget for 2027/28 is worked out with that year's figures."""
    version = questionnaire(icb_admin, financial_year=2027)
    return ras_assessment(phb_lead, holder, version, effective_date=FY_2027_START)


@pytest.fixture
def chc_2027(phb_lead, holder, local_rates):
    """The worked CHC package from 1 April 2027 (the same local rates): £117,793.00 a year."""
    return chc_package(phb_lead, holder, effective_date=FY_2027_START)


@pytest.fixture
def above_cap(care_coordinator, holder, ras):
    """Proposed by the care coordinator at £9,000.00, £691.28 above the indicative £8,308.72
    (so the PHB lead, who did not prepare it, may agree it)."""
    return proposed_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )


@pytest.fixture
def paid_budget(phb_lead, holder, chc):
    """Agreed for 2026/27 at £20,000.01: £8,000.00 notional, £12,000.01 by direct payment."""
    return agreed_budget(
        phb_lead,
        holder,
        chc,
        amount=D("20000.01"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.01"), ""),
        ],
    )
