"""ICB administration of budget-setting data: rate tables and RAS questionnaires."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from budgets import selectors, services
from budgets.calculations import financial_year, financial_year_label
from budgets.forms import (
    AnswerFormSet,
    DomainForm,
    LocalRatesForm,
    NationalRatesForm,
    PricePerPointForm,
    QuestionnaireForm,
)
from phb.forms import change_rows, without_errors
from phb.permissions import Permission
from phb.views.helpers import add_errors
from phb.views.mixins import PermissionRequiredMixin

ONE_DAY = datetime.timedelta(days=1)


class RatesView(PermissionRequiredMixin, TemplateView):
    """National figures (read by every ICB, kept by the service administrator) and the
    local rates of the ICB the user acts for (kept by its administrator)."""

    permission = Permission.VIEW_RATES
    template_name = "budgets/rates.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        organisation = user.acting_organisation
        return (
            super().get_context_data(**kwargs)
            | selectors.rate_tables(user)
            | {
                "can_edit_national": user.has_perm(Permission.EDIT_NATIONAL_RATES),
                "can_edit_local": user.has_perm(Permission.EDIT_LOCAL_RATES, organisation),
                "organisation": organisation,
            }
        )


class RatesFormView(PermissionRequiredMixin, FormView):
    """A new rate set (no `rate_pk`), or a change to one that no calculation has used."""

    template_name = "budgets/rates_form.html"

    @property
    def object_required(self) -> bool:
        return "rate_pk" in self.kwargs

    def get_permission_object(self):
        pk = self.kwargs.get("rate_pk")
        if pk is None:
            return self.request.user.acting_organisation
        return self.queryset().filter(pk=pk).first()

    def get_instance(self):
        return self.object if self.kwargs.get("rate_pk") else None

    def get_form_kwargs(self):
        instance = self.get_instance()
        kwargs = super().get_form_kwargs()
        if instance is not None:
            kwargs["instance"] = instance
        else:
            latest = self.queryset().first()
            if latest is not None:
                # A new set is usually next year's: from the 1 April after the latest set.
                # Its figures start from the latest set's; its name is the new year's, not a
                # copy of the latest's ("2026/27" again for 2027/28).
                starts = financial_year(latest.effective_from)[1] + ONE_DAY
                kwargs["initial"] = {
                    f.name: getattr(latest, f.name)
                    for f in latest._meta.fields
                    if f.name in self.form_class.base_fields
                } | {"effective_from": starts}
                if "name" in kwargs["initial"]:
                    kwargs["initial"]["name"] = financial_year_label(starts)
            else:
                kwargs["initial"] = {"effective_from": financial_year(timezone.localdate())[0]}
        return kwargs

    def form_valid(self, form):
        figures = {name: form.cleaned_data[name] for name in form.fields}
        try:
            self.save(rate_set=self.get_instance(), **figures)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The rates have been saved")
        return redirect("budgets:rates")


class NationalRatesFormView(RatesFormView):
    permission = Permission.EDIT_NATIONAL_RATES
    form_class = NationalRatesForm
    extra_context = {"title": "National employment figures"}

    def queryset(self):
        return selectors.national_rate_sets()

    def save(self, **kwargs):
        services.save_national_rates(actor=self.request.user, **kwargs)


class LocalRatesFormView(RatesFormView):
    permission = Permission.EDIT_LOCAL_RATES
    object_required = True
    form_class = LocalRatesForm
    extra_context = {"title": "Local rates"}

    def queryset(self):
        return selectors.local_rate_sets(self.request.user)

    def save(self, **kwargs):
        services.save_local_rates(actor=self.request.user, **kwargs)


class QuestionnaireListView(PermissionRequiredMixin, FormView):
    permission = Permission.MANAGE_RAS
    template_name = "budgets/ras_list.html"
    form_class = QuestionnaireForm

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "questionnaires": selectors.questionnaires(self.request.user)
        }

    def form_valid(self, form):
        try:
            questionnaire = services.create_questionnaire(
                actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        return redirect("budgets:questionnaire", pk=questionnaire.pk)


class QuestionnaireView(PermissionRequiredMixin, FormView):
    """A version's domains and answers; a draft can be changed, a version in use only copied."""

    permission = Permission.MANAGE_RAS
    object_required = True
    template_name = "budgets/ras_detail.html"
    form_class = DomainForm

    def get_permission_object(self):
        return selectors.questionnaires(self.request.user).filter(pk=self.kwargs["pk"]).first()

    @property
    def questionnaire(self):
        return self.object

    def get_context_data(self, **kwargs):
        price_form = kwargs.pop("price_form", None) or PricePerPointForm(
            prefix="price", initial={"price_per_point": self.questionnaire.price_per_point}
        )
        answers = kwargs.pop("answers", None) or AnswerFormSet(prefix="answers")
        return super().get_context_data(**kwargs) | {
            "questionnaire": self.questionnaire,
            "price_form": price_form,
            "answers": answers,
        }

    def add_domain(self, request):
        """The domain's name and question, and its answers as rows; "Add another answer"
        and "Remove" change the rows and show the page again as typed."""
        data, rows_changed = change_rows(
            request.POST,
            "answers",
            max_rows=AnswerFormSet.max_num,
            min_rows=AnswerFormSet.min_num,
        )
        form, answers = DomainForm(data), AnswerFormSet(data, prefix="answers")
        if rows_changed:
            without_errors(form, answers)
        elif form.is_valid() and answers.is_valid():
            try:
                services.add_domain(
                    actor=request.user,
                    questionnaire=self.questionnaire,
                    options=answers.options(),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['name']} has been added")
                return redirect("budgets:questionnaire", pk=self.questionnaire.pk)
        return self.render_to_response(self.get_context_data(form=form, answers=answers))

    def change_price(self, request):
        price_form = PricePerPointForm(request.POST, prefix="price")
        if price_form.is_valid():
            try:
                services.set_price_per_point(
                    actor=request.user,
                    questionnaire=self.questionnaire,
                    **price_form.cleaned_data,
                )
            except ValidationError as error:
                add_errors(price_form, error)
            else:
                messages.success(request, "The price per point has been changed")
                return redirect("budgets:questionnaire", pk=self.questionnaire.pk)
        # The "add a domain" form was not sent: show it empty, not bound to the price's data.
        return self.render_to_response(
            self.get_context_data(price_form=price_form, form=self.form_class())
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "price":
            return self.change_price(request)
        try:
            if action == "publish":
                services.publish_questionnaire(actor=request.user, questionnaire=self.questionnaire)
                messages.success(request, "This version is now in use")
            elif action == "new_version":
                copy = services.create_questionnaire(
                    actor=request.user,
                    financial_year=self.questionnaire.financial_year,
                    price_per_point=self.questionnaire.price_per_point,
                    based_on=self.questionnaire,
                )
                messages.success(request, f"Version {copy.version} has been made as a draft")
                return redirect("budgets:questionnaire", pk=copy.pk)
            elif action == "remove_domain":
                domain = self.questionnaire.domains.filter(pk=request.POST.get("domain")).first()
                if domain is None:
                    raise Http404("Not found")
                services.remove_domain(actor=request.user, domain=domain)
            else:
                return self.add_domain(request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("budgets:questionnaire", pk=self.questionnaire.pk)
