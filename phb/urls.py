from django.urls import include, path

from phb.views import (
    documents,
    health,
    home,
    icb_contact,
    outbox,
    people,
    service,
    service_pages,
    staff,
)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
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
    path(
        "people/<uuid:pk>/access-log/",
        people.BudgetHolderAccessLogView.as_view(),
        name="person_access_log",
    ),
    path("people/<uuid:pk>/sign-in/", people.PersonSignInView.as_view(), name="person_sign_in"),
    path(
        "people/<uuid:pk>/representatives/new/",
        people.RepresentativeAddView.as_view(),
        name="representative_add",
    ),
    path(
        "people/representatives/<uuid:pk>/address/",
        people.RepresentativeAddressView.as_view(),
        name="representative_address",
    ),
    path(
        "people/representatives/<uuid:pk>/end/",
        people.RepresentativeEndView.as_view(),
        name="representative_end",
    ),
    path("people/<uuid:pk>/messages/", outbox.PersonOutboxView.as_view(), name="person_outbox"),
    path("messages/", outbox.OutboxView.as_view(), name="outbox"),
    path("messages/<uuid:pk>/send-again/", outbox.RetryMessageView.as_view(), name="message_retry"),
    path("your-budget/", home.HolderHomeView.as_view(), name="holder_home"),
    path("your-budget/<uuid:pk>/", home.HolderPersonView.as_view(), name="holder_home_for"),
    path("acting-for/", staff.ActingForView.as_view(), name="acting_for"),
    path("staff/", staff.StaffListView.as_view(), name="staff_list"),
    path("staff/new/", staff.StaffCreateView.as_view(), name="staff_create"),
    path("staff/<uuid:pk>/", staff.StaffMemberView.as_view(), name="staff_member"),
    path("staff/roles/<uuid:pk>/end/", staff.EndRoleView.as_view(), name="staff_end_role"),
    path("service/", service.ServiceHomeView.as_view(), name="service_home"),
    path("service/icbs/new/", service.OrganisationCreateView.as_view(), name="service_icb_new"),
    path(
        "service/icbs/<uuid:pk>/", service.OrganisationView.as_view(), name="service_organisation"
    ),
    # PDFs of a page (plan, letters, how a budget was worked out): ask, follow, download.
    path(
        "documents/<slug:kind>/<uuid:pk>/new/",
        documents.RequestDocumentView.as_view(),
        name="document_request",
    ),
    path(
        "documents/<uuid:pk>/status/",
        documents.DocumentStatusView.as_view(),
        name="document_status",
    ),
    path(
        "documents/<uuid:pk>/",
        documents.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path("budgets/", include("budgets.urls")),
    path("plans/", include("careplans.urls")),
    path("employers/", include("employers.urls")),
]
