"""HTML to a tagged PDF (PDF/UA-1) with WeasyPrint, loading nothing but our own static files.

Templates link their stylesheet and fonts with `{% static %}`; the base URL below makes those
`https://static.phb.invalid/static/...`, and the URL fetcher serves exactly those paths from
the static files (the finders in development, the collected files in production). Anything else
(a remote URL, `file:`, `data:` or a path outside the static files) is refused, so a person's
typed text can never make the renderer read a file or reach the network.
"""

import functools
import io
import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://static.phb.invalid/"


class RefusedURL(ValueError):
    pass


def static_name(url: str) -> str:
    """The static file a URL names, or RefusedURL."""
    parts = urlsplit(url)
    prefix = settings.STATIC_URL
    if (
        parts.scheme != "https"
        or parts.netloc != urlsplit(BASE_URL).netloc
        or parts.query
        or not parts.path.startswith(prefix)
    ):
        raise RefusedURL(f"Not one of our static files: {url}")
    name = unquote(parts.path.removeprefix(prefix))
    if not name or name.startswith("/") or ".." in name.split("/") or "\\" in name:
        raise RefusedURL(f"Not one of our static files: {url}")
    return name


def _read(name: str) -> bytes:
    """A static file: from the finders (development, tests), else from the collected static
    files (production, where `{% static %}` names the hashed copy)."""
    found = finders.find(name)
    if found:
        with open(found, "rb") as file:
            return file.read()
    if not settings.STATIC_ROOT or not staticfiles_storage.exists(name):
        raise RefusedURL(f"No such static file: {name}")
    with staticfiles_storage.open(name) as file:
        return file.read()


@functools.lru_cache(maxsize=16)
def _font(name: str) -> bytes:
    """A WOFF2 font as plain TrueType, unpacked once per worker process: unpacking the four
    faces for every PDF was a fifth of a long plan's rendering time."""
    font = TTFont(io.BytesIO(_read(name)))
    font.flavor = None
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, answering from our static files and refusing everything else
    (WeasyPrint leaves out what is refused and logs a warning)."""

    def fetch(self, url, headers=None):
        name = static_name(url)
        if name.endswith(".woff2"):
            return URLFetcherResponse(url, _font(name), headers={"Content-Type": "font/ttf"})
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, _read(name), headers={"Content-Type": content_type})


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its number of pages. The HTML names its language and title (PDF/UA-1
    needs both)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render()
    output = io.BytesIO()
    document.write_pdf(output, pdf_variant="pdf/ua-1")
    return output.getvalue(), len(document.pages)
