"""ICB administration of budget-setting data: rate tables and RAS questionnaires."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from budgets import selectors, services
from budgets.forms import (
    DomainForm,
    LocalRatesForm,
    NationalRatesForm,
    PricePerPointForm,
    QuestionnaireForm,
)
from budgets.views.base import add_errors
from phb.views.mixins import PermissionRequiredMixin


class RatesView(PermissionRequiredMixin, TemplateView):
    permission_required = "budgets.edit_rates"
    template_name = "budgets/rates.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | selectors.rate_tables(self.request.user)


class RatesFormView(PermissionRequiredMixin, FormView):
    permission_required = "budgets.edit_rates"
    template_name = "budgets/rates_form.html"

    def get_instance(self):
        pk = self.kwargs.get("rate_pk")
        if pk is None:
            return None
        instance = self.queryset().filter(pk=pk).first()
        if instance is None:
            raise Http404("Not found")
        return instance

    def get_form_kwargs(self):
        instance = self.get_instance()
        kwargs = super().get_form_kwargs()
        if instance is not None:
            kwargs["instance"] = instance
        else:
            latest = self.queryset().first()
            if latest is not None:
                kwargs["initial"] = {
                    f.name: getattr(latest, f.name)
                    for f in latest._meta.fields
                    if f.name in self.form_class.base_fields
                } | {"effective_from": None}
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
    form_class = NationalRatesForm
    extra_context = {"title": "National employment figures"}

    def queryset(self):
        return selectors.national_rate_sets()

    def save(self, **kwargs):
        services.save_national_rates(actor=self.request.user, **kwargs)


class LocalRatesFormView(RatesFormView):
    form_class = LocalRatesForm
    extra_context = {"title": "Local rates"}

    def queryset(self):
        return selectors.local_rate_sets(self.request.user)

    def save(self, **kwargs):
        services.save_local_rates(actor=self.request.user, **kwargs)


class QuestionnaireListView(PermissionRequiredMixin, FormView):
    permission_required = "budgets.manage_ras"
    template_name = "budgets/ras_list.html"
    form_class = QuestionnaireForm

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

    permission_required = "budgets.manage_ras"
    template_name = "budgets/ras_detail.html"
    form_class = DomainForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.questionnaire = (
                selectors.questionnaires(request.user).filter(pk=kwargs["pk"]).first()
            )
            if self.questionnaire is None:
                raise Http404("Not found")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        price_form = kwargs.pop("price_form", None) or PricePerPointForm(
            prefix="price", initial={"price_per_point": self.questionnaire.price_per_point}
        )
        return super().get_context_data(**kwargs) | {
            "questionnaire": self.questionnaire,
            "price_form": price_form,
        }

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
                return super().post(request, *args, **kwargs)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("budgets:questionnaire", pk=self.questionnaire.pk)

    def form_valid(self, form):
        try:
            services.add_domain(
                actor=self.request.user, questionnaire=self.questionnaire, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{form.cleaned_data['name']} has been added")
        return redirect("budgets:questionnaire", pk=self.questionnaire.pk)
