"""One vocabulary for every action in the product.

Each member names a `rules` permission. The predicate that decides it is registered
in the owning app's `rules.py` (`phb/rules.py`, `budgets/rules.py`, ...); views check
it one way (`phb.views.mixins.PermissionRequiredMixin`), services with `require()`.
A test checks that every member has a rule and every rule is a member, so a
permission cannot be added in one place and forgotten in the other.

The core lists the later apps' permissions as names only: it never imports them.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied


class Permission(StrEnum):
    # People and the caseload (phb)
    VIEW_CASELOAD = "phb.view_caseload"
    VIEW_PERSON = "phb.view_person"
    ADD_PERSON = "phb.add_person"
    CHANGE_PERSON = "phb.change_person"
    VIEW_HISTORY = "phb.view_history"
    VIEW_OWN_RECORD = "phb.view_own_record"
    # Running an ICB and the service (phb)
    SWITCH_ICB = "phb.switch_icb"
    MANAGE_STAFF = "phb.manage_staff"
    MANAGE_ICBS = "phb.manage_icbs"
    CHANGE_ICB_CONTACT_DETAILS = "phb.change_icb_contact_details"
    # Messages sent (phb.notifications)
    VIEW_OUTBOX = "phb.view_outbox"
    RESEND_MESSAGE = "phb.resend_message"
    # Budget setting (budgets)
    VIEW_BUDGETS = "budgets.view_budgets"
    CALCULATE = "budgets.calculate"
    PREPARE_BUDGET = "budgets.prepare_budget"
    WITHDRAW_BUDGET = "budgets.withdraw_budget"
    RETURN_BUDGET_TO_DRAFT = "budgets.return_budget_to_draft"
    CLINICAL_CHECK = "budgets.clinical_check"
    AGREE_BUDGET = "budgets.agree_budget"
    END_BUDGET = "budgets.end_budget"
    SET_PAYMENTS = "budgets.set_payments"
    CHANGE_AMOUNT = "budgets.change_amount"
    RECORD_PAYMENTS = "budgets.record_payments"
    VIEW_LETTER = "budgets.view_letter"
    VIEW_RATES = "budgets.view_rates"
    EDIT_NATIONAL_RATES = "budgets.edit_national_rates"
    EDIT_LOCAL_RATES = "budgets.edit_local_rates"
    MANAGE_RAS = "budgets.manage_ras"
    EDIT_BUDGET_POLICY = "budgets.edit_budget_policy"
    # Care and support plans, panels, reviews, stopping (careplans)
    VIEW_PLAN = "careplans.view_plan"
    EDIT_PLAN = "careplans.edit_plan"
    DECIDE_PLAN = "careplans.decide_plan"
    MANAGE_PANELS = "careplans.manage_panels"
    DECIDE_AT_PANEL = "careplans.decide_at_panel"
    VIEW_OWN_PLAN = "careplans.view_own_plan"
    VIEW_PLAN_LETTER = "careplans.view_plan_letter"
    PRINT_PLAN = "careplans.print_plan"
    RECORD_RECONSIDERATION = "careplans.record_reconsideration"
    RECONSIDER = "careplans.reconsider"
    MANAGE_REVIEWS = "careplans.manage_reviews"
    STOP_BUDGET = "careplans.stop_budget"
    REQUEST_REPAYMENT = "careplans.request_repayment"
    EDIT_APPROVAL_POLICY = "careplans.edit_approval_policy"
    VIEW_QUARTERLY_FIGURES = "careplans.view_quarterly_figures"
    # PA employers: duties, personal assistants, timesheets, payroll, issues (employers)
    VIEW_EMPLOYERS = "employers.view_employers"
    MANAGE_EMPLOYER = "employers.manage_employer"
    VIEW_OWN_EMPLOYMENT = "employers.view_own_employment"
    ENTER_TIMESHEET = "employers.enter_timesheet"
    APPROVE_TIMESHEET = "employers.approve_timesheet"
    RUN_PAYROLL = "employers.run_payroll"
    VIEW_PAYSLIP = "employers.view_payslip"
    VIEW_OWN_PA_RECORD = "employers.view_own_pa_record"
    # Training (issue 11, training part): the ICB's catalogue, a PA's training records.
    MANAGE_TRAINING_CATALOGUE = "employers.manage_training_catalogue"
    VIEW_PA_TRAINING = "employers.view_pa_training"
    RECORD_TRAINING = "employers.record_training"
    # Delegated healthcare tasks and clinician sign-off (issue 11, delegation)
    MANAGE_DELEGATED_TASKS = "employers.manage_delegated_tasks"
    VIEW_DELEGATIONS = "employers.view_delegations"
    DELEGATE_TASK = "employers.delegate_task"
    SIGN_OFF_COMPETENCE = "employers.sign_off_competence"
    AGREE_AS_EMPLOYER = "employers.agree_as_employer"
    AGREE_AS_PA = "employers.agree_as_pa"


def require(user, permission: Permission, obj=None) -> None:
    """For services: refuse (PermissionDenied) unless `user` may do this to `obj`."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied(f"{user} may not {permission}")
