"""Training reminders: 28 and 7 days before the expiry and on the day, to the budget holder
(as they prefer), their representative and the PA, each once however often the scan runs."""

import datetime

import pytest

from employers.models import PersonalAssistantStatus, TrainingReminder
from employers.services.training_reminders import days_before_for, send_training_reminders
from employers.tasks_training import send_training_reminders as task
from phb.models import ContactMethod, Message
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_training import module, record

pytestmark = pytest.mark.django_db
EXPIRES = datetime.date(2027, 3, 31)


@pytest.fixture
def expiring(icb, holder, representative, pa_employer_support):
    holder.preferred_contact = ContactMethod.EMAIL
    holder.email = "holder@example.com"
    holder.save()
    pa = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder),
        user=PaUserFactory(),
        email="pa@example.com",
        full_name="Priya Shah",
    )
    return record(
        pa,
        pa_employer_support,
        module(icb, "Moving and handling"),
        datetime.date(2026, 3, 31),
        today=datetime.date(2026, 4, 1),
    )


@pytest.mark.parametrize(
    ("left", "days"), [(29, None), (28, 28), (20, 28), (7, 7), (1, 7), (0, 0), (-1, None)]
)
def test_which_reminder_is_due(left, days):
    assert days_before_for(EXPIRES, EXPIRES - datetime.timedelta(days=left)) == days


def test_each_reminder_is_sent_once(expiring, representative):
    day = EXPIRES - datetime.timedelta(days=28)
    assert send_training_reminders(today=day) == 3
    # A duplicate run (and the next day's) sends nothing more.
    assert send_training_reminders(today=day) == 0
    assert task(on=(day + datetime.timedelta(days=1)).isoformat()) == 0
    messages = list(Message.objects.all())
    assert {m.to_address for m in messages} == {
        "holder@example.com",
        representative.email,
        "pa@example.com",
    }
    assert all("Moving and handling" in m.subject for m in messages)
    assert send_training_reminders(today=EXPIRES - datetime.timedelta(days=7)) == 3
    assert send_training_reminders(today=EXPIRES) == 3
    assert send_training_reminders(today=EXPIRES) == 0
    assert TrainingReminder.objects.count() == Message.objects.count() == 9


def test_renewed_training_is_not_reminded(expiring, pa_employer_support):
    record(
        expiring.assistant,
        pa_employer_support,
        expiring.module,
        datetime.date(2027, 3, 1),
        today=datetime.date(2027, 3, 1),
    )
    assert send_training_reminders(today=EXPIRES - datetime.timedelta(days=7)) == 0


def test_nobody_is_sent_what_they_cannot_receive(expiring, representative):
    holder = expiring.assistant.employer.budget_holder
    holder.preferred_contact = ContactMethod.LETTER
    holder.save()
    expiring.assistant.email = ""
    expiring.assistant.save()
    assert send_training_reminders(today=EXPIRES) == 1
    assert Message.objects.get().to_address == representative.email


def test_a_pa_who_left_is_not_reminded(expiring):
    pa = expiring.assistant
    pa.status = PersonalAssistantStatus.LEFT
    pa.left_on = datetime.date(2027, 3, 1)
    pa.left_reason = "Moved away"
    pa.save()
    assert send_training_reminders(today=EXPIRES) == 0


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (13, "expires on 31 March 2027, in 13 days"),
        (28, "expires on 31 March 2027, in 28 days"),
        (5, "expires on 31 March 2027, in 5 days"),
        (1, "expires tomorrow, 31 March 2027"),
        (0, "expires today, 31 March 2027"),
    ],
)
def test_a_reminder_gives_the_days_really_left(expiring, left, words):
    """The 28-day reminder sent on 18 March (a scan missed, or the record made late) says 13
    days, not 28: the step says which reminder it is, not how long is left."""
    assert send_training_reminders(today=EXPIRES - datetime.timedelta(days=left)) == 3
    for message in Message.objects.all():
        assert f"Moving and handling training {words}." in message.body
