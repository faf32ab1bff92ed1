"""A save from an out-of-date page, or the same thing sent twice, is refused in plain words
and changes nothing: an employer's section or a PA's details saved from a page older than the
record (another tab saved since); a PA added, training, an employment issue, advice, or a
competence's task training or assessment recorded twice by a double click; an assessment from
a page opened before a colleague's."""

import dataclasses
import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets.services import Conflict
from employers.models import (
    Competence,
    CompetenceChange,
    CompetenceStatus,
    EmploymentIssue,
    IssueAdvice,
    IssueKind,
    PersonalAssistant,
    TrainingRecord,
)
from employers.services import delegation
from employers.services import employers as services
from employers.services.duplicates import RECENTLY
from phb.models import Role
from phb.nhsuk_forms import STALE_PAGE
from phb.presenters import display_time
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import DelegatedTaskFactory, DelegationFactory
from tests.employers.factories_training import module, record
from tests.employers.test_employers_pages import PA_FORM
from tests.factories import BudgetHolderFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGED = (
    "Someone changed these details after you opened this page. Check them, then save again. "
    "Nothing was changed."
)


def page(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


@pytest.fixture
def employer(holder):
    return EmployerFactory(budget_holder=holder)


@pytest.fixture
def pa(employer):
    return PersonalAssistantFactory(employer=employer, full_name="Kim Lee")


def version(record) -> str:
    record.refresh_from_db()
    return record.updated_at.isoformat()


# --- An employer's sections -------------------------------------------------------------


def test_a_section_saved_from_an_older_page_is_refused(employer, pa_employer_support):
    seen = employer.updated_at
    services.change_pension(  # another tab
        actor=pa_employer_support,
        employer=employer,
        scheme="The People's Pension",
        duties_start_on=datetime.date(2024, 4, 1),
        seen_version=seen,
    )
    with pytest.raises(Conflict) as error:
        services.change_paye(
            actor=pa_employer_support,
            employer=employer,
            paye_reference="999/ZZ99999",
            seen_version=seen,
        )
    assert str(error.value) == CHANGED
    employer.refresh_from_db()
    assert (employer.paye_reference, employer.pension_scheme) == (
        "123/AB45678",
        "The People's Pension",
    )


def test_the_section_page_carries_the_version_and_refuses_an_old_one(
    client, employer, pa_employer_support
):
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "paye"])
    seen = version(employer)
    assert f'name="page_version" value="{seen}"' in client.get(url).content.decode()
    other_tab = {"paye_reference": "321/CD12345", "page_version": seen}
    assert client.post(url, other_tab).status_code == 302
    response = client.post(url, {"paye_reference": "999/ZZ99999", "page_version": seen})
    assert response["Location"] == reverse("employers:employer", args=[employer.pk])
    assert CHANGED in page(client.get(response["Location"]))
    employer.refresh_from_db()
    assert employer.paye_reference == "321/CD12345"

    response = client.post(
        url, {"paye_reference": "999/ZZ99999", "page_version": version(employer)}
    )
    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.paye_reference == "999/ZZ99999"


@pytest.mark.parametrize("sent", [None, "", "yesterday", "2026-11-23T10:00:00"])
def test_a_missing_or_garbled_version_says_the_page_is_out_of_date(
    client, employer, pa_employer_support, sent
):
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "paye"])
    data = {"paye_reference": "999/ZZ99999"}
    if sent is not None:
        data["page_version"] = sent
    response = client.post(url, data)
    assert response.status_code == 200
    assert STALE_PAGE in page(response)
    employer.refresh_from_db()
    assert employer.paye_reference == "123/AB45678"


def test_who_employs_from_an_older_page_changes_nothing(client, employer, pa_employer_support):
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "who"])
    seen = version(employer)
    services.change_paye(actor=pa_employer_support, employer=employer, paye_reference="321/CD12345")
    response = client.post(
        url, {"kind": "managed_account", "employer_name": "Acme", "page_version": seen}
    )
    assert response.status_code == 302
    employer.refresh_from_db()
    assert (employer.kind, employer.employer_name) == ("holder", "")


# --- A PA's details ---------------------------------------------------------------------


def test_a_pas_details_saved_from_an_older_page_are_refused(client, pa, pa_employer_support):
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_change", args=[pa.pk])
    seen = version(pa)
    assert f'name="page_version" value="{seen}"' in client.get(url).content.decode()
    other_tab = PA_FORM | {"full_name": "Kim Lee", "phone": "0113 496 0000"}
    assert client.post(url, other_tab | {"page_version": seen}).status_code == 302
    older = PA_FORM | {"full_name": "Kim Leigh"}
    response = client.post(url, older | {"page_version": seen})
    assert response["Location"] == reverse("employers:pa", args=[pa.pk])
    assert CHANGED in page(client.get(response["Location"]))
    pa.refresh_from_db()
    assert (pa.full_name, pa.phone) == ("Kim Lee", "0113 496 0000")

    response = client.post(url, older | {"page_version": version(pa)})
    assert response.status_code == 302
    pa.refresh_from_db()
    assert pa.full_name == "Kim Leigh"


def test_a_pas_details_with_a_garbled_version_change_nothing(client, pa, pa_employer_support):
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_change", args=[pa.pk])
    response = client.post(url, PA_FORM | {"page_version": "<script>"})
    assert response.status_code == 200
    assert STALE_PAGE in page(response)
    pa.refresh_from_db()
    assert pa.full_name == "Kim Lee"


# --- Recorded twice ---------------------------------------------------------------------


def test_training_recorded_twice_is_refused_saying_who_recorded_it(
    icb, pa, pa_employer_support, today_is
):
    today_is(datetime.date(2026, 11, 23))
    training = module(icb, "Food hygiene")
    first = record(pa, pa_employer_support, training, datetime.date(2026, 11, 20))
    with pytest.raises(Conflict) as error:
        record(pa, pa_employer_support, training, datetime.date(2026, 11, 20))
    at = timezone.localtime(first.created_at)
    assert str(error.value).startswith(
        "Food hygiene for Kim Lee, completed 20 November 2026, was already recorded by "
        f"{pa_employer_support.full_name} at "
    )
    assert f"on {at:%-d %B %Y}. Nothing more was saved." in str(error.value)
    assert TrainingRecord.objects.count() == 1
    # Another date, or the same a while later, is another record.
    record(pa, pa_employer_support, training, datetime.date(2026, 11, 21))
    TrainingRecord.objects.filter(pk=first.pk).update(
        created_at=first.created_at - RECENTLY - datetime.timedelta(seconds=1)
    )
    record(pa, pa_employer_support, training, datetime.date(2026, 11, 20))
    assert TrainingRecord.objects.count() == 3


def test_a_double_click_on_record_training_records_it_once(client, icb, pa, pa_employer_support):
    client.force_login(pa_employer_support)
    url = reverse("employers:training_record_new", args=[pa.pk])
    today = timezone.localdate()
    data = {
        "module": module(icb, "Food hygiene").pk,
        "provider": "Carewise Training",
        "completed_on_day": today.day,
        "completed_on_month": today.month,
        "completed_on_year": today.year,
        "funding": "ief",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert "was already recorded by" in page(response)
    assert "Nothing more was saved." in page(response)
    assert TrainingRecord.objects.count() == 1


def open_issue(actor, employer, **changes):
    return services.open_issue(
        actor=actor,
        employer=employer,
        **{
            "kind": IssueKind.GRIEVANCE,
            "opened_on": datetime.date(2026, 11, 20),
            "summary": "Kim says the rota changed without notice.",
        }
        | changes,
    )


def test_an_issue_recorded_twice_is_refused(employer, pa, pa_employer_support):
    first = open_issue(pa_employer_support, employer, assistant=pa)
    with pytest.raises(Conflict) as error:
        open_issue(pa_employer_support, employer, assistant=pa)
    at = timezone.localtime(first.created_at)
    assert str(error.value).startswith(
        f"This issue was already recorded by {pa_employer_support.full_name} at "
    )
    assert str(error.value).endswith(f"on {at:%-d %B %Y}. Nothing more was saved.")
    assert EmploymentIssue.objects.count() == 1
    # Anything different is another issue.
    open_issue(pa_employer_support, employer)
    open_issue(pa_employer_support, employer, assistant=pa, summary="Another thing")
    open_issue(pa_employer_support, employer, assistant=pa, kind=IssueKind.ABSENCE)
    assert EmploymentIssue.objects.count() == 4


def test_a_double_click_on_record_an_issue_records_it_once(
    client, employer, pa, pa_employer_support
):
    client.force_login(pa_employer_support)
    url = reverse("employers:issue_new", args=[employer.pk])
    data = {
        "kind": "grievance",
        "assistant": str(pa.pk),
        "opened_on_day": "20",
        "opened_on_month": "11",
        "opened_on_year": "2026",
        "summary": "Kim says the rota changed without notice.",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response["Location"] == reverse("employers:employer", args=[employer.pk])
    assert "This issue was already recorded by" in page(client.get(response["Location"]))
    assert EmploymentIssue.objects.count() == 1


def test_advice_recorded_twice_is_refused(client, employer, pa, pa_employer_support):
    issue = open_issue(pa_employer_support, employer, assistant=pa)
    advice = {"given_on": datetime.date(2026, 11, 21), "advice": "Talk to Kim about the rota."}
    services.record_advice(actor=pa_employer_support, issue=issue, **advice)
    with pytest.raises(Conflict) as error:
        services.record_advice(actor=pa_employer_support, issue=issue, **advice)
    assert str(error.value).startswith(
        f"This advice was already recorded by {pa_employer_support.full_name} at "
    )
    assert IssueAdvice.objects.count() == 1
    services.record_advice(
        actor=pa_employer_support, issue=issue, given_on=advice["given_on"], advice="Write to Kim."
    )
    assert IssueAdvice.objects.count() == 2

    client.force_login(pa_employer_support)
    url = reverse("employers:issue_advice", args=[issue.pk])
    data = {
        "given_on_day": "22",
        "given_on_month": "11",
        "given_on_year": "2026",
        "advice": "Meet Kim on Monday.",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert "This advice was already recorded by" in page(response)
    assert IssueAdvice.objects.count() == 3


# --- A PA added twice -------------------------------------------------------------------

DUP = services.AssistantDetails(
    full_name="Dup Testpa",
    date_of_birth=datetime.date(1990, 1, 1),
    starts_on=datetime.date(2026, 12, 1),
    statement_issued_on=datetime.date(2026, 12, 1),
    contracted_hours=D("10"),
    day_rate=D("13.00"),
    tax_code="1257L",
)


def test_a_pa_added_twice_is_refused_saying_who_added_them(employer, pa_employer_support, today_is):
    """Dup Testpa, born 1 January 1990, starting on 1 December 2026 for 10 hours a week at
    £13.00 an hour, with no National Insurance number yet: the second "Add the PA" saves
    nothing and names who added the first."""
    today_is(datetime.date(2026, 12, 6))
    first = services.add_assistant(actor=pa_employer_support, employer=employer, details=DUP)
    assert first.created_by == pa_employer_support
    again = dataclasses.replace(DUP, full_name=" dup testpa ")
    with pytest.raises(Conflict) as error:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=again)
    at = timezone.localtime(first.created_at)
    assert str(error.value) == (
        f"Dup Testpa, born 1 January 1990, was already added by {pa_employer_support.full_name} "
        f"at {display_time(at)} on {at:%-d %B %Y}. Nothing more was saved."
    )
    assert PersonalAssistant.objects.filter(employer=employer).count() == 1


def test_another_pa_or_the_same_a_while_later_is_added(
    employer, pa_employer_support, today_is, holder
):
    today_is(datetime.date(2026, 12, 6))
    first = services.add_assistant(actor=pa_employer_support, employer=employer, details=DUP)
    add = services.add_assistant
    # Another date of birth or another name is another person.
    add(
        actor=pa_employer_support,
        employer=employer,
        details=dataclasses.replace(DUP, date_of_birth=datetime.date(1990, 1, 2)),
    )
    add(
        actor=pa_employer_support,
        employer=employer,
        details=dataclasses.replace(DUP, full_name="Dup Testpa Jones"),
    )
    # The same PA for another employer is their own employment.
    other = EmployerFactory(budget_holder=BudgetHolderFactory(organisation=holder.organisation))
    add(actor=pa_employer_support, employer=other, details=DUP)
    # More than 10 minutes later it is not a double click.
    PersonalAssistant.objects.filter(pk=first.pk).update(
        created_at=first.created_at - RECENTLY - datetime.timedelta(seconds=1)
    )
    add(actor=pa_employer_support, employer=employer, details=DUP)
    assert PersonalAssistant.objects.filter(employer=employer).count() == 4


def test_a_double_click_on_add_a_pa_adds_them_once(client, employer, pa_employer_support, today_is):
    today_is(datetime.date(2026, 12, 6))
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_new", args=[employer.pk])
    data = PA_FORM | {
        "full_name": "Dup Testpa",
        "starts_on_day": "1",
        "starts_on_month": "12",
        "starts_on_year": "2026",
        "statement_issued_on_day": "1",
        "statement_issued_on_month": "12",
        "statement_issued_on_year": "2026",
        "contracted_hours": "10",
        "day_rate": "13.00",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response["Location"] == reverse("employers:employer", args=[employer.pk])
    text = page(client.get(response["Location"]))
    assert (
        f"Dup Testpa, born 1 January 1990, was already added by {pa_employer_support.full_name} at "
        in text
    )
    assert "Nothing more was saved." in text
    assert PersonalAssistant.objects.filter(employer=employer).count() == 1


# --- A competence's task training and assessment ----------------------------------------


@pytest.fixture
def competence(icb, holder, clinician, pa, today_is):
    """Kim, agreed by all three on 3 December 2026, on the way to being signed off for PEG
    feeding (the person consented on 1 November 2026); today is 6 December 2026."""
    today_is(datetime.date(2026, 12, 6))
    task = DelegatedTaskFactory(organisation=icb, name="PEG feeding", review_months=6)
    agreed = timezone.now() - datetime.timedelta(days=3)
    return Competence.objects.create(
        delegation=DelegationFactory(task=task, budget_holder=holder, practitioner=clinician),
        assistant=pa,
        practitioner_agreed_at=agreed,
        employer_agreed_at=agreed,
        employer_agreed_by=holder.user,
        pa_agreed_at=agreed,
    )


def train(competence, clinician, **changes):
    return delegation.record_training(
        actor=clinician,
        competence=competence,
        **{"delivered_on": datetime.date(2026, 12, 4), "delivered_by": "Rv Trainer"} | changes,
    )


def assess(competence, clinician, **changes):
    return delegation.record_assessment(
        actor=clinician,
        competence=competence,
        **{
            "assessed_on": datetime.date(2026, 12, 5),
            "observations": "Needs to check the tube's position first",
            "passed": False,
        }
        | changes,
    )


def changes(competence) -> list[str]:
    return list(
        CompetenceChange.objects.filter(competence=competence)
        .order_by("at")
        .values_list("what", flat=True)
    )


def test_task_training_recorded_twice_is_refused_saying_who_recorded_it(competence, clinician):
    seen = competence.lock_version
    train(competence, clinician, lock_version=seen)
    with pytest.raises(Conflict) as error:
        train(competence, clinician, lock_version=seen)
    (first,) = CompetenceChange.objects.filter(competence=competence)
    at = timezone.localtime(first.at)
    assert str(error.value) == (
        "The task training given on 4 December 2026 by Rv Trainer was already recorded by "
        f"{clinician.full_name} at {display_time(at)} on {at:%-d %B %Y}. Nothing more was saved."
    )
    # Without a page (another service), the same again moments later is refused too.
    with pytest.raises(Conflict, match="was already recorded by"):
        train(competence, clinician)
    assert changes(competence) == ["Task training delivered on 4 December 2026 by Rv Trainer"]
    competence.refresh_from_db()
    assert competence.lock_version == seen + 1


def test_an_assessment_recorded_twice_is_refused_saying_who_recorded_it(competence, clinician):
    train(competence, clinician)
    competence.refresh_from_db()
    seen = competence.lock_version
    assess(competence, clinician, lock_version=seen)
    with pytest.raises(Conflict) as error:
        assess(competence, clinician, lock_version=seen)
    assert str(error.value).startswith(
        "The assessment on 5 December 2026 (not yet competent) was already recorded by "
        f"{clinician.full_name} at "
    )
    assert str(error.value).endswith("Nothing more was saved.")
    assert changes(competence) == [
        "Task training delivered on 4 December 2026 by Rv Trainer",
        "Assessed on 5 December 2026: not yet competent",
    ]


def test_a_passed_assessment_from_a_page_older_than_a_colleagues_not_yet_is_refused(
    competence, clinician, icb
):
    """Two pages opened on the same version: a colleague records "Not yet", then "Yes,
    competent" is sent from the older page. The "not yet" stands."""
    colleague = UserFactory(full_name="Dr Ada Colleague", role=Role.CLINICIAN, organisation=icb)
    train(competence, clinician)
    competence.refresh_from_db()
    seen = competence.lock_version
    assess(competence, colleague, lock_version=seen)
    with pytest.raises(Conflict) as error:
        assess(
            competence,
            clinician,
            lock_version=seen,
            observations="Safe and confident",
            passed=True,
        )
    last = CompetenceChange.objects.filter(competence=competence).order_by("-at").first()
    at = timezone.localtime(last.at)
    assert str(error.value) == (
        "This competence changed while you were looking at it: Dr Ada Colleague recorded "
        f"“Assessed on 5 December 2026: not yet competent” at {display_time(at)} on "
        f"{at:%-d %B %Y}. Check it, then record the assessment again. Nothing was saved."
    )
    competence.refresh_from_db()
    assert (competence.assessment_passed, competence.observations) == (
        False,
        "Needs to check the tube's position first",
    )
    assert competence.status == CompetenceStatus.IN_PROGRESS
    # From a page drawn now, the "passed" is recorded.
    assess(
        competence,
        clinician,
        lock_version=competence.lock_version,
        observations="Safe and confident",
        passed=True,
    )
    competence.refresh_from_db()
    assert competence.assessment_passed is True


def training_form(competence, **changes) -> dict:
    return {
        "delivered_on_day": "4",
        "delivered_on_month": "12",
        "delivered_on_year": "2026",
        "delivered_by": "Rv Trainer",
        "lock_version": competence.lock_version,
    } | changes


def assessment_form(competence, **changes) -> dict:
    return {
        "assessed_on_day": "5",
        "assessed_on_month": "12",
        "assessed_on_year": "2026",
        "observations": "Needs to check the tube's position first",
        "passed": "no",
        "lock_version": competence.lock_version,
    } | changes


def test_a_double_click_on_the_training_and_assessment_pages_records_each_once(
    client, competence, clinician
):
    client.force_login(clinician)
    training = reverse("employers:competence_training", args=[competence.pk])
    assert f'name="lock_version" value="{competence.lock_version}"' in page(client.get(training))
    sent = training_form(competence)
    assert client.post(training, sent).status_code == 302
    response = client.post(training, sent, follow=True)
    assert (
        "The task training given on 4 December 2026 by Rv Trainer was already recorded by "
        f"{clinician.full_name} at " in page(response)
    )

    competence.refresh_from_db()
    assessment = reverse("employers:competence_assessment", args=[competence.pk])
    assert f'name="lock_version" value="{competence.lock_version}"' in page(client.get(assessment))
    sent = assessment_form(competence)
    assert client.post(assessment, sent).status_code == 302
    response = client.post(assessment, sent, follow=True)
    assert (
        "The assessment on 5 December 2026 (not yet competent) was already recorded by "
        f"{clinician.full_name} at " in page(response)
    )
    assert changes(competence) == [
        "Task training delivered on 4 December 2026 by Rv Trainer",
        "Assessed on 5 December 2026: not yet competent",
    ]


def test_a_stale_assessment_page_is_refused_in_words(client, competence, clinician):
    train(competence, clinician)
    competence.refresh_from_db()
    older = assessment_form(competence, passed="yes", observations="Safe")
    assess(competence, clinician, lock_version=competence.lock_version)  # another tab
    client.force_login(clinician)
    url = reverse("employers:competence_assessment", args=[competence.pk])
    response = client.post(url, older, follow=True)
    assert "This competence changed while you were looking at it: " in page(response)
    assert "Check it, then record the assessment again. Nothing was saved." in page(response)
    competence.refresh_from_db()
    assert competence.assessment_passed is False


@pytest.mark.parametrize("sent", [None, "", "x", "-1"])
def test_a_missing_or_garbled_version_on_the_training_page_records_nothing(
    client, competence, clinician, sent
):
    client.force_login(clinician)
    data = training_form(competence)
    if sent is None:
        del data["lock_version"]
    else:
        data["lock_version"] = sent
    url = reverse("employers:competence_training", args=[competence.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert STALE_PAGE in page(response)
    assert changes(competence) == []
