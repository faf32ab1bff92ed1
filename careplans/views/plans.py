"""Staff pages for a person's care and support plan, the lead's decision, decision letters, and
the budget holder's "Your plan". Every page names one permission (phb.permissions) and loads
what it shows through a scoped selector; a refusal is a 404 and is logged."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from budgets.services import Conflict
from careplans import plan_forms as forms
from careplans import plan_presenters as presenters
from careplans import plan_selectors as selectors
from careplans import services
from careplans.models import (
    Goal,
    GoalAction,
    PersonalContact,
    PlanStatus,
    ProfessionalContact,
    Risk,
    SupportItem,
)
from careplans.services.decisions import route_for, why_kept_out
from careplans.services.plans import OVER_BUDGET_NEXT, how_to_change, over_budget
from phb import selectors as core_selectors
from phb.extensions import record_sections
from phb.nhsuk_forms import STALE_PAGE
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


class PersonPlanMixin(PermissionRequiredMixin):
    """A page about one person's plan; anyone not allowed gets a 404."""

    object_required = True
    access_log = "care and support plan"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    @property
    def holder(self):
        return self.object


class VersionMixin(PermissionRequiredMixin):
    """A page about one version of a plan."""

    object_required = True
    access_log = "care and support plan"

    def get_permission_object(self):
        return selectors.version_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.plan.budget_holder_id
        return selectors.holder_id_of_version(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def version(self):
        return self.object

    @property
    def holder(self):
        return self.object.plan.budget_holder

    def version_url(self):
        return reverse("careplans:version", args=[self.version.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "version": self.version,
            "holder": self.holder,
            "back_url": self.version_url(),
        }


STALE_NOTHING_CHANGED = f"{STALE_PAGE}. Nothing was changed."


def page_version(request) -> int | None:
    """The plan's `lock_version` a button's page was drawn from; None when it is missing or
    not a version at all (a stale or tampered page, refused: never sent on unchecked)."""
    form = forms.LockedForm(request.POST)
    return form.cleaned_data["lock_version"] if form.is_valid() else None


# -- the plan page ------------------------------------------------------------------------------


class PlanView(PersonPlanMixin, TemplateView):
    """A person's plan: the version being worked on, else the one in use."""

    permission = Permission.VIEW_PLAN
    template_name = "careplans/plans/plan.html"

    def get(self, request, *args, **kwargs):
        versions = selectors.versions_of(selectors.plan_of(self.holder))
        current = selectors.current_version(versions)
        if current is not None:
            return redirect("careplans:version", pk=current.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "holder": self.holder,
            "can_start": self.request.user.has_perm(Permission.EDIT_PLAN, self.holder),
        }


class StartPlanView(PersonPlanMixin, View):
    permission = Permission.EDIT_PLAN

    def post(self, request, *args, **kwargs):
        try:
            version = services.start_plan(actor=request.user, budget_holder=self.holder)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("careplans:plan", pk=self.holder.pk)
        messages.success(request, "The care and support plan has been started as a draft")
        return redirect("careplans:version", pk=version.pk)


class VersionView(VersionMixin, TemplateView):
    permission = Permission.VIEW_PLAN
    template_name = "careplans/plans/version.html"

    def get_context_data(self, **kwargs):
        user, version = self.request.user, self.version
        versions = selectors.versions_of(version.plan)
        # What other apps add to the plan's page (delegated healthcare tasks' cover).
        sections = record_sections(self.request, version.plan.budget_holder, audience="plan")
        return (
            super().get_context_data(**kwargs)
            | presenters.version_page(version, versions, user)
            | {"sections": sections}
        )


# -- writing: sections and rows -------------------------------------------------------------


def not_a_draft(version) -> str:
    return (
        f"Version {version.number} of this plan is {version.get_status_display().lower()}, so "
        f"it can no longer be changed. {how_to_change(version)}"
    )


class FormPageMixin(VersionMixin):
    """A form on a draft version. A stale page (the plan changed since it was opened) is
    refused with an explanation; a version that is no longer a draft says so."""

    permission = Permission.EDIT_PLAN
    template_name = "careplans/plans/form.html"
    page_title = ""
    button_text = "Save"
    done = "Saved"

    def form_kwargs(self) -> dict:
        return {}

    def initial(self) -> dict:
        return {}

    def make_form(self, data):
        initial = self.initial() | {"lock_version": self.version.lock_version}
        return self.form_class(data, initial=initial, **self.form_kwargs())

    def get(self, request, *args, **kwargs):
        if self.version.status != PlanStatus.DRAFT:
            messages.error(request, self.not_a_draft())
            return redirect(self.version_url())
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def not_a_draft(self) -> str:
        return not_a_draft(self.version)

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.version_url())
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404("Not found") from error
            else:
                messages.success(request, self.done)
                return redirect(self.version_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": self.page_title,
            "button_text": self.button_text,
        }


class SectionsView(FormPageMixin, TemplateView):
    form_class = forms.SectionsForm
    page_title = "About the person, their health and their plan"
    done = "The plan has been saved"

    def form_kwargs(self):
        return {
            "budgets": selectors.budgets_for_plan(self.holder),
            "representatives": selectors.representatives_of(self.holder),
        }

    def initial(self):
        version = self.version
        return {
            field: getattr(version, field)
            for field in forms.SectionsForm.base_fields
            if field not in ("lock_version", "budget", "representative")
        } | {
            "budget": str(version.budget_id or ""),
            "representative": str(version.representative_id or ""),
        }

    def save(self, form):
        services.update_sections(
            actor=self.request.user,
            version=self.version,
            lock_version=form.cleaned_data["lock_version"],
            **form.changes(),
        )


ROWS = {
    "goals": ("a goal", Goal, forms.GoalForm, "goal"),
    "actions": ("an action", GoalAction, forms.ActionForm, "action"),
    "professional-contacts": (
        "a professional contact",
        ProfessionalContact,
        forms.ProfessionalContactForm,
        "contact",
    ),
    "personal-contacts": (
        "a personal contact",
        PersonalContact,
        forms.PersonalContactForm,
        "contact",
    ),
    "risks": ("a risk", Risk, forms.RiskForm, "row"),
    "items": ("something the budget pays for", SupportItem, forms.SupportItemForm, "item"),
}


class RowGone(Exception):
    """The row a page was opened for is no longer in this version (removed from another tab)."""


class RowMixin:
    """Adding or changing one row of a draft: a goal, an action, a contact, a risk or an item."""

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in ROWS:
            raise Http404("Not found")
        self.what, self.model, self.form_class, self.keyword = ROWS[kwargs["kind"]]
        try:
            return super().dispatch(request, *args, **kwargs)
        except RowGone:
            # Raised only once the version is found and theirs to change: a stale page, not
            # a record they may not see (so not logged as a refusal).
            what = f"{self.what[0].upper()}{self.what[1:]}"
            return conflict_redirect(
                request,
                f"{what} is no longer in this plan: it was removed. Nothing was changed.",
                self.version_url(),
            )

    @property
    def row(self):
        if "row" not in self.kwargs:
            return None
        if not hasattr(self, "_row"):
            self._row = selectors.row_of(self.model, self.version, self.kwargs["row"])
            if self._row is None:
                raise RowGone
        return self._row


class RowFormView(RowMixin, FormPageMixin, TemplateView):
    @property
    def page_title(self):
        return f"Change {self.what}" if self.row else f"Add {self.what}"

    @property
    def done(self):
        return f"{self.what[0].upper()}{self.what[1:]} has been saved"

    def form_kwargs(self):
        if self.model in (GoalAction, SupportItem):
            kwargs = {"goals": list(self.version.goals.all())}
            if self.model is SupportItem:
                kwargs["portions"] = (
                    list(self.version.budget.portions.all()) if self.version.budget else []
                )
            return kwargs
        return {}

    def initial(self):
        row = self.row
        if row is None:
            return {"status": "not_started"} if self.model is GoalAction else {}
        fields = [f for f in self.form_class.base_fields if f != "lock_version"]
        initial = {}
        for field in fields:
            if field == "goals":
                initial[field] = [str(g.pk) for g in row.goals.all()]
            elif field in ("goal", "portion"):
                initial[field] = str(getattr(row, f"{field}_id") or "")
            else:
                initial[field] = getattr(row, field)
        return initial

    def get(self, request, *args, **kwargs):
        if self.model is GoalAction and not self.version.goals.exists():
            messages.error(request, "Add a goal first: every action is for a goal")
            return redirect(self.version_url())
        return super().get(request, *args, **kwargs)

    def save(self, form):
        actor, version, lock_version = (
            self.request.user,
            self.version,
            form.cleaned_data["lock_version"],
        )
        changes = (
            form.changes()
            if hasattr(form, "changes")
            else {k: v for k, v in form.cleaned_data.items() if k != "lock_version"}
        )
        row = self.row
        if self.model is GoalAction:
            goal = row.goal if row else form.goals[form.cleaned_data["goal"]]
            services.save_action(
                actor=actor, goal=goal, action=row, lock_version=lock_version, **changes
            )
            return
        save = {
            Goal: services.save_goal,
            ProfessionalContact: services.save_professional_contact,
            PersonalContact: services.save_personal_contact,
            Risk: services.save_risk,
            SupportItem: services.save_support_item,
        }[self.model]
        save(
            actor=actor,
            version=version,
            lock_version=lock_version,
            **{self.keyword: row},
            **changes,
        )


# The words that name each kind of row, as the plan shows it.
ROW_WORDS = {
    Goal: "description",
    GoalAction: "what",
    ProfessionalContact: "name",
    PersonalContact: "name",
    Risk: "risk",
    SupportItem: "description",
}


class RemoveRowView(RowMixin, VersionMixin, TemplateView):
    """Removing a row from a draft: asked first, on a page of its own, then done."""

    permission = Permission.EDIT_PLAN
    template_name = "careplans/plans/remove_row.html"

    def get(self, request, *args, **kwargs):
        if self.version.status != PlanStatus.DRAFT:
            messages.error(request, not_a_draft(self.version))
            return redirect(self.version_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        change_url = reverse(
            "careplans:row_edit", args=[self.version.pk, self.kwargs["kind"], self.row.pk]
        )
        return super().get_context_data(**kwargs) | {
            "page_title": f"Remove {self.what} from the plan?",
            "words": getattr(self.row, ROW_WORDS[self.model]),
            "change_url": change_url,
            "back_url": change_url,
        }

    def post(self, request, *args, **kwargs):
        lock_version = page_version(request)
        if lock_version is None:
            return conflict_redirect(request, STALE_NOTHING_CHANGED, self.version_url())
        try:
            services.remove_row(actor=request.user, row=self.row, lock_version=lock_version)
        except Conflict as error:
            return conflict_redirect(request, error, self.version_url())
        except PermissionDenied as error:
            raise Http404("Not found") from error
        messages.success(request, f"{self.what[0].upper()}{self.what[1:]} has been removed")
        return redirect(self.version_url())


# -- moving a version on --------------------------------------------------------------------


class VersionActionView(VersionMixin, View):
    """A button that moves the version on (submit, take back), guarded against stale pages."""

    permission = Permission.EDIT_PLAN
    done = ""
    refused = ""  # said before the reasons, when there are several

    def post(self, request, *args, **kwargs):
        lock_version = page_version(request)
        if lock_version is None:
            return conflict_redirect(request, STALE_NOTHING_CHANGED, self.version_url())
        try:
            self.action(actor=request.user, version=self.version, lock_version=lock_version)
        except Conflict as error:
            return conflict_redirect(request, error, self.version_url())
        except ValidationError as error:
            if self.refused:
                messages.error(request, self.refused)
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied as error:
            raise Http404("Not found") from error
        else:
            messages.success(request, self.done)
        return redirect(self.version_url())


class SubmitView(VersionActionView):
    action = staticmethod(services.submit_version)
    done = "The plan has been submitted for a decision"
    refused = "The plan cannot be submitted yet:"


class TakeBackView(VersionActionView):
    action = staticmethod(services.take_back)
    done = "The plan has been taken back to draft. It can be changed and submitted again"


class WithdrawView(FormPageMixin, TemplateView):
    form_class = forms.ReasonForm
    page_title = "Withdraw this version of the plan"
    button_text = "Withdraw this version"
    done = "This version of the plan has been withdrawn"

    def get(self, request, *args, **kwargs):
        if self.version.status not in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
            messages.error(request, self.not_a_draft())
            return redirect(self.version_url())
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def save(self, form):
        services.withdraw_version(
            actor=self.request.user,
            version=self.version,
            reason=form.cleaned_data["reason"],
            lock_version=form.cleaned_data["lock_version"],
        )


class NewVersionView(FormPageMixin, TemplateView):
    form_class = forms.ReasonForm
    page_title = "Change the plan: start a new version"
    button_text = "Start a new version"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                version = services.new_version(
                    actor=request.user,
                    plan=self.version.plan,
                    reason=form.cleaned_data["reason"],
                    seen=self.version,
                    lock_version=form.cleaned_data["lock_version"],
                )
            except Conflict as error:
                return conflict_redirect(request, error, self.version_url())
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404("Not found") from error
            else:
                messages.success(
                    request,
                    f"Version {version.number} has been started. Version "
                    f"{self.version.number} stays as it was",
                )
                return redirect("careplans:version", pk=version.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CompareView(VersionMixin, TemplateView):
    """What changed between two versions of the same plan."""

    permission = Permission.VIEW_PLAN
    template_name = "careplans/plans/compare.html"

    def get_context_data(self, **kwargs):
        other = selectors.version_for(self.request.user, self.kwargs["other"])
        if other is None or other.plan_id != self.version.plan_id:
            raise Http404("Not found")
        older, newer = sorted((self.version, other), key=lambda v: v.number)
        return super().get_context_data(**kwargs) | {
            "older": older,
            "newer": newer,
            "differences": presenters.differences(older, newer),
        }


# -- the lead's decision ----------------------------------------------------------------------


class DecideView(VersionMixin, TemplateView):
    """A PHB lead signs off a plan under the ICB's limit, item by item."""

    permission = Permission.DECIDE_PLAN
    template_name = "careplans/plans/decide.html"

    def refusal(self) -> str | None:
        version, user = self.version, self.request.user
        if version.status != PlanStatus.SUBMITTED:
            return (
                f"This plan is {version.get_status_display().lower()}: there is nothing to decide."
            )
        kept_out = why_kept_out(version, user, someone="another PHB lead")
        if kept_out is not None:
            return f"{kept_out}."
        if route_for(version) != "lead":
            return presenters.panel_needed(version)
        return None

    def make_form(self, data):
        return forms.DecisionForm(
            data,
            initial={"lock_version": self.version.lock_version},
            items=self.version.support_items.all(),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        if self.refusal():
            messages.error(request, self.refusal())
            return redirect(self.version_url())
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                decision = services.decide_plan(
                    actor=request.user,
                    version=self.version,
                    outcome=form.cleaned_data["outcome"],
                    reasons=form.cleaned_data["reasons"],
                    items=form.choices(),
                    lock_version=form.cleaned_data["lock_version"],
                )
            except Conflict as error:
                return conflict_redirect(request, error, self.version_url())
            except ValidationError as error:
                add_errors(form, error)
            except PermissionDenied as error:
                raise Http404("Not found") from error
            else:
                messages.success(
                    request,
                    f"The plan has been {decision.get_outcome_display().lower()}. "
                    "The letter has been written",
                )
                return redirect(self.version_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return (
            super().get_context_data(**kwargs)
            | presenters.version_page(self.version, [], self.request.user)
            | {
                "refusal": self.refusal(),
                "page_title": "Decide this plan",
                "budget_warning": services.budget_cannot_take_the_plan(self.version.budget),
                "over_budget": over_budget(self.version),
                "over_budget_next": OVER_BUDGET_NEXT,
            }
        )


# -- letters and the holder's own page --------------------------------------------------------


class LetterView(PermissionRequiredMixin, TemplateView):
    """A decision letter exactly as issued, for staff of the ICB and for the person it is
    about (or their representative)."""

    permission = Permission.VIEW_PLAN_LETTER
    object_required = True
    access_log = "plan letter"
    template_name = "careplans/plans/letter.html"

    def get_permission_object(self):
        return selectors.letter_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_letter(self.kwargs["pk"]) or self.kwargs["pk"]

    def get_context_data(self, **kwargs):
        letter = self.object
        user, holder = self.request.user, letter.budget_holder
        if user.has_perm(Permission.VIEW_OWN_PLAN, holder):
            # The person, or someone who acts for them.
            back = reverse("careplans:your_plan", args=[holder.pk])
        elif letter.version_id and user.has_perm(Permission.VIEW_PLAN, holder):
            back = reverse("careplans:version", args=[letter.version_id])
        else:
            # Staff, about a letter of no plan version (a stop, money asked back, a
            # reconsideration), or who do not see plans: the person's record.
            back = reverse("person_detail", args=[holder.pk])
        return super().get_context_data(**kwargs) | {"letter": letter, "back_url": back}


class YourPlanView(PersonPlanMixin, TemplateView):
    """The budget holder's own plan in plain English (or, for a representative, theirs)."""

    permission = Permission.VIEW_OWN_PLAN
    template_name = "careplans/plans/your_plan.html"

    def get_context_data(self, **kwargs):
        return (
            super().get_context_data(**kwargs)
            | {"holder": self.holder}
            | presenters.your_plan(self.holder, self.request.user)
        )
