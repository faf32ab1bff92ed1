"""The quarterly figures (DOMAIN.md, "Reporting"): quarters of the financial year, who has a
budget in place, who is new to one and which budgets were stopped, worked by hand for one ICB;
the page, its CSV and its choice of quarter; and its queries, which do not grow with the ICB."""

import csv
import datetime
import io
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import HoldingMethod
from careplans.selectors_quarterly import Quarter, quarterly_figures, quarters_offered
from careplans.services import stopping
from phb.models import EligibilityGroup
from tests.budgets.factories import agreed_budget, chc_package, draft_budget
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db
D_ = datetime.date
URL = reverse("careplans:quarterly_figures")
# A responsive table repeats its column's heading in each cell, for phones.
CELL_HEADING = re.compile(r'<span class="nhsuk-table__heading"[^>]*>.*?</span>', re.S)


def visible_text(response) -> str:
    """The main content as a person reads it on a wide screen, spaces tidied."""
    html = response.content.decode()
    main = CELL_HEADING.sub("", html[html.index("<main") : html.index("</main>")])
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.mark.parametrize(
    ("day", "year", "number", "starts_on", "ends_on"),
    [
        (D_(2026, 4, 1), 2026, 1, D_(2026, 4, 1), D_(2026, 6, 30)),
        (D_(2026, 6, 30), 2026, 1, D_(2026, 4, 1), D_(2026, 6, 30)),
        (D_(2026, 7, 1), 2026, 2, D_(2026, 7, 1), D_(2026, 9, 30)),
        (D_(2026, 11, 23), 2026, 3, D_(2026, 10, 1), D_(2026, 12, 31)),
        (D_(2027, 1, 1), 2026, 4, D_(2027, 1, 1), D_(2027, 3, 31)),
        (D_(2027, 3, 31), 2026, 4, D_(2027, 1, 1), D_(2027, 3, 31)),
        (D_(2028, 2, 29), 2027, 4, D_(2028, 1, 1), D_(2028, 3, 31)),
    ],
)
def test_a_day_falls_in_its_quarter_of_the_financial_year(day, year, number, starts_on, ends_on):
    quarter = Quarter.containing(day)
    assert (quarter.year, quarter.number) == (year, number)
    assert (quarter.starts_on, quarter.ends_on) == (starts_on, ends_on)
    assert quarter.previous().following() == quarter
    assert quarter.previous().ends_on == starts_on - datetime.timedelta(days=1)


def test_the_quarters_are_named_in_words_and_offered_newest_first():
    offered = quarters_offered(D_(2026, 11, 23))
    assert len(offered) == 12
    assert [q.label for q in offered[:2]] == [
        "Quarter 3 of 2026/27 (1 October to 31 December 2026)",
        "Quarter 2 of 2026/27 (1 July to 30 September 2026)",
    ]
    assert offered[-1].label == "Quarter 4 of 2023/24 (1 January to 31 March 2024)"
    assert offered[2].key == "2026-q1"
    assert Quarter(1999, 4).financial_year == "1999/00"


@pytest.fixture
def caseload(phb_lead, icb, other_icb, other_icb_lead, today_is):
    """One ICB's people, worked by hand (today is 23 November 2026):

    - Alex (CHC): budget for 2026/27, half notional and half a direct payment (mixed);
    - Bo (section 117): a direct payment from 1 August 2026;
    - Cy (local offer): a draft budget only, never agreed;
    - Dee (CHC): budget for 2026/27 (mixed), stopped from 15 August 2026, consent withdrawn;
    - Eve (wheelchair): a direct payment agreed to start on 1 January 2027;
    - Fay (section 117): a budget agreed from 1 August 2026 whose plan was never approved, so
      it never started and is in no figure;
    - and, in another ICB, someone with a budget for 2026/27."""
    people = {}
    for name, group in [
        ("Alex", EligibilityGroup.CHC),
        ("Bo", EligibilityGroup.S117),
        ("Cy", EligibilityGroup.LOCAL_OFFER),
        ("Dee", EligibilityGroup.CHC),
        ("Eve", EligibilityGroup.WHEELCHAIR),
        ("Fay", EligibilityGroup.S117),
    ]:
        people[name] = BudgetHolderFactory(organisation=icb, given_name=name, eligibility=group)
    plan_in_use(phb_lead, people["Alex"])
    for name, start in [("Bo", D_(2026, 8, 1)), ("Eve", D_(2027, 1, 1))]:
        agreed_budget(
            phb_lead,
            people[name],
            chc_package(phb_lead, people[name]),
            start=start,
            amount=D("10000.00"),
            portions=[(HoldingMethod.DIRECT_PAYMENT, D("10000.00"), "")],
        )
    agreed_budget(
        phb_lead,
        people["Fay"],
        chc_package(phb_lead, people["Fay"]),
        start=D_(2026, 8, 1),
        amount=D("10000.00"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("10000.00"), "")],
        plan_approved=False,
    )
    draft_budget(phb_lead, people["Cy"], chc_package(phb_lead, people["Cy"]))
    _, dees, _ = plan_in_use(phb_lead, people["Dee"], approved_on=D_(2026, 7, 1))
    # Recorded on the day notice was given: a stop cannot be recorded after its day.
    today_is(D_(2026, 8, 1))
    stopping.stop_phb(
        actor=phb_lead,
        budget=dees,
        reason="consent_withdrawn",
        explanation="You told us on 1 August that you no longer want a budget.",
        notice_given_on=D_(2026, 8, 1),
        effective_on=D_(2026, 8, 15),
    )
    today_is(D_(2026, 11, 23))
    elsewhere = BudgetHolderFactory(organisation=other_icb)
    plan_in_use(other_icb_lead, elsewhere)
    return people


def test_the_figures_for_each_quarter_count_what_the_records_say(caseload, icb):
    today = D_(2026, 11, 23)
    q1 = quarterly_figures(icb, Quarter(2026, 1), today)
    # On 30 June Alex and Dee had budgets (both mixed); Bo's and Eve's had not started.
    assert q1.as_at == D_(2026, 6, 30) and not q1.under_way
    assert q1.in_place == {(EligibilityGroup.CHC, "mixed"): 2}
    assert q1.new == {EligibilityGroup.CHC: 2}
    assert q1.stopped == {}
    assert q1.held == {EligibilityGroup.CHC: 2}

    q2 = quarterly_figures(icb, Quarter(2026, 2), today)
    # On 30 September: Alex, and Bo's direct payment; Dee's was stopped in August.
    assert q2.in_place == {
        (EligibilityGroup.CHC, "mixed"): 1,
        (EligibilityGroup.S117, HoldingMethod.DIRECT_PAYMENT): 1,
    }
    assert q2.new == {EligibilityGroup.S117: 1}
    assert q2.stopped == {"consent_withdrawn": 1}
    # During July to September: Alex, Dee until her stop on 15 August, and Bo from 1 August.
    # Fay's budget never started.
    assert q2.held == {EligibilityGroup.CHC: 2, EligibilityGroup.S117: 1}

    q3 = quarterly_figures(icb, Quarter(2026, 3), today)
    # Under way: counted today, with the same two in place and nobody new or stopped.
    assert q3.as_at == today and q3.under_way
    assert q3.in_place == q2.in_place
    assert (q3.new, q3.stopped) == ({}, {})
    assert q3.held == {EligibilityGroup.CHC: 1, EligibilityGroup.S117: 1}

    q4 = quarterly_figures(icb, Quarter(2026, 4), D_(2027, 3, 31))
    # Eve's budget starts on 1 January 2027: new in quarter 4, and in place with Alex's and
    # Bo's at the year's end.
    assert q4.new == {EligibilityGroup.WHEELCHAIR: 1}
    assert sum(q4.in_place.values()) == 3


def test_the_page_shows_the_last_quarter_that_ended_and_its_totals(client, caseload, phb_lead):
    client.force_login(phb_lead)
    text = visible_text(client.get(URL))
    assert "Quarter 2 of 2026/27 (1 July to 30 September 2026)" in text
    assert "People with a personal health budget in place on 30 September 2026" in text
    assert "not over" not in text
    assert "NHS Continuing Healthcare 0 0 0 1 1" in text
    assert "Section 117 aftercare 0 0 1 0 1" in text
    assert "All groups 0 0 1 1 2" in text
    assert "The person no longer consents 1" in text
    assert "People who had a personal health budget at any time in the quarter" in text


def test_a_quarter_under_way_says_its_figures_are_so_far(client, caseload, phb_lead):
    client.force_login(phb_lead)
    text = visible_text(client.get(URL, {"quarter": "2026-q3"}))
    assert "these are the figures so far, counted on 23 November 2026" in text
    assert "in place on 23 November 2026" in text


@pytest.mark.parametrize("quarter", ["", "2026-q5", "2099-q1", "1-q1", "<script>", "2019-q1"])
def test_a_quarter_not_offered_gets_an_error_and_no_figures(client, caseload, phb_lead, quarter):
    client.force_login(phb_lead)
    response = client.get(URL, {"quarter": quarter, "download": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    text = unescape(response.content.decode())
    assert "There is a problem" in text
    assert ("Select a quarter" if quarter == "" else "Select a quarter from the list") in text
    assert "Budgets in place" not in text


def test_the_figures_download_as_a_spreadsheet(client, caseload, phb_lead, icb):
    client.force_login(phb_lead)
    response = client.get(URL, {"quarter": "2026-q2", "download": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="phb-figures-qt1-2026-q2.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = ["ICB", "Quarter", "Counted on", "Figure", "Group or reason", "Held", "Number"]
    assert rows[0] == header
    # 6 groups x 4 ways of holding, 6 groups twice, 7 reasons.
    assert len(rows) == 1 + 24 + 6 + 6 + 7
    assert [
        "QT1",
        "Quarter 2 of 2026/27",
        "2026-09-30",
        "People with a budget in place",
        "Section 117 aftercare",
        "Direct payment",
        "1",
    ] in rows
    assert rows[-7][3:] == ["Budgets stopped", "The person no longer consents", "", "1"]
    assert sum(int(row[6]) for row in rows[1:25]) == 2
    during = [row[4:] for row in rows if row[3] == "People with a budget during the quarter"]
    assert ["NHS Continuing Healthcare", "", "2"] in during
    assert ["Section 117 aftercare", "", "1"] in during


def test_an_icb_administrator_sees_the_figures_of_the_icb_they_act_for(
    client, caseload, icb_admin, other_icb
):
    client.force_login(icb_admin)
    assert "All groups 0 0 1 1 2" in visible_text(client.get(URL))


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"quarter": "2026-q2"}).status_code == 200
    return len(captured)


def test_the_page_makes_the_same_queries_however_many_people(client, phb_lead, icb):
    client.force_login(phb_lead)
    alone = BudgetHolderFactory(organisation=icb)
    plan_in_use(phb_lead, alone)
    client.get(URL)
    few = queries(client)
    for group in (EligibilityGroup.S117, EligibilityGroup.EHCP, EligibilityGroup.WHEELCHAIR):
        plan_in_use(phb_lead, BudgetHolderFactory(organisation=icb, eligibility=group))
    assert queries(client) == few
