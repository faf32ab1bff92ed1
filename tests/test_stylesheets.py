"""Every image the stylesheets ask for is served: the NHS.UK stylesheet is built to find its
icons at /assets/images/, which this service does not serve, so phb.css points each of them at
/static/nhsuk/assets/images/ (a sortable table's arrows once answered 404)."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

URL = re.compile(r"url\(\"?([^\")]+)\"?\)")
PHB_CSS = Path(settings.BASE_DIR) / "static" / "css" / "phb.css"


def test_each_image_phb_css_names_is_a_static_file():
    for url in URL.findall(PHB_CSS.read_text()):
        if url.startswith("data:"):
            continue
        # Relative to /static/css/.
        path = url.removeprefix("../")
        assert finders.find(path), url


def test_each_nhsuk_icon_the_frontend_stylesheet_needs_is_pointed_at_by_phb_css():
    frontend = Path(finders.find("nhsuk/nhsuk-frontend.min.css")).read_text()
    wanted = {Path(url).name for url in URL.findall(frontend) if url.startswith("/assets/")}
    given = {Path(url).name for url in URL.findall(PHB_CSS.read_text())}
    assert wanted, "the frontend stylesheet names no icons: has it moved?"
    assert wanted <= given
