"""How long a 10-page care and support plan takes to become a PDF (issue 9: under 2 seconds).

`make benchmark` times the rendering the pdf queue's worker does (the template from the plan's
presenters, then WeasyPrint to tagged PDF/UA-1); in `make test` it is not collected. The plan
has 30 goals each with an action, 30 things the budget pays for, 12 risks and long sections.
"""

from decimal import Decimal as D

import pytest

from careplans import plan_selectors
from careplans import services as plan_services
from phb.documents.models import GeneratedDocument
from phb.documents.rendering import html_to_pdf
from phb.documents.services import render_html
from phb.documents.sources import source_for

pytestmark = pytest.mark.django_db

SECTION = (
    "I want to stay living at home with my partner and our dog. Mornings are the hardest part "
    "of the day: I need help to get up, wash, dress and have breakfast, and to take my tablets "
    "on time. In the afternoons I like to go to the library and the park when I can. "
) * 4


@pytest.fixture
def long_plan(phb_lead, holder):
    version = plan_services.start_plan(actor=phb_lead, budget_holder=holder)
    plan_services.update_sections(
        actor=phb_lead,
        version=version,
        what_matters=SECTION,
        strengths=SECTION,
        health_needs=SECTION,
        crisis_plan=SECTION,
        relapse_plan=SECTION,
        pa_absence_plan=SECTION,
    )
    for number in range(1, 31):
        goal = plan_services.save_goal(
            actor=phb_lead,
            version=version,
            description=f"Goal {number}: get out of the house more often, with support",
            importance="very",
        )
        plan_services.save_action(
            actor=phb_lead,
            goal=goal,
            what=f"A personal assistant helps with goal {number} on weekday mornings",
            who="Personal assistant",
            when="From May",
            confidence=7,
        )
        plan_services.save_support_item(
            actor=phb_lead,
            version=version,
            goals=[goal],
            description=f"Support for goal {number}: a personal assistant, two hours a week",
            category="pa_support",
            provider="Employed PA",
            unit_cost=D("15.50"),
            quantity=D("2"),
            frequency="weekly",
        )
    for number in range(1, 13):
        plan_services.save_risk(
            actor=phb_lead,
            version=version,
            risk=f"Risk {number}: a fall when moving from bed to chair",
            consequence="An injury and a stay in hospital",
            mitigation="Two people help with every transfer; a hoist is in place",
        )
    return plan_selectors.version_by_id(version.pk)


def test_a_ten_page_plan_renders_to_pdf(benchmark, phb_lead, long_plan):
    source = source_for("plan")
    document = GeneratedDocument(requested_by=phb_lead, large_print=False)
    html = render_html(source, long_plan, document)

    def render():
        return html_to_pdf(render_html(source, long_plan, document))

    content, pages = benchmark(render)
    assert pages >= 10, pages
    assert content.startswith(b"%PDF-")
    assert "Goal 30" in html
