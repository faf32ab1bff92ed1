"""phb/pagination.py: a page and its count in one query, with Django's get_page() answers."""

import pytest
from django.core.paginator import Paginator

from phb.models import Organisation
from phb.pagination import page_with_its_count
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered():
    OrganisationFactory.create_batch(7)
    return Organisation.objects.order_by("name", "pk")


NUMBERS = ["1", "2", "3", 3, "4", "99", "0", "-1", "two", "", None, "9" * 40, "1000001"]


@pytest.mark.parametrize("number", NUMBERS)
def test_the_same_page_as_djangos_get_page(ordered, number):
    ours = page_with_its_count(ordered, 3, number)
    django = Paginator(ordered, 3).get_page(number)
    assert ours.number == django.number
    assert ours.paginator.count == django.paginator.count
    assert ours.paginator.num_pages == django.paginator.num_pages
    assert [o.pk for o in ours] == [o.pk for o in django]
    assert ours.has_next() == django.has_next()
    assert ours.has_previous() == django.has_previous()


def test_a_page_within_the_list_is_one_query(ordered, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_with_its_count(ordered, 3, "2")
        assert len(page.object_list) == 3
        assert page.paginator.num_pages == 3


def test_an_empty_list_is_one_empty_page(django_assert_max_num_queries):
    page = page_with_its_count(Organisation.objects.none().order_by("pk"), 3, "1")
    assert page.number == 1
    assert list(page) == []
    assert page.paginator.count == 0
