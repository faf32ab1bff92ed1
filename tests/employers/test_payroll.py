"""Worked payslips for the PAYE engine, every figure checked by hand against HMRC's 2026/27 rates.

Each docstring shows the arithmetic so a reviewer can redo it on paper. Rounding, as the engine
cites: free pay rounded UP to the penny, taxable pay DOWN to whole pounds, band limits UP to the
pound, NI to the penny with exactly half a penny rounding down, SSP up to the penny, pension
contributions half up.
"""

from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal as D

import pytest

from budgets.calculations import (
    BelowMinimumWage,
    PensionCategory,
    pa_age,
    pension_thresholds,
    wage_band,
)
from budgets.calculations import PayFrequency as CostingFrequency
from employers.payroll import (
    HolidayBasis,
    InvalidTaxCode,
    NiCategory,
    PayFrequency,
    PayKind,
    PayLine,
    PayrollInputError,
    PayslipInput,
    PensionMembership,
    PensionRelief,
    SicknessInput,
    StudentLoanPlan,
    TaxBasis,
    TaxYearFigures,
    UnsupportedTaxCode,
    calculate_payslip,
    check_minimum_wage,
    emergency_tax_code,
    loan_threshold,
    parse_tax_code,
    pay_adjustment,
    ssp_days_in_linked_spell,
    ssp_days_payable,
    student_loans,
)
from tests.budgets.test_calculations import FIGURES as NATIONAL  # the 2026/27 wage rates


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides the suite's Redis cache reset: these tests are pure and touch no cache."""
    yield


# HMRC's and DWP's published 2026/27 figures, as the dated rate table will hold them.
PUBLISHED_2026_27 = """
personal_allowance           12570
basic_rate                   0.20
basic_rate_band              37700
higher_rate                  0.40
additional_rate_threshold    125140
additional_rate              0.45
k_code_limit_rate            0.50
employee_ni_main_rate        0.08
employee_ni_upper_rate       0.02
ni_lel_weekly                129
ni_lel_monthly               559
ni_pt_weekly                 242
ni_pt_monthly                1048
ni_uel_weekly                967
ni_uel_monthly               4189
ni_st_weekly                 96
ni_st_monthly                417
ni_ust_weekly                967
ni_ust_monthly               4189
employer_ni_rate             0.15
employment_allowance_annual  10500
ssp_weekly_rate              123.25
ssp_earnings_rate            0.80
holiday_accrual_rate         0.1207
pension_employer_min_rate    0.03
pension_employee_min_rate    0.05
pension_lower_weekly         120
pension_lower_fortnightly    240
pension_lower_four_weekly    480
pension_lower_monthly        520
pension_trigger_weekly       192
pension_trigger_fortnightly  384
pension_trigger_four_weekly  768
pension_trigger_monthly      833
pension_upper_weekly         967
pension_upper_fortnightly    1934
pension_upper_four_weekly    3867
pension_upper_monthly        4189
student_loan_rate            0.09
postgraduate_loan_rate       0.06
student_loan_plan_1_annual   26900
student_loan_plan_2_annual   29385
student_loan_plan_4_annual   33795
student_loan_plan_5_annual   25000
postgraduate_loan_annual     21000
"""

FIGURES = TaxYearFigures(
    tax_year_start=date(2026, 4, 6),
    **{name: D(value) for name, value in map(str.split, PUBLISHED_2026_27.strip().splitlines())},
)

PAY_DAY = date(2026, 4, 30)
ADULT = pa_age(label="Sam", on=PAY_DAY, date_of_birth=date(1990, 5, 1))  # 35


def aged(years: int, *, apprentice: bool = False):
    """A PA who is `years` old on the pay day (born the day after it, `years` + 1 years ago)."""
    return pa_age(
        label="Sam", on=PAY_DAY, date_of_birth=date(2026 - years - 1, 5, 1), apprentice=apprentice
    )


def payslip(pay: str | D = "2000.00", **changes) -> PayslipInput:
    """A monthly payslip, month 1, 1257L, paying `pay` as one line (1 hour at `pay`), the PA
    aged 35 and opted out of the pension."""
    base = PayslipInput(
        label="Sam",
        frequency=PayFrequency.MONTHLY,
        tax_period=1,
        lines=(PayLine("Pay", PayKind.DAY, D(1), D(pay)),),
        tax_code="1257L",
        age=ADULT,
        pension_membership=PensionMembership.OPTED_OUT,
    )
    return replace(base, **changes)


def weekly(pay: str, **changes) -> PayslipInput:
    return payslip(pay, frequency=PayFrequency.WEEKLY, **changes)


def run(slip: PayslipInput):
    return calculate_payslip(slip, FIGURES)


# --------------------------------------------------------------------------------------------
# Income tax: L codes, cumulative
# --------------------------------------------------------------------------------------------


def test_month_1_1257l_on_2000():
    """Month 1, 1257L cumulative, £2,000.
    Free pay (Table A, 1257 over 500: (1257 - 1) / 500 = 2 blocks, remainder 256 + 1 = 257) =
    2 x 416.67 + (257 x 10 + 9) / 12 = 833.34 + 2,579 / 12 = 214.9166 -> 214.92 = £1,048.26.
    Taxable = 2,000 - 1,048.26 = 951.74, down to £951. Basic band to date 37,700 / 12 =
    3,141.67, up to £3,142. Tax = 951 x 20% = £190.20.
    Employee NI = (2,000 - 1,048) x 8% = £76.16. Employer NI = (2,000 - 417) x 15% = £237.45.
    Net = 2,000 - 190.20 - 76.16 = £1,733.64. Cost = 2,000 + 237.45 = £2,237.45."""
    result = run(payslip())
    assert result.gross_pay == D("2000.00")
    assert result.tax.free_pay == D("1048.26")
    assert result.tax.taxable_pay == D("951")
    assert result.tax.tax == D("190.20")
    assert result.tax.basis is TaxBasis.CUMULATIVE
    assert result.ni.category is NiCategory.A
    assert result.ni.employee == D("76.16")
    assert result.ni.employer == D("237.45")
    assert result.net_pay == D("1733.64")
    assert result.employer_cost == D("2237.45")
    assert result.taxable_pay_to_date == D("2000.00")
    assert result.tax_paid_to_date == D("190.20")


def test_month_1_1257l_into_the_higher_and_additional_rates():
    """Month 1, 1257L, £12,000. Taxable = 12,000 - 1,048.26 = 10,951.74, down to £10,951.
    Limits: basic 37,700 / 12 = 3,141.67 -> £3,142; additional 125,140 / 12 = 10,428.33 ->
    £10,429. Tax = 3,142 x 20% = 628.40 + (10,429 - 3,142) x 40% = 7,287 x 40% = 2,914.80 +
    (10,951 - 10,429) x 45% = 522 x 45% = 234.90; total £3,778.10.
    NI: (4,189 - 1,048) x 8% = 251.28 + (12,000 - 4,189) x 2% = 156.22; total £407.50."""
    result = run(payslip("12000.00"))
    assert result.tax.tax == D("3778.10")
    assert result.ni.employee == D("407.50")


@pytest.mark.parametrize("code", ["1257M", "1257N", "1257T", " 1257l "])
def test_m_n_and_t_suffixes_are_treated_as_l(code):
    """The suffix tells HMRC why the code is what it is; free pay is the same: £190.20 tax."""
    assert run(payslip(tax_code=code)).tax.tax == D("190.20")


def test_cumulative_in_a_later_month_against_month_1_basis():
    """Month 6, 1257L, £2,000 this month; £5,000 paid and £0 tax in months 1 to 5.
    Cumulative: free pay to date = the month's 1,048.26 x 6 = £6,289.56; pay to date 7,000;
    taxable 710.44 -> £710; tax due 710 x 20% = £142.00, less £0 paid = £142.00.
    Month 1 basis (1257L M1): as month 1, (2,000 - 1,048.26) -> £951 x 20% = £190.20."""
    later = payslip(tax_period=6, taxable_pay_to_date=D("5000.00"))
    cumulative = run(later)
    assert cumulative.tax.free_pay == D("6289.56")
    assert cumulative.tax.taxable_pay == D("710")
    assert cumulative.tax.tax == D("142.00")
    assert cumulative.taxable_pay_to_date == D("7000.00")
    month1 = run(replace(later, tax_code="1257L M1"))
    assert month1.tax.basis is TaxBasis.WEEK1_MONTH1
    assert month1.tax.tax == D("190.20")
    assert run(replace(later, week1_month1=True)).tax.tax == D("190.20")
    assert run(replace(later, tax_code="1257LX")).tax.tax == D("190.20")


def test_a_refund_under_cumulative_basis_but_not_on_month_1():
    """Month 6, £500 this month; £5,000 pay and £300 tax paid to date (an earlier BR code).
    Cumulative: pay to date 5,500 is under free pay to date of £6,289.56, so taxable £0, tax
    due £0, and the £300 paid comes back: tax -£300.00. NI: 500 is under the PT, £0.
    Net = 500 + 300 = £800.00. Month 1 basis: 500 - 1,048.26 is below 0: no tax, no refund."""
    later = payslip("500.00", tax_period=6, taxable_pay_to_date=D(5000), tax_paid_to_date=D(300))
    refunded = run(later)
    assert refunded.tax.tax == D("-300.00")
    assert refunded.net_pay == D("800.00")
    assert refunded.tax_paid_to_date == D("0.00")
    assert run(replace(later, tax_code="1257L W1")).tax.tax == D("0.00")


def test_weekly_cumulative_matches_week_1_when_pay_is_steady():
    """Weekly, week 10, 1257L, £400; weeks 1 to 9 paid £300 a week (£2,700).
    Week 1 free pay (Table A): 2 x 96.16 + 2,579 / 52 = 192.32 + 49.5961 -> 49.60 = £241.92.
    Tax paid to week 9: free pay 241.92 x 9 = £2,177.28; pay to date 2,700; taxable 522.72
    -> £522; tax £104.40. Week 10: free pay 241.92 x 10 = £2,419.20; pay to date 3,100;
    taxable 680.80 -> £680; tax due £136.00 - 104.40 = £31.60.
    Week 1 basis: £241.92; 400 - 241.92 = 158.08 -> £158 x 20% = £31.60. Week 53 is always
    week 1 basis: £31.60 too."""
    week9 = run(weekly("300.00", tax_period=9, taxable_pay_to_date=D(2400)))
    assert week9.tax.free_pay == D("2177.28")
    assert week9.tax.tax_due == D("104.40")
    week10 = weekly(
        "400.00", tax_period=10, taxable_pay_to_date=D(2700), tax_paid_to_date=D("104.40")
    )
    assert run(week10).tax.free_pay == D("2419.20")
    assert run(week10).tax.tax == D("31.60")
    week1_basis = run(replace(week10, week1_month1=True))
    assert week1_basis.tax.free_pay == D("241.92")
    assert week1_basis.tax.tax == D("31.60")
    week53 = run(replace(week10, tax_period=53, taxable_pay_to_date=D(20000)))
    assert week53.tax.basis is TaxBasis.WEEK1_MONTH1
    assert week53.tax.tax == D("31.60")


def test_fortnightly_uses_the_week_number_and_double_weekly_ni_thresholds():
    """Fortnightly, pay day in week 2, 1257L, £600. Free pay to week 2 = 241.92 x 2 =
    £483.84; taxable 116.16 -> £116; tax £23.20. NI thresholds twice the weekly ones: PT 484,
    ST 192. Employee (600 - 484) x 8% = £9.28; employer (600 - 192) x 15% = £61.20."""
    result = run(payslip("600.00", frequency=PayFrequency.FORTNIGHTLY, tax_period=2))
    assert result.tax.free_pay == D("483.84")
    assert result.tax.tax == D("23.20")
    assert result.ni.employee == D("9.28")
    assert result.ni.employer == D("61.20")


def test_four_weekly_ni_thresholds_are_four_times_weekly():
    """4-weekly, week 4, £1,200: PT 4 x 242 = 968, ST 4 x 96 = 384. Employee (1,200 - 968) x
    8% = £18.56; employer (1,200 - 384) x 15% = £122.40. Free pay to week 4 = 241.92 x 4 =
    £967.68; taxable 232.32 -> £232; tax £46.40."""
    result = run(payslip("1200.00", frequency=PayFrequency.FOUR_WEEKLY, tax_period=4))
    assert result.ni.employee == D("18.56")
    assert result.ni.employer == D("122.40")
    assert result.tax.tax == D("46.40")


@pytest.mark.parametrize(
    ("number", "periods", "figure"),
    [
        # Up to 500, no blocks: 500 a month = 5,009 / 12 = 417.4166 -> £417.42.
        (500, 12, "417.42"),
        # 501: (501 - 1) / 500 = 1 block, remainder 0 + 1 = 1: 416.67 + 19 / 12 = 1.5833 ->
        # 1.59, £418.26.
        (501, 12, "418.26"),
        # 1000: (1000 - 1) / 500 = 1 block, remainder 499 + 1 = 500: 416.67 + 417.42 = £834.09.
        (1000, 12, "834.09"),
        # 1257: 2 blocks, remainder 257: 833.34 + 2,579 / 12 = 214.9166 -> 214.92, £1,048.26;
        # a week 192.32 + 2,579 / 52 = 49.5961 -> 49.60, £241.92.
        (1257, 12, "1048.26"),
        (1257, 52, "241.92"),
        # 510 a week: 1 block, remainder 10: 96.16 + 109 / 52 = 2.0961 -> 2.10, £98.26.
        (510, 52, "98.26"),
    ],
)
def test_pay_adjustment_is_table_a_in_blocks_of_500(number, periods, figure):
    assert pay_adjustment(number, periods) == D(figure)


@pytest.mark.parametrize(
    ("code", "frequency", "period", "free_pay"),
    [
        # HMRC's published test data for the specification (codes 510L, 560T and K255):
        # 510L week 8: 98.26 x 8 = £786.08; week 29: 98.26 x 29 = £2,849.54.
        ("510L", PayFrequency.WEEKLY, 8, "786.08"),
        ("510L", PayFrequency.WEEKLY, 29, "2849.54"),
        # 560T month 3: 416.67 + (60 x 10 + 9) / 12 = 50.75, so 467.42 x 3 = £1,402.26;
        # month 10: 467.42 x 10 = £4,674.20.
        ("560T", PayFrequency.MONTHLY, 3, "1402.26"),
        ("560T", PayFrequency.MONTHLY, 10, "4674.20"),
        # K255 month 5: additional pay 2,559 / 12 = 213.25 x 5 = £1,066.25.
        ("K255", PayFrequency.MONTHLY, 5, "-1066.25"),
    ],
)
def test_free_pay_to_date_matches_hmrc_test_data(code, frequency, period, free_pay):
    slip = payslip("100.00", tax_code=code, frequency=frequency, tax_period=period)
    assert run(slip).tax.free_pay == D(free_pay)


def test_k_codes_over_500_use_the_same_blocks():
    """K1000 month 1, £3,000: additional pay 416.67 + 5,009 / 12 = 417.4166 -> 417.42, so
    £834.09; taxable 3,834.09 -> £3,834; tax 3,142 x 20% = 628.40 + (3,834 - 3,142) x 40% =
    276.80, £905.20, under the limit of 50% x 3,000 = £1,500."""
    result = run(payslip("3000.00", tax_code="K1000"))
    assert result.tax.free_pay == D("-834.09")
    assert result.tax.taxable_pay == D("3834")
    assert result.tax.tax == D("905.20")


# --------------------------------------------------------------------------------------------
# Income tax: BR, D0, D1, 0T, NT and K codes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tax"),
    [("BR", "200.00"), ("D0", "400.00"), ("D1", "450.00"), ("NT", "0.00"), ("0T", "200.00")],
)
def test_flat_codes_and_0t_on_1000(code, tax):
    """Month 1, £1,000, no free pay: BR 20% = £200; D0 40% = £400; D1 45% = £450; NT none;
    0T through the bands: 1,000 is within the month's £3,142 basic band, 20% = £200."""
    assert run(payslip("1000.00", tax_code=code)).tax.tax == D(tax)


def test_0t_through_the_higher_rate():
    """0T month 1, £4,000: 3,142 x 20% = 628.40 + (4,000 - 3,142) x 40% = 343.20: £971.60."""
    assert run(payslip("4000.00", tax_code="0T")).tax.tax == D("971.60")


def test_br_cumulative_in_month_3():
    """BR month 3, £800, £1,600 pay and £320 tax to date: 2,400 x 20% = 480 - 320 = £160."""
    slip = payslip("800.00", tax_code="BR", tax_period=3, taxable_pay_to_date=D(1600))
    assert run(replace(slip, tax_paid_to_date=D(320))).tax.tax == D("160.00")


def test_nt_neither_deducts_nor_refunds_tax_paid_earlier_in_the_year():
    """1257L for months 1 and 2 on £2,160 a month: £222.20 tax each month, £444.40 by month 2.
    The code becomes NT: month 3 on £1,350 deducts no tax and refunds none (HMRC's form P6:
    "Do not deduct tax ... Do not make any refunds"). Before the fix: -£444.40. Net = 1,350 -
    NI (1,350 - 1,048) x 8% = £24.16 = £1,325.84; tax paid to date stays £444.40."""
    month3 = payslip(
        "1350.00",
        tax_code="NT",
        tax_period=3,
        taxable_pay_to_date=D("4320.00"),
        tax_paid_to_date=D("444.40"),
    )
    result = run(month3)
    assert result.tax.tax == D("0.00")
    assert result.tax.tax_due == D("0.00")
    assert result.net_pay == D("1325.84")
    assert result.tax_paid_to_date == D("444.40")
    assert run(replace(month3, tax_code="NT W1")).tax.tax == D("0.00")


def test_br_cumulative_collects_on_all_pay_to_date_and_may_refund():
    """BR operated cumulatively works on the running total of pay (HMRC, "Useful
    definitions"). After 1257L for months 1 and 2 (£4,320 pay, £444.40 tax), BR in month 3 on
    £1,350: 5,670 x 20% = £1,134.00 - 444.40 = £689.60. After £1,200 of tax under D0 on
    £3,000, BR in month 3 on £1,000: 4,000 x 20% = £800 - 1,200 = a refund of £400.00.
    Month 1 basis: 1,350 x 20% = £270.00."""
    after_1257l = payslip(
        "1350.00",
        tax_code="BR",
        tax_period=3,
        taxable_pay_to_date=D("4320.00"),
        tax_paid_to_date=D("444.40"),
    )
    assert run(after_1257l).tax.tax == D("689.60")
    after_d0 = payslip(
        "1000.00",
        tax_code="BR",
        tax_period=3,
        taxable_pay_to_date=D("3000.00"),
        tax_paid_to_date=D("1200.00"),
    )
    assert run(after_d0).tax.tax == D("-400.00")
    assert run(replace(after_1257l, tax_code="BR M1")).tax.tax == D("270.00")


@pytest.mark.parametrize(("code", "due"), [("D0", "1600.00"), ("D1", "1800.00")])
def test_d_codes_cumulative_never_refund(code, due):
    """D0 (40%) and D1 (45%) cumulatively, month 3 on £1,000 with £3,000 pay and £2,000 tax to
    date (tax paid under an earlier, dearer arrangement): 4,000 x 40% = £1,600, or x 45% =
    £1,800, less £2,000 paid would be a refund, which a D code never gives (form P6: "Tax code
    D ... Do not make any refunds"): £0.00. With £500 paid to date: £1,100.00 or £1,300.00."""
    slip = payslip(
        "1000.00",
        tax_code=code,
        tax_period=3,
        taxable_pay_to_date=D("3000.00"),
        tax_paid_to_date=D("2000.00"),
    )
    result = run(slip)
    assert result.tax.tax_due == D(due)
    assert result.tax.tax == D("0.00")
    assert run(replace(slip, tax_paid_to_date=D("500.00"))).tax.tax == D(due) - D(500)


def test_k_code_adds_to_pay():
    """K475 month 1, £1,000: 475 is not over 500, so additional pay is (475 x 10 + 9) / 12 =
    4,759 / 12 = 396.583 -> £396.59; taxable 1,396.59 -> £1,396; tax £279.20, under the limit
    of 50% x 1,000 = £500."""
    result = run(payslip("1000.00", tax_code="K475"))
    assert result.tax.free_pay == D("-396.59")
    assert result.tax.taxable_pay == D("1396")
    assert result.tax.tax == D("279.20")
    assert result.tax.tax_held_back == D("0.00")


def test_k_code_overriding_limit_holds_tax_back_and_carries_it_forward():
    """K1000, £500 a month. Month 1: additional pay 10,009 / 12 = 834.083 -> £834.09; taxable
    1,334.09 -> £1,334; tax due £266.80, over 50% of £500 = £250: £250.00 deducted, £16.80
    held back. Month 2: additional pay 10,009 x 2 / 12 = 1,668.17; taxable 2,668.17 -> £2,668
    (within the basic band to date, 37,700 x 2 / 12 -> £6,284); tax due £533.60 - 250 paid =
    £283.60, over the £250 limit again: £250.00 deducted, £33.60 held back."""
    month1 = run(payslip("500.00", tax_code="K1000"))
    assert month1.tax.tax_due == D("266.80")
    assert month1.tax.tax == D("250.00")
    assert month1.tax.tax_held_back == D("16.80")
    month2 = run(
        payslip(
            "500.00",
            tax_code="K1000",
            tax_period=2,
            taxable_pay_to_date=month1.taxable_pay_to_date,
            tax_paid_to_date=month1.tax_paid_to_date,
        )
    )
    assert month2.tax.tax_due == D("533.60")
    assert month2.tax.tax == D("250.00")
    assert month2.tax.tax_held_back == D("33.60")


def test_emergency_code_is_the_personal_allowance():
    assert emergency_tax_code(FIGURES) == "1257L"


# --------------------------------------------------------------------------------------------
# Tax codes refused
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["S1257L", "SBR", "SD2", "SK475", "s0t w1"])
def test_scottish_codes_are_refused_in_plain_words(code):
    """Scottish income tax has its own bands (starter, intermediate, advanced...)."""
    with pytest.raises(UnsupportedTaxCode) as refused:
        parse_tax_code(code)
    assert str(refused.value).endswith(
        "is a Scottish tax code. Scottish income tax has its own rates and bands, which this "
        "service does not work out, so this PA's payroll should be run by a payroll bureau"
    )
    with pytest.raises(ValueError, match="Scottish income tax has its own rates"):
        run(payslip(tax_code=code))


@pytest.mark.parametrize(
    ("code", "kind", "number", "basis"),
    [
        ("C1257L", "L", 1257, False),
        ("c0t", "L", 0, False),
        ("CBR", "BR", None, False),
        ("CD0", "D0", None, False),
        ("CD1", "D1", None, False),
        ("CK100", "K", 100, False),
        ("CK475 M1", "K", 475, True),
    ],
)
def test_welsh_codes_are_read_and_kept_as_typed(code, kind, number, basis):
    parsed = parse_tax_code(code)
    assert (parsed.code, parsed.kind, parsed.number, parsed.week1_month1) == (
        code.upper().removesuffix(" M1"),
        kind,
        number,
        basis,
    )


@pytest.mark.parametrize(
    ("welsh", "english"),
    [
        ("C1257L", "1257L"),
        ("C0T", "0T"),
        ("CBR", "BR"),
        ("CD0", "D0"),
        ("CD1", "D1"),
        ("CK100", "K100"),
    ],
)
def test_welsh_codes_are_worked_out_with_the_same_bands_in_2026_27(welsh, english):
    """The Welsh rates are 20%, 40% and 45% as in England in 2026/27. C1257L month 1 on
    £2,000: free pay £1,048.26, taxable 951.74 -> £951 x 20% = £190.20, as 1257L; the payslip
    keeps the code as typed."""
    wales, england = run(payslip(tax_code=welsh)), run(payslip(tax_code=english))
    assert wales.tax.tax == england.tax.tax
    assert wales.tax.tax_code == welsh
    assert run(payslip(tax_code="C1257L")).tax.tax == D("190.20")


def test_a_welsh_nt_is_not_a_code():
    with pytest.raises(InvalidTaxCode):
        parse_tax_code("CNT")


@pytest.mark.parametrize("code", ["", "1257", "L", "K", "ABC", "12345L", "D2", "1257L W2", "BRBR"])
def test_invalid_codes_are_refused(code):
    with pytest.raises(InvalidTaxCode) as refused:
        run(payslip(tax_code=code))
    assert str(refused.value) == "Enter a tax code like 1257L, BR or K475"


def test_parse_tax_code_reads_the_basis():
    code = parse_tax_code("k475 w1")
    assert (code.code, code.kind, code.number, code.week1_month1) == ("K475", "K", 475, True)
    assert parse_tax_code("0T").number == 0
    assert parse_tax_code("1257L W1/M1").week1_month1


# --------------------------------------------------------------------------------------------
# National Insurance
# --------------------------------------------------------------------------------------------


def test_a_pa_under_the_primary_threshold_pays_no_ni_but_the_employer_does():
    """Monthly £900: under the PT of £1,048, so no employee NI; above the ST of £417, so
    employer NI (900 - 417) x 15% = £72.45. Under free pay, so no tax: net £900.00.
    RTI bands: £559 at the LEL, 900 - 559 = £341 from the LEL to the PT, £0 above."""
    result = run(payslip("900.00"))
    assert result.ni.employee == D("0.00")
    assert result.ni.employer == D("72.45")
    assert result.tax.tax == D("0.00")
    assert result.net_pay == D("900.00")
    assert (result.ni.earnings_up_to_lel, result.ni.earnings_lel_to_pt) == (D(559), D(341))
    assert result.ni.earnings_pt_to_uel == D("0.00")


def test_weekly_under_the_secondary_threshold_no_ni_at_all():
    """Weekly £90: under the ST of £96 and the LEL of £129: no NI and no RTI earnings."""
    result = run(weekly("90.00"))
    assert (result.ni.employee, result.ni.employer) == (D(0), D(0))
    assert result.ni.earnings_up_to_lel == D(0)


def test_employer_ni_of_exactly_half_a_penny_rounds_down():
    """Weekly £96.10: (96.10 - 96) x 15% = 1.5p, which HMRC's exact percentage method rounds
    down to 1p."""
    assert run(weekly("96.10")).ni.employer == D("0.01")


def test_under_21_is_category_m_with_no_employer_ni_up_to_the_ust():
    """Aged 19, monthly £2,000: category M. Employee NI as A, £76.16; employer NI nil up to
    the UST of £4,189. Aged 20 on £4,500: employer (4,500 - 4,189) x 15% = £46.65; employee
    (4,189 - 1,048) x 8% = 251.28 + (4,500 - 4,189) x 2% = 6.22, total £257.50."""
    young = run(payslip(age=aged(19)))
    assert young.ni.category is NiCategory.M
    assert (young.ni.employee, young.ni.employer) == (D("76.16"), D("0.00"))
    above = run(payslip("4500.00", age=aged(20)))
    assert (above.ni.employee, above.ni.employer) == (D("257.50"), D("46.65"))


def test_an_apprentice_under_25_is_category_h_with_no_employer_ni_up_to_the_aust():
    """An apprentice aged 22, monthly £2,000: category H. Employee NI as A, (2,000 - 1,048) x 8%
    = £76.16; employer NI nil up to the apprentice upper secondary threshold, the same £4,189
    as the UST. On £4,500: employer (4,500 - 4,189) x 15% = £46.65; employee £257.50, as for
    category M. An apprentice of 19 is H too, not M (HMRC: "use category H"); at 25 an
    apprentice is A, with employer NI (2,000 - 417) x 15% = £237.45."""
    apprentice = run(payslip(age=aged(22, apprentice=True)))
    assert apprentice.ni.category is NiCategory.H
    assert (apprentice.ni.employee, apprentice.ni.employer) == (D("76.16"), D("0.00"))
    above = run(payslip("4500.00", age=aged(24, apprentice=True)))
    assert above.ni.category is NiCategory.H
    assert (above.ni.employee, above.ni.employer) == (D("257.50"), D("46.65"))
    assert run(payslip(age=aged(19, apprentice=True))).ni.category is NiCategory.H
    older = run(payslip(age=aged(25, apprentice=True)))
    assert older.ni.category is NiCategory.A
    assert (older.ni.employee, older.ni.employer) == (D("76.16"), D("237.45"))
    assert run(payslip(age=aged(22))).ni.category is NiCategory.A


def test_over_state_pension_age_is_category_c_with_no_employee_ni():
    """Aged 70, monthly £2,000: category C: no employee NI, employer NI £237.45."""
    result = run(payslip(age=aged(70)))
    assert result.ni.category is NiCategory.C
    assert (result.ni.employee, result.ni.employer) == (D("0.00"), D("237.45"))


def test_employment_allowance_absorbs_employer_ni_then_runs_out():
    """£2,000 a month: employer NI £237.45 a month. With £300 of the allowance left, all of it
    is covered (£237.45 used, £0 payable). Next month £62.55 is left: £62.55 used, £174.90
    payable. Then nothing is left: £237.45 payable. Not claimed: nothing used."""
    first = run(payslip(claims_employment_allowance=True, employment_allowance_remaining=D(300)))
    assert first.ni.employment_allowance_used == D("237.45")
    assert first.ni.employer == D("0.00")
    assert first.employer_cost == D("2000.00")
    left = D(300) - first.ni.employment_allowance_used
    second = run(
        payslip(tax_period=2, claims_employment_allowance=True, employment_allowance_remaining=left)
    )
    assert second.ni.employment_allowance_used == D("62.55")
    assert second.ni.employer == D("174.90")
    third = run(payslip(claims_employment_allowance=True, employment_allowance_remaining=D(0)))
    assert third.ni.employer == D("237.45")
    unclaimed = run(payslip(employment_allowance_remaining=D(300)))
    assert unclaimed.ni.employment_allowance_used == D("0.00")
    with pytest.raises(PayrollInputError, match=r"no more than the year's £10,500\.00"):
        run(payslip(claims_employment_allowance=True, employment_allowance_remaining=D(10501)))


# --------------------------------------------------------------------------------------------
# Holiday
# --------------------------------------------------------------------------------------------


def shifts(*lines: tuple[PayKind, str, str]) -> tuple[PayLine, ...]:
    return tuple(PayLine(kind.value, kind, D(hours), D(rate)) for kind, hours, rate in lines)


def test_regular_hours_holiday_taken_is_a_pay_line():
    """Weekly: 30 hours at £13.00 = £390.00 and 7.5 hours' holiday at £13.00 = £97.50:
    gross £487.50. No holiday accrues on the regular basis."""
    lines = shifts((PayKind.DAY, "30", "13.00"), (PayKind.HOLIDAY, "7.5", "13.00"))
    result = run(weekly("0", lines=lines))
    assert result.gross_pay == D("487.50")
    assert result.pay.hours_worked == D("30")
    assert result.pay.holiday_hours_accrued == D("0.00")


def test_irregular_hours_accrue_12_07_percent_of_hours_worked():
    """Weekly: 20 day hours + 10 waking night hours = 30 worked; holiday taken is not work,
    and two sleep-ins are paid a night each, not by the hour. Accrued: 30 x 12.07% = 3.621,
    half up to 3.62 hours."""
    lines = shifts(
        (PayKind.DAY, "20", "13.00"),
        (PayKind.WAKING_NIGHT, "10", "14.00"),
        (PayKind.HOLIDAY, "4", "13.00"),
        (PayKind.SLEEP_IN, "2", "80.00"),
    )
    result = run(weekly("0", lines=lines, holiday_basis=HolidayBasis.ACCRUAL))
    assert result.pay.hours_worked == D("30")
    assert result.pay.holiday_hours_accrued == D("3.62")
    assert result.pay.rolled_up_holiday_pay == D("0.00")


def test_rolled_up_holiday_pay_is_its_own_line():
    """Weekly: 20 hours at £13.00 = 260.00 and a sleep-in paid £80.00 as one hour at £80.00:
    pay for work £340.00. Rolled up: 340 x 12.07% = 41.038 -> £41.04, shown as its own line.
    Gross £381.04."""
    lines = shifts((PayKind.DAY, "20", "13.00"), (PayKind.SLEEP_IN, "1", "80.00"))
    result = run(weekly("0", lines=lines, holiday_basis=HolidayBasis.ROLLED_UP))
    rolled = result.pay.lines[-1]
    assert rolled.kind is PayKind.ROLLED_UP_HOLIDAY
    assert rolled.amount == D("41.04")
    assert rolled.description == "Rolled-up holiday pay (12.07% of £340.00)"
    assert (rolled.hours, rolled.hourly_rate) == (None, None)
    assert result.pay.rolled_up_holiday_pay == D("41.04")
    assert result.gross_pay == D("381.04")


def test_rolled_up_holiday_is_not_paid_again_when_taken():
    lines = shifts((PayKind.DAY, "20", "13.00"), (PayKind.HOLIDAY, "4", "13.00"))
    with pytest.raises(PayrollInputError, match="rolled up into their pay"):
        run(weekly("0", lines=lines, holiday_basis=HolidayBasis.ROLLED_UP))


# --------------------------------------------------------------------------------------------
# Statutory Sick Pay, April 2026 rules
# --------------------------------------------------------------------------------------------


def test_a_sick_week_at_the_standard_rate():
    """AWE £400: 80% is £320, more than £123.25, so the weekly rate is £123.25. Five qualifying
    days, three off sick from the first day (no waiting days): 123.25 x 3 / 5 = £73.95.
    Worked: 16 hours at £13.00 = £208.00. Gross £281.95."""
    sick = SicknessInput(average_weekly_earnings=D(400), qualifying_days_per_week=5, sick_days=3)
    result = run(weekly("0", lines=shifts((PayKind.DAY, "16", "13.00")), sickness=sick))
    assert result.pay.statutory_sick_pay == D("73.95")
    assert result.pay.lines[-1].kind is PayKind.SICK_PAY
    assert result.pay.lines[-1].description == "Statutory Sick Pay (3 days)"
    assert result.gross_pay == D("281.95")


def test_a_sick_week_at_80_percent_of_low_earnings():
    """AWE £120, under the old lower earnings limit and still paid: 80% = £96.00 a week, less
    than £123.25. Four qualifying days, three sick: 96 x 3 / 4 = £72.00."""
    sick = SicknessInput(average_weekly_earnings=D(120), qualifying_days_per_week=4, sick_days=3)
    assert run(weekly("0", lines=(), sickness=sick)).pay.statutory_sick_pay == D("72.00")


@pytest.mark.parametrize(
    ("earnings", "days_a_week", "expected"),
    [("400", 7, "17.61"), ("100", 3, "26.67")],
)
def test_one_sick_day_rounds_up_to_the_penny(earnings, days_a_week, expected):
    """123.25 / 7 = 17.607 -> £17.61; 80% of £100 = 80 / 3 = 26.667 -> £26.67."""
    sick = SicknessInput(D(earnings), days_a_week, 1)
    assert run(weekly("0", lines=(), sickness=sick)).pay.statutory_sick_pay == D(expected)


def test_ssp_stops_after_28_weeks_in_a_period_of_entitlement():
    """Five qualifying days a week: 28 weeks is 140 days. With 138 paid before, only 2 of this
    week's 5 sick days are paid: 123.25 x 2 / 5 = £49.30. With 140 paid before, none: no line.
    """
    sick = SicknessInput(D(400), qualifying_days_per_week=5, sick_days=5, days_paid_before=138)
    assert ssp_days_payable(sick) == 2
    result = run(weekly("0", lines=(), sickness=sick))
    assert result.pay.statutory_sick_pay == D("49.30")
    assert result.pay.lines[-1].description == "Statutory Sick Pay (2 days)"
    done = replace(sick, days_paid_before=140)
    assert ssp_days_payable(done) == 0
    result = run(weekly("0", lines=(), sickness=done))
    assert result.pay.statutory_sick_pay == D("0.00")
    assert result.pay.lines == ()
    with pytest.raises(PayrollInputError, match="Sick days paid before must be from 0 to 140"):
        run(weekly("0", lines=(), sickness=replace(sick, days_paid_before=141)))


APRIL_28 = date(2026, 4, 28)


@pytest.mark.parametrize(
    ("earlier", "first", "expected"),
    [
        ([], APRIL_28, 0),
        # 2 and 3 March, then sick again on 28 April: 56 days after 3 March, so linked.
        ([date(2026, 3, 2), date(2026, 3, 3)], APRIL_28, 2),
        # 29 April is 57 days after 3 March: a new spell, nothing paid before in it.
        ([date(2026, 3, 3)], date(2026, 4, 29), 0),
        # A chain: 1 January, 25 February (55 days on), 20 April (54 days on) all link.
        ([date(2026, 1, 1), date(2026, 2, 25), date(2026, 4, 20)], APRIL_28, 3),
        # A gap of 57 days breaks the chain: only the later two count.
        ([date(2025, 12, 30), date(2026, 2, 25), date(2026, 4, 20)], APRIL_28, 2),
        # The same day twice, and days after the first sick day, are not counted.
        ([date(2026, 4, 20), date(2026, 4, 20), date(2026, 5, 1)], APRIL_28, 1),
    ],
)
def test_spells_of_sickness_8_weeks_or_less_apart_link(earlier, first, expected):
    assert ssp_days_in_linked_spell(earlier, first) == expected


def test_no_sick_days_is_no_sick_pay_line():
    sick = SicknessInput(D(400), qualifying_days_per_week=5, sick_days=0)
    result = run(weekly("300.00", sickness=sick))
    assert result.pay.statutory_sick_pay == D("0.00")
    assert [line.kind for line in result.pay.lines] == [PayKind.DAY]


def test_frequencies_and_kinds_may_be_given_as_their_stored_values():
    """The models store choices as strings: "weekly" and "day" work as the enums do."""
    lines = (PayLine("Day", "day", D(20), D("13.00")),)
    result = run(payslip("0", lines=lines, frequency="weekly", holiday_basis="accrual"))
    assert result.gross_pay == D("260.00")
    assert result.ni.employer == D("24.60")  # (260 - 96) x 15%
    assert result.pay.holiday_hours_accrued == D("2.41")  # 20 x 12.07% = 2.414


def test_sick_days_paid_late_are_paid_as_arrears_beside_this_periods():
    """Monthly, five qualifying days a week, AWE £400 (80% = £320, so the standard £123.25 a
    week: £24.65 a day). 23 sick days of the period before, paid late, and 22 of this period:
    45 days, more than one month holds. Before the fix: "Sick days in this pay period must be
    from 0 to 25". Now: arrears 23 x 24.65 = £566.95 and this period 22 x 24.65 = £542.30,
    £1,109.25 in all, each on its own line."""
    sick = SicknessInput(D(400), qualifying_days_per_week=5, sick_days=22, arrears_days=23)
    result = run(payslip("0", lines=(), sickness=sick))
    assert result.pay.statutory_sick_pay == D("1109.25")
    assert [(line.description, line.amount) for line in result.pay.lines] == [
        ("Statutory Sick Pay paid late, for earlier pay periods (23 days)", D("566.95")),
        ("Statutory Sick Pay (22 days)", D("542.30")),
    ]
    assert result.gross_pay == D("1109.25")


def test_the_28_week_limit_counts_arrears_first():
    """138 of 140 days paid before: of 3 days of arrears and 5 of this period, the 2 earliest
    (arrears) are paid: 2 x 24.65 = £49.30, and nothing for this period."""
    sick = SicknessInput(
        D(400), qualifying_days_per_week=5, sick_days=5, arrears_days=3, days_paid_before=138
    )
    assert ssp_days_payable(sick) == 2
    result = run(weekly("0", lines=(), sickness=sick))
    assert [(line.description, line.amount) for line in result.pay.lines] == [
        ("Statutory Sick Pay paid late, for earlier pay periods (2 days)", D("49.30")),
    ]


def test_a_sick_day_count_that_cannot_be_is_refused():
    with pytest.raises(PayrollInputError, match="Sick days in this pay period must be from 0"):
        run(weekly("0", lines=(), sickness=SicknessInput(D(400), 5, -1)))
    with pytest.raises(PayrollInputError, match="Qualifying days in a week must be from 1 to 7"):
        run(weekly("0", lines=(), sickness=SicknessInput(D(400), 0, 0)))


# --------------------------------------------------------------------------------------------
# Workplace pension
# --------------------------------------------------------------------------------------------


def test_an_eligible_jobholder_is_enrolled_with_relief_at_source():
    """Aged 35, £2,000 a month, over the £833 trigger: eligible, enrolled now. Qualifying
    earnings 2,000 - 520 = £1,480. Employer 3% = £44.40. PA 5% = £74.00, of which 4% = £59.20
    comes from pay and £14.80 is claimed by the provider. Net = 2,000 - 190.20 - 76.16 - 59.20
    = £1,674.44. Cost = 2,000 + 237.45 + 44.40 = £2,281.85."""
    result = run(payslip(pension_membership=PensionMembership.NOT_MEMBER))
    pension = result.pension
    assert pension.category is PensionCategory.ELIGIBLE
    assert (pension.member, pension.enrolled_now) == (True, True)
    assert pension.qualifying_earnings == D("1480.00")
    assert pension.employer_contribution == D("44.40")
    assert pension.employee_contribution == D("74.00")
    assert pension.employee_deduction == D("59.20")
    assert pension.relief_at_source == D("14.80")
    assert result.net_pay == D("1674.44")
    assert result.employer_cost == D("2281.85")


def test_net_pay_arrangement_takes_the_contribution_before_tax():
    """As above, net pay arrangement: £74.00 taken before tax. Taxable pay 1,926.00; less free
    pay 1,048.26 = 877.74 -> £877; tax £175.40. NI is still on £2,000: £76.16.
    Net = 2,000 - 175.40 - 76.16 - 74.00 = £1,674.44 (the same for a basic-rate taxpayer)."""
    result = run(
        payslip(
            pension_membership=PensionMembership.NOT_MEMBER,
            pension_relief=PensionRelief.NET_PAY,
        )
    )
    assert result.taxable_pay == D("1926.00")
    assert result.tax.tax == D("175.40")
    assert result.ni.employee == D("76.16")
    assert result.pension.employee_deduction == D("74.00")
    assert result.net_pay == D("1674.44")


def test_a_non_eligible_jobholder_is_not_enrolled_but_may_opt_in():
    """Aged 35, £700 a month: over the £520 lower limit, not over the £833 trigger:
    non-eligible, not enrolled. Opted in (a member): qualifying earnings 700 - 520 = £180;
    employer 3% = £5.40; PA 5% = £9.00, £7.20 from pay."""
    slip = payslip("700.00", pension_membership=PensionMembership.NOT_MEMBER)
    assert run(slip).pension.category is PensionCategory.NON_ELIGIBLE
    assert not run(slip).pension.member
    opted_in = run(replace(slip, pension_membership=PensionMembership.MEMBER)).pension
    assert (opted_in.employer_contribution, opted_in.employee_deduction) == (D("5.40"), D("7.20"))


def test_under_22_is_non_eligible_whatever_the_pay():
    result = run(payslip(age=aged(20), pension_membership=PensionMembership.NOT_MEMBER))
    assert result.pension.category is PensionCategory.NON_ELIGIBLE
    assert result.pension.employer_contribution == D("0.00")


def test_an_entitled_worker_who_joined_has_no_qualifying_earnings():
    """£500 a month, not over the £520 lower limit: entitled. A member pays nothing and the
    employer need not contribute: qualifying earnings are £0."""
    result = run(payslip("500.00", pension_membership=PensionMembership.MEMBER))
    assert result.pension.category is PensionCategory.ENTITLED
    assert result.pension.qualifying_earnings == D("0.00")
    assert result.pension.employer_contribution == D("0.00")
    assert result.pension.employee_deduction == D("0.00")


def test_a_member_keeps_contributing_in_a_lower_paid_month():
    """A member since an earlier month, now £700 (non-eligible this period): contributions
    continue on £180 of qualifying earnings, £5.40 from the employer; not enrolled anew."""
    result = run(payslip("700.00", pension_membership=PensionMembership.MEMBER))
    assert result.pension.employer_contribution == D("5.40")
    assert not result.pension.enrolled_now


def test_75_and_over_is_not_covered_and_opted_out_pays_nothing():
    aged_75 = run(payslip(age=aged(75), pension_membership=PensionMembership.MEMBER))
    assert aged_75.pension.category is PensionCategory.NOT_COVERED
    assert aged_75.pension.employer_contribution == D("0.00")
    opted_out = run(payslip()).pension
    assert opted_out.category is PensionCategory.ELIGIBLE
    assert (opted_out.member, opted_out.enrolled_now) == (False, False)
    assert opted_out.employer_contribution == D("0.00")


def test_four_weekly_trigger_is_the_published_768_not_a_yearly_thirteenth():
    """DWP's order sets the 4-weekly trigger at £768 (10,000 / 13 would be £769): £768.01 is
    over it, £768.00 is not."""
    four_weekly = {"frequency": PayFrequency.FOUR_WEEKLY, "tax_period": 4}
    over = run(payslip("768.02", pension_membership=PensionMembership.NOT_MEMBER, **four_weekly))
    assert over.pension.category is PensionCategory.ELIGIBLE
    at = run(payslip("768.00", pension_membership=PensionMembership.NOT_MEMBER, **four_weekly))
    assert at.pension.category is PensionCategory.NON_ELIGIBLE


@pytest.mark.parametrize("frequency", [CostingFrequency.WEEKLY, CostingFrequency.MONTHLY])
def test_weekly_and_monthly_pension_limits_agree_with_the_budget_costing(frequency):
    """The costing derives its limits from the yearly figures; the payroll stores DWP's."""
    assert FIGURES.pension_thresholds(PayFrequency(frequency)) == pension_thresholds(
        NATIONAL, frequency
    )


# --------------------------------------------------------------------------------------------
# Minimum wage and hostile input
# --------------------------------------------------------------------------------------------


def test_a_rate_below_the_minimum_wage_for_the_age_band_is_refused():
    band = wage_band(19)
    check_minimum_wage(label="Sam", hourly_rate=D("10.85"), age_band=band, figures=NATIONAL)
    with pytest.raises(BelowMinimumWage) as refused:
        check_minimum_wage(label="Sam", hourly_rate=D("10.84"), age_band=band, figures=NATIONAL)
    assert str(refused.value) == (
        "Sam's rate of £10.84 an hour is below the National Minimum Wage of £10.85 for "
        "someone aged 18 to 20"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines": shifts((PayKind.DAY, "-1", "13.00"))}, "Hours for day must be 0 or more"),
        (
            {"lines": shifts((PayKind.DAY, "7.125", "13.00"))},
            "Hours for day must have no more than 2 decimal places",
        ),
        (
            {"lines": shifts((PayKind.DAY, "10", "12.715"))},
            "The hourly rate for day must be in whole pence",
        ),
        (
            {"lines": shifts((PayKind.DAY, "746", "13.00"))},
            "day cannot be 746 hours: a monthly pay period has at most 745 hours",
        ),
        (
            {"lines": (PayLine("Day", PayKind.DAY, 7.5, D(13)),)},
            "Hours for Day must be a Decimal, not float",
        ),
        (
            {"lines": shifts((PayKind.SICK_PAY, "1", "13.00"))},
            "worked out by the payroll, not entered",
        ),
        ({"tax_period": 0}, "The tax period must be from 1 to 12"),
        ({"tax_period": 13}, "The tax period must be from 1 to 12"),
        ({"tax_period": True}, "The tax period must be a whole number"),
        ({"taxable_pay_to_date": D("-1")}, "Taxable pay to date must be 0 or more"),
        ({"tax_paid_to_date": D("0.001")}, "Tax paid to date must be in whole pence"),
    ],
)
def test_hostile_input_is_refused_in_plain_words(changes, message):
    with pytest.raises(PayrollInputError, match=message):
        run(payslip(**changes))


def test_week_54_is_refused_weekly_but_is_week_53_paid_fortnightly():
    with pytest.raises(PayrollInputError, match="The tax period must be from 1 to 53"):
        run(weekly("300.00", tax_period=54))
    fortnightly = run(payslip("600.00", frequency=PayFrequency.FORTNIGHTLY, tax_period=54))
    assert fortnightly.tax.basis is TaxBasis.WEEK1_MONTH1
    assert fortnightly.tax.tax == D("23.20")  # as week 2: free pay 2 x 241.92 = 483.84


def test_results_are_frozen():
    result = run(payslip())
    with pytest.raises(FrozenInstanceError):
        result.net_pay = D(0)  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Student and postgraduate loans (2026/27: plan 1 £26,900, plan 2 £29,385, plan 4 £33,795,
# plan 5 £25,000 at 9%; postgraduate £21,000 at 6%)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annual", "frequency", "threshold"),
    [
        # 26,900 / 12 = 2,241.666... -> 2,241.66 (rounded down, as HMRC publishes it)
        ("26900", PayFrequency.MONTHLY, "2241.66"),
        # 26,900 / 52 = 517.307... -> 517.30
        ("26900", PayFrequency.WEEKLY, "517.30"),
        ("26900", PayFrequency.FOUR_WEEKLY, "2069.20"),  # 517.30 x 4
        ("29385", PayFrequency.MONTHLY, "2448.75"),  # exactly
        ("33795", PayFrequency.FORTNIGHTLY, "1299.80"),  # 649.90 x 2
        ("25000", PayFrequency.WEEKLY, "480.76"),  # 480.769... -> 480.76
        ("21000", PayFrequency.WEEKLY, "403.84"),  # 403.846... -> 403.84
        ("21000", PayFrequency.MONTHLY, "1750.00"),
    ],
)
def test_loan_thresholds_per_period(annual, frequency, threshold):
    assert loan_threshold(D(annual), frequency) == D(threshold)


@pytest.mark.parametrize(
    ("pay", "plan", "postgraduate", "frequency", "student", "postgrad"),
    [
        # Plan 2, monthly: (3,000 - 2,448.75) x 9% = 49.6125 -> £49 (pence dropped)
        ("3000.00", StudentLoanPlan.PLAN_2, False, PayFrequency.MONTHLY, "49.00", "0.00"),
        # Plan 1, monthly: (3,000 - 2,241.66) x 9% = 68.2506 -> £68
        ("3000.00", StudentLoanPlan.PLAN_1, False, PayFrequency.MONTHLY, "68.00", "0.00"),
        # Plan 2 and a postgraduate loan: 49 and (3,000 - 1,750) x 6% = £75
        ("3000.00", StudentLoanPlan.PLAN_2, True, PayFrequency.MONTHLY, "49.00", "75.00"),
        # Postgraduate only, weekly: (500 - 403.84) x 6% = 5.7696 -> £5
        ("500.00", None, True, PayFrequency.WEEKLY, "0.00", "5.00"),
        # Plan 5, weekly: (600 - 480.76) x 9% = 10.7316 -> £10
        ("600.00", StudentLoanPlan.PLAN_5, False, PayFrequency.WEEKLY, "10.00", "0.00"),
        # Plan 4, fortnightly: (1,400 - 1,299.80) x 9% = 9.018 -> £9
        ("1400.00", StudentLoanPlan.PLAN_4, False, PayFrequency.FORTNIGHTLY, "9.00", "0.00"),
        # Plan 1, 4-weekly: (2,500 - 2,069.20) x 9% = 38.772 -> £38
        ("2500.00", StudentLoanPlan.PLAN_1, False, PayFrequency.FOUR_WEEKLY, "38.00", "0.00"),
        # Below plan 4's threshold but above the postgraduate one, each worked out alone:
        # (1,200 - 807.68) x 6% = 23.5392 -> £23 (807.68 is 403.84 x 2)
        ("1200.00", StudentLoanPlan.PLAN_4, True, PayFrequency.FORTNIGHTLY, "0.00", "23.00"),
        # At and just above a threshold: nothing until a whole pound is due.
        ("2448.75", StudentLoanPlan.PLAN_2, False, PayFrequency.MONTHLY, "0.00", "0.00"),
        # (2,459.86 - 2,448.75) x 9% = 0.9999 -> £0; (2,459.87 - 2,448.75) x 9% = 1.0008 -> £1
        ("2459.86", StudentLoanPlan.PLAN_2, False, PayFrequency.MONTHLY, "0.00", "0.00"),
        ("2459.87", StudentLoanPlan.PLAN_2, False, PayFrequency.MONTHLY, "1.00", "0.00"),
        ("3000.00", None, False, PayFrequency.MONTHLY, "0.00", "0.00"),
    ],
)
def test_student_loan_repayments(pay, plan, postgraduate, frequency, student, postgrad):
    loans = student_loans(D(pay), plan, postgraduate, frequency, FIGURES)
    assert (loans.student_loan, loans.postgraduate_loan) == (D(student), D(postgrad))
    assert loans.plan == plan


def test_loans_come_off_take_home_pay_and_cost_the_employer_nothing():
    """Monthly £3,000, month 1, 1257L, plan 2 and a postgraduate loan.

    Free pay for 1257L in month 1 is 2 x 416.67 + 214.92 = £1,048.26; taxable pay 3,000 -
    1,048.26 = 1,951.74, taxed as £1,951 at 20% = £390.20. Employee NI: (3,000 - 1,048) x 8% =
    £156.16.
    Loans: plan 2 £49 and postgraduate £75 (above). Take-home: 3,000 - 390.20 - 156.16 - 49 - 75
    = £2,329.64. The employer's cost does not change: the loans are the PA's."""
    with_loans = calculate_payslip(
        payslip("3000.00", student_loan_plan=StudentLoanPlan.PLAN_2, postgraduate_loan=True),
        FIGURES,
    )
    without = calculate_payslip(payslip("3000.00"), FIGURES)
    assert with_loans.tax.tax == D("390.20")
    assert with_loans.ni.employee == D("156.16")
    assert with_loans.loans.student_loan == D("49.00")
    assert with_loans.loans.postgraduate_loan == D("75.00")
    assert with_loans.net_pay == D("2329.64")
    assert without.net_pay == D("2453.64")
    assert with_loans.employer_cost == without.employer_cost


def test_loans_are_worked_out_on_pay_before_a_net_pay_pension():
    """A net pay pension lowers taxable pay, not the earnings loans are worked out on (the NI
    earnings): plan 2 on £3,000 a month is still £49."""
    result = calculate_payslip(
        payslip(
            "3000.00",
            student_loan_plan=StudentLoanPlan.PLAN_2,
            pension_membership=PensionMembership.MEMBER,
            pension_relief=PensionRelief.NET_PAY,
        ),
        FIGURES,
    )
    assert result.taxable_pay < result.gross_pay
    assert result.loans.student_loan == D("49.00")
