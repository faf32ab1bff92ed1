"""The lifecycle through the pages: backdating on the set-up form, changing a draft, sending
back, withdrawing, ending, the ICB's budget policy, the work queues and the comparison page."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import selectors, services
from budgets.models import Budget, BudgetEdit, BudgetPolicy, BudgetStatus, HoldingMethod
from tests.budgets.factories import (
    BACKDATED,
    FY_2026_END,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    agreed_budget,
    another_lead,
    draft_budget,
    pa_costing,
    proposed_budget,
    reload,
)
from tests.budgets.test_pages import budget_form_data, date_fields, management

pytestmark = pytest.mark.django_db

PROBLEM = "There is a problem"


def page(response) -> str:
    return unescape(response.content.decode())


# ---------------------------------------------------------------------------------------------
# Backdating on the set-up form
# ---------------------------------------------------------------------------------------------


def test_a_past_start_date_needs_the_box_ticked(client, phb_lead, holder, ras):
    client.force_login(phb_lead)
    data = budget_form_data(ras, amount="8308.72") | {"backdated": "", "backdating_reason": ""}
    response = client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert (
        "The start date, 1 April 2026, has passed. If the budget really starts then, tick the "
        "box to confirm it is backdated"
    ) in html
    assert not Budget.objects.exists()


def test_a_backdated_budget_needs_a_reason(client, phb_lead, holder, ras):
    client.force_login(phb_lead)
    data = budget_form_data(ras, amount="8308.72") | {"backdating_reason": " "}
    response = client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert "Say why the budget is backdated" in page(response)
    assert not Budget.objects.exists()


def test_next_years_budget_from_this_years_calculation_is_refused_on_the_form(
    client, phb_lead, holder, ras
):
    client.force_login(phb_lead)
    data = budget_form_data(ras, amount="8308.72", start=FY_2027_START, end=FY_2027_END)
    html = page(client.post(reverse("budgets:budget_new", args=[holder.pk]), data))
    assert PROBLEM in html
    assert (
        "This calculation was worked out with the figures for 2026/27, but the budget starts "
        "on 1 April 2027, in 2027/28. Choose a calculation for 2027/28, or work one out"
    ) in html
    assert "Resource allocation for 2026/27: £8,308.72 a year" in html
    assert not Budget.objects.exists()


def test_a_confirmed_backdated_budget_records_why_and_shows_it(client, phb_lead, holder, ras):
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:budget_new", args=[holder.pk]), budget_form_data(ras, amount="8308.72")
    )
    budget = Budget.objects.get()
    assert response.status_code == 302
    assert budget.backdating_reason == BACKDATED
    html = page(client.get(response.url))
    assert f"because: {BACKDATED}" in html


def test_a_future_start_keeps_no_reason_even_if_ticked(client, phb_lead, holder, ras_2027):
    client.force_login(phb_lead)
    data = budget_form_data(ras_2027, amount="8308.72", start=FY_2027_START, end=FY_2027_END) | {
        "backdated": "on",
        "backdating_reason": "Not true",
    }
    assert client.post(reverse("budgets:budget_new", args=[holder.pk]), data).status_code == 302
    assert Budget.objects.get().backdating_reason == ""


def test_an_overlap_is_named_on_the_set_up_page(client, phb_lead, holder, ras):
    draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    data = budget_form_data(ras, amount="1000.00", start=datetime.date(2027, 1, 1)) | {
        "held-notional": "1000.00"
    }
    html = page(client.post(reverse("budgets:budget_new", args=[holder.pk]), data))
    assert (
        "This period overlaps the draft budget from 1 April 2026 to 31 March 2027. Change the "
        "dates, or withdraw that budget first"
    ) in html
    assert Budget.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Changing a draft
# ---------------------------------------------------------------------------------------------


def edit_data(budget, **extra) -> dict:
    data = budget_form_data(
        budget.calculation,
        amount=str(budget.agreed_amount),
        start=budget.period_start,
        end=budget.period_end,
    )
    return data | {"version": budget.version} | extra


def test_the_change_page_is_filled_in_with_the_draft(client, phb_lead, holder, ras):
    budget = draft_budget(
        phb_lead,
        holder,
        ras,
        amount=D("8000.00"),
        portions=[
            (HoldingMethod.THIRD_PARTY, D("3000.00"), "Northtown Trust"),
            (HoldingMethod.DIRECT_PAYMENT, D("5000.00"), ""),
        ],
    )
    client.force_login(phb_lead)
    html = page(client.get(reverse("budgets:edit", args=[budget.pk])))
    assert "<h1>Change the draft budget</h1>" in html
    assert 'name="agreed_amount" type="text" value="8000.00"' in html or 'value="8000.00"' in html
    assert 'value="Northtown Trust"' in html
    assert 'value="3000.00"' in html and 'value="5000.00"' in html
    assert f"{BACKDATED}</textarea>" in html
    assert f'name="version" value="{budget.version}"' in html


def test_a_draft_is_changed_through_the_page(client, care_coordinator, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(care_coordinator)
    response = client.post(
        reverse("budgets:edit", args=[budget.pk]),
        edit_data(budget, agreed_amount="8000.00", **{"held-notional": "8000.00"}),
    )
    assert response.status_code == 302
    assert response.url == reverse("budgets:budget", args=[budget.pk])
    assert reload(budget).agreed_amount == D("8000.00")
    html = page(client.get(response.url))
    assert "The draft has been changed" in html
    assert "Changes to the draft" in html
    assert "Amount £8,308.72 became £8,000.00." in html


def test_a_stale_change_is_explained_and_not_saved(client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    data = edit_data(budget, agreed_amount="8000.00", **{"held-notional": "8000.00"})
    services.update_draft_budget(
        actor=phb_lead, budget=budget, version=1, clinical_justification="Changed elsewhere."
    )
    response = client.post(reverse("budgets:edit", args=[budget.pk]), data, follow=True)
    edit = BudgetEdit.objects.get(budget=budget)
    assert (
        f"You cannot change this budget: it was changed by {phb_lead.full_name} on "
        f"{timezone.localtime(edit.at):%-d %B %Y at %H:%M}, after you opened this page. "
        "Check it and try again."
    ) in unescape(page(response))
    assert reload(budget).agreed_amount == D("8308.72")


def test_a_mangled_version_is_treated_as_out_of_date(client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    data = edit_data(budget, version="NaN", agreed_amount="8000.00", **{"held-notional": "8000"})
    response = client.post(reverse("budgets:edit", args=[budget.pk]), data, follow=True)
    assert "someone changed it while you were looking at it" in page(response)
    assert reload(budget).agreed_amount == D("8308.72")


def test_a_bad_change_shows_the_problem_and_saves_nothing(client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:edit", args=[budget.pk]), edit_data(budget, agreed_amount="9000.00")
    )
    assert response.status_code == 200
    html = page(response)
    assert PROBLEM in html
    assert "Write the clinical justification for it" in html
    assert not BudgetEdit.objects.exists()


def test_a_proposed_budget_has_no_change_page(client, phb_lead, holder, ras):
    budget = proposed_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    response = client.get(reverse("budgets:edit", args=[budget.pk]), follow=True)
    assert "Only a draft budget can be changed" in page(response)
    assert response.redirect_chain[-1][0] == reverse("budgets:budget", args=[budget.pk])


# ---------------------------------------------------------------------------------------------
# Sending back, withdrawing, ending
# ---------------------------------------------------------------------------------------------


def test_sending_back_through_the_page_needs_a_reason(client, phb_lead, above_cap):
    client.force_login(phb_lead)
    url = reverse("budgets:send_back", args=[above_cap.pk])
    response = client.post(url, {"version": above_cap.version, "reason": ""})
    assert response.status_code == 200
    assert "Enter why the budget is going back to draft" in page(response)
    response = client.post(url, {"version": above_cap.version, "reason": "Lower the amount."})
    assert response.status_code == 302
    assert reload(above_cap).status == BudgetStatus.DRAFT
    assert "The budget has gone back to draft" in page(client.get(response.url))


def test_withdrawing_through_the_page(client, phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    url = reverse("budgets:withdraw", args=[budget.pk])
    html = page(client.get(url))
    assert "A withdrawn budget stays on the person's record" in html
    response = client.post(url, {"version": budget.version, "reason": "Set up twice."})
    assert response.status_code == 302
    assert reload(budget).status == BudgetStatus.WITHDRAWN
    assert "The budget has been withdrawn" in page(client.get(response.url))


def test_a_withdrawal_from_a_page_opened_before_a_proposal_says_who_proposed_it(
    client, phb_lead, care_coordinator, holder, ras
):
    """The reviewer's case: the withdraw page is opened on a draft; a colleague proposes it;
    the withdrawal is refused, naming who proposed it and when, as the change page does."""
    budget = draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    url = reverse("budgets:withdraw", args=[budget.pk])
    assert f'name="version" value="{budget.version}"' in page(client.get(url))
    services.propose_budget(actor=care_coordinator, budget=budget, version=budget.version)
    proposed = reload(budget).status_changes.get(to_status=BudgetStatus.PROPOSED)
    response = client.post(url, {"version": budget.version, "reason": "Set up twice."}, follow=True)
    assert (
        f"You cannot withdraw this budget: it was proposed by {care_coordinator.full_name} on "
        f"{timezone.localtime(proposed.at):%-d %B %Y at %H:%M}, after you opened this page. "
        "Check it and try again."
    ) in unescape(page(response))
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_an_agreed_budget_has_no_withdraw_or_send_back_page(client, phb_lead, holder, ras):
    budget = agreed_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    for name, message in (
        ("budgets:withdraw", "Only a draft or proposed budget can be withdrawn"),
        ("budgets:send_back", "Only a proposed budget can go back to draft"),
    ):
        response = client.get(reverse(name, args=[budget.pk]), follow=True)
        assert message in page(response)


def test_ending_through_the_page(client, phb_lead, holder, ras, monkeypatch):
    budget = agreed_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    url = reverse("budgets:end", args=[budget.pk])
    html = page(client.post(url, {"version": budget.version}, follow=True))
    assert "It can be ended when its period is over, from 1 April 2027" in html
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2027, 4, 1))
    html = page(client.post(url, {"version": budget.version}, follow=True))
    assert "The budget has ended" in html
    assert reload(budget).status == BudgetStatus.ENDED


# ---------------------------------------------------------------------------------------------
# The ICB's budget policy
# ---------------------------------------------------------------------------------------------


def test_an_icb_admin_sets_the_budget_policy(client, icb_admin, icb):
    client.force_login(icb_admin)
    url = reverse("budgets:budget_policy")
    html = page(client.get(reverse("caseload")))
    assert f'href="{url}"' in html
    html = page(client.get(url))
    assert "<h1>Budget policy</h1>" in html
    response = client.post(url, {"preparer_may_agree": "yes", "preparer_may_agree_below": ""})
    assert response.status_code == 200
    assert "Enter the amount below which the person who prepared a budget may agree it" in page(
        response
    )
    response = client.post(
        url, {"preparer_may_agree": "yes", "preparer_may_agree_below": "£5,000.00"}
    )
    assert response.status_code == 302
    policy = BudgetPolicy.objects.get(organisation=icb)
    assert (policy.preparer_may_agree, policy.preparer_may_agree_below) == (True, D("5000.00"))
    assert 'value="5000.00"' in page(client.get(url))


def test_a_budget_policy_saved_from_an_older_tab_is_refused(client, icb_admin, icb):
    """Two tabs opened with no policy; the first saves; the second (which still shows none)
    is told, and changes nothing. The next save carries the time the page was drawn."""
    import re

    client.force_login(icb_admin)
    url = reverse("budgets:budget_policy")
    first = {"preparer_may_agree": "yes", "preparer_may_agree_below": "5000.00", "seen": ""}
    assert client.post(url, first).status_code == 302
    second = client.post(url, first | {"preparer_may_agree_below": "900.00"}, follow=True)
    assert "Someone changed the budget policy after you opened this page" in page(second)
    policy = BudgetPolicy.objects.get(organisation=icb)
    assert policy.preparer_may_agree_below == D("5000.00")
    seen = re.search(r'name="seen" value="([^"]*)"', page(client.get(url))).group(1)
    changed = client.post(url, first | {"preparer_may_agree_below": "900.00", "seen": seen})
    assert changed.status_code == 302
    policy.refresh_from_db()
    assert policy.preparer_may_agree_below == D("900.00")
    garbled = client.post(url, first | {"seen": "not a time"})
    assert garbled.status_code == 200
    policy.refresh_from_db()
    assert policy.preparer_may_agree_below == D("900.00")


def test_only_an_icb_admin_sees_the_budget_policy(client, phb_lead):
    client.force_login(phb_lead)
    assert client.get(reverse("budgets:budget_policy")).status_code == 404
    assert reverse("budgets:budget_policy") not in page(client.get(reverse("caseload")))


# ---------------------------------------------------------------------------------------------
# Work queues
# ---------------------------------------------------------------------------------------------


def waiting(user) -> dict:
    return {
        str(budget.pk): why
        for budget, why in selectors.budgets_waiting_for(user._meta.model.objects.get(pk=user.pk))
    }


def test_each_queue_says_what_each_budget_is_waiting_for(
    phb_lead, care_coordinator, clinician, finance_officer, holder, other_holder, icb, ras, ras_2027
):
    from tests.budgets.factories import ras_assessment

    other_ras = ras_assessment(phb_lead, other_holder, ras.questionnaire)
    next_year = {"start": FY_2027_START, "end": FY_2027_END}
    unchecked = proposed_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )
    not_supported = proposed_budget(
        care_coordinator,
        holder,
        ras_2027,
        amount=D("9000.00"),
        justification=JUSTIFICATION,
        **next_year,
    )
    services.record_clinical_check(
        actor=clinician, budget=not_supported, supported=False, notes="Not needed."
    )
    ready = proposed_budget(care_coordinator, other_holder, other_ras)
    other_ras_2027 = ras_assessment(
        phb_lead, other_holder, ras_2027.questionnaire, effective_date=FY_2027_START
    )
    mine = proposed_budget(phb_lead, other_holder, other_ras_2027, **next_year)
    lead = waiting(phb_lead)
    assert lead == {
        str(not_supported.pk): "the clinician did not support it: waiting for the PHB lead",
        str(ready.pk): "waiting to be agreed",
        str(mine.pk): "waiting to be agreed by another PHB lead",
    }
    assert waiting(clinician) == {str(unchecked.pk): "waiting for a clinical check"}
    assert waiting(care_coordinator) == {}

    services.return_to_draft(actor=phb_lead, budget=not_supported, reason="Lower it.")
    services.withdraw_budget(actor=phb_lead, budget=unchecked, reason="Duplicate.")
    assert waiting(care_coordinator) == {
        str(not_supported.pk): "sent back to draft: waiting for changes"
    }
    # Withdrawn, nobody waits for the one; sent back but not changed yet, the other is not
    # checked again (a second check would overturn the first unseen).
    assert waiting(clinician) == {}

    agreed = services.agree_budget(actor=another_lead(icb), budget=ready)
    # Its care and support plan is not approved yet (ADR 0024).
    assert waiting(finance_officer) == {
        str(agreed.pk): "agreed: waiting for the care and support plan to be approved"
    }
    # Proposed again at the same amount: it waits for a clinician's check again, not for the
    # PHB lead.
    services.propose_budget(actor=care_coordinator, budget=reload(not_supported))
    assert waiting(clinician) == {str(not_supported.pk): "waiting for a clinical check"}
    assert str(not_supported.pk) not in waiting(phb_lead)


def test_finance_sees_budgets_waiting_for_a_schedule(finance_officer, paid_budget):
    assert waiting(finance_officer) == {
        str(paid_budget.pk): "agreed: waiting for a payment schedule"
    }


def test_a_budget_whose_period_is_over_waits_to_be_ended(phb_lead, paid_budget, today_is):
    today_is(datetime.date(2027, 4, 1))
    assert waiting(phb_lead) == {str(paid_budget.pk): "its period is over: waiting to be ended"}


def test_the_queues_take_the_same_queries_however_many_budgets_wait(
    client, phb_lead, care_coordinator, holder, other_holder, ras, ras_2027
):
    from tests.budgets.factories import ras_assessment

    proposed_budget(care_coordinator, holder, ras)
    client.force_login(phb_lead)
    client.get(reverse("caseload"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("caseload"))
    other_ras = ras_assessment(phb_lead, other_holder, ras.questionnaire)
    other_ras_2027 = ras_assessment(
        phb_lead, other_holder, ras_2027.questionnaire, effective_date=FY_2027_START
    )
    for calculation, start, end in (
        (other_ras, FY_2026_START, FY_2026_END),
        (other_ras_2027, FY_2027_START, FY_2027_END),
    ):
        proposed_budget(care_coordinator, other_holder, calculation, start=start, end=end)
    proposed_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    with CaptureQueriesContext(connection) as many:
        html = page(client.get(reverse("caseload")))
    assert html.count("waiting to be agreed") == 4
    assert len(many) == len(one)


# ---------------------------------------------------------------------------------------------
# The comparison page
# ---------------------------------------------------------------------------------------------


def test_the_comparison_says_which_is_highest_and_where_the_pa_costing_falls(
    client, phb_lead, holder, ras, chc
):
    pa_costing(phb_lead, holder)
    client.force_login(phb_lead)
    html = page(client.get(reverse("budgets:person", args=[holder.pk])))
    # RAS £8,308.72, CHC cap £117,793.00, PA costing £25,370.98 a year:
    #   £117,793.00 - £8,308.72 = £109,484.28; £117,793.00 - £25,370.98 = £92,422.02;
    #   £25,370.98 - £8,308.72 = £17,062.26.
    for sentence in (
        "The CHC cost cap is the highest, at £117,793.00 a year.",
        "The resource allocation is £109,484.28 less, at £8,308.72 a year.",
        "The PA costing is £92,422.02 less, at £25,370.98 a year.",
        "The costed package of PAs, £25,370.98 a year, is within the CHC cost cap of "
        "£117,793.00 (£92,422.02 less).",
        "The costed package of PAs, £25,370.98 a year, is £17,062.26 more than the RAS "
        "indicative amount of £8,308.72: a budget of that much based on the resource "
        "allocation needs a clinical justification and a clinician's check.",
        "If you choose it: The indicative amount would be £8,308.72 a year (in proportion for "
        "part of a year). The budget can be up to that without a clinical check; above it needs "
        "a clinical justification and a clinician's check.",
        "If you choose it: The cap would be £117,793.00 a year",
        "If you choose it: The indicative amount would be the cost of employing the PAs, "
        "£25,370.98 a year (in proportion to the days of part of a year, but any Employment "
        "Allowance is set against the employer's National Insurance of the budget's days).",
    ):
        assert sentence in html, sentence
    table = html[html.index("The calculations side by side") :]
    assert re.search(r"CHC cost cap.*?£117,793\.00.*?Highest", table, re.S)
    assert re.search(r"PA costing.*?£25,370\.98.*?£92,422\.02 less", table, re.S)


def test_the_actions_come_before_the_long_tables(client, phb_lead, holder, ras, chc):
    draft_budget(phb_lead, holder, ras)
    client.force_login(phb_lead)
    html = page(client.get(reverse("budgets:person", args=[holder.pk])))
    first_table = html.index("<table")
    assert html.index("Set up a budget") < first_table
    assert html.index("Work it out again") < first_table


def test_one_calculation_is_not_compared_with_nothing(client, phb_lead, holder, ras):
    client.force_login(phb_lead)
    html = page(client.get(reverse("budgets:person", args=[holder.pk])))
    assert (
        "Only the resource allocation has been worked out, so there is nothing to compare it "
        "with yet." in html
    )
    assert "is the highest" not in html


def test_the_set_up_form_data_still_posts(client, phb_lead, holder, ras):
    # The helpers imported from test_pages still describe the form as the page draws it.
    client.force_login(phb_lead)
    data = budget_form_data(ras, amount="8308.72") | management("streams", 4, initial=1)
    data |= date_fields("period_end", FY_2026_END)
    assert client.post(reverse("budgets:budget_new", args=[holder.pk]), data).status_code == 302


def test_a_draft_the_clinician_did_not_support_waits_for_changes(
    phb_lead, care_coordinator, clinician, holder, ras
):
    budget = draft_budget(
        care_coordinator, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION
    )
    services.record_clinical_check(actor=clinician, budget=budget, supported=False, notes="No.")
    expected = {
        str(budget.pk): "the clinician did not support it: waiting for changes to the draft"
    }
    assert waiting(care_coordinator) == expected
    assert waiting(phb_lead) == expected
    assert waiting(clinician) == {}


def test_the_queues_read_the_icbs_budgets_through_its_indexes(
    phb_lead, clinician, finance_officer, care_coordinator, paid_budget
):
    """Issue 12 (ADR 0030): the panel reads the ICB's budgets through the indexes that start
    with the ICB (budgets 0016), never a scan of every budget in the country or of every person
    in the ICB. On a few rows the planner may take any index, so, in this test's transaction
    (rolled back), every index but those two and the primary key's is dropped, sequential
    scans are priced out and the table is priced at national size: each query on budgets_budget
    must use one of them."""
    plans = []
    for user in (phb_lead, clinician, finance_officer, care_coordinator):
        with CaptureQueriesContext(connection) as queries:
            waiting(user)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = 'budgets_budget'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "AND i.relname NOT IN ('budget_by_icb_and_status', 'budget_live_by_icb_and_end')"
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{index}"')
            # And the unique and exclusion constraints' indexes (the planner took the periods'
            # exclusion index once, filtering every row): only the primary key's remains.
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'budgets_budget'::regclass "
                "AND contype IN ('u', 'x')"
            )
            for (constraint,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE budgets_budget DROP CONSTRAINT "{constraint}"')
            # On a handful of rows the primary key's index still ties with ours (it gives the
            # GROUP BY its order for free), and CI once took it. Price the table as national
            # (250,000 rows in its pages), as the benchmark's data is: reading every budget
            # through the primary key then costs what it would.
            cursor.execute(
                "UPDATE pg_class SET reltuples = 250000, relpages = 1 "
                "WHERE oid = 'budgets_budget'::regclass"
            )
            for query in queries.captured_queries:
                sql = query["sql"]
                if not re.match(r'SELECT .*? FROM "budgets_budget"', sql, re.S):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) >= 4
    for plan in plans:
        assert "Seq Scan on budgets_budget " not in plan, plan
        assert "on phb_budgetholder " not in plan or "phb_budgetholder_pkey" in plan, plan
        assert "budget_by_icb_and_status" in plan or "budget_live_by_icb_and_end" in plan, plan


def test_a_budget_carries_its_persons_icb_kept_by_the_database(phb_lead, holder, ras, other_icb):
    """Set by the database on every write (the application never sends it), and moved with
    the person if their ICB changes."""
    budget = draft_budget(phb_lead, holder, ras)
    budget.refresh_from_db()
    assert budget.organisation_id == holder.organisation_id
    budget.save()  # the instance in hand says nothing else: still the person's ICB
    budget.refresh_from_db()
    assert budget.organisation_id == holder.organisation_id
    type(holder).objects.filter(pk=holder.pk).update(organisation=other_icb)
    budget.refresh_from_db()
    assert budget.organisation_id == other_icb.pk


def test_the_current_budget_is_one_light_query_live_before_being_set_up(
    phb_lead, holder, chc, paid_budget, django_assert_num_queries, chc_2027
):
    """Issue 12: the record's budget section reads one budget with what it shows, not the
    whole budget history; a live budget comes before next year's being set up."""
    draft_budget(phb_lead, holder, chc_2027, start=FY_2027_START, end=FY_2027_END)
    with django_assert_num_queries(1):
        budget = selectors.current_budget(holder)
        shown = (budget.pk, budget.status, budget.agreed_amount, budget.period_start)
    assert shown == (paid_budget.pk, BudgetStatus.AGREED, D("20000.01"), FY_2026_START)


def test_without_a_live_budget_the_current_one_is_the_latest_being_set_up(phb_lead, holder, chc):
    assert selectors.current_budget(holder) is None
    draft = draft_budget(phb_lead, holder, chc)
    assert selectors.current_budget(holder).pk == draft.pk
