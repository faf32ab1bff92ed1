"""Writing a plan, submitting it, and deciding it once: by a lead under the limit, or a panel."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from budgets.models import Budget as BudgetModel
from budgets.models import BudgetStatus
from budgets.services import Conflict, activate_budget
from careplans import services
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    PlanDecision,
    PlanLetter,
    PlanStatus,
    PlanVersion,
    SupportItem,
)
from careplans.plan_forms import ActionForm, SupportItemForm
from careplans.plan_presenters import plan_document
from careplans.services import ItemChoice
from careplans.services import plans as plan_services
from careplans.services.letters import ask_again_by, write_decision_letter
from tests.budgets.factories import (
    JUSTIFICATION,
    LocalRateSetFactory,
    chc_package,
    draft_budget,
    proposed_budget,
    reload,
    staff,
)
from tests.careplans.plan_factories import OUTCOMES, add_risk, agreement, first_portion
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(phb_lead, holder, icb):
    """A proposed budget of £20,000.00 for the year (the worked CHC package costs more)."""
    LocalRateSetFactory(organisation=icb)
    package = chc_package(phb_lead, holder)
    return proposed_budget(phb_lead, holder, package, amount=D("20000.00"))


def complete_draft(author, holder, budget, *, pa_cost=D("15.00")) -> PlanVersion:
    """A draft with everything a plan needs: a goal, contacts, an item paid from the budget's
    first way of holding the money, outcomes, a risk, contingency, and the agreement of the
    person and of whoever acts for them now.

    The item: a PA 14 hours a week at £15.00 an hour = £210.00 a week, £10,920.00 a year.
    """
    version = services.start_plan(actor=author, budget_holder=holder, budget=budget)
    version = services.update_sections(
        actor=author,
        version=version,
        what_matters="Staying at home with my dog, Biscuit",
        health_needs="Motor neurone disease; needs help to move, wash and eat",
        outcomes_evidence=OUTCOMES,
        crisis_plan="Call the community nursing team, then 111",
        **agreement(holder, min(budget.period_start, timezone.localdate())),
    )
    add_risk(author, version)
    goal = services.save_goal(
        actor=author, version=version, description="Walk Biscuit to the park", importance="very"
    )
    services.save_action(
        actor=author,
        goal=goal,
        what="A PA comes every morning",
        who="PA",
        when="From May",
        confidence=8,
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        name="Casey Coordinator",
        role="Care coordinator",
        is_care_coordinator=True,
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        name="Dr Robin Clinician",
        role="GP",
        has_clinical_responsibility=True,
    )
    services.save_support_item(
        actor=author,
        version=version,
        goals=[goal],
        description="Personal assistant, mornings",
        category="pa_support",
        provider="Employed PA",
        unit_cost=pa_cost,
        quantity=D("14"),
        frequency="weekly",
        portion=first_portion(budget),
    )
    return PlanVersion.objects.get(pk=version.pk)


def test_an_item_costs_unit_cost_times_quantity_times_frequency(phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    item = version.support_items.get()
    assert item.annual_cost == D("10920.00")  # £15.00 x 14 x 52
    assert services.plan_total(version) == D("10920.00")


def test_an_incomplete_plan_says_everything_it_still_needs(phb_lead, holder, budget):
    version = services.start_plan(actor=phb_lead, budget_holder=holder, budget=budget)
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=phb_lead, version=version)
    assert excinfo.value.messages == [
        "Add at least one goal, in the person's words",
        "Name the care coordinator",
        "Name who holds clinical responsibility",
        "Add what the budget will pay for",
        "Describe the person's health needs",
        "Say how we will know the plan is working: the outcomes the person wants",
        "Add at least one risk, with what could happen and how it is reduced",
        "Say what happens in a crisis or if their health gets worse",
        "Record when the person agreed the plan",
    ]
    assert reload_version(version).status == PlanStatus.DRAFT


def reload_version(version) -> PlanVersion:
    return PlanVersion.objects.get(pk=version.pk)


def test_a_plan_over_budget_needs_a_justification(phb_lead, holder, budget):
    # 14 hours a week at £30.00 = £21,840.00 a year, over the £20,000.00 budget.
    version = complete_draft(phb_lead, holder, budget, pa_cost=D("30.00"))
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=phb_lead, version=version)
    assert excinfo.value.messages == [
        "The plan costs £21,840.00 a year, more than the budget of £20,000.00: explain why"
    ]
    services.update_sections(
        actor=phb_lead, version=version, over_budget_justification=JUSTIFICATION
    )
    assert services.submit_version(actor=phb_lead, version=version).status == PlanStatus.SUBMITTED


def test_a_part_year_budget_is_set_against_the_plans_cost_for_its_days(phb_lead, holder, icb):
    """A budget from 1 December 2026 to 31 March 2027 is for 121 of the year's 365 days. The
    plan's PA (£10,920.00 a year) costs £10,920.00 × 121 / 365 = £3,620.05 for that time, and
    one-off beds are paid in full, against the budget's £3,900.00 (though the plan costs more
    than that over a whole year)."""
    LocalRateSetFactory(organisation=icb)
    package = chc_package(phb_lead, holder)
    budget = proposed_budget(
        phb_lead, holder, package, amount=D("3900.00"), start=datetime.date(2026, 12, 1)
    )
    version = complete_draft(phb_lead, holder, budget)

    def add_beds(quantity):
        return services.save_support_item(
            actor=phb_lead,
            version=version,
            goals=list(version.goals.all()),
            description="Profiling bed",
            category="equipment",
            provider="Mobility shop",
            unit_cost=D("250.00"),
            quantity=D(quantity),
            frequency="once",
            portion=first_portion(budget),
        )

    beds = add_beds("2")
    assert beds.cost_text == "£500.00 once"
    items = list(reload_version(version).support_items.all())
    assert plan_services.cost_for_period(items, budget) == D("4120.05")
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=phb_lead, version=reload_version(version))
    assert excinfo.value.messages == [
        "The plan costs £4,120.05 for the budget's period (1 December 2026 to 31 March 2027), "
        "more than the budget of £3,900.00: explain why"
    ]
    services.remove_row(actor=phb_lead, row=beds)
    assert add_beds("1").cost_text == "£250.00 once"
    version = reload_version(version)
    assert plan_services.cost_for_period(list(version.support_items.all()), budget) == D("3870.05")
    assert services.submit_version(actor=phb_lead, version=version).status == PlanStatus.SUBMITTED


def test_a_submitted_plan_cannot_be_changed_through_the_services(phb_lead, holder, budget):
    version = services.submit_version(
        actor=phb_lead, version=complete_draft(phb_lead, holder, budget)
    )
    with pytest.raises(Conflict, match="can no longer be changed"):
        services.update_sections(actor=phb_lead, version=version, what_matters="Something else")


def test_a_stale_page_is_refused(phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    with pytest.raises(Conflict, match="someone changed this plan"):
        services.update_sections(
            actor=phb_lead, version=version, lock_version=version.lock_version - 1, strengths="x"
        )


def test_a_plan_for_a_draft_budget_is_not_sent_and_not_approved(phb_lead, holder, icb):
    """A plan is approved only for a budget being agreed, agreed or paying: a draft's plan is
    not submitted, and if its budget went back to draft after, it is only deferred or
    declined, with the reason given up front."""
    LocalRateSetFactory(organisation=icb)
    draft = draft_budget(phb_lead, holder, chc_package(phb_lead, holder), amount=D("20000.00"))
    version = complete_draft(phb_lead, holder, draft)
    assert plan_services.problems_before_submitting(version) == [
        "The budget that pays for the plan is still a draft: propose the budget first"
    ]
    with pytest.raises(ValidationError):
        services.submit_version(actor=phb_lead, version=version)
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    BudgetModel.objects.filter(pk=draft.pk).update(status=BudgetStatus.PROPOSED)
    submitted = services.submit_version(actor=phb_lead, version=reload_version(version))
    BudgetModel.objects.filter(pk=draft.pk).update(status=BudgetStatus.DRAFT)  # sent back
    with pytest.raises(ValidationError) as excinfo:
        services.decide_plan(
            actor=staff("phb_lead", icb),
            version=reload_version(submitted),
            outcome=DecisionOutcome.APPROVED,
            items=all_items(submitted),
        )
    assert excinfo.value.message_dict["outcome"] == [
        "The budget that pays for the plan is still a draft: propose the budget first. Until "
        "then the plan can only be deferred or declined"
    ]
    assert reload_version(submitted).status == PlanStatus.SUBMITTED


def test_a_one_off_item_is_paid_once_in_every_total_and_decision(phb_lead, holder, icb, budget):
    """A PA at £10,920.00 a year and a £649.99 chair bought once: the plan costs "£10,920.00
    a year and £649.99 once"; approved with the PA cut to £9,000.00, "£9,000.00 a year and
    £649.99 once"."""
    from careplans.plan_presenters import totals

    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    version = complete_draft(phb_lead, holder, budget)
    services.save_support_item(
        actor=phb_lead,
        version=version,
        goals=list(version.goals.all()),
        description="Riser recliner chair",
        category="equipment",
        provider="Mobility shop",
        unit_cost=D("649.99"),
        quantity=D("1"),
        frequency="once",
        portion=first_portion(budget),
    )
    version = services.submit_version(actor=phb_lead, version=reload_version(version))
    assert totals(reload_version(version))["words"] == "£10,920.00 a year and £649.99 once"
    pa, chair = sorted(version.support_items.all(), key=lambda i: i.is_once)
    assert chair.new_cost_label == "New cost for Riser recliner chair"
    assert pa.new_cost_label == f"New cost a year for {pa.description}"
    decision = services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="The PA's hours are fewer.",
        items={
            str(pa.pk): ItemChoice(
                DecisionOutcome.APPROVED_WITH_CHANGES,
                reasons="Fewer hours",
                changed_cost=D("9000.00"),
            ),
            str(chair.pk): ItemChoice(DecisionOutcome.APPROVED),
        },
    )
    assert decision.approved_words == "£9,000.00 a year and £649.99 once"
    shown = totals(reload_version(version))
    assert shown["words"] == "£9,000.00 a year and £649.99 once"
    assert shown["submitted"] == "£10,920.00 a year and £649.99 once"
    assert shown["under"] == D("20000.00") - D("9649.99")
    letter = PlanLetter.objects.get(version=version)
    assert (
        "What we approved costs <strong>£9,000.00 a year and £649.99 once</strong>. Your "
        "personal health budget for"
    ) in letter.body_html
    assert "is <strong>£20,000.00</strong>. That is £10,350.01 more than the support costs." in (
        letter.body_html
    )
    assert "£9,000.00 a year instead of £10,920.00 a year" in letter.body_html


@pytest.fixture
def submitted(phb_lead, holder, budget, icb):
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    return services.submit_version(actor=phb_lead, version=complete_draft(phb_lead, holder, budget))


def all_items(version, outcome=DecisionOutcome.APPROVED):
    return {str(item.pk): ItemChoice(outcome) for item in version.support_items.all()}


def test_a_lead_signs_off_a_plan_under_the_limit_and_its_budget_is_agreed(icb, submitted, budget):
    other_lead = staff("phb_lead", icb)
    decision = services.decide_plan(
        actor=other_lead,
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    assert decision.approved_annual_amount == D("10920.00")
    assert reload_version(submitted).status == PlanStatus.ACTIVE
    budget = reload(budget)
    assert budget.status == BudgetStatus.AGREED
    assert budget.plan_approved_at == decision.decided_at
    assert budget.plan_reference == "Care and support plan, version 1"
    letter = PlanLetter.objects.get(version=submitted)
    assert letter.subject == "Your care and support plan has been approved"
    assert "£10,920.00 a year" in letter.body_html
    assert "will talk to you about starting the support" in letter.body_html


def test_a_plan_approved_while_its_budget_pays_does_not_talk_of_starting(
    icb, submitted, budget, finance_officer
):
    """A plan decided for a budget already paying (a new version, or a plan written here for a
    budget whose first plan was agreed on paper) says the support goes on."""
    decision = services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    activate_budget(actor=finance_officer, budget=reload(budget))
    decision = PlanDecision.objects.get(pk=decision.pk)  # as the budget is now
    letter = write_decision_letter(actor=decision.decided_by, decision=decision)
    assert "the budget goes on paying for the support in it" in letter.body_html
    assert "starting the support" not in letter.body_html
    assert "first review" not in letter.body_html


def test_the_author_cannot_decide_their_own_plan(phb_lead, submitted):
    with pytest.raises(ValidationError, match="someone else must decide it"):
        services.decide_plan(
            actor=phb_lead,
            version=submitted,
            outcome=DecisionOutcome.APPROVED,
            items=all_items(submitted),
        )
    assert not PlanDecision.objects.exists()


def test_above_the_limit_a_panel_must_decide(icb, submitted):
    ApprovalPolicy.objects.filter(organisation=icb).update(lead_sign_off_limit=D("5000.00"))
    with pytest.raises(ValidationError, match="a panel must decide it"):
        services.decide_plan(
            actor=staff("phb_lead", icb),
            version=submitted,
            outcome=DecisionOutcome.APPROVED,
            items=all_items(submitted),
        )


def test_only_a_lead_signs_off(submitted, clinician, care_coordinator):
    for actor in (clinician, care_coordinator):
        with pytest.raises(PermissionDenied):
            services.decide_plan(
                actor=actor,
                version=submitted,
                outcome=DecisionOutcome.APPROVED,
                items=all_items(submitted),
            )


def test_the_last_day_to_ask_again_is_28_days_after_the_letter():
    assert ask_again_by(datetime.date(2026, 12, 6)) == datetime.date(2027, 1, 3)
    assert ask_again_by(datetime.date(2027, 2, 1)) == datetime.date(2027, 3, 1)


def test_declining_the_whole_plan_needs_reasons_and_each_item_carries_them(icb, submitted):
    item = submitted.support_items.get()
    lead = staff("phb_lead", icb)
    for nothing in ("", "\u200b"):  # a zero-width space alone shows nothing in the letter
        with pytest.raises(ValidationError, match="Give the reasons for the decision"):
            services.decide_plan(
                actor=lead, version=submitted, outcome=DecisionOutcome.DECLINED, reasons=nothing
            )
    assert not PlanDecision.objects.exists()
    services.decide_plan(
        actor=lead,
        version=submitted,
        outcome=DecisionOutcome.DECLINED,
        reasons="The plan does not yet say how the mornings meet the health needs.",
    )
    item_decision = item.decisions.get()
    assert item_decision.outcome == DecisionOutcome.DECLINED
    assert item_decision.reasons.startswith("The plan does not yet say how the mornings")
    letter = PlanLetter.objects.get(version=submitted)
    assert letter.subject == "Your care and support plan has not been approved"
    assert "how the mornings meet the health needs" in letter.body_html
    assert "If you do not agree" in letter.body_html
    last_day = ask_again_by(timezone.localtime(letter.created_at).date())
    assert f"within 28 days of this letter, by {last_day:%-d %B %Y}." in letter.body_html
    assert item.description in letter.body_html
    assert reload_version(submitted).status == PlanStatus.DECLINED


def add_gym(author, version) -> SupportItem:
    """A second item: a gym membership at £30.00 a month = £360.00 a year."""
    return services.save_support_item(
        actor=author,
        version=version,
        goals=list(version.goals.all()),
        description="Gym membership",
        category="wellbeing",
        provider="Leisure centre",
        unit_cost=D("30.00"),
        quantity=D("1"),
        frequency="monthly",
        portion=first_portion(version.budget),
    )


def test_goals_are_shown_whole_in_the_plan_and_in_the_choices(phb_lead, holder, budget):
    """Two goals the same for their first 97 characters, different after: cut at 60 (the
    items table, so the person's plan document) or at 80 (the choices of goal), they read the
    same. Each is shown whole."""
    version = complete_draft(phb_lead, holder, budget)
    common = (
        "Walk Biscuit to the park with my personal assistant, and rest on the bench by the pond "
        "before we "
    )
    assert len(common) == 97
    weekdays, weekends = (
        services.save_goal(
            actor=phb_lead, version=version, description=common + ending, importance="very"
        )
        for ending in ("come home, on weekdays", "go to the café, at weekends")
    )
    add_gym(phb_lead, version)
    version = reload_version(version)
    gym = version.support_items.get(description="Gym membership")
    rows = plan_document(version)["items_table"]["rows"]
    goals_of_gym = next(row for row in rows if row[0]["text"] == "Gym membership")[5]["text"]
    assert goals_of_gym == (
        f"Walk Biscuit to the park; {common}come home, on weekdays; "
        f"{common}go to the café, at weekends"
    )
    goals = list(version.goals.all())
    for form in (ActionForm(goals=goals), SupportItemForm(goals=goals)):
        field = form.fields["goal" if isinstance(form, ActionForm) else "goals"]
        assert [label for _, label in field.choices][1:] == [
            weekdays.description,
            weekends.description,
        ]
    assert gym.goals.count() == 3


def test_a_declined_item_needs_its_own_reason_and_the_letter_gives_it(
    icb, phb_lead, holder, budget
):
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    draft = complete_draft(phb_lead, holder, budget)
    gym = add_gym(phb_lead, draft)
    version = services.submit_version(actor=phb_lead, version=reload_version(draft))
    pa = version.support_items.exclude(pk=gym.pk).get()
    lead = staff("phb_lead", icb)
    choices = {
        str(pa.pk): ItemChoice(DecisionOutcome.APPROVED),
        str(gym.pk): ItemChoice(DecisionOutcome.DECLINED),
    }
    with pytest.raises(ValidationError) as excinfo:
        services.decide_plan(
            actor=lead,
            version=version,
            outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
            reasons="We approved the PA support.",
            items=choices,
        )
    assert excinfo.value.messages == ["Give the reason for Gym membership, written for the person"]
    assert not PlanDecision.objects.exists()
    choices[str(gym.pk)] = ItemChoice(
        DecisionOutcome.DECLINED, reasons="The walks with Biscuit already meet this goal."
    )
    decision = services.decide_plan(
        actor=lead,
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="We approved the PA support.",
        items=choices,
    )
    assert decision.approved_annual_amount == D("10920.00")  # the PA only, not the £360.00 gym
    letter = PlanLetter.objects.get(version=version)
    assert "Gym membership (£360.00 a year): The walks with Biscuit" in letter.body_html
    assert "If you do not agree" in letter.body_html
    assert reload_version(version).status == PlanStatus.ACTIVE


def test_approval_with_a_changed_item_states_both_costs(icb, submitted):
    item = submitted.support_items.get()
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="Ten hours a week meet the needs in the assessment.",
        items={
            str(item.pk): ItemChoice(
                DecisionOutcome.APPROVED_WITH_CHANGES,
                reasons="Ten hours a week rather than fourteen.",
                changed_cost=D("7800.00"),
            )
        },
    )
    decision = PlanDecision.objects.get(version=submitted)
    assert decision.approved_annual_amount == D("7800.00")
    letter = PlanLetter.objects.get(version=submitted)
    assert "£7,800.00 a year instead of £10,920.00" in letter.body_html


def test_a_letter_goes_to_the_representative(icb, submitted, holder):
    representative = RepresentativeFactory(budget_holder=holder)
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    letter = PlanLetter.objects.get(version=submitted)
    assert letter.addressed_to == representative.user.full_name
    assert f"Dear {escape(representative.user.full_name)}" in letter.body_html
    assert f"{escape(holder.given_name)}'s care and support plan has been approved" in (
        letter.body_html
    )


def test_every_representative_gets_the_letter_and_the_person_a_copy_when_asked(
    icb, submitted, holder
):
    first = RepresentativeFactory(budget_holder=holder, agreed_on=datetime.date(2026, 4, 1))
    second = RepresentativeFactory(budget_holder=holder, agreed_on=datetime.date(2026, 5, 1))
    holder.copy_letters_to_person = True
    holder.save(update_fields=["copy_letters_to_person"])
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    letters = {
        letter.addressed_to: letter for letter in PlanLetter.objects.filter(version=submitted)
    }
    assert set(letters) == {holder.full_name, first.user.full_name, second.user.full_name}
    assert letters[holder.full_name].subject == "Your care and support plan has been approved"
    assert letters[second.user.full_name].subject == (
        f"{holder.full_name}'s care and support plan has been approved"
    )


def test_changing_an_active_plan_makes_a_new_version_and_keeps_the_old(icb, submitted, phb_lead):
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    second = services.new_version(actor=phb_lead, plan=submitted.plan, reason="Health changed")
    assert second.number == 2 and second.based_on_id == submitted.pk
    assert second.support_items.get().annual_cost == D("10920.00")
    assert second.goals.get().description == "Walk Biscuit to the park"
    assert list(second.support_items.get().goals.all()) == list(second.goals.all())
    assert second.person_agreed_on is None  # the new version must be agreed again
    assert SupportItem.objects.filter(version=submitted).get().annual_cost == D("10920.00")


@pytest.mark.django_db(transaction=True)
def test_two_leads_deciding_at_once_one_decision_stands(icb, holder, phb_lead, budget):
    """Two real connections decide the same plan at the same moment: one stands, one is told."""
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    version = services.submit_version(
        actor=phb_lead, version=complete_draft(phb_lead, holder, budget)
    )
    leads = {"a": staff("phb_lead", icb), "b": staff("phb_lead", icb)}
    outcomes = {"a": DecisionOutcome.APPROVED, "b": DecisionOutcome.DEFERRED}
    barrier = threading.Barrier(2)
    results = {}

    def decide(name):
        try:
            barrier.wait(timeout=10)
            services.decide_plan(
                actor=leads[name],
                version=version,
                outcome=outcomes[name],
                reasons="" if name == "a" else "We need the OT assessment.",
                items=all_items(version),
            )
            results[name] = "decided"
        except Conflict as error:
            results[name] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(name,)) for name in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["a", "b"]
    assert list(results.values()).count("decided") == 1
    (refusal,) = [r for r in results.values() if r != "decided"]
    assert "This plan was already decided" in refusal
    assert "Nothing was changed" in refusal
    assert PlanDecision.objects.filter(version=version).count() == 1
    assert PlanLetter.objects.filter(version=version).count() == 1


def test_the_date_a_plan_was_agreed_is_not_long_before_it_was_written(phb_lead, holder, budget):
    """The version was started on 23 November 2026: a date more than a year before (a year
    typed wrong, such as 1800) is refused, as is a date before the person was born."""
    version = complete_draft(phb_lead, holder, budget)
    with pytest.raises(ValidationError) as excinfo:
        services.update_sections(
            actor=phb_lead, version=version, person_agreed_on=datetime.date(1800, 1, 1)
        )
    earliest = max(datetime.date(2025, 11, 23), holder.date_of_birth)
    assert excinfo.value.message_dict == {
        "person_agreed_on": [
            f"The date the person agreed the plan must be on or after {earliest:%-d %B %Y}, no "
            "more than a year before this version was started"
        ]
    }
    services.update_sections(
        actor=phb_lead, version=version, person_agreed_on=datetime.date(2025, 11, 23)
    )


def resubmitted(lead, plan, holder) -> PlanVersion:
    """A new version of `plan`, agreed again today and submitted."""
    version = services.new_version(actor=lead, plan=plan, reason="Health changed")
    services.update_sections(actor=lead, version=version, **agreement(holder, timezone.localdate()))
    return services.submit_version(actor=lead, version=reload_version(version))


def test_declining_or_deferring_a_new_version_says_the_plan_in_use_goes_on(
    icb, submitted, phb_lead, holder
):
    """Version 1 approved and in use; version 2 declined, version 3 deferred: neither letter
    says nothing will be paid for, since version 1 stays in use and is paid for."""
    first = services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.APPROVED,
        items=all_items(submitted),
    )
    assert reload_version(submitted).status == PlanStatus.ACTIVE
    approved_on = f"{timezone.localtime(first.decided_at):%-d %B %Y}"
    in_use = (
        f"The plan already in use, approved on {approved_on}, stays in use and goes on being "
        "paid for."
    )
    second = resubmitted(phb_lead, submitted.plan, holder)
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=second,
        outcome=DecisionOutcome.DECLINED,
        reasons="The new hours are not explained.",
    )
    body = PlanLetter.objects.get(version=second).body_html
    assert f"We have not approved the new version of the plan. {in_use}" in body
    assert "Nothing in it will be paid for" not in body
    third = resubmitted(phb_lead, submitted.plan, holder)
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=third,
        outcome=DecisionOutcome.DEFERRED,
        reasons="We need the OT assessment.",
    )
    body = PlanLetter.objects.get(version=third).body_html
    assert (
        "We have not made a decision about the new version of the plan yet. Until we have, "
        f"the plan already in use, approved on {approved_on}, stays in use and goes on being "
        "paid for." in body
    )
    assert "Nothing in the plan will be paid for" not in body
    assert reload_version(submitted).status == PlanStatus.ACTIVE


def test_a_declined_first_plan_still_says_nothing_is_paid_for(icb, submitted):
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=DecisionOutcome.DECLINED,
        reasons="The plan does not say how the mornings meet the health needs.",
    )
    body = PlanLetter.objects.get(version=submitted).body_html
    assert "We have not approved the plan. Nothing in it will be paid for yet." in body
