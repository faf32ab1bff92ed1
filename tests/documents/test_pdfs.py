"""PDFs of the approved plan, letters and "How your budget was worked out": asked for on the
page, made on the pdf queue by a real worker, read back with pypdf."""

import datetime
import re
import time
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import BudgetLetter
from careplans.models import PlanLetter, PlanLetterKind
from careplans.services.stopping import request_repayment, stop_phb
from phb.documents import services
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.documents.rendering import RefusedURL, StaticFilesOnly, static_name
from phb.documents.sources import source_for
from phb.models import InformationFormat, RecordAccess
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    reload,
    schedule,
)
from tests.budgets.factories import change_amount as issue_change
from tests.careplans.review_factories import plan_in_use
from tests.documents.helpers import accessibility_of, text_of, type_sizes
from tests.factories import BudgetHolderFactory, HolderUserFactory, RepresentativeFactory


def ask(client, kind, subject):
    return client.post(reverse("document_request", args=[kind, subject.pk]))


def made(kind, subject, actor) -> GeneratedDocument:
    """Ask for a PDF through the service and make it here, as the worker would."""
    document = services.request_document(actor=actor, source=source_for(kind), subject=subject)
    return services.render_document(document_id=document.pk)


def content(document) -> bytes:
    return bytes(GeneratedDocument.objects.get(pk=document.pk).content)


def wait_until_finished(document_id, seconds=60) -> GeneratedDocument:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        document = GeneratedDocument.objects.get(pk=document_id)
        if document.finished:
            return document
        time.sleep(0.2)
    raise AssertionError("The PDF was not made in time")


# -- the whole journey, with the real broker and worker ----------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_plan_pdf_is_asked_for_made_by_the_worker_and_downloaded(
    client, phb_lead, holder, celery_worker
):
    version, _, _ = plan_in_use(phb_lead, holder)
    client.force_login(phb_lead)
    page = reverse("careplans:version", args=[version.pk])
    assert "Create a PDF" in client.get(page).content.decode()

    response = ask(client, "plan", version)
    assert response.status_code == 302
    assert response["Location"] == f"{page}#pdf"
    document = GeneratedDocument.objects.get()
    assert (document.kind, document.subject_id, document.requested_by) == (
        "plan",
        version.pk,
        phb_lead,
    )
    document = wait_until_finished(document.pk)
    assert document.status == DocumentStatus.DONE, document.error

    status = client.get(reverse("document_status", args=[document.pk])).json()
    assert (status["status"], status["finished"]) == ("done", True)
    assert "Download the PDF" in status["html"]
    assert "Download the PDF" in client.get(page).content.decode()

    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment; filename=")
    pdf = download.content
    text = text_of(pdf)
    assert f"{holder.full_name}, NHS number {holder.formatted_nhs_number}" in text
    assert "Care and support plan for " + holder.full_name in text
    assert "Walk Biscuit to the park" in text
    assert "Personal assistant, mornings" in text
    assert "£10,920.00" in text
    assert "Staying at home with my dog, Biscuit" in text
    assert "Page 1 of" in text
    assert accessibility_of(pdf) == {
        "tagged": True,
        "language": "en-GB",
        "title": "Care and support plan, version 1",
        "shows_title": True,
        "pdfua": True,
        "fonts": ["Arimo", "Arimo-Bold"],
    }
    # The download is a view of the person's record, in their access log.
    access = RecordAccess.objects.filter(budget_holder_id=holder.pk, user=phb_lead).first()
    assert (access.what, access.outcome) == ("PDF of the care and support plan", "viewed")


# -- letters -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_decision_letter_pdf_has_the_person_amounts_and_reasons(phb_lead, holder):
    plan_in_use(phb_lead, holder)
    letter = PlanLetter.objects.get(kind=PlanLetterKind.DECISION)
    document = made("plan_letter", letter, phb_lead)
    assert document.status == DocumentStatus.DONE, document.error
    text = text_of(content(document))
    assert "Your care and support plan has been approved" in text
    assert f"Dear {holder.full_name}," in text
    assert "£10,920.00 a year" in text
    assert "Personal assistant, mornings" in text
    assert accessibility_of(content(document))["title"] == letter.subject


@pytest.mark.django_db
def test_stop_and_repayment_letters_print_their_reasons(phb_lead, holder):
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=datetime.date(2026, 5, 1))
    repayment = request_repayment(
        actor=phb_lead,
        budget=budget,
        ground="unspent",
        amount=D("321.45"),
        explanation="Money built up in the account that was not spent on the plan.",
        due_by=datetime.date(2027, 3, 31),
        who_repays="The person",
    )
    text = text_of(content(made("plan_letter", repayment.letter, phb_lead)))
    assert "£321.45" in text
    assert "Money built up in the account that was not spent on the plan." in text
    stop = stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="consent_withdrawn",
        explanation="You told us that you no longer want a budget.",
        notice_given_on=datetime.date(2026, 11, 20),
        effective_on=datetime.date(2026, 12, 18),
    )
    text = text_of(content(made("plan_letter", stop.letter, phb_lead)))
    assert "You told us that you no longer want a budget." in text
    assert holder.formatted_nhs_number in text


@pytest.mark.django_db
def test_the_budget_change_letter_pdf_gives_the_amounts(phb_lead, finance_officer, holder):
    LocalRateSetFactory(organisation=holder.organisation)
    budget = agreed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder, effective_date=FY_2027_START),
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[("direct_payment", D("12000.00"), "")],
    )
    schedule(finance_officer, budget.portions.get())
    budget = budget_services.activate_budget(actor=finance_officer, budget=reload(budget))
    (letter,) = issue_change(
        phb_lead,
        budget,
        new_amount=D("10000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="Your needs at night have gone down.",
    )
    text = text_of(content(made("budget_letter", letter, phb_lead)))
    assert "£12,000.00" in text
    assert "£10,000.00" in text
    assert "Your needs at night have gone down." in text
    assert BudgetLetter.objects.get() == letter


# -- how the budget was worked out, for the budget holder ----------------------------------------


@pytest.mark.django_db
def test_the_holder_prints_how_their_budget_was_worked_out(client, phb_lead):
    holder = BudgetHolderFactory(
        organisation=phb_lead.acting_organisation, user=HolderUserFactory()
    )
    plan_in_use(phb_lead, holder)
    client.force_login(holder.user)
    page = client.get(reverse("holder_home_for", args=[holder.pk])).content.decode()
    assert "Create a PDF" in page
    assert ask(client, "budget_explanation", holder).status_code == 302
    document = services.render_document(document_id=GeneratedDocument.objects.get().pk)
    text = text_of(content(document))
    assert "How the budget was worked out" in text
    assert "£20,000.00" in text
    assert holder.full_name in text


@pytest.mark.django_db
def test_the_holder_and_their_representative_print_the_plan_in_use(client, phb_lead):
    holder = BudgetHolderFactory(
        organisation=phb_lead.acting_organisation, user=HolderUserFactory()
    )
    version, _, _ = plan_in_use(phb_lead, holder)
    own_page = reverse("careplans:your_plan", args=[holder.pk])
    client.force_login(holder.user)
    assert "Create a PDF" in client.get(own_page).content.decode()
    for reader in (holder.user, RepresentativeFactory(budget_holder=holder).user):
        client.force_login(reader)
        response = ask(client, "plan", version)
        assert response["Location"] == f"{own_page}#pdf"  # back to their page, not the staff's
    document = services.render_document(document_id=GeneratedDocument.objects.first().pk)
    text = text_of(content(document))
    assert "Walk Biscuit to the park" in text
    # Someone else's plan stays theirs.
    client.force_login(
        BudgetHolderFactory(organisation=holder.organisation, user=HolderUserFactory()).user
    )
    assert ask(client, "plan", version).status_code == 404


@pytest.mark.django_db
def test_the_plan_pdf_says_how_the_money_is_held_and_the_review_due_when_printed(phb_lead, holder):
    """Paid from 1 January 2027: the first review is due by 1 April 2027. A PDF is a record of
    the day it was made, so it says what was due that day."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=datetime.date(2027, 1, 1))
    text = text_of(content(made("plan", version, phb_lead)))
    assert "How the money is held" in text
    assert "Direct payment: £12,000.00" in text and "Notional budget: £8,000.00" in text
    assert (
        f"When this plan was printed on {timezone.localdate():%-d %B %Y}, the next review was "
        "due by 1 April 2027. Casey, the named care coordinator, is responsible for it."
    ) in text
    assert "Not written yet" not in text and "Not chosen" not in text


# -- large print -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_large_print_when_the_person_needs_it(phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder)
    standard = made("plan", version, phb_lead)
    assert min(type_sizes(content(standard))) < 12
    holder.information_format = InformationFormat.LARGE_PRINT
    holder.save()
    version.refresh_from_db()
    large = made("plan", version, phb_lead)
    assert large.large_print
    assert min(type_sizes(content(large))) >= 16
    assert large.filename.endswith("-large-print.pdf")


@pytest.mark.django_db
def test_the_print_size_is_the_persons_when_the_pdf_is_made(phb_lead, holder):
    """Asked for in standard print; the person's format changes to large print before the
    worker makes it: it is made in large print, named so, and is not out of date. And back."""
    version, _, _ = plan_in_use(phb_lead, holder)
    source = source_for("plan")
    asked = services.request_document(actor=phb_lead, source=source, subject=version)
    assert not asked.large_print
    holder.information_format = InformationFormat.LARGE_PRINT
    holder.save()
    version.refresh_from_db()
    document = services.render_document(document_id=asked.pk)
    assert document.large_print
    assert min(type_sizes(content(document))) >= 16
    assert document.filename.endswith("-large-print.pdf")
    assert not services.is_stale(document, source, version)
    asked = services.request_document(actor=phb_lead, source=source, subject=version)
    assert asked.large_print
    holder.information_format = InformationFormat.STANDARD
    holder.save()
    version.refresh_from_db()
    document = services.render_document(document_id=asked.pk)
    assert not document.large_print
    assert min(type_sizes(content(document))) < 12
    assert not document.filename.endswith("-large-print.pdf")


@pytest.mark.django_db
def test_a_plans_table_reads_right_on_paper_in_both_sizes(phb_lead, holder):
    """The responsive table's in-cell headings are for phones: printed, they repeated "Cost each
    time" in every row. In large print the table is a block per row, heading then value, so
    that its last columns are not lost off the edge of the page."""
    version, _, _ = plan_in_use(phb_lead, holder)
    items = list(version.support_items.all())
    assert items
    standard = text_of(content(made("plan", version, phb_lead)))
    assert standard.count("Cost each time") == 1  # the head row only
    assert standard.count("Who provides it") == 1
    holder.information_format = InformationFormat.LARGE_PRINT
    holder.save()
    version.refresh_from_db()
    large = text_of(content(made("plan", version, phb_lead)))
    assert large.count("Cost each time") == len(items)  # a heading with each row's value
    for item in items:
        assert f"What {item.description} Category" in large
        assert f"Cost {item.cost_text} Goals it helps with" in large
    assert large.count("Decision ") == len(items)


# -- stale, stopped and refused ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_pdf_made_before_the_details_changed_is_marked_out_of_date(client, phb_lead, holder):
    plan_in_use(phb_lead, holder)
    letter = PlanLetter.objects.get()
    made("plan_letter", letter, phb_lead)
    client.force_login(phb_lead)
    page = reverse("careplans:letter", args=[letter.pk])
    assert "out of date" not in client.get(page).content.decode()
    holder.family_name = "Newname"
    holder.save()
    html = client.get(page).content.decode()
    assert "This PDF is out of date" in html
    assert "Make a new PDF" in html
    ask(client, "plan_letter", letter)
    assert GeneratedDocument.objects.filter(status=DocumentStatus.QUEUED).count() == 1


@pytest.mark.django_db
def test_a_plan_stopped_before_its_pdf_is_made_ends_with_a_message(phb_lead, holder):
    version, budget, _ = plan_in_use(phb_lead, holder, first_payment=datetime.date(2026, 5, 1))
    document = services.request_document(actor=phb_lead, source=source_for("plan"), subject=version)
    stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="consent_withdrawn",
        explanation="You told us that you no longer want a budget.",
        notice_given_on=datetime.date(2026, 11, 20),
        effective_on=datetime.date(2026, 11, 23),  # today: a later stop still prints it
    )
    document = services.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith("The personal health budget this plan pays for has been")
    assert document.error.endswith("The PDF was not made.")
    assert document.content is None


@pytest.mark.django_db
def test_a_deleted_subject_ends_the_job_with_a_message(phb_lead, holder):
    plan_in_use(phb_lead, holder)
    letter = PlanLetter.objects.get()
    document = services.request_document(
        actor=phb_lead, source=source_for("plan_letter"), subject=letter
    )
    # The letter's id no longer names a letter (as if it were deleted).
    GeneratedDocument.objects.filter(pk=document.pk).update(subject_id=holder.pk)
    document = services.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.FAILED
    assert document.error == (
        "The letter was deleted before its PDF was made, so there is nothing to print."
    )
    # A second delivery of the same task leaves it alone.
    assert services.render_document(document_id=document.pk) is None


@pytest.mark.django_db
def test_a_request_lost_on_the_way_can_be_made_again(client, phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder)
    lost = services.request_document(actor=phb_lead, source=source_for("plan"), subject=version)
    GeneratedDocument.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    client.force_login(phb_lead)
    html = client.get(reverse("careplans:version", args=[version.pk])).content.decode()
    assert "has still not been made" in html
    assert "Try again" in html
    assert "data-document-status" not in html
    assert client.get(reverse("document_status", args=[lost.pk])).json()["finished"] is True
    ask(client, "plan", version)
    assert GeneratedDocument.objects.count() == 2


@pytest.mark.django_db
def test_asking_twice_gives_the_same_unfinished_request(phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder)
    first = services.request_document(actor=phb_lead, source=source_for("plan"), subject=version)
    again = services.request_document(actor=phb_lead, source=source_for("plan"), subject=version)
    assert first == again
    assert GeneratedDocument.objects.count() == 1


# -- who may download -------------------------------------------------------------------------


@pytest.mark.django_db
def test_other_icbs_and_other_people_get_404(client, phb_lead, other_icb_lead, holder):
    holder.user = HolderUserFactory()
    holder.save()
    plan_in_use(phb_lead, holder)
    letter = PlanLetter.objects.get()
    document = made("plan_letter", letter, phb_lead)
    someone_else = BudgetHolderFactory(
        organisation=holder.organisation, user=HolderUserFactory()
    ).user
    representative = RepresentativeFactory(budget_holder=holder).user
    urls = [
        reverse("document_download", args=[document.pk]),
        reverse("document_status", args=[document.pk]),
    ]
    for user, expected in (
        (other_icb_lead, 404),
        (someone_else, 404),
        (holder.user, 200),
        (representative, 200),
    ):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [expected, expected], user
    refused = RecordAccess.objects.filter(user=other_icb_lead).first()
    assert (refused.outcome, refused.budget_holder_id) == ("refused", holder.pk)


@pytest.mark.django_db
def test_a_pdf_not_made_yet_is_not_logged_as_seen(client, phb_lead, other_icb_lead, holder):
    """Opening the download address of a PDF still being made shows nothing: no "viewed" in
    the person's access log. Someone who may not see it is still logged as refused."""
    version, _, _ = plan_in_use(phb_lead, holder)
    waiting = services.request_document(actor=phb_lead, source=source_for("plan"), subject=version)
    url = reverse("document_download", args=[waiting.pk])
    RecordAccess.objects.all().delete()
    client.force_login(phb_lead)
    assert client.get(url).status_code == 404
    assert not RecordAccess.objects.exists()
    client.force_login(other_icb_lead)
    assert client.get(url).status_code == 404
    assert list(RecordAccess.objects.values_list("user", "outcome")) == [
        (other_icb_lead.pk, "refused")
    ]
    services.render_document(document_id=waiting.pk)
    client.force_login(phb_lead)
    assert client.get(url).status_code == 200
    assert RecordAccess.objects.filter(user=phb_lead, outcome="viewed").count() == 1


# -- the renderer reads our static files and nothing else ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.org/static/pdf/print.css",
        "http://static.phb.invalid/static/pdf/print.css",
        "https://static.phb.invalid/etc/passwd",
        "https://static.phb.invalid/static/../phb/settings/base.py",
        "https://static.phb.invalid/static/pdf/print.css?x=1",
        "data:text/css,body{}",
        "https://static.phb.invalid/static/pdf/no-such-file.css",
    ],
)
def test_the_url_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        StaticFilesOnly().fetch(url)


def test_the_url_fetcher_serves_the_print_stylesheet_and_the_font():
    assert static_name("https://static.phb.invalid/static/pdf/print.css") == "pdf/print.css"
    css = StaticFilesOnly().fetch("https://static.phb.invalid/static/pdf/print.css")
    assert b"@page" in css.read()
    font = StaticFilesOnly().fetch(
        "https://static.phb.invalid/static/fonts/arimo/arimo-latin-400-normal.woff2"
    )
    # Unpacked from WOFF2 to TrueType once, for every PDF after.
    assert font.read()[:4] == b"\x00\x01\x00\x00"


@pytest.mark.django_db
def test_the_persons_history_says_a_pdf_was_made_in_plain_words(client, phb_lead, holder):
    plan_in_use(phb_lead, holder)
    made("plan_letter", PlanLetter.objects.get(), phb_lead)
    client.force_login(phb_lead)
    html = client.get(reverse("person_history", args=[holder.pk])).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "PDF added: Your care and support plan has been approved" in main
    assert "Waiting to be made" in main
    assert "Ready" in main
    # No identifier in what people read (the links' addresses aside).
    words = re.sub(r'href="[^"]*"', "", main)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", words)
