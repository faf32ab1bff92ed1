"""Asking for a decision to be looked at again: recorded, looked at by someone who was not
part of it, and lettered."""

import datetime
import threading
import time
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from budgets.models import PaymentInstalment
from budgets.services import Conflict
from careplans.models import (
    PlanLetterKind,
    ReconsiderationGround,
    ReconsiderationRequest,
)
from careplans.services import reconsideration, stopping
from tests.budgets.factories import change_amount, staff
from tests.careplans.review_factories import plan_in_use
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)


@pytest.fixture
def stopped(phb_lead, holder):
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    return stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="outside_plan",
        explanation="The money paid for a holiday abroad, which is not in the plan.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=D_(2026, 12, 18),
    )


def test_a_request_about_a_stop_is_recorded_under_regulation_17(stopped, care_coordinator, holder):
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=D_(2026, 11, 21),
        persons_reasons="The holiday was respite, agreed with my coordinator.",
    )
    assert request.ground == ReconsiderationGround.STOPPED
    assert request.is_open
    assert request.days_waiting(TODAY) == 2


def test_a_request_dated_before_the_decision_or_made_twice_is_refused(
    stopped, care_coordinator, holder
):
    def record(received_on):
        return reconsideration.record_request(
            actor=care_coordinator,
            holder=holder,
            decision=stopped,
            received_on=received_on,
            persons_reasons="The holiday was respite.",
        )

    with pytest.raises(ValidationError) as error:
        record(D_(2026, 11, 19))  # notice of the stop was given on 20 November
    assert error.value.message_dict["received_on"] == [
        "The request must be received on or after 20 November 2026, the day of the decision"
    ]
    record(D_(2026, 11, 20))
    with pytest.raises(ValidationError) as error:
        record(D_(2026, 11, 21))
    assert error.value.message_dict["decision"] == [
        "A request about this decision, received on 20 November 2026, is already waiting to "
        "be looked at. Nothing was changed."
    ]
    assert ReconsiderationRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_request_at_once_make_one(
    stopped, care_coordinator, holder, icb
):
    """Two real connections record a request about the same stop at the same moment: the
    decision is locked, so one request is made and the other is told it is waiting."""
    coordinators = {"a": care_coordinator, "b": staff("care_coordinator", icb)}
    barrier = threading.Barrier(2)
    results = {}

    def record(name):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                reconsideration.record_request(
                    actor=coordinators[name],
                    holder=holder,
                    decision=stopped,
                    received_on=D_(2026, 11, 21),
                    persons_reasons="The holiday was respite.",
                )
                time.sleep(0.2)  # hold the lock while the other connection asks
            results[name] = "recorded"
        except ValidationError as error:
            results[name] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(name,)) for name in coordinators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["a", "b"]
    assert list(results.values()).count("recorded") == 1
    (refusal,) = [r for r in results.values() if r != "recorded"]
    assert "is already waiting to be looked at. Nothing was changed." in refusal
    assert ReconsiderationRequest.objects.count() == 1


def test_the_original_decider_cannot_reconsider(stopped, phb_lead, care_coordinator, holder):
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=TODAY,
        persons_reasons="It was respite.",
    )
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.decide_request(
            actor=phb_lead, request=request, outcome="changed", reasons="It was respite."
        )
    assert excinfo.value.messages == [
        "You were part of the first decision, so someone else must look at it again"
    ]
    request.refresh_from_db()
    assert request.is_open
    assert request.letter is None


def test_someone_else_reconsiders_and_the_person_gets_a_letter(
    stopped, care_coordinator, holder, icb
):
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=TODAY,
        persons_reasons="It was respite.",
    )
    other_lead = staff("phb_lead", icb)
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.decide_request(actor=other_lead, request=request, outcome="", reasons="")
    assert excinfo.value.message_dict == {
        "outcome": [
            "Choose whether the decision stands, has been changed, or the person withdrew "
            "the request"
        ],
        "outcome_reasons": ["Give the reasons, written for the person"],
    }
    decided = reconsideration.decide_request(
        actor=other_lead,
        request=request,
        outcome="upheld",
        reasons="The coordinator's notes do not show the holiday was agreed as respite.",
    )
    assert decided.reconsidered_by == other_lead
    assert decided.letter.kind == PlanLetterKind.RECONSIDERATION
    body = decided.letter.body_html
    assert "stopping the budget from 18 December 2026" in body
    assert "The decision stays as it was." in body
    assert "do not show the holiday was agreed" in body
    with pytest.raises(ValidationError, match="already decided"):
        reconsideration.decide_request(
            actor=other_lead, request=request, outcome="changed", reasons="Again"
        )


def test_reasons_in_text_that_shows_nothing_are_asked_for(stopped, care_coordinator, holder, icb):
    """A zero-width space is no reason: the letter would print an empty "Why"."""
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.record_request(
            actor=care_coordinator,
            holder=holder,
            decision=stopped,
            received_on=TODAY,
            persons_reasons="\u200b\u200b",
        )
    assert excinfo.value.message_dict == {
        "persons_reasons": ["Say why the person wants the decision looked at again"]
    }
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=TODAY,
        persons_reasons="It was respite.",
    )
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.decide_request(
            actor=staff("phb_lead", icb), request=request, outcome="upheld", reasons=" \u200b "
        )
    assert excinfo.value.message_dict == {
        "outcome_reasons": ["Give the reasons, written for the person"]
    }
    request.refresh_from_db()
    assert request.is_open


def test_a_plan_decision_needs_the_right_the_person_uses(phb_lead, holder, care_coordinator):
    version, _, decider = plan_in_use(phb_lead, holder)
    decision = version.decision
    assert reconsideration.describe(decision).startswith(
        "the decision about version 1 of the care and support plan (approved) on "
    )
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.record_request(
            actor=care_coordinator,
            holder=holder,
            decision=decision,
            received_on=D_(2099, 1, 1),
            persons_reasons="",
            ground="reg13",
        )
    assert excinfo.value.message_dict == {
        "ground": [
            "Choose whether a direct payment was refused or a service was left out of the plan"
        ],
        "received_on": ["The date the request was received must be today or in the past"],
        "persons_reasons": ["Say why the person wants the decision looked at again"],
    }
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=decision,
        received_on=TODAY,
        persons_reasons="The gym membership was left out.",
        ground="reg8",
    )
    with pytest.raises(ValidationError, match="part of the first decision"):
        reconsideration.decide_request(
            actor=decider, request=request, outcome="changed", reasons="x"
        )


def test_a_reduction_and_a_repayment_are_reconsidered_under_13_and_15(
    phb_lead, holder, care_coordinator, finance_officer, other_holder
):
    # Paid out since May, so there is money to ask back.
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    change_amount(
        phb_lead,
        budget,
        new_amount=D("18000.00"),
        effective_from=D_(2027, 1, 1),
        reason="Fewer hours are needed.",
    )
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="unspent",
        amount=D("500.00"),
        explanation="Unspent money built up.",
        due_by=D_(2026, 12, 31),
        who_repays="The budget holder",
    )
    decisions = reconsideration.decisions_for(holder)
    assert len(decisions) == 2
    grounds = []
    for decision in decisions:
        grounds.append(
            reconsideration.record_request(
                actor=care_coordinator,
                holder=holder,
                decision=decision,
                received_on=TODAY,
                persons_reasons="I do not agree.",
            ).ground
        )
    assert sorted(grounds) == ["reg13", "reg15"]
    # A decision about someone else cannot be attached to this person's request.
    with pytest.raises(ValidationError, match="Choose the decision"):
        reconsideration.record_request(
            actor=care_coordinator,
            holder=other_holder,
            decision=repayment,
            received_on=TODAY,
            persons_reasons="x",
        )
    assert ReconsiderationRequest.objects.count() == 2


def test_who_made_a_reduction_or_asked_for_money_back_cannot_reconsider_it(
    phb_lead, holder, care_coordinator
):
    """Each kind of decision is described for the letter, and its maker is kept out."""
    # Paid out since May, so there is money to ask back.
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    change_amount(
        phb_lead,
        budget,
        new_amount=D("18000.00"),
        effective_from=D_(2027, 1, 1),
        reason="Fewer hours are needed.",
    )
    stopping.request_repayment(
        actor=phb_lead,
        budget=budget,
        ground="unspent",
        amount=D("500.00"),
        explanation="Unspent money built up.",
        due_by=D_(2026, 12, 31),
        who_repays="The budget holder",
    )
    words = {}
    for decision in reconsideration.decisions_for(holder):
        request = reconsideration.record_request(
            actor=care_coordinator,
            holder=holder,
            decision=decision,
            received_on=TODAY,
            persons_reasons="I do not agree.",
        )
        with pytest.raises(ValidationError, match="part of the first decision"):
            reconsideration.decide_request(
                actor=phb_lead, request=request, outcome="upheld", reasons="It stands."
            )
        words[request.ground] = reconsideration.describe(decision)
    assert words == {
        "reg13": "the reduction of the budget to £18,000.00 from 1 January 2027",
        "reg15": "the request of 23 November 2026 to pay back £500.00",
    }


def test_for_a_panel_decision_the_chair_and_every_member_took_part(icb, phb_lead, panel_member):
    from careplans.models import PanelMembership, PanelSession, PlanDecision

    chair = staff("phb_lead", icb)
    session = PanelSession.objects.create(
        organisation=icb,
        date=TODAY,
        starts_at=datetime.time(10, 0),
        place="Room 4",
        chair=chair,
        quorum=2,
        created_by=chair,
    )
    PanelMembership.objects.create(session=session, member=panel_member)
    decision = PlanDecision(session=session, decided_by=phb_lead)
    assert reconsideration.who_decided(decision) == {phb_lead.pk, chair.pk, panel_member.pk}


def asked_back_and_reconsidered(lead, holder, coordinator, finance, *, paid_back=None):
    """£500.00 asked back from a budget paid out since May (with `paid_back` received), and
    the person's request to look at that again. Returns the budget, repayment and request."""
    _, budget, _ = plan_in_use(lead, holder, first_payment=D_(2026, 5, 1))
    repayment = stopping.request_repayment(
        actor=finance,
        budget=budget,
        ground="unspent",
        amount=D("500.00"),
        explanation="Unspent money built up.",
        due_by=D_(2026, 12, 31),
        who_repays="The budget holder",
    )
    if paid_back:
        stopping.record_settlement(
            actor=finance, repayment=repayment, amount=paid_back, received_on=TODAY
        )
    request = reconsideration.record_request(
        actor=coordinator,
        holder=holder,
        decision=repayment,
        received_on=TODAY,
        persons_reasons="The money was spent on agreed respite.",
    )
    return budget, repayment, request


def test_a_changed_request_for_money_back_is_withdrawn_and_the_letter_says_so(
    phb_lead, holder, care_coordinator, finance_officer, icb
):
    """£500.00 asked back, £120.00 already paid: the decision is changed, so the request is
    withdrawn, nothing more can be recorded against it, and the letter says what was paid."""
    budget, repayment, request = asked_back_and_reconsidered(
        phb_lead, holder, care_coordinator, finance_officer, paid_back=D("120.00")
    )
    decided = reconsideration.decide_request(
        actor=staff("phb_lead", icb),
        request=request,
        outcome="changed",
        reasons="The respite was agreed in the plan.",
    )
    repayment.refresh_from_db()
    assert repayment.withdrawn_on == TODAY
    # The £120.00 already paid back waits for staff to record what was done with it.
    assert decided.change_to_make and decided.change_made_note == ""
    body = decided.letter.body_html
    assert "We have withdrawn the request to pay back £500.00." in body
    assert "£120.00 had already been paid back under this request." in body
    with pytest.raises(ValidationError, match="This request was withdrawn"):
        stopping.record_settlement(
            actor=finance_officer, repayment=repayment, amount=D("10.00"), received_on=TODAY
        )
    # The withdrawn request no longer counts against what can be asked back; the £120.00
    # already paid back under it still does.
    paid_out = sum(
        row.amount
        for row in PaymentInstalment.objects.filter(
            schedule__portion__budget=budget, paid_on__isnull=False
        )
    )
    assert paid_out > D("500.00")
    assert stopping.repayable(budget) == paid_out - D("120.00")


def test_a_stop_that_stands_needs_no_change_and_a_changed_one_is_recorded_once(
    stopped, care_coordinator, holder, icb
):
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=TODAY,
        persons_reasons="It was respite.",
    )
    lead = staff("phb_lead", icb)
    upheld = reconsideration.decide_request(
        actor=lead, request=request, outcome="upheld", reasons="It stands."
    )
    assert not upheld.change_to_make
    with pytest.raises(Conflict, match="was not changed on reconsideration"):
        reconsideration.record_change_made(
            actor=care_coordinator, request=upheld, made_on=TODAY, note="x"
        )
    ReconsiderationRequest.objects.filter(pk=request.pk).update(outcome="changed")
    request.refresh_from_db()
    assert request.change_to_make
    for made_on, note, expected in [
        (
            None,
            " ",
            {"made_on": ["Enter the date the change was made"], "note": ["Say what was changed"]},
        ),
        (
            TODAY + datetime.timedelta(days=1),
            "x",
            {"made_on": ["The date the change was made must be today or in the past"]},
        ),
        (TODAY, "x" * 2001, {"note": ["What was changed must be 2,000 characters or fewer"]}),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            reconsideration.record_change_made(
                actor=care_coordinator, request=request, made_on=made_on, note=note
            )
        assert excinfo.value.message_dict == expected
    with pytest.raises(PermissionDenied):
        reconsideration.record_change_made(
            actor=staff("clinician", icb), request=request, made_on=TODAY, note="x"
        )
    reconsideration.record_change_made(
        actor=care_coordinator, request=request, made_on=TODAY, note="  The stop was undone.  "
    )
    request.refresh_from_db()
    assert request.change_made_note == "The stop was undone."
    with pytest.raises(Conflict, match="recorded on 23 November 2026 that the change was made"):
        reconsideration.record_change_made(actor=lead, request=request, made_on=TODAY, note="Again")


def test_a_changed_request_with_nothing_paid_back_needs_nothing_more(
    phb_lead, holder, care_coordinator, finance_officer, icb
):
    _, _, request = asked_back_and_reconsidered(phb_lead, holder, care_coordinator, finance_officer)
    lead = staff("phb_lead", icb)
    decided = reconsideration.decide_request(
        actor=lead, request=request, outcome="changed", reasons="It was agreed."
    )
    assert not decided.change_to_make
    assert (decided.change_made_on, decided.change_made_by) == (TODAY, lead)
    assert decided.change_made_note == "The request for £500.00 back was withdrawn."
    assert "You do not need to do anything." in decided.letter.body_html


def test_a_stop_is_never_changed_on_reconsideration(stopped, care_coordinator, holder, icb):
    """A stop from 18 December 2026 cancelled the payments due from then (1 January, 1
    February and 1 March 2027) and cut the budget short to 17 December: "changed" would tell
    the person it goes on when it does not, so it is refused and nothing is written."""
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stopped,
        received_on=TODAY,
        persons_reasons="The holiday was respite.",
    )
    lead = staff("phb_lead", icb)
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.decide_request(
            actor=lead, request=request, outcome="changed", reasons="It was respite."
        )
    assert excinfo.value.message_dict == {
        "outcome": [
            "A stop cannot be changed on reconsideration: when it was recorded, the payments "
            "not yet made that were due from 18 December 2026 were cancelled and the budget's "
            "period was cut short, and they cannot be put back. If the person should go on "
            "having a personal health budget, set up a new budget for them. Then record that "
            "the decision stands, and say in the reasons what happens instead."
        ]
    }
    request.refresh_from_db()
    assert request.is_open and request.letter is None
    assert not ReconsiderationRequest.objects.filter(outcome="changed").exists()
    budget = stopped.budget
    budget.refresh_from_db()
    assert budget.period_end == D_(2026, 12, 17)
    # What to do instead: the stop stands, and the letter says the budget still stops.
    upheld = reconsideration.decide_request(
        actor=lead,
        request=request,
        outcome="upheld",
        reasons="A new budget is being set up for you from 18 December 2026.",
    )
    body = upheld.letter.body_html
    assert "We have changed the decision" not in body
    assert (
        "The decision stays as it was. Your personal health budget stops from 18 December 2026."
        in body
    )


def test_an_increase_is_not_offered_or_taken_as_a_reduction(phb_lead, holder, care_coordinator):
    """£20,000.00 up to £20,500.00 from 1 January 2027, then down to £19,000.00 from 1
    February: only the reduction can be looked at again under regulation 13."""
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    change_amount(
        phb_lead,
        budget,
        new_amount=D("20500.00"),
        effective_from=D_(2027, 1, 1),
        reason="Two more hours a week are needed.",
    )
    budget.refresh_from_db()
    change_amount(
        phb_lead,
        budget,
        new_amount=D("19000.00"),
        effective_from=D_(2027, 2, 1),
        reason="Fewer hours are needed.",
    )
    increase, reduction = budget.changes.order_by("effective_from")
    assert reconsideration.decisions_for(holder) == [reduction]
    with pytest.raises(ValidationError) as excinfo:
        reconsideration.record_request(
            actor=care_coordinator,
            holder=holder,
            decision=increase,
            received_on=TODAY,
            persons_reasons="I want more.",
        )
    assert excinfo.value.message_dict == {
        "decision": [
            "The budget was increased to £20,500.00, not reduced: only a reduction can be "
            "looked at again"
        ]
    }
    assert not ReconsiderationRequest.objects.exists()


def test_letters_about_decisions_made_after_a_death_go_to_the_family(
    phb_lead, holder, care_coordinator, finance_officer, icb
):
    """Money asked back because the person died, looked at again and changed; and the stop
    for their death, looked at again: each letter goes to the family or representatives and
    speaks of the person as "they"."""
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    family = f"The family or representatives of {holder.full_name}"
    repayment = stopping.request_repayment(
        actor=finance_officer,
        budget=budget,
        ground="death",
        amount=D("500.00"),
        explanation="Payments made after the death are asked back.",
        due_by=D_(2026, 12, 31),
        who_repays="The executor of the estate",
    )
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=repayment,
        received_on=TODAY,
        persons_reasons="The money paid the PA's notice.",
    )
    lead = staff("phb_lead", icb)
    decided = reconsideration.decide_request(
        actor=lead, request=request, outcome="changed", reasons="The notice had to be paid."
    )
    letter = decided.letter
    assert letter.addressed_to == family
    assert letter.subject == "We have looked at the decision again"
    text = unescape(letter.body_html)
    assert "Dear family or representatives," in text
    assert "On 23 November 2026 we were asked to look again at this decision" in text
    assert "you asked us" not in text
    stop = stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="death",
        explanation="We are sorry for your loss.",
        notice_given_on=TODAY,
        effective_on=TODAY,
    )
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=stop,
        received_on=TODAY,
        persons_reasons="The PA's last week should be paid.",
    )
    decided = reconsideration.decide_request(
        actor=lead, request=request, outcome="upheld", reasons="The last week was paid."
    )
    assert decided.letter.addressed_to == family
    text = unescape(decided.letter.body_html)
    assert "Dear family or representatives," in text
    assert f"{holder.given_name}'s personal health budget stopped from 23 November 2026." in text
    assert "Your personal health budget stopped" not in text


def test_a_letter_to_a_representative_names_whose_coordinator_it_is(
    phb_lead, holder, care_coordinator, finance_officer, icb
):
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    RepresentativeFactory(budget_holder=holder)
    change_amount(
        phb_lead,
        budget,
        new_amount=D("18000.00"),
        effective_from=D_(2027, 1, 1),
        reason="Fewer hours are needed.",
    )
    (reduction,) = reconsideration.decisions_for(holder)
    request = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=reduction,
        received_on=TODAY,
        persons_reasons="The hours are still needed.",
    )
    decided = reconsideration.decide_request(
        actor=staff("phb_lead", icb),
        request=request,
        outcome="changed",
        reasons="The hours are still needed.",
    )
    text = unescape(decided.letter.body_html)
    assert (
        f"{holder.given_name}'s care coordinator will contact you about what changes now and "
        "when." in text
    )
    assert "Your care coordinator" not in text


def test_a_request_the_person_withdrew_is_closed_without_claiming_a_review(
    phb_lead, holder, care_coordinator, finance_officer, icb
):
    """£500.00 asked back; the person asks for that to be looked at again, then withdraws the
    request: it is closed, the request for money back stands, and the letter says nobody
    looked at the decision again."""
    _, repayment, request = asked_back_and_reconsidered(
        phb_lead, holder, care_coordinator, finance_officer
    )
    closed = reconsideration.decide_request(
        actor=staff("phb_lead", icb),
        request=request,
        outcome="withdrawn",
        reasons="You phoned us on 23 November 2026 to withdraw the request.",
    )
    assert not closed.is_open and not closed.change_to_make
    assert closed.get_outcome_display() == "The person withdrew the request"
    repayment.refresh_from_db()
    assert repayment.withdrawn_on is None
    letter = closed.letter
    assert letter.kind == PlanLetterKind.RECONSIDERATION
    assert letter.subject == "The request to look at a decision again is closed"
    text = unescape(letter.body_html)
    assert "Nobody has looked at the decision again, and it stays as it was." in text
    assert "You phoned us on 23 November 2026 to withdraw the request." in text
    assert "has looked at it again" not in text
    assert "We have looked at the decision again" not in text
    # The person can ask again.
    again = reconsideration.record_request(
        actor=care_coordinator,
        holder=holder,
        decision=repayment,
        received_on=TODAY,
        persons_reasons="On second thoughts, please look again.",
    )
    assert again.is_open
