"""Request-wide rules for signed-in staff (which ICB they act for, and a second factor), and
pages in words for an address opened in a way it does not take and for an out-of-date form."""

import logging

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect, render

security_log = logging.getLogger("phb.security")

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


def csrf_failure(request, reason=""):
    """A form sent with an out-of-date or missing security token (CSRF_FAILURE_VIEW): a page
    opened before the person signed in again or changed the ICB they act for (both give a
    new token, so such a page cannot save into the wrong ICB), or open too long. Django's own
    page speaks of cookies and referers; this one says what happened and what to do."""
    from django.contrib import messages
    from django.contrib.auth import logout
    from django.urls import reverse

    if request.method == "POST" and request.path == reverse("account_logout"):
        # Signing out always works, from any tab (on a shared computer, a refusal would leave
        # the person signed in): the worst a forged sign-out does is sign someone out.
        logout(request)
        messages.success(request, "You have signed out.")
        return redirect("account_login")
    security_log.warning("Refused a form with a bad security token: %s", reason)
    return render(request, "403_csrf.html", status=403)
