"""A page of a costly query, counted in the same query.

Django's Paginator asks the database twice: COUNT(*) for the number of pages, then the page's
rows. For a person's history (a UNION of every audited table that mentions them, which takes
PostgreSQL 1.5-2 ms just to plan) that is two costly queries for one page. Here the page's rows
carry the total (`COUNT(*) OVER ()`, counted before LIMIT applies), so a page within the log
is one query; only a number past the end (or an empty log) falls back to Django's way.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

# Beyond this the page is surely past the end (and its OFFSET could overflow PostgreSQL's
# bigint): Django's way, which checks the number against the count first.
LAST_PAGE_TRIED = 1_000_000


def page_with_its_count(queryset: QuerySet, per_page: int, number) -> Page:
    """As `Paginator(queryset, per_page).get_page(number)`: anything not a whole number is the
    first page, and a number past the end (or below 1) the last."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    if 1 <= wanted <= LAST_PAGE_TRIED:
        start = (wanted - 1) * per_page
        rows = list(queryset.annotate(_total=Window(Count("*")))[start : start + per_page])
        if rows:
            paginator = Paginator(queryset, per_page)
            paginator.count = rows[0]._total  # what count() would have read
            page = paginator.page(wanted)
            page.object_list = rows
            return page
    return Paginator(queryset, per_page).get_page(number)
