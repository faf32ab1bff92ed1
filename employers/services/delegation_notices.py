"""Telling people at once that a PA must not do a delegated task: a clinician suspends or
revokes a PA's competence, finds a signed-off PA not yet competent at a reassessment, or ends
the delegation (which revokes every competence under it).

Who is told, each once:
- the PA: by their sign-in's email address, or else the one their employer gave;
- the person: as they prefer to be contacted (email or text), or else by their sign-in's email
  address; and each of their current representatives with a sign-in;
- the practitioner who delegated the task, when someone else acted.

The messages are recorded in the transaction that makes the change (phb.notifications: sent
once it commits), so a change refused or rolled back tells nobody, and a change made always
reaches the outbox. The words say only what is true whatever the competence's state was: the
PA must not do the task now, and what it takes before they may again."""

from typing import NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from employers.models import Competence, Delegation
from phb.models import MessageChannel, Representative
from phb.notifications import services as notifications
from phb.presenters import display_time

EMAIL = MessageChannel.EMAIL


def _link(name: str, pk) -> str:
    return settings.PHB_SITE_URL.rstrip("/") + reverse(name, args=[pk])


def _when(at) -> str:
    local = timezone.localtime(at)
    return f"{display_time(local)} on {local:%-d %B %Y}"


class Recipient(NamedTuple):
    name: str
    role: str
    channel: str
    address: str
    user: object = None


def _employer_side(holder, actor, delegation) -> list[Recipient]:
    """The person, their representatives and the practitioner, never the actor."""
    people = []
    channel = notifications.person_channel(holder)
    if channel and channel[1]:
        people.append(Recipient(holder.full_name, notifications.PERSON_ROLE, *channel, holder.user))
    elif holder.user is not None and holder.user.is_active:
        email = holder.user.email
        people.append(
            Recipient(holder.full_name, notifications.PERSON_ROLE, EMAIL, email, holder.user)
        )
    for representative in Representative.objects.current().filter(budget_holder=holder):
        user = representative.user
        if user.is_active:
            people.append(Recipient(user.full_name, "Representative", EMAIL, user.email, user))
    practitioner = delegation.practitioner
    if practitioner is not None and practitioner != actor and practitioner.is_active:
        people.append(
            Recipient(
                practitioner.full_name, "Practitioner", EMAIL, practitioner.email, practitioner
            )
        )
    return people


def _pa(assistant) -> Recipient | None:
    """The PA by their sign-in, or else the email address their employer gave, if any."""
    user = assistant.user
    if user is not None and user.is_active and user.email:
        return Recipient(assistant.full_name, "PA", EMAIL, user.email, user)
    if assistant.email:
        return Recipient(assistant.full_name, "PA", EMAIL, assistant.email)
    return None


def _record(holder, subject: str, letters) -> list[str]:
    """Record one message per (recipient, body, link), each address once; the link only for
    someone with a sign-in to follow it. Returns the names of those sent one."""
    messages, seen = [], set()
    for (name, role, channel, address, user), words, link in letters:
        body = f"{words}\n\n{link}" if user is not None else words
        if not address or (channel, address.lower()) in seen:
            continue
        seen.add((channel, address.lower()))
        messages.append(
            notifications.message_about(
                holder,
                name=name,
                role=role,
                channel=channel,
                address=address,
                subject=subject,
                body=body,
                user=user,
            )
        )
    notifications.record_messages(messages=messages)
    return list(dict.fromkeys(message.recipient_name for message in messages))


def competence_stopped(*, actor, competence: Competence, revoke: bool) -> list[str]:
    """Tell the PA, the person's side and the practitioner that a competence was suspended or
    revoked (stop_competence). Returns the names of those told."""
    delegation = competence.delegation
    holder, task = delegation.budget_holder, delegation.task.name
    pa = competence.assistant.full_name
    what = "revoked" if revoke else "suspended"
    link = _link("employers:competence", competence.pk)

    # "Again" only for a PA who was signed off before: one still being assessed was never.
    again = " again" if competence.signed_off_at is not None else ""

    def body(to_the_pa: bool) -> str:
        whose, who, them = ("your", "You", "you") if to_the_pa else (f"{pa}'s", pa, "them")
        they = "you" if to_the_pa else "they"
        if revoke:
            after = (
                f"{who} must not do this task. A revoked competence is not restored: before "
                f"{they} may do the task again, a clinician has to start a new competence "
                "record and sign it off."
            )
        else:
            after = (
                f"{who} must not do this task until a clinician reassesses {them} and signs "
                f"{them} off{again}."
            )
        return (
            f"{actor.full_name} {what} {whose} competence for {task} for {holder.full_name} "
            f"at {_when(competence.stopped_at)}.\n\n"
            f"The reason given: {competence.stopped_reason}\n\n{after}"
        )

    letters = [(r, body(False), link) for r in _employer_side(holder, actor, delegation)]
    if (to_pa := _pa(competence.assistant)) is not None:
        letters.insert(0, (to_pa, body(True), link))
    return _record(holder, f"{what.capitalize()}: {pa} must not do {task}", letters)


def reassessment_failed(*, actor, competence: Competence) -> list[str]:
    """Tell the PA, the person's side and the practitioner that a signed-off PA was reassessed
    and is not yet competent (record_assessment): like a suspension, it takes them off the
    task at once. Returns the names of those told."""
    delegation = competence.delegation
    holder, task = delegation.budget_holder, delegation.task.name
    pa = competence.assistant.full_name

    def body(to_the_pa: bool) -> str:
        whom, who, them = ("you", "You", "you") if to_the_pa else (pa, pa, "them")
        observed = competence.observations.strip()
        return (
            f"{actor.full_name} reassessed {whom} for {task} for {holder.full_name} on "
            f"{competence.assessed_on:%-d %B %Y}: not yet competent.\n\n"
            + (f"What was observed: {observed}\n\n" if observed else "")
            + f"{who} must not do this task until a clinician reassesses {them} and signs "
            f"{them} off again."
        )

    link = _link("employers:competence", competence.pk)
    letters = [(r, body(False), link) for r in _employer_side(holder, actor, delegation)]
    if (to_pa := _pa(competence.assistant)) is not None:
        letters.insert(0, (to_pa, body(True), link))
    return _record(holder, f"Not yet competent: {pa} must not do {task}", letters)


def delegation_ended(*, actor, delegation: Delegation, revoked: list[Competence]) -> list[str]:
    """Tell each PA whose competence the ending revoked, the person's side and the
    practitioner that the delegation ended (end_delegation). Returns the names of those
    told."""
    holder, task = delegation.budget_holder, delegation.task.name
    lead = (
        f"{actor.full_name} ended the delegation of {task} for {holder.full_name} on "
        f"{delegation.ended_on:%-d %B %Y}.\n\nThe reason given: {delegation.ended_reason}\n\n"
    )
    names = [competence.assistant.full_name for competence in revoked]
    if names:
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        covered = (
            f"The competence of {who} for this task is revoked: from now {who} must not do it."
        )
    else:
        covered = "No PA had a competence record for this task, so no PA's competence changed."
    letters = []
    for competence in revoked:
        if (to_pa := _pa(competence.assistant)) is not None:
            letters.append(
                (
                    to_pa,
                    lead + "Your competence for this task is revoked: from now you must not do "
                    f"this task for {holder.full_name}.",
                    _link("employers:competence", competence.pk),
                )
            )
    link = _link("employers:delegation", delegation.pk)
    letters += [(r, lead + covered, link) for r in _employer_side(holder, actor, delegation)]
    return _record(holder, f"Delegation ended: {task} for {holder.full_name}", letters)
