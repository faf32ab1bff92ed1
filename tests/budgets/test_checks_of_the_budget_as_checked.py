"""A clinician's check counts only for the budget as it was checked (reviewer's defect 1).

Worked figures: the CHC package of the worked example costs £117,793.00 a year. From
6 December 2026 to 31 March 2027 is 116 of 2026/27's 365 days, so the cap for the period is
£117,793.00 x 116 / 365 = £37,435.58; from 1 January 2027 it is 90 days, £29,044.85. The budget
is proposed at £40,000.00 with justification J1, supported by the clinician, sent back to
draft, moved to 1 January 2027 with justification J2 and proposed again at £40,000.00: the old
check was of another budget (another period, cap and reason), so it no longer counts.
"""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from budgets import selectors, services
from budgets.models import Budget, BudgetStatus
from tests.budgets.factories import FY_2026_END, another_lead, proposed_budget, reload

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2026, 12, 6)
JANUARY = datetime.date(2027, 1, 1)
J1 = "Needs two carers at night due to seizures"
J2 = "Needs a waking night carer as the seizures now come at night."
AMOUNT = D("40000.00")


@pytest.fixture
def checked_then_changed(care_coordinator, phb_lead, clinician, holder, chc):
    budget = proposed_budget(
        care_coordinator,
        holder,
        chc,
        start=DECEMBER,
        end=FY_2026_END,
        amount=AMOUNT,
        justification=J1,
    )
    assert budget.indicative_amount == D("37435.58")
    services.record_clinical_check(
        actor=clinician, budget=reload(budget), supported=True, notes="Seizures at night."
    )
    assert reload(budget).supporting_check() is not None
    services.return_to_draft(actor=phb_lead, budget=reload(budget), reason="Start in January.")
    services.update_draft_budget(
        actor=care_coordinator,
        budget=reload(budget),
        version=reload(budget).version,
        period_start=JANUARY,
        clinical_justification=J2,
    )
    services.propose_budget(actor=care_coordinator, budget=reload(budget))
    budget = reload(budget)
    assert (budget.indicative_amount, budget.agreed_amount) == (D("29044.85"), AMOUNT)
    return budget


def test_a_check_before_the_draft_changed_does_not_count(checked_then_changed):
    budget = checked_then_changed
    assert budget.latest_check() is None
    assert budget.supporting_check() is None
    assert budget.needs_clinical_check
    assert budget.earlier_check() is not None


def test_the_lead_cannot_agree_it_without_a_new_check(checked_then_changed, phb_lead):
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=checked_then_changed)
    assert (
        "This budget is £10,955.15 above its indicative amount. A clinician must check and "
        "support it before it can be agreed"
    ) in excinfo.value.messages


def test_the_database_refuses_the_old_check_too(checked_then_changed, phb_lead):
    """Past the service: agreeing it with the check made before the change is refused."""
    old_check = checked_then_changed.clinical_checks.get()
    refused = pytest.raises(IntegrityError, match="supporting check by another clinician")
    with refused, transaction.atomic():
        Budget.objects.filter(pk=checked_then_changed.pk).update(
            status=BudgetStatus.AGREED,
            agreed_by=phb_lead,
            agreed_at=timezone.now(),
            clinical_check=old_check,
        )


def test_a_new_check_of_the_changed_budget_counts(checked_then_changed, clinician, holder):
    services.record_clinical_check(
        actor=clinician, budget=checked_then_changed, supported=True, notes="Waking nights."
    )
    lead = another_lead(holder.organisation)
    agreed = services.agree_budget(actor=lead, budget=reload(checked_then_changed))
    assert agreed.status == BudgetStatus.AGREED
    assert agreed.clinical_check.notes == "Waking nights."


def test_the_page_says_a_clinician_must_check_it_again(
    client, checked_then_changed, phb_lead, clinician
):
    client.force_login(phb_lead)
    html = unescape(
        client.get(reverse("budgets:budget", args=[checked_then_changed.pk])).content.decode()
    )
    today = f"{timezone.localdate():%-d %B %Y}"
    assert (
        f"It is £10,955.15 more than its indicative amount. {clinician.full_name} checked it on "
        f"{today} and supported it, but it has been changed since, so a clinician must check it "
        "again before it can be agreed."
    ) in html
    assert (
        f"The amount proposed is £40,000.00, which is £10,955.15 more, because: {J2} A clinician "
        "checked it before it was last changed, so a clinician must check it again."
    ) in html
    assert "A clinician checked and supported this" not in html
    assert "Agree this budget" not in html


def test_the_clinician_is_asked_to_check_it_again(checked_then_changed, clinician):
    waiting = [budget.pk for budget, _ in selectors.budgets_waiting_for(clinician)]
    assert checked_then_changed.pk in waiting


def test_proposing_again_without_a_change_keeps_the_check(
    care_coordinator, phb_lead, clinician, holder, chc
):
    """Sending back and proposing again changes nothing the clinician checked."""
    budget = proposed_budget(
        care_coordinator,
        holder,
        chc,
        start=DECEMBER,
        end=FY_2026_END,
        amount=AMOUNT,
        justification=J1,
    )
    services.record_clinical_check(
        actor=clinician, budget=reload(budget), supported=True, notes="Seizures at night."
    )
    services.return_to_draft(actor=phb_lead, budget=reload(budget), reason="Wait for panel.")
    services.propose_budget(actor=care_coordinator, budget=reload(budget))
    agreed = services.agree_budget(actor=phb_lead, budget=reload(budget))
    assert agreed.clinical_check.notes == "Seizures at night."


# ---------------------------------------------------------------------------------------------
# The justification ends as a sentence before the next one starts (reviewer's defect 5)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def proposed_with_j1(care_coordinator, holder, chc):
    """£40,000.00 from 6 December 2026, £2,564.42 above the cap of £37,435.58."""
    return proposed_budget(
        care_coordinator,
        holder,
        chc,
        start=DECEMBER,
        end=FY_2026_END,
        amount=AMOUNT,
        justification=J1,
    )


def test_the_staff_page_puts_a_full_stop_after_the_justification(proposed_with_j1):
    from budgets.presenters import explain_budget

    steps = explain_budget(reload(proposed_with_j1))["steps"]
    assert (
        "The amount proposed is £40,000.00, which is £2,564.42 more, because: Needs two carers "
        "at night due to seizures. A clinician has not checked this amount yet."
    ) in steps


def test_the_holders_page_puts_a_full_stop_after_the_justification(
    proposed_with_j1, clinician, holder
):
    from budgets.holder_presenters import holder_budget

    services.record_clinical_check(
        actor=clinician, budget=reload(proposed_with_j1), supported=True, notes="Seizures."
    )
    page = holder_budget([reload(proposed_with_j1)], holder=holder, acting_for=False)
    assert (
        "The amount proposed, £40,000.00, is £2,564.42 more than the £37,435.58 worked out "
        "above, because: Needs two carers at night due to seizures. A clinician checked and "
        "supported this."
    ) in page.steps


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Night seizures", "Night seizures."),
        ("Night seizures.", "Night seizures."),
        ("Is one carer enough?", "Is one carer enough?"),
        ("Two carers needed!", "Two carers needed!"),
        ("  Night seizures  ", "Night seizures."),
    ],
)
def test_a_justification_ends_as_a_sentence(written, said):
    from budgets.presenters import sentence

    assert sentence(written) == said
