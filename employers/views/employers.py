"""Employers: the staff dashboard, the employer's page with its duties checklist, PAs and
issues log, the forms that change them, and the budget holder's "Your PAs" page."""

from collections.abc import Callable
from typing import NamedTuple

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from careplans.views.service_forms import ServiceFormView
from employers import forms, selectors
from employers.models import EmployerKind, IssueStatus, PersonalAssistantStatus
from employers.presenters_employers import (
    assistant_rows,
    assistants_with_status,
    checklist_rows,
    dashboard_table,
    expiring_table,
    issues_table,
)
from employers.services import employers as services
from employers.views.delegation import and_list, told_sentence
from phb import selectors as core_selectors
from phb.audit import changed_by
from phb.people_forms import SignInForm
from phb.permissions import Permission
from phb.presenters import display_time, signed_in_words
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25
FORM_TEMPLATE = "careplans/reviews/form_page.html"


class DashboardView(PermissionRequiredMixin, TemplateView):
    """The acting ICB's employers with what each is missing, and what runs out soon."""

    permission = Permission.VIEW_EMPLOYERS
    object_required = True
    template_name = "employers/employers/dashboard.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        employers = selectors.employers_of_icb(self.object)
        page = Paginator(employers, PAGE_SIZE).get_page(self.request.GET.get("page"))
        expiring = selectors.expiring_in_icb(self.object, today)
        return super().get_context_data(**kwargs) | {
            "page": page,
            "table": dashboard_table(page.object_list, today),
            "expiring": expiring,
            "expiring_table": expiring_table(expiring),
        }


class EmployerPage(PermissionRequiredMixin):
    access_log = "employer"

    def get_permission_object(self):
        return selectors.employer_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_employer(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.budget_holder

    def done_url(self):
        return reverse("employers:employer", args=[self.object.pk])


class EmployerView(EmployerPage, TemplateView):
    permission = Permission.VIEW_EMPLOYERS
    object_required = True
    template_name = "employers/employers/employer.html"

    def get_context_data(self, **kwargs):
        employer = self.object
        today = timezone.localdate()
        can_manage = self.request.user.has_perm(Permission.MANAGE_EMPLOYER, employer)
        assistants = list(selectors.all_assistants_of(employer))
        issues = list(selectors.issues_of(employer))
        return super().get_context_data(**kwargs) | {
            "employer": employer,
            "holder": employer.budget_holder,
            "can_manage": can_manage,
            "checklist": checklist_rows(employer, today, can_manage=can_manage),
            "warnings": selectors.household_warnings(employer),
            "assistants": assistants_with_status(assistants, today),
            "issues_table": issues_table(issues) if issues else None,
        }


class SetUpView(ServiceFormView):
    """Set a person up as an employer: who legally employs their PAs."""

    permission = Permission.MANAGE_EMPLOYER
    access_log = "record"
    form_class = forms.WhoEmploysForm
    template_name = FORM_TEMPLATE
    done = "The employer has been set up. Record each duty and add the PAs"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    @property
    def holder(self):
        return self.object

    def refuse(self):
        if selectors.employer_of(self.holder) is not None:
            return "This person is already set up as an employer"
        return None

    def done_url(self):
        employer = selectors.employer_of(self.holder)
        if employer is None:
            return reverse("person_detail", args=[self.holder.pk])
        return reverse("employers:employer", args=[employer.pk])

    def save(self, form):
        services.set_up_employer(actor=self.request.user, holder=self.holder, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Set up as an employer",
            "button_text": "Set up the employer",
            "intro": "Who legally employs the PAs: the budget holder, a nominee who employs "
            "for them, or a managed-account organisation.",
        }


class Section(NamedTuple):
    """A section of the duties checklist: its form, its service, its page title, what the
    form starts with, and anything else the form is built with (for the employer)."""

    form: type
    change: Callable  # the service that saves it
    title: str
    initial: Callable
    form_kwargs: Callable = lambda employer: {}


SECTIONS = {
    "who": Section(
        forms.WhoEmploysForm,
        services.change_who_employs,
        "Who employs the PAs",
        lambda e: {
            "kind": e.kind,
            "employer_name": e.employer_name,
            "pa_contact_name": e.pa_contact_name,
            "pa_contact_phone": e.pa_contact_phone,
            "pa_contact_email": e.pa_contact_email,
        },
    ),
    "officer": Section(
        forms.SupportOfficerForm,
        services.change_support_officer,
        "PA employer support officer",
        lambda e: {"support_officer": str(e.support_officer_id or "")},
        lambda e: {"officers": selectors.support_officers(e.budget_holder.organisation_id)},
    ),
    "paye": Section(
        forms.PayeForm,
        services.change_paye,
        "PAYE registration",
        lambda e: {
            "paye_reference": e.paye_reference,
            "accounts_office_reference": e.accounts_office_reference,
        },
    ),
    "insurance": Section(
        forms.InsuranceForm,
        services.change_insurance,
        "Employer's liability insurance",
        lambda e: {
            "exempt": "yes" if e.insurance_exempt else "no",
            "insurer": e.insurer,
            "policy_number": e.insurance_policy_number,
            "cover": e.insurance_cover,
            "expires_on": e.insurance_expires_on,
        },
        lambda e: {"organisation": e.kind == EmployerKind.MANAGED_ACCOUNT},
    ),
    "pension": Section(
        forms.PensionForm,
        services.change_pension,
        "Workplace pension",
        lambda e: {
            "scheme": e.pension_scheme,
            "duties_start_on": e.pension_duties_start_on,
            "declaration_on": e.pension_declaration_on,
        },
    ),
    "payroll": Section(
        forms.PayrollForm,
        services.change_payroll,
        "Payroll",
        lambda e: {
            "arrangement": e.payroll_arrangement,
            "bureau": e.payroll_bureau,
            "pay_frequency": e.pay_frequency,
            "employment_allowance": "yes" if e.employment_allowance_claimed else "no",
        },
    ),
}


def suspended_words(suspended) -> str:
    """What changing the legal employer did to the PAs' sign-offs, after "saved"."""
    if not suspended:
        return ""
    which = ", ".join(
        f"{competence.assistant.full_name} for {competence.delegation.task.name}"
        for competence in suspended
    )
    count = "1 sign-off was" if len(suspended) == 1 else f"{len(suspended)} sign-offs were"
    return (
        f". {count} suspended because the legal employer changed ({which}): the new employer "
        "has to confirm the agreement to each delegated task, and a clinician has to reassess "
        "the PA and sign them off again"
    )


class ChangeSectionView(EmployerPage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    template_name = FORM_TEMPLATE

    def section(self):
        try:
            return SECTIONS[self.kwargs["section"]]
        except KeyError:
            raise Http404("No such section") from None

    def make_form(self, data=None):
        section = self.section()
        form = section.form(
            data, initial=section.initial(self.object), **section.form_kwargs(self.object)
        )
        return forms.with_version(form, self.object)

    def save(self, form):
        values, version = forms.take_version(form.cleaned_data)
        employer = self.section().change(
            actor=self.request.user, employer=self.object, seen_version=version, **values
        )
        self.done = f"{self.section().title}: saved" + suspended_words(
            getattr(employer, "suspended", [])
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": self.section().title,
            "button_text": "Save",
        }


class AddAssistantView(EmployerPage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.AssistantForm
    template_name = FORM_TEMPLATE
    done = "The PA has been added"

    def save(self, form):
        services.add_assistant(
            actor=self.request.user, employer=self.object, details=form.details()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Add a PA",
            "button_text": "Add the PA",
            "intro": "Every hourly rate must be at least the minimum wage for the PA's age "
            "today, or on their start date if they have not started yet.",
        }


class AssistantPage(PermissionRequiredMixin):
    access_log = "employer"

    def get_permission_object(self):
        return selectors.assistant_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.employer.budget_holder_id
        return selectors.holder_id_of_assistant(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.employer.budget_holder

    def done_url(self):
        return reverse("employers:pa", args=[self.object.pk])


class AssistantView(AssistantPage, TemplateView):
    permission = Permission.VIEW_EMPLOYERS
    object_required = True
    template_name = "employers/employers/pa.html"

    def get_context_data(self, **kwargs):
        pa = self.object
        employer = selectors.employer_of(self.holder)
        return super().get_context_data(**kwargs) | {
            "pa": pa,
            "employer": employer,
            "holder": self.holder,
            "rows": assistant_rows(pa, timezone.localdate()),
            "can_manage": pa.status != PersonalAssistantStatus.LEFT
            and self.request.user.has_perm(Permission.MANAGE_EMPLOYER, pa),
            "signs_in_with": pa.user.email if pa.user_id else None,
            "warning": selectors.assistant_household_warning(employer, pa),
        }


class ChangeAssistantView(AssistantPage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.AssistantForm
    template_name = FORM_TEMPLATE
    done = "The PA's details have been saved"

    def refuse(self):
        if self.object.status == PersonalAssistantStatus.LEFT:
            return "This PA has left: their details can no longer be changed"
        return None

    def make_form(self, data=None):
        form = self.form_class(data, initial=forms.AssistantForm.initial_from(self.object))
        return forms.with_version(form, self.object)

    def save(self, form):
        services.change_assistant(
            actor=self.request.user,
            assistant=self.object,
            details=form.details(),
            seen_version=form.cleaned_data[forms.VERSION_FIELD],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": f"Change {self.object.full_name}'s details",
            "button_text": "Save",
        }


class AssistantSignInView(AssistantPage, ServiceFormView):
    """Give a PA their own sign-in."""

    permission = Permission.MANAGE_EMPLOYER
    form_class = SignInForm
    template_name = FORM_TEMPLATE

    def refuse(self):
        pa = self.object
        if pa.user_id is not None:
            return f"{pa.full_name} already has a sign-in"
        if pa.status == PersonalAssistantStatus.LEFT:
            return f"{pa.full_name} has left, so cannot be given a sign-in"
        return None

    def make_form(self, data=None):
        return self.form_class(data, initial={"email": self.object.email})

    def save(self, form):
        user, created = services.give_assistant_sign_in(
            actor=self.request.user, assistant=self.object, **form.cleaned_data
        )
        self.done = signed_in_words(self.object.full_name, user, created)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": f"A sign-in for {self.object.full_name}",
            "intro": f"With their own sign-in, {self.object.full_name} can fill in timesheets "
            "and see their payslips, training and sign-offs.",
            "button_text": "Give them a sign-in",
        }


def already_left(assistant) -> str:
    """What a second "record leaving" (an older tab, a colleague) is told: when the PA left and
    why, and who recorded it when, from the PA's audit history (the first change to "Left"):
    "Kim Lee has already left: Sam Patel recorded their leaving at 4:17pm on 6 December 2026.
    They left on 20 November 2026. Why they left: Moved to Leeds. Nothing was changed." """
    event = (
        assistant.events.filter(status=PersonalAssistantStatus.LEFT)
        .select_related("pgh_context")
        .order_by("pgh_id")
        .first()
    )
    words = f"{assistant.full_name} has already left."
    if event is not None:
        by = changed_by(event)
        who = by.full_name if by is not None else ""
        when = timezone.localtime(event.updated_at)
        at = f"at {display_time(when)} on {when:%-d %B %Y}"
        recorded = f"{who} recorded their leaving" if who else "their leaving was recorded"
        words = f"{assistant.full_name} has already left: {recorded} {at}."
    reason = assistant.left_reason.strip()
    return (
        f"{words} They left on {assistant.left_on:%-d %B %Y}. Why they left: {reason}"
        f"{'' if reason.endswith(('.', '!', '?')) else '.'} Nothing was changed."
    )


class LeavingView(AssistantPage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.LeavingForm
    template_name = FORM_TEMPLATE
    done = "The PA's leaving has been recorded"

    def refuse(self):
        if self.object.status == PersonalAssistantStatus.LEFT:
            return already_left(self.object)
        return None

    def save(self, form):
        assistant = services.record_leaving(
            actor=self.request.user,
            assistant=self.object,
            left_on=form.cleaned_data["left_on"],
            reason=form.cleaned_data["reason"],
        )
        # Leaving revokes their delegated tasks, and says who was told, as a revocation does.
        if assistant.revoked:
            tasks = and_list(list(dict.fromkeys(c.delegation.task.name for c in assistant.revoked)))
            self.done = told_sentence(
                f"{self.done}. {assistant.full_name}'s competence for {tasks} has been revoked",
                assistant.told,
            )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": f"Record {self.object.full_name} leaving",
            "button_text": "Record leaving",
            "intro": "Nothing new can be entered for a PA after they have left.",
        }


class OpenIssueView(EmployerPage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.IssueForm
    template_name = FORM_TEMPLATE
    done = "The issue has been added to the log"

    def form_kwargs(self):
        return {"assistants": selectors.all_assistants_of(self.object)}

    def save(self, form):
        services.open_issue(actor=self.request.user, employer=self.object, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Record an employment issue",
            "button_text": "Add to the log",
        }


class IssuePage(PermissionRequiredMixin):
    access_log = "employer"

    def get_permission_object(self):
        return selectors.issue_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.employer.budget_holder_id
        return selectors.holder_id_of_issue(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.employer.budget_holder

    def done_url(self):
        return reverse("employers:issue", args=[self.object.pk])

    def refuse(self):
        if self.object.status != IssueStatus.OPEN:
            return "This issue is closed"
        return None


class IssueView(IssuePage, TemplateView):
    permission = Permission.VIEW_EMPLOYERS
    object_required = True
    template_name = "employers/employers/issue.html"

    def get_context_data(self, **kwargs):
        issue = self.object
        return super().get_context_data(**kwargs) | {
            "issue": issue,
            "employer": issue.employer,
            "holder": self.holder,
            "advice": list(issue.advice.all()),
            "can_manage": issue.status == IssueStatus.OPEN
            and self.request.user.has_perm(Permission.MANAGE_EMPLOYER, issue),
        }


class AdviceView(IssuePage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.AdviceForm
    template_name = FORM_TEMPLATE
    done = "The advice has been recorded"

    def save(self, form):
        services.record_advice(actor=self.request.user, issue=self.object, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Record advice given",
            "button_text": "Record the advice",
            "intro": "Advice cannot be changed once it is recorded.",
        }


class CloseIssueView(IssuePage, ServiceFormView):
    permission = Permission.MANAGE_EMPLOYER
    form_class = forms.CloseIssueForm
    template_name = FORM_TEMPLATE
    done = "The issue has been closed"

    def save(self, form):
        services.close_issue(actor=self.request.user, issue=self.object, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Close the issue",
            "button_text": "Close the issue",
        }


class YourPasView(PermissionRequiredMixin, TemplateView):
    """The budget holder's (or their representative's) own page about the PAs they employ."""

    permission = Permission.VIEW_OWN_EMPLOYMENT
    object_required = True
    access_log = "employer"
    template_name = "employers/employers/your_pas.html"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        holder = self.object
        employer = selectors.employer_of(holder)
        context = {
            "holder": holder,
            "employer": employer,
            "own": holder.user_id == self.request.user.pk,
        }
        if employer is not None:
            today = timezone.localdate()
            duties = selectors.checklist(employer, today)
            context |= {
                "done": [duty for duty in duties if duty.state == selectors.MET],
                "to_do": [duty for duty in duties if duty.state != selectors.MET],
                "assistants": assistants_with_status(employer.employed, today),
                "warnings": selectors.household_warnings(employer),
            }
        return super().get_context_data(**kwargs) | context
