"""The staff budget page in every state: what it says and offers, and what it must not.

Each case builds a budget in one state and opens its page as one member of staff. The page's
main content, as text, must contain every statement and action in `says`, and none in
`never`: a draft never says "The amount agreed", only a supporting check of the current amount
says a clinician supported it, and "Agree this budget" is never offered while a check is
missing, after a check that did not support it, or to whoever prepared the budget. The words
are staff's: never "Your budget" or "We agreed ... with you", which are the holder's.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import BudgetStatus, HoldingMethod
from budgets.models.budget import CURRENT_STATUSES
from budgets.presenters import STATUS_COLOURS
from tests.budgets.factories import (
    BACKDATED,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    agreed_budget,
    another_lead,
    draft_budget,
    proposed_budget,
    reload,
)

pytestmark = pytest.mark.django_db

# Sentences that only some states may say.
WE_AGREED = "The amount agreed"
# Written to the budget holder; a member of staff is not "you".
HOLDERS_WORDS = ["Your budget", "your budget", "with you", "We propose", "We agreed"]
SUPPORTED = "A clinician checked and supported this"
DID_NOT_SUPPORT = "did not support"
# Actions.
PROPOSE = "Propose for agreement"
AGREE = "Agree this budget"
CHANGE = "Change the draft"
SEND_BACK = "Send it back to draft"
WITHDRAW = "Withdraw this budget"
CHECK = "Record your clinical check"
START = "Start this budget"
REDUCE = "Increase or reduce this budget"
CHECK_INCREASE = "Check the proposed increase"
PAYMENTS_DUE = "Payments due across the ICB"
END = "End this budget"
NEXT_YEAR = "Prepare next year's budget"
NOTHING = "There is nothing for you to do on this budget."
NEXT_YEAR_DATES = {"start": FY_2027_START, "end": FY_2027_END}
ACTIONS = {
    PROPOSE,
    AGREE,
    CHANGE,
    SEND_BACK,
    WITHDRAW,
    CHECK,
    START,
    REDUCE,
    END,
    NEXT_YEAR,
    CHECK_INCREASE,
    PAYMENTS_DUE,
}


class _MainText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main" or self.depth:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def today() -> str:
    return f"{timezone.localdate():%-d %B %Y}"


@dataclass
class Case:
    budget: object
    viewer: object
    says: list[str]
    never: list[str] = field(default_factory=list)
    # Actions offered; every other action must not be.
    offers: set[str] = field(default_factory=set)


@pytest.fixture
def people(phb_lead, care_coordinator, clinician, finance_officer, holder, ras, ras_2027):
    return {
        "lead": phb_lead,
        "coordinator": care_coordinator,
        "clinician": clinician,
        "finance": finance_officer,
        "holder": holder,
        "ras": ras,
        "ras_2027": ras_2027,
    }


def _draft(p):
    budget = draft_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    return Case(
        budget,
        p["lead"],
        says=["This budget is a draft. It has not been proposed for agreement yet."],
        never=[WE_AGREED, SUPPORTED, "backdated", "It is not agreed yet"],
        offers={PROPOSE, CHANGE, WITHDRAW},
    )


def _sent_back(p):
    budget = proposed_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    services.return_to_draft(actor=p["lead"], budget=budget, reason="The start date is wrong")
    return Case(
        budget,
        p["coordinator"],
        says=[
            f"{p['lead'].full_name} on {today()} sent this budget back to draft: The start date "
            "is wrong. It can be changed and proposed again."
        ],
        never=[WE_AGREED, "has not been proposed"],
        offers={PROPOSE, CHANGE, WITHDRAW},
    )


def _above_cap(p):
    return proposed_budget(
        p["coordinator"],
        p["holder"],
        p["ras_2027"],
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        start=FY_2027_START,
        end=FY_2027_END,
    )


def _proposed_without_check(p):
    budget = _above_cap(p)
    return Case(
        budget,
        p["lead"],
        says=[
            f"{p['coordinator'].full_name} on {today()} proposed this budget for agreement. It is "
            "not agreed yet.",
            "It is £691.28 more than its indicative amount, so a clinician must check and "
            "support it before it can be agreed. No clinician has checked this amount yet.",
            "Above the indicative amount",
            "It cannot be agreed yet: a clinician must check and support this amount first.",
            f"The amount proposed is £9,000.00, which is £691.28 more, because: {JUSTIFICATION} "
            "A clinician has not checked this amount yet.",
        ],
        never=[WE_AGREED, SUPPORTED, DID_NOT_SUPPORT],
        offers={SEND_BACK, WITHDRAW},
    )


def _proposed_seen_by_the_clinician(p):
    case = _proposed_without_check(p)
    case.viewer = p["clinician"]
    case.says = case.says[:2]
    case.offers = {CHECK}
    return case


def _proposed_with_support(p):
    budget = _above_cap(p)
    services.record_clinical_check(
        actor=p["clinician"], budget=budget, supported=True, notes="Two carers needed at night."
    )
    return Case(
        budget,
        p["lead"],
        says=[
            "It is £691.28 more than its indicative amount. A clinician checked and supported "
            f"this: {p['clinician'].full_name} on {today()}.",
            f"The amount proposed is £9,000.00, which is £691.28 more, because: {JUSTIFICATION} "
            "A clinician checked and supported this.",
        ],
        never=[WE_AGREED, DID_NOT_SUPPORT, "No clinician has checked", "It cannot be agreed"],
        offers={AGREE, SEND_BACK, WITHDRAW},
    )


def _proposed_not_supported(p):
    budget = _above_cap(p)
    services.record_clinical_check(
        actor=p["clinician"], budget=budget, supported=False, notes="Night needs are met already."
    )
    return Case(
        budget,
        p["lead"],
        says=[
            f"It is £691.28 more than its indicative amount. {p['clinician'].full_name} checked "
            f"it on {today()} and did not support it: Night needs are met already.",
            "It cannot be agreed at this amount. What happens next: a PHB lead sends it back to "
            "draft to change it (a new amount is checked again), or withdraws it.",
            "The clinician did not support this amount",
            "It cannot be agreed: the clinician did not support this amount.",
            "A clinician checked this amount and did not support it.",
        ],
        never=[WE_AGREED, SUPPORTED, "No clinician has checked"],
        offers={SEND_BACK, WITHDRAW},
    )


def _not_supported_seen_by_the_clinician(p):
    """No check is offered to a clinician until the budget changes: the page says what
    happens next, and a second check would overturn the first unseen."""
    case = _proposed_not_supported(p)
    case.viewer = p["clinician"]
    case.says = case.says[:2]
    case.offers = set()
    return case


def _not_supported_then_proposed_again(p):
    """Sent back and proposed again at the same amount: the old check is history, and the
    budget waits for a new one, which the clinician is offered."""
    case = _proposed_not_supported(p)
    services.return_to_draft(actor=p["lead"], budget=reload(case.budget), reason="Add the log.")
    services.propose_budget(actor=p["coordinator"], budget=reload(case.budget))
    return Case(
        case.budget,
        p["clinician"],
        says=[
            f"{p['clinician'].full_name} checked it on {today()} and did not support it: Night "
            "needs are met already.",
            "It has been proposed again since, so a clinician must check it again before it can "
            "be agreed.",
            "A clinician must check and support this budget again before it can be agreed.",
        ],
        never=[WE_AGREED, SUPPORTED, "It cannot be agreed at this amount"],
        offers={CHECK},
    )


def _proposed_seen_by_who_prepared_it(p):
    budget = proposed_budget(
        p["lead"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    return Case(
        budget,
        p["lead"],
        says=["You prepared or proposed this budget, so another PHB lead must agree it."],
        never=[WE_AGREED],
        offers={SEND_BACK, WITHDRAW},
    )


def _agreed(p):
    budget = agreed_budget(
        p["coordinator"],
        p["holder"],
        p["ras_2027"],
        start=FY_2027_START,
        end=FY_2027_END,
        amount=D("8000.00"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("8000.00"), "")],
        agreed_by=p["lead"],
    )
    return Case(
        budget,
        p["lead"],
        says=[
            f"{p['lead'].full_name} agreed this budget on {today()}.",
            "It has not started yet: it is waiting for a payment schedule.",
            "The amount agreed is £8,000.00, £",
            " less than the indicative amount.",
        ],
        never=["The amount proposed", SUPPORTED, "It is not agreed yet", "draft"],
        offers={START, REDUCE, NEXT_YEAR},
    )


def _agreed_above_cap(p):
    budget = agreed_budget(
        p["coordinator"],
        p["holder"],
        p["ras_2027"],
        start=FY_2027_START,
        end=FY_2027_END,
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        clinician=p["clinician"],
        agreed_by=p["lead"],
    )
    return Case(
        budget,
        p["finance"],
        says=[
            f"{p['lead'].full_name} agreed this budget on {today()}. A clinician checked and "
            f"supported this: {p['clinician'].full_name} on {today()}.",
            "It has not started yet: it is waiting to be started.",
            f"The amount agreed is £9,000.00, which is £691.28 more, because: {JUSTIFICATION} "
            "A clinician checked and supported this.",
        ],
        never=["The amount proposed", DID_NOT_SUPPORT],
        offers={START},
    )


def _active(p):
    budget = agreed_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    services.activate_budget(actor=p["finance"], budget=reload(budget))
    return Case(
        budget,
        p["lead"],
        says=[f"It is active: {p['finance'].full_name} on {today()} started it."],
        never=[
            "The amount proposed",
            "It has not started yet",
            "waiting to be ended",
            "increase to",
        ],
        offers={REDUCE, NEXT_YEAR, PAYMENTS_DUE},
    )


def _increase_waiting_for_a_check(p):
    # £8,308.72 is the indicative amount (the RAS): £9,000.00 is above it.
    budget = agreed_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    budget = services.activate_budget(actor=p["finance"], budget=reload(budget))
    services.propose_increase(
        actor=p["lead"],
        budget=budget,
        new_amount=D("9000.00"),
        clinical_justification=JUSTIFICATION,
    )
    return Case(
        budget,
        p["clinician"],
        says=[
            f"An increase to £9,000.00 was proposed by {p['lead'].full_name} on {today()}. It "
            "is waiting for a clinician's check."
        ],
        never=[SUPPORTED, DID_NOT_SUPPORT],
        offers={CHECK_INCREASE},
    )


def _period_over(p):
    budget = agreed_budget(p["coordinator"], p["holder"], p["ras"])
    p["on_day"](datetime.date(2027, 4, 1))
    return Case(
        budget,
        p["lead"],
        says=["Its period ended on 31 March 2027, so it is waiting to be ended."],
        never=["The amount proposed"],
        offers={END, NEXT_YEAR},  # no change of amount once the period is over
    )


def _ended(p):
    budget = agreed_budget(p["coordinator"], p["holder"], p["ras"])
    p["on_day"](datetime.date(2027, 4, 1))
    services.end_budget(actor=p["lead"], budget=budget)
    return Case(
        budget,
        p["lead"],
        says=[
            "It has ended. Its period ended on 31 March 2027. Ended by "
            f"{p['lead'].full_name} on {timezone.localtime():%-d %B %Y}."
        ],
        never=["The amount proposed", "waiting to be ended", "It has not started yet"],
        offers={NEXT_YEAR},
    )


def _stopping(p):
    budget = agreed_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    budget = services.activate_budget(actor=p["finance"], budget=reload(budget))
    services.stop_budget(
        actor=p["lead"], budget=budget, stops_on=datetime.date(2027, 10, 1), reason="Moved away"
    )
    # The amount was agreed for the whole year: not "£8,308.72 for 1 April to 30 September".
    return Case(
        budget,
        p["lead"],
        says=[
            "It stops on 1 October 2027: the payments due from that day were cancelled. Its "
            "amount was agreed for the period to 31 March 2028.",
            "Period 1 April 2027 to 31 March 2028 (stops on 1 October 2027)",
        ],
        never=["30 September 2027", "waiting to be ended", "stopped"],
        # Its amount is not changed once it is stopping, and it does not go on into next year.
        offers={PAYMENTS_DUE},
    )


def _stopped(p):
    budget = agreed_budget(p["coordinator"], p["holder"], p["ras"])
    services.stop_budget(
        actor=p["lead"], budget=budget, stops_on=datetime.date(2026, 11, 23), reason="Moved away"
    )
    return Case(
        budget,
        p["lead"],
        says=[
            "It has ended. Stopped from 23 November 2026: Moved away. Ended by "
            f"{p['lead'].full_name} on {today()}.",
            "Period 1 April 2026 to 31 March 2027 (stopped on 23 November 2026)",
        ],
        never=["22 November 2026", "waiting to be ended", "stops on"],
        offers=set(),  # a stopped budget does not go on into next year
    )


def _withdrawn(p):
    budget = draft_budget(
        p["coordinator"], p["holder"], p["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    services.withdraw_budget(actor=p["coordinator"], budget=budget, reason="Set up twice")
    return Case(
        budget,
        p["lead"],
        says=[
            f"{p['coordinator'].full_name} on {today()} withdrew this budget: Set up twice. It was "
            "never agreed, and nothing more can be done with it.",
            NOTHING,
        ],
        never=[WE_AGREED, SUPPORTED],
    )


def _backdated(p):
    budget = draft_budget(p["coordinator"], p["holder"], p["ras"])
    return Case(
        budget,
        p["lead"],
        says=[
            f"It is backdated: it starts on 1 April 2026, before it was set up on {today()}, "
            f"because: {BACKDATED}",
            f"Why it is backdated {BACKDATED}",
        ],
        never=[WE_AGREED],
        offers={PROPOSE, CHANGE, WITHDRAW},
    )


STATES = {
    "draft": _draft,
    "sent back to draft": _sent_back,
    "proposed, no check": _proposed_without_check,
    "proposed, no check, seen by the clinician": _proposed_seen_by_the_clinician,
    "proposed, supported": _proposed_with_support,
    "proposed, not supported": _proposed_not_supported,
    "proposed, not supported, seen by a clinician": _not_supported_seen_by_the_clinician,
    "not supported, then proposed again": _not_supported_then_proposed_again,
    "proposed, seen by who prepared it": _proposed_seen_by_who_prepared_it,
    "agreed": _agreed,
    "agreed above the cap, seen by finance": _agreed_above_cap,
    "active": _active,
    "active, an increase waiting for a clinician's check": _increase_waiting_for_a_check,
    "period over": _period_over,
    "ended": _ended,
    "stopping from a day to come": _stopping,
    "stopped": _stopped,
    "withdrawn": _withdrawn,
    "backdated": _backdated,
}


@pytest.mark.parametrize("state", STATES)
def test_the_staff_budget_page_says_only_what_is_true_in_every_state(
    client, people, monkeypatch, state
):
    people["on_day"] = lambda day: monkeypatch.setattr(
        timezone, "localdate", lambda *args, **kwargs: day
    )
    case = STATES[state](people)
    client.force_login(case.viewer)
    response = client.get(reverse("budgets:budget", args=[case.budget.pk]))
    assert response.status_code == 200
    text = main_text(response.content.decode())
    for statement in case.says:
        assert statement in text, f"{state}: missing {statement!r}"
    for statement in [*case.never, *HOLDERS_WORDS]:
        assert statement not in text, f"{state}: must not say {statement!r}"
    for action in sorted(ACTIONS):
        assert (action in text) == (action in case.offers), (
            f"{state}: {action!r} should{'' if action in case.offers else ' not'} be offered"
        )


def test_every_status_has_a_tag_colour_of_its_own():
    colours = [STATUS_COLOURS[status] for status in CURRENT_STATUSES]
    assert len(set(colours)) == len(colours)


def test_the_agree_button_follows_the_icbs_policy(client, people, icb_admin):
    budget = proposed_budget(
        people["lead"], people["holder"], people["ras_2027"], start=FY_2027_START, end=FY_2027_END
    )
    services.save_budget_policy(
        actor=icb_admin, preparer_may_agree=True, preparer_may_agree_below=D("10000.00")
    )
    client.force_login(people["lead"])
    text = main_text(client.get(reverse("budgets:budget", args=[budget.pk])).content.decode())
    assert AGREE in text
    assert "another PHB lead must agree it" not in text
    other = another_lead(people["holder"].organisation)
    client.force_login(other)
    text = main_text(client.get(reverse("budgets:budget", args=[budget.pk])).content.decode())
    assert AGREE in text
    assert reload(budget).status == BudgetStatus.PROPOSED
