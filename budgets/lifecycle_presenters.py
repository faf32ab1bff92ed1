"""What the budget pages say about a budget's state, how calculations compare, and what changed
from one year's budget to the next: sentences and component options, true of the record as it
stands now.

Every sentence here is chosen by the budget's state, so a draft never says "agreed", only a
supporting check of the current amount says a clinician supported it, and a check that did not
support it says so and what happens next.
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from budgets.calculations import financial_year_label
from budgets.models import Budget, BudgetStatus, ChcPackage, PaCosting, RasAssessment
from budgets.models.budget import IN_PREPARATION
from budgets.presenters import (
    Explanation,
    _money_cell,
    explain_calculation,
    money,
    period_words,
    rates_from_an_earlier_year,
)
from budgets.services.policy import agreement_refusal
from phb.permissions import Permission
from phb.presenters import display_date, hidden_caption


def _day(value) -> str:
    return display_date(value, "j F Y")


def _who_when(change) -> str:
    return f"{change.by.full_name} on {_day(change.at)}"


def _sentence(text: str) -> str:
    """Free text someone wrote, ending as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _scheduled(portion) -> bool:
    return hasattr(portion, "schedule")


# --- The budget's state, in sentences ---------------------------------------------------------


@dataclass
class BudgetState:
    """What the staff budget page says about where a budget stands, and what comes next."""

    statements: list[str] = field(default_factory=list)
    # An NHS.UK warning callout: (heading, text), when something stops the budget moving on.
    warning: tuple[str, str] | None = None
    actions: dict = field(default_factory=dict)
    # Why an action a user's role would offer is not offered now.
    blocked: list[str] = field(default_factory=list)


def _check_statements(budget: Budget) -> tuple[list[str], tuple[str, str] | None]:
    """The clinical check of a budget being prepared, as it stands for its current amount."""
    if not budget.above_indicative:
        return ["It is not more than its indicative amount, so it needs no clinical check."], None
    more = money(budget.agreed_amount - budget.indicative_amount)
    latest = budget.latest_check()
    earlier = budget.earlier_check()
    if earlier is not None:
        found = "supported it" if earlier.supported else "did not support it"
        return [
            f"It is {more} more than its indicative amount. {earlier.clinician.full_name} "
            f"checked it on {_day(earlier.at)} and {found}, but it has been changed since, so "
            "a clinician must check it again before it can be agreed."
        ], (
            "Above the indicative amount",
            "This budget has been changed since a clinician checked it. A clinician must check "
            "and support it again before it can be agreed.",
        )
    if latest is None:
        return [
            f"It is {more} more than its indicative amount, so a clinician must check and "
            "support it before it can be agreed. No clinician has checked this amount yet."
        ], (
            "Above the indicative amount",
            "This budget is more than its indicative amount or cap. A clinician must check and "
            "support it before it can be agreed.",
        )
    if latest.supported:
        return [
            f"It is {more} more than its indicative amount. A clinician checked and supported "
            f"this: {latest.clinician.full_name} on {_day(latest.at)}."
        ], None
    not_supported = (
        f"It is {more} more than its indicative amount. {latest.clinician.full_name} checked it "
        f"on {_day(latest.at)} and did not support it: {_sentence(latest.notes)}"
    )
    if not budget.unchanged_since_not_supported:
        # A change to the draft makes the check an earlier one (above): only proposing it
        # again lets the same budget be checked again.
        return [
            not_supported,
            "It has been proposed again since, so a clinician must check it again before it can "
            "be agreed.",
        ], (
            "Above the indicative amount",
            "A clinician must check and support this budget again before it can be agreed.",
        )
    if budget.status == BudgetStatus.DRAFT:
        next_step = (
            "What happens next: the draft is changed (a new amount is checked again), or withdrawn."
        )
        short = "Change the draft, or withdraw it."
    else:
        next_step = (
            "What happens next: a PHB lead sends it back to draft to change it (a new amount is "
            "checked again), or withdraws it."
        )
        short = "A PHB lead sends it back to draft to change it, or withdraws it."
    return [not_supported, f"It cannot be agreed at this amount. {next_step}"], (
        "The clinician did not support this amount",
        f"It cannot be agreed at this amount. {short}",
    )


def _status_statements(budget: Budget) -> list[str]:
    status = budget.status
    last = budget.last_status_change()
    if status == BudgetStatus.DRAFT:
        if last is not None and last.from_status == BudgetStatus.PROPOSED:
            return [
                f"{_who_when(last)} sent this budget back to draft: {_sentence(last.reason)} "
                "It can be changed and proposed again."
            ]
        return ["This budget is a draft. It has not been proposed for agreement yet."]
    if status == BudgetStatus.PROPOSED:
        return [f"{_who_when(last)} proposed this budget for agreement. It is not agreed yet."]
    if status == BudgetStatus.WITHDRAWN:
        return [
            f"{_who_when(last)} withdrew this budget: {_sentence(last.reason)} It was never "
            "agreed, and nothing more can be done with it."
        ]
    agreed = f"{budget.agreed_by.full_name} agreed this budget on {_day(budget.agreed_at)}."
    if budget.above_indicative and budget.clinical_check_id:
        check = budget.clinical_check
        agreed += (
            f" A clinician checked and supported this: {check.clinician.full_name} on "
            f"{_day(check.at)}."
        )
    said = [agreed]
    if status == BudgetStatus.AGREED:
        unscheduled = [p for p in budget.portions.all() if p.is_paid_out and not _scheduled(p)]
        if unscheduled and budget.stopped_from is not None:
            # Its payments cannot be set once it has been stopped, so it will not start.
            said.append(
                "It has not started, and it will not: it was stopped before its payment "
                "schedule was set."
            )
        elif budget.plan_approved_at is None:
            said.append(
                "It has not started yet: it is waiting for the care and support plan to be "
                "approved."
            )
        elif unscheduled:
            said.append("It has not started yet: it is waiting for a payment schedule.")
        else:
            said.append("It has not started yet: it is waiting to be started.")
    elif status == BudgetStatus.ACTIVE:
        started = budget.last_status_change(BudgetStatus.ACTIVE)
        said.append(
            f"It is active: {_who_when(started)} started it." if started else "It is active."
        )
    elif status == BudgetStatus.ENDED:
        said.append(f"It has ended. {_sentence(last.reason)} Ended by {_who_when(last)}.")
    if budget.plan_approved_at is not None:
        said.append(
            f"The care and support plan was approved on {_day(budget.plan_approved_at)} "
            f"({budget.plan_reference})."
        )
    if budget.is_live and budget.period_end < timezone.localdate():
        said.append(
            f"It stopped on {_day(budget.stopped_from)}, so it is waiting to be ended."
            if budget.stopped_from
            else f"Its period ended on {_day(budget.period_end)}, so it is waiting to be ended."
        )
    elif budget.is_live and budget.stopped_from:
        said.append(
            f"It stops on {_day(budget.stopped_from)}: the payments due from that day were "
            "cancelled. Its amount was agreed for the period to "
            f"{_day(budget.agreed_period_end)}."
        )
    return said


STAFF_ACTIONS = (
    Permission.PREPARE_BUDGET,
    Permission.CALCULATE,
    Permission.CLINICAL_CHECK,
    Permission.RETURN_BUDGET_TO_DRAFT,
    Permission.WITHDRAW_BUDGET,
    Permission.AGREE_BUDGET,
    Permission.SET_PAYMENTS,
    Permission.CHANGE_AMOUNT,
    Permission.END_BUDGET,
)


def budget_state(budget: Budget, user, policy) -> BudgetState:
    """The sentences and actions the staff budget page shows `user` for `budget` now."""
    holder = budget.budget_holder
    state = BudgetState(statements=_status_statements(budget))
    if budget.status in IN_PREPARATION:
        checks, state.warning = _check_statements(budget)
        state.statements += checks
    if budget.backdating_reason:
        state.statements.append(
            f"It is backdated: it starts on {_day(budget.period_start)}, before it was set up "
            f"on {_day(budget.created_at)}, because: {_sentence(budget.backdating_reason)}"
        )
    may = {permission: user.has_perm(permission, holder) for permission in STAFF_ACTIONS}
    draft, proposed = budget.status == BudgetStatus.DRAFT, budget.status == BudgetStatus.PROPOSED
    over = budget.period_end < timezone.localdate()
    state.actions = {
        "edit": draft and may[Permission.PREPARE_BUDGET],
        "propose": draft and may[Permission.PREPARE_BUDGET],
        "check": budget.needs_clinical_check
        and not budget.unchanged_since_not_supported
        and may[Permission.CLINICAL_CHECK]
        and user.pk not in budget.preparer_ids(),
        "send_back": proposed and may[Permission.RETURN_BUDGET_TO_DRAFT],
        "withdraw": budget.in_preparation and may[Permission.WITHDRAW_BUDGET],
        "agree": False,
        # A stop cancelled the payments from its day: the schedule is not set again after it.
        "set_payments": budget.status == BudgetStatus.AGREED
        and budget.stopped_from is None
        and may[Permission.SET_PAYMENTS],
        "start": budget.status == BudgetStatus.AGREED
        and budget.plan_approved_at is not None
        and not over
        and may[Permission.SET_PAYMENTS],
        "change_amount": budget.is_live
        and not over
        and budget.stopped_from is None
        and may[Permission.CHANGE_AMOUNT],
        "end": budget.is_live and over and may[Permission.END_BUDGET],
        "next_year": budget.status in (BudgetStatus.AGREED, BudgetStatus.ACTIVE, BudgetStatus.ENDED)
        # A stopped budget does not go on into another year.
        and budget.stopped_from is None
        and may[Permission.PREPARE_BUDGET]
        and may[Permission.CALCULATE],
    }
    if proposed and may[Permission.AGREE_BUDGET]:
        refusal = agreement_refusal(budget, user, policy)
        if budget.unchanged_since_not_supported:
            state.blocked.append("It cannot be agreed: the clinician did not support this amount.")
        elif budget.needs_clinical_check:
            state.blocked.append(
                "It cannot be agreed yet: a clinician must check and support this amount first."
            )
        elif refusal:
            state.blocked.append(f"{refusal}.")
        else:
            state.actions["agree"] = True
    return state


# --- Comparing the three calculations ---------------------------------------------------------


TITLES = {
    "ras": "Resource allocation (RAS)",
    "chc": "CHC cost cap",
    "pa": "PA costing",
}
NAMES = {
    "ras": "the resource allocation",
    "chc": "the CHC cost cap",
    "pa": "the PA costing",
}


def annual_amount(calculation) -> Decimal:
    if isinstance(calculation, RasAssessment):
        return calculation.annual_amount
    if isinstance(calculation, ChcPackage):
        return calculation.annual_cost
    if isinstance(calculation, PaCosting):
        return calculation.total_annual
    raise TypeError(type(calculation).__name__)


def _choosing(kind: str, amount: Decimal) -> str:
    """What choosing a calculation as the budget's basis means for the person."""
    if kind == "pa":
        return (
            f"The indicative amount would be the cost of employing the PAs, {money(amount)} a "
            "year (in proportion to the days of part of a year, but any Employment Allowance is "
            "set against the employer's National Insurance of the budget's days). A budget above "
            "it needs a clinical justification and a clinician's check."
        )
    what = "indicative amount" if kind == "ras" else "cap"
    return (
        f"The {what} would be {money(amount)} a year (in proportion for part of a year). The "
        "budget can be up to that without a clinical check; above it needs a clinical "
        "justification and a clinician's check."
    )


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def compare_calculations(latest: dict) -> dict:
    """The latest calculation of each kind compared: which is highest, whether the costed
    package is within the cap and the indicative amount, and what choosing each would mean.

    `latest` is {"ras": ..., "chc": ..., "pa": ...}, each a calculation or None.
    """
    amounts = {kind: annual_amount(c) for kind, c in latest.items() if c is not None}
    columns = [
        {
            "key": kind,
            "title": TITLES[kind],
            "calculation": latest.get(kind),
            "amount": money(amounts[kind]) if kind in amounts else "",
            "choosing": _choosing(kind, amounts[kind]) if kind in amounts else "",
        }
        for kind in TITLES
    ]
    findings = []
    if len(amounts) >= 2:
        highest = max(amounts.values())
        top = [kind for kind in TITLES if amounts.get(kind) == highest]
        if len(top) == len(amounts):
            findings.append(f"They all come to the same: {money(highest)} a year.")
        elif len(top) == 1:
            findings.append(f"{_upper(NAMES[top[0]])} is the highest, at {money(highest)} a year.")
        else:
            findings.append(
                f"{_upper(' and '.join(NAMES[k] for k in top))} are the highest, both at "
                f"{money(highest)} a year."
            )
        for kind in TITLES:
            if kind in amounts and kind not in top:
                findings.append(
                    f"{_upper(NAMES[kind])} is {money(highest - amounts[kind])} less, at "
                    f"{money(amounts[kind])} a year."
                )
    elif len(amounts) == 1:
        (kind,) = amounts
        findings.append(
            f"Only {NAMES[kind]} has been worked out, so there is nothing to compare it with yet."
        )
    if "pa" in amounts:
        pa = amounts["pa"]
        for kind, limit_name in (("chc", "CHC cost cap"), ("ras", "RAS indicative amount")):
            if kind not in amounts:
                continue
            limit = amounts[kind]
            if pa <= limit:
                findings.append(
                    f"The costed package of PAs, {money(pa)} a year, is within the "
                    f"{limit_name} of {money(limit)} ({money(limit - pa)} less)."
                )
            else:
                findings.append(
                    f"The costed package of PAs, {money(pa)} a year, is {money(pa - limit)} more "
                    f"than the {limit_name} of {money(limit)}: a budget of that much based on "
                    f"{NAMES[kind]} needs a clinical justification and a clinician's check."
                )
    return {"columns": columns, "findings": findings}


def comparison_table(comparison: dict) -> dict:
    """The calculations side by side, highest marked."""
    worked = [c for c in comparison["columns"] if c["calculation"] is not None]
    amounts = [annual_amount(c["calculation"]) for c in worked]
    highest = max(amounts, default=None)
    return {
        "caption": hidden_caption("The calculations side by side"),
        "firstCellIsHeader": True,
        "head": [
            {"text": "Calculation"},
            {"text": "A year", "format": "numeric"},
            {"text": "Compared with the highest", "format": "numeric"},
        ],
        "rows": [
            [
                {"text": column["title"]},
                _money_cell(amount, strong=amount == highest),
                {
                    "text": "Highest" if amount == highest else f"{money(highest - amount)} less",
                    "format": "numeric",
                },
            ]
            for column, amount in zip(worked, amounts, strict=True)
        ],
    }


# --- What changed from one year's budget to the next ------------------------------------------


def _line_cell(line) -> dict:
    if line is None:
        return {"text": "Not included", "format": "numeric"}
    text = f"{line.amount} ({line.detail})" if line.detail else line.amount
    return {"text": text, "format": "numeric", "classes": "phb-wrap"}


def _lines_by_text(explanation: Explanation) -> dict:
    """Every line of an explanation by its text: weekly amounts say "a week", so that a
    weekly figure is never read as a year's."""
    weekly = [replace(line, amount=f"{line.amount} a week") for line in explanation.weekly]
    return {line.text: line for line in [*weekly, *explanation.lines]}


def calculation_changes_table(old: Budget, new: Budget) -> dict:
    """Each line of the calculation, this year's figure beside next year's."""
    before = explain_calculation(old.calculation)
    after = explain_calculation(new.calculation)
    old_lines, new_lines = _lines_by_text(before), _lines_by_text(after)
    order = list(new_lines) + [text for text in old_lines if text not in new_lines]
    rows = [
        [{"text": text}, _line_cell(old_lines.get(text)), _line_cell(new_lines.get(text))]
        for text in order
    ]
    rows.append(
        [
            {"text": "Total for a year"},
            _money_cell(before.total, strong=True),
            _money_cell(after.total, strong=True),
        ]
    )
    return {
        "caption": hidden_caption("The calculation line by line, this year and next"),
        "firstCellIsHeader": True,
        "head": [
            {"text": "What"},
            {"text": financial_year_label(old.period_start), "format": "numeric"},
            {"text": financial_year_label(new.period_start), "format": "numeric"},
        ],
        "rows": rows,
    }


def budget_changes_table(old: Budget, new: Budget) -> dict:
    """The budget itself, this year beside next year: period, amounts, holding, funding."""

    def portions(budget):
        return {p.short_method: p.amount for p in budget.portions.all()}

    def streams(budget):
        return {s.get_kind_display(): s.share_percent for s in budget.funding_streams.all()}

    rows = [
        [{"text": "Period"}, {"text": period_words(old)}, {"text": period_words(new)}],
        [
            {"text": "Indicative amount or cap"},
            _money_cell(old.indicative_amount),
            _money_cell(new.indicative_amount),
        ],
        [
            {"text": "Amount"},
            _money_cell(old.agreed_amount, strong=True),
            _money_cell(new.agreed_amount, strong=True),
        ],
    ]
    old_portions, new_portions = portions(old), portions(new)
    for method in list(new_portions) + [m for m in old_portions if m not in new_portions]:
        rows.append(
            [
                {"text": method},
                _money_cell(old_portions[method]) if method in old_portions else _none(),
                _money_cell(new_portions[method]) if method in new_portions else _none(),
            ]
        )
    old_streams, new_streams = streams(old), streams(new)
    for kind in list(new_streams) + [k for k in old_streams if k not in new_streams]:
        rows.append(
            [
                {"text": f"{kind}: share"},
                _share_cell(old_streams.get(kind)),
                _share_cell(new_streams.get(kind)),
            ]
        )
    return {
        "caption": hidden_caption("The budget, this year and next"),
        "firstCellIsHeader": True,
        "head": [
            {"text": "What"},
            {"text": financial_year_label(old.period_start), "format": "numeric"},
            {"text": financial_year_label(new.period_start), "format": "numeric"},
        ],
        "rows": rows,
    }


def _none() -> dict:
    return {"text": "None", "format": "numeric"}


def _share_cell(share) -> dict:
    if share is None:
        return _none()
    return {"text": f"{share.normalize():f}%", "format": "numeric"}


def _percent_of(part: Decimal, whole: Decimal) -> str:
    value = (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def how_next_year_was_set(old: Budget, new: Budget) -> list[str]:
    """Why next year's draft has the amount it has, in sentences."""
    old_year = financial_year_label(old.period_start)
    new_year = financial_year_label(new.period_start)
    # Without the new year's figures in the service, the latest are used: say so, not that
    # it has the new year's rates.
    earlier = rates_from_an_earlier_year(new.calculation)
    said = [
        f"The {new_year} draft was prepared from the {old_year} budget and worked out again "
        f"for {_day(new.period_start)}" + ("." if earlier else ", with the rates in force then."),
        *earlier,
    ]
    difference = old.agreed_amount - old.indicative_amount
    if difference == 0 or old.indicative_amount == 0:
        said.append(f"Its amount is its new indicative amount, {money(new.indicative_amount)}.")
    else:
        word = "more" if difference > 0 else "less"
        share = _percent_of(abs(difference), old.indicative_amount)
        said.append(
            f"The {old_year} budget was {money(abs(difference))} ({share}) {word} than its "
            f"indicative amount, so the {new_year} draft is the same share {word} than its "
            f"new indicative amount: {money(new.agreed_amount)}."
        )
    said.append(
        "The funding shares are the same, and the ways of holding the money are shared out "
        "in the same proportions. Change the draft if any of this is not right."
    )
    return said


def draft_edits_table(budget: Budget) -> dict:
    """Each change made to the budget while it was a draft: when, who, what."""
    return {
        "caption": hidden_caption("Changes made to the draft"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "What changed"}],
        "rows": [
            [
                {"text": display_date(edit.at, "j M Y H:i")},
                {"text": edit.by.full_name},
                {"text": edit.summary},
            ]
            for edit in budget.edits.all()
        ],
    }
