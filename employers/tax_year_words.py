"""The words each tax year figure is shown, asked for and spoken of under: the form's labels
and the service's messages say the same thing."""

# "four_weekly" before "weekly", which it ends with.
PERIODS = {
    "four_weekly": "per 4 weeks",
    "weekly": "per week",
    "fortnightly": "per 2 weeks",
    "monthly": "per month",
    "annual": "per year",
}


def _per(name: str) -> str:
    return next(words for end, words in PERIODS.items() if name.endswith(f"_{end}"))


# Each figure in the words HMRC and DWP publish it under; money is "(per …)", rates "(%)".
SUBJECTS = {
    "personal_allowance": "Income Tax personal allowance (per year)",
    "basic_rate": "Income Tax basic rate (%)",
    "basic_rate_band": "Income Tax basic rate band (per year)",
    "higher_rate": "Income Tax higher rate (%)",
    "additional_rate_threshold": "Income Tax additional rate threshold (per year)",
    "additional_rate": "Income Tax additional rate (%)",
    "k_code_limit_rate": "K code limit: the most of a period's pay taken for a K code (%)",
    "employee_ni_main_rate": "Employee National Insurance main rate (%)",
    "employee_ni_upper_rate": "Employee National Insurance rate above the upper earnings limit (%)",
    "employer_ni_rate": "Employer National Insurance rate (%)",
    "employment_allowance_annual": "Employment Allowance (per employer per year)",
    "ssp_weekly_rate": "Statutory Sick Pay (per week)",
    "ssp_earnings_rate": "Statutory Sick Pay cap as a share of average weekly earnings (%)",
    "holiday_accrual_rate": "Holiday accrual for irregular hours (%)",
    "pension_employer_min_rate": "Minimum employer pension contribution (%)",
    "pension_employee_min_rate": "Minimum employee pension contribution (%)",
    "student_loan_rate": "Student loan deduction rate (%)",
    "postgraduate_loan_rate": "Postgraduate loan deduction rate (%)",
    "postgraduate_loan_annual": "Postgraduate loan threshold (per year)",
}
PREFIXES = {
    "ni_lel_": "National Insurance lower earnings limit",
    "ni_pt_": "National Insurance primary threshold",
    "ni_uel_": "National Insurance upper earnings limit",
    "ni_st_": "National Insurance secondary threshold",
    "ni_ust_": "National Insurance upper secondary threshold for under 21s",
    "pension_lower_": "Pension qualifying earnings, lower limit",
    "pension_trigger_": "Pension automatic enrolment earnings trigger",
    "pension_upper_": "Pension qualifying earnings, upper limit",
    "student_loan_plan_": "Student loan threshold, Plan",
}


def label_of(name: str) -> str:
    """The words a figure is shown and asked for under."""
    if name in SUBJECTS:
        return SUBJECTS[name]
    if name.startswith("student_loan_plan_"):  # student_loan_plan_2_annual
        return f"Student loan Plan {name.split('_')[3]} threshold (per year)"
    prefix = next(prefix for prefix in PREFIXES if name.startswith(prefix))
    return f"{PREFIXES[prefix]} ({_per(name)})"


def words_of(name: str) -> str:
    """A figure named in a sentence: "Income Tax basic rate", "National Insurance primary
    threshold per week" (the label without its "(%)", the period as words)."""
    label = label_of(name).removesuffix(" (%)")
    if label.endswith(")") and " (per " in label:
        label = label.replace(" (per ", " per ").removesuffix(")")
    return label
