from django.urls import path

from budgets.views import admin, budget, calculations, changes, lifecycle, payments

app_name = "budgets"
urlpatterns = [
    path("people/<uuid:pk>/", calculations.CompareView.as_view(), name="person"),
    path("people/<uuid:pk>/ras/", calculations.RasAssessmentView.as_view(), name="ras_new"),
    path("people/<uuid:pk>/chc-package/", calculations.ChcPackageView.as_view(), name="chc_new"),
    path("people/<uuid:pk>/pa-costing/", calculations.PaCostingView.as_view(), name="pa_new"),
    path("people/<uuid:pk>/new/", budget.BudgetCreateView.as_view(), name="budget_new"),
    path("<uuid:pk>/", budget.BudgetDetailView.as_view(), name="budget"),
    path("<uuid:pk>/change/", lifecycle.BudgetEditView.as_view(), name="edit"),
    path("<uuid:pk>/propose/", budget.ProposeView.as_view(), name="propose"),
    path("<uuid:pk>/send-back/", lifecycle.SendBackView.as_view(), name="send_back"),
    path("<uuid:pk>/withdraw/", lifecycle.WithdrawView.as_view(), name="withdraw"),
    path("<uuid:pk>/clinical-check/", budget.ClinicalCheckView.as_view(), name="clinical_check"),
    path("<uuid:pk>/agree/", budget.AgreeView.as_view(), name="agree"),
    path(
        "<uuid:pk>/payments/<uuid:portion>/",
        payments.PaymentScheduleView.as_view(),
        name="payments",
    ),
    path(
        "<uuid:pk>/instalments/<uuid:instalment>/paid/",
        payments.RecordPaymentView.as_view(),
        name="record_payment",
    ),
    path("<uuid:pk>/start/", budget.StartView.as_view(), name="start"),
    path("<uuid:pk>/amount/", changes.ChangeAmountView.as_view(), name="change_amount"),
    path("<uuid:pk>/increase/", changes.ProposeIncreaseView.as_view(), name="propose_increase"),
    path("<uuid:pk>/increase/check/", changes.IncreaseCheckView.as_view(), name="increase_check"),
    path("<uuid:pk>/end/", lifecycle.EndView.as_view(), name="end"),
    path("<uuid:pk>/next-year/", lifecycle.NextYearView.as_view(), name="next_year"),
    path("<uuid:pk>/what-changed/", lifecycle.WhatChangedView.as_view(), name="what_changed"),
    path("payments-due/", payments.PaymentsDueView.as_view(), name="payments_due"),
    path("payment-runs/<uuid:pk>/", payments.PaymentRunView.as_view(), name="payment_run"),
    path("letters/<uuid:pk>/", budget.LetterView.as_view(), name="letter"),
    path("rates/", admin.RatesView.as_view(), name="rates"),
    path("rates/national/new/", admin.NationalRatesFormView.as_view(), name="national_rates_new"),
    path(
        "rates/national/<uuid:rate_pk>/",
        admin.NationalRatesFormView.as_view(),
        name="national_rates_edit",
    ),
    path("rates/local/new/", admin.LocalRatesFormView.as_view(), name="local_rates_new"),
    path(
        "rates/local/<uuid:rate_pk>/", admin.LocalRatesFormView.as_view(), name="local_rates_edit"
    ),
    path("policy/", lifecycle.BudgetPolicyView.as_view(), name="budget_policy"),
    path("ras/", admin.QuestionnaireListView.as_view(), name="questionnaires"),
    path("ras/<uuid:pk>/", admin.QuestionnaireView.as_view(), name="questionnaire"),
]
