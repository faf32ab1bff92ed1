"""Delegated healthcare tasks: the ICB's task catalogue, a person's delegations and the cover
they have, a PA's competence from the three-way agreement to the clinician's sign-off, the
clinician's work queue, the employer's side's list of sign-offs and the PA's own.

Every page loads its record through a scoped selector: another ICB's record, or someone
else's, is a 404. Who may act is the permission of each page (a clinician of the person's ICB
for the clinical steps; the employer's side and the PA each confirm the agreement for
themselves)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.generic import TemplateView

from budgets.services import Conflict
from employers import delegation_selectors as selectors
from employers.delegation_forms import (
    AgreeForm,
    AssessmentForm,
    DelegationForm,
    EndDelegationForm,
    SignOffForm,
    StartCompetenceForm,
    StopForm,
    TaskForm,
    TrainingDeliveredForm,
)
from employers.models import (
    CompetenceStatus,
    Delegation,
    PersonalAssistant,
    PersonalAssistantStatus,
    TrainingModule,
)
from employers.services import delegation as services
from employers.views.own import OwnPaPage
from phb.components import render_component
from phb.permissions import Permission
from phb.presenters import hidden_caption
from phb.rules import is_own_record
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

STATUS_TAG = {
    CompetenceStatus.IN_PROGRESS: "nhsuk-tag--blue",
    CompetenceStatus.SIGNED_OFF: "nhsuk-tag--green",
    CompetenceStatus.SUSPENDED: "nhsuk-tag--orange",
    CompetenceStatus.REVOKED: "nhsuk-tag--red",
}


def status_text(competence, today) -> str:
    """The competence's state in plain words, true in every state."""
    if competence.status == CompetenceStatus.SIGNED_OFF:
        if competence.review_on < today:
            return f"Not current: the review was due by {competence.review_on:%-d %B %Y}"
        return f"Signed off, review by {competence.review_on:%-d %B %Y}"
    return competence.get_status_display()


# What each state means for the PA, said beside the tag on the competence's page (the tag
# already names the state).
STATE_MEANS = {
    CompetenceStatus.IN_PROGRESS: "Not signed off yet: {pa} may not do this task until a "
    "practitioner signs them off.",
    CompetenceStatus.SUSPENDED: "{pa} may not do this task until they are assessed and signed "
    "off again.",
    CompetenceStatus.REVOKED: "{pa} may no longer do this task.",
}


def _left(competence) -> str:
    """Said of a PA signed off, or still being assessed, who has since left (leaving revokes
    the competence): they no longer do the task. A competence revoked before they left keeps
    its own reason."""
    assistant = competence.assistant
    if assistant.status != PersonalAssistantStatus.LEFT or (
        competence.status == CompetenceStatus.REVOKED
        and timezone.localdate(competence.stopped_at) < assistant.left_on
    ):
        return ""
    return (
        f"{assistant.full_name} left on {assistant.left_on:%-d %B %Y}, so they no longer do "
        f"{competence.delegation.task.name} for {competence.delegation.budget_holder.full_name}."
    )


def state_means(competence, today) -> str:
    if left := _left(competence):
        return left
    if competence.status == CompetenceStatus.SIGNED_OFF:
        if competence.review_on < today:
            return (
                f"The review was due by {competence.review_on:%-d %B %Y}: "
                f"{competence.assistant.full_name} may not do this task until they are "
                "signed off again."
            )
        return f"Competent. Review by {competence.review_on:%-d %B %Y}."
    words = STATE_MEANS[competence.status].format(pa=competence.assistant.full_name)
    if competence.signed_off_at is None:  # never signed off: not "again"
        words = words.replace(" again.", ".")
    return words


def status_tag(competence, today) -> str:
    if _left(competence):
        return render_component("tag", {"text": "PA has left", "classes": "nhsuk-tag--grey"})
    lapsed = competence.status == CompetenceStatus.SIGNED_OFF and competence.review_on < today
    return render_component(
        "tag",
        {
            "text": "Review overdue" if lapsed else competence.get_status_display(),
            "classes": "nhsuk-tag--red" if lapsed else STATUS_TAG[competence.status],
        },
    )


def competences_table(competences, *, caption, today, task=True, person=False, pa=True) -> dict:
    head = []
    head += [{"text": "Person"}] if person else []
    head += [{"text": "Task"}] if task else []
    head += [{"text": "PA"}] if pa else []
    head += [{"text": "Where it stands"}]
    rows = []
    for competence in competences:
        link = reverse("employers:competence", args=[competence.pk])
        row = []
        row += [{"text": competence.delegation.budget_holder.full_name}] if person else []
        row += [{"text": competence.delegation.task.name}] if task else []
        row += [{"text": competence.assistant.full_name}] if pa else []
        row[0] = {"html": f'<a href="{link}">{escape(row[0]["text"])}</a>'}
        row += [{"text": status_text(competence, today)}]
        rows.append(row)
    return {"caption": hidden_caption(caption), "head": head, "rows": rows}


def cover_table(cover, *, link: bool) -> dict:
    """Every task delegated for the person, and the PAs signed off for it today; none is a
    gap in cover."""
    rows = []
    for row in cover:
        delegation = row["delegation"]
        name = escape(delegation.task.name)
        url = reverse("employers:delegation", args=[delegation.pk])
        who = ", ".join(pa.full_name for pa in row["competent"])
        rows.append(
            [
                {"html": f'<a href="{url}">{name}</a>'} if link else {"text": delegation.task.name},
                {"text": who}
                if who
                else {"html": "<strong>No cover:</strong> no PA is signed off for this task now"},
            ]
        )
    return {
        "caption": "Who is signed off for each task today",
        "head": [{"text": "Task"}, {"text": "PAs signed off now"}],
        "rows": rows,
    }


def ended_sentence(delegation: Delegation) -> str:
    """How a delegation ended, in plain words (for its page and its printed record)."""
    return (
        f"{delegation.ended_by.full_name} ended this delegation on "
        f"{delegation.ended_on:%-d %B %Y}: {delegation.ended_reason.rstrip('.')}. No PA may do "
        f"{delegation.task.name} for {delegation.budget_holder.full_name} under it."
    )


def delegation_rows(delegation) -> list[dict]:
    pairs = (
        ("How it applies", delegation.how_it_applies),
        ("The person's choice", delegation.persons_choice),
        ("Consent given", f"{delegation.consent_given_on:%-d %B %Y}"),
        ("Stability", delegation.stability),
        ("Complexity", delegation.complexity),
        ("Risk", delegation.get_risk_level_display()),
        ("Benefits", delegation.benefits),
        (
            "Practitioner",
            f"{delegation.practitioner.full_name}, {delegation.professional_body} registration "
            f"{delegation.registration_number}",
        ),
    )
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in pairs]


def and_list(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def told_sentence(done: str, told: list[str]) -> str:
    """`done`, and who was sent a message about it, or that nobody could be."""
    if not told:
        return f"{done}. Nobody had an email address or phone number to send a message to"
    return f"{done}. A message has been sent to {and_list(told)}"


class FormPage(PermissionRequiredMixin, TemplateView):
    """A form whose values go to one service: errors in the NHS.UK way, nothing saved on bad
    input, and a message saying what happened."""

    template_name = "employers/delegation/form_page.html"
    object_required = True
    done = ""
    page_title = ""
    button_text = "Save"
    intro = ""

    def form_kwargs(self) -> dict:
        return {}

    def make_form(self, data=None):
        return self.form_class(data, **self.form_kwargs())

    def back_url(self) -> str:
        return self.done_url()

    def conflict_url(self) -> str:
        """Where to show what happened when someone else acted first."""
        return self.back_url()

    def done_message(self) -> str:
        """What to say once `save` has run."""
        return self.done

    def refused(self) -> str:
        """Why this user may not do this at all (said instead of the form), or ""."""
        return ""

    def post(self, request, *args, **kwargs):
        if refusal := self.refused():
            return conflict_redirect(request, refusal, self.back_url())
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.conflict_url())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done_message())
                return redirect(result or self.done_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.make_form())
        return super().get_context_data(**kwargs) | {
            "page_title": self.page_title,
            "button_text": self.button_text,
            "intro": self.intro,
            "refusal": self.refused(),
            "back_url": self.back_url(),
        }


# --- The ICB's catalogue ----------------------------------------------------------------


class CatalogueMixin:
    permission = Permission.MANAGE_DELEGATED_TASKS

    def get_permission_object(self):
        return self.request.user.acting_organisation


class TaskListView(CatalogueMixin, PermissionRequiredMixin, TemplateView):
    template_name = "employers/delegation/tasks.html"
    object_required = True

    def get_context_data(self, **kwargs):
        tasks = list(selectors.tasks_of_icb(self.request.user))
        rows = [
            [
                {
                    "html": f'<a href="{reverse("employers:delegated_task", args=[task.pk])}">'
                    f"{escape(task.name)}</a>"
                },
                {"text": task.get_risk_level_display()},
                {"text": ", ".join(m.name for m in task.required_training.all()) or "None"},
                {"text": f"{task.review_months} months"},
            ]
            for task in tasks
        ]
        return super().get_context_data(**kwargs) | {
            "table": {
                "caption": hidden_caption("Delegated healthcare tasks"),
                "head": [
                    {"text": "Task"},
                    {"text": "Risk"},
                    {"text": "Training needed first"},
                    {"text": "Review every"},
                ],
                "rows": rows,
            },
            "tasks": tasks,
            "may_sign_off": self.request.user.has_perm(Permission.SIGN_OFF_COMPETENCE, self.object),
        }


class TaskFormMixin(CatalogueMixin):
    form_class = TaskForm

    def form_kwargs(self):
        return {"modules": TrainingModule.objects.visible_to(self.request.user).filter(active=True)}

    def done_url(self):
        return reverse("employers:delegated_tasks")


class TaskAddView(TaskFormMixin, FormPage):
    page_title = "Add a delegated healthcare task"
    button_text = "Add the task"
    done = "The task has been added"

    def save(self, form):
        services.add_task(actor=self.request.user, organisation=self.object, details=form.details())


class TaskChangeView(TaskFormMixin, FormPage):
    page_title = "Change a delegated healthcare task"
    done = "The task has been changed"

    def get_permission_object(self):
        self.task = selectors.task_for(self.request.user, self.kwargs["pk"])
        return self.task

    def form_kwargs(self):
        return super().form_kwargs() | {"task": self.task}

    def make_form(self, data=None):
        initial = TaskForm.initial_for(self.task) if data is None else None
        return self.form_class(data, initial=initial, **self.form_kwargs())

    def conflict_url(self) -> str:
        # Changed by a colleague since: the page again, showing the task as it is now.
        return self.request.path

    def get_context_data(self, **kwargs):
        # The task's name above the heading, and in the title: each task's page has its own.
        return super().get_context_data(**kwargs) | {"caption": self.task.name}

    @property
    def intro(self) -> str:
        people = services.people_delegated_for(self.task)
        if not people:
            return ""
        return (
            f"{services.delegated_sentence(self.task, people)}. To change what is delegated, "
            "add a new task."
        )

    def save(self, form):
        services.change_task(
            actor=self.request.user,
            task=self.task,
            details=form.details(),
            seen_updated_at=form.cleaned_data["seen"],
        )


# --- A person's delegations -------------------------------------------------------------


class PersonDelegationsView(PermissionRequiredMixin, TemplateView):
    """For staff of the person's ICB: the tasks delegated for them and who covers each."""

    permission = Permission.VIEW_DELEGATIONS
    object_required = True
    access_log = "delegated tasks"
    template_name = "employers/delegation/person.html"

    def get_permission_object(self):
        return selectors.person_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        holder = self.object
        cover = selectors.cover(holder, on=timezone.localdate())
        return super().get_context_data(**kwargs) | {
            "person": holder,
            "cover": cover,
            "cover_table": cover_table(cover, link=True),
            "ended": list(selectors.ended_delegations_of(holder)),
            "may_delegate": self.request.user.has_perm(Permission.DELEGATE_TASK, holder),
        }


class DelegationAddView(FormPage):
    permission = Permission.DELEGATE_TASK
    access_log = "delegated tasks"
    form_class = DelegationForm
    page_title = "Delegate a healthcare task"
    button_text = "Delegate the task"
    done = "The task has been delegated"

    def get_permission_object(self):
        return selectors.person_for(self.request.user, self.kwargs["pk"])

    def form_kwargs(self):
        return {"tasks": selectors.tasks_of_icb(self.request.user).filter(active=True)}

    def done_url(self):
        return reverse("employers:person_delegations", args=[self.object.pk])

    def save(self, form):
        delegation = services.delegate_task(
            actor=self.request.user, budget_holder=self.object, details=form.details()
        )
        return reverse("employers:delegation", args=[delegation.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"caption": self.object.full_name}


class DelegationView(PermissionRequiredMixin, TemplateView):
    """The delegation record: for staff of the person's ICB and the employer's side."""

    permission = Permission.VIEW_DELEGATIONS
    object_required = True
    access_log = "delegated task"
    template_name = "employers/delegation/delegation.html"

    def get_permission_object(self):
        return selectors.delegation_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        delegation = self.object
        today = timezone.localdate()
        competences = list(
            delegation.competences.select_related("assistant", "signed_off_by", "delegation__task")
            .select_related("delegation__budget_holder")
            .order_by("assistant__full_name", "-created_at")
        )
        return super().get_context_data(**kwargs) | {
            "delegation": delegation,
            "rows": delegation_rows(delegation),
            "table": competences_table(
                competences, caption="PAs for this task", today=today, task=False
            ),
            "competences": competences,
            "ended": ended_sentence(delegation) if delegation.ended_on else "",
            "may_delegate": delegation.ended_on is None
            and self.request.user.has_perm(Permission.DELEGATE_TASK, delegation),
            "is_staff": self.request.user.is_staff_member,
        }


class EndDelegationView(FormPage):
    """Ending a delegation, by whoever may delegate the task for the person: it takes effect
    at once, and every PA's competence under it is revoked with the same reason."""

    permission = Permission.DELEGATE_TASK
    access_log = "delegated task"
    form_class = EndDelegationForm
    page_title = "End this delegation"
    button_text = "End the delegation"
    done = "The delegation has ended: no PA may do the task under it"

    def get_permission_object(self):
        return selectors.delegation_for(self.request.user, self.kwargs["pk"])

    def done_url(self):
        return reverse("employers:delegation", args=[self.object.pk])

    def get(self, request, *args, **kwargs):
        if self.object.ended_on is not None:
            return conflict_redirect(
                request, Conflict(services.already_ended(self.object)), self.done_url()
            )
        return super().get(request, *args, **kwargs)

    def save(self, form):
        self.told = services.end_delegation(
            actor=self.request.user, delegation=self.object, reason=form.cleaned_data["reason"]
        ).told

    def done_message(self) -> str:
        return told_sentence(self.done, self.told)

    def get_context_data(self, **kwargs):
        delegation = self.object
        names = [
            competence.assistant.full_name
            for competence in delegation.competences.select_related("assistant")
            .exclude(status=CompetenceStatus.REVOKED)
            .order_by("assistant__full_name")
        ]
        task, person = delegation.task.name, delegation.budget_holder.full_name
        if names:
            records = (
                f"The competence record of {names[0]} for this task is"
                if len(names) == 1
                else f"The competence records of {', '.join(names[:-1])} and {names[-1]} for "
                "this task are"
            )
            what = (
                f"{records} revoked at the same time, so from today no PA may do {task} for "
                f"{person} under this delegation."
            )
        else:
            what = "No PA has an open competence record for this task, so none is revoked."
        return super().get_context_data(**kwargs) | {
            "caption": f"{task} for {person}",
            "intro": f"The delegation ends today, {timezone.localdate():%-d %B %Y}. {what} "
            "To delegate the task again later, start a new delegation.",
        }


class CompetenceStartView(FormPage):
    permission = Permission.DELEGATE_TASK
    access_log = "delegated task"
    form_class = StartCompetenceForm
    page_title = "Start a PA's competence record"
    button_text = "Start"
    done = "The competence record has been started"

    def get_permission_object(self):
        return selectors.delegation_for(self.request.user, self.kwargs["pk"])

    def form_kwargs(self):
        return {
            "assistants": PersonalAssistant.objects.visible_to(self.request.user)
            .employed()
            .filter(employer__budget_holder_id=self.object.budget_holder_id)
            .order_by("full_name")
        }

    def done_url(self):
        return reverse("employers:delegation", args=[self.object.pk])

    def save(self, form):
        competence = services.start_competence(
            actor=self.request.user, delegation=self.object, assistant=form.chosen_assistant()
        )
        return reverse("employers:competence", args=[competence.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "caption": f"{self.object.task.name} for {self.object.budget_holder.full_name}"
        }


# --- One PA's competence ----------------------------------------------------------------


class CompetenceMixin:
    access_log = "delegated task"
    object_required = True

    def get_permission_object(self):
        self.competence = selectors.competence_for(self.request.user, self.kwargs["pk"])
        return self.competence

    def person_id_for_log(self, obj):
        return obj.delegation.budget_holder_id if obj is not None else self.kwargs["pk"]

    def competence_url(self):
        return reverse("employers:competence", args=[self.competence.pk])

    def done_url(self):
        return self.competence_url()

    def get_context_data(self, **kwargs):
        competence = self.competence
        return super().get_context_data(**kwargs) | {
            "competence": competence,
            "caption": f"{competence.assistant.full_name}: {competence.delegation.task.name} "
            f"for {competence.delegation.budget_holder.full_name}",
        }


def party_of(user, competence) -> str:
    """Which side of the three-way agreement this user is: support staff who act for a
    managed-account organisation that employs the PA are on the employer's side."""
    if competence.assistant.user_id == user.pk:
        return "pa"
    if is_own_record(user, competence):
        return "employer"
    if not user.has_perm(Permission.SIGN_OFF_COMPETENCE, competence) and user.has_perm(
        Permission.AGREE_AS_EMPLOYER, competence
    ):
        return "employer"
    return "practitioner"


class CompetenceView(CompetenceMixin, PermissionRequiredMixin, TemplateView):
    permission = Permission.VIEW_DELEGATIONS
    template_name = "employers/delegation/competence.html"

    def get_context_data(self, **kwargs):
        competence = self.competence
        user = self.request.user
        today = timezone.localdate()
        party = party_of(user, competence)
        clinician = user.has_perm(Permission.SIGN_OFF_COMPETENCE, competence)
        open_ = competence.status != CompetenceStatus.REVOKED
        agreed = {
            "practitioner": competence.practitioner_agreed_at,
            "employer": competence.employer_agreed_at,
            "pa": competence.pa_agreed_at,
        }
        practitioner = services.is_the_practitioner(user, competence)
        may_agree = (
            open_
            and agreed[party] is None
            and user.has_perm(services.AGREEING_PARTIES[party], competence)
            and (party != "practitioner" or practitioner)
        )
        gaps = services.sign_off_gaps(competence, on=today) if clinician and open_ else []
        return super().get_context_data(**kwargs) | {
            "status_tag": status_tag(competence, today),
            "state_means": state_means(competence, today),
            "changes": list(selectors.changes_of(competence)),
            "may_agree": may_agree,
            "clinician": clinician and open_,
            "may_sign_off": clinician and open_ and practitioner and not gaps,
            "only_the_practitioner": services.only_the_practitioner(
                competence, may="confirm the practitioner's agreement and sign a PA off for it."
            )
            if clinician and open_ and not practitioner
            else "",
            "gaps": gaps,
            "is_pa": party == "pa",
            "is_staff": user.is_staff_member,
        }


class AgreeView(CompetenceMixin, FormPage):
    # Seeing the competence is the least anyone agreeing needs; the permission of the side
    # the user is on (practitioner, employer or PA) replaces it once the record is found.
    permission = Permission.VIEW_DELEGATIONS
    form_class = AgreeForm
    page_title = "Confirm the three-way agreement"
    button_text = "Confirm"
    done = "Your agreement has been recorded"

    def get_permission_object(self):
        competence = super().get_permission_object()
        if competence is not None:
            self.party = party_of(self.request.user, competence)
            self.permission = services.AGREEING_PARTIES[self.party]
        return competence

    def save(self, form):
        services.confirm_agreement(
            actor=self.request.user, competence=self.competence, party=self.party
        )

    def refused(self) -> str:
        if self.party == "practitioner" and not services.is_the_practitioner(
            self.request.user, self.competence
        ):
            return services.only_the_practitioner(
                self.competence, may="confirm the practitioner's agreement."
            )
        return ""

    def get_context_data(self, **kwargs):
        delegation = self.competence.delegation
        return super().get_context_data(**kwargs) | {
            "intro": f"{delegation.practitioner.full_name} ({delegation.professional_body} "
            f"{delegation.registration_number}) delegates {delegation.task.name} to "
            f"{self.competence.assistant.full_name} for {delegation.budget_holder.full_name}. "
            "The practitioner trains and assesses the PA, and signs them off when they are "
            "competent; the employer and the PA agree to the PA doing the task.",
        }


class ClinicalStep(CompetenceMixin, FormPage):
    """A clinician's step on the competence: the page carries the version it was drawn from,
    so that one sent from an older page (or sent twice) records nothing."""

    permission = Permission.SIGN_OFF_COMPETENCE

    def make_form(self, data=None):
        initial = {"lock_version": self.competence.lock_version} if data is None else None
        return self.form_class(data, initial=initial, **self.form_kwargs())


class TrainingDeliveredView(ClinicalStep):
    form_class = TrainingDeliveredForm
    page_title = "Record the task training"
    done = "The training has been recorded"

    def save(self, form):
        services.record_training(
            actor=self.request.user,
            competence=self.competence,
            delivered_on=form.cleaned_data["delivered_on"],
            delivered_by=form.cleaned_data["delivered_by"],
            lock_version=form.cleaned_data["lock_version"],
        )


class AssessmentView(ClinicalStep):
    form_class = AssessmentForm
    page_title = "Record the competence assessment"
    done = "The assessment has been recorded"

    def save(self, form):
        self.told = services.record_assessment(
            actor=self.request.user,
            competence=self.competence,
            assessed_on=form.cleaned_data["assessed_on"],
            observations=form.cleaned_data["observations"],
            passed=form.cleaned_data["passed"] == "yes",
            lock_version=form.cleaned_data["lock_version"],
        ).told

    def done_message(self) -> str:
        # Only a signed-off PA found not yet competent is taken off the task, and told.
        return told_sentence(self.done, self.told) if self.told else self.done


class SignOffView(ClinicalStep):
    form_class = SignOffForm
    page_title = "Sign off the PA as competent"
    button_text = "Sign off"
    done = "The PA has been signed off"

    def form_kwargs(self):
        return {"user": self.request.user}

    def refused(self) -> str:
        if not services.is_the_practitioner(self.request.user, self.competence):
            return services.only_the_practitioner(self.competence, may="sign off a PA for it.")
        return ""

    def save(self, form):
        services.sign_off(
            actor=self.request.user,
            competence=self.competence,
            review_on=form.cleaned_data["review_on"],
            lock_version=form.cleaned_data["lock_version"],
        )

    def get_context_data(self, **kwargs):
        competence, today = self.competence, timezone.localdate()
        gaps = services.sign_off_gaps(competence, on=today)
        accountable = (
            "You stay accountable for delegating this task. Sign off only if you have seen the "
            "PA do it competently."
        )
        if gaps:
            # No review date can be given yet: the page says what stands in the way.
            return super().get_context_data(**kwargs) | {"intro": accountable, "gaps": gaps}
        latest = services.add_months(today, competence.delegation.task.review_months)
        limit = f"no later than {latest:%-d %B %Y}."
        # The same limits as the sign-off enforces: the task's interval, and the training.
        expiring = services.training_expiring_first(competence, on=today)
        if expiring is not None and expiring.expires_on < latest:
            limit = (
                f"no later than {expiring.expires_on:%-d %B %Y}, when "
                f"{competence.assistant.full_name}'s training record for "
                f"{expiring.module.name} runs out."
            )
        return super().get_context_data(**kwargs) | {
            "intro": f"{accountable} The review date must be in the future and {limit}",
            "gaps": gaps,
        }


class StopView(ClinicalStep):
    form_class = StopForm
    page_title = "Suspend or revoke the competence"
    button_text = "Continue"
    done = "The competence has been stopped: the PA must not do this task now"

    def save(self, form):
        self.told = services.stop_competence(
            actor=self.request.user,
            competence=self.competence,
            revoke=form.cleaned_data["action"] == "revoke",
            reason=form.cleaned_data["reason"],
            lock_version=form.cleaned_data["lock_version"],
        ).told

    def done_message(self) -> str:
        return told_sentence(self.done, self.told)


# --- Work queue, the employer's side and the PA -----------------------------------------


class WorkQueueView(PermissionRequiredMixin, TemplateView):
    """A clinician's work in their ICB: sign-offs waiting, reviews due, assessments going on."""

    permission = Permission.SIGN_OFF_COMPETENCE
    object_required = True
    template_name = "employers/delegation/queue.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        queue = selectors.work_queue(self.request.user, on=today)
        tables = {
            name: competences_table(rows, caption=caption, today=today, person=True)
            for name, rows, caption in (
                ("waiting", queue["waiting"], "Sign-offs waiting"),
                ("due", queue["due"], "Reviews due within 28 days or overdue"),
                ("in_progress", queue["in_progress"], "Assessments in progress"),
            )
        }
        return super().get_context_data(**kwargs) | {"queue": queue, "tables": tables}


def sign_off_sentence(competence, today, *, to_pa=False) -> str:
    """What a budget holder or PA needs to know about one competence, in plain English: said
    to the PA themself ("You were signed off…") on their own page."""
    pa = "You" if to_pa else competence.assistant.full_name
    was, is_ = ("were", "are") if to_pa else ("was", "is")
    task = competence.delegation.task.name
    if _left(competence):
        left_on = f"{competence.assistant.left_on:%-d %B %Y}"
        if to_pa:
            return f"You left this job on {left_on}: you must not do {task} there any more."
        return f"{pa} left on {left_on}, so they must not do {task} any more."
    if competence.status == CompetenceStatus.SIGNED_OFF:
        if competence.review_on < today:
            return (
                f"{pa} must not do {task} now: the review was due by "
                f"{competence.review_on:%-d %B %Y} and has not been done."
            )
        return (
            f"{pa} {was} signed off for {task} by {competence.signed_off_by.full_name} on "
            f"{timezone.localtime(competence.signed_off_at):%-d %B %Y}. The next review is due by "
            f"{competence.review_on:%-d %B %Y}."
        )
    if competence.status == CompetenceStatus.SUSPENDED:
        return f"{pa} must not do {task} now: it was suspended ({competence.stopped_reason})."
    if competence.status == CompetenceStatus.REVOKED:
        return f"{pa} must not do {task}: it was revoked ({competence.stopped_reason})."
    return f"{pa} {is_} being trained and assessed for {task}, and must not do it yet."


class EmployerSignOffsView(PermissionRequiredMixin, TemplateView):
    """For the budget holder or their representative: their PAs' sign-offs."""

    permission = Permission.VIEW_OWN_EMPLOYMENT
    object_required = True
    access_log = "sign-offs"
    template_name = "employers/delegation/sign_offs.html"

    def get_permission_object(self):
        return selectors.employer_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        return obj.budget_holder_id if obj is not None else self.kwargs["pk"]

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        competences = list(selectors.competences_of_employer(self.object))
        return super().get_context_data(**kwargs) | {
            "page_title": "Your PAs' healthcare tasks",
            "sentences": [(c, sign_off_sentence(c, today)) for c in competences],
            "own": False,
        }


class OwnSignOffsView(OwnPaPage):
    """'Your sign-offs': the signed-in PA's own, and nobody else's."""

    template_name = "employers/delegation/sign_offs.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        competences = list(selectors.own_competences(self.request.user))
        return super().get_context_data(**kwargs) | {
            "page_title": "Your sign-offs",
            "sentences": [(c, sign_off_sentence(c, today, to_pa=True)) for c in competences],
            "own": True,
        }
