"""phb/warm.py: a web process compiles its templates, macros and URLs before its first
request (and under gunicorn --preload, once in the master), without the database."""

from django.template import engines

from phb.warm import template_names, warm


def test_warm_compiles_every_template_without_the_database():
    """No django_db mark: a query would raise here, as it must not run in gunicorn's master."""
    names = template_names()
    assert "base.html" in names
    assert "phb/caseload.html" in names
    assert warm() == len(names)
    loader = engines["django"].engine.template_loaders[0]
    # Django's cached loader (DEBUG off) now holds each one: no page compiles it again.
    assert {"base.html", "phb/caseload.html"} <= set(loader.get_template_cache)


def test_the_wsgi_application_is_warmed_on_import():
    import phb.wsgi

    assert phb.wsgi.application is not None
