"""Payroll routes of the employers app (see employers/urls.py)."""

from django.urls import path

from employers.views import payroll

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
    path("payslips/", payroll.OwnPayslipsView.as_view(), name="own_payslips"),
    path("payslips/<uuid:pk>/", payroll.PayslipView.as_view(), name="payslip"),
]
