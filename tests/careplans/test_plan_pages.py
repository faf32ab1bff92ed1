"""The staff plan pages, the lead's decision page, the letter and the holder's "Your plan"."""

from decimal import Decimal as D
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import BudgetStatus
from budgets.services import activate_budget
from careplans import plan_selectors, services
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    Goal,
    PlanLetter,
    PlanStatus,
    PlanVersion,
    SupportItem,
)
from careplans.services import reconsideration
from careplans.services.letters import ask_again_by
from careplans.views.plans import ROWS
from phb.models import RecordAccess
from tests.budgets.factories import (
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    reload,
    staff,
)
from tests.careplans.review_factories import plan_in_use
from tests.careplans.test_plan_services import add_gym, complete_draft
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def budget(phb_lead, holder, icb):
    """Agreed at £20,000.00 a year; its plan is not approved yet."""
    LocalRateSetFactory(organisation=icb)
    package = chc_package(phb_lead, holder)
    return agreed_budget(phb_lead, holder, package, amount=D("20000.00"), plan_approved=False)


@pytest.fixture
def lead_client(client, phb_lead):
    client.force_login(phb_lead)
    return client


def version_url(version, name="careplans:version", *args):
    return reverse(name, args=[version.pk, *args])


def test_a_person_without_a_plan_can_have_one_started(lead_client, holder):
    response = lead_client.get(reverse("careplans:plan", args=[holder.pk]))
    assert f"{holder.given_name} has no care and support plan yet" in page(response)
    response = lead_client.post(reverse("careplans:start", args=[holder.pk]), follow=True)
    version = PlanVersion.objects.get(plan__budget_holder=holder)
    assert response.redirect_chain[-1][0] == version_url(version)
    assert "Care and support plan, version 1" in page(response)
    assert "Add at least one goal" in page(response)
    # The plan address now goes to the version in progress.
    response = lead_client.get(reverse("careplans:plan", args=[holder.pk]))
    assert response["Location"] == version_url(version)


def test_the_plan_page_shows_the_total_against_the_budget(lead_client, phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    text = page(lead_client.get(version_url(version)))
    # £15.00 x 14 a week x 52 = £10,920.00; the budget is £20,000.00, £9,080.00 not planned.
    assert "£10,920.00" in text
    assert "The budget is £20,000.00, so £9,080.00 is not set against an item of the plan" in text
    assert "Walk Biscuit to the park" in text
    assert "Casey Coordinator" in text
    assert "Submit for a decision" in text


def test_an_over_budget_plan_says_by_how_much_and_needs_a_reason(
    lead_client, phb_lead, holder, budget
):
    # £30.00 x 14 x 52 = £21,840.00 a year: £1,840.00 over the £20,000.00 budget.
    version = complete_draft(phb_lead, holder, budget, pa_cost=D("30.00"))
    text = page(lead_client.get(version_url(version)))
    assert "That is <strong>£1,840.00 more</strong> than the budget of £20,000.00." in text
    assert "The plan costs £21,840.00 a year, more than the budget of £20,000.00: explain why" in (
        text
    )
    assert "Submit for a decision" not in text


def test_adding_an_item_through_the_page_works_out_its_yearly_cost(
    lead_client, phb_lead, holder, budget
):
    version = complete_draft(phb_lead, holder, budget)
    goal = version.goals.get()
    response = lead_client.post(
        version_url(version, "careplans:row_new", "items"),
        {
            "lock_version": reload_version(version).lock_version,
            "description": "Gym membership",
            "category": "wellbeing",
            "provider": "Leisure centre",
            "unit_cost": "30.00",
            "quantity": "1",
            "frequency": "monthly",
            "goals": [str(goal.pk)],
        },
    )
    assert response.status_code == 302
    assert SupportItem.objects.get(description="Gym membership").annual_cost == D("360.00")


def test_bad_input_on_an_item_shows_an_error_summary_and_saves_nothing(
    lead_client, phb_lead, holder, budget
):
    version = complete_draft(phb_lead, holder, budget)
    response = lead_client.post(
        version_url(version, "careplans:row_new", "items"),
        {
            "lock_version": reload_version(version).lock_version,
            "description": "Family carer",
            "category": "pa_support",
            "provider": "Brother",
            "unit_cost": "12.00",
            "quantity": "10",
            "frequency": "weekly",
            "pays_family_member": "on",
        },
    )
    text = page(response)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in text
    assert "Explain why paying a family member or friend who lives with the person" in text
    assert not SupportItem.objects.filter(description="Family carer").exists()


def test_a_stale_form_is_refused_with_an_explanation(lead_client, phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    stale = reload_version(version).lock_version - 1
    response = lead_client.post(
        version_url(version, "careplans:row_new", "goals"),
        {"lock_version": stale, "description": "Swim", "importance": "quite"},
    )
    assert response.status_code == 302
    assert "someone changed this plan while you were looking at it" in flashed(response)
    assert not Goal.objects.filter(description="Swim").exists()


STALE = "This page is out of date. Go back, reload the page and try again"


@pytest.mark.parametrize("token", [None, "", "x", "-1", "1e3"])
def test_a_form_without_its_version_is_refused_and_saves_nothing(
    lead_client, phb_lead, holder, budget, token
):
    """A tab without the version the page was drawn from (or with anything but one) is
    stale: the crisis plan it sends is never written over another tab's."""
    version = complete_draft(phb_lead, holder, budget)
    services.update_sections(
        actor=phb_lead,
        version=reload_version(version),
        crisis_plan="Ring Sam, then the crisis team",
    )
    data = {"crisis_plan": "Old words from a stale tab"}
    if token is not None:
        data["lock_version"] = token
    response = lead_client.post(version_url(version, "careplans:sections"), data)
    assert response.status_code == 200
    assert STALE in page(response)
    assert reload_version(version).crisis_plan == "Ring Sam, then the crisis team"


@pytest.mark.parametrize("token", [None, "x", "99999999999"])
def test_removing_a_row_without_its_version_is_refused_and_removes_nothing(
    lead_client, phb_lead, holder, budget, token
):
    version = complete_draft(phb_lead, holder, budget)
    goal = version.goals.get()
    before = reload_version(version).lock_version
    response = lead_client.post(
        reverse("careplans:row_remove", args=[version.pk, "goals", goal.pk]),
        {} if token is None else {"lock_version": token},
    )
    assert response["Location"] == version_url(version)
    assert f"{STALE}. Nothing was changed." in flashed(response)
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert reload_version(version).lock_version == before


@pytest.mark.parametrize("name", ["careplans:submit", "careplans:take_back"])
def test_a_plan_button_without_its_version_is_refused(lead_client, phb_lead, holder, budget, name):
    version = complete_draft(phb_lead, holder, budget)
    if name == "careplans:take_back":
        services.submit_version(actor=phb_lead, version=reload_version(version))
    status = reload_version(version).status
    response = lead_client.post(version_url(version, name), {"lock_version": "garbage"})
    assert response["Location"] == version_url(version)
    assert f"{STALE}. Nothing was changed." in flashed(response)
    assert reload_version(version).status == status


def test_the_plan_pages_carry_the_version_they_show(lead_client, phb_lead, holder, budget):
    """Every page whose form or button sends the version carries it, so real pages work."""
    version = reload_version(complete_draft(phb_lead, holder, budget))
    goal = version.goals.get()
    token = f'name="lock_version" value="{version.lock_version}"'
    for url in (
        version_url(version),  # the submit button
        version_url(version, "careplans:sections"),
        version_url(version, "careplans:row_new", "goals"),
        version_url(version, "careplans:row_edit", "goals", goal.pk),
        reverse("careplans:row_remove", args=[version.pk, "goals", goal.pk]),
        version_url(version, "careplans:withdraw"),
    ):
        assert token in page(lead_client.get(url)), url


def test_submitting_an_incomplete_plan_lists_the_problems(lead_client, phb_lead, holder):
    version = services.start_plan(actor=phb_lead, budget_holder=holder)
    response = lead_client.post(
        version_url(version, "careplans:submit"), {"lock_version": version.lock_version}
    )
    said = flashed(response)
    assert "Add at least one goal" in said and "Name the care coordinator" in said
    assert reload_version(version).status == PlanStatus.DRAFT


def reload_version(version):
    return PlanVersion.objects.get(pk=version.pk)


@pytest.fixture
def submitted(phb_lead, holder, budget, icb):
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    draft = complete_draft(phb_lead, holder, budget)
    add_gym(phb_lead, draft)
    return services.submit_version(actor=phb_lead, version=reload_version(draft))


def test_submit_take_back_and_withdraw_through_the_pages(lead_client, phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    lead_client.post(
        version_url(version, "careplans:submit"),
        {"lock_version": reload_version(version).lock_version},
    )
    assert reload_version(version).status == PlanStatus.SUBMITTED
    lead_client.post(
        version_url(version, "careplans:take_back"),
        {"lock_version": reload_version(version).lock_version},
    )
    assert reload_version(version).status == PlanStatus.DRAFT
    response = lead_client.post(
        version_url(version, "careplans:withdraw"),
        {"lock_version": reload_version(version).lock_version, "reason": ""},
    )
    assert "nhsuk-error-summary" in page(response)
    lead_client.post(
        version_url(version, "careplans:withdraw"),
        {"lock_version": reload_version(version).lock_version, "reason": "Moved away"},
    )
    assert reload_version(version).status == PlanStatus.WITHDRAWN


def decide_data(version, *, gym_reason="The walks with Biscuit already meet this goal."):
    pa = version.support_items.get(description__startswith="Personal assistant")
    gym = version.support_items.get(description="Gym membership")
    return {
        "lock_version": reload_version(version).lock_version,
        "outcome": DecisionOutcome.APPROVED_WITH_CHANGES,
        "reasons": "We approved the PA support.",
        f"item_{pa.pk}": DecisionOutcome.APPROVED,
        f"item_{gym.pk}": DecisionOutcome.DECLINED,
        f"item_{gym.pk}_reasons": gym_reason,
    }


def test_the_lead_decides_item_by_item_and_the_holder_reads_the_reason(
    client, icb, submitted, holder, budget, finance_officer
):
    lead = staff("phb_lead", icb)
    client.force_login(lead)
    decide = version_url(submitted, "careplans:decide")
    assert "Gym membership" in page(client.get(decide))
    response = client.post(decide, decide_data(submitted, gym_reason=""))
    assert "Give the reason for Gym membership, written for the person" in page(response)
    assert reload_version(submitted).status == PlanStatus.SUBMITTED
    # A reason of invisible characters only is no reason, said beside its own box.
    gym = submitted.support_items.get(description="Gym membership")
    text = page(client.post(decide, decide_data(submitted, gym_reason="\u200b \u200d")))
    assert f'href="#id_item_{gym.pk}_reasons"' in text
    assert "Give the reason for Gym membership, written for the person" in text
    assert reload_version(submitted).status == PlanStatus.SUBMITTED
    response = client.post(decide, decide_data(submitted))
    assert response.status_code == 302
    assert reload_version(submitted).status == PlanStatus.ACTIVE
    # The plan agreed the budget: it may now start (ADR 0024).
    budget = reload(budget)
    assert budget.plan_reference == "Care and support plan, version 1"
    for portion in budget.portions.all():
        assert not portion.is_paid_out
    assert activate_budget(actor=finance_officer, budget=budget).status == BudgetStatus.ACTIVE

    letter = PlanLetter.objects.get(version=submitted)
    client.force_login(holder.user)
    text = page(client.get(reverse("careplans:your_plan", args=[holder.pk])))
    assert "Your plan" in text
    assert "£10,920.00 a year</strong>" in text  # the PA only: the £360.00 gym was declined
    assert "Gym membership (£360.00 a year). Why: The walks with Biscuit" in text
    assert "If you do not agree" in text
    last_day = ask_again_by(timezone.localtime(letter.created_at).date())
    assert f"within 28 days of the letter, by {last_day:%-d %B %Y}." in text
    assert letter.subject in text
    letter_text = page(client.get(reverse("careplans:letter", args=[letter.pk])))
    assert "The walks with Biscuit already meet this goal." in letter_text
    assert "look at this decision again" in letter_text
    assert f"within 28 days of this letter, by {last_day:%-d %B %Y}." in letter_text


def test_the_lead_can_defer_an_item_for_more_information(client, icb, submitted):
    """DOMAIN.md §5: each item is approved, declined or deferred, by a lead as by a panel. The
    PA (£10,920.00 a year) is approved and the gym (£360.00 a year) deferred: the plan is
    approved with changes at £10,920.00 a year. Deferring every item is not an approval."""
    client.force_login(staff("phb_lead", icb))
    decide = version_url(submitted, "careplans:decide")
    assert "Defer for more information" in page(client.get(decide))
    gym = submitted.support_items.get(description="Gym membership")
    pa = submitted.support_items.get(description__startswith="Personal assistant")
    data = decide_data(submitted, gym_reason="We need the physiotherapist's view first.")
    data[f"item_{gym.pk}"] = DecisionOutcome.DEFERRED
    nothing = data | {f"item_{pa.pk}": DecisionOutcome.DEFERRED, f"item_{pa.pk}_reasons": "Later."}
    response = client.post(decide, nothing)
    assert "No item is approved, so decline the plan or defer it instead" in unescape(
        page(response)
    )
    assert reload_version(submitted).status == PlanStatus.SUBMITTED
    response = client.post(decide, data)
    assert response.status_code == 302
    decision = reload_version(submitted).decision
    assert decision.outcome == DecisionOutcome.APPROVED_WITH_CHANGES
    assert decision.items.get(item=gym).outcome == DecisionOutcome.DEFERRED
    assert decision.approved_words == "£10,920.00 a year"
    assert reload_version(submitted).status == PlanStatus.ACTIVE


def test_a_decision_without_the_version_it_was_made_on_is_refused(client, icb, submitted):
    client.force_login(staff("phb_lead", icb))
    decide = version_url(submitted, "careplans:decide")
    token = f'name="lock_version" value="{reload_version(submitted).lock_version}"'
    assert token in page(client.get(decide))
    data = decide_data(submitted)
    del data["lock_version"]
    response = client.post(decide, data)
    assert STALE in page(response)
    assert reload_version(submitted).status == PlanStatus.SUBMITTED
    assert not PlanLetter.objects.filter(version=submitted).exists()


GYM_REASON = "The walks with Biscuit already meet this goal."
# How the gym (£360.00 a year) was decided, with the PA approved, for each plan outcome; and
# whether the person may ask for reconsideration (something was declined or cut).
OUTCOMES = {
    "approved": (DecisionOutcome.APPROVED, services.ItemChoice(DecisionOutcome.APPROVED), False),
    "gym declined": (
        DecisionOutcome.APPROVED_WITH_CHANGES,
        services.ItemChoice(DecisionOutcome.DECLINED, GYM_REASON),
        True,
    ),
    "gym cut": (
        DecisionOutcome.APPROVED_WITH_CHANGES,
        services.ItemChoice(DecisionOutcome.APPROVED_WITH_CHANGES, GYM_REASON, D("180.00")),
        True,
    ),
    "gym deferred": (
        DecisionOutcome.APPROVED_WITH_CHANGES,
        services.ItemChoice(DecisionOutcome.DEFERRED, "We need the price for a year."),
        False,
    ),
    "declined": (DecisionOutcome.DECLINED, None, True),
    "deferred": (DecisionOutcome.DEFERRED, None, False),
}


@pytest.mark.parametrize("case", OUTCOMES)
def test_reconsideration_is_offered_only_when_something_was_decided_against_the_person(
    client, icb, submitted, holder, case
):
    outcome, gym_choice, may_ask = OUTCOMES[case]
    items = None
    if gym_choice is not None:
        pa = submitted.support_items.get(description__startswith="Personal assistant")
        gym = submitted.support_items.get(description="Gym membership")
        items = {
            str(pa.pk): services.ItemChoice(DecisionOutcome.APPROVED),
            str(gym.pk): gym_choice,
        }
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=submitted,
        outcome=outcome,
        reasons="" if outcome == DecisionOutcome.APPROVED else "We need an OT's assessment.",
        items=items,
    )
    letter = PlanLetter.objects.get(version=submitted)
    if outcome == DecisionOutcome.DEFERRED:
        # The representative is told, as their letter tells them, that they will be contacted.
        client.force_login(RepresentativeFactory(budget_holder=holder).user)
        text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
        assert (
            f"{holder.given_name}'s care coordinator will contact you about it. When we have it"
        ) in text
    client.force_login(holder.user)
    text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
    letter_text = unescape(page(client.get(reverse("careplans:letter", args=[letter.pk]))))
    assert ("If you do not agree" in text) is may_ask
    assert ("look at the decision again" in text) is may_ask
    assert ("If you do not agree" in letter_text) is may_ask
    assert ("look at this decision again" in letter_text) is may_ask
    if outcome == DecisionOutcome.DEFERRED:
        assert (
            "No decision has been made yet. The reasons below say what information we need. "
            "Your care coordinator will contact you about it. When we have it, we will look "
            "at the plan again."
        ) in text
        assert "We need an OT's assessment." in text
        assert "Your care coordinator will contact you about the information we need." in (
            letter_text
        )
    else:
        assert "No decision has been made yet" not in text
    # Staff can record a request to look at it again only when the person was told they may.
    assert (submitted.decision in reconsideration.decisions_for(holder)) is may_ask


def _budget_words(budget, whose="Your") -> str:
    return (
        f"{whose} personal health budget for {budget.period_start:%-d %B %Y} to "
        f"{budget.full_period_end:%-d %B %Y} is <strong>£20,000.00</strong>."
    )


def _decided(icb, version, pa_outcome, gym_outcome):
    pa = version.support_items.get(description__startswith="Personal assistant")
    gym = version.support_items.get(description="Gym membership")
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="We approved part of the plan.",
        items={
            str(item.pk): services.ItemChoice(chosen, "" if chosen == "approved" else "No")
            for item, chosen in ((pa, pa_outcome), (gym, gym_outcome))
        },
    )
    return PlanLetter.objects.get(version=version)


def test_the_holder_reads_what_the_support_costs_beside_the_budget_never_that_it_pays_that(
    client, icb, submitted, holder, budget
):
    """The PA (£10,920.00 a year) is approved, the gym declined, against a budget of
    £20,000.00: the budget is not said to pay £10,920.00, and the rest is explained, on the
    page and in the letter, for the person and for their representative."""
    representative = RepresentativeFactory(budget_holder=holder)
    letter = _decided(icb, submitted, DecisionOutcome.APPROVED, DecisionOutcome.DECLINED)
    for user, whose in ((holder.user, "Your"), (representative.user, f"{holder.given_name}'s")):
        client.force_login(user)
        text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
        expected = (
            f"What was approved costs <strong>£10,920.00 a year</strong>. "
            f"{_budget_words(budget, whose)} That is £9,080.00 more than the support costs. "
            "Part of the rest can pay for the costs of employing a PA, such as their holiday "
            f"pay. {whose} care coordinator can explain the difference."
        )
        assert expected in text
        assert "budget pays" not in text and "for it." not in text
    # The letter goes to the representative, about the person.
    letter_text = unescape(letter.body_html)
    assert (
        "What we approved costs <strong>£10,920.00 a year</strong>. "
        f"{_budget_words(budget, holder.given_name + chr(39) + 's')} That is £9,080.00 more "
        "than the support costs."
    ) in letter_text
    assert "will pay" not in letter_text


def test_without_a_pa_the_difference_is_not_put_down_to_a_pas_costs(
    client, icb, submitted, holder, budget
):
    _decided(icb, submitted, DecisionOutcome.DECLINED, DecisionOutcome.APPROVED)
    client.force_login(holder.user)
    text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
    assert (
        f"What was approved costs <strong>£360.00 a year</strong>. {_budget_words(budget)} That "
        "is £19,640.00 more than the support costs. Your care coordinator can explain the "
        "difference."
    ) in text
    assert "employing a PA" not in text


def test_a_plan_over_its_budget_is_approved_only_with_items_cut(
    client, icb, phb_lead, holder, budget
):
    """14 hours a week at £30.00 = £21,840.00 a year, £1,840.00 over the £20,000.00 budget.
    The reason for costing more explains the plan to the lead; it does not let it be approved
    over the budget. Approved at £19,500.00 a year, it is £500.00 under."""
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("30000.00"))
    draft = complete_draft(phb_lead, holder, budget, pa_cost=D("30.00"))
    services.update_sections(
        actor=phb_lead, version=draft, over_budget_justification="Two carers at night."
    )
    version = services.submit_version(actor=phb_lead, version=reload_version(draft))
    lead = staff("phb_lead", icb)
    client.force_login(lead)
    text = unescape(page(client.get(version_url(version, "careplans:decide"))))
    assert (
        "The plan costs £21,840.00 a year, £1,840.00 more than the budget of £20,000.00. It can "
        "be approved only for no more than the budget: increase the budget first, or approve "
        "some items at a lower cost or decline them."
    ) in text
    assert "Why it costs more: Two carers at night." in text
    text = unescape(page(client.get(version_url(version))))
    assert (
        "A plan is approved for no more than its budget: the budget must be increased first, "
        "or items cut."
    ) in text
    item = version.support_items.get()
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=lead,
            version=version,
            outcome=DecisionOutcome.APPROVED,
            items={str(item.pk): services.ItemChoice(DecisionOutcome.APPROVED)},
        )
    assert refused.value.message_dict == {
        "outcome": [
            "What would be approved costs £21,840.00 a year, £1,840.00 more than the budget of "
            "£20,000.00. The budget must be increased, or items cut (approved at a lower cost "
            "or declined), before the plan can be approved"
        ]
    }
    assert reload_version(version).status == PlanStatus.SUBMITTED
    services.decide_plan(
        actor=lead,
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="Two carers are needed only some nights.",
        items={
            str(item.pk): services.ItemChoice(
                DecisionOutcome.APPROVED_WITH_CHANGES,
                reasons="Fewer hours at night.",
                changed_cost=D("19500.00"),
            )
        },
    )
    client.force_login(holder.user)
    text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
    assert (
        f"What was approved costs <strong>£19,500.00 a year</strong>. {_budget_words(budget)} "
        "That is £500.00 more than the support costs."
    ) in text
    assert "more than that" not in text


def test_a_representative_reads_their_plan(client, icb, submitted, holder):
    representative = RepresentativeFactory(budget_holder=holder)
    lead = staff("phb_lead", icb)
    client.force_login(lead)
    client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    client.force_login(representative.user)
    text = page(client.get(reverse("careplans:your_plan", args=[holder.pk])))
    # By the person's name, as on the budget page, never "their".
    text = unescape(text)
    assert f"{holder.given_name}'s plan" in text
    assert f"This is {holder.given_name}'s care and support plan" in text
    assert "Their plan" not in text
    letter = PlanLetter.objects.get(version=submitted)
    assert letter.addressed_to == representative.user.full_name
    assert letter.subject.startswith(f"{holder.full_name}'s care and support plan has been")


def test_your_plan_before_any_decision(client, phb_lead, holder, budget):
    complete_draft(phb_lead, holder, budget)
    client.force_login(holder.user)
    text = page(client.get(reverse("careplans:your_plan", args=[holder.pk])))
    assert "You do not have an approved care and support plan yet." in text
    assert "The team is writing it with you." in text
    assert "No letters about your plan yet." in text


def test_your_plan_when_it_was_agreed_outside_the_service(client, phb_lead, holder, budget):
    """A budget whose plan was approved before the ICB used this service (ADR 0024) is paid
    for that plan: the person's page says so, never that they have no approved plan."""
    budget_services.record_plan_approval(
        actor=phb_lead,
        budget=budget,
        approved_at=budget.agreed_at,
        reference="Care and support plan agreed on paper",
    )
    representative = RepresentativeFactory(budget_holder=holder)
    agreed_on = f"{timezone.localtime(budget.agreed_at):%-d %B %Y}"
    for user, your in ((holder.user, "Your"), (representative.user, f"{holder.given_name}'s")):
        client.force_login(user)
        text = unescape(page(client.get(reverse("careplans:your_plan", args=[holder.pk]))))
        assert (
            f"{your} care and support plan was agreed on {agreed_on}, outside this service. "
            'It is recorded as "Care and support plan agreed on paper".'
        ) in text
        assert "approved care and support plan yet" not in text
    complete_draft(phb_lead, holder, budget)
    client.force_login(holder.user)
    text = page(client.get(reverse("careplans:your_plan", args=[holder.pk])))
    assert "The team is writing your next plan with you." in text


def test_the_staff_record_says_the_plan_was_agreed_outside_the_service(
    client, phb_lead, holder, budget
):
    """As the person's own page does: the plan their budget records as agreed outside this
    service, its date and reference, and that its reviews are not tracked here; never that no
    plan was started or that no review is due."""
    budget_services.record_plan_approval(
        actor=phb_lead,
        budget=budget,
        approved_at=budget.agreed_at,
        reference="Care and support plan agreed on paper",
    )
    agreed_on = f"{timezone.localtime(budget.agreed_at):%-d %B %Y}"
    outside = (
        f"The care and support plan was agreed on {agreed_on}, outside this service. The budget "
        'records it as "Care and support plan agreed on paper".'
    )
    not_tracked = (
        "Reviews of that plan are not tracked here until the plan is written in this service "
        "and approved."
    )
    client.force_login(phb_lead)
    text = unescape(page(client.get(reverse("person_detail", args=[holder.pk]))))
    assert outside in text
    assert not_tracked in text
    assert "No care and support plan has been started yet." not in text
    assert "No review is due." not in text
    assert "No review is tracked here" in text
    # While the plan is being written here, the one agreed outside is still the plan.
    complete_draft(phb_lead, holder, budget)
    text = unescape(page(client.get(reverse("person_detail", args=[holder.pk]))))
    assert outside in text
    assert not_tracked in text
    assert "Version 1." in text


def test_the_staff_record_of_a_plan_decided_here_says_nothing_of_outside(client, phb_lead, holder):
    """Approving a plan here records the approval on its budget too: the record names the
    version in use, not a plan agreed outside this service."""
    plan_in_use(phb_lead, holder)
    client.force_login(phb_lead)
    text = unescape(page(client.get(reverse("person_detail", args=[holder.pk]))))
    assert "Version 1." in text
    assert "outside this service" not in text
    assert "not tracked here" not in text


def test_the_author_is_told_someone_else_must_decide(lead_client, submitted):
    text = page(lead_client.get(version_url(submitted, "careplans:decide")))
    assert "You wrote this plan, so another PHB lead must decide it." in text
    assert "Record the decision" not in text


def test_over_the_limit_the_page_says_a_panel_decides(client, icb, submitted):
    ApprovalPolicy.objects.filter(organisation=icb).update(lead_sign_off_limit=D("5000.00"))
    client.force_login(staff("phb_lead", icb))
    text = page(client.get(version_url(submitted, "careplans:decide")))
    assert "more than the £5,000.00 a PHB lead may approve: a panel must decide it" in text
    # The plan's own page says so in place of a "Decide this plan" button.
    text = page(client.get(version_url(submitted)))
    assert "more than the £5,000.00 a PHB lead may approve: a panel must decide it" in text
    assert "Decide this plan" not in text


def test_a_new_version_and_what_changed(client, icb, submitted, phb_lead):
    client.force_login(staff("phb_lead", icb))
    client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    client.force_login(phb_lead)
    response = client.post(
        version_url(submitted, "careplans:new_version"),
        {"reason": "Health changed", "lock_version": reload_version(submitted).lock_version},
    )
    second = PlanVersion.objects.get(plan=submitted.plan, number=2)
    assert response["Location"] == version_url(second)
    # The gym was declined, so the new version starts without it, and says so.
    assert (
        "Health changed. Left out, as the decision on version 1 declined it: Gym membership "
        "(£360.00 a year)."
    ) in unescape(page(client.get(version_url(second))))
    text = page(client.get(version_url(second, "careplans:compare", submitted.pk)))
    assert "Removed: Gym membership, £360.00 a year" in text
    assert "The plan's cost went from £11,280.00 a year to £10,920.00 a year." in text


def test_a_new_version_from_a_stale_page_or_an_older_version_is_refused(
    client, icb, submitted, phb_lead
):
    """The page carries the version it showed: sent after the plan moved on, or from a
    version that is no longer the latest, it starts nothing and says what happened."""
    client.force_login(staff("phb_lead", icb))
    client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    client.force_login(phb_lead)
    seen = reload_version(submitted).lock_version
    stale = client.post(
        version_url(submitted, "careplans:new_version"),
        {"reason": "Health changed", "lock_version": seen - 1},
    )
    assert stale["Location"] == version_url(submitted)
    assert not PlanVersion.objects.filter(plan=submitted.plan, number=2).exists()
    said = [str(m) for m in get_messages(stale.wsgi_request)]
    assert any("someone changed this plan while you were looking at it" in m for m in said)
    second = services.new_version(actor=phb_lead, plan=submitted.plan)
    services.withdraw_version(actor=phb_lead, version=second, reason="Not needed")
    older = client.post(
        version_url(submitted, "careplans:new_version"),
        {"reason": "Again", "lock_version": reload_version(submitted).lock_version},
    )
    assert older["Location"] == version_url(submitted)
    assert not PlanVersion.objects.filter(plan=submitted.plan, number=3).exists()
    said = [str(m) for m in get_messages(older.wsgi_request)]
    assert any("version 2 is the latest" in m for m in said)


def test_the_person_record_links_the_plan(lead_client, phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)
    text = page(lead_client.get(reverse("person_detail", args=[holder.pk])))
    assert version_url(version) in text


def test_the_budget_waits_for_the_plan(lead_client, budget):
    text = page(lead_client.get(reverse("budgets:budget", args=[budget.pk])))
    assert "waiting for the care and support plan to be approved" in text
    assert "Start this budget" not in text


def test_the_plan_page_takes_the_same_queries_with_60_items(lead_client, phb_lead, holder, budget):
    version = complete_draft(phb_lead, holder, budget)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(version_url(version)).status_code == 200
        return len(queries)

    few = count()
    goal = version.goals.get()
    for number in range(59):
        item = SupportItem.objects.create(
            version=version,
            order=number + 2,
            description=f"Item {number}",
            category="other",
            provider="Someone",
            unit_cost=D("1.00"),
            quantity=D("1"),
            frequency="weekly",
            annual_cost=D("52.00"),
        )
        item.goals.add(goal)
    assert version.support_items.count() == 60
    assert count() == few


ROW_CASES = {
    "goals": {"description": "Swim twice a week", "importance": "quite"},
    "actions": {
        "what": "Book the pool",
        "who": "Ada",
        "when": "By June",
        "status": "not_started",
        "confidence": "6",
    },
    "professional-contacts": {"name": "Pat Physio", "role": "Physiotherapist"},
    "personal-contacts": {"name": "Sam Lovelace", "relationship": "Brother"},
    "risks": {
        "risk": "Falls in the pool",
        "consequence": "An injury",
        "mitigation": "A PA stays at the poolside",
    },
    "items": {
        "description": "Swimming lessons",
        "category": "wellbeing",
        "provider": "Leisure centre",
        "unit_cost": "8.50",
        "quantity": "2",
        "frequency": "weekly",
    },
}


@pytest.mark.parametrize("kind", ROW_CASES)
def test_each_kind_of_row_is_added_changed_and_removed_through_the_pages(
    lead_client, phb_lead, holder, budget, kind
):
    version = complete_draft(phb_lead, holder, budget)
    goal = version.goals.get()
    data = dict(ROW_CASES[kind])
    if kind == "actions":
        data["goal"] = str(goal.pk)
    new = version_url(version, "careplans:row_new", kind)
    assert lead_client.get(new).status_code == 200
    response = lead_client.post(new, {**data, "lock_version": reload_version(version).lock_version})
    assert response.status_code == 302, page(response)
    assert "has been saved" in flashed(response)
    text = page(lead_client.get(version_url(version)))
    shown = next(iter(data.values()))
    assert shown in text
    version = reload_version(version)
    row_model = ROWS[kind][1]
    rows = (
        row_model.objects.filter(goal__version=version)
        if kind == "actions"
        else row_model.objects.filter(version=version)
    )
    row = rows.order_by("pk").filter(**{next(iter(ROW_CASES[kind])): shown}).get()
    assert plan_selectors.row_of(row_model, version, row.pk) == row
    edit = version_url(version, "careplans:row_edit", kind, row.pk)
    assert shown in page(lead_client.get(edit))
    # Asked first, on a page of its own that names the row and changes nothing.
    remove = reverse("careplans:row_remove", args=[version.pk, kind, row.pk])
    asked = page(lead_client.get(remove))
    assert f"Remove {ROWS[kind][0]} from the plan?" in asked
    assert shown in asked
    assert "Yes, remove it" in asked
    assert rows.filter(pk=row.pk).exists()
    response = lead_client.post(
        reverse("careplans:row_remove", args=[version.pk, kind, row.pk]),
        {"lock_version": reload_version(version).lock_version},
    )
    assert "has been removed" in flashed(response)
    assert not rows.filter(pk=row.pk).exists()
    # The same button, or the change page, from a tab opened before: said as it is, on the
    # plan's page, and not logged as a refused look at someone's record.
    refusals = RecordAccess.objects.filter(outcome="refused").count()
    for stale in (
        lead_client.post(
            reverse("careplans:row_remove", args=[version.pk, kind, row.pk]),
            {"lock_version": reload_version(version).lock_version},
        ),
        lead_client.get(edit),
        lead_client.get(remove),
    ):
        assert stale["Location"] == version_url(version)
        assert "is no longer in this plan: it was removed. Nothing was changed." in flashed(stale)
    assert RecordAccess.objects.filter(outcome="refused").count() == refusals


def test_an_item_at_8_50_twice_a_week_costs_884_a_year(lead_client, phb_lead, holder, budget):
    # £8.50 x 2 a week x 52 = £884.00 a year.
    version = complete_draft(phb_lead, holder, budget)
    lead_client.post(
        version_url(version, "careplans:row_new", "items"),
        {**ROW_CASES["items"], "lock_version": reload_version(version).lock_version},
    )
    assert SupportItem.objects.get(description="Swimming lessons").annual_cost == D("884.00")


def test_a_submitted_plan_cannot_be_edited_through_its_forms(lead_client, submitted):
    response = lead_client.get(version_url(submitted, "careplans:sections"))
    assert response.status_code == 302
    assert "can no longer be changed. Take it back to change it" in flashed(response)


def test_versions_of_different_plans_are_not_compared(
    lead_client, phb_lead, holder, other_holder, budget
):
    version = complete_draft(phb_lead, holder, budget)
    other = services.start_plan(actor=phb_lead, budget_holder=other_holder)
    response = lead_client.get(version_url(version, "careplans:compare", other.pk))
    assert response.status_code == 404


def test_the_comparison_says_when_a_declined_item_is_asked_for_again(
    client, icb, submitted, phb_lead
):
    """The gym was declined, so the next version starts without it; asked for again unchanged,
    compared item by item it is "no change": the comparison says it was declined, so a
    decider does not miss it."""
    lead = staff("phb_lead", icb)
    client.force_login(lead)
    client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    second = services.new_version(actor=phb_lead, plan=submitted.plan)
    assert not second.support_items.filter(description="Gym membership").exists()
    gym = add_gym(phb_lead, second)
    text = page(client.get(version_url(submitted, "careplans:compare", second.pk)))
    assert (
        f"Asked for again: Gym membership, {gym.cost_text}. It was declined in the decision on "
        f"version 1 ({timezone.localdate():%-d %B %Y})."
    ) in unescape(text)
    assert "Asked for again: Personal assistant" not in unescape(text)


def test_staff_read_the_letter_and_go_back_to_the_plan(client, icb, submitted):
    lead = staff("phb_lead", icb)
    client.force_login(lead)
    client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    letter = PlanLetter.objects.get(version=submitted)
    text = page(client.get(reverse("careplans:letter", args=[letter.pk])))
    assert "This is the letter exactly as it was written" in text
    assert "as it was sent" not in text
    assert version_url(submitted) in text
    # Deciding again is refused: the plan is no longer submitted.
    response = client.post(version_url(submitted, "careplans:decide"), decide_data(submitted))
    assert "there is nothing to decide" in flashed(response)


def test_the_version_page_says_where_each_state_stands(client, icb, submitted, phb_lead, holder):
    client.force_login(phb_lead)
    text = page(client.get(version_url(submitted)))
    assert f"{phb_lead.full_name} submitted it for a decision on" in text
    assert "Take it back to change it" in text
    assert "Decide this plan" not in text  # the author does not decide
    lead = staff("phb_lead", icb)
    services.decide_plan(
        actor=lead,
        version=submitted,
        outcome=DecisionOutcome.DEFERRED,
        reasons="We need the occupational therapist's assessment.",
    )
    text = page(client.get(version_url(submitted)))
    assert "It was deferred for more information on" in text
    assert "Reasons given to the person: We need the occupational therapist" in text
    assert "This is the plan in use" not in text
    assert "Change the plan (start a new version)" in text
    second = services.new_version(actor=phb_lead, plan=submitted.plan)
    services.withdraw_version(actor=phb_lead, version=second, reason="Moved away")
    text = page(client.get(version_url(second)))
    assert "This version was withdrawn. It was never decided." in text


def test_the_decision_page_warning_is_a_second_level_heading(client, icb, submitted):
    """The warning follows the h1, so its heading is an h2: no level is skipped."""
    type(submitted.budget).objects.filter(pk=submitted.budget.pk).update(agreed_amount=D("100.00"))
    client.force_login(staff("phb_lead", icb))
    text = unescape(page(client.get(version_url(submitted, "careplans:decide"))))
    assert "more than the budget of £100.00" in text
    heading = text.index("The plan costs more than its budget")
    assert text.rindex("<h", 0, heading) == text.rindex("<h2", 0, heading)
    assert "<h3" not in text
