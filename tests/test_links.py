"""Links made once for a table are the links reverse() makes, row by row."""

import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from phb.links import links_to


def test_each_link_is_the_one_reverse_makes():
    budget, instalments = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
    record_payment = links_to("budgets:record_payment", budget)
    for instalment in instalments:
        assert record_payment(instalment) == reverse(
            "budgets:record_payment", args=[budget, instalment]
        )
    person = uuid.uuid4()
    assert links_to("person_detail")(person) == reverse("person_detail", args=[person])


def test_a_key_that_is_not_a_uuid_is_refused_not_written_into_the_link():
    with pytest.raises(TypeError):
        links_to("person_detail")("../../admin")


def test_a_url_that_takes_no_key_is_refused():
    with pytest.raises(NoReverseMatch):
        links_to("caseload")
