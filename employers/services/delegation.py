"""Delegated healthcare tasks (issue 11; DOMAIN.md, "Training and delegated healthcare tasks").

An ICB keeps a catalogue of tasks that may be delegated. A clinician of the person's ICB
delegates a task for the person (a `Delegation`); each PA who is to do it gets a `Competence`:
the three-way agreement (practitioner, employer's side, PA, each confirming for themselves),
task training, a competence assessment, and the clinician's sign-off with a review date. A PA
without a current sign-off (signed off and not past its review date) is not competent for the
task. Suspension and revocation take effect at once; a revoked competence is never signed off
again. Every step appends a `CompetenceChange`; nothing is deleted.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.calculations import add_months
from budgets.services import Conflict
from employers import training_selectors
from employers.models import (
    Competence,
    CompetenceChange,
    CompetenceStatus,
    DelegatedTask,
    Delegation,
    PersonalAssistant,
    PersonalAssistantStatus,
    TrainingModule,
    TrainingRecord,
)
from employers.services import delegation_notices as notices
from employers.services import duplicates
from phb.models import BudgetHolder, Organisation
from phb.permissions import Permission, require
from phb.presenters import display_time

# --- The catalogue ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskDetails:
    name: str
    description: str
    risk_level: str
    review_months: int
    required_training: tuple  # TrainingModules of the same ICB


def _check_training(organisation_id, modules, *, already=()) -> None:
    """The training is the ICB's, and any newly required is in use (locked, so it cannot be
    taken out of use while the task is saved)."""
    if any(module.organisation_id != organisation_id for module in modules):
        raise ValidationError(
            {"required_training": "Choose training from your ICB's training catalogue"}
        )
    new = {module.pk for module in modules} - {module.pk for module in already}
    in_use = TrainingModule.objects.select_for_update().filter(pk__in=new, active=True)
    if len(new) != len(in_use.values_list("pk", flat=True)):
        raise ValidationError(
            {"required_training": "Some of this training has been taken out of use: choose again"}
        )


def _name_taken(organisation_id, name, *, besides=None) -> bool:
    tasks = DelegatedTask.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if besides is not None:
        tasks = tasks.exclude(pk=besides.pk)
    return tasks.exists()


@transaction.atomic
def add_task(*, actor, organisation: Organisation, details: TaskDetails) -> DelegatedTask:
    """A new task in the ICB's catalogue, with the training a PA needs first."""
    require(actor, Permission.MANAGE_DELEGATED_TASKS, organisation)
    _check_training(organisation.pk, details.required_training)
    if _name_taken(organisation.pk, details.name):
        raise ValidationError({"name": "Your ICB's catalogue already has a task with this name"})
    task = DelegatedTask.objects.create(
        organisation=organisation,
        name=details.name,
        description=details.description,
        risk_level=details.risk_level,
        review_months=details.review_months,
    )
    task.required_training.set(details.required_training)
    return task


def people_delegated_for(task: DelegatedTask) -> int:
    """How many people the task has been delegated for, ended delegations included."""
    return Delegation.objects.filter(task=task).values("budget_holder").distinct().count()


def delegated_sentence(task: DelegatedTask, people: int) -> str:
    who = "1 person" if people == 1 else f"{people} people"
    return f"{task.name} has been delegated for {who}, so only its description can change"


# What a delegation is made of: every delegation reads these from the task, so once the task
# has been delegated they must stay as the clinician saw them (in the form's order).
WHAT_IS_DELEGATED = ("name", "risk_level", "required_training", "review_months")


def _refuse_if_delegated(task: DelegatedTask, details: TaskDetails) -> None:
    """Once a task has been delegated, changing its name, risk, training or review interval
    would rewrite the delegations already made (a PEG feeding delegation would come to read
    "Insulin injections"): only its description may change."""
    now = {
        "name": task.name,
        "risk_level": task.risk_level,
        "required_training": {module.pk for module in task.required_training.all()},
        "review_months": task.review_months,
    }
    wanted = {
        "name": details.name,
        "risk_level": details.risk_level,
        "required_training": {module.pk for module in details.required_training},
        "review_months": details.review_months,
    }
    changed = [field for field in WHAT_IS_DELEGATED if now[field] != wanted[field]]
    if not changed:
        return
    people = people_delegated_for(task)
    if people:
        raise ValidationError(
            {
                changed[0]: f"{delegated_sentence(task, people)}. To change what is "
                "delegated, add a new task"
            }
        )


@transaction.atomic
def change_task(
    *, actor, task: DelegatedTask, details: TaskDetails, seen_updated_at=None
) -> DelegatedTask:
    """Change a task in the catalogue. Once it has been delegated only its description may
    change: to delegate something different, add a new task. `seen_updated_at` is when the
    task had last changed as the page showed it (ADR 0042): if it has changed since (a
    colleague's change), nothing is written, as the page would put back what they changed.
    None: no page to compare."""
    require(actor, Permission.MANAGE_DELEGATED_TASKS, task)
    task = DelegatedTask.objects.select_for_update().get(pk=task.pk)
    if seen_updated_at is not None and task.updated_at != seen_updated_at:
        raise Conflict(
            f"Someone changed {task.name} after you opened this page. The page now shows it "
            "as it is: make your change again. Nothing was changed."
        )
    _check_training(
        task.organisation_id, details.required_training, already=task.required_training.all()
    )
    _refuse_if_delegated(task, details)
    if _name_taken(task.organisation_id, details.name, besides=task):
        raise ValidationError({"name": "Your ICB's catalogue already has a task with this name"})
    task.name = details.name
    task.description = details.description
    task.risk_level = details.risk_level
    task.review_months = details.review_months
    task.save()
    task.required_training.set(details.required_training)
    return task


# --- Delegating a task for a person -----------------------------------------------------


@dataclass(frozen=True)
class DelegationDetails:
    task: DelegatedTask
    how_it_applies: str
    persons_choice: str
    consent_given_on: datetime.date
    stability: str
    complexity: str
    risk_level: str
    benefits: str
    professional_body: str
    registration_number: str


@transaction.atomic
def delegate_task(*, actor, budget_holder: BudgetHolder, details: DelegationDetails) -> Delegation:
    """A clinician of the person's ICB delegates a task of the ICB's catalogue for them, and
    is the practitioner accountable for it."""
    require(actor, Permission.DELEGATE_TASK, budget_holder)
    if details.task.organisation_id != budget_holder.organisation_id or not details.task.active:
        raise ValidationError({"task": "Choose a task from your ICB's catalogue"})
    if details.consent_given_on > timezone.localdate():
        raise ValidationError({"consent_given_on": "The date of consent must be today or before"})
    if details.consent_given_on < budget_holder.date_of_birth:
        raise ValidationError(
            {
                "consent_given_on": "The date of consent must be after "
                f"{budget_holder.full_name} was born, {budget_holder.date_of_birth:%-d %B %Y}"
            }
        )
    # Locked so that a second request at the same moment waits for the first and finds its
    # delegation.
    duplicates.lock(BudgetHolder, budget_holder.pk)
    if Delegation.objects.filter(
        budget_holder=budget_holder, task=details.task, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            {"task": f"{details.task.name} is already delegated for {budget_holder.full_name}"}
        )
    return Delegation.objects.create(
        budget_holder=budget_holder,
        task=details.task,
        how_it_applies=details.how_it_applies,
        persons_choice=details.persons_choice,
        consent_given_on=details.consent_given_on,
        stability=details.stability,
        complexity=details.complexity,
        risk_level=details.risk_level,
        benefits=details.benefits,
        practitioner=actor,
        professional_body=details.professional_body,
        registration_number=details.registration_number,
        created_by=actor,
    )


# --- A PA's competence ------------------------------------------------------------------


def _at(moment) -> str:
    """In London time, as "3:34pm on 6 December 2026"."""
    local = timezone.localtime(moment)
    return f"{display_time(local)} on {local:%-d %B %Y}"


def _lock(competence: Competence) -> Competence:
    """The competence as it is now, locked until the transaction ends, so two people acting
    on it at once are served one after the other."""
    return (
        Competence.objects.select_for_update(of=("self",))
        .select_related("delegation__task", "delegation__budget_holder", "assistant")
        .get(pk=competence.pk)
    )


def _change(competence, *, actor, what, reason="", at=None) -> None:
    competence.lock_version += 1
    competence.save()
    CompetenceChange.objects.create(
        competence=competence, what=what, reason=reason, by=actor, at=at or timezone.now()
    )


def _refuse_if_revoked(competence: Competence) -> None:
    if competence.status == CompetenceStatus.REVOKED:
        raise Conflict(
            f"This competence was revoked on "
            f"{timezone.localtime(competence.stopped_at):%-d %B %Y}: "
            "nothing more can be recorded on it. Start a new competence record if the PA is "
            "to do the task again"
        )


@transaction.atomic
def start_competence(*, actor, delegation: Delegation, assistant: PersonalAssistant) -> Competence:
    """A PA of the person's employer starts on the way to being signed off for the task."""
    require(actor, Permission.DELEGATE_TASK, delegation)
    # Locked, and read as it is now, so that a second request at the same moment waits for the
    # first and finds its competence record (and one after an ending finds it ended).
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("budget_holder")
        .get(pk=delegation.pk)
    )
    if delegation.ended_on is not None:
        raise Conflict("This delegation has ended: no PA can be signed off for it")
    employer = getattr(delegation.budget_holder, "employer", None)
    if (
        employer is None
        or assistant.employer_id != employer.pk
        or assistant.status == PersonalAssistantStatus.LEFT
    ):
        raise ValidationError({"assistant": "Choose one of the person's PAs"})
    if Competence.objects.filter(
        delegation=delegation,
        assistant=assistant,
        status__in=[
            CompetenceStatus.IN_PROGRESS,
            CompetenceStatus.SIGNED_OFF,
            CompetenceStatus.SUSPENDED,
        ],
    ).exists():
        raise ValidationError(
            {"assistant": f"{assistant.full_name} already has a competence record for this task"}
        )
    competence = Competence.objects.create(delegation=delegation, assistant=assistant)
    CompetenceChange.objects.create(
        competence=competence, what="Started", by=actor, at=timezone.now()
    )
    return competence


AGREEING_PARTIES = {
    "practitioner": Permission.SIGN_OFF_COMPETENCE,
    "employer": Permission.AGREE_AS_EMPLOYER,
    "pa": Permission.AGREE_AS_PA,
}


def only_the_practitioner(competence: Competence, *, may: str) -> str:
    """Who may do what only the practitioner who delegated the task may: `may` is what, as
    "sign off a PA for it"."""
    delegation = competence.delegation
    return (
        f"Only {delegation.practitioner.full_name}, who delegated {delegation.task.name} for "
        f"{delegation.budget_holder.full_name} and is accountable for it, can {may}"
    )


def is_the_practitioner(actor, competence: Competence) -> bool:
    """The practitioner who delegates a task signs off each PA for it and stays accountable
    for it (DOMAIN.md): another clinician of the ICB may not agree or sign off for them."""
    return competence.delegation.practitioner_id == actor.pk


def _refuse_unless_the_practitioner(actor, competence: Competence, *, may: str) -> None:
    if not is_the_practitioner(actor, competence):
        raise Conflict(only_the_practitioner(competence, may=may))


@transaction.atomic
def confirm_agreement(*, actor, competence: Competence, party: str) -> Competence:
    """One party to the three-way agreement confirms it, for themselves, with a time stamp."""
    require(actor, AGREEING_PARTIES[party], competence)
    competence = _lock(competence)
    if party == "practitioner":
        _refuse_unless_the_practitioner(
            actor, competence, may="confirm the practitioner's agreement"
        )
    _refuse_if_revoked(competence)
    field = {
        "practitioner": "practitioner_agreed_at",
        "employer": "employer_agreed_at",
        "pa": "pa_agreed_at",
    }[party]
    if getattr(competence, field) is not None:
        raise Conflict("This agreement was already confirmed")
    now = timezone.now()
    setattr(competence, field, now)
    if party == "employer":
        competence.employer_agreed_by = actor
    what = {
        "practitioner": "Agreement confirmed by the practitioner",
        "employer": "Agreement confirmed by the employer",
        "pa": "Agreement confirmed by the PA",
    }[party]
    _change(competence, actor=actor, what=what, at=now)
    return competence


def _refuse_repeat_or_stale(
    competence: Competence,
    *,
    lock_version: int | None,
    what: str,
    same: bool,
    named: str,
    again: str,
) -> None:
    """Nothing is recorded from a page older than the competence. A double click's second
    request (`same`: the competence already holds what is sent, and its last change, moments
    ago, recorded it as `what`) is told who recorded it first; any other change since the page
    was drawn (a colleague's assessment) is named, and they are asked to check it first.
    `named` is the record in words, `again` what they are doing, as "record the assessment
    again". `lock_version` None: no page to compare."""
    last = competence.changes.select_related("by").order_by("-at").first()
    repeat = same and last is not None and last.what == what and last.at >= duplicates.since()
    if repeat:
        duplicates.refuse_repeat(last, what=named, by="by", at="at")
    if lock_version is not None and competence.lock_version != lock_version:
        # Every change of the version appends a change: the last is what the page missed.
        raise Conflict(
            f"This competence changed while you were looking at it: {last.by.full_name} "
            f"recorded “{last.what}” at {_at(last.at)}. Check it, then "
            f"{again}. Nothing was saved."
        )


@transaction.atomic
def record_training(
    *,
    actor,
    competence: Competence,
    delivered_on: datetime.date,
    delivered_by: str,
    lock_version: int | None = None,
) -> Competence:
    """The task training the practitioner (or someone for them) gave the PA. `lock_version`
    is the version of the competence the page was drawn from (_refuse_repeat_or_stale)."""
    require(actor, Permission.SIGN_OFF_COMPETENCE, competence)
    competence = _lock(competence)
    _refuse_if_revoked(competence)
    what = f"Task training delivered on {delivered_on:%-d %B %Y}" + (
        "" if delivered_by == actor.full_name else f" by {delivered_by}"
    )
    _refuse_repeat_or_stale(
        competence,
        lock_version=lock_version,
        what=what,
        same=(competence.training_delivered_on, competence.training_delivered_by)
        == (delivered_on, delivered_by),
        named=f"The task training given on {delivered_on:%-d %B %Y} by {delivered_by}",
        again="record the task training again",
    )
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "The date must be today or before"})
    agreed_on = competence.delegation.consent_given_on
    if delivered_on < agreed_on:
        raise ValidationError(
            {
                "delivered_on": f"The date must be on or after {agreed_on:%-d %B %Y}, when the "
                "person agreed to the task being delegated"
            }
        )
    competence.training_delivered_on = delivered_on
    competence.training_delivered_by = delivered_by
    _change(competence, actor=actor, what=what)
    return competence


@transaction.atomic
def record_assessment(
    *,
    actor,
    competence: Competence,
    assessed_on: datetime.date,
    observations: str,
    passed: bool,
    lock_version: int | None = None,
) -> Competence:
    """The competence assessment (or a reassessment at review). 'Not yet' at a reassessment
    stops the sign-off at once: the PA is no longer competent until they pass and are signed
    off again. `lock_version` is the version of the competence the page was drawn from
    (_refuse_repeat_or_stale): a "passed" from a page opened before a colleague's "not yet"
    is refused."""
    require(actor, Permission.SIGN_OFF_COMPETENCE, competence)
    competence = _lock(competence)
    _refuse_if_revoked(competence)
    what = f"Assessed on {assessed_on:%-d %B %Y}: {'passed' if passed else 'not yet competent'}"
    _refuse_repeat_or_stale(
        competence,
        lock_version=lock_version,
        what=what,
        same=(competence.assessed_on, competence.observations, competence.assessment_passed)
        == (assessed_on, observations, passed),
        named=f"The assessment on {assessed_on:%-d %B %Y} "
        f"({'competent' if passed else 'not yet competent'})",
        again="record the assessment again",
    )
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date must be today or before"})
    if competence.training_delivered_on is None:
        raise Conflict("Record the task training before the competence assessment")
    if assessed_on < competence.training_delivered_on:
        raise ValidationError(
            {
                "assessed_on": "The date must be on or after "
                f"{competence.training_delivered_on:%-d %B %Y}, when the task training was given"
            }
        )
    since = assessed_since(competence)
    if since is not None and assessed_on < since[0]:
        raise ValidationError(
            {
                "assessed_on": "The date of the assessment must be on or after "
                f"{since[0]:%-d %B %Y}, when {since[1]}"
            }
        )
    competence.assessed_on = assessed_on
    competence.observations = observations
    competence.assessment_passed = passed
    competence.assessment_recorded_at = timezone.now()
    taken_off = not passed and competence.status == CompetenceStatus.SIGNED_OFF
    if taken_off:
        competence.status = CompetenceStatus.IN_PROGRESS
    _change(competence, actor=actor, what=what)
    # Off the task at once, as a suspension is: the PA and the person's side are told.
    competence.told = (
        notices.reassessment_failed(actor=actor, competence=competence) if taken_off else []
    )
    return competence


def assessed_since(competence: Competence) -> tuple[datetime.date, str] | None:
    """The day an assessment must be on or after to count for the next sign-off, and why: the
    day of the last sign-off (at a review) or of the suspension, whichever is later. One
    dated before saw the PA before what it is to answer, so it lifts nothing."""
    dates = []
    if competence.signed_off_at is not None:
        dates.append(
            (
                timezone.localdate(competence.signed_off_at),
                f"{competence.assistant.full_name} was last signed off",
            )
        )
    if competence.stopped_at is not None:
        dates.append((timezone.localdate(competence.stopped_at), "the competence was suspended"))
    return max(dates, key=lambda pair: pair[0], default=None)


def _required_training(competence: Competence, *, on: datetime.date) -> list:
    """The task's required training, each with the PA's record in force on `on` as their
    training page decides it (training_selectors.progress: the longest-lasting, a Care
    Certificate standard once observed), current or not."""
    required = list(competence.delegation.task.required_training.all())
    records = (
        TrainingRecord.objects.filter(
            assistant_id=competence.assistant_id, module__in=required, completed_on__lte=on
        )
        .select_related("module")
        .defer("evidence")
    )
    progress = training_selectors.progress(required, records, on)
    return progress.standards + progress.core


def training_expiring_first(competence: Competence, *, on: datetime.date):
    """Of the records in force of the task's required training, the one that runs out first
    (None if none runs out): a sign-off lasts no longer."""
    running_out = [
        item.record
        for item in _required_training(competence, on=on)
        if item.done and item.record.expires_on is not None
    ]
    return min(running_out, key=lambda record: record.expires_on, default=None)


def sign_off_gaps(competence: Competence, *, on: datetime.date) -> list[str]:
    """What stands between this competence and its sign-off, in plain words."""
    gaps = []
    if competence.status == CompetenceStatus.REVOKED:
        return ["It was revoked: start a new competence record"]
    if competence.practitioner_agreed_at is None:
        gaps.append("The practitioner has not confirmed the agreement")
    if competence.employer_agreed_at is None:
        gaps.append("The employer has not confirmed the agreement")
    if competence.pa_agreed_at is None:
        gaps.append("The PA has not confirmed the agreement")
    if competence.training_delivered_on is None:
        gaps.append("The task training has not been recorded")
    since = max(
        (at for at in (competence.signed_off_at, competence.stopped_at) if at), default=None
    )
    # Recorded since the last sign-off or suspension, and dated on or after its day too.
    assessed_after = assessed_since(competence)
    if (
        competence.assessment_passed is not True
        or (
            since is not None
            and (
                competence.assessment_recorded_at is None
                or competence.assessment_recorded_at < since
            )
        )
        or (assessed_after is not None and competence.assessed_on < assessed_after[0])
    ):
        gaps.append("No passed competence assessment is waiting for sign-off")
    elif (
        competence.training_delivered_on is not None
        and competence.assessed_on < competence.training_delivered_on
    ):
        # Training recorded after the assessment: the PA is signed off on what they were
        # seen to do after the training they now rely on, so they are assessed again.
        gaps.append(
            "The PA has not been assessed since the task training given on "
            f"{competence.training_delivered_on:%-d %B %Y}"
        )
    required = _required_training(competence, on=on)
    gaps += [
        f"The PA has no current training record for {item.module.name}"
        for item in required
        if not item.done
    ]
    # Current today but not tomorrow: no review date could be both in the future and no
    # later than the training's end, so it is renewed first.
    gaps += [
        f"The PA's training record for {item.module.name} runs out today, "
        f"{item.record.expires_on:%-d %B %Y}: record the renewed training first"
        for item in required
        if item.done and item.record.expires_on is not None and item.record.expires_on <= on
    ]
    return gaps


def already_signed_off(competence: Competence) -> str:
    who = competence.signed_off_by.full_name if competence.signed_off_by else "someone else"
    return f"This was already signed off by {who} at {_at(competence.signed_off_at)}"


@transaction.atomic
def sign_off(
    *, actor, competence: Competence, review_on: datetime.date, lock_version: int
) -> Competence:
    """The clinician's sign-off: only with all three agreements, a passed assessment and
    every required training current, with a review date in the future and no further ahead
    than the task's review interval. `lock_version` is the version the clinician saw: if it
    changed meanwhile (another sign-off), nothing is signed and they are told who did it."""
    require(actor, Permission.SIGN_OFF_COMPETENCE, competence)
    competence = _lock(competence)
    _refuse_unless_the_practitioner(actor, competence, may="sign off a PA for it")
    if competence.lock_version != lock_version:
        if competence.status == CompetenceStatus.SIGNED_OFF:
            raise Conflict(already_signed_off(competence))
        raise Conflict("This competence changed while you were looking at it: check it again")
    _refuse_if_revoked(competence)
    today = timezone.localdate()
    gaps = sign_off_gaps(competence, on=today)
    if gaps:
        raise Conflict("It cannot be signed off yet: " + "; ".join(gaps))
    latest = add_months(today, competence.delegation.task.review_months)
    if review_on <= today:
        raise ValidationError({"review_on": "The review date must be in the future"})
    if review_on > latest:
        raise ValidationError(
            {
                "review_on": f"The review date must be on or before {latest:%-d %B %Y}, "
                f"{competence.delegation.task.review_months} months from today"
            }
        )
    # The sign-off lasts no longer than the training it needs: by the review, the PA is
    # trained again or no longer covered.
    expiring = training_expiring_first(competence, on=today)
    if expiring is not None and review_on > expiring.expires_on:
        raise ValidationError(
            {
                "review_on": f"The review date must be on or before "
                f"{expiring.expires_on:%-d %B %Y}, when {competence.assistant.full_name}'s "
                f"training record for {expiring.module.name} runs out"
            }
        )
    now = timezone.now()
    again = competence.signed_off_at is not None
    competence.status = CompetenceStatus.SIGNED_OFF
    competence.signed_off_at = now
    competence.signed_off_by = actor
    competence.review_on = review_on
    _change(
        competence,
        actor=actor,
        what=f"{'Signed off again' if again else 'Signed off'}, review by {review_on:%-d %B %Y}",
        at=now,
    )
    return competence


def _changed_since(competence: Competence) -> str:
    """What changed a competence since a page showed it (its last change): who did it, when,
    and where it stands now."""
    last = competence.changes.select_related("by").order_by("-at").first()
    status = competence.get_status_display().lower()
    if competence.status == CompetenceStatus.SUSPENDED and last.what.startswith("Suspended"):
        done = f"{last.by.full_name} suspended it at {_at(last.at)}"
    else:
        done = (
            f"{last.by.full_name} recorded “{last.what}” at {_at(last.at)}, and it is now {status}"
        )
    return f"This competence changed while you were looking at it: {done}"


@transaction.atomic
def stop_competence(
    *, actor, competence: Competence, revoke: bool, reason: str, lock_version: int | None = None
) -> Competence:
    """Suspend (until reassessed and signed off again) or revoke (for good), at once, and
    tell the PA and the person's side (delegation_notices); `told` on the competence returned
    names those sent a message. `lock_version` is the version the clinician saw: if it changed
    since (a second tab), nothing is done and they are told."""
    require(actor, Permission.SIGN_OFF_COMPETENCE, competence)
    competence = _lock(competence)
    _refuse_if_revoked(competence)
    if lock_version is not None and competence.lock_version != lock_version:
        raise Conflict(
            f"{_changed_since(competence)}. Check it, then decide again. Nothing was changed."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason"})
    if not revoke and competence.status == CompetenceStatus.SUSPENDED:
        who = competence.stopped_by.full_name if competence.stopped_by else "someone else"
        raise Conflict(
            f"This competence is already suspended: {who} suspended it at "
            f"{_at(competence.stopped_at)}"
        )
    now = timezone.now()
    competence.status = CompetenceStatus.REVOKED if revoke else CompetenceStatus.SUSPENDED
    competence.stopped_at = now
    competence.stopped_by = actor
    competence.stopped_reason = reason
    what = "Revoked" if revoke else "Suspended"
    _change(competence, actor=actor, what=what, reason=reason, at=now)
    competence.told = notices.competence_stopped(actor=actor, competence=competence, revoke=revoke)
    return competence


def revoke_for_leaving(*, actor, assistant, left_on: datetime.date) -> list[Competence]:
    """A PA who has left may do no task for the person: each of their competences not
    already revoked is revoked, with its history entry, so that nothing more is recorded on
    it, no certificate says they are competent, and no work queue or reminder lists it. As
    for a clinician's revocation, the PA, the person's side and the practitioner are told
    (delegation_notices). Returns the competences revoked, each with `told`; `revoked` and
    `told` (everyone sent a message, each once) are set on `assistant` too, for the page."""
    revoked = _revoke_every(
        Competence.objects.filter(assistant=assistant),
        actor=actor,
        what="Revoked: the PA left",
        reason=f"{assistant.full_name} left on {left_on:%-d %B %Y}",
    )
    told = []
    for competence in revoked:
        competence.told = notices.competence_stopped(
            actor=actor, competence=competence, revoke=True
        )
        told += competence.told
    assistant.revoked = revoked
    assistant.told = list(dict.fromkeys(told))
    return revoked


def _revoke_every(competences, *, actor, what: str, reason: str) -> list[Competence]:
    """Revoke each of `competences` not revoked already, at once, each with its history
    entry `what`; returns them."""
    now = timezone.now()
    revoked = list(
        competences.select_for_update(of=("self",))
        .select_related(
            "assistant__user",
            "delegation__task",
            "delegation__budget_holder__user",
            "delegation__practitioner",
        )
        .exclude(status=CompetenceStatus.REVOKED)
        .order_by("created_at")
    )
    for competence in revoked:
        competence.status = CompetenceStatus.REVOKED
        competence.stopped_at = now
        competence.stopped_by = actor
        competence.stopped_reason = reason
        _change(competence, actor=actor, what=what, reason=reason, at=now)
    return revoked


OPEN_STATUSES = (
    CompetenceStatus.IN_PROGRESS,
    CompetenceStatus.SIGNED_OFF,
    CompetenceStatus.SUSPENDED,
)


def withdraw_employer_agreement(*, actor, employer, reason: str) -> list[Competence]:
    """Someone else now legally employs the PAs: the three-way agreement was with the old
    employer. On each open competence of the employer's PAs the employer's agreement is
    cleared (the new employer confirms it for themselves), and a signed-off one is suspended
    at once, as a clinician's suspension is: the PA may not do the task until it is agreed,
    reassessed and signed off again, and the PA, the person's side and the practitioner are
    told. Each gets a history entry. Returns the competences suspended, each with `told`."""
    now = timezone.now()
    competences = list(
        Competence.objects.select_for_update(of=("self",))
        .select_related("delegation__task", "delegation__budget_holder", "assistant__user")
        .filter(assistant__employer=employer, status__in=OPEN_STATUSES)
        .order_by("created_at")
    )
    suspended = []
    for competence in competences:
        agreed = competence.employer_agreed_at is not None
        competence.employer_agreed_at = None
        competence.employer_agreed_by = None
        if competence.status == CompetenceStatus.SIGNED_OFF:
            competence.status = CompetenceStatus.SUSPENDED
            competence.stopped_at = now
            competence.stopped_by = actor
            competence.stopped_reason = reason
            _change(
                competence,
                actor=actor,
                what="Suspended: the employer changed",
                reason=reason,
                at=now,
            )
            competence.told = notices.competence_stopped(
                actor=actor, competence=competence, revoke=False
            )
            suspended.append(competence)
        elif agreed:
            _change(
                competence,
                actor=actor,
                what="Employer's agreement withdrawn: the employer changed",
                reason=reason,
                at=now,
            )
    return suspended


# --- Ending a delegation ----------------------------------------------------------------


def already_ended(delegation: Delegation) -> str:
    who = delegation.ended_by.full_name if delegation.ended_by else "someone else"
    return f"This delegation was already ended by {who} on {delegation.ended_on:%-d %B %Y}"


@transaction.atomic
def end_delegation(*, actor, delegation: Delegation, reason: str) -> Delegation:
    """End a delegation today, at once: whoever may delegate the task for the person may end
    it. Every PA competence under it that is not already revoked is revoked with the same
    reason (a revoked competence is never signed off again, and a new delegation starts
    afresh), each with its history entry, so no PA is covered by it from now on. Ending one
    already ended (a second tab, or another clinician first) changes nothing and says who
    ended it and when. Each PA, the person's side and the practitioner are told
    (delegation_notices); `told` on the delegation returned names those sent a message."""
    require(actor, Permission.DELEGATE_TASK, delegation)
    delegation = (
        Delegation.objects.select_for_update(of=("self",))
        .select_related("ended_by")
        .get(pk=delegation.pk)
    )
    if delegation.ended_on is not None:
        raise Conflict(already_ended(delegation))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the delegation is ending"})
    now = timezone.now()
    delegation.ended_on = timezone.localdate(now)
    delegation.ended_reason = reason
    delegation.ended_by = actor
    delegation.save(update_fields=["ended_on", "ended_reason", "ended_by", "updated_at"])
    revoked = _revoke_every(
        Competence.objects.filter(delegation=delegation),
        actor=actor,
        what="Revoked: the delegation ended",
        reason=reason,
    )
    delegation.told = notices.delegation_ended(actor=actor, delegation=delegation, revoked=revoked)
    return delegation
