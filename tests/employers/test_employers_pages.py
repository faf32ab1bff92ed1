"""The employer pages: who sees what (other ICBs and PAs get 404, a budget holder sees only
their own), what the pages say, nothing saved on bad input, and the dashboard's queries."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employers.models import Employer, EmployerKind, PersonalAssistant
from phb.models import RecordAccess, Role
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_employers import EmploymentIssueFactory
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def version_of(record) -> dict:
    """The hidden page version a change form carries: the record's `updated_at` as it is now."""
    record.refresh_from_db()
    return {"page_version": record.updated_at.isoformat()}


@pytest.fixture
def employer(holder):
    return EmployerFactory(
        budget_holder=holder, insurance_expires_on=TODAY + datetime.timedelta(days=10)
    )


def test_dashboard_lists_gaps_and_what_expires(client, pa_employer_support, employer):
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", statement_issued_on=None)
    client.force_login(pa_employer_support)
    page = client.get(reverse("employers:dashboard")).content.decode()
    assert "Kim Lee: no written statement" in page
    assert "Expiring in the next 60 days" in page
    assert "3 December 2026" in page
    assert reverse("employers:employer", args=[employer.pk]) in page


def test_dashboard_queries_do_not_grow_with_rows(client, pa_employer_support, icb):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("employers:dashboard")).status_code == 200
        return len(queries)

    client.force_login(pa_employer_support)
    employer = EmployerFactory(budget_holder=BudgetHolderFactory(organisation=icb))
    PersonalAssistantFactory(employer=employer, dbs_recheck_on=TODAY)
    few = count()
    for _ in range(5):
        more = EmployerFactory(
            budget_holder=BudgetHolderFactory(organisation=icb), insurance_expires_on=TODAY
        )
        PersonalAssistantFactory(employer=more, dbs_recheck_on=TODAY)
        PersonalAssistantFactory(employer=more, right_to_work_follow_up_on=TODAY)
    assert count() == few


def test_dashboard_shows_only_the_acting_icb(client, other_icb_lead, employer):
    client.force_login(other_icb_lead)
    page = client.get(reverse("employers:dashboard")).content.decode()
    assert employer.budget_holder.full_name not in page


def test_other_icb_and_pas_get_404(client, other_icb_lead, employer):
    pa_user = PaUserFactory()
    pa = PersonalAssistantFactory(employer=employer, user=pa_user)
    issue = EmploymentIssueFactory(employer=employer)
    urls = [
        reverse("employers:employer", args=[employer.pk]),
        reverse("employers:pa", args=[pa.pk]),
        reverse("employers:issue", args=[issue.pk]),
        reverse("employers:pa_change", args=[pa.pk]),
    ]
    for user in (other_icb_lead, pa_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_employer_page_checklist_and_household_warning(client, pa_employer_support, employer):
    PersonalAssistantFactory(employer=employer, full_name="Mum", lives_in_household=True)
    client.force_login(pa_employer_support)
    page = client.get(reverse("employers:employer", args=[employer.pk])).content.decode()
    assert "Runs out soon" in page
    assert "Mum is marked as living in the same household" in page
    assert reverse("employers:employer_change", args=[employer.pk, "insurance"]) in page
    assert RecordAccess.objects.filter(
        budget_holder_id=employer.budget_holder_id, what="employer"
    ).exists()


def test_a_coordinator_sees_but_does_not_change(client, care_coordinator, employer):
    client.force_login(care_coordinator)
    page = client.get(reverse("employers:employer", args=[employer.pk])).content.decode()
    assert "Runs out soon" in page
    assert "Add a PA" not in page
    url = reverse("employers:employer_change", args=[employer.pk, "paye"])
    assert client.get(url).status_code == 404


def test_holder_sees_only_their_own_pas(client, holder, other_holder, employer):
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", dbs_issued_on=None)
    EmployerFactory(budget_holder=other_holder)
    client.force_login(holder.user)
    page = client.get(reverse("employers:your_pas", args=[holder.pk])).content.decode()
    assert "Kim Lee" in page
    assert "What still needs doing" in page
    assert "Kim Lee: no DBS check" in page
    assert "Sam Adviser" in page
    assert client.get(reverse("employers:your_pas", args=[other_holder.pk])).status_code == 404
    assert client.get(reverse("employers:employer", args=[employer.pk])).status_code == 404
    home = client.get(reverse("holder_home")).content.decode()
    assert reverse("employers:your_pas", args=[holder.pk]) in home


def test_set_up_from_the_persons_record(client, pa_employer_support, holder):
    client.force_login(pa_employer_support)
    record = client.get(reverse("person_detail", args=[holder.pk])).content.decode()
    url = reverse("employers:set_up", args=[holder.pk])
    assert url in record
    response = client.post(url, {"kind": "nominee", "employer_name": ""})
    page = response.content.decode()
    assert "Enter the name of the nominee or organisation that employs the PAs" in page
    assert not Employer.objects.exists()
    response = client.post(url, {"kind": "holder"})
    employer = Employer.objects.get()
    assert response["Location"] == reverse("employers:employer", args=[employer.pk])
    assert client.get(url).status_code == 302  # already set up


def test_change_section_and_unknown_section(client, pa_employer_support, employer):
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "insurance"])
    response = client.post(
        url,
        {
            "exempt": "no",
            "insurer": "<script>alert(1)</script>",
            "policy_number": "P" * 61,
            "cover": "five million",
            "expires_on_day": "31",
            "expires_on_month": "2",
            "expires_on_year": "2027",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "<script>alert(1)</script>" not in page
    employer.refresh_from_db()
    assert employer.insurer == "Mutual PA Insurance"
    bad = reverse("employers:employer_change", args=[employer.pk, "nonsense"])
    assert client.get(bad).status_code == 404


def test_the_insurance_form_refuses_an_exemption_for_an_organisation(
    client, pa_employer_support, employer
):
    Employer.objects.filter(pk=employer.pk).update(
        kind=EmployerKind.MANAGED_ACCOUNT, employer_name="Grace Accounts Ltd"
    )
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "insurance"])
    page = client.get(url).content.decode()
    assert "An organisation cannot be exempt: it needs insurance of at least £5 million" in page
    response = client.post(url, {"exempt": "yes"})
    assert "only a person has close relatives" in response.content.decode()
    employer.refresh_from_db()
    assert not employer.insurance_exempt


# The PA form as a person fills it, paying £13.00 an hour.
PA_FORM = {
    "full_name": "Kim Lee",
    "date_of_birth_day": "1",
    "date_of_birth_month": "1",
    "date_of_birth_year": "1990",
    "lives_in_household": "no",
    "close_relative": "no",
    "right_to_work_time_limited": "no",
    "dbs_update_service": "no",
    "starts_on_day": "1",
    "starts_on_month": "6",
    "starts_on_year": "2026",
    "day_rate": "13.00",
    "holiday_basis": "regular",
    "tax_code": "1257L",
    "pension_choice": "auto",
}


def test_add_a_pa_below_minimum_wage_is_refused_on_the_page(client, pa_employer_support, employer):
    client.force_login(pa_employer_support)
    data = PA_FORM | {"day_rate": "12.00"}
    url = reverse("employers:pa_new", args=[employer.pk])
    page = client.post(url, data).content.decode()
    assert "The day rate is too low" in page
    assert not PersonalAssistant.objects.exists()
    response = client.post(url, data | {"day_rate": "12.71"})
    pa = PersonalAssistant.objects.get()
    assert pa.day_rate == D("12.71")
    assert response["Location"] == reverse("employers:employer", args=[employer.pk])


def test_a_pas_phone_number_and_postcode_are_checked_and_kept_in_one_form(
    client, pa_employer_support, employer
):
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_new", args=[employer.pk])
    page = client.post(url, PA_FORM | {"phone": "not a phone", "postcode": "<b>x</b>"})
    text = page.content.decode()
    assert "Enter a UK phone number, like" in text
    assert "Enter a full UK postcode, like LS1 4AP" in text
    assert not PersonalAssistant.objects.exists()
    client.post(url, PA_FORM | {"phone": "0113 496 0000", "postcode": "ls1 4ap"})
    pa = PersonalAssistant.objects.get()
    assert (pa.phone, pa.postcode) == ("0113 496 0000", "LS1 4AP")


def test_a_pas_student_loans_are_recorded_and_shown(client, pa_employer_support, employer):
    """The plan and a postgraduate loan, as an SL1, P45 or starter checklist gives them; a plan
    the form does not offer is refused in plain words and changes nothing."""
    pa = PersonalAssistantFactory(employer=employer, full_name="Kim Lee")
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_change", args=[pa.pk])
    form = client.get(url).content.decode()
    assert "No student loan to repay" in form
    assert "They are repaying a postgraduate loan" in form
    data = PA_FORM
    page = client.post(url, data | {"student_loan_plan": "plan_9"}).content.decode()
    assert "Choose their student loan plan, or that they have none to repay" in page
    pa.refresh_from_db()
    assert (pa.student_loan_plan, pa.postgraduate_loan) == ("", False)

    client.post(
        url, data | {"student_loan_plan": "plan_2", "postgraduate_loan": "on"} | version_of(pa)
    )
    pa.refresh_from_db()
    assert (pa.student_loan_plan, pa.postgraduate_loan) == ("plan_2", True)
    shown = client.get(reverse("employers:pa", args=[pa.pk])).content.decode()
    assert "Plan 2 and a postgraduate loan" in shown

    client.post(url, data | version_of(pa))  # no plan chosen, the box empty: none to repay
    pa.refresh_from_db()
    assert (pa.student_loan_plan, pa.postgraduate_loan) == ("", False)
    assert "Student loans" in client.get(reverse("employers:pa", args=[pa.pk])).content.decode()


def _as_posted(initial: dict) -> dict:
    """The change form sent back as the page fills it in: dates in their three boxes, a ticked
    box as "on" and an empty one left out."""
    data = {}
    for name, value in initial.items():
        if isinstance(value, datetime.date):
            data |= {f"{name}_day": value.day, f"{name}_month": value.month}
            data[f"{name}_year"] = value.year
        elif value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    return data


@pytest.mark.parametrize(("frequency", "shown"), [("monthly", "1257L M1"), ("weekly", "1257L W1")])
def test_changing_only_the_phone_keeps_a_week_1_month_1_code(
    client, pa_employer_support, employer, frequency, shown
):
    """A PA on 1257L M1 (month 1 basis): the change form shows the code with its M1 (W1 when
    paid weekly), so saving it with only a new phone number keeps them non-cumulative."""
    from employers.forms import AssistantForm
    from employers.models import TaxBasis

    employer.pay_frequency = frequency
    employer.save()
    pa = PersonalAssistantFactory(
        employer=employer, tax_code="1257L", tax_basis=TaxBasis.NON_CUMULATIVE, ni_number=""
    )
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_change", args=[pa.pk])
    assert f'value="{shown}"' in client.get(url).content.decode()
    data = _as_posted(AssistantForm.initial_from(pa)) | {"phone": "0113 496 0000"}
    data |= version_of(pa)
    assert data["tax_code"] == shown
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    pa.refresh_from_db()
    assert pa.phone == "0113 496 0000"
    assert (pa.tax_code, pa.tax_basis) == ("1257L", TaxBasis.NON_CUMULATIVE)


def test_a_cumulative_code_is_shown_without_a_suffix(employer):
    from employers.forms import AssistantForm

    pa = PersonalAssistantFactory(employer=employer, tax_code="1257L")
    assert AssistantForm.initial_from(pa)["tax_code"] == "1257L"


def _apprenticeship(day: str, month: str, year: str) -> dict:
    return {
        "apprentice": "on",
        "apprenticeship_started_on_day": day,
        "apprenticeship_started_on_month": month,
        "apprenticeship_started_on_year": year,
    }


def test_an_apprentice_may_be_paid_the_apprentice_rate_only_as_the_law_allows(
    client, pa_employer_support, employer
):
    """The apprentice rate (£8.00 from April 2026) is for an apprentice under 19, or 19 and
    over in the first year of the apprenticeship, and the rate is what she is paid now
    (23 November 2026). Kim, 26, began her apprenticeship on 1 January 2026: in its first
    year, £8.00 is allowed. Had it begun on 1 September 2025 its first year would have ended
    on 1 September 2026, and £8.00 is too low now."""
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_new", args=[employer.pk])
    apprentice_rate = PA_FORM | {"day_rate": "8.00"}
    page = client.post(url, apprentice_rate | {"apprentice": "on"}).content.decode()
    assert "Enter the date their apprenticeship started" in page
    page = client.post(url, apprentice_rate | _apprenticeship("1", "9", "2025")).content.decode()
    assert "The day rate is too low" in page
    page = client.post(url, apprentice_rate).content.decode()
    assert "The day rate is too low" in page  # not an apprentice: the adult rate
    assert not PersonalAssistant.objects.exists()

    client.post(url, apprentice_rate | _apprenticeship("1", "1", "2026"))
    pa = PersonalAssistant.objects.get()
    assert (pa.apprentice, pa.apprenticeship_started_on) == (True, datetime.date(2026, 1, 1))
    assert pa.day_rate == D("8.00")
    shown = " ".join(client.get(reverse("employers:pa", args=[pa.pk])).content.decode().split())
    assert "Yes, since 1 January 2026" in shown

    change = reverse("employers:pa_change", args=[pa.pk])
    unticked = _apprenticeship("1", "1", "2026") | {"apprentice": ""}  # the date left in
    client.post(change, PA_FORM | unticked | version_of(pa))
    pa.refresh_from_db()
    assert (pa.apprentice, pa.apprenticeship_started_on) == (False, None)


def test_an_apprentice_under_19_may_be_paid_the_apprentice_rate_after_their_first_year(
    client, pa_employer_support, employer
):
    """Born 1 January 2008, 18 on 1 June 2026, apprentice since 1 September 2024: the rate
    applies for being under 19. An apprenticeship cannot start before their 16th birthday."""
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_new", args=[employer.pk])
    young = PA_FORM | {"day_rate": "8.00", "date_of_birth_year": "2008"}
    page = client.post(url, young | _apprenticeship("1", "9", "2023")).content.decode()
    assert "The apprenticeship must start on or after their 16th birthday" in page
    assert not PersonalAssistant.objects.exists()
    client.post(url, young | _apprenticeship("1", "9", "2024"))
    assert PersonalAssistant.objects.get().day_rate == D("8.00")


def test_issue_pages_show_the_point_of_contact(client, pa_employer_support, employer):
    issue = EmploymentIssueFactory(employer=employer)
    client.force_login(pa_employer_support)
    page = client.get(reverse("employers:issue", args=[issue.pk])).content.decode()
    assert "Sam Adviser" in page
    assert reverse("employers:issue_advice", args=[issue.pk]) in page


def _links_open(client, page_url, urls):
    """Each of `urls` is linked from the page, and opens for whoever reads the page."""
    page = client.get(page_url).content.decode()
    for url in urls:
        assert f'href="{url}"' in page, url
        assert client.get(url).status_code == 200, url


def test_each_side_reaches_timesheets_pay_training_and_sign_offs(
    client, holder, pa_employer_support, employer
):
    """From the pages people start on: the holder's Your PAs, the staff's employer page and
    the PA's Your work, every part of the employers app is a link away, and each link opens."""
    user = PaUserFactory()
    pa = PersonalAssistantFactory(employer=employer, full_name="Kim Lee", user=user)
    client.force_login(holder.user)
    _links_open(
        client,
        reverse("employers:your_pas", args=[holder.pk]),
        [
            reverse("employers:timesheets_to_approve", args=[employer.pk]),
            reverse("employers:pay_runs", args=[employer.pk]),
            reverse("employers:employer_sign_offs", args=[employer.pk]),
            reverse("employers:pa_training", args=[pa.pk]),
        ],
    )
    client.force_login(pa_employer_support)
    _links_open(
        client,
        reverse("employers:employer", args=[employer.pk]),
        [
            reverse("employers:employer_timesheets", args=[employer.pk]),
            reverse("employers:pay_runs", args=[employer.pk]),
            reverse("employers:pa_training", args=[pa.pk]),
        ],
    )
    client.force_login(user)
    _links_open(
        client,
        reverse("employers:my_work"),
        [
            reverse("employers:own_payslips"),
            reverse("employers:my_training"),
            reverse("employers:own_sign_offs"),
        ],
    )


def _reads_of(table, queries) -> int:
    return sum(
        1
        for query in queries
        if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]
    )


@pytest.mark.parametrize("role", ["pa_employer_support", "holder"])
def test_the_record_and_the_holders_page_read_the_employer_once(request, client, role, employer):
    """The employer, timesheet, training and healthcare-task sections share one read of the
    person's employer (phb.extensions.read_once), on staff's record and the holder's page."""
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee")
    user = request.getfixturevalue(role)
    client.force_login(user if role != "holder" else user.user)
    url = (
        reverse("person_detail", args=[employer.budget_holder_id])
        if role != "holder"
        else reverse("holder_home")
    )
    with CaptureQueriesContext(connection) as counted:
        page = client.get(url).content.decode()
    assert "Kim Lee" in page
    assert _reads_of("employers_employer", counted.captured_queries) == 1


def test_name_the_pa_employer_support_officer(
    client, pa_employer_support, phb_lead, other_icb, employer, holder
):
    """Only the ICB's PA employer support staff today can be named; the employer page and the
    holder's Your PAs page then say who it is."""
    from tests.conftest import _staff

    colleague = _staff(Role.PA_EMPLOYER_SUPPORT, employer.budget_holder.organisation)
    colleague.full_name = "Robin Field"
    colleague.save()
    elsewhere = _staff(Role.PA_EMPLOYER_SUPPORT, other_icb)
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "officer"])
    form = client.get(url).content.decode()
    assert "Robin Field" in form
    assert elsewhere.full_name not in form
    assert phb_lead.full_name not in form  # a lead, not PA employer support
    for refused in ("", str(elsewhere.pk), str(phb_lead.pk), "not-an-id"):
        response = client.post(url, {"support_officer": refused})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    employer.refresh_from_db()
    assert employer.support_officer_id != colleague.pk
    response = client.post(url, {"support_officer": str(colleague.pk)} | version_of(employer))
    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.support_officer == colleague
    page = client.get(reverse("employers:employer", args=[employer.pk])).content.decode()
    assert "PA employer support officer: Robin Field." in page
    client.force_login(holder.user)
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee")
    own = client.get(reverse("employers:your_pas", args=[holder.pk])).content.decode()
    assert "Robin Field" in own


def test_only_the_icbs_support_staff_today_may_be_named_by_the_service(
    pa_employer_support, care_coordinator, employer
):
    from django.core.exceptions import PermissionDenied, ValidationError

    from employers.services.employers import change_support_officer
    from tests.conftest import _staff

    with pytest.raises(PermissionDenied):
        change_support_officer(
            actor=care_coordinator, employer=employer, support_officer=pa_employer_support
        )
    former = _staff(Role.PA_EMPLOYER_SUPPORT, employer.budget_holder.organisation)
    former.role_assignments.update(
        starts_on=TODAY - datetime.timedelta(days=30), ends_on=TODAY - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        change_support_officer(actor=pa_employer_support, employer=employer, support_officer=former)
    change_support_officer(
        actor=pa_employer_support, employer=employer, support_officer=pa_employer_support
    )
    employer.refresh_from_db()
    assert employer.support_officer == pa_employer_support


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_pa_who_has_not_started_is_not_shown_as_working(
    client, pa_employer_support, holder, employer
):
    """Starting on 7 December 2026, two weeks from today: the employer page, the PA's page and
    Your PAs say when they start, not that they are working."""
    pa = PersonalAssistantFactory(
        employer=employer, full_name="Kim Lee", starts_on=datetime.date(2026, 12, 7)
    )
    client.force_login(pa_employer_support)
    page = _text(client.get(reverse("employers:employer", args=[employer.pk])))
    assert "Kim Lee</a> (starts on 7 December 2026)" in page
    page = _text(client.get(reverse("employers:pa", args=[pa.pk])))
    assert "> Status </dt>" in page
    assert "> Starts on 7 December 2026 </dd>" in page
    assert "> Working </dd>" not in page
    client.force_login(holder.user)
    page = _text(client.get(reverse("employers:your_pas", args=[holder.pk])))
    assert "Kim Lee, starts on 7 December 2026" in page
    assert "working since" not in page


def test_a_point_of_contact_without_a_name_is_shown_everywhere(
    client, pa_employer_support, holder, employer
):
    """Recorded before a name was needed: the phone number is still shown to the holder, the
    PA and staff, and the checklist asks for the name."""
    employer.pa_contact_name = ""
    employer.save()
    user = PaUserFactory()
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", user=user)
    issue = EmploymentIssueFactory(employer=employer)
    client.force_login(pa_employer_support)
    page = _text(client.get(reverse("employers:issue", args=[issue.pk])))
    assert "No name recorded, 0300 123 4567" in page
    page = _text(client.get(reverse("employers:employer", args=[employer.pk])))
    assert "The point of contact for PAs has no name: add who it is" in page
    client.force_login(holder.user)
    page = _text(client.get(reverse("employers:your_pas", args=[holder.pk])))
    assert "PAs can contact their point of contact on 0300 123 4567." in page
    client.force_login(user)
    page = _text(client.get(reverse("employers:my_work")))
    assert (
        "If something goes wrong at work, contact your employer's point of contact for PAs on "
        "0300 123 4567." in page
    )


def test_the_employer_page_shows_pay_below_the_minimum_wage_now(
    client, pa_employer_support, employer
):
    """Born 1 June 2005, paid £10.85 since 1 April 2026: 21 since 1 June 2026."""
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        date_of_birth=datetime.date(2005, 6, 1),
        starts_on=datetime.date(2026, 4, 1),
        day_rate=D("10.85"),
        night_rate=None,
        waking_night_rate=None,
    )
    client.force_login(pa_employer_support)
    page = _text(client.get(reverse("employers:employer", args=[employer.pk])))
    assert (
        "Missing </strong> Kim Lee: paid below the minimum wage: the day rate of £10.85 an hour "
        "is £1.86 an hour below the National Living Wage of £12.71 for someone aged 21 or over"
    ) in page
    dashboard = _text(client.get(reverse("employers:dashboard")))
    assert "Kim Lee: paid below the minimum wage" in dashboard


def test_insurance_cover_is_read_as_money_is_written():
    from employers.forms import InsuranceForm

    data = {"exempt": "no", "insurer": "Mutual PA Insurance", "policy_number": "P1"}
    for typed, read in (("10,000,000", "10000000.00"), ("£5,000,000", "5000000.00")):
        form = InsuranceForm(data={**data, "cover": typed})
        form.is_valid()
        assert "cover" not in form.errors, typed
        assert form.cleaned_data["cover"] == D(read)
    form = InsuranceForm(data={**data, "cover": "£5m"})
    assert not form.is_valid()
    assert form.errors["cover"] == ["Amount of cover must be an amount of money, like 125.50"]


def test_an_issue_about_a_pa_not_on_the_list_is_asked_for_in_words():
    from employers.forms import IssueForm

    form = IssueForm(data={"kind": "other", "assistant": "not-a-pa", "summary": "x"})
    assert not form.is_valid()
    assert form.errors["assistant"] == ["Select a PA from the list"]
