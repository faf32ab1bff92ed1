"""What the pay-run pages, the payslip and the bureau export show, worked out from the stored
figures (the pages do no arithmetic of their own)."""

import csv
import io

from django.urls import reverse
from django.utils.html import format_html

from budgets.presenters import money, percent, unused_rates_change_link
from employers.models import PensionChoice, StudentLoanPlan
from employers.payroll import PayFrequency
from phb.presenters import display_date, hidden_caption

TAX_BASIS_WORDS = {"cumulative": "Cumulative", "week1_month1": "Week 1 or month 1"}
PENSION_WORDS = {
    "eligible": "Eligible for automatic enrolment",
    "non_eligible": "May choose to join",
    "entitled": "May ask to join",
    "not_covered": "Not covered by automatic enrolment",
}


def loans_in_words(plan: str, postgraduate: bool) -> str:
    """The loans a PA repays, as their record and payslips say it: "Plan 2", "A postgraduate
    loan", "Plan 2 and a postgraduate loan" or "None"."""
    words = [StudentLoanPlan(plan).label] if plan else []
    if postgraduate:
        words.append("a postgraduate loan" if words else "A postgraduate loan")
    return " and ".join(words) or "None"


def _money_cell(value) -> dict:
    return {"text": money(value), "format": "numeric", "classes": "phb-money"}


def _row(key: str, value: str, *, numeric: bool = False) -> dict:
    return {
        "key": {"text": key},
        "value": {"text": value, "classes": "phb-money" if numeric else None},
    }


def period_words(run) -> str:
    return (
        f"{display_date(run.period_starts_on, 'j F Y')} to "
        f"{display_date(run.period_ends_on, 'j F Y')}"
    )


def payslip_paid_words(run, *, today) -> str:
    """When and by whom a payslip is paid, true in every state of its run: a run being checked
    has paid nothing yet, and a finalised run is paid on its pay day."""
    paid = f"on {display_date(run.pay_date, 'j F Y')} by {run.employer.display_name}"
    period = period_words(run)
    if run.is_draft:
        if run.pay_date < today:
            return (
                f"Due to be paid {paid}, for {period}. This pay run is still being checked, so "
                "nothing has been paid yet and these figures may change."
            )
        return (
            f"To be paid {paid}, for {period}, once the pay run has been checked. These figures "
            "may change until then."
        )
    if run.pay_date > today:
        return f"To be paid {paid}, for {period}."
    return f"Paid {paid}, for {period}."


def difference(amount) -> str:
    """ "£12.00 more", "£12.00 less" or "the same"."""
    if not amount:
        return "the same"
    return f"{money(abs(amount))} {'more' if amount > 0 else 'less'}"


def runs_table(runs) -> dict:
    rows = []
    for run in runs:
        status = run.get_status_display()
        if run.corrects_id:
            status += " (a correction)"
        elif (correction := getattr(run, "corrected_by", None)) is not None:
            status += (
                " (corrected)" if not correction.is_draft else " (a correction is being checked)"
            )
        rows.append(
            [
                {
                    "html": format_html(
                        '<a href="{}">{}</a>',
                        reverse("employers:pay_run", args=[run.pk]),
                        period_words(run),
                    )
                },
                {"text": display_date(run.pay_date, "j F Y")},
                {"text": status},
                {"text": str(run.payslip_count), "format": "numeric"},
                _money_cell(run.total_net),
                _money_cell(run.total_cost),
            ]
        )
    return {
        "caption": hidden_caption("Pay runs, latest first"),
        "head": [
            {"text": "Pay period"},
            {"text": "Pay day"},
            {"text": "Status"},
            {"text": "Payslips", "format": "numeric"},
            {"text": "Take-home pay", "format": "numeric"},
            {"text": "Cost to the employer", "format": "numeric"},
        ],
        "rows": rows,
    }


def payslips_table(payslips) -> dict:
    return {
        "caption": hidden_caption("Payslips in this pay run"),
        "head": [
            {"text": "PA"},
            {"text": "Gross pay", "format": "numeric"},
            {"text": "Tax", "format": "numeric"},
            {"text": "National Insurance", "format": "numeric"},
            {"text": "Pension", "format": "numeric"},
            {"text": "Student loans", "format": "numeric"},
            {"text": "Take-home pay", "format": "numeric"},
            {"text": "Cost to the employer", "format": "numeric"},
        ],
        "rows": [
            [
                {
                    "html": format_html(
                        '<a href="{}">{}</a>',
                        reverse("employers:payslip", args=[slip.pk]),
                        slip.assistant.full_name,
                    )
                },
                _money_cell(slip.gross_pay),
                _money_cell(slip.tax),
                _money_cell(slip.employee_ni),
                _money_cell(slip.pension_employee_deduction),
                _money_cell(slip.student_loan + slip.postgraduate_loan),
                _money_cell(slip.net_pay),
                _money_cell(slip.employer_cost),
            ]
            for slip in payslips
        ],
    }


def cost_rows(totals: dict) -> list[dict]:
    """The employer's cost summary for a run. Student and postgraduate loan repayments are the
    PAs' money, paid to HMRC with the tax (HMRC CWG2)."""
    loans = totals["student_loan"] + totals["postgraduate_loan"]
    return [
        _row("Gross pay", money(totals["gross_pay"]), numeric=True),
        _row(
            "Employer's National Insurance",
            money(totals["employer_ni"])
            + (
                f" (after {money(totals['employment_allowance_used'])} of Employment Allowance)"
                if totals["employment_allowance_used"]
                else ""
            ),
            # An amount alone stays on one line; with its sentence it wraps on a phone.
            numeric=not totals["employment_allowance_used"],
        ),
        _row("Employer's pension contributions", money(totals["pension_employer_contribution"])),
        _row("Cost to the employer", money(totals["employer_cost"]), numeric=True),
        _row(
            "Tax, National Insurance and student loans to pay HMRC"
            if loans
            else "Tax and National Insurance to pay HMRC",
            money(totals["tax"] + totals["employee_ni"] + totals["employer_ni"] + loans),
            numeric=True,
        ),
        _row("Take-home pay to PAs", money(totals["net_pay"]), numeric=True),
    ]


def payslip_lines_table(lines) -> dict:
    return {
        "caption": hidden_caption("Pay before deductions"),
        "head": [
            {"text": "Pay for"},
            {"text": "Hours", "format": "numeric"},
            {"text": "Rate", "format": "numeric"},
            {"text": "Amount", "format": "numeric"},
        ],
        "rows": [
            [
                {"text": line.description},
                {
                    "text": f"{line.hours.normalize():f}" if line.hours is not None else "",
                    "format": "numeric",
                },
                _money_cell(line.rate) if line.rate is not None else {"text": ""},
                _money_cell(line.amount),
            ]
            for line in lines
        ],
    }


def pension_words(slip) -> str:
    """What the workplace pension line of a payslip is: under relief at source, the PA's whole
    contribution and the tax relief the scheme claims on it, which the deduction is net of
    ("Workplace pension (5%, £82.00, less tax relief of £16.40 that the scheme claims from
    HMRC)"); under a net pay arrangement, that the contribution is taken before tax."""
    contribution = slip.pension_employee_contribution
    if not contribution:
        return "Workplace pension"
    rate = percent(slip.run.rate_set.pension_employee_min_rate)
    relief = contribution - slip.pension_employee_deduction
    if relief:
        return (
            f"Workplace pension ({rate}, {money(contribution)}, less tax relief of "
            f"{money(relief)} that the scheme claims from HMRC)"
        )
    return f"Workplace pension ({rate}, taken before tax is worked out)"


PERIOD_WORDS = {
    "weekly": "this week",
    "fortnightly": "these 2 weeks",
    "four_weekly": "these 4 weeks",
    "monthly": "this month",
}


def pension_status(slip) -> str:
    """The PA's place in the workplace pension on this payslip, true of every category and
    membership: a member paid no more than the lower limit pays nothing (no qualifying
    earnings); an eligible jobholder who is not a member opted out (otherwise the run enrolled
    them)."""
    period = PERIOD_WORDS.get(slip.run.frequency, "this pay period")
    category = slip.pension_category
    if slip.pension_member:
        if slip.pension_enrolled_now:
            return f"Eligible for automatic enrolment: enrolled {period}, a member"
        if not slip.pension_qualifying_earnings:
            limits = slip.run.rate_set.figures().pension_thresholds(
                PayFrequency(slip.run.frequency)
            )
            return (
                f"A member; no contributions {period}, as earnings are "
                f"{money(limits.lower)} or less"
            )
        if category == "eligible":
            return "Eligible for automatic enrolment, a member"
        return "A member"
    if category == "eligible":
        return "Eligible for automatic enrolment, but opted out: not a member"
    if category == "not_covered":
        return "Not covered by automatic enrolment, not a member"
    may = PENSION_WORDS.get(category, category)
    if slip.assistant.pension_choice == PensionChoice.OPTED_OUT:
        return f"Opted out, not a member. {may}"
    return f"{may}, not a member"


def to_date_words(slip) -> tuple[str, str]:
    """The payslip's words for its pay and tax this tax year, saying what came from previous
    jobs (the PA's P45) when the figures include it."""
    pay, tax = "Taxable pay this tax year", "Tax paid this tax year"
    if slip.previous_pay or slip.previous_tax:
        pay += f", including {money(slip.previous_pay)} from previous jobs"
        tax += f", including {money(slip.previous_tax)} in previous jobs"
    return pay, tax


def deduction_rows(slip) -> list[dict]:
    rows = [
        _row("Gross pay", money(slip.gross_pay), numeric=True),
        _row("Income tax", money(slip.tax), numeric=True),
        _row("National Insurance", money(slip.employee_ni), numeric=True),
        _row(pension_words(slip), money(slip.pension_employee_deduction), numeric=True),
    ]
    if slip.student_loan_plan:
        rows.append(_row("Student loan", money(slip.student_loan), numeric=True))
    if slip.postgraduate_loan:
        rows.append(_row("Postgraduate loan", money(slip.postgraduate_loan), numeric=True))
    rows.append(_row("Take-home pay", money(slip.net_pay), numeric=True))
    return rows


def detail_rows(slip) -> list[dict]:
    rows = [
        _row(
            "Tax code", f"{slip.tax_code} ({TAX_BASIS_WORDS.get(slip.tax_basis, slip.tax_basis)})"
        ),
        _row("National Insurance category", slip.ni_category),
        *(
            [_row("Student loan plan", StudentLoanPlan(slip.student_loan_plan).label)]
            if slip.student_loan_plan
            else []
        ),
        _row(to_date_words(slip)[0], money(slip.taxable_pay_to_date), numeric=True),
        _row(to_date_words(slip)[1], money(slip.tax_paid_to_date), numeric=True),
        _row("Hours worked", f"{slip.hours_worked.normalize():f}"),
        _row("Workplace pension", pension_status(slip)),
    ]
    if slip.holiday_hours_accrued:
        rows.append(
            _row(
                "Holiday built up this period", f"{slip.holiday_hours_accrued.normalize():f} hours"
            )
        )
    return rows


def employer_rows(slip) -> list[dict]:
    return [
        _row("Employer's National Insurance", money(slip.employer_ni), numeric=True),
        _row("Employment Allowance used", money(slip.employment_allowance_used), numeric=True),
        _row(
            "Employer's pension contribution",
            money(slip.pension_employer_contribution),
            numeric=True,
        ),
        _row("Cost to the employer", money(slip.employer_cost), numeric=True),
    ]


def own_payslips_table(payslips) -> dict:
    return {
        "caption": hidden_caption("Your payslips, latest first"),
        "head": [
            {"text": "Pay day"},
            {"text": "Employer"},
            {"text": "Take-home pay", "format": "numeric"},
            {"text": "Notes"},
        ],
        "rows": [
            [
                {
                    "html": format_html(
                        '<a href="{}">{}</a>',
                        reverse("employers:payslip", args=[slip.pk]),
                        display_date(slip.run.pay_date, "j F Y"),
                    )
                },
                {"text": slip.run.employer.display_name},
                _money_cell(slip.net_pay),
                {"text": _payslip_note(slip)},
            ]
            for slip in payslips
        ],
    }


def _payslip_note(slip) -> str:
    """Which payslip of a pay day counts, when a correction was made."""
    if getattr(slip, "replaced", False):
        return "Replaced by a corrected payslip"
    if slip.run.corrects_id:
        return "A corrected payslip: it replaces the earlier one"
    return ""


# --------------------------------------------------------------------------------------------
# The bureau export
# --------------------------------------------------------------------------------------------

BUREAU_HEADER = [
    "PA name",
    "NI number",
    "Tax code",
    "Tax basis",
    "Pay frequency",
    "Tax period",
    "Period start",
    "Period end",
    "Pay date",
    "NI category",
    "Student loan plan",
    "Gross pay",
    "Taxable pay",
    "Tax",
    "Employee NI",
    "Employer NI",
    "Employment Allowance used",
    "Earnings at LEL",
    "Earnings LEL to PT",
    "Earnings PT to UEL",
    "Pension employee contribution",
    "Pension employee deduction",
    "Pension employer contribution",
    "Statutory Sick Pay",
    "Student loan",
    "Postgraduate loan",
    "Net pay",
    "Employer cost",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP, "CSV injection"): text starting
    with = + - @ (or a tab or carriage return) gets a leading quote. Amounts are written as
    plain numbers, which may be negative (a tax refund) and are left as they are."""
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def bureau_csv(run, payslips) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(BUREAU_HEADER)
    for slip in payslips:
        text = [
            slip.assistant.full_name,
            slip.assistant.ni_number,
            slip.tax_code,
            slip.tax_basis,
            run.frequency,
            run.tax_period,
            run.period_starts_on.isoformat(),
            run.period_ends_on.isoformat(),
            run.pay_date.isoformat(),
            slip.ni_category,
            StudentLoanPlan(slip.student_loan_plan).label if slip.student_loan_plan else "",
        ]
        amounts = [
            slip.gross_pay,
            slip.taxable_pay,
            slip.tax,
            slip.employee_ni,
            slip.employer_ni,
            slip.employment_allowance_used,
            slip.ni_earnings_up_to_lel,
            slip.ni_earnings_lel_to_pt,
            slip.ni_earnings_pt_to_uel,
            slip.pension_employee_contribution,
            slip.pension_employee_deduction,
            slip.pension_employer_contribution,
            slip.statutory_sick_pay,
            slip.student_loan,
            slip.postgraduate_loan,
            slip.net_pay,
            slip.employer_cost,
        ]
        writer.writerow([csv_safe(value) for value in text] + [f"{a:.2f}" for a in amounts])
    return out.getvalue()


def tax_years_table(rate_sets, can_change: bool) -> dict:
    """Each tax year's figures, newest first; one no pay run has used can be corrected."""
    return {
        "caption": hidden_caption("Tax year figures, newest first"),
        "head": [
            {"text": "Name"},
            {"text": "Tax year starts on"},
            {"text": "Personal allowance"},
            {"text": "Employer National Insurance"},
            {"text": "Used"},
            {"visuallyHiddenText": "Action"},
        ],
        "rows": [
            [
                {"text": rates.name},
                {"text": display_date(rates.tax_year_start, "j F Y")},
                {"text": f"{money(rates.personal_allowance)} a year"},
                {"text": percent(rates.employer_ni_rate)},
                {"text": f"{rates.uses} pay run{'' if rates.uses == 1 else 's'}"},
                unused_rates_change_link(rates, "employers:tax_year_edit", rates.name, can_change),
            ]
            for rates in rate_sets
        ],
    }
