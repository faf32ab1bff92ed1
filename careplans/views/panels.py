"""Approval panel pages: the sessions, a session and its agenda, the panel pack, the fast
decision screen, the summary after the session, and the ICB's approval policy."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from budgets.presenters import explain_budget
from budgets.services import Conflict
from careplans import panel_presenters as present
from careplans import panel_selectors as selectors
from careplans.models import DecisionOutcome, PanelSessionStatus, PlanStatus
from careplans.panel_forms import (
    AgendaAddForm,
    ApprovalPolicyForm,
    AttendanceForm,
    ConflictForm,
    DecisionForm,
    PanelSessionForm,
)
from careplans.services import ItemChoice, budget_cannot_take_the_plan, decide_plan, policy_for
from careplans.services import panels as services
from careplans.services.plans import OVER_BUDGET_NEXT, over_budget, written_words
from phb.nhsuk_forms import field_component
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 20


class SessionListView(PermissionRequiredMixin, TemplateView):
    """The ICB's panel sessions, upcoming or past."""

    permission = Permission.VIEW_PLAN
    template_name = "careplans/panels/session_list.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        user = self.request.user
        when = selectors.PAST if self.request.GET.get("when") == selectors.PAST else "upcoming"
        ids = selectors.sessions(user, when).values_list("pk", flat=True)
        page = Paginator(ids, PAGE_SIZE).get_page(self.request.GET.get("page"))
        page.object_list = selectors.session_rows(list(page.object_list))
        return super().get_context_data(**kwargs) | {
            "when": when,
            "page": page,
            "table": present.sessions_table(page.object_list, past=when == selectors.PAST),
            "can_manage": user.has_perm(Permission.MANAGE_PANELS, user.acting_organisation),
            "can_edit_policy": user.has_perm(
                Permission.EDIT_APPROVAL_POLICY, user.acting_organisation
            ),
            "organisation": user.acting_organisation,
        }


class SessionMixin(PermissionRequiredMixin):
    """A page about one panel session of the ICB the user acts for; anything else is a 404."""

    object_required = True
    permission = Permission.VIEW_PLAN

    def get_permission_object(self):
        return selectors.session_for(self.request.user, self.kwargs["pk"])

    @property
    def session(self):
        return self.object

    def session_url(self):
        return reverse("careplans:panel_session", args=[self.session.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"session": self.session}


class FormPageMixin:
    """GET shows the form; POST checks it, calls `save`, and goes back to the session."""

    done = ""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.conflict_url(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done)
                return redirect(self.success_url(result))
        return self.render_to_response(self.get_context_data(form=form))

    def success_url(self, result):
        return self.session_url()

    def conflict_url(self, error):
        return self.session_url()


class SessionView(SessionMixin, TemplateView):
    template_name = "careplans/panels/session.html"

    def get_context_data(self, **kwargs):
        user, session = self.request.user, self.session
        items = selectors.agenda(session)
        present_count, _, needed = services.quorum_for(session)
        can_manage = user.has_perm(Permission.MANAGE_PANELS, session)
        can_decide = user.has_perm(Permission.DECIDE_AT_PANEL, session)
        upcoming = next((i for i in items if i.version.status == PlanStatus.SUBMITTED), None)
        return super().get_context_data(**kwargs) | {
            "tag": present.session_tag(session),
            "quorum_text": present.quorum_text(present_count, needed),
            "next_item": upcoming,
            "can_declare": can_decide and session.status != PanelSessionStatus.CLOSED,
            "agenda": items,
            "agenda_table": present.agenda_table(
                session, items, can_manage=can_manage, request=self.request
            ),
            "details": present.session_rows(session),
            "members_table": present.members_table(session),
            "conflicts": list(session.conflicts.all()),
            "present_count": present_count,
            "needed": needed,
            "can_manage": can_manage,
            "can_decide": can_decide and session.status == PanelSessionStatus.IN_PROGRESS,
            "decided": sum(
                1
                for item in items
                if getattr(item.version, "decision", None) is not None
                and item.version.decision.session_id == session.pk
            ),
        }


class SessionFormMixin(FormPageMixin):
    template_name = "careplans/panels/form.html"

    def people(self, organisation):
        return list(services.eligible_members(organisation))

    def details(self, form):
        data = form.cleaned_data
        people = {str(person.pk): person for person in self.people(self.organisation())}
        return {
            "date": data["date"],
            "starts_at": data["starts_at"],
            "place": data["place"],
            "call_link": data["call_link"],
            "chair": people[data["chair"]],
            "members": [people[pk] for pk in data["members"]],
        }


class SessionCreateView(SessionFormMixin, PermissionRequiredMixin, TemplateView):
    permission = Permission.MANAGE_PANELS
    done = "The panel session has been set up. Now add plans to its agenda."
    extra_context = {"page_title": "Set up a panel session", "button_text": "Set up the session"}

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def organisation(self):
        return self.request.user.acting_organisation

    def session_url(self):
        return reverse("careplans:panel_sessions")

    def make_form(self, data):
        return PanelSessionForm(data, people=self.people(self.organisation()))

    def get_context_data(self, **kwargs):
        quorum = policy_for(self.organisation()).panel_quorum
        return super().get_context_data(**kwargs) | {
            "intro": f"Your ICB's panels need {quorum} members present to decide a plan, "
            "not counting anyone with a conflict of interest in it.",
        }

    def save(self, form):
        return services.set_up_session(actor=self.request.user, **self.details(form))

    def success_url(self, result):
        return reverse("careplans:panel_session", args=[result.pk])

    def conflict_url(self, error):
        # Set up already (a second click): show the session that was.
        if isinstance(error, services.SameSession):
            return reverse("careplans:panel_session", args=[error.session.pk])
        return super().conflict_url(error)


class SessionEditView(SessionFormMixin, SessionMixin, TemplateView):
    permission = Permission.MANAGE_PANELS
    done = "The panel session has been changed"
    extra_context = {"page_title": "Change the panel session", "button_text": "Save changes"}

    def organisation(self):
        return self.session.organisation

    def make_form(self, data):
        session = self.session
        initial = {
            "date": session.date,
            "starts_at": session.starts_at.strftime("%H:%M"),
            "place": session.place,
            "call_link": session.call_link,
            "chair": str(session.chair_id),
            "members": [str(m.member_id) for m in session.memberships.all()],
            "seen_updated_at": session.updated_at.isoformat(),
        }
        return PanelSessionForm(
            data, initial=initial, people=self.people(session.organisation), editing=True
        )

    def save(self, form):
        return services.edit_session(
            actor=self.request.user,
            session=self.session,
            seen_updated_at=form.cleaned_data["seen_updated_at"],
            **self.details(form),
        )


class AgendaAddView(FormPageMixin, SessionMixin, TemplateView):
    permission = Permission.MANAGE_PANELS
    template_name = "careplans/panels/form.html"
    done = "The plans have been added to the agenda"
    extra_context = {"page_title": "Add plans to the agenda", "button_text": "Add to the agenda"}

    def waiting(self):
        return {str(v.pk): v for v in selectors.waiting_for_a_panel(self.session)}

    def make_form(self, data):
        choices = [(pk, present.plan_label(version)) for pk, version in self.waiting().items()]
        return AgendaAddForm(data, waiting=choices)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        waiting = form is not None and bool(form.fields["versions"].choices)
        return super().get_context_data(**kwargs) | {
            "intro": "Only plans submitted for a decision that cost more than a PHB lead may "
            "sign off are listed."
            if waiting
            else "No plans are waiting for a panel.",
            # Nothing to choose: no form to send (and no error to link to a box not shown).
            "nothing_to_choose": not waiting,
        }

    def save(self, form):
        waiting = self.waiting()
        return services.add_all_to_agenda(
            actor=self.request.user,
            session=self.session,
            versions=[waiting[pk] for pk in form.cleaned_data["versions"]],
        )


class AgendaActionView(SessionMixin, View):
    """A button on the session page: move a plan up or down the agenda, or take it off."""

    permission = Permission.MANAGE_PANELS

    def post(self, request, *args, **kwargs):
        item = selectors.agenda_item(self.session, kwargs["version"])
        if item is None:
            raise Http404("Not found")
        action = request.POST.get("action")
        try:
            if action == "remove":
                services.remove_from_agenda(actor=request.user, session=self.session, item=item)
                messages.success(request, "The plan has been taken off the agenda")
            else:
                services.move_on_agenda(
                    actor=request.user, session=self.session, item=item, direction=action
                )
        except (Conflict, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(self.session_url() + "#agenda")


class AttendanceView(FormPageMixin, SessionMixin, TemplateView):
    permission = Permission.MANAGE_PANELS
    template_name = "careplans/panels/form.html"
    done = "Attendance has been recorded"
    extra_context = {"page_title": "Who is at the panel", "button_text": "Save attendance"}

    def make_form(self, data):
        memberships = list(self.session.memberships.all())
        return AttendanceForm(
            data,
            initial={
                "present": [str(m.member_id) for m in memberships if m.present],
                "seen_updated_at": self.session.updated_at,
            },
            members=[m.member for m in memberships],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "intro": f"This panel needs {self.session.quorum} members here to decide a plan, "
            "not counting anyone with a conflict of interest in it."
        }

    def save(self, form):
        return services.record_attendance(
            actor=self.request.user,
            session=self.session,
            present=form.cleaned_data["present"],
            seen_updated_at=form.cleaned_data["seen_updated_at"],
        )


class SessionActionView(SessionMixin, View):
    """Start or close the session (a button on its page)."""

    permission = Permission.MANAGE_PANELS
    action = None
    done = ""
    then = "careplans:panel_session"

    def post(self, request, *args, **kwargs):
        try:
            type(self).action(actor=request.user, session=self.session)
        except Conflict as error:
            return conflict_redirect(request, error, self.session_url())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.session_url())
        messages.success(request, self.done)
        return redirect(self.then, pk=self.session.pk)


class StartView(SessionActionView):
    action = services.start_session
    done = "The panel has started. Members who are here can now decide the plans."


class CloseView(SessionActionView):
    action = services.close_session
    done = "The panel session is closed"
    then = "careplans:panel_summary"


class ConflictView(FormPageMixin, SessionMixin, TemplateView):
    """A member declares a conflict of interest in a plan on the agenda."""

    permission = Permission.DECIDE_AT_PANEL
    template_name = "careplans/panels/form.html"
    done = "Your conflict of interest has been recorded. You will not decide that plan."
    extra_context = {
        "page_title": "Declare a conflict of interest",
        "button_text": "Declare the conflict",
        "intro": "You take no part in deciding a plan you have a conflict of interest in. "
        "The panel's quorum for that plan does not count you.",
    }

    def plans(self):
        """The plans on the agenda still to be decided: a conflict in a decided one changes
        nothing."""
        return {
            str(item.version_id): item.version
            for item in selectors.agenda(self.session)
            if item.version.status == PlanStatus.SUBMITTED
        }

    def make_form(self, data):
        choices = [(pk, present.plan_label(v)) for pk, v in self.plans().items()]
        return ConflictForm(data, plans=choices)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form")
        if form is not None and len(form.fields["version"].choices) > 1:  # past "Choose"
            return super().get_context_data(**kwargs)
        return super().get_context_data(**kwargs) | {
            "intro": "There are no plans on the agenda still to be decided.",
            "nothing_to_choose": True,
        }

    def save(self, form):
        return services.declare_conflict(
            actor=self.request.user,
            session=self.session,
            version=self.plans()[form.cleaned_data["version"]],
            reason=form.cleaned_data["reason"],
        )


class PlanOnAgendaMixin(SessionMixin):
    """A page about one plan on a session's agenda: it is a view of the person's plan, so it
    is logged in their record's access log."""

    access_log = "panel pack"

    def agenda_item(self, session):
        if not hasattr(self, "_agenda_item"):
            self._agenda_item = selectors.agenda_item(session, self.kwargs["version"])
        return self._agenda_item

    def nothing_to_show(self, obj) -> bool:
        """A plan not on this session's agenda is a 404 with nothing of the person's shown:
        neither a view nor a refusal."""
        return self.agenda_item(obj) is None

    def person_id_for_log(self, obj):
        """The person whose plan it is; for a refusal, the plan version asked for, which the
        mixin follows to its person."""
        item = self.agenda_item(obj) if obj is not None else None
        return item.version.plan.budget_holder_id if item is not None else self.kwargs["version"]


class PackView(PlanOnAgendaMixin, TemplateView):
    template_name = "careplans/panels/pack.html"

    def get_context_data(self, **kwargs):
        version = selectors.pack_version(self.session, self.kwargs["version"])
        if version is None:
            raise Http404("Not found")
        budget = version.budget
        return super().get_context_data(**kwargs) | {
            "version": version,
            "holder": version.plan.budget_holder,
            "pack": present.pack(version),
            "budget_explanation": explain_budget(budget) if budget is not None else None,
            "previous": selectors.previous_decisions(version),
            "can_decide": self.request.user.has_perm(Permission.DECIDE_AT_PANEL, self.session)
            and self.session.status == PanelSessionStatus.IN_PROGRESS,
        }


class DecideView(PlanOnAgendaMixin, TemplateView):
    """The fast decision screen: the plan in brief, a decision per item, reasons, one button;
    then the next plan on the agenda, ready to decide."""

    permission = Permission.DECIDE_AT_PANEL
    template_name = "careplans/panels/decide.html"

    def get_version(self):
        version = selectors.decision_version(self.session, self.kwargs["version"])
        if version is None:
            raise Http404("Not found")
        return version

    def make_form(self, version, data):
        return DecisionForm(
            data,
            initial={"lock_version": version.lock_version},
            items=list(version.support_items.all()),
        )

    def get(self, request, *args, **kwargs):
        version = self.get_version()
        return self.render_page(version, self.make_form(version, None))

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        form = self.make_form(version, request.POST)
        if form.is_valid():
            try:
                decide_plan(
                    actor=request.user,
                    version=version,
                    outcome=form.cleaned_data["outcome"],
                    reasons=form.cleaned_data["reasons"],
                    items=self.choices(form),
                    session=self.session,
                    lock_version=form.cleaned_data["lock_version"],
                )
            except Conflict as error:
                return conflict_redirect(request, error, request.path)
            except PermissionDenied as error:
                raise Http404("Not found") from error
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect(self.after(version))
        return self.render_page(version, form)

    def choices(self, form) -> dict:
        data, outcome = form.cleaned_data, form.cleaned_data["outcome"]
        choices = {}
        for item in form.items:
            chosen = data.get(f"item_{item.pk}") or ""
            if not chosen and outcome == DecisionOutcome.APPROVED:
                chosen = DecisionOutcome.APPROVED
            if chosen:
                choices[str(item.pk)] = ItemChoice(
                    chosen,
                    reasons=data.get(f"item_{item.pk}_reasons") or "",
                    changed_cost=data.get(f"item_{item.pk}_cost"),
                )
        return choices

    def after(self, version) -> str:
        """The next plan waiting on the agenda, saying what was just decided; the summary when
        none is left."""
        decided = selectors.agenda_item(self.session, version.pk)
        upcoming = selectors.next_to_decide(self.session, decided.position)
        if upcoming is None:
            return reverse("careplans:panel_summary", args=[self.session.pk])
        url = reverse("careplans:panel_decide", args=[self.session.pk, upcoming.version_id])
        return f"{url}?decided={version.pk}"

    def just_decided(self):
        """The plan decided a moment ago, to say so at the top of the next one."""
        pk = self.request.GET.get("decided", "")
        item = selectors.agenda_item(self.session, pk) if _is_uuid(pk) else None
        if item is None:
            return None
        return selectors.decision_version(self.session, item.version_id)

    def render_page(self, version, form):
        item = selectors.agenda_item(self.session, version.pk)
        decision = getattr(version, "decision", None)
        here, out, needed = services.quorum_for(self.session, version)
        present_count = here - out
        conflicted = any(
            c.member_id == self.request.user.pk and c.version_id == version.pk
            for c in self.session.conflicts.all()
        )
        done, total = selectors.decision_progress(self.session)
        just_decided = self.just_decided()
        context = self.get_context_data(
            caption=f"Plan {item.position} of {total}: {done} decided",
            decided_text=present.decided_text(decision) if decision else "",
            just_decided_text=present.just_decided_text(just_decided) if just_decided else "",
            quorum_text=present.quorum_text(here, needed, out),
            form=form,
            version=version,
            holder=version.plan.budget_holder,
            item=item,
            decision=decision,
            cost_words=written_words(version),
            budget_warning=budget_cannot_take_the_plan(version.budget),
            over_budget=over_budget(version),
            over_budget_next=OVER_BUDGET_NEXT,
            present_count=present_count,
            needed=needed,
            conflicted=conflicted,
            open=self.session.status == PanelSessionStatus.IN_PROGRESS,
            just_decided=just_decided,
            progress=(done, total),
            next_item=selectors.next_to_decide(self.session, item.position),
            fields=present.decision_fields(form, field_component),
        )
        return self.render_to_response(context)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class SummaryView(SessionMixin, TemplateView):
    template_name = "careplans/panels/summary.html"

    def get_context_data(self, **kwargs):
        summary = selectors.summary(self.session)
        return super().get_context_data(**kwargs) | {
            "summary": summary,
            "decided_table": present.summary_table(summary["decided"]),
            "can_manage": self.request.user.has_perm(Permission.MANAGE_PANELS, self.session),
        }


class ApprovalPolicyView(PermissionRequiredMixin, TemplateView):
    """The ICB's approval policy: the PHB lead's sign-off limit, the panel quorum, and when
    staff are reminded of reviews coming due."""

    permission = Permission.EDIT_APPROVAL_POLICY
    template_name = "careplans/panels/policy.html"
    extra_context = {"page_title": "Approval policy", "button_text": "Save the policy"}

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def make_form(self, data):
        policy = policy_for(self.request.user.acting_organisation)
        return ApprovalPolicyForm(
            data,
            initial={
                "lead_sign_off_limit": policy.lead_sign_off_limit,
                "panel_quorum": policy.panel_quorum,
                "review_reminder_days": policy.review_reminder_days.replace(",", ", "),
                "seen": policy.updated_at,
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.save_approval_policy(
                    actor=request.user,
                    lead_sign_off_limit=form.cleaned_data["lead_sign_off_limit"],
                    panel_quorum=form.cleaned_data["panel_quorum"],
                    review_reminder_days=form.cleaned_data["review_reminder_days"],
                    seen_updated_at=form.cleaned_data["seen"],
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    # Changed since the page was drawn: show the policy as it is now.
                    return conflict_redirect(request, " ".join(error.messages), request.path)
                add_errors(form, error)
            else:
                messages.success(request, "The approval policy has been saved")
                return redirect("careplans:approval_policy")
        return self.render_to_response(self.get_context_data(form=form))
