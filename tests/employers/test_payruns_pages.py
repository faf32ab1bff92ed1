"""The pay-run pages: who sees what (a PA sees only their own payslips), the review and
finalise journey through the views, the bureau CSV and the payslip PDF."""

import csv
import datetime
import io
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from budgets.calculations import amount_for_period
from budgets.models import HoldingMethod
from employers.models import PayRunStatus, ShiftKind
from employers.payroll_presenters import csv_safe
from employers.services import payruns
from phb.documents import services as documents
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.documents.sources import source_for
from phb.models import RecordAccess
from phb.templatetags.phb_tags import pounds
from tests.budgets.factories import LocalRateSetFactory, agreed_budget, pa, pa_costing
from tests.documents.helpers import text_of
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of

APRIL_6 = datetime.date(2026, 4, 6)


@pytest.fixture
def month_1(today_is):
    today_is(datetime.date(2026, 4, 20))


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user(db):
    return PaUserFactory()


@pytest.fixture
def alice(employer, pa_user):
    return PersonalAssistantFactory(
        employer=employer, full_name='=HYPERLINK("http://x")', user=pa_user
    )


@pytest.fixture
def finalised(month_1, employer, alice, pa_employer_support):
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    return payruns.finalise_pay_run(actor=pa_employer_support, run=run)


@pytest.mark.django_db
def test_staff_start_review_and_finalise_a_run(
    client, month_1, employer, alice, pa_employer_support
):
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    client.force_login(pa_employer_support)
    page = client.get(reverse("employers:pay_runs", args=[employer.pk]))
    assert "There are no pay runs yet." in page.content.decode()
    response = client.post(reverse("employers:pay_run_start", args=[employer.pk]))
    run = employer.pay_runs.get()
    assert response.url == reverse("employers:pay_run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "This pay run is being checked" in page
    assert "£1,783.24" in page  # Alice's take-home pay (tests/employers/test_payruns.py)
    finalise = reverse("employers:pay_run_finalise", args=[run.pk])
    refused = client.post(finalise, {})
    assert "Confirm that you have checked every payslip" in refused.content.decode()
    run.refresh_from_db()
    assert run.status == PayRunStatus.DRAFT
    seen = {"seen": run.updated_at.isoformat()}
    assert f'name="seen" value="{seen["seen"]}"' in client.get(finalise).content.decode()
    assert client.post(finalise, {"checked": "on"} | seen).status_code == 302
    run.refresh_from_db()
    assert run.status == PayRunStatus.FINALISED
    # A second finalise (a stale tab) says who did it.
    again = client.get(finalise, follow=True).content.decode()
    assert "already finalised by" in again
    # A stale tab's form, sent: the run's page says so once, and offers no form.
    stale = client.post(finalise, {"checked": "on"} | seen, follow=True)
    assert stale.redirect_chain == [(reverse("employers:pay_run", args=[run.pk]), 302)]
    assert stale.content.decode().count("already finalised by") == 1


@pytest.mark.django_db
def test_the_holder_sees_their_pay_runs_in_plain_words(client, finalised, holder):
    client.force_login(holder.user)
    page = client.get(reverse("employers:pay_runs", args=[finalised.employer_id]))
    text = page.content.decode()
    assert "Paying your PAs" in text
    assert "Start the next pay run" not in text
    assert client.get(reverse("employers:pay_run", args=[finalised.pk])).status_code == 200


@pytest.mark.django_db
def test_pa_spend_of_a_part_year_budget_is_set_against_its_part_of_the_costing(
    client, month_1, icb, phb_lead, holder, employer, alice, pa_employer_support
):
    """A budget for 1 April to 29 June 2026 (90 days) holds 90/365 of the PA costing's yearly
    total for PAs; what the run cost is set against that, not against a whole year."""
    LocalRateSetFactory(organisation=icb)
    costing = pa_costing(phb_lead, holder, pas=[pa(hours=D("40"))])
    end = datetime.date(2026, 6, 29)
    part = amount_for_period(costing.total_annual, datetime.date(2026, 4, 1), end)
    # £33,756.45 a year x 90 / 365 = £8,323.507..., so £8,323.51.
    assert (costing.total_annual, part) == (D("33756.45"), D("8323.51"))
    agreed_budget(
        phb_lead,
        holder,
        costing,
        end=end,
        amount=part,
        portions=[(HoldingMethod.DIRECT_PAYMENT, part, "")],
    )
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    actual = D("2209.20")  # Alice's employer cost (tests/employers/test_payruns.py)
    client.force_login(pa_employer_support)
    url = reverse("employers:pay_runs", args=[employer.pk])
    text = re.sub(r"<[^>]+>", "", unescape(client.get(url).content.decode()))
    text = re.sub(r"\s+", " ", text)
    assert (
        f"The budget for 1 April 2026 to 29 June 2026 was worked out with {pounds(part)} for "
        "PAs, including the employer's costs such as National Insurance, pension and holiday pay "
        f"({pounds(costing.total_annual)} a year, for the budget's 90 days)."
    ) in text
    assert (
        f"Finalised pay runs have cost {pounds(actual)} so far, including the employer's costs, "
        "so £6,114.31 of it is left."  # £8,323.51 - £2,209.20
    ) in text
    assert "a year for PAs" not in text


@pytest.mark.django_db
def test_pa_spend_is_set_against_the_costing_in_words_for_holder_and_representative(
    client,
    month_1,
    icb,
    phb_lead,
    holder,
    employer,
    alice,
    pa_employer_support,
    representative,
):
    """The budget was worked out with a PA costing of 1 hour a week, far less than the four
    weeks Alice has been paid for, so the page says how much more than planned it has cost."""
    LocalRateSetFactory(organisation=icb)
    costing = pa_costing(phb_lead, holder, pas=[pa(hours=D("1"))])
    agreed_budget(
        phb_lead,
        holder,
        costing,
        portions=[(HoldingMethod.DIRECT_PAYMENT, costing.total_annual, "")],
    )
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    actual = D("2209.20")  # Alice's employer cost (tests/employers/test_payruns.py)
    over = actual - costing.total_annual
    assert over > 0
    url = reverse("employers:pay_runs", args=[employer.pk])
    client.force_login(holder.user)
    text = re.sub(r"<[^>]+>", "", unescape(client.get(url).content.decode()))
    assert (
        "Your budget for 1 April 2026 to 31 March 2027 was worked out with "
        f"{pounds(costing.total_annual)} for PAs, including the employer's costs such as "
        "National Insurance, pension and holiday pay."
    ) in text
    assert (
        f"Finalised pay runs have cost {pounds(actual)} so far, including the employer's costs, "
        f"which is {pounds(over)} more than was planned for this budget."
    ) in text
    client.force_login(representative)
    text = re.sub(r"<[^>]+>", "", unescape(client.get(url).content.decode()))
    assert f"Paying {holder.given_name}'s PAs" in text
    assert f"{holder.given_name}'s budget for 1 April 2026 to 31 March 2027 was worked out" in text
    assert "Your budget" not in text and "your PAs" not in text


@pytest.mark.django_db
def test_a_pa_sees_only_their_own_payslips(client, finalised, alice, pa_user, employer):
    other_user = PaUserFactory()
    other = PersonalAssistantFactory(employer=employer, user=other_user)
    payslip = finalised.payslips.get()
    client.force_login(pa_user)
    own = client.get(reverse("employers:own_payslips")).content.decode()
    assert reverse("employers:payslip", args=[payslip.pk]) in own
    page = client.get(reverse("employers:payslip", args=[payslip.pk])).content.decode()
    assert "Your payslip" in page
    assert client.get(reverse("employers:pay_run", args=[finalised.pk])).status_code == 404
    client.force_login(other_user)
    assert other.user == other_user
    assert client.get(reverse("employers:payslip", args=[payslip.pk])).status_code == 404
    listing = client.get(reverse("employers:own_payslips")).content.decode()
    assert "You have no payslips yet" in listing


def _payslip_text(client, user, payslip) -> str:
    client.force_login(user)
    page = client.get(reverse("employers:payslip", args=[payslip.pk])).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(page)))


@pytest.mark.django_db
def test_a_payslip_says_it_is_paid_only_once_its_run_is_finalised_and_its_pay_day_came(
    client, today_is, month_1, employer, alice, pa_user, holder, pa_employer_support
):
    """Month 1 is paid on 5 May 2026. While the run is checked nothing has been paid; once it
    is finalised the payslip is to be paid on the pay day, and after it, paid."""
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payslip = run.payslips.get()
    who = employer.display_name
    period = "6 April 2026 to 5 May 2026"
    text = _payslip_text(client, holder.user, payslip)
    assert (
        f"To be paid on 5 May 2026 by {who}, for {period}, once the pay run has been checked. "
        "These figures may change until then."
    ) in text
    assert "Paid on" not in text
    # A PA sees their payslip only once the run is finalised.
    client.force_login(pa_user)
    assert client.get(reverse("employers:payslip", args=[payslip.pk])).status_code == 404

    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    for user in (holder.user, pa_user):
        text = _payslip_text(client, user, payslip)
        assert f"To be paid on 5 May 2026 by {who}, for {period}." in text
        assert "Paid on" not in text and "checked" not in text

    today_is(datetime.date(2026, 5, 5))
    for user in (holder.user, pa_user):
        text = _payslip_text(client, user, payslip)
        assert f"Paid on 5 May 2026 by {who}, for {period}." in text
        assert "To be paid" not in text


@pytest.mark.django_db
def test_a_run_checked_after_its_pay_day_says_nothing_has_been_paid(
    client, today_is, employer, alice, holder, pa_employer_support
):
    today_is(datetime.date(2026, 5, 20))
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.pay_date == datetime.date(2026, 5, 5)
    text = _payslip_text(client, holder.user, run.payslips.get())
    assert (
        f"Due to be paid on 5 May 2026 by {employer.display_name}, for 6 April 2026 to 5 May "
        "2026. This pay run is still being checked, so nothing has been paid yet and these "
        "figures may change."
    ) in text
    assert "Paid on" not in text


@pytest.mark.django_db
def test_a_pa_sees_which_payslip_a_correction_replaced(
    client, finalised, pa_user, pa_employer_support
):
    correction = payruns.start_correction(actor=pa_employer_support, run=finalised)
    client.force_login(pa_user)
    listing = client.get(reverse("employers:own_payslips")).content.decode()
    assert "Replaced by a corrected payslip" not in listing  # the correction is not final yet
    payruns.finalise_pay_run(actor=pa_employer_support, run=correction)
    listing = client.get(reverse("employers:own_payslips")).content.decode()
    assert listing.count("Replaced by a corrected payslip") == 1
    assert listing.count("A corrected payslip: it replaces the earlier one") == 1


@pytest.mark.django_db
def test_the_bureau_csv_has_a_row_per_payslip_and_no_formulas(
    client, finalised, pa_employer_support, holder
):
    url = reverse("employers:pay_run_export", args=[finalised.pk])
    client.force_login(holder.user)
    assert client.get(url).status_code == 404
    client.force_login(pa_employer_support)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    record = dict(zip(header, row, strict=True))
    assert record["PA name"] == '\'=HYPERLINK("http://x")'
    assert record["Tax code"] == "1257L"
    assert record["Gross pay"] == "2160.00"
    assert record["Tax"] == "222.20"
    assert record["Employee NI"] == "88.96"
    assert (record["Earnings at LEL"], record["Earnings LEL to PT"]) == ("559.00", "489.00")
    assert record["Earnings PT to UEL"] == "1112.00"
    assert record["Pension employee deduction"] == "65.60"
    assert record["Net pay"] == "1783.24"
    assert record["Employer cost"] == "2209.20"
    assert RecordAccess.objects.filter(user=pa_employer_support, what="pay run export").exists()


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("Sam", "Sam")],
)
def test_csv_cells_that_could_be_formulas_are_quoted(value, safe):
    assert csv_safe(value) == safe


@pytest.mark.django_db
def test_finalising_asks_for_the_payslip_pdfs(finalised):
    payslip = finalised.payslips.get()
    assert GeneratedDocument.objects.filter(kind="payslip", subject_id=payslip.pk).exists()


@pytest.mark.django_db
def test_the_payslip_pdf_shows_rolled_up_holiday_pay_as_its_own_line(
    month_1, employer, pa_employer_support
):
    """Rolled-up holiday pay: 12.07% of 40 hours x £13.50 = £540.00, so £65.18."""
    pa = PersonalAssistantFactory(
        employer=employer, full_name="Rita Rolled", holiday_basis="rolled_up"
    )
    weeks_of(pa, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    run = payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    document = GeneratedDocument.objects.get(kind="payslip")
    document = documents.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.DONE, document.error
    text = text_of(bytes(GeneratedDocument.objects.get(pk=document.pk).content))
    assert "Payslip for Rita Rolled" in text
    # Made on finalising, before the pay day: it names the pay day, never "Paid on".
    assert "Pay day 5 May 2026, for 6 April 2026 to 5 May 2026" in text
    assert "Paid on" not in text
    assert "Rolled-up holiday pay (12.07% of £540.00) £65.18" in text
    assert "Gross pay £605.18" in text
    assert source_for("payslip").refusal(run.payslips.get()) is None
    assert run.payslips.get().rolled_up_holiday_pay == D("65.18")


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_lists_take_as_many_queries_for_many_runs_as_for_one(
    client, finalised, employer, alice, pa_user, pa_employer_support, holder
):
    client.force_login(holder.user)
    runs_url = reverse("employers:pay_runs", args=[employer.pk])
    one = _queries(client, runs_url)
    client.force_login(pa_user)
    own_one = _queries(client, reverse("employers:own_payslips"))
    for month in (5, 6):
        weeks_of(alice, pa_employer_support, datetime.date(2026, month, 6), 1, ShiftKind.DAY, "8")
        run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
        payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    assert employer.pay_runs.count() == 3
    assert _queries(client, reverse("employers:own_payslips")) == own_one
    client.force_login(holder.user)
    assert _queries(client, runs_url) == one


@pytest.mark.django_db
def test_a_correction_says_how_it_differs(client, finalised, alice, pa_employer_support):
    """On BR, Alice's tax is 2,160 x 20% = £432.00 in place of £222.20: £209.80 less pay."""
    alice.tax_code = "BR"
    alice.save()
    client.force_login(pa_employer_support)
    response = client.post(reverse("employers:pay_run_correct", args=[finalised.pk]))
    page = client.get(response.url).content.decode()
    assert "This is a correction of" in page
    assert "this one's is £209.80 less" in page
    assert "No agreed budget covers the pay day" in page
