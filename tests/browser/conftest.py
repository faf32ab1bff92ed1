"""Playwright on the system Chromium, with axe-core run on every page a journey visits.

The `browser` fixture hands each test a `Browser`: its `goto`, `click` and `submit` wait for
the next page and check it with axe before returning, and the fixture fails the test if any
page loaded without being checked.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect, sync_playwright

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

    def _loaded(self, page: Page) -> None:
        if self._pending is not None:
            self.unchecked.append(self._pending)
        self._pending = page.url

    def check_accessibility(self) -> None:
        """Run axe-core on the page as it is now and fail on any WCAG 2.2 AA violation."""
        self.page.wait_for_load_state("load")
        self.page.add_script_tag(path=str(AXE_SCRIPT))
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
        self.click(button, role="button")

    # What people do on pages.

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/accounts/login/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Sign in")
        self.fill("Email address", email)
        self.fill("Password", password)
        self.submit("Sign in")

    def enter_security_code(self, code: str) -> None:
        self.fill("Security code", code)
        self.submit("Continue")

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
