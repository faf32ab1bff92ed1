"""Request-wide rules for signed-in staff (which ICB they act for, and a second factor), and
a page in words for an address opened in a way it does not take."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect, render

# The session key holding the id of the ICB a member of staff chose to act for.
ACTING_FOR_SESSION_KEY = "phb_acting_for"

# Pages a signed-in member of staff may reach before setting up a second factor: signing in,
# health, static files, and the footer's pages (which anyone may read, signed in or not).
_OPEN_PREFIXES = (
    "/accounts/",
    "/healthz",
    "/static/",
    "/accessibility-statement/",
    "/contact/",
    "/cookies/",
    "/privacy-notice/",
)


class ActingOrganisationMiddleware:
    """Someone with roles in more than one ICB acts for one at a time, chosen in the header
    (`phb.views.staff.ActingForView`). The choice lives in the session; `User` falls back to
    their first ICB when there is no choice or they no longer hold a role in the chosen one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.user.chosen_organisation_id = request.session.get(ACTING_FOR_SESSION_KEY)
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.needs_second_factor
            and not (settings.PHB_DEMO_MODE and user.is_demo)
            and not is_mfa_enabled(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """An address that only takes a form's button (a bookmark of it, a refresh, a link typed
    in) answers a GET with Django's empty 405: give the person a page that says what to do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response
