"""Training pages: the ICB's training catalogue (ICB administrators and PHB leads), "Training
due" for staff who see employers, a PA's training (staff, the employer's side, and the PA),
recording training with its evidence, and the PA's own "Your training" page.

A refusal is a 404; pages about a PA log the view in the person's access log, and opening
evidence is logged as a view too."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views import View
from django.views.generic import TemplateView

from budgets.services import Conflict
from employers import training_selectors as selectors
from employers.models.training import ModuleKind
from employers.selectors import own_employments
from employers.services import training as services
from employers.training_forms import ModuleChangeForm, ModuleForm, TrainingRecordForm
from employers.views.own import OwnPaPage
from phb.components import render_component
from phb.permissions import Permission
from phb.presenters import hidden_caption
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25
STATUS_TAG = {
    selectors.CoreStatus.CURRENT: "nhsuk-tag--green",
    selectors.CoreStatus.EXPIRING: "nhsuk-tag--yellow",
    selectors.CoreStatus.EXPIRED: "nhsuk-tag--red",
    selectors.CoreStatus.MISSING: "nhsuk-tag--grey",
}


def tag(text: str, classes: str) -> str:
    return render_component("tag", {"text": text, "classes": classes})


def day(value) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def standards_table(progress) -> dict:
    rows = []
    for item in progress.standards:
        record = item.record
        if record is None:
            status = tag("Not yet", "nhsuk-tag--grey")
        elif item.status == selectors.CoreStatus.CURRENT:
            status = tag("Done", "nhsuk-tag--green")
        else:
            status = tag(item.status_text, STATUS_TAG[item.status])
        signed_off = ""
        if record is not None:
            signed_off = f"Observed {day(record.observed_on)}"
            if record.expires_on:
                ends = "expired" if item.status == selectors.CoreStatus.EXPIRED else "expires"
                signed_off += f", {ends} {day(record.expires_on)}"
        rows.append(
            [
                {"text": str(item.module.standard_number), "format": "numeric"},
                {"text": item.module.name},
                {"html": status},
                {"text": signed_off},
            ]
        )
    return {
        "caption": hidden_caption("Care Certificate standards"),
        "head": [
            {"text": "Standard"},
            {"text": "Name"},
            {"text": "Status"},
            {"text": "Signed off"},
        ],
        "rows": rows,
    }


def core_table(progress) -> dict:
    rows = []
    for item in progress.core:
        record = item.record
        expiry = ""
        if record is not None:
            expiry = day(record.expires_on) if record.expires_on else "Does not expire"
        rows.append(
            [
                {"text": item.module.name},
                {"html": tag(item.status_text, STATUS_TAG[item.status])},
                {"text": expiry},
            ]
        )
    return {
        "caption": hidden_caption("Core training"),
        "head": [{"text": "Training"}, {"text": "Status"}, {"text": "Expires"}],
        "rows": rows,
    }


def records_table(records, *, evidence_links: bool) -> dict:
    rows = []
    for record in records:
        evidence = ""
        if record.evidence_filename and evidence_links:
            url = reverse("employers:training_evidence", args=[record.pk])
            evidence = (
                f'<a href="{url}">Download<span class="nhsuk-u-visually-hidden"> the evidence '
                f"for {record.module.name}, {day(record.completed_on)}</span></a>"
            )
        rows.append(
            [
                {"text": str(record.module)},
                {"text": record.provider},
                {"text": day(record.completed_on)},
                {"text": day(record.expires_on) or "Does not expire"},
                {"text": record.get_funding_display()},
                {"html": evidence} if evidence else {"text": "None"},
            ]
        )
    return {
        "caption": hidden_caption("Training records"),
        "head": [
            {"text": "Training"},
            {"text": "Given by"},
            {"text": "Completed"},
            {"text": "Expires"},
            {"text": "Who paid"},
            {"text": "Evidence"},
        ],
        "rows": rows,
    }


def progress_context(assistant, today) -> dict:
    progress, records = selectors.assistant_progress(assistant, today)
    return {
        "progress": progress,
        "standards_table": standards_table(progress),
        "core_table": core_table(progress),
        "records": records,
        "records_table": records_table(records, evidence_links=True),
    }


class FormPage(PermissionRequiredMixin, TemplateView):
    """A form whose values go to one service: errors shown the NHS.UK way, nothing saved on
    bad input, and a message saying what happened."""

    template_name = "employers/training/form_page.html"
    done = ""
    form_class = None

    def make_form(self, data=None, files=None):
        return self.form_class(data, files)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.done_url())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done)
                return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(form=form))


# --- The ICB's catalogue ----------------------------------------------------------------


class CatalogueMixin:
    permission = Permission.MANAGE_TRAINING_CATALOGUE

    def get_permission_object(self):
        return self.request.user.acting_organisation


class CatalogueView(CatalogueMixin, PermissionRequiredMixin, TemplateView):
    template_name = "employers/training/catalogue.html"

    def get_context_data(self, **kwargs):
        modules = list(selectors.catalogue_of(self.object.pk).order_by("kind", "standard_number"))
        rows = []
        for module in modules:
            change = reverse("employers:training_module", args=[module.pk])
            rows.append(
                [
                    {"text": str(module)},
                    {"text": module.get_kind_display()},
                    {"text": services.months_text(module.refresh_months)},
                    {"text": "In use" if module.active else "Not in use"},
                    {
                        "html": f'<a href="{change}">Change<span class="nhsuk-u-visually-hidden">'
                        f" {module}</span></a>"
                    },
                ]
            )
        return super().get_context_data(**kwargs) | {
            "organisation": self.object,
            "table": {
                "caption": hidden_caption("Training catalogue"),
                "head": [
                    {"text": "Training"},
                    {"text": "Kind"},
                    {"text": "Refresh"},
                    {"text": "In use"},
                    {"html": '<span class="nhsuk-u-visually-hidden">Actions</span>'},
                ],
                "rows": rows,
            },
        }


class ModuleNewView(CatalogueMixin, FormPage):
    form_class = ModuleForm
    done = "The training has been added to the catalogue"

    def save(self, form):
        services.add_module(
            actor=self.request.user, organisation=self.object, details=form.details()
        )

    def done_url(self):
        return reverse("employers:training_catalogue")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Add training to the catalogue",
            "caption": self.object.name,
            "button_text": "Add the training",
            "back_url": reverse("employers:training_catalogue"),
            "back_text": "Back to the training catalogue",
        }


class ModuleChangeView(FormPage):
    permission = Permission.MANAGE_TRAINING_CATALOGUE
    object_required = True
    form_class = ModuleChangeForm
    done = "The training has been changed"

    def get_permission_object(self):
        return selectors.module_for(self.request.user, self.kwargs["pk"])

    def make_form(self, data=None, files=None):
        module = self.object
        initial = {
            "description": module.description,
            "refresh_months": module.refresh_months,
            "active": "yes" if module.active else "no",
        }
        standard = module.kind == ModuleKind.CARE_CERTIFICATE
        return self.form_class(data, initial=initial, standard=standard)

    def save(self, form):
        data = form.cleaned_data
        services.change_module(
            actor=self.request.user,
            module=self.object,
            description=data["description"],
            refresh_months=data["refresh_months"],
            active=data.get("active", "yes") == "yes",
        )

    def done_url(self):
        return reverse("employers:training_catalogue")

    def get_context_data(self, **kwargs):
        intro = (
            "A Care Certificate standard keeps its name and is always in use."
            if self.object.kind == ModuleKind.CARE_CERTIFICATE
            else ""
        )
        return super().get_context_data(**kwargs) | {
            "page_title": f"Change {self.object}",
            "caption": "Training catalogue",
            "intro": intro + " Training already recorded keeps its expiry date.",
            "button_text": "Save the changes",
            "back_url": reverse("employers:training_catalogue"),
            "back_text": "Back to the training catalogue",
        }


# --- Training due, for staff ------------------------------------------------------------


class TrainingDueView(PermissionRequiredMixin, TemplateView):
    """The ICB's working PAs who need training: standards and core modules not done, and
    training expiring in the next 60 days."""

    permission = Permission.VIEW_EMPLOYERS
    template_name = "employers/training/due.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        organisation_id = self.object.pk
        page = Paginator(selectors.training_due(organisation_id, today), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        assistants = list(page.object_list)
        records = selectors.records_of_many(assistants)
        modules = selectors.active_modules(organisation_id)
        rows = []
        for assistant in assistants:
            progress = selectors.progress(modules, records[assistant.pk], today)
            missing = [
                str(item.module)
                for item in progress.core
                if item.status == selectors.CoreStatus.MISSING
            ]
            standards = [
                item for item in progress.standards if item.status == selectors.CoreStatus.MISSING
            ]
            # Standards first, then core training: each expired or expiring one by name.
            soon = [
                f"{item.module} ({item.status_text.lower()}, {day(item.record.expires_on)})"
                for item in progress.standards + progress.core
                if item.status in (selectors.CoreStatus.EXPIRING, selectors.CoreStatus.EXPIRED)
            ]
            needs = []
            if standards:
                count = len(standards)
                needs.append(
                    f"{count} Care Certificate standard{'s' if count != 1 else ''} not signed off"
                )
            needs += [f"{name}: not done" for name in missing]
            needs += soon
            url = reverse("employers:pa_training", args=[assistant.pk])
            rows.append(
                [
                    {"html": f'<a href="{url}">{escape(assistant.full_name)}</a>'},
                    {"text": assistant.employer.display_name},
                    {"html": "<br>".join(escape(need) for need in needs)},
                ]
            )
        return super().get_context_data(**kwargs) | {
            "page": page,
            "table": {
                "caption": hidden_caption("PAs who need training"),
                "head": [{"text": "PA"}, {"text": "Works for"}, {"text": "Needs"}],
                "rows": rows,
            },
        }


# --- A PA's training --------------------------------------------------------------------


class AssistantPage(PermissionRequiredMixin):
    object_required = True
    access_log = "training"

    def get_permission_object(self):
        return selectors.assistant_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.employer.budget_holder_id
        return selectors.holder_id_of_assistant(self.kwargs["pk"]) or self.kwargs["pk"]


class PaTrainingView(AssistantPage, TemplateView):
    """A PA's training at a glance, and their records, for staff and the employer's side."""

    permission = Permission.VIEW_PA_TRAINING
    template_name = "employers/training/pa_training.html"

    def get_context_data(self, **kwargs):
        assistant = self.object
        return (
            super().get_context_data(**kwargs)
            | {
                "assistant": assistant,
                "may_record": self.request.user.has_perm(Permission.RECORD_TRAINING, assistant),
            }
            | progress_context(assistant, timezone.localdate())
        )


class RecordTrainingView(AssistantPage, FormPage):
    permission = Permission.RECORD_TRAINING
    form_class = TrainingRecordForm
    done = "The training has been recorded"

    def make_form(self, data=None, files=None):
        modules = selectors.catalogue_of(self.object.employer.budget_holder.organisation_id).filter(
            active=True
        )
        return self.form_class(data, files, modules=modules)

    def save(self, form):
        services.record_training(
            actor=self.request.user,
            assistant=self.object,
            details=form.details(),
            today=timezone.localdate(),
        )

    def done_url(self):
        return reverse("employers:pa_training", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Record training",
            "caption": self.object.full_name,
            "button_text": "Record the training",
            "multipart": True,
            "back_url": self.done_url(),
            "back_text": "Back to their training",
        }


class EvidenceView(PermissionRequiredMixin, View):
    """The evidence of a training record, as the file it was uploaded as."""

    permission = Permission.VIEW_PA_TRAINING
    object_required = True
    access_log = "training evidence"

    def get_permission_object(self):
        return selectors.record_for(self.request.user, self.kwargs["pk"])

    def nothing_to_show(self, obj) -> bool:
        """A record without evidence shows nothing: not a view, nor a refusal."""
        return not obj.evidence_filename or obj.evidence is None

    def get(self, request, *args, **kwargs):
        record = self.object
        if self.nothing_to_show(record):
            raise Http404("No evidence")
        response = HttpResponse(bytes(record.evidence), content_type=record.evidence_content_type)
        response["Content-Disposition"] = f'attachment; filename="{record.evidence_filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MyTrainingView(OwnPaPage):
    """'Your training': the signed-in PA's own training, for each employer they work for."""

    template_name = "employers/training/my_training.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        employments = [
            {"assistant": assistant} | progress_context(assistant, today)
            for assistant in own_employments(self.request.user)
        ]
        return super().get_context_data(**kwargs) | {"employments": employments}
