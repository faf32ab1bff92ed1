"""Reviews, reconsideration, stopping and repayment, and the quarterly figures (included by
careplans/urls.py)."""

from django.urls import path

from careplans.views import quarterly, reconsideration, reviews, stopping

urlpatterns = [
    path("reviews/", reviews.ReviewsDueView.as_view(), name="reviews_due"),
    path("reviews/<uuid:pk>/", reviews.RecordReviewView.as_view(), name="review_record"),
    path(
        "people/<uuid:pk>/bring-review-forward/",
        reviews.BringForwardView.as_view(),
        name="review_bring_forward",
    ),
    path("reconsideration/", reconsideration.OpenRequestsView.as_view(), name="reconsiderations"),
    path(
        "people/<uuid:pk>/reconsideration/",
        reconsideration.NewRequestView.as_view(),
        name="reconsideration_new",
    ),
    path(
        "reconsideration/<uuid:pk>/",
        reconsideration.DecideRequestView.as_view(),
        name="reconsideration_decide",
    ),
    path(
        "reconsideration/<uuid:pk>/change-made/",
        reconsideration.ChangeMadeView.as_view(),
        name="reconsideration_change_made",
    ),
    path("budgets/<uuid:pk>/stop/", stopping.StopView.as_view(), name="stop"),
    path("budgets/<uuid:pk>/repayment/", stopping.RepaymentView.as_view(), name="repayment_new"),
    path(
        "repayments/<uuid:pk>/settle/", stopping.SettlementView.as_view(), name="repayment_settle"
    ),
    path("quarterly-figures/", quarterly.QuarterlyFiguresView.as_view(), name="quarterly_figures"),
]
