"""Next year's budget prepared from this year's, worked out again with the new year's rates,
and the page that shows what changed line by line.

2027/28 local rates for these tests: agency day £29.40/h, sleeping night £125.00, waking night
£31.00/h, nursing £57.00/h, PA £14.00/h, insurance £160.00, payroll £250.00, contingency 4%.
"""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import calculations as calc
from budgets import services
from budgets.lifecycle_presenters import how_next_year_was_set
from budgets.models import (
    Budget,
    BudgetStatus,
    FundingStreamKind,
    HoldingMethod,
    NationalRateSet,
    RasQuestionnaire,
)
from budgets.presenters import explain_calculation
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    NATIONAL_2027_28,
    RAS_DOMAINS,
    LocalRateSetFactory,
    agreed_budget,
    draft_budget,
    pa,
    pa_costing,
    questionnaire,
    reload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_rates_2027(icb, local_rates):
    return LocalRateSetFactory(
        organisation=icb,
        effective_from=FY_2027_START,
        pa_hourly=D("14.00"),
        agency_day_hourly=D("29.40"),
        agency_night_hourly=D("125.00"),
        agency_waking_night_hourly=D("31.00"),
        nursing_hourly=D("57.00"),
        employer_liability_insurance_annual=D("160.00"),
        payroll_fee_annual=D("250.00"),
        contingency_rate=D("0.04"),
    )


@pytest.fixture
def national_2027(db):
    return NationalRateSet.objects.create(**NATIONAL_2027_28)


def prepare(budget, actor):
    return services.prepare_next_year(actor=actor, budget=reload(budget))


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# ---------------------------------------------------------------------------------------------
# CHC cap
# ---------------------------------------------------------------------------------------------


def test_a_chc_budget_is_costed_again_with_the_new_local_rates(
    phb_lead, care_coordinator, paid_budget, local_rates_2027
):
    # 2026/27: £2,265.25 a week, £117,793.00 a year; agreed at £20,000.01 (£8,000.00 notional,
    # £12,000.01 by direct payment), 70%... here 100% NHS CHC.
    # 2027/28, lines at the local rate repriced, equipment hire keeps its own £35.75:
    #   42 h x £29.40 = £1,234.80; 7 nights x £125.00 = £875.00; 3.5 h x £57.00 = £199.50;
    #   £35.75 -> £2,345.05 a week; x 52 = £121,942.60 a year.
    # The amount keeps this year's proportion to the cap:
    #   £20,000.01 x £121,942.60 / £117,793.00 = £20,704.57
    # shared 8,000.00 : 12,000.01 to the penny (largest remainder):
    #   notional £8,281.82, direct payment £12,422.75 (the spare penny), adding up to £20,704.57.
    new = prepare(paid_budget, care_coordinator)
    new = reload(new)
    assert new.status == BudgetStatus.DRAFT
    assert (new.period_start, new.period_end) == (FY_2027_START, FY_2027_END)
    assert new.prepared_from == paid_budget
    assert new.created_by == care_coordinator
    package = new.chc_package
    assert package.local_rates == local_rates_2027
    assert package.effective_date == FY_2027_START
    assert [(line.service, line.unit_cost, line.weekly_cost) for line in package.lines.all()] == [
        ("Agency day care", D("29.40"), D("1234.80")),
        ("Sleeping nights", D("125.00"), D("875.00")),
        ("District nursing", D("57.00"), D("199.50")),
        ("Equipment hire", D("35.75"), D("35.75")),
    ]
    assert package.weekly_cost == D("2345.05")
    assert package.annual_cost == new.indicative_amount == D("121942.60")
    assert new.agreed_amount == D("20704.57")
    assert sorted(new.portions.values_list("method", "amount")) == [
        (HoldingMethod.DIRECT_PAYMENT, D("12422.75")),
        (HoldingMethod.NOTIONAL, D("8281.82")),
    ]
    assert list(new.funding_streams.values_list("kind", "share_percent")) == [
        (FundingStreamKind.NHS_CHC, D("100.00"))
    ]
    assert new.clinical_justification == ""
    assert new.status_changes.get().reason == "Set up"


def test_without_new_local_rates_the_ones_in_force_are_used(phb_lead, paid_budget, local_rates):
    new = reload(prepare(paid_budget, phb_lead))
    assert new.chc_package.local_rates == local_rates
    assert new.indicative_amount == D("117793.00")
    assert new.agreed_amount == D("20000.01")
    # ... and the draft says so, rather than that it has 2027/28's rates.
    assert explain_calculation(new.chc_package).notes == [
        "There are no local rates for 2027/28 in the service yet, so where this uses local "
        "rates they are those from 1 April 2026. It should be worked out again once there are."
    ]
    assert how_next_year_was_set(paid_budget, new)[:2] == [
        "The 2027/28 draft was prepared from the 2026/27 budget and worked out again for "
        "1 April 2027.",
        NO_LOCAL_2027,
    ]


def test_with_new_local_rates_a_chc_draft_says_nothing_of_earlier_ones(
    phb_lead, paid_budget, local_rates_2027
):
    new = reload(prepare(paid_budget, phb_lead))
    assert explain_calculation(new.chc_package).notes == []
    assert how_next_year_was_set(paid_budget, new)[0].endswith("with the rates in force then.")


def test_local_rates_added_since_the_chc_draft_was_worked_out_are_named(
    phb_lead, icb, paid_budget, local_rates
):
    new = reload(prepare(paid_budget, phb_lead))
    LocalRateSetFactory(organisation=icb, effective_from=FY_2027_START)
    assert explain_calculation(new.chc_package).notes == [LOCAL_2027_ADDED]


# ---------------------------------------------------------------------------------------------
# Resource allocation
# ---------------------------------------------------------------------------------------------


def test_a_ras_budget_is_scored_again_with_next_years_questionnaire(
    phb_lead, care_coordinator, clinician, icb_admin, holder, ras
):
    # 2026/27: 56 points x £148.37 = £8,308.72, agreed at £9,000.00 (£691.28, 8.32%, above it)
    # 2027/28: the same answers at £152.00 a point: 56 x £152.00 = £8,512.00;
    #   £9,000.00 x £8,512.00 / £8,308.72 = £9,220.19, still above: the justification is
    #   carried over and a clinician checks the new amount.
    budget = agreed_budget(
        care_coordinator,
        holder,
        ras,
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        clinician=clinician,
        agreed_by=phb_lead,
    )
    next_version = questionnaire(icb_admin, financial_year=2027, price_per_point=D("152.00"))
    new = reload(prepare(budget, care_coordinator))
    assessment = new.ras_assessment
    assert assessment.questionnaire == next_version
    assert assessment.total_points == 56
    assert assessment.annual_amount == new.indicative_amount == D("8512.00")
    assert [(a.domain.name, a.option.text, a.points) for a in assessment.answers.all()] == [
        (answer.domain.name, answer.option.text, answer.points) for answer in ras.answers.all()
    ]
    assert new.agreed_amount == D("9220.19")
    assert new.clinical_justification == JUSTIFICATION
    assert new.needs_clinical_check


def test_without_next_years_questionnaire_it_is_refused_clearly(phb_lead, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        prepare(budget, phb_lead)
    assert messages_of(excinfo) == (
        "There is no resource allocation questionnaire in use for 2027/28. Put one in use for "
        "2027/28 first, then prepare next year's budget"
    )
    assert Budget.objects.count() == 1


def test_an_answer_that_no_longer_exists_is_named(phb_lead, icb_admin, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    # 2027/28 rewords the breathing answers and adds a domain.
    domains = [
        (name, question, points) if name != "Breathing" else ("Breathing", question, [0, 5])
        for name, question, points in RAS_DOMAINS
    ] + [("Sleep", "How much help do you need to sleep?", [0, 2])]
    version = questionnaire(icb_admin, financial_year=2027, domains=domains, publish=False)
    services.publish_questionnaire(actor=icb_admin, questionnaire=version)
    with pytest.raises(ValidationError) as excinfo:
        prepare(budget, phb_lead)
    assert messages_of(excinfo) == (
        "This year's answers cannot be carried over to 2027/28: the answer ‘Breathing: level 2’ "
        "to Breathing is no longer in the 2027/28 questionnaire; the 2027/28 questionnaire also "
        "asks about Sleep, which this year's did not. Complete a new resource allocation for "
        "2027/28 instead"
    )
    assert Budget.objects.count() == 1


def test_a_draft_questionnaire_for_next_year_is_not_used(phb_lead, icb_admin, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    questionnaire(icb_admin, financial_year=2027, publish=False)
    with pytest.raises(ValidationError) as excinfo:
        prepare(budget, phb_lead)
    assert "There is no resource allocation questionnaire in use for 2027/28" in messages_of(
        excinfo
    )
    assert RasQuestionnaire.objects.filter(financial_year=2027).count() == 1


# ---------------------------------------------------------------------------------------------
# PA costing
# ---------------------------------------------------------------------------------------------


def test_a_pa_costing_is_costed_again_with_next_years_national_and_local_figures(
    phb_lead, holder, local_rates, local_rates_2027, national_2027
):
    # PA 1 is paid the ICB's local rate (£13.50), so next year takes the new one, £14.00.
    # PA 2 is paid £12.80, lawful in 2026/27 but below 2027/28's National Living Wage of
    # £13.40, so it is costed at £13.40. Insurance, payroll and contingency were the local
    # defaults, so next year's defaults are used.
    costing = pa_costing(
        phb_lead, holder, pas=[pa("PA 1"), pa("PA 2", hours=D("10"), rate=D("12.80"))]
    )
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    recosted = new.pa_costing
    assert (recosted.national_rates, recosted.local_rates) == (national_2027, local_rates_2027)
    assert [(line.label, line.hourly_rate) for line in recosted.lines.all()] == [
        ("PA 1", D("14.00")),
        ("PA 2", D("13.40")),
    ]
    assert (recosted.insurance_annual, recosted.payroll_fee_annual) == (D("160.00"), D("250.00"))
    assert recosted.contingency_rate == D("0.04")
    expected = calc.cost_pas(
        calc.PaCostingInput(
            pas=(
                calc.PaInput("PA 1", D("30"), D("14.00")),
                calc.PaInput("PA 2", D("10"), D("13.40")),
            ),
            pay_frequency=calc.PayFrequency.WEEKLY,
            claims_employment_allowance=True,
            insurance_annual=D("160.00"),
            payroll_fee_annual=D("250.00"),
            contingency_rate=D("0.04"),
        ),
        national_2027.as_figures(),
    )
    assert recosted.total_annual == new.indicative_amount == expected.total_annual
    assert new.agreed_amount == new.indicative_amount


def test_next_years_pa_costing_keeps_the_days_and_the_allowance_in_each_tax_year(
    phb_lead, holder, local_rates, local_rates_2027, national_2027
):
    # Three PAs of 40 hours at their own £20.00 (kept next year), one of them over 6 days.
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[
            pa("PA 1", hours=D("40"), rate=D("20.00"), days_per_week=6),
            pa("PA 2", hours=D("40"), rate=D("20.00")),
            pa("PA 3", hours=D("40"), rate=D("20.00")),
        ],
    )
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    recosted = new.pa_costing
    assert [line.days_per_week for line in recosted.lines.all()] == [6, None, None]
    # 800 x (28 / 6) / 52 = 71.794... -> £71.79 a week of cover for PA 1; 800 x 5.6 / 52 =
    # £86.15 for the others.
    assert [line.holiday_weekly for line in recosted.lines.all()] == [
        D("71.79"),
        D("86.15"),
        D("86.15"),
    ]
    # NI £16,473.60 a year, more than the £10,500.00 allowance: the whole of 2027/28 has one
    # year's allowance, so next year's budget is its yearly total.
    period = recosted.for_period(FY_2027_START, FY_2027_END)
    assert new.indicative_amount == period.amount == recosted.total_annual
    assert [part.allowance for part in period.parts] == [D("10500.00")]


def test_a_pas_own_costs_are_kept(phb_lead, holder, local_rates, local_rates_2027, national_2027):
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa("PA 1", rate=D("15.00"))],
        insurance_annual=D("99.00"),
        payroll_fee_annual=D("0.00"),
        contingency_rate=D("0.10"),
    )
    budget = agreed_budget(phb_lead, holder, costing)
    recosted = reload(prepare(budget, phb_lead)).pa_costing
    assert recosted.lines.get().hourly_rate == D("15.00")
    assert (recosted.insurance_annual, recosted.payroll_fee_annual) == (D("99.00"), D("0.00"))
    assert recosted.contingency_rate == D("0.10")


NO_NATIONAL_2027 = (
    "There are no national figures for 2027/28 in the service yet, so this uses those for "
    "2026/27. It should be worked out again once they are in."
)
NATIONAL_2027_ADDED = (
    "There were no national figures for 2027/28 in the service when this was worked out, so "
    "it uses those for 2026/27. They are in now, so it should be worked out again."
)
NO_LOCAL_2027 = (
    "There are no local rates for 2027/28 in the service yet, so where this uses local rates "
    "they are those from 1 April 2026. It should be worked out again once there are."
)
LOCAL_2027_ADDED = (
    "There were no local rates for 2027/28 in the service when this was worked out, so where "
    "this uses local rates they are those from 1 April 2026. They are in now, so it should be "
    "worked out again."
)


def test_without_next_years_national_figures_the_draft_says_whose_it_uses(
    phb_lead, holder, local_rates, local_rates_2027
):
    # Only 2026/27's national figures are in: the draft for 1 April 2027 is priced with them.
    # PA 1 takes the new local rate, £14.00; PA 2 keeps £12.80, lawful against 2026/27's
    # National Living Wage of £12.71 (not raised to 2027/28's, which nobody has entered).
    costing = pa_costing(
        phb_lead, holder, pas=[pa("PA 1"), pa("PA 2", hours=D("10"), rate=D("12.80"))]
    )
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    recosted = new.pa_costing
    assert recosted.national_rates == costing.national_rates
    assert recosted.national_rates.name == "2026/27"
    assert recosted.local_rates == local_rates_2027
    assert [line.hourly_rate for line in recosted.lines.all()] == [D("14.00"), D("12.80")]
    # The draft's explanation, and the page of what changed, say so, and not that the rates
    # are 2027/28's.
    assert explain_calculation(recosted).notes[0] == NO_NATIONAL_2027
    said = how_next_year_was_set(budget, new)
    assert said[:2] == [
        "The 2027/28 draft was prepared from the 2026/27 budget and worked out again for "
        "1 April 2027.",
        NO_NATIONAL_2027,
    ]
    assert not any("with the rates in force then" in sentence for sentence in said)
    # Once 2027/28's figures are in, the draft says it should be worked out again now.
    NationalRateSet.objects.create(**NATIONAL_2027_28)
    assert explain_calculation(recosted).notes[0] == NATIONAL_2027_ADDED
    assert how_next_year_was_set(budget, new)[1] == NATIONAL_2027_ADDED


def test_with_next_years_figures_in_the_draft_says_nothing_of_earlier_ones(
    phb_lead, holder, local_rates, local_rates_2027, national_2027
):
    costing = pa_costing(phb_lead, holder, pas=[pa("PA 1")])
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    notes = explain_calculation(new.pa_costing).notes
    assert not any("in the service" in note for note in notes)
    said = how_next_year_was_set(budget, new)
    assert said[0] == (
        "The 2027/28 draft was prepared from the 2026/27 budget and worked out again for "
        "1 April 2027, with the rates in force then."
    )
    assert not any("in the service" in sentence for sentence in said)


def test_without_next_years_local_rates_the_draft_says_whose_it_uses(
    phb_lead, holder, local_rates, national_2027
):
    costing = pa_costing(phb_lead, holder, pas=[pa("PA 1")])
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    assert new.pa_costing.local_rates == local_rates
    assert explain_calculation(new.pa_costing).notes[0] == NO_LOCAL_2027
    assert how_next_year_was_set(budget, new)[1] == NO_LOCAL_2027


def test_a_pa_costing_with_neither_of_next_years_figures_says_both(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=[pa("PA 1")])
    budget = agreed_budget(phb_lead, holder, costing)
    new = reload(prepare(budget, phb_lead))
    assert explain_calculation(new.pa_costing).notes[:2] == [NO_NATIONAL_2027, NO_LOCAL_2027]


def test_the_draft_and_what_changed_pages_say_the_figures_are_last_years(
    client, phb_lead, holder, local_rates, local_rates_2027
):
    costing = pa_costing(phb_lead, holder, pas=[pa("PA 1")])
    budget = agreed_budget(phb_lead, holder, costing)
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:next_year", args=[budget.pk]), {"version": budget.version}
    )
    new = Budget.objects.get(prepared_from=budget)
    what_changed = unescape(client.get(response.url).content.decode())
    assert NO_NATIONAL_2027 in what_changed
    assert "with the rates in force then" not in what_changed
    draft = unescape(client.get(reverse("budgets:budget", args=[new.pk])).content.decode())
    assert NO_NATIONAL_2027 in draft


def test_a_pas_age_is_carried_over_so_their_band_and_pension_are_right_next_year(
    phb_lead, holder, local_rates, local_rates_2027, national_2027
):
    # On 1 April 2027:
    # - "Carer A", born 1 January 1956, is past State Pension age (reached 1 January 2022),
    #   so still no pension, and is paid £15.00, above every minimum: kept.
    # - "Carer B", born 1 June 2008, is 18: band 18-20, whose 2027/28 minimum is £11.40, so
    #   £11.00 (lawful in 2026/27, above £10.85) is raised to £11.40, not to the adult £13.40.
    # - "Carer C" was said to be 20 on 1 April 2026, so is at least 21 a year on: the adult
    #   minimum, £13.40, instead of the £11.00 paid.
    # - "Carer D" is an apprentice aged 17: £8.50 next year, up from £8.00.
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[
            pa("Carer A", rate=D("15.00"), date_of_birth=datetime.date(1956, 1, 1)),
            pa("Carer B", rate=D("11.00"), date_of_birth=datetime.date(2008, 6, 1)),
            pa("Carer C", rate=D("11.00"), age=20),
            pa("Carer D", rate=D("8.00"), age=16, apprentice=True),
        ],
    )
    budget = agreed_budget(phb_lead, holder, costing)
    recosted = reload(prepare(budget, phb_lead)).pa_costing
    lines = list(recosted.lines.order_by("order"))
    assert [
        (line.label, line.hourly_rate, line.age_band, line.date_of_birth, line.stated_age)
        for line in lines
    ] == [
        ("Carer A", D("15.00"), "21_plus", datetime.date(1956, 1, 1), None),
        ("Carer B", D("11.40"), "18_20", datetime.date(2008, 6, 1), None),
        ("Carer C", D("13.40"), "21_plus", None, 21),
        ("Carer D", D("8.50"), "16_17", None, 17),
    ]
    assert lines[0].pension_weekly == D("0.00")
    assert lines[3].apprentice
    expected = calc.cost_pas(
        calc.PaCostingInput(
            pas=(
                calc.PaInput(
                    "Carer A", D("30"), D("15.00"), date_of_birth=datetime.date(1956, 1, 1)
                ),
                calc.PaInput(
                    "Carer B", D("30"), D("11.40"), date_of_birth=datetime.date(2008, 6, 1)
                ),
                calc.PaInput("Carer C", D("30"), D("13.40"), age=21),
                calc.PaInput("Carer D", D("30"), D("8.50"), age=17, apprentice=True),
            ),
            on=FY_2027_START,
            pay_frequency=calc.PayFrequency.WEEKLY,
            claims_employment_allowance=True,
            insurance_annual=D("160.00"),
            payroll_fee_annual=D("250.00"),
            contingency_rate=D("0.04"),
        ),
        national_2027.as_figures(),
    )
    assert recosted.total_annual == expected.total_annual


# ---------------------------------------------------------------------------------------------
# When it cannot be prepared
# ---------------------------------------------------------------------------------------------


def test_a_budget_for_next_year_already_there_is_named(phb_lead, paid_budget, chc, chc_2027):
    draft_budget(
        phb_lead, paid_budget.budget_holder, chc_2027, start=FY_2027_START, end=FY_2027_END
    )
    with pytest.raises(ValidationError) as excinfo:
        prepare(paid_budget, phb_lead)
    assert messages_of(excinfo) == (
        "There is already a draft budget for 2027/28, from 1 April 2027 to 31 March 2028. "
        "Change that one instead"
    )


def test_a_next_year_that_has_already_started_is_refused(phb_lead, paid_budget, today_is):
    today_is(datetime.date(2027, 4, 2))
    with pytest.raises(ValidationError) as excinfo:
        prepare(paid_budget, phb_lead)
    assert messages_of(excinfo) == (
        "Next year's budget would start on 1 April 2027, which has passed. Set up a budget for "
        "the dates it is needed, saying why it is backdated"
    )


def test_a_budget_still_being_prepared_is_not_carried_over(phb_lead, holder, chc):
    from budgets.services import Conflict

    budget = draft_budget(phb_lead, holder, chc)
    with pytest.raises(Conflict) as excinfo:
        prepare(budget, phb_lead)
    assert "it is still a draft" in str(excinfo.value)


# ---------------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------------


def test_preparing_next_year_from_the_page_shows_what_changed(
    client, care_coordinator, paid_budget, local_rates_2027
):
    client.force_login(care_coordinator)
    response = client.post(
        reverse("budgets:next_year", args=[paid_budget.pk]), {"version": paid_budget.version}
    )
    new = Budget.objects.get(prepared_from=paid_budget)
    assert response.status_code == 302
    assert response.url == reverse("budgets:what_changed", args=[new.pk])
    page = unescape(client.get(response.url).content.decode())
    assert "What changed from last year's budget" in page
    assert "The 2027/28 draft was prepared from the 2026/27 budget" in page
    # The 2026/27 budget was £97,792.99 (83.02%) less than its cap of £117,793.00.
    assert (
        "The 2026/27 budget was £97,792.99 (83.02%) less than its indicative amount, so the "
        "2027/28 draft is the same share less than its new indicative amount: £20,704.57."
    ) in page
    # Line by line, this year beside next.
    for text in (
        "Agency day care",
        "£1,197.00 a week (42 hours a week at £28.50 an hour)",
        "£1,234.80 a week (42 hours a week at £29.40 an hour)",
        "£840.00 a week (7 nights a week at £120.00 a night)",
        "£875.00 a week (7 nights a week at £125.00 a night)",
        "£117,793.00",
        "£121,942.60",
        "1 April 2026 to 31 March 2027",
        "1 April 2027 to 31 March 2028",
        "£20,000.01",
        "£20,704.57",
        "£8,281.82",
        "£12,422.75",
    ):
        assert text in page, text


def test_a_budget_not_prepared_from_another_has_no_what_changed_page(client, phb_lead, paid_budget):
    client.force_login(phb_lead)
    response = client.get(reverse("budgets:what_changed", args=[paid_budget.pk]))
    assert response.status_code == 404


def test_a_refusal_to_prepare_is_shown_on_the_budget_page(client, phb_lead, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:next_year", args=[budget.pk]), {"version": budget.version}, follow=True
    )
    assert "There is no resource allocation questionnaire in use for 2027/28" in (
        response.content.decode()
    )
    assert not Budget.objects.filter(prepared_from=budget).exists()


def test_a_stopped_budget_does_not_go_on_into_next_year(phb_lead, paid_budget):
    """A budget stopped (after a death, say) is not carried into another year: if the person
    should have a budget again, one is set up afresh (ADR 0043)."""
    services.stop_budget(
        actor=phb_lead,
        budget=paid_budget,
        stops_on=datetime.date(2026, 11, 23),
        reason="The person has died",
    )
    paid_budget.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        prepare(paid_budget, phb_lead)
    assert messages_of(excinfo) == (
        "This budget was stopped from 23 November 2026, so there is no next year's budget to "
        "prepare from it. If the person should have a budget again, set up a new one"
    )
