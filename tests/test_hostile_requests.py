"""Hostile input in every form of every page, sent as a browser would: never a 500. And
hostile page numbers, searches and sorts in the address of every page.

For every route in the route x role matrix that shows a form (GET 200) and takes its POST,
a member of staff and one of the person's side (where each may use it) open the page, and the
page's own forms are posted back:
- with every field holding the same hostile value, for each of a list of them (too long,
  NUL bytes, markup, numbers out of range, other scripts' digits, right-to-left marks, blank);
- with the page's own values and one field at a time holding a hostile value (5,000 nines),
  so that the other fields pass and the hostile one reaches as far into the service as it
  can.

Each post runs in a savepoint that is rolled back (as in the matrix), and what it changes, if
anything, is not checked here: the form tests do that. What is checked is that the answer is
never a server error, nor an exception from the view.
"""

from html.parser import HTMLParser

import pytest
from django.db import transaction

from tests.test_route_matrix import ALL_STAFF, MATRIX, ROUTES, _url, universe  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

EVERY_FIELD = [
    "x" * 5000,
    "a\x00b",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",
    "١٢٣٤",  # Arabic-Indic digits
    "-1e400",
    "   ",
]
# One value in one box at a time, the others as the page gave them: 5,000 nines are too long
# for any text, a number beyond any bound (and beyond the 4,300 digits int() reads), and a
# date's day or month beyond a C int, which once gave a 500. (Negative and huge numbers in
# number fields are test_hostile_input's, property-based.) One value, not one of each: the
# sweep posts it once for every field of every form page, for two people each.
ONE_FIELD = ["9" * 5000]


class _Forms(HTMLParser):
    """The POST forms of a page: (action, [(name, value)]), as a browser would submit them
    untouched (inputs with their values, checked boxes, each select's chosen option)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append((attrs.get("action") or "", self._fields))
        if self._fields is None or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image"):
                self._fields.append([attrs["name"], attrs.get("value") or ""])
        elif tag == "select":
            self._select = [attrs["name"], None]
            self._fields.append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self._fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(html: str, url: str) -> list[list[tuple[str, str]]]:
    """The fields of each form on the page that posts back to the page itself."""
    parser = _Forms()
    parser.feed(html)
    return [
        [(name, value or "") for name, value in fields if name != "csrfmiddlewaretoken"]
        for action, fields in parser.forms
        if action in ("", url)
    ]


def payloads(fields: list[tuple[str, str]]):
    names = list(dict.fromkeys(name for name, _ in fields))
    for value in EVERY_FIELD:
        yield {name: value for name in names}
    page_values = {}
    for name, value in fields:
        page_values.setdefault(name, []).append(value)
    for name in names:
        for value in ONE_FIELD:
            yield page_values | {name: [value]}


# What a person can put in the address bar of any page: page numbers, searches and sorts.
HOSTILE_QUERIES = [
    {"page": "-1", "sort": "x" * 300, "q": "<script>alert(1)</script>"},
    {"page": "99999999999999999999999", "q": "a\x00b", "status": "\x00", "quarter": "\x00"},
    {"page": "last", "q": "x" * 5000, "year": "-99999999999999999999", "month": "13"},
    {"quarter": "99999-q9", "download": "csv"},
]
GET_ROUTES = [name for name in ROUTES if MATRIX[name].allowed and MATRIX[name].get in (200, 302)]
FORM_ROUTES = [
    name
    for name in ROUTES
    if MATRIX[name].allowed and MATRIX[name].get == 200 and MATRIX[name].post != 405
]


def _one_of_each_side(allowed) -> list[str]:
    """One member of staff and one of the person's side (the person, a representative, a PA)
    among those allowed: their pages can show them different forms."""
    staff = sorted(actor for actor in allowed if actor in ALL_STAFF)
    others = sorted(actor for actor in allowed if actor not in ALL_STAFF)
    return staff[:1] + others[:1]


def _post(client, url, data):
    with transaction.atomic():
        try:
            response = client.post(url, data)
        except Exception as error:  # any exception from a view is the failure
            return f"{type(error).__name__}: {error}"[:300]
        finally:
            transaction.set_rollback(True)
    return None if response.status_code < 500 else f"status {response.status_code}"


@pytest.mark.runs_first
def test_hostile_input_to_every_page_never_gives_a_server_error(universe):  # noqa: F811
    clients, objects = universe
    failures, posted = [], 0
    for name, actor in (
        (name, actor) for name in FORM_ROUTES for actor in _one_of_each_side(MATRIX[name].allowed)
    ):
        route = MATRIX[name]
        url = _url(name, route, objects)
        client = clients[actor]
        cookies = dict(client.cookies)
        page = client.get(url)
        assert page.status_code == 200, f"{name} as {actor}: {page.status_code}"
        for fields in page_forms(page.content.decode(), url):
            for data in payloads(fields):
                posted += 1
                if problem := _post(client, url, data):
                    shown = {key: (str(value)[:40]) for key, value in data.items()}
                    failures.append(f"{name} as {actor}: {problem} with {shown}")
        client.cookies.update(cookies)
    for name in GET_ROUTES:
        route = MATRIX[name]
        url = _url(name, route, objects)
        actor = sorted(route.allowed)[0]
        for query in HOSTILE_QUERIES:
            with transaction.atomic():
                try:
                    response = clients[actor].get(url, query)
                except Exception as error:  # any exception from a view is the failure
                    failures.append(f"{name} as {actor}: GET {query}: {type(error).__name__}")
                else:
                    if response.status_code >= 500:
                        failures.append(f"{name} as {actor}: GET {query}: 500")
                transaction.set_rollback(True)
    assert failures == []
    assert posted > 800  # the sweep reached the forms
