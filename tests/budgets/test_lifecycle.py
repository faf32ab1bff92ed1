"""A budget's whole life through the services: change a draft, send it back, withdraw it, the
separation of duties, overlaps and dates at set up, and ending it when its period is over.

Figures are the worked RAS example: 56 points x £148.37 = £8,308.72 a year. Today is whatever
the clock says; tests that need another day set `timezone.localdate` (`on_day`).
"""

import datetime
import threading
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import (
    Budget,
    BudgetEdit,
    BudgetPolicy,
    BudgetStatusChange,
    FundingStreamKind,
    HoldingMethod,
)
from budgets.models.budget import BudgetStatus
from budgets.services import Conflict
from phb.models import RoleAssignment
from tests.budgets.factories import (
    BACKDATED,
    FY_2026_END,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    LocalRateSetFactory,
    agreed_budget,
    another_lead,
    chc_package,
    draft_budget,
    pa_costing,
    proposed_budget,
    questionnaire,
    ras_assessment,
    reload,
    staff,
)

pytestmark = pytest.mark.django_db

SEPARATION = "Whoever prepared or proposed a budget cannot also agree it"


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def on_day(monkeypatch):
    """Make today another day for the services (the database's clock is not changed)."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


def edit(budget, actor, **changes):
    return services.update_draft_budget(
        actor=actor, budget=budget, version=reload(budget).version, **changes
    )


# ---------------------------------------------------------------------------------------------
# Changing a draft
# ---------------------------------------------------------------------------------------------


def test_a_draft_is_changed_and_the_change_is_recorded(phb_lead, care_coordinator, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    # Part of the year, a joint budget, held two ways: 1 October 2026 to 31 March 2027 is 182
    # of 365 days, so the indicative amount is £8,308.72 x 182 / 365 = £4,142.978... = £4,142.98.
    changed = edit(
        budget,
        care_coordinator,
        period_start=datetime.date(2026, 10, 1),
        period_end=FY_2026_END,
        agreed_amount=D("4000.00"),
        funding_streams=[
            (FundingStreamKind.NHS_CHC, D("60")),
            (FundingStreamKind.LA_SOCIAL_CARE, D("40")),
        ],
        portions=[
            (HoldingMethod.NOTIONAL, D("1000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("3000.00"), ""),
        ],
        backdating_reason=BACKDATED,
    )
    budget = reload(changed)
    assert budget.version == 2
    assert (budget.period_start, budget.period_end) == (datetime.date(2026, 10, 1), FY_2026_END)
    assert budget.indicative_amount == D("4142.98")
    assert budget.agreed_amount == D("4000.00")
    assert sorted(budget.funding_streams.values_list("kind", "share_percent")) == [
        ("la_social_care", D("40.00")),
        ("nhs_chc", D("60.00")),
    ]
    assert sorted(budget.portions.values_list("method", "amount")) == [
        ("direct_payment", D("3000.00")),
        ("notional", D("1000.00")),
    ]
    (recorded,) = BudgetEdit.objects.filter(budget=budget)
    assert recorded.by == care_coordinator
    assert recorded.summary == (
        "Period 1 April 2026 to 31 March 2027 became 1 October 2026 to 31 March 2027. "
        "Indicative amount £8,308.72 became £4,142.98. "
        "Amount £8,308.72 became £4,000.00. "
        "Funding streams: NHS Continuing Healthcare 60%, Local authority social care 40%. "
        "How the money is held: Notional budget £1,000.00, Direct payment £3,000.00."
    )
    assert budget.status == BudgetStatus.DRAFT


def test_saving_a_draft_unchanged_records_nothing(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    same = edit(budget, phb_lead, agreed_amount=D("8308.72"), backdating_reason=BACKDATED)
    assert same.version == 1
    assert not BudgetEdit.objects.exists()


def test_only_a_draft_can_be_changed(phb_lead, holder, ras):
    budget = proposed_budget(phb_lead, holder, ras)
    with pytest.raises(Conflict) as excinfo:
        edit(budget, phb_lead, agreed_amount=D("8000.00"))
    assert "You cannot change this budget: it was already proposed by" in str(excinfo.value)
    assert phb_lead.full_name in str(excinfo.value)
    assert reload(budget).agreed_amount == D("8308.72")


def test_a_change_from_a_stale_page_is_refused_with_an_explanation(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    seen = budget.version
    edit(budget, phb_lead, agreed_amount=D("8000.00"), portions=[("notional", D("8000"), "")])
    with pytest.raises(Conflict) as excinfo:
        services.update_draft_budget(
            actor=phb_lead, budget=budget, version=seen, agreed_amount=D("7000.00")
        )
    change = BudgetEdit.objects.get(budget=budget)
    assert str(excinfo.value) == (
        f"You cannot change this budget: it was changed by {phb_lead.full_name} on "
        f"{timezone.localtime(change.at):%-d %B %Y at %H:%M}, after you opened this page. "
        "Check it and try again."
    )
    assert reload(budget).agreed_amount == D("8000.00")
    # A version the budget never had (a garbled page) is out of date, and names nothing.
    with pytest.raises(Conflict) as excinfo:
        services.update_draft_budget(
            actor=phb_lead, budget=budget, version=seen + 5, agreed_amount=D("7000.00")
        )
    assert str(excinfo.value) == (
        "You cannot change this budget: someone changed it while you were looking at it. "
        "Check the latest version and try again."
    )


def test_a_withdrawal_after_a_colleagues_proposal_says_who_proposed_it(
    phb_lead, care_coordinator, holder, ras
):
    budget = draft_budget(phb_lead, holder, ras)
    seen = budget.version
    services.propose_budget(actor=care_coordinator, budget=budget, version=seen)
    proposed = budget.status_changes.get(to_status=BudgetStatus.PROPOSED)
    with pytest.raises(Conflict) as excinfo:
        services.withdraw_budget(actor=phb_lead, budget=budget, reason="Twice.", version=seen)
    assert str(excinfo.value) == (
        f"You cannot withdraw this budget: it was proposed by {care_coordinator.full_name} on "
        f"{timezone.localtime(proposed.at):%-d %B %Y at %H:%M}, after you opened this page. "
        "Check it and try again."
    )
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_a_draft_change_is_checked_as_a_new_budget_is(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        edit(budget, phb_lead, agreed_amount=D("9000.00"))
    assert excinfo.value.message_dict == {
        "clinical_justification": [
            "The amount is more than the indicative £8,308.72. Write the clinical justification "
            "for it"
        ]
    }
    with pytest.raises(ValidationError) as excinfo:
        edit(budget, phb_lead, agreed_amount=D("8000.00"))
    assert "add up to £8,308.72, but the budget is £8,000.00" in messages_of(excinfo)
    assert reload(budget).version == 1


def test_a_draft_cannot_be_given_a_field_it_does_not_have(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(TypeError):
        edit(budget, phb_lead, status=BudgetStatus.AGREED)
    with pytest.raises(TypeError):
        edit(budget, phb_lead, created_by=phb_lead)


def test_a_clinician_cannot_change_a_draft(clinician, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(PermissionDenied):
        edit(budget, clinician, agreed_amount=D("8000.00"))


def test_a_new_amount_needs_a_new_clinical_check(
    phb_lead, care_coordinator, clinician, holder, ras
):
    budget = draft_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )
    services.record_clinical_check(actor=clinician, budget=budget, supported=True, notes="Fine.")
    budget = edit(
        budget,
        care_coordinator,
        agreed_amount=D("9500.00"),
        portions=[(HoldingMethod.NOTIONAL, D("9500.00"), "")],
    )
    budget = reload(budget)
    assert budget.supporting_check() is None
    assert budget.needs_clinical_check
    budget = services.propose_budget(actor=care_coordinator, budget=budget)
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=budget)
    assert "£1,191.28 above its indicative amount" in messages_of(excinfo)


# ---------------------------------------------------------------------------------------------
# Sending back and withdrawing
# ---------------------------------------------------------------------------------------------


def test_a_budget_not_supported_is_not_checked_again_until_it_changes(
    phb_lead, care_coordinator, clinician, holder, ras, icb
):
    """A second clinician's check of the same, unchanged budget would overturn the first one's
    answer unseen: it is refused, saying why, until the budget is changed or proposed again.
    Sent back to draft and proposed again, even at the same amount, it is checked again."""
    budget = proposed_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )
    services.record_clinical_check(
        actor=clinician, budget=budget, supported=False, notes="Night needs are met already."
    )
    second = staff("clinician", icb)
    with pytest.raises(Conflict) as refused:
        services.record_clinical_check(
            actor=second, budget=reload(budget), supported=True, notes="I disagree."
        )
    assert str(refused.value) == (
        f"{clinician.full_name} checked this amount on 23 November 2026 and did not support "
        "it. It is checked again once the budget has been changed or proposed again. Nothing "
        "was changed."
    )
    assert budget.clinical_checks.count() == 1
    services.return_to_draft(actor=phb_lead, budget=reload(budget), reason="Add the night log.")
    assert reload(budget).unchanged_since_not_supported  # sent back, not changed yet
    services.propose_budget(actor=care_coordinator, budget=reload(budget))
    assert not reload(budget).unchanged_since_not_supported
    services.record_clinical_check(
        actor=second, budget=reload(budget), supported=True, notes="The night log shows it."
    )
    assert reload(budget).supporting_check().clinician == second


def test_whoever_prepared_a_budget_does_not_check_it_themselves(
    client, holder, ras, icb, clinician
):
    """A clinician who is also the person's care coordinator sets the budget up and proposes
    it: they may not also be its clinical check. Another clinician may."""
    both = staff("clinician", icb)
    RoleAssignment.objects.create(
        user=both, organisation=icb, role="care_coordinator", starts_on=datetime.date(2026, 4, 1)
    )
    budget = proposed_budget(both, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION)
    with pytest.raises(Conflict) as refused:
        services.record_clinical_check(
            actor=both, budget=reload(budget), supported=True, notes="It is right."
        )
    assert str(refused.value) == "You prepared this budget, so another clinician must check it"
    assert not budget.clinical_checks.exists()
    client.force_login(both)
    page = client.get(reverse("budgets:budget", args=[budget.pk])).content.decode()
    assert reverse("budgets:clinical_check", args=[budget.pk]) not in page
    response = client.get(reverse("budgets:clinical_check", args=[budget.pk]), follow=True)
    assert "You prepared this budget, so another clinician must check it" in unescape(
        response.content.decode()
    )
    services.record_clinical_check(
        actor=clinician, budget=reload(budget), supported=True, notes="The night log shows it."
    )
    assert reload(budget).supporting_check().clinician == clinician


def test_a_budget_the_clinician_did_not_support_goes_back_to_draft_and_on_to_agreement(
    phb_lead, care_coordinator, clinician, holder, ras
):
    budget = proposed_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )
    services.record_clinical_check(
        actor=clinician, budget=budget, supported=False, notes="Night needs are met already."
    )
    assert reload(budget).check_did_not_support
    budget = services.return_to_draft(
        actor=phb_lead, budget=budget, reason="Lower the amount to what the clinician supports."
    )
    assert budget.status == BudgetStatus.DRAFT
    last = budget.status_changes.order_by("-at").first()
    assert (last.from_status, last.to_status, last.by, last.reason) == (
        "proposed",
        "draft",
        phb_lead,
        "Lower the amount to what the clinician supports.",
    )
    budget = edit(
        budget,
        care_coordinator,
        agreed_amount=D("8600.00"),
        portions=[(HoldingMethod.NOTIONAL, D("8600.00"), "")],
    )
    budget = services.propose_budget(actor=care_coordinator, budget=reload(budget))
    services.record_clinical_check(actor=clinician, budget=budget, supported=True, notes="OK.")
    budget = services.agree_budget(actor=phb_lead, budget=reload(budget))
    assert reload(budget).status == BudgetStatus.AGREED
    assert reload(budget).clinical_check.amount == D("8600.00")


def test_sending_back_needs_a_reason_and_a_proposed_budget(phb_lead, holder, ras):
    budget = proposed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        services.return_to_draft(actor=phb_lead, budget=budget, reason="  ")
    assert excinfo.value.message_dict == {"reason": ["Say why the budget is going back to draft"]}
    services.return_to_draft(actor=phb_lead, budget=budget, reason="The dates are wrong.")
    with pytest.raises(Conflict) as excinfo:
        services.return_to_draft(actor=phb_lead, budget=budget, reason="Again.")
    assert str(excinfo.value) == "You cannot send back this budget: it is still a draft."


@pytest.mark.parametrize("proposed", [False, True])
def test_a_draft_or_proposed_budget_is_withdrawn_with_its_reason(phb_lead, holder, ras, proposed):
    make = proposed_budget if proposed else draft_budget
    budget = make(phb_lead, holder, ras)
    budget = services.withdraw_budget(
        actor=phb_lead, budget=budget, reason="Set up for the wrong person."
    )
    assert reload(budget).status == BudgetStatus.WITHDRAWN
    last = budget.status_changes.order_by("-at").first()
    assert (last.to_status, last.by, last.reason) == (
        "withdrawn",
        phb_lead,
        "Set up for the wrong person.",
    )


def test_withdrawing_needs_a_reason(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_budget(actor=phb_lead, budget=budget, reason="")
    assert excinfo.value.message_dict == {"reason": ["Say why the budget is being withdrawn"]}
    assert reload(budget).status == BudgetStatus.DRAFT


def test_an_agreed_budget_cannot_be_withdrawn(phb_lead, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    with pytest.raises(Conflict) as excinfo:
        services.withdraw_budget(actor=phb_lead, budget=budget, reason="Changed my mind.")
    assert "You cannot withdraw this budget: it was already agreed by" in str(excinfo.value)


def test_a_withdrawn_budget_is_never_changed_proposed_or_agreed(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    services.withdraw_budget(actor=phb_lead, budget=budget, reason="Duplicate.")
    for act in (
        lambda: edit(budget, phb_lead, agreed_amount=D("1.00")),
        lambda: services.propose_budget(actor=phb_lead, budget=budget),
        lambda: services.agree_budget(actor=another_lead(holder.organisation), budget=budget),
    ):
        with pytest.raises(Conflict) as excinfo:
            act()
        assert "it was already withdrawn by" in str(excinfo.value)


def test_clinicians_and_finance_cannot_withdraw_or_send_back(
    clinician, finance_officer, phb_lead, holder, ras
):
    budget = proposed_budget(phb_lead, holder, ras)
    for actor in (clinician, finance_officer):
        with pytest.raises(PermissionDenied):
            services.withdraw_budget(actor=actor, budget=budget, reason="No.")
        with pytest.raises(PermissionDenied):
            services.return_to_draft(actor=actor, budget=budget, reason="No.")


# ---------------------------------------------------------------------------------------------
# Overlaps and dates at set up
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "proposed"])
def test_a_budget_overlapping_one_being_prepared_is_refused_naming_it(
    phb_lead, holder, ras, status
):
    make = proposed_budget if status == "proposed" else draft_budget
    make(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, start=datetime.date(2027, 1, 1), amount=D("1000"))
    assert excinfo.value.message_dict == {
        "period_start": [
            f"This period overlaps the {status} budget from 1 April 2026 to 31 March 2027. "
            "Change the dates, or withdraw that budget first"
        ]
    }
    assert Budget.objects.count() == 1


def test_a_draft_moved_onto_another_budget_is_refused(phb_lead, holder, ras, ras_2027):
    agreed_budget(phb_lead, holder, ras)
    budget = draft_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    with pytest.raises(ValidationError) as excinfo:
        edit(budget, phb_lead, period_start=datetime.date(2027, 3, 1), period_end=FY_2027_END)
    # 1 March 2027 is in 2026/27, so the end (31 March 2028) is another year: that first.
    assert "must fall within one financial year" in messages_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        edit(budget, phb_lead, period_start=datetime.date(2027, 3, 1), period_end=FY_2026_END)
    assert excinfo.value.message_dict == {
        "period_start": [
            "This period overlaps the agreed budget from 1 April 2026 to 31 March 2027. "
            "Change the dates"
        ]
    }


@pytest.mark.django_db(transaction=True)
def test_two_people_setting_up_overlapping_budgets_at_once_one_wins(icb, holder):
    """Two real connections set up budgets for the same dates at once: the database's
    exclusion constraint lets one through and the other is told, with nothing saved."""
    LocalRateSetFactory(organisation=icb)
    leads = [staff("phb_lead", icb), staff("care_coordinator", icb)]
    package = chc_package(leads[0], holder, effective_date=FY_2027_START)
    barrier = threading.Barrier(2)
    results = {}

    def set_up(name, actor):
        try:
            barrier.wait(timeout=10)
            draft_budget(actor, holder, package, start=FY_2027_START, end=FY_2027_END)
            results[name] = "set up"
        except (Conflict, ValidationError) as error:
            results[name] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=set_up, args=(n, a)) for n, a in zip("ab", leads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(results.values())
    assert len(outcomes) == 2
    assert outcomes.count("set up") == 1
    (refusal,) = [o for o in outcomes if o != "set up"]
    assert "overlap" in refusal or "over the same dates" in refusal
    assert Budget.objects.filter(budget_holder=holder).count() == 1


def test_a_budget_whose_period_has_ended_cannot_be_set_up(phb_lead, holder, ras, on_day):
    on_day(datetime.date(2027, 4, 2))
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, backdating_reason=BACKDATED)
    assert excinfo.value.message_dict == {
        "period_end": [
            "This period ended on 31 March 2027. A budget whose period has already ended "
            "cannot be set up"
        ]
    }


def test_a_start_date_that_has_passed_needs_a_reason(phb_lead, holder, ras, on_day):
    on_day(datetime.date(2026, 11, 23))
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, backdating_reason="")
    assert excinfo.value.message_dict == {
        "backdating_reason": [
            "The start date, 1 April 2026, has already passed. If the budget really starts "
            "then, confirm it is backdated and say why"
        ]
    }
    budget = draft_budget(phb_lead, holder, ras, backdating_reason=f"  {BACKDATED} ")
    assert reload(budget).backdating_reason == BACKDATED


def test_a_budget_starting_later_is_not_backdated(phb_lead, holder, ras, ras_2027):
    budget = draft_budget(
        phb_lead,
        holder,
        ras_2027,
        start=FY_2027_START,
        end=FY_2027_END,
        backdating_reason="No need",
    )
    assert reload(budget).backdating_reason == ""


def test_a_budget_is_worked_out_with_the_figures_for_its_own_year(
    phb_lead, holder, ras, local_rates
):
    """The 2026/27 resource allocation (£8,308.72 a year at that year's price per point), or
    a CHC package or PA costing at 2026/27 rates, is not next year's amount: a 2027/28 budget
    from one is refused, saying which year each is for, and so is a draft moved into 2027/28."""
    refusal = (
        "This calculation was worked out with the figures for 2026/27, but the budget starts "
        "on 1 April 2027, in 2027/28. Choose a calculation for 2027/28, or work one out"
    )
    for calculation in (
        ras,
        chc_package(phb_lead, holder),
        pa_costing(phb_lead, holder, effective_date=datetime.date(2027, 3, 31)),
    ):
        with pytest.raises(ValidationError) as excinfo:
            draft_budget(phb_lead, holder, calculation, start=FY_2027_START, end=FY_2027_END)
        assert excinfo.value.message_dict == {"calculation": [refusal]}
    assert not Budget.objects.exists()
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        edit(budget, phb_lead, period_start=FY_2027_START, period_end=FY_2027_END)
    assert excinfo.value.message_dict == {"calculation": [refusal]}
    next_year = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = draft_budget(
        phb_lead, holder, next_year, start=FY_2027_START, end=FY_2027_END, amount=D("1000.00")
    )
    assert reload(budget).chc_package == next_year


def test_a_budget_starts_no_more_than_18_months_ahead(phb_lead, holder, icb_admin):
    """Today is 23 November 2026: 23 May 2028 is the latest start (next financial year's budget
    from any day of this one fits); 2099 is a slip."""
    ras_2028 = ras_assessment(
        phb_lead,
        holder,
        questionnaire(icb_admin, financial_year=2028),
        effective_date=datetime.date(2028, 4, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(
            phb_lead,
            holder,
            ras_2028,
            start=datetime.date(2028, 5, 24),
            end=datetime.date(2029, 3, 31),
            amount=D("1000.00"),
        )
    assert excinfo.value.message_dict == {
        "period_start": [
            "A budget is set up no more than 18 months ahead: the start must be on or before "
            "23 May 2028"
        ]
    }
    budget = draft_budget(
        phb_lead,
        holder,
        ras_2028,
        start=datetime.date(2028, 5, 23),
        end=datetime.date(2029, 3, 31),
        amount=D("1000.00"),
    )
    assert reload(budget).period_start == datetime.date(2028, 5, 23)


def test_the_database_refuses_a_backdated_budget_without_a_reason(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)  # starts 1 April 2026, set up today
    assert budget.period_start < timezone.localdate()
    with (
        pytest.raises(IntegrityError, match="budget_backdated_says_why"),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=budget.pk).update(backdating_reason="")


def test_a_start_date_that_passes_while_in_preparation_must_be_explained(
    phb_lead, care_coordinator, holder, ras, on_day
):
    # Set up on 1 March 2027 to start on 2 March; proposed and agreed on 3 March.
    on_day(datetime.date(2027, 3, 1))
    budget = draft_budget(
        care_coordinator, holder, ras, start=datetime.date(2027, 3, 2), amount=D("500.00")
    )
    on_day(datetime.date(2027, 3, 3))
    with pytest.raises(ValidationError) as excinfo:
        services.propose_budget(actor=care_coordinator, budget=budget)
    assert messages_of(excinfo) == (
        "This budget was due to start on 2 March 2027, which has passed. Change the draft to "
        "change the start date, or to say why it is backdated"
    )
    budget = edit(budget, care_coordinator, backdating_reason="Care started on 2 March.")
    budget = services.propose_budget(actor=care_coordinator, budget=reload(budget))
    assert services.agree_budget(actor=phb_lead, budget=budget).status == BudgetStatus.AGREED


def test_a_proposed_budget_whose_period_ended_cannot_be_agreed(
    phb_lead, care_coordinator, holder, ras, on_day
):
    budget = proposed_budget(care_coordinator, holder, ras)
    on_day(datetime.date(2027, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=budget)
    assert messages_of(excinfo) == (
        "You cannot agree this budget: its period ended on 31 March 2027. Withdraw it, and set "
        "up a budget for a period that has not ended"
    )


# ---------------------------------------------------------------------------------------------
# Separation of duties
# ---------------------------------------------------------------------------------------------


def test_whoever_prepared_a_budget_cannot_agree_it(phb_lead, holder, ras):
    budget = proposed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=budget)
    assert messages_of(excinfo) == (
        "You prepared or proposed this budget, so another PHB lead must agree it"
    )
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_whoever_proposed_or_changed_a_budget_cannot_agree_it(
    phb_lead, care_coordinator, icb, holder, ras
):
    proposer = staff("phb_lead", icb)
    budget = draft_budget(care_coordinator, holder, ras)
    edit(budget, phb_lead, clinical_justification="Noted.")
    budget = services.propose_budget(actor=proposer, budget=reload(budget))
    for preparer in (proposer, phb_lead):
        with pytest.raises(ValidationError):
            services.agree_budget(actor=preparer, budget=budget)
    third = staff("phb_lead", icb)
    assert services.agree_budget(actor=third, budget=budget).agreed_by == third


def test_an_icb_can_let_whoever_prepared_a_budget_agree_it_below_an_amount(
    phb_lead, icb_admin, holder, ras, ras_2027
):
    services.save_budget_policy(
        actor=icb_admin, preparer_may_agree=True, preparer_may_agree_below=D("8308.73")
    )
    small = proposed_budget(phb_lead, holder, ras)  # £8,308.72: below £8,308.73
    assert services.agree_budget(actor=phb_lead, budget=small).agreed_by == phb_lead

    services.save_budget_policy(
        actor=icb_admin, preparer_may_agree=True, preparer_may_agree_below=D("5000.00")
    )
    large = proposed_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=large)
    assert messages_of(excinfo) == (
        "You prepared or proposed this budget, so another PHB lead must agree it. Your ICB "
        "lets whoever prepared a budget agree it only below £5,000.00"
    )


def test_the_database_refuses_an_agreement_by_whoever_prepared_it(phb_lead, holder, ras):
    budget = proposed_budget(phb_lead, holder, ras)
    with pytest.raises(IntegrityError, match=SEPARATION), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(
            status=BudgetStatus.AGREED, agreed_by=phb_lead, agreed_at=timezone.now()
        )
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_the_database_refuses_an_agreement_by_whoever_changed_the_draft(
    phb_lead, care_coordinator, holder, ras
):
    budget = draft_budget(care_coordinator, holder, ras)
    edit(budget, phb_lead, clinical_justification="Noted.")
    budget = services.propose_budget(actor=care_coordinator, budget=reload(budget))
    with pytest.raises(IntegrityError, match=SEPARATION), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(
            status=BudgetStatus.AGREED, agreed_by=phb_lead, agreed_at=timezone.now()
        )


def test_the_database_follows_the_icbs_policy(phb_lead, icb, holder, ras):
    BudgetPolicy.objects.create(
        organisation=icb, preparer_may_agree=True, preparer_may_agree_below=D("10000.00")
    )
    budget = proposed_budget(phb_lead, holder, ras)
    Budget.objects.filter(pk=budget.pk).update(
        status=BudgetStatus.AGREED, agreed_by=phb_lead, agreed_at=timezone.now()
    )
    assert reload(budget).status == BudgetStatus.AGREED


def test_a_policy_allowing_it_needs_an_amount_and_only_the_icb_admin_sets_it(
    phb_lead, icb_admin, icb
):
    with pytest.raises(ValidationError) as excinfo:
        services.save_budget_policy(actor=icb_admin, preparer_may_agree=True)
    assert list(excinfo.value.message_dict) == ["preparer_may_agree_below"]
    with pytest.raises(PermissionDenied):
        services.save_budget_policy(actor=phb_lead, preparer_may_agree=False)
    policy = services.save_budget_policy(
        actor=icb_admin, preparer_may_agree=False, preparer_may_agree_below=D("5000.00")
    )
    assert (policy.organisation, policy.preparer_may_agree, policy.preparer_may_agree_below) == (
        icb,
        False,
        None,
    )
    with (
        pytest.raises(IntegrityError, match="budget_policy_limit_only_when_allowed"),
        transaction.atomic(),
    ):
        BudgetPolicy.objects.filter(pk=policy.pk).update(preparer_may_agree=True)


# ---------------------------------------------------------------------------------------------
# Ending
# ---------------------------------------------------------------------------------------------


def test_a_budget_is_not_ended_before_its_period_is_over(phb_lead, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        services.end_budget(actor=phb_lead, budget=budget)
    assert messages_of(excinfo) == (
        "This budget runs until 31 March 2027. It can be ended when its period is over, from "
        "1 April 2027"
    )
    assert reload(budget).status == BudgetStatus.AGREED


def test_a_budget_ends_when_its_period_is_over(phb_lead, holder, ras, on_day):
    budget = agreed_budget(phb_lead, holder, ras)
    on_day(datetime.date(2027, 4, 1))
    services.end_budget(actor=phb_lead, budget=budget)
    budget = reload(budget)
    assert budget.status == BudgetStatus.ENDED
    last = budget.status_changes.order_by("-at").first()
    assert (last.from_status, last.to_status, last.by, last.reason) == (
        "agreed",
        "ended",
        phb_lead,
        "Its period ended on 31 March 2027",
    )


def test_a_budget_replaced_by_next_years_says_so_when_it_ends(
    phb_lead, finance_officer, holder, ras, on_day, ras_2027
):
    this_year = agreed_budget(phb_lead, holder, ras)
    agreed_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    on_day(datetime.date(2027, 4, 1))
    services.end_budget(actor=phb_lead, budget=this_year)
    assert reload(this_year).status_changes.get(to_status="ended").reason == (
        "Replaced by the agreed budget from 1 April 2027 to 31 March 2028"
    )


def test_only_a_live_budget_ends_and_only_a_phb_lead_ends_it(
    phb_lead, care_coordinator, holder, ras, on_day, ras_2027
):
    draft = draft_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    agreed = agreed_budget(phb_lead, holder, ras)
    on_day(datetime.date(2028, 4, 1))
    with pytest.raises(Conflict) as excinfo:
        services.end_budget(actor=phb_lead, budget=draft)
    assert str(excinfo.value) == "You cannot end this budget: it is still a draft."
    with pytest.raises(PermissionDenied):
        services.end_budget(actor=care_coordinator, budget=agreed)
    assert not BudgetStatusChange.objects.filter(to_status="ended").exists()


def test_a_budget_whose_period_is_over_does_not_start(
    phb_lead, finance_officer, holder, ras, on_day
):
    budget = agreed_budget(phb_lead, holder, ras)
    on_day(datetime.date(2027, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.activate_budget(actor=finance_officer, budget=budget)
    assert messages_of(excinfo) == (
        "This budget's period ended on 31 March 2027, so it cannot start. A PHB lead can end it"
    )
