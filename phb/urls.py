from django.urls import include, path

from phb.views import health, home, icb_contact, people, service_pages

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "accessibility-statement/",
        service_pages.accessibility_statement,
        name="accessibility_statement",
    ),
    path("contact/", service_pages.contact, name="contact"),
    path("cookies/", service_pages.cookies, name="cookies"),
    path("privacy-notice/", service_pages.privacy_notice, name="privacy_notice"),
    path(
        "icb/contact-details/",
        icb_contact.your_icb_contact_details,
        name="your_icb_contact_details",
    ),
    path(
        "icb/contact-details/<uuid:pk>/",
        icb_contact.ICBContactDetailsView.as_view(),
        name="icb_contact_details",
    ),
    path("accounts/", include("allauth.urls")),
    path("", home.home, name="home"),
    path("caseload/", people.CaseloadView.as_view(), name="caseload"),
    path("people/new/", people.BudgetHolderCreateView.as_view(), name="person_create"),
    path("people/<uuid:pk>/", people.BudgetHolderDetailView.as_view(), name="person_detail"),
    path("people/<uuid:pk>/edit/", people.BudgetHolderUpdateView.as_view(), name="person_edit"),
    path(
        "people/<uuid:pk>/history/", people.BudgetHolderHistoryView.as_view(), name="person_history"
    ),
    path("your-budget/", home.HolderHomeView.as_view(), name="holder_home"),
    path("your-budget/<uuid:pk>/", home.HolderHomeView.as_view(), name="holder_home_for"),
    path("budgets/", include("budgets.urls")),
    path("plans/", include("careplans.urls")),
    path("employers/", include("employers.urls")),
]
