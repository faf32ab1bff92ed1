"""What a plan must record before it is sent for a decision (DOMAIN.md §4): how each item's
money is held, its outcomes and risks, and the agreement of whoever acts for the person; and
what the plan's page and PDF say of the money, the next review and anything left out, in
words true for the version's state."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from budgets.models import HoldingMethod
from careplans import plan_presenters, plan_selectors, services
from careplans.models import ApprovalPolicy, DecisionOutcome, PlanStatus, PlanVersion
from careplans.services import ItemChoice
from phb.documents.models import GeneratedDocument
from phb.documents.services import render_html
from phb.documents.sources import source_for
from phb.models import RepresentativeKind
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
from tests.careplans.review_factories import plan_in_use
from tests.careplans.test_plan_services import add_gym, complete_draft
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(phb_lead, holder, icb):
    """Proposed at £20,000.00 for the year, all of it held by the ICB (notional)."""
    LocalRateSetFactory(organisation=icb)
    return proposed_budget(phb_lead, holder, chc_package(phb_lead, holder), amount=D("20000.00"))


@pytest.fixture
def limit(icb):
    """A PHB lead may approve plans of up to £15,000.00 a year."""
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))


def reload_version(version) -> PlanVersion:
    return PlanVersion.objects.get(pk=version.pk)


def refusal(actor, version) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=actor, version=reload_version(version))
    assert reload_version(version).status == PlanStatus.DRAFT
    return excinfo.value.messages


def text_of(client, user, version) -> str:
    client.force_login(user)
    response = client.get(reverse("careplans:version", args=[version.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


# -- 1. how the money is held ------------------------------------------------------------------


def test_an_item_paid_from_no_part_of_the_budget_stops_the_plan_being_submitted(
    phb_lead, holder, budget
):
    draft = complete_draft(phb_lead, holder, budget)
    add_gym(phb_lead, draft)
    gym = draft.support_items.get(description="Gym membership")
    services.save_support_item(actor=phb_lead, version=draft, item=gym, portion=None)
    assert refusal(phb_lead, draft) == ["Choose how Gym membership is paid for"]
    services.save_support_item(
        actor=phb_lead, version=draft, item=gym, portion=budget.portions.get()
    )
    submitted = services.submit_version(actor=phb_lead, version=reload_version(draft))
    assert submitted.status == PlanStatus.SUBMITTED


def test_the_plan_says_how_its_budget_holds_the_money_and_what_pays_for_each_item(
    client, phb_lead, holder
):
    """The budget of £20,000.00 is £8,000.00 notional and £12,000.00 a direct payment, which
    pays for the PA."""
    version, _, _ = plan_in_use(phb_lead, holder)
    text = text_of(client, phb_lead, version)
    assert "How the money is held" in text
    assert "Direct payment: £12,000.00" in text
    assert "Notional budget: £8,000.00" in text
    assert "Direct payment (money paid to the person or their nominee)" in text  # paid from
    assert "Not chosen" not in text
    html = render_html(
        source_for("plan"),
        plan_selectors.version_by_id(version.pk),
        GeneratedDocument(requested_by=phb_lead, large_print=False),
    )
    assert "Direct payment: £12,000.00" in html and "Notional budget: £8,000.00" in html


def test_a_draft_item_not_yet_paid_from_any_part_says_so(client, phb_lead, holder, budget):
    draft = complete_draft(phb_lead, holder, budget)
    add_gym(phb_lead, draft)
    gym = draft.support_items.get(description="Gym membership")
    services.save_support_item(actor=phb_lead, version=draft, item=gym, portion=None)
    text = text_of(client, phb_lead, draft)
    assert "Not chosen yet" in text
    assert "Choose how Gym membership is paid for" in text  # what stops it being submitted


# -- 2. the next review and who is responsible -------------------------------------------------


def test_a_draft_says_when_its_first_review_will_be_set_and_by_whom(
    client, phb_lead, holder, budget
):
    text = text_of(client, phb_lead, complete_draft(phb_lead, holder, budget))
    assert (
        "The first review is set when the plan is approved: within 3 months of the first "
        "payment, or of the plan's approval if that is later. Casey Coordinator, the named "
        "care coordinator, will be responsible for it."
    ) in text


def test_the_plan_in_use_says_when_its_next_review_is_due_and_who_is_responsible(
    client, phb_lead, holder
):
    """Paid from 1 January 2027: the first review is due by 1 April 2027."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=datetime.date(2027, 1, 1))
    said = (
        "The next review is due by 1 April 2027. Casey, the named care coordinator, is "
        "responsible for it."
    )
    assert said in text_of(client, phb_lead, version)


def test_the_pdf_says_what_review_was_due_on_the_day_it_was_printed(phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=datetime.date(2027, 1, 1))
    html = unescape(
        render_html(
            source_for("plan"),
            plan_selectors.version_by_id(version.pk),
            GeneratedDocument(requested_by=phb_lead, large_print=False),
        )
    )
    today = timezone.localdate()
    assert (
        f"When this plan was printed on {today:%-d %B %Y}, the next review was due by "
        "1 April 2027. Casey, the named care coordinator, is responsible for it."
    ) in html
    assert "The next review is due by" not in html


def test_an_overdue_review_is_not_called_the_next_one_due(client, phb_lead, holder):
    """Approved on 20 April 2026 and paid from 1 May 2026: the first review was due by 1
    August 2026, before today."""
    version, _, _ = plan_in_use(
        phb_lead,
        holder,
        first_payment=datetime.date(2026, 5, 1),
        approved_on=datetime.date(2026, 4, 20),
    )
    text = text_of(client, phb_lead, version)
    assert "The review was due by 1 August 2026 and has not been done yet." in text
    document = plan_presenters.plan_document(plan_selectors.version_by_id(version.pk))
    assert "the review due by 1 August 2026 had not been done" in document["review"]


def test_a_version_not_approved_has_no_review(phb_lead, holder, budget, icb, limit):
    version = services.submit_version(
        actor=phb_lead, version=complete_draft(phb_lead, holder, budget)
    )
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.DEFERRED,
        reasons="We need the occupational therapist's assessment.",
    )
    assert plan_presenters.review_words(reload_version(version)) == (
        "No review is set: this version was deferred for more information, not approved."
    )


# -- 3. the representative or nominee and their agreement --------------------------------------


def test_a_plan_for_someone_with_a_nominee_names_them_and_their_agreement(phb_lead, holder, budget):
    draft = complete_draft(phb_lead, holder, budget)
    nominee = RepresentativeFactory(budget_holder=holder, kind=RepresentativeKind.NOMINEE)
    name = nominee.user.full_name
    assert refusal(phb_lead, draft) == [
        f"Name {name}, the person's nominee, in the plan and record the date they agreed it"
    ]
    services.update_sections(actor=phb_lead, version=reload_version(draft), representative=nominee)
    assert refusal(phb_lead, draft) == [f"Record the date {name} agreed the plan"]
    services.update_sections(
        actor=phb_lead,
        version=reload_version(draft),
        representative_agreed_on=timezone.localdate(),
    )
    submitted = services.submit_version(actor=phb_lead, version=reload_version(draft))
    assert submitted.status == PlanStatus.SUBMITTED


def test_the_persons_own_agreement_is_not_enough_when_a_representative_acts_for_them(
    phb_lead, holder, budget
):
    """Someone who lacks capacity has a representative: their agreement is needed; the
    person's own date is then not required."""
    draft = complete_draft(phb_lead, holder, budget)  # agreed by the person
    representative = RepresentativeFactory(budget_holder=holder)
    assert refusal(phb_lead, draft) == [
        f"Name {representative.user.full_name}, the person's representative, in the plan and "
        "record the date they agreed it"
    ]
    services.update_sections(
        actor=phb_lead,
        version=reload_version(draft),
        person_agreed_on=None,
        representative=representative,
        representative_agreed_on=timezone.localdate(),
    )
    submitted = services.submit_version(actor=phb_lead, version=reload_version(draft))
    assert submitted.status == PlanStatus.SUBMITTED


def test_someone_who_no_longer_acts_for_the_person_is_not_needed(phb_lead, holder, budget):
    draft = complete_draft(phb_lead, holder, budget)
    RepresentativeFactory(
        budget_holder=holder,
        agreed_on=datetime.date(2026, 4, 1),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    services.update_sections(actor=phb_lead, version=draft, person_agreed_on=None)
    assert refusal(phb_lead, draft) == ["Record when the person agreed the plan"]


# -- 4. risks and outcomes ---------------------------------------------------------------------


def test_a_plan_without_a_risk_or_its_outcomes_is_not_submitted(phb_lead, holder, budget):
    draft = complete_draft(phb_lead, holder, budget)
    services.remove_row(actor=phb_lead, row=draft.risks.get())
    services.update_sections(actor=phb_lead, version=reload_version(draft), outcomes_evidence="")
    assert refusal(phb_lead, draft) == [
        "Say how we will know the plan is working: the outcomes the person wants",
        "Add at least one risk, with what could happen and how it is reduced",
    ]


# -- 5. nothing in a fixed version suggests it may still be written ----------------------------


def _force_submitted(version, by) -> PlanVersion:
    """A version submitted before the rules above (an older record): sent as it stands."""
    PlanVersion.objects.filter(pk=version.pk).update(
        status=PlanStatus.SUBMITTED, submitted_by=by, submitted_at=timezone.now()
    )
    return reload_version(version)


def test_what_a_draft_lacks_is_still_to_write_and_what_a_fixed_version_lacks_is_not_in_it(
    client, phb_lead, holder, budget
):
    representative = RepresentativeFactory(budget_holder=holder)
    version = services.start_plan(actor=phb_lead, budget_holder=holder, budget=budget)
    services.update_sections(actor=phb_lead, version=version, representative=representative)
    services.save_support_item(
        actor=phb_lead,
        version=reload_version(version),
        description="Gym membership",
        category="wellbeing",
        provider="Leisure centre",
        unit_cost=D("30.00"),
        quantity=D("1"),
        frequency="monthly",
    )
    draft = text_of(client, phb_lead, version)
    for words in (
        "Not written yet",
        "Not recorded yet",
        "agreement not recorded yet",
        "No goals yet.",
        "No risks added yet.",
        "No professional contacts yet.",
        "Not chosen yet",
    ):
        assert words in draft, words
    fixed = text_of(client, phb_lead, _force_submitted(version, phb_lead))
    for words in (
        "Not written yet",
        "Not recorded yet",
        "agreed not yet",
        "agreement not recorded yet",
        "No goals yet",
        "No risks added yet",
        "No significant risks recorded",
        "No professional contacts yet",
        "Not chosen",
    ):
        assert words not in fixed, words
    for words in (
        "Not included in this plan",  # a section, and how the gym is paid for
        "Not recorded in this plan",  # the person's agreement
        f"{representative.user.full_name} (representative), no agreement recorded in this plan",
        "None recorded in this plan.",  # risks
        "No professional contacts.",
    ):
        assert words in fixed, words


def test_an_approved_plan_records_who_agreed_it(client, phb_lead, holder, icb, budget, limit):
    nominee = RepresentativeFactory(budget_holder=holder, kind=RepresentativeKind.NOMINEE)
    version = services.submit_version(
        actor=phb_lead, version=complete_draft(phb_lead, holder, budget)
    )
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.APPROVED,
        items={
            str(item.pk): ItemChoice(DecisionOutcome.APPROVED)
            for item in version.support_items.all()
        },
    )
    text = text_of(client, phb_lead, version)
    agreed = f"{min(budget.period_start, timezone.localdate()):%-d %B %Y}"
    assert f"{nominee.user.full_name} (nominee), agreed {agreed}" in text
    assert "Not written yet" not in text
    assert "Not included in this plan" in text  # sections the plan left out
    assert HoldingMethod.NOTIONAL.label in text


def test_each_way_of_holding_the_money_pays_for_no_more_than_its_part(phb_lead, holder, icb):
    """£20,000.00 a year: £18,000.00 held by the ICB and £2,000.00 as a direct payment. The PA
    (£10,920.00 a year) paid from the direct payment is £8,920.00 more than that part holds,
    though the plan is within the budget in all; paid from the ICB's part, it can go."""
    LocalRateSetFactory(organisation=icb)
    budget = proposed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("20000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("18000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("2000.00"), ""),
        ],
    )
    draft = complete_draft(phb_lead, holder, budget)
    item = draft.support_items.get()
    assert item.portion.method == HoldingMethod.DIRECT_PAYMENT
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=phb_lead, version=draft)
    assert excinfo.value.messages == [
        "The items paid from the direct payment cost £10,920.00 a year, £8,920.00 more than "
        "the £2,000.00 of the budget held as the direct payment: pay for some of them another "
        "way, or change how the budget is held"
    ]
    services.save_support_item(
        actor=phb_lead,
        version=draft,
        item=item,
        portion=budget.portions.get(method=HoldingMethod.NOTIONAL),
    )
    version = services.submit_version(actor=phb_lead, version=PlanVersion.objects.get(pk=draft.pk))
    assert version.status == PlanStatus.SUBMITTED


def test_a_part_year_direct_payment_is_set_against_its_items_for_those_days(phb_lead, holder, icb):
    """From 1 December 2026 to 31 March 2027 (121 of 365 days), £4,000.00: £1,000.00 as a
    direct payment. The PA's £10,920.00 a year is £3,620.05 for those days, paid from the ICB's
    £3,000.00 part: £620.05 too much for it."""
    LocalRateSetFactory(organisation=icb)
    budget = proposed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("4000.00"),
        start=datetime.date(2026, 12, 1),
        portions=[
            (HoldingMethod.NOTIONAL, D("3000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("1000.00"), ""),
        ],
    )
    draft = complete_draft(phb_lead, holder, budget)
    services.save_support_item(
        actor=phb_lead,
        version=draft,
        item=draft.support_items.get(),
        portion=budget.portions.get(method=HoldingMethod.NOTIONAL),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.submit_version(actor=phb_lead, version=PlanVersion.objects.get(pk=draft.pk))
    assert excinfo.value.messages == [
        "The items paid from the notional budget cost £3,620.05 for the budget's period "
        "(1 December 2026 to 31 March 2027), £620.05 more than the £3,000.00 of the budget held "
        "as the notional budget: pay for some of them another way, or change how the budget "
        "is held"
    ]
