from django.conf import settings
from django.urls import reverse

from phb.extensions import navigation_items
from phb.permissions import Permission


def _account_items(user) -> list[dict]:
    """Who is signed in, what they are working as, and (for several ICBs) the switcher."""
    items = [{"text": user.full_name, "icon": True}]
    roles = ", ".join(user.role_labels())
    if user.is_staff_member:
        items.append({"text": f"{roles} at {user.acting_organisation.name}"})
    elif roles:
        items.append({"text": roles})
    if user.has_perm(Permission.SWITCH_ICB):
        items.append({"href": reverse("acting_for"), "text": "Change ICB"})
    items.append({"text": "Sign out", "action": reverse("account_logout")})
    return items


# The pages every NHS service has, linked from the footer of every page (service_pages).
FOOTER_LINKS = (
    ("Accessibility statement", "accessibility_statement"),
    ("Contact us", "contact"),
    ("Cookies", "cookies"),
    ("Privacy notice", "privacy_notice"),
)


def header_params(*, navigation=None, account_items=None) -> dict:
    """NHS.UK header options; with no arguments, the header of a signed-out page."""
    return {
        "service": {"text": settings.SERVICE_NAME, "href": "/"},
        "logo": {"href": "/", "ariaLabel": f"{settings.SERVICE_NAME} homepage"},
        "account": {"items": account_items} if account_items else None,
        "navigation": {"items": navigation} if navigation else None,
    }


def footer_params() -> dict:
    """NHS.UK footer options. Needs no request and no database, so the error page can use it."""
    return {
        "meta": {"items": [{"href": reverse(name), "text": text} for text, name in FOOTER_LINKS]},
        "copyright": {"text": "© NHS England"},
    }


def service(request):
    """The service name, demo banner and NHS.UK header and footer options for every page."""
    user = getattr(request, "user", None)
    account_items, navigation = [], []
    if user is not None and user.is_authenticated:
        navigation = [
            {"href": href, "text": item.text, "active": request.path.startswith(href)}
            for item in navigation_items(user)
            for href in [reverse(item.url_name)]
        ]
        account_items = _account_items(user)
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.PHB_DEMO_MODE,
        "header": header_params(navigation=navigation, account_items=account_items),
        "footer": footer_params(),
    }
