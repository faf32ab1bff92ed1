"""The pages every NHS service has, linked from the footer: accessibility statement, privacy
notice, cookies and contact. Anyone may read them, signed in or not, and (see
phb.middleware) before a member of staff has set up their second factor."""

import datetime
import functools
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from phb import selectors
from phb.presenters import icb_contact_rows

# Change these when the statement is reviewed or the service is tested again by people.
ACCESSIBILITY_STATEMENT_PREPARED_ON = datetime.date(2026, 11, 23)
ACCESSIBILITY_STATEMENT_REVIEWED_ON = datetime.date(2026, 11, 23)
PRIVACY_NOTICE_UPDATED_ON = datetime.date(2026, 11, 23)


@functools.cache
def _front_end_versions() -> dict:
    """The NHS.UK frontend the pages use and the axe-core the browser tests run, as pinned in
    package.json, so the statement never quotes a version the service does not use."""
    package = json.loads((settings.BASE_DIR / "package.json").read_text())
    return {
        "nhsuk_frontend_version": package["dependencies"]["nhsuk-frontend"],
        "axe_version": package["devDependencies"]["axe-core"],
    }


def _plural(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _duration(seconds: int) -> str:
    """8 hours, 2 weeks, 52 weeks: a cookie's life as people say it."""
    hours = seconds // 3600
    if hours and hours % (24 * 7) == 0 and hours >= 24 * 14:
        return _plural(hours // (24 * 7), "week")
    if hours and hours % 24 == 0:
        return _plural(hours // 24, "day")
    if hours:
        return _plural(hours, "hour")
    return _plural(max(seconds // 60, 1), "minute")


def _messages_use_a_cookie() -> bool:
    storage = import_string(settings.MESSAGE_STORAGE)
    classes = getattr(storage, "storage_classes", (storage,))
    return any(issubclass(cls, CookieStorage) for cls in classes)


def cookies_in_use() -> list[dict]:
    """Every cookie the service sets, named as the settings name them. All are strictly
    necessary, so none needs consent (PECR regulation 6(4))."""
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": "Keeps you signed in as you move from page to page. It holds a random "
            "reference to your sign-in, not your details.",
            "expires": "When you sign out or close your browser, and "
            f"{_duration(settings.SESSION_COOKIE_AGE)} after you sign in at the latest",
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": "Stops another website sending forms to this service pretending to be you.",
            "expires": f"After {_duration(settings.CSRF_COOKIE_AGE)}"
            if settings.CSRF_COOKIE_AGE
            else "When you close your browser",
        },
    ]
    if _messages_use_a_cookie():
        cookies.append(
            {
                "name": CookieStorage.cookie_name,
                "purpose": "Carries a short message to the next page you see, like "
                "‘details have been saved’.",
                "expires": "As soon as the message has been shown",
            }
        )
    return cookies


def _cookie_rows(cookies: list[dict]) -> list[list[dict]]:
    return [
        [{"text": cookie["name"]}, {"text": cookie["purpose"]}, {"text": cookie["expires"]}]
        for cookie in cookies
    ]


@login_not_required
@require_safe
def accessibility_statement(request):
    return TemplateResponse(
        request,
        "phb/service/accessibility.html",
        {
            **_front_end_versions(),
            "your_icbs": selectors.icbs_to_contact(request.user),
            "prepared_on": ACCESSIBILITY_STATEMENT_PREPARED_ON,
            "reviewed_on": ACCESSIBILITY_STATEMENT_REVIEWED_ON,
            "session_length": _duration(settings.SESSION_COOKIE_AGE),
            # WCAG 2.2.1 lets a time limit stand without warning only if it is over 20 hours.
            "session_ends_without_warning": settings.SESSION_COOKIE_AGE < 20 * 60 * 60,
        },
    )


@login_not_required
@require_safe
def privacy_notice(request):
    return TemplateResponse(
        request,
        "phb/service/privacy.html",
        {
            "your_icbs": selectors.icbs_to_contact(request.user),
            "updated_on": PRIVACY_NOTICE_UPDATED_ON,
        },
    )


@login_not_required
@require_safe
def cookies(request):
    return TemplateResponse(
        request,
        "phb/service/cookies.html",
        {
            "cookie_head": [{"text": "Name"}, {"text": "What it is for"}, {"text": "Expires"}],
            "cookie_rows": _cookie_rows(cookies_in_use()),
        },
    )


@login_not_required
@require_safe
def contact(request):
    """A signed-in person's own team; for anyone else, every ICB using the service."""
    your_icbs = selectors.icbs_to_contact(request.user)
    all_icbs = (
        []
        if your_icbs
        else [{"icb": icb, "rows": icb_contact_rows(icb)} for icb in selectors.all_icbs()]
    )
    return TemplateResponse(
        request, "phb/service/contact.html", {"your_icbs": your_icbs, "all_icbs": all_icbs}
    )
