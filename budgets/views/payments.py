"""Payment schedules, and recording the payments made: one at a time or in a payment run."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.generic import TemplateView

from budgets import calculations as calc
from budgets import selectors, services
from budgets.payment_forms import (
    UUID,
    InstalmentRowsForm,
    PaymentRunForm,
    PaymentScheduleForm,
    PaymentsDueForm,
    RecordPaymentForm,
)
from budgets.presenters import instalment_choice_label, money, payment_run_rows
from budgets.services import Conflict
from budgets.services.payments import past_payments_refusal
from budgets.views.base import BudgetMixin
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


class PaymentScheduleView(BudgetMixin, TemplateView):
    """Set a portion's schedule in one or two steps: how often and from when; then, when staff
    enter their own amounts or the first payment is in the past, a row for each payment."""

    permission = Permission.SET_PAYMENTS
    template_name = "budgets/payment_schedule.html"

    def portion(self):
        portion = next(
            (p for p in self.budget.portions.all() if str(p.pk) == str(self.kwargs["portion"])),
            None,
        )
        if portion is None or not portion.is_paid_out:
            raise Http404("Not found")
        return portion

    def default_first_date(self) -> datetime.date:
        budget = self.budget
        return min(max(budget.period_start, timezone.localdate()), budget.period_end)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "budget": self.budget,
            "holder": self.budget.budget_holder,
            "portion": self.portion(),
            "page_title": "Payment schedule",
        }

    def render_step(self, step1, rows=None):
        context = {"form": step1, "rows": rows}
        if rows is not None:
            context["schedule_summary"] = self.summary(step1, rows)
        return self.render_to_response(self.get_context_data(**context))

    def summary(self, step1, rows) -> list[dict]:
        """The first step's answers, with a way back to change them."""
        data = step1.cleaned_data
        again = self.request.path
        count = len(rows.dates)
        answers = [
            ("How often", dict(step1.fields["frequency"].choices)[data["frequency"]]),
            ("First payment date", _day(data["first_payment_date"])),
            (
                "Payments",
                f"{count} payment{'s' if count != 1 else ''}, the last on {_day(rows.dates[-1])}",
            ),
            ("Amount of each payment", dict(step1.fields["split"].choices)[data["split"]]),
        ]
        return [
            {
                "key": {"text": key},
                "value": {"text": value},
                "actions": {
                    "items": [{"href": again, "text": "Change", "visuallyHiddenText": key.lower()}]
                },
            }
            for key, value in answers
        ]

    def refused(self):
        """Back to the budget, told why, when its schedule can no longer be set (it was
        stopped, perhaps since this page was opened); None when it can."""
        refusal = services.schedule_refusal(self.budget)
        if refusal is None:
            return None
        messages.error(self.request, f"{refusal}.")
        return redirect("budgets:budget", pk=self.budget.pk)

    def get(self, request, *args, **kwargs):
        self.portion()
        if refused := self.refused():
            return refused
        schedule = getattr(self.portion(), "schedule", None)
        form = PaymentScheduleForm(
            initial={
                "first_payment_date": self.default_first_date(),
                "seen_schedule": str(schedule.pk) if schedule else "",
            }
        )
        return self.render_step(form)

    def post(self, request, *args, **kwargs):
        self.portion()
        if refused := self.refused():
            return refused
        step1 = PaymentScheduleForm(request.POST)
        if not step1.is_valid():
            return self.render_step(step1)
        budget = self.budget
        self.portion()  # a 404 for a notional or unknown portion, before anything else
        first = step1.cleaned_data["first_payment_date"]
        if not budget.period_start <= first <= budget.period_end:
            step1.add_error(
                "first_payment_date",
                f"The first payment must be within the budget's period, "
                f"{_day(budget.period_start)} to {_day(budget.period_end)}",
            )
            return self.render_step(step1)
        dates = calc.instalment_dates(
            first, budget.period_end, calc.InstalmentFrequency(step1.cleaned_data["frequency"])
        )
        own = step1.cleaned_data["split"] == "own"
        today = timezone.localdate()
        if refusal := past_payments_refusal(budget, dates, today):
            step1.add_error("first_payment_date", refusal)
            return self.render_step(step1)
        if not own and dates[0] >= today:
            return self.save(step1, None)
        sent_rows = request.POST.get("step") == "rows"
        rows = InstalmentRowsForm(
            request.POST if sent_rows else None, dates=dates, own_amounts=own, today=today
        )
        if sent_rows and rows.is_valid():
            return self.save(step1, rows)
        return self.render_step(step1, rows)

    def save(self, step1, rows):
        data = step1.cleaned_data
        try:
            services.set_payment_schedule(
                actor=self.request.user,
                portion=self.portion(),
                frequency=data["frequency"],
                first_payment_date=data["first_payment_date"],
                amounts=rows.amounts() if rows else None,
                paid_before_today=rows.paid_before_today() if rows else None,
                backdated_reason=rows.cleaned_data.get("backdated_reason", "") if rows else "",
                seen_schedule=data["seen_schedule"],
            )
        except Conflict as error:
            return conflict_redirect(
                self.request, error, reverse("budgets:budget", args=[self.budget.pk])
            )
        except ValidationError as error:
            add_errors(rows if rows is not None else step1, error)
            return self.render_step(step1, rows)
        messages.success(self.request, "The payment schedule has been set")
        return redirect("budgets:budget", pk=self.budget.pk)


class RecordPaymentView(BudgetMixin, TemplateView):
    """Record one payment as paid, from the budget's page."""

    permission = Permission.RECORD_PAYMENTS
    template_name = "budgets/record_payment.html"

    def instalment(self):
        instalment = selectors.instalment_of(self.budget, self.kwargs["instalment"])
        if instalment is None:
            raise Http404("Not found")
        return instalment

    def get_context_data(self, **kwargs):
        instalment = self.instalment()
        return super().get_context_data(**kwargs) | {
            "budget": self.budget,
            "holder": self.budget.budget_holder,
            "instalment": instalment,
            "portion": instalment.schedule.portion,
            "page_title": "Record a payment",
            "button_text": "Record as paid",
        }

    def back(self):
        return redirect("budgets:budget", pk=self.budget.pk)

    def get(self, request, *args, **kwargs):
        instalment = self.instalment()
        if instalment.is_paid:
            messages.info(request, f"Payment {instalment.number} has already been recorded as paid")
            return self.back()
        return self.render_to_response(self.get_context_data(form=RecordPaymentForm()))

    def post(self, request, *args, **kwargs):
        form = RecordPaymentForm(request.POST)
        if form.is_valid():
            instalment = self.instalment()
            try:
                services.record_payment(
                    actor=request.user,
                    instalment=instalment,
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
            except Conflict as error:
                return conflict_redirect(
                    request, error, reverse("budgets:budget", args=[self.budget.pk])
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Payment {instalment.number} of {money(instalment.amount)}, due on "
                    f"{_day(instalment.due_date)}, has been recorded as paid",
                )
                return self.back()
        return self.render_to_response(self.get_context_data(form=form))


class PaymentsDueView(PermissionRequiredMixin, TemplateView):
    """The payments due across the ICB the user acts for, to record a payment run."""

    permission = Permission.RECORD_PAYMENTS
    template_name = "budgets/payments_due.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def listing(self, due_up_to, after):
        page, more = selectors.payments_due(self.request.user, due_up_to=due_up_to, after=after)
        return page, more

    def render_page(self, *, filter_form, due_up_to, after, run_form=None):
        page, more = self.listing(due_up_to, after)
        choices = [(str(i.pk), instalment_choice_label(i)) for i in page]
        if run_form is None:
            run_form = PaymentRunForm(
                choices=choices,
                initial={
                    "paid_on": timezone.localdate(),
                    "due_up_to": due_up_to,
                    "shown": [pk for pk, _ in choices],
                },
            )
        else:
            run_form.fields["instalments"].choices = (
                run_form.fields["instalments"].choices[:1] + choices
            )
            run_form.fields["shown"].choices = choices
            run_form.data = run_form.data.copy()
            run_form.data.setlist("shown", [pk for pk, _ in choices])
        pager = {}
        first = "?" + urlencode({"due_up_to": due_up_to.isoformat()})
        if after:
            pager["previous"] = {"href": first, "text": "First payments"}
        if more:
            following = {"due_up_to": due_up_to.isoformat(), "after": page[-1].pk}
            pager["next"] = {"href": "?" + urlencode(following), "text": "Next payments"}
        return self.render_to_response(
            self.get_context_data(
                filter_form=filter_form,
                run_form=run_form,
                due_up_to=due_up_to,
                payments=page,
                after=after,
                pager=pager,
                page_size=selectors.PAYMENTS_DUE_PAGE_SIZE,
                first_page=first,
                totals=selectors.payments_due_totals(self.request.user, due_up_to=due_up_to),
                runs=selectors.recent_payment_runs(self.request.user),
            )
        )

    @staticmethod
    def _after(value):
        return value if value and UUID.fullmatch(value) else None

    def _due_up_to(self, value):
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return timezone.localdate()

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        if "due_up_to" in request.GET and not any(
            f"due_up_to_{part}" in request.GET for part in ("day", "month", "year")
        ):
            # A "next page" link: the date as it was chosen, and where the last page ended.
            due_up_to = self._due_up_to(request.GET["due_up_to"])
            filter_form = PaymentsDueForm(initial={"due_up_to": due_up_to})
        elif request.GET:
            filter_form = PaymentsDueForm(request.GET)
            due_up_to = (
                filter_form.cleaned_data["due_up_to"] if filter_form.is_valid() else None
            ) or today
        else:
            due_up_to = today
            filter_form = PaymentsDueForm(initial={"due_up_to": today})
        return self.render_page(
            filter_form=filter_form,
            due_up_to=due_up_to,
            after=self._after(request.GET.get("after")),
        )

    def post(self, request, *args, **kwargs):
        run_form = PaymentRunForm(request.POST)
        after = self._after(request.POST.get("after"))
        due_up_to = self._due_up_to(request.POST.get("due_up_to"))
        filter_form = PaymentsDueForm(initial={"due_up_to": due_up_to})
        if run_form.is_valid():
            data = run_form.cleaned_data
            try:
                run = services.record_payment_run(
                    actor=request.user,
                    instalments=run_form.chosen(),
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    due_up_to=data["due_up_to"],
                )
            except Conflict as error:
                run_form.add_error(None, str(error))
            except ValidationError as error:
                add_errors(run_form, error)
            except PermissionDenied as error:
                raise Http404("Not found") from error
            else:
                messages.success(
                    request,
                    f"{run.count} payment{'s' if run.count != 1 else ''} of {money(run.total)} "
                    f"in total {'have' if run.count != 1 else 'has'} been recorded as paid",
                )
                return redirect("budgets:payment_run", pk=run.pk)
        return self.render_page(
            filter_form=filter_form, due_up_to=due_up_to, after=after, run_form=run_form
        )


class PaymentRunView(PermissionRequiredMixin, TemplateView):
    """A payment run as it was recorded, with its payments."""

    permission = Permission.RECORD_PAYMENTS
    object_required = True
    template_name = "budgets/payment_run.html"

    def get_permission_object(self):
        return selectors.payment_run_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        run = self.object
        return super().get_context_data(**kwargs) | {
            "run": run,
            "run_summary": payment_run_rows(run),
            "instalments": list(selectors.payment_run_instalments(run)),
        }
