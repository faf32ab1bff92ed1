"""Budget setting through the pages, with the Django test client.

Figures are the worked examples of `test_services.py`: RAS £8,308.72, CHC cap £117,793.00 and
PA costing £25,370.98 a year.
"""

import datetime
from decimal import Decimal as D
from html import unescape

import pgtrigger
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import (
    Budget,
    ChcPackage,
    ClinicalCheck,
    FundingStreamKind,
    HoldingMethod,
    PaCosting,
)
from budgets.models.budget import BudgetStatus
from phb.models import BudgetHolder
from tests.budgets.factories import (
    BACKDATED,
    FY_2026_END,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    agreed_budget,
    change_amount,
    chc_package,
    draft_budget,
    pa_costing,
    proposed_budget,
    questionnaire,
    reload,
    schedule,
    staff,
)
from tests.factories import BudgetHolderFactory, _nhs_numbers

pytestmark = pytest.mark.django_db

PROBLEM = "There is a problem"


@pytest.fixture
def lead_client(client, phb_lead):
    client.force_login(phb_lead)
    return client


def page(response) -> str:
    return response.content.decode()


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def management(prefix: str, total: int, initial: int = 0) -> dict:
    """A formset's management form, as the page renders it."""
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def budget_form_data(calculation, *, amount, start=FY_2026_START, end=FY_2026_END, **extra):
    """The 'Set up a budget' form: one funding stream at 100%, all notional by default."""
    data = {
        "calculation": str(calculation.pk),
        **date_fields("period_start", start),
        **date_fields("period_end", end),
        "agreed_amount": str(amount),
        "clinical_justification": "",
        # The page pre-fills one stream (NHS CHC, 100%) and offers 3 more.
        **management("streams", 4, initial=1),
        "streams-0-kind": FundingStreamKind.NHS_CHC,
        "streams-0-share_percent": "100",
        "held-notional": str(amount),
        "held-third_party": "",
        "held-held_by": "",
        "held-direct_payment": "",
    }
    if start < timezone.localdate():
        data |= {"backdated": "on", "backdating_reason": BACKDATED}
    return data | extra


def pa_form_data(*, hours="30", rate="13.50", day=FY_2026_START) -> dict:
    return {
        **date_fields("effective_date", day),
        "pay_frequency": "weekly",
        "claims_employment_allowance": "on",
        "insurance_annual": "",
        "payroll_fee_annual": "",
        "contingency_percent": "",
        **management("lines", 4),
        "lines-0-label": "PA 1",
        "lines-0-hours_per_week": hours,
        "lines-0-hourly_rate": rate,
        "lines-0-pension": "auto",
        **{f"lines-{i}-pension": "auto" for i in range(1, 4)},
    }


# ---------------------------------------------------------------------------------------------
# Comparing the three calculations and setting up a budget
# ---------------------------------------------------------------------------------------------


def test_compare_page_shows_the_three_calculations_side_by_side(
    lead_client, phb_lead, holder, ras, chc
):
    pa_costing(phb_lead, holder)
    html = page(lead_client.get(reverse("budgets:person", args=[holder.pk])))
    assert "Resource allocation (RAS)" in html
    assert "CHC cost cap" in html
    assert "PA costing" in html
    # RAS 56 x £148.37; CHC £2,265.25 x 52; PA as the worked example
    assert "£8,308.72" in html
    assert "£117,793.00" in html
    assert "£25,370.98" in html
    assert html.index("£8,308.72") < html.index("£117,793.00") < html.index("£25,370.98")
    assert "56 points × £148.37" in html


def test_compare_page_says_what_has_not_been_worked_out(lead_client, holder):
    html = page(lead_client.get(reverse("budgets:person", args=[holder.pk])))
    assert html.count("Not worked out yet.") == 3


def test_ras_worked_out_through_the_page(lead_client, holder, icb_admin):
    version = questionnaire(icb_admin)
    data = date_fields("effective_date", FY_2026_START)
    for domain, index in zip(
        version.domains.prefetch_related("options"), [3, 3, 2, 2, 2, 0, 2, 2], strict=True
    ):
        data[str(domain.pk)] = str(list(domain.options.all())[index].pk)
    response = lead_client.post(reverse("budgets:ras_new", args=[holder.pk]) + "?year=2026", data)
    assert response.status_code == 302
    assessment = holder.ras_assessments.get()
    assert assessment.annual_amount == D("8308.72")


def test_chc_package_costed_through_the_page(lead_client, holder, local_rates):
    data = {
        **date_fields("effective_date", FY_2026_START),
        **management("lines", 6),
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "lines-0-unit_cost": "",
        "lines-1-service": "Equipment hire",
        "lines-1-provider_type": "equipment",
        "lines-1-units_per_week": "1",
        "lines-1-unit_cost": "35.75",
    }
    response = lead_client.post(reverse("budgets:chc_new", args=[holder.pk]), data)
    assert response.status_code == 302
    # 42 x £28.50 = £1,197.00 + £35.75 = £1,232.75 a week; x 52 = £64,103.00
    package = ChcPackage.objects.get(budget_holder=holder)
    assert package.weekly_cost == D("1232.75")
    assert package.annual_cost == D("64103.00")


def test_pa_costing_through_the_page(lead_client, holder, local_rates):
    response = lead_client.post(reverse("budgets:pa_new", args=[holder.pk]), pa_form_data())
    assert response.status_code == 302
    costing = PaCosting.objects.get(budget_holder=holder)
    assert costing.lines.get().employer_ni_weekly == D("46.35")
    assert costing.total_annual == D("25370.98")


def test_pa_days_a_week_through_the_page(lead_client, holder, local_rates):
    # 48 hours at £12.71 = £610.08 a week over 6 days: holiday cover of 28 days, 4.67 weeks,
    # 610.08 x (28 / 6) / 52 = £54.75 a week (5.6 weeks would be £65.70).
    data = pa_form_data(hours="48", rate="12.71") | {"lines-0-days_per_week": "6"}
    response = lead_client.post(reverse("budgets:pa_new", args=[holder.pk]), data)
    assert response.status_code == 302
    line = PaCosting.objects.get(budget_holder=holder).lines.get()
    assert (line.days_per_week, line.holiday_weekly) == (6, D("54.75"))


def test_pa_8_days_a_week_shows_the_error_and_saves_nothing(lead_client, holder, local_rates):
    data = pa_form_data() | {"lines-0-days_per_week": "8"}
    response = lead_client.post(reverse("budgets:pa_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "There are only 7 days in a week" in html
    assert not PaCosting.objects.exists()


def test_pa_rate_below_minimum_wage_shows_the_error_and_saves_nothing(
    lead_client, holder, local_rates
):
    response = lead_client.post(
        reverse("budgets:pa_new", args=[holder.pk]), pa_form_data(rate="12.00")
    )
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "below the National Living Wage of £12.71" in html
    assert not PaCosting.objects.exists()


def test_pa_200_hours_a_week_shows_the_error_and_saves_nothing(lead_client, holder, local_rates):
    response = lead_client.post(
        reverse("budgets:pa_new", args=[holder.pk]), pa_form_data(hours="200")
    )
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "There are only 168 hours in a week" in html
    assert not PaCosting.objects.exists()


@pytest.mark.parametrize(
    "typed",
    [
        {"lines-1-hours_per_week": "30", "lines-1-hourly_rate": "14.00"},
        {"lines-1-hourly_rate": "14.00"},
        {"lines-1-age": "40"},
        {"lines-1-hours_per_week": "lots"},
        {"lines-1-irregular_hours": "on"},
    ],
)
def test_a_pa_with_figures_but_no_name_is_asked_for_not_left_out(
    lead_client, holder, local_rates, typed
):
    response = lead_client.post(reverse("budgets:pa_new", args=[holder.pk]), pa_form_data() | typed)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "Enter the name or role" in html
    assert not PaCosting.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"lines-1-unit_cost": "35.75"}, "Enter the service"),
        ({"lines-1-units_per_week": "2"}, "Enter the service"),
        ({"lines-1-unit_cost": "-1"}, "Enter the service"),
    ],
)
def test_a_chc_line_with_figures_but_no_service_is_asked_for_not_left_out(
    lead_client, holder, local_rates, typed, message
):
    data = {
        **date_fields("effective_date", FY_2026_START),
        **management("lines", 6),
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "lines-0-unit_cost": "",
    }
    response = lead_client.post(reverse("budgets:chc_new", args=[holder.pk]), data | typed)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert message in html
    assert not ChcPackage.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            {"streams-1-kind": FundingStreamKind.LA_SOCIAL_CARE},
            "Enter the share for Local authority social care",
        ),
        ({"streams-1-share_percent": "30"}, "Choose the funding stream this share is for"),
        ({"streams-1-share_percent": "abc"}, "Choose the funding stream this share is for"),
    ],
)
def test_half_a_funding_stream_is_asked_for_not_left_out(lead_client, holder, chc, typed, message):
    data = budget_form_data(chc, amount="20000.00") | typed
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert message in html
    assert not Budget.objects.filter(budget_holder=holder).exists()


def test_a_negative_chc_cost_shows_the_error_and_saves_nothing(lead_client, holder, local_rates):
    data = {
        **date_fields("effective_date", FY_2026_START),
        **management("lines", 6),
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "lines-0-unit_cost": "-28.50",
    }
    response = lead_client.post(reverse("budgets:chc_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert PROBLEM in page(response)
    assert not ChcPackage.objects.exists()


def test_set_up_a_budget_through_the_page(lead_client, phb_lead, holder, chc):
    # £20,000.00: £8,000.00 notional and £12,000.00 by direct payment; 70% NHS CHC, 30% LA.
    data = budget_form_data(
        chc,
        amount="20000.00",
        **{
            "streams-0-share_percent": "70",
            "streams-1-kind": FundingStreamKind.LA_SOCIAL_CARE,
            "streams-1-share_percent": "30",
            "held-notional": "8000.00",
            "held-direct_payment": "12000.00",
        },
    )
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    budget = Budget.objects.get(budget_holder=holder)
    assert response.status_code == 302
    assert response.url == reverse("budgets:budget", args=[budget.pk])
    assert budget.status == BudgetStatus.DRAFT
    assert budget.agreed_amount == D("20000.00")
    assert budget.indicative_amount == D("117793.00")
    assert budget.created_by == phb_lead
    assert sorted(budget.portions.values_list("method", "amount")) == [
        ("direct_payment", D("12000.00")),
        ("notional", D("8000.00")),
    ]
    assert sorted(budget.funding_streams.values_list("kind", "share_percent")) == [
        ("la_social_care", D("30.00")),
        ("nhs_chc", D("70.00")),
    ]


def test_budget_form_offers_the_latest_calculations(lead_client, holder, ras, chc):
    html = page(lead_client.get(reverse("budgets:budget_new", args=[holder.pk])))
    assert "Resource allocation for 2026/27: £8,308.72 a year" in html
    assert "CHC cost cap for 2026/27: £117,793.00 a year" in html


def test_budget_with_overlapping_period_shows_the_error_and_saves_nothing(
    lead_client, phb_lead, holder, chc
):
    agreed_budget(phb_lead, holder, chc, amount=D("50000.00"))
    data = budget_form_data(chc, amount="1000.00", start=datetime.date(2026, 12, 1))
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "overlaps the agreed budget from 1 April 2026 to 31 March 2027" in html
    assert Budget.objects.count() == 1


def test_budget_holding_amounts_not_adding_up_shows_the_error(lead_client, holder, chc):
    data = budget_form_data(chc, amount="20000.00", **{"held-notional": "19999.99"})
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "add up to £19,999.99, but the budget is £20,000.00" in html
    assert not Budget.objects.exists()


def test_an_organisation_named_without_its_amount_is_not_dropped_unseen(lead_client, holder, chc):
    data = budget_form_data(chc, amount="20000.00", **{"held-held_by": "Acme ISF"})
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert "Enter the third party budget amount, or leave the organisation empty" in page(response)
    assert not Budget.objects.exists()


def test_budget_shares_not_adding_up_shows_the_error(lead_client, holder, chc):
    data = budget_form_data(chc, amount="20000.00", **{"streams-0-share_percent": "90"})
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert PROBLEM in page(response)
    assert "must add up to 100%" in page(response)
    assert not Budget.objects.exists()


def test_budget_crossing_31_march_shows_the_error(lead_client, holder, chc):
    data = budget_form_data(chc, amount="20000.00", end=datetime.date(2027, 4, 30))
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert "within one financial year" in page(response)
    assert not Budget.objects.exists()


def test_absurd_budget_amount_shows_the_error(lead_client, holder, chc):
    data = budget_form_data(chc, amount="-5.00")
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert PROBLEM in page(response)
    assert not Budget.objects.exists()


def test_above_the_cap_without_justification_shows_the_error(lead_client, holder, ras):
    data = budget_form_data(ras, amount="9000.00")
    response = lead_client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    assert "Write the clinical justification" in page(response)
    assert not Budget.objects.exists()


# ---------------------------------------------------------------------------------------------
# Agreeing
# ---------------------------------------------------------------------------------------------


def test_agreeing_above_the_cap_without_a_check_shows_an_error(lead_client, above_cap):
    response = lead_client.post(
        reverse("budgets:agree", args=[above_cap.pk]), {"version": above_cap.version}, follow=True
    )
    html = page(response)
    assert "£691.28 above its indicative amount" in html
    assert "A clinician must check and support it" in html
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_a_clinician_records_a_check_through_the_page(client, clinician, above_cap):
    client.force_login(clinician)
    url = reverse("budgets:clinical_check", args=[above_cap.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"version": above_cap.version, "supported": "yes", "notes": "Two carers at night."}
    )
    assert response.status_code == 302
    check = ClinicalCheck.objects.get(budget=above_cap)
    assert check.clinician == clinician
    assert check.supported is True
    assert check.amount == D("9000.00")


def test_a_check_from_a_second_tab_does_not_overturn_the_first_unseen(client, clinician, above_cap):
    client.force_login(clinician)
    url = reverse("budgets:clinical_check", args=[above_cap.pk])
    seen = {"version": above_cap.version, "notes": "Checked the night care."}
    assert client.post(url, seen | {"supported": "yes"}).status_code == 302
    response = client.post(url, seen | {"supported": "no"}, follow=True)
    first = ClinicalCheck.objects.get(budget=above_cap)
    assert (
        f"You cannot check this budget: it was checked by {clinician.full_name} on "
        f"{timezone.localtime(first.at):%-d %B %Y at %H:%M}, after you opened this page. "
        "Check it and try again."
    ) in unescape(page(response))
    assert [c.supported for c in ClinicalCheck.objects.filter(budget=above_cap)] == [True]


def test_the_check_page_of_a_budget_not_supported_says_why_it_is_not_checked_again(
    client, clinician, above_cap
):
    services.record_clinical_check(
        actor=clinician, budget=above_cap, supported=False, notes="Night needs are met."
    )
    client.force_login(clinician)
    url = reverse("budgets:clinical_check", args=[above_cap.pk])
    refusal = (
        f"{clinician.full_name} checked this amount on 23 November 2026 and did not support it. "
        "It is checked again once the budget has been changed or proposed again. Nothing was "
        "changed."
    )
    for response in (
        client.get(url, follow=True),
        client.post(
            url,
            {"version": reload(above_cap).version, "supported": "yes", "notes": "Fine."},
            follow=True,
        ),
    ):
        assert response.redirect_chain[-1][0] == reverse("budgets:budget", args=[above_cap.pk])
        assert refusal in page(response)
    assert ClinicalCheck.objects.filter(budget=above_cap).count() == 1


def test_a_clinician_cannot_agree_through_the_page(client, clinician, above_cap):
    client.force_login(clinician)
    services.record_clinical_check(actor=clinician, budget=above_cap, supported=True, notes="OK")
    detail = page(client.get(reverse("budgets:budget", args=[above_cap.pk])))
    assert "Agree this budget" not in detail
    response = client.post(reverse("budgets:agree", args=[above_cap.pk]), {"version": 2})
    assert response.status_code == 404
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_a_lead_cannot_record_a_clinical_check(lead_client, above_cap):
    url = reverse("budgets:clinical_check", args=[above_cap.pk])
    assert lead_client.get(url).status_code == 404
    response = lead_client.post(url, {"version": 2, "supported": "yes", "notes": "Fine."})
    assert response.status_code == 404
    assert not ClinicalCheck.objects.exists()


def test_agreeing_above_the_cap_after_a_clinicians_check(lead_client, clinician, above_cap):
    services.record_clinical_check(actor=clinician, budget=above_cap, supported=True, notes="OK")
    response = lead_client.post(
        reverse("budgets:agree", args=[above_cap.pk]),
        {"version": reload(above_cap).version},
        follow=True,
    )
    assert "The budget has been agreed" in page(response)
    assert reload(above_cap).status == BudgetStatus.AGREED


def test_a_stale_agree_is_told_it_was_already_agreed(
    client, phb_lead, care_coordinator, icb, holder, ras
):
    budget = proposed_budget(care_coordinator, holder, ras)
    seen = budget.version
    services.agree_budget(actor=phb_lead, budget=budget, version=seen)
    other_lead = staff("phb_lead", icb)
    client.force_login(other_lead)
    response = client.post(
        reverse("budgets:agree", args=[budget.pk]), {"version": seen}, follow=True
    )
    html = page(response)
    assert "You cannot agree this budget: it was already agreed by" in html
    assert phb_lead.full_name in unescape(html)
    assert reload(budget).agreed_by == phb_lead


def test_a_stale_propose_is_told_someone_changed_it(lead_client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    response = lead_client.post(
        reverse("budgets:propose", args=[budget.pk]), {"version": budget.version + 5}, follow=True
    )
    assert "someone changed it while you were looking at it" in page(response)
    assert reload(budget).status == BudgetStatus.DRAFT


REASON = "Your needs at night have gone down since your review, so you need fewer carers."


# ---------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def everything(phb_lead, finance_officer, holder, chc):
    """An agreed budget with a payment schedule and a reduction letter, and the URLs for it."""
    package_2027 = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package_2027,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    portion = budget.portions.get()
    schedule(finance_officer, portion, first=FY_2027_START)
    (letter,) = change_amount(
        phb_lead,
        reload(budget),
        new_amount=D("10000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason=REASON,
    )
    person = holder.pk
    instalment = portion.schedule.instalments.first()
    return {
        "budget": budget,
        "letter": letter,
        "urls": [
            reverse("budgets:person", args=[person]),
            reverse("budgets:ras_new", args=[person]),
            reverse("budgets:chc_new", args=[person]),
            reverse("budgets:pa_new", args=[person]),
            reverse("budgets:budget_new", args=[person]),
            reverse("budgets:budget", args=[budget.pk]),
            reverse("budgets:propose", args=[budget.pk]),
            reverse("budgets:clinical_check", args=[budget.pk]),
            reverse("budgets:agree", args=[budget.pk]),
            reverse("budgets:payments", args=[budget.pk, portion.pk]),
            reverse("budgets:start", args=[budget.pk]),
            reverse("budgets:change_amount", args=[budget.pk]),
            reverse("budgets:propose_increase", args=[budget.pk]),
            reverse("budgets:increase_check", args=[budget.pk]),
            reverse("budgets:record_payment", args=[budget.pk, instalment.pk]),
            reverse("budgets:letter", args=[letter.pk]),
        ],
    }


def test_staff_of_another_icb_get_404_on_every_budget_page(client, other_icb_lead, everything):
    client.force_login(other_icb_lead)
    for url in everything["urls"]:
        assert client.get(url).status_code == 404, url
        if "/letters/" not in url:  # a letter is only read
            assert client.post(url, {"version": 1}).status_code == 404, url
    budget = reload(everything["budget"])
    assert budget.status == BudgetStatus.AGREED  # reduced before it started: still payable
    assert budget.agreed_amount == D("10000.00")


def test_a_budget_holder_gets_404_on_staff_budget_pages(client, holder, everything):
    client.force_login(holder.user)
    staff_urls = [url for url in everything["urls"] if "/letters/" not in url]
    for url in staff_urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": 1}).status_code == 404, url


def test_a_budget_holder_sees_their_own_letter(client, holder, everything):
    client.force_login(holder.user)
    response = client.get(reverse("budgets:letter", args=[everything["letter"].pk]))
    assert response.status_code == 200
    assert "£10,000.00" in page(response)


def test_a_budget_holder_gets_404_on_another_persons_letter(client, other_holder, everything):
    client.force_login(other_holder.user)
    response = client.get(reverse("budgets:letter", args=[everything["letter"].pk]))
    assert response.status_code == 404


def test_the_staff_budget_page_shows_the_schedule_and_history(lead_client, everything):
    html = page(lead_client.get(reverse("budgets:budget", args=[everything["budget"].pk])))
    assert "Payment dates" in html
    assert "1 April 2027" in html
    assert "Status history" in html
    assert "Your personal health budget is going down" in html


@pytest.fixture
def holders_budget(phb_lead, finance_officer, holder, ras):
    """Agreed for 2026/27 at the RAS £8,308.72: £2,308.72 notional, £6,000.00 by direct payment
    in 12 monthly payments of £500.00; then started."""
    budget = agreed_budget(
        phb_lead,
        holder,
        ras,
        portions=[
            (HoldingMethod.NOTIONAL, D("2308.72"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("6000.00"), ""),
        ],
    )
    schedule(finance_officer, budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT))
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def assert_shows_the_budget(html):
    assert "£8,308.72" in html
    assert "1 April 2026 to 31 March 2027" in html
    assert "Kept by the personal health budget team" in html and "£2,308.72" in html
    assert "(a direct payment)" in html and "£6,000.00" in html
    assert "Payments into the bank account (direct payment)" in html
    assert "1 May 2026" in html and "1 March 2027" in html and "£500.00" in html
    # The RAS line by line: each domain, its answer's points and amount.
    assert "budget was worked out" in html
    assert "Personal care" in html and "12 points" in html and "£1,780.44" in html
    assert "Daily life" in html and "£1,038.59" in html
    assert "56 points × £148.37" in html


def test_the_holder_sees_your_budget_and_how_it_was_worked_out(client, holder, holders_budget):
    client.force_login(holder.user)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    html = page(response)
    assert "Your budget" in html
    assert "How the budget was worked out" in html
    assert_shows_the_budget(html)


def test_a_representative_sees_the_budget_of_the_person_they_act_for(
    client, representative, holder, holders_budget
):
    client.force_login(representative)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 200
    html = page(response)
    assert f"{holder.given_name}'s budget is £8,308.72" in unescape(html)
    assert "who arrange their care" in html and "your care" not in html
    assert_shows_the_budget(html)


def test_the_holder_sees_no_draft_and_a_proposal_only_as_proposed(client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(holder.user)
    html = page(client.get(reverse("holder_home")))
    assert "You do not have a personal health budget yet" in html
    assert "£8,308.72" not in html
    services.propose_budget(actor=phb_lead, budget=budget)
    html = page(client.get(reverse("holder_home")))
    assert "has proposed a budget of £8,308.72" in html
    assert "It has not been agreed yet" in html


def test_another_holder_does_not_see_this_budget(client, other_holder, holders_budget):
    client.force_login(other_holder.user)
    html = page(client.get(reverse("holder_home")))
    assert "£8,308.72" not in html


# ---------------------------------------------------------------------------------------------
# Caseload and query counts
# ---------------------------------------------------------------------------------------------


def test_caseload_shows_budget_status_and_amount(lead_client, holder, other_holder, holders_budget):
    html = page(lead_client.get(reverse("caseload")))
    assert "Budget" in html
    assert "Active: £8,308.72" in html
    assert "No budget yet" in html


def test_the_caseload_amount_is_the_exact_decimal_in_every_state(
    holder, holders_budget, other_holder
):
    from budgets.extensions import _budget_cell
    from budgets.selectors import annotate_current_budget

    Budget.objects.filter(pk=holders_budget.pk).update(
        agreed_amount=D("1234567.89"), indicative_amount=D("1234567.89")
    )
    people = {p.pk: p for p in annotate_current_budget(BudgetHolder.objects.all())}
    current = people[holder.pk].current_budget
    assert D(current["amount"]) == D("1234567.89")  # text, not a JSON number
    assert _budget_cell(people[holder.pk]) == "Active: £1,234,567.89"
    assert _budget_cell(people[other_holder.pk]) == "No budget yet"
    with pgtrigger.ignore("budgets.Budget:budget_status_transitions"):
        Budget.objects.filter(pk=holders_budget.pk).update(status=BudgetStatus.ENDED)
    people = {p.pk: p for p in annotate_current_budget(BudgetHolder.objects.all())}
    # They have had a budget: not "No budget yet".
    assert _budget_cell(people[holder.pk]) == "Ended: £1,234,567.89"
    with pgtrigger.ignore("budgets.Budget:budget_status_transitions"):
        Budget.objects.filter(pk=holders_budget.pk).update(status=BudgetStatus.WITHDRAWN)
    people = {p.pk: p for p in annotate_current_budget(BudgetHolder.objects.all())}
    assert _budget_cell(people[holder.pk]) == "No budget yet"


def _bulk_people_with_budgets(organisation, package, created_by, count):
    """`count` people, each with a draft budget (written in bulk, for counting queries)."""
    people = BudgetHolder.objects.bulk_create(
        BudgetHolderFactory.build(organisation=organisation, nhs_number=next(_nhs_numbers))
        for _ in range(count)
    )
    Budget.objects.bulk_create(
        Budget(
            budget_holder=person,
            period_start=FY_2026_START,
            period_end=FY_2026_END,
            basis="chc_cap",
            chc_package=package,
            indicative_amount=D("117793.00"),
            agreed_amount=D("1000.00"),
            created_by=created_by,
            backdating_reason=BACKDATED,
        )
        for person in people
    )


def test_caseload_queries_do_not_grow_with_people_and_budgets(
    lead_client, phb_lead, icb, chc, django_assert_num_queries
):
    _bulk_people_with_budgets(icb, chc, phb_lead, 10)
    lead_client.get(reverse("caseload"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        response = lead_client.get(reverse("caseload"))
    assert "Draft: £1,000.00" in page(response)
    _bulk_people_with_budgets(icb, chc, phb_lead, 990)
    with django_assert_num_queries(len(small)):
        response = lead_client.get(reverse("caseload"))
    assert "Draft: £1,000.00" in page(response)
    # A later page has no work queues above it (tests/budgets/test_work_queues.py).
    with django_assert_num_queries(len(small) - 2):
        response = lead_client.get(reverse("caseload"), {"page": 7})
    assert response.context["page"].paginator.count == 1001
    assert "Draft: £1,000.00" in page(response)


def _budget_with(phb_lead, finance_officer, person, *, lines, first_payment):
    package = chc_package(phb_lead, person, lines=lines)
    budget = agreed_budget(
        phb_lead,
        person,
        package,
        amount=D("1234.56"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("1234.56"), "")],
    )
    schedule(finance_officer, budget.portions.get(), first=first_payment)
    return services.activate_budget(actor=finance_officer, budget=reload(budget))


def _line(n):
    return {
        "service": f"Service {n}",
        "provider_type": "other",
        "units_per_week": D("1"),
        "unit_cost": D("50.00"),
    }


@pytest.fixture
def small_and_large(phb_lead, finance_officer, holder, other_holder, local_rates):
    """The holder's budget has 1 package line and 1 instalment (March 2027 only); the other
    holder's has 6 lines and 12 instalments."""
    small = _budget_with(
        phb_lead,
        finance_officer,
        holder,
        lines=[_line(1)],
        first_payment=datetime.date(2027, 3, 1),
    )
    large = _budget_with(
        phb_lead,
        finance_officer,
        other_holder,
        lines=[_line(n) for n in range(6)],
        first_payment=FY_2026_START,
    )
    assert small.portions.get().schedule.instalments.count() == 1
    assert large.portions.get().schedule.instalments.count() == 12
    return small, large


def test_budget_page_queries_do_not_grow_with_lines_and_instalments(
    lead_client, small_and_large, django_assert_num_queries
):
    small, large = small_and_large
    lead_client.get(reverse("budgets:budget", args=[small.pk]))  # warm caches
    with CaptureQueriesContext(connection) as counted:
        assert lead_client.get(reverse("budgets:budget", args=[small.pk])).status_code == 200
    with django_assert_num_queries(len(counted)):
        response = lead_client.get(reverse("budgets:budget", args=[large.pk]))
    assert response.status_code == 200
    assert "Service 5" in page(response)


def test_holder_page_queries_do_not_grow_with_lines_and_instalments(
    client, holder, other_holder, small_and_large, django_assert_num_queries
):
    client.force_login(holder.user)
    client.get(reverse("holder_home"))  # warm caches
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("holder_home")).status_code == 200
    expected = len(counted)  # read now: the next request clears the query log
    client.force_login(other_holder.user)
    client.get(reverse("holder_home"))  # warm caches for this user too
    with django_assert_num_queries(expected):
        response = client.get(reverse("holder_home"))
    html = page(response)
    assert "Service 5" in html
    # £1,234.56 in 12 monthly payments: 123,456 pennies / 12 = £102.88 each, and the next one
    # (unless today is after the last)
    assert html.count("£102.88") == 12 + ("The next payment is £102.88" in html)


def test_the_holder_page_reads_the_person_and_their_budgets_once(client, holder, small_and_large):
    """The budget section and its PDF panel share one read of the budgets, and the page
    does not read the person again after finding they have one (phb.extensions.read_once)."""
    client.force_login(holder.user)
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("holder_home")).status_code == 200
    selects = [q["sql"] for q in counted.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "budgets_budget"' in sql for sql in selects) == 1
    assert sum('FROM "phb_budgetholder"' in sql for sql in selects) == 1


def test_compare_page_queries_do_not_grow_with_calculations_and_budgets(
    lead_client, phb_lead, holder, other_holder, local_rates, django_assert_num_queries
):
    # The holder: one CHC package of 1 line, a PA costing of 1 PA and two budgets. The other
    # holder: three packages of 1 to 5 lines, a PA costing of 3 PAs and four draft budgets
    # (a person's budgets never overlap).
    draft_budget(phb_lead, holder, pa_costing(phb_lead, holder))
    draft_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder, lines=[_line(1)], effective_date=FY_2027_START),
        start=FY_2027_START,
        end=FY_2027_END,
    )
    for count in (1, 3, 5):
        package = chc_package(
            phb_lead,
            other_holder,
            lines=[_line(n) for n in range(count)],
            effective_date=FY_2027_START,
        )
    costing = pa_costing(
        phb_lead,
        other_holder,
        pas=[
            {"label": f"PA {n}", "hours_per_week": D("10"), "hourly_rate": D("13.50")}
            for n in range(3)
        ],
    )
    for month in (4, 7, 10):
        draft_budget(
            phb_lead,
            other_holder,
            package,
            start=datetime.date(2027, month, 1),
            end=datetime.date(2027, month + 2, 28),
            amount=D("100"),
        )
    draft_budget(phb_lead, other_holder, costing)
    lead_client.get(reverse("budgets:person", args=[holder.pk]))  # warm caches
    with CaptureQueriesContext(connection) as counted:
        assert lead_client.get(reverse("budgets:person", args=[holder.pk])).status_code == 200
    with django_assert_num_queries(len(counted)):
        response = lead_client.get(reverse("budgets:person", args=[other_holder.pk]))
    assert response.status_code == 200
    assert "PA 2: wages" in page(response)
