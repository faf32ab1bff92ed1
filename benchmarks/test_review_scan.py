"""The daily review-reminder scan at national scale (issue 9): 250,000 people with a plan and a
review due (most in the coming year, 5% overdue by up to 90 days), in 10 ICBs of one PHB lead
each. The first scan records every reminder whose window is open (the catch-up of a first
run); the second, the same day, finds them all claimed, as every later scan of a day does.
Both take a number of queries that grows with the chunks of reviews read (one an ICB), not
with the reminders, and seconds, not minutes.

`make benchmark` runs it (it is not part of `make test`). Rows are made with SQL, in the test's
transaction, which is rolled back; the messages' sending is queued on commit, so never here.
"""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careplans.models import ReviewReminder
from careplans.services.reminders import scan_due_reviews
from phb.models import Message, Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = 250_000
ICBS = 10

PEOPLE_SQL = """
INSERT INTO phb_budgetholder (id, created_at, updated_at, organisation_id, given_name,
    family_name, nhs_number, date_of_birth, address_line_1, address_line_2, town, postcode,
    email, phone, preferred_contact, accessibility_needs, copy_letters_to_person,
    review_reminders, eligibility)
SELECT gen_random_uuid(), now(), now(), (%(icbs)s::uuid[])[1 + i %% %(count)s],
    'Person', 'Number ' || i, '8' || lpad(i::text, 9, '0'), date '1960-01-01' + (i %% 20000),
    '1 Example Street', '', 'Exampletown', 'ZZ1 1AA', '', '', 'letter', '', false, false, 'chc'
FROM generate_series(1, %(people)s) AS i
"""
PLANS_SQL = """
INSERT INTO careplans_careplan (id, created_at, updated_at, budget_holder_id, created_by_id)
SELECT gen_random_uuid(), now(), now(), id, %(author)s FROM phb_budgetholder
WHERE nhs_number LIKE '8%%'
"""
# Each plan has a version in use: the scan leaves out reviews of plans no longer in use.
VERSIONS_SQL = """
INSERT INTO careplans_planversion (id, created_at, updated_at, plan_id, number, status,
    what_matters, strengths, communication_needs, health_needs, outcomes_evidence, crisis_plan,
    relapse_plan, pa_absence_plan, over_budget_justification, created_by_id, submitted_by_id,
    submitted_at, lock_version)
SELECT gen_random_uuid(), now(), now(), id, 1, 'active', '', '', '', '', '', '', '', '', '',
    %(author)s, %(author)s, now(), 1
FROM careplans_careplan
"""
REVIEWS_SQL = """
INSERT INTO careplans_review (id, created_at, updated_at, plan_id, kind, due_on,
    reason_brought_forward, status, risk_level, changes_needed, notes)
SELECT gen_random_uuid(), now(), now(), id, 'first',
    CASE WHEN random() < 0.05 THEN %(today)s::date - (1 + floor(random() * 90))::int
         ELSE %(today)s::date + floor(random() * 365)::int END,
    '', 'due', 'standard', '', ''
FROM careplans_careplan
"""


def _scan(today):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        recorded = scan_due_reviews(today=today)
        seconds = time.perf_counter() - started
    return recorded, len(queries), seconds


def test_the_daily_scan_at_national_scale(benchmark):
    today = timezone.localdate()
    icbs = [OrganisationFactory(ods_code=f"QB{n}") for n in range(ICBS)]
    author = UserFactory(role=Role.PHB_LEAD, organisation=icbs[0])
    for icb in icbs[1:]:
        UserFactory(role=Role.PHB_LEAD, organisation=icb)
    params = {
        "icbs": [str(icb.pk) for icb in icbs],
        "count": ICBS,
        "people": PEOPLE,
        "author": author.pk,
        "today": today,
    }
    with connection.cursor() as cursor:
        for sql in (PEOPLE_SQL, PLANS_SQL, VERSIONS_SQL, REVIEWS_SQL):
            cursor.execute(sql, params)
        cursor.execute(
            "ANALYZE phb_budgetholder, careplans_careplan, careplans_planversion, careplans_review"
        )
    first = _scan(today)
    second = benchmark.pedantic(_scan, args=(today,), rounds=1, iterations=1)
    next_day = _scan(today + datetime.timedelta(days=1))
    for name, (recorded, queries, seconds) in (
        ("first scan", first),
        ("same day again", second),
        ("next day", next_day),
    ):
        benchmark.extra_info[name] = f"{recorded} reminders, {queries} queries, {seconds:.1f} s"
        print(f"\n{name}: {recorded:,} reminders, {queries:,} queries, {seconds:.1f} s")
    assert ReviewReminder.objects.count() == first[0] + next_day[0]
    # Each lead's reminders of a day are one email (a digest): an ICB of 25,000 has about
    # 3,000 reviews within 28 days or overdue, one chunk.
    messages = Message.objects.count()
    assert messages == ReviewReminder.objects.values("message").distinct().count()
    assert messages == 2 * ICBS
    print(f"\n{messages:,} messages for {first[0] + next_day[0]:,} reminders")
    assert second[0] == 0
    # Bounded: about ten queries per 1,000 reviews read, whatever the reminders.
    assert second[1] < first[1]
    assert first[2] < 300 and second[2] < 120
