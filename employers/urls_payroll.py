"""Payroll routes of the employers app (see employers/urls.py)."""

from django.urls import path

from employers.views import payroll, tax_years

urlpatterns = [
    path("<uuid:pk>/pay-runs/", payroll.PayRunsView.as_view(), name="pay_runs"),
    path("<uuid:pk>/pay-runs/start/", payroll.StartPayRunView.as_view(), name="pay_run_start"),
    path("pay-runs/<uuid:pk>/", payroll.PayRunView.as_view(), name="pay_run"),
    path(
        "pay-runs/<uuid:pk>/recalculate/",
        payroll.RecalculateView.as_view(),
        name="pay_run_recalculate",
    ),
    path("pay-runs/<uuid:pk>/finalise/", payroll.FinaliseView.as_view(), name="pay_run_finalise"),
    path("pay-runs/<uuid:pk>/correct/", payroll.CorrectView.as_view(), name="pay_run_correct"),
    path("pay-runs/<uuid:pk>/bureau.csv", payroll.ExportView.as_view(), name="pay_run_export"),
    path("tax-years/", tax_years.TaxYearsView.as_view(), name="tax_years"),
    path("tax-years/new/", tax_years.TaxYearFormView.as_view(), name="tax_year_new"),
    path("tax-years/<uuid:pk>/", tax_years.TaxYearFormView.as_view(), name="tax_year_edit"),
    path("payslips/", payroll.OwnPayslipsView.as_view(), name="own_payslips"),
    path("payslips/<uuid:pk>/", payroll.PayslipView.as_view(), name="payslip"),
]
