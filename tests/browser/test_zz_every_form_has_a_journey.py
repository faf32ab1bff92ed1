"""Every form page in the URLconf has a browser journey that sends it good and bad input.

A form page is a route whose view handles POST: a subclass of Django's `ProcessFormView`
(every `FormView`) or any view that defines `post`. `Browser.submit` (conftest) notes the page
each form was sent from and whether the next page showed an error summary; this module, which
the conftest runs after every other test, fails when a form page was never sent good input
(no error summary after it) and bad input (an error summary) in a journey.

It can only judge a run of the whole browser folder: when some journey files did not run, or
ran only in part (`-k`, `-m`, `file.py::test`, `--lf`), it skips and says which.

Routes that are not form pages, or need no journey, are listed below with the reason.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.edit import ProcessFormView

from tests.browser import conftest
from tests.browser.conftest import ACCEPTED, FORMS_SUBMITTED, REFUSED

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Buttons that move a budget on: a form with no field a person fills, only the version of the
# page they saw. The budget journeys press them.
ACTION_POSTS = {
    "budgets:propose": "Propose for agreement",
    "budgets:agree": "Agree this budget",
    "budgets:start": "Start this budget",
    "budgets:end": "End this budget",
    "budgets:next_year": "Prepare next year's budget",
    # And a care and support plan's (test_plan_journeys.py presses them).
    "careplans:start": "Start a plan",
    "careplans:submit": "Submit for a decision",
    "careplans:take_back": "Take it back to change it",
    "careplans:row_remove": "Yes, remove it (after Remove it from the plan)",
    # And an approval panel's (test_panel_journeys.py).
    "careplans:panel_start": "Start the panel",
    "careplans:panel_close": "Close the session",
    "careplans:panel_agenda_item": "Move up, Move down or Take off (a plan on the agenda)",
    # Asking for a PDF of the page it is on (test_pdf_journeys.py presses it).
    "document_request": "Create a PDF, Make a new PDF or Try again",
    # A failed message, sent again (test_outbox_journeys.py).
    "message_retry": "Send it again",
    # And a pay run's (test_payroll_journeys.py).
    "employers:pay_run_start": "Start the next pay run",
    "employers:pay_run_recalculate": "Work it out again",
    "employers:pay_run_correct": "Start a correction run",
}

# allauth's pages (sign in, sign out, passwords, the second factor) have its own tests; the
# ones people use here have journeys in test_journeys.py. Every route named so must be an
# allauth view, so that none of ours hides among them.
ALLAUTH_URL_NAMES = ("account_", "mfa_")

# Function views: none takes a form.
NOT_FORMS = {
    "healthz": "JSON for the load balancer",
    "livez": "JSON for the web container's health check",
    "home": "redirects each person to where their work starts",
    "accessibility_statement": "a footer page",
    "contact": "a footer page",
    "cookies": "a footer page",
    "privacy_notice": "a footer page",
}

# Form pages whose journey is marked xfail until the bug is fixed. Remove the entry when the
# journey passes (this test says when).
KNOWN_BROKEN: dict[str, str] = {}

# Form pages where a person cannot send bad input, so no journey can show an error summary.
NOTHING_TO_GET_WRONG = {
    "acting_for": "one of the person's ICBs is always chosen",
}


def _routes(patterns=None, prefix=""):
    """(URL name, view callback) for every route, with namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            yield from _routes(
                pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern.callback


def _is_allauth(callback) -> bool:
    view = getattr(callback, "view_class", callback)
    return view.__module__.startswith("allauth.")


def form_pages() -> set[str]:
    """URL names of every route whose view takes a form, less the ones listed above."""
    pages, undecided = set(), []
    for name, callback in _routes():
        if name.startswith(ALLAUTH_URL_NAMES):
            assert _is_allauth(callback), f"{name} is named like allauth's but is ours: rename it"
            continue
        if name in ACTION_POSTS or name in NOT_FORMS:
            continue
        view = getattr(callback, "view_class", None)
        if view is None:
            undecided.append(name)
        elif issubclass(view, ProcessFormView) or hasattr(view, "post"):
            pages.add(name)
    assert not undecided, (
        f"function views {undecided}: say in NOT_FORMS why they take no form, or give them a "
        "journey (and make them class-based so this test can tell)"
    )
    return pages


def test_the_lists_of_exceptions_name_routes_that_exist():
    names = {name for name, _ in _routes()}
    for listed in (ACTION_POSTS, NOT_FORMS, KNOWN_BROKEN, NOTHING_TO_GET_WRONG):
        assert set(listed) <= names, f"no such route: {sorted(set(listed) - names)}"
    assert set(KNOWN_BROKEN) | set(NOTHING_TO_GET_WRONG) <= form_pages()


def test_every_form_page_was_sent_good_and_bad_input_in_a_journey(request):
    # What the journeys noted is in the conftest pytest loaded, not a second copy of it.
    assert conftest in request.config.pluginmanager.get_plugins()
    not_whole = conftest.journey_files_not_run_whole()
    if not_whole:
        pytest.skip(
            "checked only when the whole browser folder runs; these journey files did not run, "
            f"or ran only in part: {', '.join(not_whole)}"
        )
    pages = form_pages()
    never_sent = sorted(pages - set(FORMS_SUBMITTED) - set(KNOWN_BROKEN))
    never_accepted = sorted(
        page
        for page in pages - set(KNOWN_BROKEN)
        if page in FORMS_SUBMITTED and ACCEPTED not in FORMS_SUBMITTED[page]
    )
    never_refused = sorted(
        page
        for page in pages - set(KNOWN_BROKEN) - set(NOTHING_TO_GET_WRONG)
        if page in FORMS_SUBMITTED and REFUSED not in FORMS_SUBMITTED[page]
    )
    fixed = sorted(page for page in KNOWN_BROKEN if ACCEPTED in FORMS_SUBMITTED.get(page, ()))
    problems = [
        f"{what}: {', '.join(names)}"
        for what, names in (
            ("No journey sent a form from these pages (or it failed before it did)", never_sent),
            ("No journey saw these pages accept good input", never_accepted),
            ("No journey saw these pages refuse bad input with an error summary", never_refused),
            ("These pages work now: remove them from KNOWN_BROKEN", fixed),
        )
        if names
    ]
    assert not problems, "\n".join(problems)
