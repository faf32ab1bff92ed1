"""Every page of the route x role matrix, opened in Chromium at 320 CSS pixels wide (WCAG 2.2's
reflow width) by someone allowed to open it: nothing wider than the screen, and axe clean.

The journeys check the pages they pass through at a desktop's width; this opens every page,
including those no journey reaches, as the people who use them would on a phone. Each actor's
session is the one the route matrix signs them in with, handed to the browser as its cookie.
"""

import pytest
from django.conf import settings

from tests.browser.conftest import Browser
from tests.test_hostile_requests import _one_of_each_side
from tests.test_route_matrix import MATRIX, ROUTES, _url, universe  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser-pages"),  # it sends no form of ours: see conftest
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 320, "height": 640}
TOO_WIDE = """() => {
  const page = document.documentElement;
  const wide = [];
  if (page.scrollWidth > window.innerWidth + 1) {
    wide.push(`the page is ${page.scrollWidth}px wide`);
    for (const element of document.querySelectorAll("body *")) {
      const box = element.getBoundingClientRect();
      if (box.right > window.innerWidth + 1 && getComputedStyle(element).position !== "fixed") {
        const scroller = element.parentElement.closest(".nhsuk-scroll__content");
        if (!scroller) {
          wide.push(`${element.tagName.toLowerCase()}.${element.className}`.slice(0, 80));
          if (wide.length > 4) break;
        }
      }
    }
  }
  return wide;
}"""

PAGES = [name for name in ROUTES if MATRIX[name].allowed and MATRIX[name].get == 200]


def test_every_page_fits_a_phone_and_is_axe_clean(
    chromium,
    live_server,
    national_rates,
    tax_year_figures,
    universe,  # noqa: F811 - the route matrix's, after the figures the flush removed
):
    clients, objects = universe
    problems, opened = [], 0
    tabs = {}
    try:
        for name in PAGES:
            route = MATRIX[name]
            url = _url(name, route, objects)
            for actor in _one_of_each_side(route.allowed):
                if not clients[actor].get(url)["Content-Type"].startswith("text/html"):
                    continue  # a download (a PDF, a CSV file), not a page
                if actor not in tabs:
                    context = chromium.new_context(viewport=PHONE)
                    context.set_default_timeout(10_000)
                    cookie = clients[actor].cookies[settings.SESSION_COOKIE_NAME]
                    session = {"name": cookie.key, "value": cookie.value, "url": live_server.url}
                    context.add_cookies([session])
                    tabs[actor] = Browser(context.new_page(), live_server.url)
                browser = tabs[actor]
                response = browser.page.goto(live_server.url + url)
                opened += 1
                if response.status != 200:
                    problems.append(f"{name} as {actor}: status {response.status}")
                    browser._pending = None
                    continue
                if wide := browser.page.evaluate(TOO_WIDE):
                    problems.append(f"{name} as {actor}: {'; '.join(wide)}")
                try:
                    browser.check_accessibility()
                except pytest.fail.Exception as failure:
                    problems.append(f"{name} as {actor}: {failure}")
    finally:
        for browser in tabs.values():
            browser.page.context.close()
    assert problems == []
    assert opened > 120  # the pages of every app were opened
