"""The plan's page, its PDF, the decision page and letters say the budget's amount in force
and any change of it still to come, not the amount a change wrote early (budgets.in_force);
and a PDF made before a change of the budget's amount is out of date once it is issued, and
again on its day."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import HoldingMethod
from careplans import plan_selectors, services
from careplans.models import ApprovalPolicy, DecisionOutcome, PlanLetter, PlanVersion
from careplans.services import ItemChoice
from phb.documents.models import GeneratedDocument
from phb.documents.services import is_stale, render_html, version_of
from phb.documents.sources import source_for
from tests.budgets.factories import (
    LocalRateSetFactory,
    agreed_budget,
    change_amount,
    chc_package,
    reload,
    schedule,
    staff,
)
from tests.careplans.plan_factories import agreement
from tests.careplans.test_plan_services import complete_draft

pytestmark = pytest.mark.django_db

DEC_6 = datetime.date(2026, 12, 6)
CUT_FROM = datetime.date(2027, 1, 7)
NOW = (
    "The budget is £943.06, so £377.36 is not set against an item of the plan. From 7 January "
    "2027 the budget goes down to £800.00, so £234.30 is not set against an item of the plan."
)
HELD = "Direct payment: £943.06, then £800.00 from 7 January 2027"


def words(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))
    return re.sub(r" ([.,])", r"\1", text)


def decide(version, icb):
    ApprovalPolicy.objects.get_or_create(
        organisation=icb, defaults={"lead_sign_off_limit": D("15000.00")}
    )
    return services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.APPROVED,
        items={
            str(item.pk): ItemChoice(DecisionOutcome.APPROVED)
            for item in version.support_items.all()
        },
    )


def submitted(author, holder, budget) -> PlanVersion:
    """One item: a hoist, £565.70 once, from the direct payment."""
    draft = complete_draft(author, holder, budget)
    services.save_support_item(
        actor=author,
        version=draft,
        item=draft.support_items.get(),
        description="Hoist",
        category="equipment",
        unit_cost=D("565.70"),
        quantity=D("1"),
        frequency="once",
    )
    return services.submit_version(actor=author, version=PlanVersion.objects.get(pk=draft.pk))


@pytest.fixture
def in_use(phb_lead, finance_officer, holder, icb, today_is):
    """Today is 6 December 2026. A budget of £943.06 from 6 December 2026 to 31 March 2027,
    all by direct payment, paid monthly; its plan (£565.70) is approved and the budget
    started."""
    today_is(DEC_6)
    LocalRateSetFactory(organisation=icb)
    budget = agreed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("943.06"),
        start=DEC_6,
        end=datetime.date(2027, 3, 31),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("943.06"), "")],
        plan_approved=False,
    )
    version = submitted(phb_lead, holder, budget)
    decide(version, icb)
    schedule(finance_officer, reload(budget).portions.get())
    budget_services.activate_budget(actor=finance_officer, budget=reload(budget))
    return plan_selectors.version_by_id(version.pk)


def cut(phb_lead, version):
    """Down to £800.00 from 7 January 2027: the budget's amount reads £800.00 at once."""
    change_amount(
        phb_lead,
        reload(version.budget),
        new_amount=D("800.00"),
        effective_from=CUT_FROM,
        reason="Your review found that you need fewer visits.",
    )
    assert reload(version.budget).agreed_amount == D("800.00")
    return plan_selectors.version_by_id(version.pk)


def page_words(client, user, version) -> str:
    client.force_login(user)
    response = client.get(reverse("careplans:version", args=[version.pk]))
    assert response.status_code == 200
    return words(response.content.decode())


def pdf_words(version, user) -> str:
    return words(
        render_html(
            source_for("plan"),
            plan_selectors.version_by_id(version.pk),
            GeneratedDocument(requested_by=user, large_print=False),
        )
    )


def test_the_plan_and_its_pdf_say_the_amount_in_force_and_the_cut_to_come(
    client, phb_lead, in_use, today_is
):
    """The plan costs £565.70: against £943.06 now, £377.36 is not set against an item; from
    7 January, against £800.00, £234.30."""
    before = page_words(client, phb_lead, in_use)
    assert "The budget is £943.06, so £377.36 is not set against an item of the plan." in before
    assert "Direct payment: £943.06" in before and "From 7 January" not in before
    version = cut(phb_lead, in_use)
    for text in (page_words(client, phb_lead, version), pdf_words(version, phb_lead)):
        assert NOW in text
        assert HELD in text
        assert "The budget is £800.00" not in text
    # On its day the cut has happened.
    today_is(CUT_FROM)
    text = page_words(client, phb_lead, version)
    assert "The budget is £800.00, so £234.30 is not set against an item of the plan." in text
    assert "From 7 January" not in text and "Direct payment: £800.00" in text


def test_a_pdf_made_before_a_change_of_amount_is_out_of_date(phb_lead, in_use, today_is):
    """Made on 6 December: out of date once the cut is issued (the PDF says £943.06 and no
    change to come), and a PDF made after it out of date on 7 January (it says £943.06, then
    £800.00 from 7 January)."""
    source = source_for("plan")
    made = GeneratedDocument(source_version=version_of(source, in_use))
    assert not is_stale(made, source, plan_selectors.version_by_id(in_use.pk))
    version = cut(phb_lead, in_use)
    assert is_stale(made, source, version)
    made_after = GeneratedDocument(source_version=version_of(source, version))
    today_is(CUT_FROM)
    assert is_stale(made_after, source, plan_selectors.version_by_id(version.pk))


def test_a_decision_after_a_cut_is_issued_says_the_amount_now_and_from_its_day(
    client, phb_lead, holder, icb, in_use
):
    """A new version of the same plan decided on 6 December, after the cut was issued: its
    page, and its letter, set the £565.70 against £943.06 now and £800.00 from 7 January."""
    cut(phb_lead, in_use)
    draft = services.new_version(actor=phb_lead, plan=in_use.plan)
    services.update_sections(
        actor=phb_lead, version=draft, **agreement(holder, timezone.localdate())
    )
    second = services.submit_version(actor=phb_lead, version=PlanVersion.objects.get(pk=draft.pk))
    decider = staff("phb_lead", icb)
    client.force_login(decider)
    text = words(client.get(reverse("careplans:decide", args=[second.pk])).content.decode())
    assert "against a budget of £943.06, then £800.00 from 7 January 2027." in text
    decide(second, icb)
    letter = words(PlanLetter.objects.filter(version=second).first().body_html)
    assert (
        "personal health budget for 6 December 2026 to 31 March 2027 is £943.06. That is "
        "£377.36 more than the support costs."
    ) in letter
    assert (
        "From 7 January 2027 the budget goes down to £800.00, £234.30 more than the support costs."
    ) in letter
    assert "is £800.00." not in letter
