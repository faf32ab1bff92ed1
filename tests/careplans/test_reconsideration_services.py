"""Asking for a decision to be looked at again: recorded, looked at by someone who was not
part of it, and lettered."""

import datetime
import threading
import time
from decimal import Decimal as D

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
        "outcome": ["Choose whether the decision stands or has been changed"],
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
