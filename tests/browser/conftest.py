"""Playwright on the system Chromium, with axe-core run on every page a journey visits.

The `browser` fixture hands each test a `Browser`: its `goto`, `click` and `submit` wait for
the next page and check it with axe before returning, and the fixture fails the test if any
page loaded without being checked.

`Browser.submit` also notes which page (by URL name) a form was sent from, and whether the
next page showed an error summary. `test_zz_every_form_has_a_journey.py`, run last, fails
when a form page in the URLconf has no journey that sent it good and bad input.
"""

import datetime
import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.factories import UserFactory, add_totp, totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# What the journeys of this run sent: {URL name of the page the form was on: outcomes}, where
# an outcome is ACCEPTED (the next page showed no error summary) or REFUSED (it showed one).
ACCEPTED, REFUSED = "accepted", "refused"
FORMS_SUBMITTED: defaultdict[str, set[str]] = defaultdict(set)


def describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"\n- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


class Browser:
    """One person's browser tab on the live server."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.checked: list[str] = []
        self.unchecked: list[str] = []
        self._pending: str | None = None
        page.on("load", self._loaded)
        # Loaded by the browser into every page as it opens: sending the script over with each
        # check cost about a quarter of a second a page.
        page.context.add_init_script(path=str(AXE_SCRIPT))

    def _loaded(self, page: Page) -> None:
        if self._pending is not None:
            self.unchecked.append(self._pending)
        self._pending = page.url

    def check_accessibility(self) -> None:
        """Run axe-core on the page as it is now and fail on any WCAG 2.2 AA violation."""
        self.page.wait_for_load_state("load")
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        self._pending = None
        self.checked.append(self.page.url)
        if result["violations"]:
            pytest.fail(describe_violations(self.page.url, result["violations"]), pytrace=False)

    # Navigation: each waits for the next page and checks it.

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.check_accessibility()
        return response

    def click(self, name: str, *, role: str = "link") -> None:
        """Follow a link (or press a button) in the page's main content."""
        with self.page.expect_navigation():
            self.page.get_by_role("main").get_by_role(role, name=name, exact=True).click()
        self.check_accessibility()

    def submit(self, button: str) -> None:
        """Press a button that sends a form, and note the form's page and what came back."""
        try:
            form_page = resolve(urlsplit(self.page.url).path).view_name
        except Resolver404:
            form_page = None
        self.click(button, role="button")
        if form_page is not None:
            showed_problem = self.page.locator(".nhsuk-error-summary").count() > 0
            FORMS_SUBMITTED[form_page].add(REFUSED if showed_problem else ACCEPTED)

    # What people do on pages.

    def fill(self, label: str, value: str, *, within: Locator | None = None) -> None:
        (within or self.page).get_by_label(label, exact=True).fill(value)

    def fill_date(self, legend: str, day: datetime.date | None) -> None:
        """Type a date into the Day, Month and Year boxes under `legend` (None: empty them)."""
        group = self.page.get_by_role("group", name=legend, exact=True)
        for part, value in (("Day", "day"), ("Month", "month"), ("Year", "year")):
            group.get_by_label(part, exact=True).fill(
                "" if day is None else str(getattr(day, value))
            )

    def choose(self, answer: str, *, within: Locator | None = None) -> None:
        """Choose a radio button by its visible answer."""
        (within or self.page).get_by_role("radio", name=answer, exact=True).check()

    def tick(self, label: str) -> None:
        self.page.get_by_role("checkbox", name=label, exact=True).check()

    def select(self, label: str, option: str, *, within: Locator | None = None) -> None:
        """Pick `option` (by its visible text) in the drop-down labelled `label`."""
        (within or self.page).get_by_label(label, exact=True).select_option(label=option)

    def click_in_header(self, name: str) -> None:
        """Follow a link in the header (its menu, or the account links such as Change ICB)."""
        banner = self.page.get_by_role("banner")
        link = banner.get_by_role("link", name=name, exact=True)
        if not link.is_visible():
            # The header keeps what does not fit the width behind its "More" button, as a
            # person would find it.
            banner.get_by_role("button", name="More").click()
        with self.page.expect_navigation():
            link.click()
        self.check_accessibility()

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def expect_success(self, text: str) -> None:
        expect(self.page.get_by_role("main").locator(".nhsuk-notification-banner")).to_contain_text(
            text
        )

    def expect_problem(self, message: str | None, field: Locator) -> None:
        """The page says "There is a problem" in an NHS.UK error summary (which has focus and
        names the page "Error: ..."), and its link `message` takes the person to `field`.
        With `message` None, the link is found by where it goes (for Django's own wording)."""
        expect(self.page).to_have_title(re.compile("^Error: "))
        summary = self.page.locator(".nhsuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading")).to_have_text("There is a problem")
        if message is None:
            link = summary.locator(f"a[href='#{field.get_attribute('id')}']")
        else:
            link = summary.get_by_role("link", name=message, exact=True)
        link.click()
        expect(field).to_be_focused()

    def summary_value(self, key: str) -> Locator:
        """The value beside `key` in a summary list on the page."""
        row = self.page.locator(".nhsuk-summary-list__row").filter(
            has=self.page.locator(
                ".nhsuk-summary-list__key", has_text=re.compile(f"^\\s*{re.escape(key)}\\s*$")
            )
        )
        return row.locator(".nhsuk-summary-list__value")

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/accounts/login/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Sign in")
        self.fill("Email address", email)
        self.fill("Password", password)
        self.submit("Sign in")

    def enter_security_code(self, code: str) -> None:
        self.fill("Security code", code)
        self.submit("Continue")

    def sign_in_with_code(self, user, secret: str, password: str) -> None:
        """Sign in as a member of staff: password, then the code from their authenticator."""
        self.sign_in(user.email, password)
        self.enter_security_code(totp_code(secret))
        expect(self.page.get_by_role("banner")).to_contain_text(user.full_name)

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=f"/tmp/phb-{name}.png", full_page=True)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = Browser(context.new_page(), live_server.url)
    yield tab
    context.close()
    never_checked = tab.unchecked + ([tab._pending] if tab._pending else [])
    assert not never_checked, "pages loaded without an axe check: " + json.dumps(never_checked)


class Staff:
    """A member of staff whose authenticator secret the journey knows."""

    def __init__(self, role, organisation):
        self.user = UserFactory(role=role, organisation=organisation)
        self.secret = add_totp(self.user)


# ---------------------------------------------------------------------------------------------
# Which journey files ran whole: the check that every form has a journey needs all of them.
# ---------------------------------------------------------------------------------------------

BROWSER_DIR = Path(__file__).resolve().parent
ENFORCEMENT_FILE = "test_zz_every_form_has_a_journey.py"
FILES_RUN: set[str] = set()
FILES_CUT_SHORT: set[str] = set()  # some of their tests were left out (-k, -m, ::name, --lf)


def _journey_file(path) -> str | None:
    path = Path(path).resolve()
    return path.name if path.parent == BROWSER_DIR and path.name.startswith("test_") else None


def journey_files_not_run_whole() -> list[str]:
    every_file = {path.name for path in BROWSER_DIR.glob("test_*.py")} - {ENFORCEMENT_FILE}
    return sorted((every_file - FILES_RUN) | (FILES_CUT_SHORT & every_file))


def pytest_deselected(items):
    FILES_CUT_SHORT.update(filter(None, (_journey_file(item.path) for item in items)))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The check that every form has a journey runs after every journey."""
    last = [item for item in items if item.path.name == ENFORCEMENT_FILE]
    items[:] = [item for item in items if item.path.name != ENFORCEMENT_FILE] + last


# Under pytest-xdist (`make test`: `--dist loadgroup`) the journeys that send forms are one
# group, run in order by one worker, so that the check above sees what every journey sent. The
# files that only read pages (and sign in) are a second group, which another worker can run at
# the same time: a form they did send would only be missing from the check, which then fails
# and names it, never passes by mistake.
JOURNEY_GROUP, PAGES_GROUP = "browser", "browser-pages"
PAGES_FILES = {
    "test_every_page_at_a_phones_width.py",
    "test_history_journeys.py",
    "test_payslip_pdf_journeys.py",
    "test_pdf_journeys.py",
    "test_quarterly_figures_journeys.py",
}


def _group_of(file_name: str) -> str:
    return PAGES_GROUP if file_name in PAGES_FILES else JOURNEY_GROUP


def pytest_collection_finish(session):
    FILES_RUN.update(filter(None, (_journey_file(item.path) for item in session.items)))
    misplaced = sorted(
        {
            f'pytest.mark.xdist_group("{_group_of(item.path.name)}") in {item.path.name}'
            for item in session.items
            if _journey_file(item.path)
            and {m.args[0] for m in item.iter_markers("xdist_group")} != {_group_of(item.path.name)}
        }
    )
    if misplaced:
        raise pytest.UsageError(f"put {', '.join(misplaced)}'s pytestmark")
    invoked_from = session.config.invocation_params.dir
    for arg in session.config.args:
        path, named_tests, _ = arg.partition("::")
        if named_tests:
            FILES_CUT_SHORT.update(filter(None, [_journey_file(invoked_from / path)]))
