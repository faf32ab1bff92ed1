"""Staff must have a second factor before any staff page opens."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect

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


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff_member
            and not request.path.startswith(_OPEN_PREFIXES)
            and not (settings.PHB_DEMO_MODE and user.is_demo)
            and not is_mfa_enabled(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
