"""Sign-ins for people to see their own records: the budget holder's, a representative's or
nominee's (added and ended), and a PA's. Each is found by, or made for, the person's own email
address, never a member of staff's."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from employers.services.employers import give_assistant_sign_in
from phb import services
from phb.models import Representative
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory, HolderUserFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def person(icb):
    return BudgetHolderFactory(organisation=icb, given_name="Robin", user=None)


def test_a_person_is_given_a_sign_in_and_emailed_a_link_to_set_a_password(
    client, phb_lead, person, django_capture_on_commit_callbacks
):
    client.force_login(phb_lead)
    url = reverse("person_sign_in", args=[person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": " Robin.Sign@Example.org "})
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    person.refresh_from_db()
    assert person.user.email == "robin.sign@example.org"
    assert not person.user.has_usable_password()
    (email,) = mail.outbox
    assert email.to == ["robin.sign@example.org"]
    # They see their own budget page, and the record says how they sign in.
    client.force_login(person.user)
    assert client.get(reverse("holder_home")).status_code == 200
    client.force_login(phb_lead)
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Robin signs in with robin.sign@example.org" in page
    # A second tab is told, and changes nothing.
    response = client.post(url, {"email": "other@example.org"})
    assert "already has a sign-in (robin.sign@example.org). Nothing was changed." in (
        response.content.decode()
    )


def test_a_staff_sign_in_or_another_persons_is_refused(phb_lead, person, icb, holder):
    """Another holder's, a PA's or a representative's sign-in is someone else's: reusing it
    would show them this person's record."""
    pa_user = PaUserFactory(full_name="Dana Brooks")
    acts_for = RepresentativeFactory(budget_holder=holder).user
    for email, message in (
        (phb_lead.email, "is a member of staff's sign-in: use the person's own email address"),
        (holder.user.email, "is already someone else's sign-in: each person signs in"),
        (
            pa_user.email.upper(),
            "is already someone else's sign-in: each person "
            "signs in with their own email address. Nothing was changed.",
        ),
        (acts_for.email, "is already someone else's sign-in"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.give_holder_sign_in(actor=phb_lead, budget_holder=person, email=email)
        assert message in excinfo.value.message_dict["email"][0]
        # Whose sign-in it is is not said: they may be another ICB's.
        assert "Dana Brooks" not in excinfo.value.message_dict["email"][0]
        assert holder.user.full_name not in excinfo.value.message_dict["email"][0]
    person.refresh_from_db()
    assert person.user is None


def test_only_staff_who_may_change_the_record_give_sign_ins(client, clinician, person):
    client.force_login(clinician)
    assert client.get(reverse("person_sign_in", args=[person.pk])).status_code == 404
    assert client.post(reverse("representative_add", args=[person.pk])).status_code == 404


def representative_data(**changes) -> dict:
    return {
        "full_name": "Sam Sign",
        "email": "sam.sign@example.org",
        "kind": "nominee",
        "relationship": "Brother",
        "agreed_on_day": "1",
        "agreed_on_month": "11",
        "agreed_on_year": "2026",
    } | changes


def test_a_nominee_is_added_sees_the_persons_page_and_stops_when_ended(
    client, phb_lead, person, django_capture_on_commit_callbacks
):
    client.force_login(phb_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("representative_add", args=[person.pk]), representative_data()
        )
    assert response.status_code == 302
    representative = Representative.objects.get(budget_holder=person)
    assert (representative.kind, representative.agreed_on) == (
        "nominee",
        datetime.date(2026, 11, 1),
    )
    assert mail.outbox[0].to == ["sam.sign@example.org"]
    sam = representative.user
    client.force_login(sam)
    own_page = reverse("holder_home_for", args=[person.pk])
    assert client.get(own_page).status_code == 200
    client.force_login(phb_lead)
    end = reverse("representative_end", args=[representative.pk])
    response = client.post(
        end, {"ended_on_day": "23", "ended_on_month": "11", "ended_on_year": "2026"}
    )
    assert response.status_code == 302
    client.force_login(sam)
    assert client.get(own_page).status_code == 404
    client.force_login(phb_lead)
    again = client.post(
        end, {"ended_on_day": "23", "ended_on_month": "11", "ended_on_year": "2026"}
    )
    assert "already stops acting for Robin on 23 November 2026. Nothing was changed." in (
        again.content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter their full name"),
        ({"full_name": "\u200b"}, "full_name", "Enter their full name"),
        ({"relationship": "\u200b\u200d"}, "relationship", "Say how they know the person"),
        ({"kind": "boss"}, "kind", "Choose whether they are a representative or a nominee"),
        ({"relationship": " "}, "relationship", "Say how they know the person"),
        (
            {"agreed_on_year": "2027"},
            "agreed_on",
            "The date they agreed to act must be today or in the past",
        ),
        ({"email": "x" * 300}, "email", "Email address must be 254 characters or fewer"),
    ],
)
def test_a_representative_with_bad_details_is_refused_in_words(
    client, phb_lead, person, changes, field, message
):
    client.force_login(phb_lead)
    response = client.post(
        reverse("representative_add", args=[person.pk]), representative_data(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Representative.objects.filter(budget_holder=person).exists()


def test_the_persons_own_sign_in_cannot_act_for_them(phb_lead, icb):
    person = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
    with pytest.raises(ValidationError) as excinfo:
        services.add_representative(
            actor=phb_lead,
            budget_holder=person,
            full_name="Themself",
            email=person.user.email,
            kind="nominee",
            relationship="Self",
            agreed_on=TODAY,
        )
    assert "own sign-in: use theirs" in excinfo.value.message_dict["email"][0]


def test_a_pa_is_given_a_sign_in_and_starts_at_their_work(
    client, pa_employer_support, icb, django_capture_on_commit_callbacks
):
    employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(organisation=icb), created_by=pa_employer_support
    )
    pa = PersonalAssistantFactory(employer=employer, full_name="Kit Worker", email="")
    client.force_login(pa_employer_support)
    url = reverse("employers:pa_sign_in", args=[pa.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "kit.worker@example.org"})
    assert response["Location"] == reverse("employers:pa", args=[pa.pk])
    pa.refresh_from_db()
    assert pa.user.email == "kit.worker@example.org"
    assert mail.outbox[0].to == ["kit.worker@example.org"]
    client.force_login(pa.user)
    assert client.get(reverse("home"))["Location"] == reverse("employers:my_work")
    # Once they have one, the page says so and goes back to the PA.
    client.force_login(pa_employer_support)
    assert client.get(url)["Location"] == reverse("employers:pa", args=[pa.pk])


def test_one_sign_in_acts_for_two_people_but_a_pa_or_holder_account_is_not_reused(
    phb_lead, icb, holder
):
    first, second = (BudgetHolderFactory(organisation=icb) for _ in range(2))
    details = {
        "full_name": "Jo Helper",
        "email": "jo.helper@example.org",
        "kind": "representative",
        "relationship": "Daughter",
        "agreed_on": TODAY,
    }
    one, created = services.add_representative(actor=phb_lead, budget_holder=first, **details)
    two, created_again = services.add_representative(
        actor=phb_lead, budget_holder=second, **details
    )
    assert created and not created_again and one.user == two.user
    # The same address under another name is a mistake, and the name it has is not said.
    third = BudgetHolderFactory(organisation=icb)
    with pytest.raises(ValidationError) as excinfo:
        services.add_representative(
            actor=phb_lead, budget_holder=third, **(details | {"full_name": "Robert Different"})
        )
    assert excinfo.value.message_dict == {
        "full_name": [
            "The sign-in for jo.helper@example.org is in another name. Check their full name "
            "and email address with them. Nothing was changed."
        ]
    }
    assert not third.representatives.exists()
    # Spaces and capitals are not another name.
    services.add_representative(
        actor=phb_lead, budget_holder=third, **(details | {"full_name": " jo  HELPER "})
    )
    for user in (PaUserFactory(), holder.user):
        with pytest.raises(ValidationError) as excinfo:
            services.add_representative(
                actor=phb_lead, budget_holder=first, **(details | {"email": user.email})
            )
        assert "is already someone else's sign-in" in excinfo.value.message_dict["email"][0]


def test_a_pa_with_a_second_employer_keeps_their_sign_in_but_a_holders_is_not_reused(
    pa_employer_support, icb, holder
):
    employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(organisation=icb), created_by=pa_employer_support
    )
    working = PersonalAssistantFactory(employer=employer, user=PaUserFactory())
    other_employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(organisation=icb), created_by=pa_employer_support
    )
    second = PersonalAssistantFactory(employer=other_employer, full_name="Kit Worker", email="")
    user, created = give_assistant_sign_in(
        actor=pa_employer_support, assistant=second, email=working.user.email
    )
    assert (user, created) == (working.user, False)
    third = PersonalAssistantFactory(employer=employer, full_name="Lee Worker", email="")
    with pytest.raises(ValidationError) as excinfo:
        give_assistant_sign_in(actor=pa_employer_support, assistant=third, email=holder.user.email)
    assert "is already someone else's sign-in" in excinfo.value.message_dict["email"][0]


def test_setting_the_password_from_the_emailed_link_proves_the_address(
    client, icb_admin, icb, django_capture_on_commit_callbacks
):
    """A new member of staff follows the link, sets a password and is signed in: their address
    is then verified, so setting up the authenticator app is not held up asking to verify it."""
    from allauth.account.models import EmailAddress

    with django_capture_on_commit_callbacks(execute=True):
        user, created = services.add_staff_member(
            actor=icb_admin,
            organisation=icb,
            email="lee.new@north.example.nhs.uk",
            full_name="Lee New",
            roles=["phb_lead"],
        )
    assert created and not EmailAddress.objects.filter(user=user, verified=True).exists()
    (email,) = mail.outbox
    assert email.subject == "Set your password for Personal health budgets"
    assert email.body.startswith("Use this link to set your password")
    assert "password reset" not in email.body.lower()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", email.body)[1]
    set_password = client.get(link, follow=True)
    assert set_password.status_code == 200
    assert "Set your password" in set_password.content.decode()
    form_url = set_password.redirect_chain[-1][0] if set_password.redirect_chain else link
    response = client.post(
        form_url, {"password1": "a-long-new-Passw0rd-2026", "password2": "a-long-new-Passw0rd-2026"}
    )
    assert response.status_code == 302
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary


def test_an_end_to_come_is_within_a_year_and_can_be_brought_forward_not_put_back(phb_lead, icb):
    person = BudgetHolderFactory(organisation=icb, given_name="Isla")
    representative, _ = services.add_representative(
        actor=phb_lead,
        budget_holder=person,
        full_name="Chris Quint",
        email="chris.quint@example.org",
        kind="representative",
        relationship="Son",
        agreed_on=TODAY,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.end_representative(
            actor=phb_lead, representative=representative, ended_on=datetime.date(2099, 1, 1)
        )
    assert excinfo.value.message_dict == {
        "ended_on": ["The date they stop must be no more than a year from today"]
    }
    in_a_month = TODAY + datetime.timedelta(days=30)
    services.end_representative(actor=phb_lead, representative=representative, ended_on=in_a_month)
    with pytest.raises(ValidationError, match="already stops acting for Isla on"):
        services.end_representative(
            actor=phb_lead,
            representative=representative,
            ended_on=in_a_month + datetime.timedelta(days=1),
        )
    services.end_representative(actor=phb_lead, representative=representative, ended_on=TODAY)
    representative.refresh_from_db()
    assert representative.ended_on == TODAY


def test_a_representatives_postal_address_is_kept_whole_and_heads_their_letters(
    client, phb_lead, person
):
    client.force_login(phb_lead)
    add = reverse("representative_add", args=[person.pk])
    started = client.post(add, representative_data(address_line_1="1 High Street"))
    assert started.status_code == 200
    assert started.context["form"].errors == {
        "town": ["Enter the town or city"],
        "postcode": ["Enter the postcode"],
    }
    assert not Representative.objects.filter(budget_holder=person).exists()
    client.post(
        add,
        representative_data(address_line_1=" 1 High Street ", town="Leeds", postcode="ls14ap"),
    )
    representative = Representative.objects.get(budget_holder=person)
    assert representative.postal_address_lines == ["1 High Street", "Leeds", "LS1 4AP"]
    record = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "1 High Street<br>Leeds<br>LS1 4AP" in record

    top = render_to_string(
        "careplans/letters/_address.html",
        {"addressed_to": "Sam Sign", "representative": representative, "holder": person},
    )
    assert "<p>Sam Sign<br>1 High Street<br>Leeds<br>LS1 4AP</p>" in top
    representative.address_line_1 = representative.town = representative.postcode = ""
    no_address = render_to_string(
        "careplans/letters/_address.html",
        {"addressed_to": "Sam Sign", "representative": representative, "holder": person},
    )
    assert "<p>Sam Sign</p>" in no_address  # never the person's own address under their name


def test_a_representatives_address_changes_until_they_stop_acting(client, phb_lead, person, icb):
    representative = RepresentativeFactory(budget_holder=person)

    def change(line_1="2 Low Road", town="York", postcode="yo1 7hh"):
        services.change_representative_address(
            actor=phb_lead,
            representative=representative,
            address_line_1=line_1,
            address_line_2="",
            town=town,
            postcode=postcode,
        )

    change()
    representative.refresh_from_db()
    assert representative.postal_address_lines == ["2 Low Road", "York", "YO1 7HH"]
    with pytest.raises(ValidationError) as refused:
        change(line_1="")
    assert refused.value.message_dict == {
        "address_line_1": ["Enter address line 1, typically the building and street"]
    }
    with pytest.raises(ValidationError) as refused:
        change(postcode="Y")
    assert refused.value.message_dict == {"postcode": ["Enter a full UK postcode, like LS1 4AP"]}
    services.end_representative(actor=phb_lead, representative=representative, ended_on=TODAY)
    with pytest.raises(ValidationError, match="stopped acting for Robin on 23 November 2026"):
        change(line_1="", town="", postcode="")
    # Their address page says so, and offers no form whose every save would be refused.
    client.force_login(phb_lead)
    html = unescape(
        client.get(reverse("representative_address", args=[representative.pk])).content.decode()
    )
    assert "stopped acting for Robin on 23 November 2026" in html
    assert "acts for Robin." not in html
    assert "Save the address" not in html


D_1_DEC = datetime.date(2026, 12, 1)


def test_someone_who_stopped_acting_can_act_again_from_a_new_agreement(phb_lead, icb, monkeypatch):
    """Jo stopped acting on 23 November 2026; on 1 December she is nominated again. She acts
    again from then, with the same sign-in; the earlier period stays in the history."""
    person = BudgetHolderFactory(organisation=icb)
    details = {
        "full_name": "Jo Helper",
        "email": "jo.helper@example.org",
        "kind": "nominee",
        "relationship": "Daughter",
        "agreed_on": datetime.date(2026, 1, 10),
    }
    first, _ = services.add_representative(actor=phb_lead, budget_holder=person, **details)
    services.end_representative(actor=phb_lead, representative=first, ended_on=TODAY)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D_1_DEC)
    with pytest.raises(ValidationError) as excinfo:
        services.add_representative(
            actor=phb_lead, budget_holder=person, **details | {"agreed_on": TODAY}
        )
    assert excinfo.value.message_dict == {
        "agreed_on": [
            "The date they agreed to act again must be after 23 November 2026, when they last "
            "stopped acting"
        ]
    }
    again, created = services.add_representative(
        actor=phb_lead,
        budget_holder=person,
        **details | {"kind": "representative", "agreed_on": datetime.date(2026, 12, 1)},
    )
    assert (again.pk, created) == (first.pk, False)
    again.refresh_from_db()
    assert (again.kind, again.agreed_on, again.ended_on) == (
        "representative",
        datetime.date(2026, 12, 1),
        None,
    )
    assert person.representatives.current().count() == 1
