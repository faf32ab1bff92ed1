"""Issues and national rates for the employer pages' tests (issue 10, employer pages)."""

import datetime

import factory

from employers.models import EmploymentIssue, IssueKind
from tests.employers.factories import EmployerFactory
from tests.factories import UserFactory


class EmploymentIssueFactory(factory.django.DjangoModelFactory):
    """An open absence issue raised on 1 October 2026."""

    class Meta:
        model = EmploymentIssue

    employer = factory.SubFactory(EmployerFactory)
    kind = IssueKind.ABSENCE
    opened_on = datetime.date(2026, 10, 1)
    summary = "Did not come to work for three days without saying why."
    recorded_by = factory.SubFactory(UserFactory)
