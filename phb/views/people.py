"""Staff pages about people: the caseload, a person's record and its history."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from phb import selectors, services
from phb.extensions import caseload_columns, caseload_panels, record_sections
from phb.forms import BudgetHolderForm, CaseloadSearchForm
from phb.history import describe_accesses, describe_changes, person_accesses, person_changes
from phb.pagination import page_with_its_count
from phb.people_forms import (
    EndRepresentativeForm,
    RepresentativeAddressForm,
    RepresentativeForm,
    SignInForm,
)
from phb.permissions import Permission
from phb.presenters import person_summary_rows, representative_rows, signed_in_words
from phb.views.helpers import add_errors
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25
SORT_LABELS = {
    "name": "name, A to Z",
    "-name": "name, Z to A",
    "nhs_number": "NHS number",
    "date_of_birth": "date of birth, oldest first",
    "-date_of_birth": "date of birth, youngest first",
}


class CaseloadView(PermissionRequiredMixin, TemplateView):
    permission = Permission.VIEW_CASELOAD
    template_name = "phb/caseload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sort = self.request.GET.get("sort", "name")
        if sort not in selectors.CASELOAD_SORTS:
            sort = "name"
        # The search box's id is "q", as the error summary's link says.
        form = CaseloadSearchForm(self.request.GET or None, auto_id="%s")
        search_label = {"text": "Search by name or NHS number", "classes": "nhsuk-label--s"}
        # The column headings sort too, but a phone's stacked table hides them: the choice is
        # in the form as well, for every width.
        context["sort_by_label"] = {"text": "Sort by", "classes": "nhsuk-label--s"}
        context["sort_items"] = [
            {"value": key, "text": label[:1].upper() + label[1:], "selected": key == sort}
            for key, label in SORT_LABELS.items()
        ]
        if form.is_bound and not form.is_valid():
            # A search that cannot be made (too long, a null character) is said so, not
            # quietly dropped: the whole caseload would look like its matches.
            context.update(
                form=form,
                search_error={"text": " ".join(form.errors["q"])},
                query="",
                search_text=self.request.GET.get("q", "")[:200].replace("\x00", ""),
                search_label=search_label,
                organisation=self.request.user.acting_organisation,
                can_add=self.request.user.has_perm(Permission.ADD_PERSON),
                sort=sort,
            )
            return context
        query = form.cleaned_data["q"] if form.is_bound else ""
        columns = caseload_columns()
        people = selectors.caseload(self.request.user, query=query, sort=sort)
        number = self.request.GET.get("page")
        if query:
            # A search's matches are counted with their page, in one query.
            page = page_with_its_count(people.only("pk"), PAGE_SIZE, number)
            ids = [person.pk for person in page.object_list]
        else:
            # The whole caseload is counted from its index, and its page of ids read in order
            # from the sort's index: counting with the page would read every person first.
            page = Paginator(people.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
            ids = list(page.object_list)
        page.object_list = selectors.caseload_rows(
            ids, annotate=[column.annotate for column in columns]
        )
        context.update(
            form=form,
            query=query,
            sort=sort,
            page=page,
            columns=columns,
            rows=[
                (person, [{"heading": c.heading, "value": c.cell(person)} for c in columns])
                for person in page
            ],
            organisation=self.request.user.acting_organisation,
            can_add=self.request.user.has_perm(Permission.ADD_PERSON),
            # What waits for the user heads the caseload where their work starts (its first
            # page, no search), not every search result or later page: a person looking for
            # someone, or paging on, does not need the queues again above what they asked for
            # (and each page is then a third faster at national scale).
            panels=caseload_panels(self.request) if page.number == 1 and not query else [],
            search_label=search_label,
            sort_label=SORT_LABELS[sort],
        )
        return context


class PersonMixin(PermissionRequiredMixin):
    """A page about one person, loaded through the user's scope."""

    object_required = True
    access_log = "record"
    queryset = None

    def get_permission_object(self):
        return selectors.person_for(self.request.user, self.kwargs["pk"], queryset=self.queryset)

    @property
    def holder(self):
        return self.object


class BudgetHolderDetailView(PersonMixin, TemplateView):
    permission = Permission.VIEW_PERSON
    template_name = "phb/person_detail.html"
    queryset = selectors.person_record()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        holder = self.holder
        context.update(
            holder=holder,
            can_edit=self.request.user.has_perm(Permission.CHANGE_PERSON, holder),
            can_see_history=self.request.user.has_perm(Permission.VIEW_HISTORY, holder),
            can_see_messages=self.request.user.has_perm(Permission.VIEW_OUTBOX, holder),
            sections=record_sections(self.request, holder, audience="staff"),
            summary_rows=person_summary_rows(holder),
            representative_rows=representative_rows(
                holder.current_representatives,
                can_change=self.request.user.has_perm(Permission.CHANGE_PERSON, holder),
            ),
        )
        return context


class BudgetHolderFormMixin:
    form_class = BudgetHolderForm
    template_name = "phb/person_form.html"

    already_registered = False

    def form_valid(self, form):
        try:
            holder = self.save(form)
        except services.AlreadyRegistered as error:
            # Logged against the person another ICB holds, outside the refused change.
            services.record_refused_registration(
                actor=self.request.user,
                budget_holder_id=error.budget_holder_id,
                path=self.request.get_full_path(),
            )
            self.already_registered = True
            add_errors(form, error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        if self.request.method == "POST" and not self.saved_anything(form):
            messages.success(self.request, f"{holder.full_name}'s details have not changed")
        else:
            messages.success(self.request, f"{holder.full_name}'s details have been saved")
        return redirect("person_detail", pk=holder.pk)

    def saved_anything(self, form) -> bool:
        return True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "already_registered": self.already_registered,
            "service_desk_email": settings.PHB_SERVICE_DESK_EMAIL,
        }


class BudgetHolderCreateView(PermissionRequiredMixin, BudgetHolderFormMixin, FormView):
    permission = Permission.ADD_PERSON
    extra_context = {"title": "Add a person"}

    def save(self, form):
        return services.create_budget_holder(actor=self.request.user, **form.cleaned_data)


class BudgetHolderUpdateView(PersonMixin, BudgetHolderFormMixin, FormView):
    permission = Permission.CHANGE_PERSON
    access_log = "record (edit)"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.holder}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": f"Change {self.holder.full_name}'s details",
            "holder": self.holder,
            "back_url": reverse("person_detail", args=[self.holder.pk]),
        }

    def save(self, form):
        changes = {
            field: form.cleaned_data[field] for field in form.changed_data if field != "seen"
        }
        # The form's initial values: the model form has already copied what was typed onto
        # self.holder.
        before = {field: form.initial.get(field) for field in changes}
        holder = services.update_budget_holder(
            actor=self.request.user,
            budget_holder=self.holder,
            seen_updated_at=form.cleaned_data["seen"],
            **changes,
        )
        self.changed = any(getattr(holder, field) != value for field, value in before.items())
        return holder

    def saved_anything(self, form) -> bool:
        return self.changed


class PersonLogPage(PersonMixin, TemplateView):
    """A page of one of a person's logs, newest first, 25 at a time: `entries` reads the log,
    `describe` words one page of it. get_page(): past the end gives the last page, and
    anything not a number the first, as on the caseload."""

    permission = Permission.VIEW_HISTORY
    entries = describe = None

    def get_context_data(self, **kwargs):
        page = page_with_its_count(
            type(self).entries(self.holder), PAGE_SIZE, self.request.GET.get("page")
        )
        page.object_list = type(self).describe(page.object_list)
        return super().get_context_data(**kwargs) | {"holder": self.holder, "page": page}


class BudgetHolderHistoryView(PersonLogPage):
    """The changes to a person's record."""

    access_log = "history"
    template_name = "phb/person_history.html"
    entries, describe = person_changes, describe_changes


class BudgetHolderAccessLogView(PersonLogPage):
    """Who opened (or tried to open) a person's record."""

    access_log = "access log"
    template_name = "phb/person_access_log.html"
    entries, describe = person_accesses, describe_accesses


# -- sign-ins: the person's own, and those who act for them ------------------------------------


class PersonSignInView(PersonMixin, FormView):
    """Give the person a sign-in to see their own budget, plan and documents."""

    permission = Permission.CHANGE_PERSON
    access_log = "record (sign-in)"
    template_name = "phb/person_sign_in.html"
    form_class = SignInForm

    def get_initial(self):
        return {"email": self.holder.email}

    def form_valid(self, form):
        try:
            user, created = services.give_holder_sign_in(
                actor=self.request.user, budget_holder=self.holder, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, signed_in_words(self.holder.full_name, user, created))
        return redirect("person_detail", pk=self.holder.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "holder": self.holder,
            "back_url": reverse("person_detail", args=[self.holder.pk]),
        }


class RepresentativeAddView(PersonMixin, FormView):
    """Record someone who acts for the person, and give them a sign-in."""

    permission = Permission.CHANGE_PERSON
    access_log = "record (representative)"
    template_name = "phb/representative_form.html"
    form_class = RepresentativeForm

    def form_valid(self, form):
        try:
            representative, created = services.add_representative(
                actor=self.request.user, budget_holder=self.holder, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        user = representative.user
        messages.success(
            self.request,
            f"{user.full_name} now acts for {self.holder.given_name}. "
            + signed_in_words(user.full_name, user, created),
        )
        return redirect("person_detail", pk=self.holder.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "holder": self.holder,
            "title": f"Add someone who acts for {self.holder.full_name}",
            "back_url": reverse("person_detail", args=[self.holder.pk]),
            "button": "Add them",
        }


class RepresentativeMixin(PermissionRequiredMixin):
    """A page about one person who acts for someone, for staff who may change the record."""

    permission = Permission.CHANGE_PERSON
    object_required = True
    access_log = "record (representative)"
    template_name = "phb/representative_form.html"

    def get_permission_object(self):
        return selectors.representative_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_representative(self.kwargs["pk"]) or self.kwargs["pk"]

    def get_context_data(self, **kwargs):
        holder = self.object.budget_holder
        return super().get_context_data(**kwargs) | {
            "holder": holder,
            "back_url": reverse("person_detail", args=[holder.pk]),
        }


class RepresentativeAddressView(RepresentativeMixin, FormView):
    """Where letters to someone who acts for the person are posted."""

    form_class = RepresentativeAddressForm

    def get_initial(self):
        return {field: getattr(self.object, field) for field in services.ADDRESS_FIELDS}

    def form_valid(self, form):
        representative = self.object
        try:
            services.change_representative_address(
                actor=self.request.user, representative=representative, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        name = representative.user.full_name
        messages.success(
            self.request,
            f"Letters to {name} will be posted to the address you gave"
            if form.cleaned_data["address_line_1"]
            else f"No postal address is recorded for {name}",
        )
        return redirect("person_detail", pk=representative.budget_holder_id)

    def get_context_data(self, **kwargs):
        representative = self.object
        return super().get_context_data(**kwargs) | {
            "title": f"Postal address for {representative.user.full_name}",
            "addressing": representative,
            # Someone who has stopped acting gets no more letters, so theirs stays as it was.
            "stopped_acting": representative.ended_on is not None
            and representative.ended_on <= timezone.localdate(),
            "button": "Save the address",
        }


class RepresentativeEndView(RepresentativeMixin, FormView):
    """Someone stops acting for the person, and from that day sees nothing of theirs."""

    form_class = EndRepresentativeForm

    def form_valid(self, form):
        representative = self.object
        try:
            services.end_representative(
                actor=self.request.user, representative=representative, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{representative.user.full_name} stops acting for "
            f"{representative.budget_holder.given_name} on "
            f"{form.cleaned_data['ended_on']:%-d %B %Y}",
        )
        return redirect("person_detail", pk=representative.budget_holder_id)

    def get_context_data(self, **kwargs):
        representative = self.object
        holder = representative.budget_holder
        return super().get_context_data(**kwargs) | {
            "title": f"{representative.user.full_name} stops acting for {holder.full_name}",
            "ending": representative,
            "ending_can_change": representative.ended_on is not None
            and representative.ended_on > timezone.localdate(),
            "button": "Record that they stop",
        }
