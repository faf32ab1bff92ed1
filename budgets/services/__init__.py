"""The only writers of budget data. Each function checks permission, validates,
writes in one transaction, and leaves the audit to the database triggers.

Errors a person can fix are `django.core.exceptions.ValidationError` with plain
messages (keyed by form field where there is one); a clash with someone else's
action is `Conflict`, whose message says what happened.

Callers use `from budgets import services` and `services.agree_budget(...)`; the functions
live in modules by subject.
"""

from budgets.services.base import Conflict
from budgets.services.changes import (
    change_budget_amount,
    current_proposed_increase,
    preview_amount_change,
    propose_increase,
    record_increase_check,
)
from budgets.services.costing import cost_chc_package, cost_pas
from budgets.services.lifecycle import (
    PREPARED_IT_YOURSELF,
    activate_budget,
    agree_budget,
    create_budget,
    end_budget,
    not_supported_yet,
    propose_budget,
    record_clinical_check,
    return_to_draft,
    update_draft_budget,
    withdraw_budget,
)
from budgets.services.next_year import prepare_next_year
from budgets.services.payments import (
    PastPayment,
    payable_refusal,
    record_payment,
    record_payment_run,
    schedule_refusal,
    set_payment_schedule,
)
from budgets.services.plan_approval import record_plan_approval
from budgets.services.policy import save_budget_policy
from budgets.services.ras import (
    add_domain,
    complete_ras_assessment,
    create_questionnaire,
    publish_questionnaire,
    remove_domain,
    set_price_per_point,
)
from budgets.services.rates import (
    local_rates_on,
    national_rates_on,
    save_local_rates,
    save_national_rates,
)
from budgets.services.stopping import stop_budget

__all__ = [
    "PREPARED_IT_YOURSELF",
    "Conflict",
    "PastPayment",
    "activate_budget",
    "add_domain",
    "agree_budget",
    "change_budget_amount",
    "complete_ras_assessment",
    "cost_chc_package",
    "cost_pas",
    "create_budget",
    "create_questionnaire",
    "current_proposed_increase",
    "end_budget",
    "local_rates_on",
    "national_rates_on",
    "not_supported_yet",
    "payable_refusal",
    "prepare_next_year",
    "preview_amount_change",
    "propose_budget",
    "propose_increase",
    "publish_questionnaire",
    "record_clinical_check",
    "record_increase_check",
    "record_payment",
    "record_payment_run",
    "record_plan_approval",
    "remove_domain",
    "return_to_draft",
    "save_budget_policy",
    "save_local_rates",
    "save_national_rates",
    "schedule_refusal",
    "set_payment_schedule",
    "set_price_per_point",
    "stop_budget",
    "update_draft_budget",
    "withdraw_budget",
]
