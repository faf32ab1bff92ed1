"""The only writers of care and support plans, decisions, panels, reconsideration, reviews,
stops and repayments. Keyword-only, atomic, permission checked; audit by the database."""

from careplans.services.decisions import ItemChoice, decide_plan, policy_for, route_for
from careplans.services.plans import (
    new_version,
    plan_total,
    problems_before_submitting,
    remove_row,
    save_action,
    save_goal,
    save_personal_contact,
    save_professional_contact,
    save_risk,
    save_support_item,
    start_plan,
    submit_version,
    take_back,
    update_sections,
    withdraw_version,
)

__all__ = [
    "ItemChoice",
    "decide_plan",
    "new_version",
    "plan_total",
    "policy_for",
    "problems_before_submitting",
    "remove_row",
    "route_for",
    "save_action",
    "save_goal",
    "save_personal_contact",
    "save_professional_contact",
    "save_risk",
    "save_support_item",
    "start_plan",
    "submit_version",
    "take_back",
    "update_sections",
    "withdraw_version",
]
