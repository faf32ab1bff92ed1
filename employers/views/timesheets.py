"""Timesheets: the PA's own "Your work" page, a timesheet with its shifts, sending it for
approval, and the employer's side approving it or sending it back. Staff of the person's ICB
who see employers open an employer's timesheets; PA employer support staff (and PHB leads)
also enter them for a PA, and approve them where a managed-account organisation employs.

A PA, the employer's side (the budget holder or their representative) and staff use the same
timesheet pages: each page asks the permission that fits who is looking (the PA's own record,
the employer's own employment, or staff's view of their ICB's employers, with the right to do
what the page does), so nobody else gets anything but a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from budgets.services import Conflict
from employers import timesheet_selectors as selectors
from employers.models import (
    EmployerKind,
    PersonalAssistant,
    PersonalAssistantStatus,
    TimesheetStatus,
)
from employers.rules import STAFF_APPROVE_TIMESHEETS, STAFF_ENTER_TIMESHEETS
from employers.selectors import own_employments
from employers.services import timesheets as services
from employers.timesheet_forms import (
    DecisionForm,
    RemoveShiftForm,
    ShiftForm,
    SubmitTimesheetForm,
    TimesheetDatesForm,
)
from employers.views.own import OwnPaPage
from phb.components import render_component
from phb.permissions import Permission
from phb.presenters import display_date, hidden_caption
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25
STATUS_TAG = {
    TimesheetStatus.DRAFT: "nhsuk-tag--grey",
    TimesheetStatus.SUBMITTED: "nhsuk-tag--blue",
    TimesheetStatus.APPROVED: "nhsuk-tag--green",
    TimesheetStatus.RETURNED: "nhsuk-tag--orange",
}


def status_tag(timesheet) -> str:
    return render_component(
        "tag",
        {"text": timesheet.get_status_display(), "classes": STATUS_TAG[timesheet.status]},
    )


def hours_text(hours) -> str:
    return f"{(hours or 0):.2f}"


def timesheets_table(
    timesheets, *, caption: str, who: bool, link: bool, for_whom: bool = False
) -> dict:
    """One row a timesheet: (the PA,) (or, to a PA with several jobs, whom it is for,) its
    dates, shifts, hours and status."""
    head = [{"text": "PA"}] if who else []
    head += [{"text": "Work for"}] if for_whom else []
    head += [{"text": "Dates"}, {"text": "Shifts"}, {"text": "Hours"}, {"text": "Status"}]
    rows = []
    for timesheet in timesheets:
        dates = f"{timesheet.starts_on:%-d %b %Y} to {timesheet.ends_on:%-d %b %Y}"
        dates_cell = (
            {"text": dates, "href": reverse("employers:timesheet", args=[timesheet.pk])}
            if link
            else {"text": dates}
        )
        row = [{"text": timesheet.assistant.full_name}] if who else []
        row += [{"text": timesheet.assistant.employer.display_name}] if for_whom else []
        row += [
            dates_cell,
            {"text": str(timesheet.shift_count), "format": "numeric"},
            {"text": hours_text(timesheet.total_hours), "format": "numeric"},
            {"html": status_tag(timesheet)},
        ]
        rows.append(row)
    return {"caption": hidden_caption(caption), "head": head, "rows": rows}


def is_the_pas(user, assistant) -> bool:
    return assistant.user_id is not None and assistant.user_id == user.pk


# Who is looking at a timesheet page: the PA, the employer's side, or staff.
PA, EMPLOYER_SIDE, STAFF = "pa", "employer", "staff"


def approvers(employer) -> str:
    """Who may approve the timesheets of `employer`'s PAs, as the rules say."""
    holder = employer.budget_holder.full_name
    if employer.kind == EmployerKind.MANAGED_ACCOUNT:
        return (
            f"PA employer support staff (for {employer.display_name}), {holder} or their "
            "representative"
        )
    return f"{holder} or their representative"


def waiting_sentence(employer, reader: str) -> str:
    """Who a submitted timesheet waits for, for a reader who cannot approve it."""
    sentence = f"Waiting for {approvers(employer)} to approve it."
    if reader == STAFF and employer.kind != EmployerKind.MANAGED_ACCOUNT:
        sentence += (
            " PA employer support staff approve timesheets only where a managed-account "
            "organisation is the employer."
        )
    return sentence


def shifts_of(timesheet):
    return list(timesheet.shifts.all())


def shifts_table(timesheet, shifts, *, changeable: bool) -> dict:
    head = [
        {"text": "Type"},
        {"text": "Start"},
        {"text": "End"},
        {"text": "Hours", "format": "numeric"},
        {"text": "Notes"},
    ]
    if changeable:
        head.append({"html": '<span class="nhsuk-u-visually-hidden">Actions</span>'})
    rows = []
    for shift in shifts:
        starts = shift.starts_at.astimezone(services.LONDON)
        ends = shift.ends_at.astimezone(services.LONDON)
        row = [
            {"text": shift.get_kind_display()},
            {"text": f"{starts:%a %-d %b %Y, %H:%M}"},
            {"text": f"{ends:%a %-d %b %Y, %H:%M}"},
            {"text": hours_text(shift.hours), "format": "numeric"},
            # What the PA wrote about the shift, for whoever approves it.
            {"text": shift.notes},
        ]
        if changeable:
            what = f"{shift.get_kind_display().lower()} shift of {starts:%-d %B %H:%M}"
            change = reverse("employers:shift_change", args=[shift.pk])
            remove = reverse("employers:shift_remove", args=[shift.pk])
            row.append(
                {
                    "html": (
                        f'<a href="{change}">Change<span class="nhsuk-u-visually-hidden"> the '
                        f"{what}</span></a> "
                        f'<a href="{remove}">Remove<span class="nhsuk-u-visually-hidden"> the '
                        f"{what}</span></a>"
                    )
                }
            )
        rows.append(row)
    return {"caption": hidden_caption("Shifts"), "head": head, "rows": rows}


def totals_table(shifts) -> dict:
    return {
        "caption": hidden_caption("Totals by type of shift"),
        "head": [{"text": "Type"}, {"text": "Shifts"}, {"text": "Hours"}],
        "rows": [
            [
                {"text": label},
                {"text": str(count), "format": "numeric"},
                {"text": hours_text(hours), "format": "numeric"},
            ]
            for label, hours, count in services.totals_by_kind(shifts)
        ],
    }


def employment_notes(timesheet, *, changeable: bool) -> list[str]:
    """What the PA's start or leaving date, falling inside (or before) the timesheet's dates,
    means for it: a timesheet may begin before their start date or run past their last day
    (one of their dates was recorded after it was started), and only its shifts from the one
    to the other are entered, sent and approved."""
    assistant = timesheet.assistant
    name = assistant.full_name
    notes = []
    if timesheet.starts_on < assistant.starts_on:
        notes.append(
            f"{name} started on {assistant.starts_on:%-d %B %Y}, after this timesheet begins"
            + (": shifts can be added from that day, not before." if changeable else ".")
        )
    if assistant.status != PersonalAssistantStatus.LEFT or assistant.left_on >= timesheet.ends_on:
        return notes
    if services.left_before_it_starts(timesheet):
        notes.append(
            f"{services.left_before_it_starts_words(timesheet)}."
            if timesheet.status != TimesheetStatus.APPROVED
            else f"{name} left on {assistant.left_on:%-d %B %Y}, before this timesheet starts."
        )
    else:
        notes.append(
            f"{name} left on {assistant.left_on:%-d %B %Y}, before this timesheet ends"
            + (": shifts can be added up to that day, not after." if changeable else ".")
        )
    return notes


# --- The PA's own page ------------------------------------------------------------------


class MyWorkView(OwnPaPage):
    """'Your work': a PA's employments and their timesheets, and nothing of anyone else."""

    template_name = "employers/timesheets/my_work.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        employments = list(own_employments(user))
        timesheets = selectors.own_timesheets(user)
        page = Paginator(timesheets, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(**kwargs) | {
            "employments": employments,
            "several": len(employments) > 1,
            "page": page,
            "table": timesheets_table(
                page.object_list,
                caption="Your timesheets",
                who=False,
                for_whom=len(employments) > 1,
                link=True,
            ),
            "left": PersonalAssistantStatus.LEFT,
        }


# --- The employer's side and staff ------------------------------------------------------


class EmployerPage(PermissionRequiredMixin, TemplateView):
    object_required = True
    access_log = "timesheets"

    def get_permission_object(self):
        return selectors.employer_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_employer(self.kwargs["pk"]) or self.kwargs["pk"]


class TimesheetsToApproveView(EmployerPage):
    """For the budget holder or their representative: timesheets waiting for approval, the
    others, and a way to enter a timesheet for a PA."""

    permission = Permission.VIEW_OWN_EMPLOYMENT
    template_name = "employers/timesheets/to_approve.html"

    def get_context_data(self, **kwargs):
        employer = self.object
        timesheets = selectors.timesheets_of(employer)
        waiting = list(timesheets.filter(status=TimesheetStatus.SUBMITTED).order_by("submitted_at"))
        others = timesheets.exclude(status=TimesheetStatus.SUBMITTED)
        page = Paginator(others, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(**kwargs) | {
            "employer": employer,
            "waiting": waiting,
            "waiting_table": timesheets_table(
                waiting, caption="Timesheets to approve", who=True, link=True
            ),
            "page": page,
            "others_table": timesheets_table(
                page.object_list, caption="Other timesheets", who=True, link=True
            ),
            "assistants": list(employer.assistants.employed()),
        }


class EmployerTimesheetsView(EmployerPage):
    """For staff who see employers: an employer's timesheets, each opening its page, and for
    those who enter timesheets for PAs (PA employer support staff, PHB leads), a way to
    start one for each PA who has not left."""

    permission = Permission.VIEW_EMPLOYERS
    template_name = "employers/timesheets/employer_timesheets.html"

    def get_context_data(self, **kwargs):
        employer = self.object
        user = self.request.user
        timesheets = selectors.timesheets_of(employer)
        page = Paginator(timesheets, PAGE_SIZE).get_page(self.request.GET.get("page"))
        assistants = list(employer.assistants.employed().order_by("full_name"))
        # Asked of one PA: for staff, the answer is the same for each PA who has not left.
        may_enter = bool(assistants) and user.has_perm(Permission.ENTER_TIMESHEET, assistants[0])
        return super().get_context_data(**kwargs) | {
            "employer": employer,
            "page": page,
            "table": timesheets_table(page.object_list, caption="Timesheets", who=True, link=True),
            "approvers": approvers(employer),
            "assistants": assistants if may_enter else [],
        }


# --- Timesheet pages, for the PA and the employer's side --------------------------------


class TimesheetAccessMixin(PermissionRequiredMixin):
    """The PA opens their own timesheets as their own record; the budget holder or their
    representative open them as their own employment; staff of the person's ICB open them
    as an employer they see. Anyone else gets a 404.

    A page that changes something (`staff_may` set) opens for staff only when the rules let
    them do it (before the PA-has-left check: the services refuse that in words, as for the
    PA and the employer's side); other staff are refused as anyone else is, with the
    permission of the action (`staff_action`), which they do not have either."""

    object_required = True
    access_log = "timesheet"
    permission = Permission.VIEW_OWN_EMPLOYMENT
    staff_may = None
    staff_action = Permission.ENTER_TIMESHEET

    def load(self):
        """The timesheet (or PA, for a new timesheet) the address names, if the user sees it."""
        return selectors.timesheet_for(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        obj = self.load()
        user = self.request.user
        assistant = obj if isinstance(obj, PersonalAssistant) else getattr(obj, "assistant", None)
        self.reader = EMPLOYER_SIDE
        if assistant is not None and is_the_pas(user, assistant):
            self.reader = PA
            self.permission = Permission.VIEW_OWN_PA_RECORD
        elif (
            assistant is not None
            and user.is_staff_member
            and not user.has_perm(Permission.VIEW_OWN_EMPLOYMENT, obj)
        ):
            self.reader = STAFF
            may = self.staff_may is None or self.staff_may.test(user, obj)
            self.permission = Permission.VIEW_EMPLOYERS if may else self.staff_action
        self.is_pa = self.reader == PA
        return obj

    def timesheet_url(self, timesheet=None):
        return reverse("employers:timesheet", args=[(timesheet or self.object).pk])

    def timesheets_url(self, employer_id):
        """The reader's list of the employer's timesheets (or the PA's own work)."""
        if self.reader == PA:
            return reverse("employers:my_work")
        if self.reader == STAFF:
            return reverse("employers:employer_timesheets", args=[employer_id])
        return reverse("employers:timesheets_to_approve", args=[employer_id])


class TimesheetView(TimesheetAccessMixin, TemplateView):
    template_name = "employers/timesheets/timesheet.html"

    def get_context_data(self, **kwargs):
        timesheet = self.object
        user = self.request.user
        shifts = shifts_of(timesheet)
        changeable = services.change_refusal(timesheet) is None and user.has_perm(
            Permission.ENTER_TIMESHEET, timesheet
        )
        send_refusal = services.send_refusal(timesheet) if changeable and shifts else None
        may_decide = (
            not self.is_pa
            and timesheet.status == TimesheetStatus.SUBMITTED
            and user.has_perm(Permission.APPROVE_TIMESHEET, timesheet)
        )
        closed = services.left_before_it_starts(timesheet)
        notes = employment_notes(timesheet, changeable=changeable)
        if send_refusal:
            notes.append(f"{send_refusal}.")
        approval_refusal = services.approval_refusal(timesheet) if may_decide else None
        if approval_refusal:
            notes.append(f"{approval_refusal}.")
        waiting = timesheet.status == TimesheetStatus.SUBMITTED and not (closed or may_decide)
        return super().get_context_data(**kwargs) | {
            "timesheet": timesheet,
            "assistant": timesheet.assistant,
            "is_pa": self.is_pa,
            "notes": notes,
            "may_send": bool(shifts) and changeable and not send_refusal,
            "waiting": waiting_sentence(timesheet.assistant.employer, self.reader)
            if waiting
            else "",
            "shifts": shifts,
            "shifts_table": shifts_table(timesheet, shifts, changeable=changeable),
            "totals_table": totals_table(shifts),
            "changeable": changeable,
            "may_decide": may_decide,
            "warnings": services.approval_warnings(timesheet)
            if may_decide and not approval_refusal
            else [],
            "status_tag": status_tag(timesheet),
            "back_url": self.timesheets_url(timesheet.assistant.employer_id),
        }


def timesheet_dates(timesheet) -> str:
    """ "1 December 2026 to 7 December 2026": the days a timesheet covers, as its heading
    says them."""
    return (
        f"{display_date(timesheet.starts_on, 'j F Y')} to "
        f"{display_date(timesheet.ends_on, 'j F Y')}"
    )


class TimesheetFormView(TimesheetAccessMixin, TemplateView):
    """A form whose values go to one service: errors shown in the NHS.UK way, nothing saved
    on bad input, and a message saying what happened."""

    template_name = "employers/timesheets/form_page.html"
    done = ""

    def form_kwargs(self) -> dict:
        return {}

    def make_form(self, data=None):
        return self.form_class(data, **self.form_kwargs())

    def refuse(self) -> str | None:
        return None

    def done_text(self) -> str:
        return self.done

    def done_url(self):
        return self.timesheet_url()

    def refused_url(self):
        return self.timesheet_url()

    def get(self, request, *args, **kwargs):
        refusal = self.refuse()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.refused_url())
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        refusal = self.refuse()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.refused_url())
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.refused_url())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done_text())
                return redirect(self.done_url() if result is None else result)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        obj = self.object
        assistant = obj if isinstance(obj, PersonalAssistant) else obj.assistant
        return super().get_context_data(**kwargs) | {
            # The title says whose timesheet, and which (WCAG 2.4.2): every PA's form pages
            # would otherwise share one title.
            "title_about": assistant.full_name
            if isinstance(obj, PersonalAssistant)
            else f"{assistant.full_name}, {timesheet_dates(obj)}",
            "assistant": assistant,
            "employer_name": assistant.employer.display_name,
            "timesheet": None if isinstance(obj, PersonalAssistant) else obj,
            "reader": self.reader,
        }


class TimesheetNewView(TimesheetFormView):
    form_class = TimesheetDatesForm
    done = "The timesheet has been started: add the shifts worked"
    staff_may = STAFF_ENTER_TIMESHEETS

    def load(self):
        return selectors.assistant_for(self.request.user, self.kwargs["pk"])

    def refused_url(self):
        return self.timesheets_url(self.object.employer_id)

    def save(self, form):
        timesheet = services.start_timesheet(
            actor=self.request.user,
            assistant=self.object,
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
        )
        return self.timesheet_url(timesheet)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Start a timesheet",
            "button_text": "Start the timesheet",
            "intro": "Give the first and last day of the time this timesheet covers. "
            f"{services.longest_timesheet(self.object)}. You add the shifts next.",
        }


class ChangeableTimesheetMixin:
    staff_may = STAFF_ENTER_TIMESHEETS

    def refuse(self):
        return services.change_refusal(self.object)


class ShiftAddView(ChangeableTimesheetMixin, TimesheetFormView):
    form_class = ShiftForm
    done = "The shift has been added"

    def save(self, form):
        self.saved = services.add_shift(
            actor=self.request.user, timesheet=self.object, details=form.details()
        )

    def done_text(self) -> str:
        return f"{self.done}: {services.shift_words(self.saved)}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Add a shift",
            "button_text": "Add the shift",
        }


class ShiftMixin:
    """Pages about one shift: the permission is asked of its timesheet."""

    def load(self):
        self.shift = selectors.shift_for(self.request.user, self.kwargs["pk"])
        return self.shift.timesheet if self.shift is not None else None


class ShiftChangeView(ShiftMixin, ChangeableTimesheetMixin, TimesheetFormView):
    form_class = ShiftForm
    done = "The shift has been changed"

    def make_form(self, data=None):
        initial = (
            ShiftForm.initial_for(self.shift, services.LONDON, seen=self.object.updated_at)
            if data is None
            else None
        )
        return self.form_class(data, initial=initial, changing=True)

    def save(self, form):
        self.saved = services.change_shift(
            actor=self.request.user,
            shift=self.shift,
            details=form.details(),
            seen=form.cleaned_data["seen"],
        )

    def done_text(self) -> str:
        return f"{self.done}: {services.shift_words(self.saved)}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Change a shift",
            "button_text": "Save the shift",
        }


class ShiftRemoveView(ShiftMixin, ChangeableTimesheetMixin, TimesheetFormView):
    form_class = RemoveShiftForm
    done = "The shift has been removed"

    def form_kwargs(self) -> dict:
        return {"initial": {"seen": self.object.updated_at}}

    def save(self, form):
        services.remove_shift(
            actor=self.request.user, shift=self.shift, seen=form.cleaned_data["seen"]
        )
        return None

    def post(self, request, *args, **kwargs):
        if request.POST.get("remove") == "no":
            return redirect(self.timesheet_url())
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Remove a shift",
            "button_text": "Continue",
            "intro": f"{services.shift_words(self.shift)}.",
        }


class SubmitView(ChangeableTimesheetMixin, TimesheetFormView):
    form_class = SubmitTimesheetForm
    done = "The timesheet has been sent for approval"

    def refuse(self):
        # The page offers sending only when it can be done, with the service's words if not.
        return services.send_refusal(self.object)

    def form_kwargs(self) -> dict:
        # The shifts this page shows, as they were: shifts changed since are not sent unseen.
        return {"initial": {"seen": self.object.updated_at}}

    def save(self, form):
        services.submit_timesheet(
            actor=self.request.user, timesheet=self.object, seen=form.cleaned_data["seen"]
        )

    def get_context_data(self, **kwargs):
        shifts = shifts_of(self.object)
        return super().get_context_data(**kwargs) | {
            "page_title": "Send the timesheet for approval",
            "button_text": "Send for approval",
            "shifts_table": shifts_table(self.object, shifts, changeable=False) if shifts else None,
            "totals_table": totals_table(shifts) if shifts else None,
            "intro": "Check the shifts. Once the timesheet is sent, it cannot be changed unless "
            "it is sent back.",
        }


class DecideView(TimesheetFormView):
    """The employer (or their representative), or support staff for a managed-account
    organisation, approve the timesheet or send it back."""

    form_class = DecisionForm
    template_name = "employers/timesheets/decide.html"
    staff_may = STAFF_APPROVE_TIMESHEETS
    staff_action = Permission.APPROVE_TIMESHEET

    def get_permission_object(self):
        obj = super().get_permission_object()
        # A PA never approves their own timesheet: they are refused as the employer's side.
        if self.reader == PA:
            self.permission = Permission.VIEW_OWN_EMPLOYMENT
        return obj

    def refuse(self):
        if self.object.status != TimesheetStatus.SUBMITTED:
            return str(services.already_decided(self.object))
        if services.left_before_it_starts(self.object):
            return services.left_before_it_starts_words(self.object)
        return None

    @cached_property
    def approval_refusal(self) -> str | None:
        return services.approval_refusal(self.object)

    def form_kwargs(self) -> dict:
        # A shift outside the PA's employment: the timesheet can only be sent back. The
        # decision is about the shifts this page shows, as they were when it was drawn.
        return {
            "may_approve": not self.approval_refusal,
            "initial": {"seen": self.object.updated_at},
        }

    def save(self, form):
        seen = form.cleaned_data["seen"]
        if form.cleaned_data["decision"] == "approve":
            services.approve_timesheet(actor=self.request.user, timesheet=self.object, seen=seen)
            self.done = "The timesheet has been approved"
        else:
            services.return_timesheet(
                actor=self.request.user,
                timesheet=self.object,
                reason=form.cleaned_data["reason"],
                seen=seen,
            )
            self.done = "The timesheet has been sent back"

    def done_url(self):
        return self.timesheets_url(self.object.assistant.employer_id)

    def get_context_data(self, **kwargs):
        shifts = shifts_of(self.object)
        return super().get_context_data(**kwargs) | {
            "page_title": "Approve or send back the timesheet",
            "button_text": "Continue",
            "shifts_table": shifts_table(self.object, shifts, changeable=False),
            "totals_table": totals_table(shifts),
            "warnings": services.approval_warnings(self.object)
            if not self.approval_refusal
            else [],
            "approval_refusal": self.approval_refusal,
        }
