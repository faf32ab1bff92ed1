"""The budget pages' components: macro options from budgets.presenters, as template filters.

`{% component "table" budget|status_history_table %}` keeps option-building out of views and
templates; the presenters are plain functions the PDFs can share.
"""

from django import template

from budgets import holder_presenters, lifecycle_presenters, presenters

register = template.Library()

for _name in (
    "status_tag",
    "questionnaire_status_tag",
    "budget_amount_rows",
    "budget_summary_rows",
    "schedule_table",
    "explanation_tables",
    "status_history_table",
    "questionnaires_table",
    "national_rates_table",
    "local_rates_table",
    "change_payments_table",
    "payment_runs_table",
):
    register.filter(_name, getattr(presenters, _name))


@register.filter
def period(budget) -> str:
    """ "1 Apr 2026 to 31 Mar 2027", and the day it stops for a budget stopped early."""
    return presenters.period_words(budget, short=True)


@register.filter
def period_in_full(budget) -> str:
    """ "1 April 2026 to 31 March 2027", and the day it stops for a budget stopped early."""
    return presenters.period_words(budget)


register.filter("held_heading", holder_presenters.held_heading)


for _name in ("draft_edits_table", "comparison_table"):
    register.filter(_name, getattr(lifecycle_presenters, _name))


@register.simple_tag
def budgets_table(holder, budgets) -> dict:
    """`{% budgets_table holder budgets as table %}`: a person's budgets."""
    return presenters.budgets_table(holder, budgets)


@register.simple_tag
def staff_schedule_table(portion, can_record=False) -> dict:
    """`{% staff_schedule_table portion can_record as table %}`: payments with paid state."""
    return presenters.staff_schedule_table(portion, can_record)


@register.simple_tag
def payment_run_table(run, instalments) -> dict:
    return presenters.payment_run_table(run, instalments)
