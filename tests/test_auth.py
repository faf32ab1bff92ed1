"""Sign-in: closed sign-up, a second factor for staff, per-account throttling."""

from html import unescape

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from phb.models import User
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-long-enough-password"},
    )
    assert not User.objects.filter(email="new@example.org").exists()


def test_staff_without_a_second_factor_must_set_one_up(client, icb, password):
    user = UserFactory(organisation=icb)
    sign_in(client, user.email, password)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@override_settings(PHB_DEMO_MODE=True)
def test_demo_mode_relaxes_the_second_factor_for_demo_users_only(client, icb, password):
    demo = UserFactory(organisation=icb, is_demo=True)
    real = UserFactory(organisation=icb)
    client.force_login(demo)
    assert client.get(reverse("caseload")).status_code == 200
    client.force_login(real)
    assert client.get(reverse("caseload")).status_code == 302


def test_demo_users_need_a_second_factor_outside_demo_mode(client, icb):
    client.force_login(UserFactory(organisation=icb, is_demo=True))
    assert client.get(reverse("caseload")).status_code == 302


def test_staff_with_totp_sign_in_with_a_code(client, icb, password):
    user = UserFactory(organisation=icb)
    secret = add_totp(user)
    response = sign_in(client, user.email, password)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("caseload")).status_code == 200


def test_a_wrong_totp_code_is_refused(client, icb, password):
    user = UserFactory(organisation=icb)
    secret = add_totp(user)
    sign_in(client, user.email, password)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "The security code is not right" in response.content.decode()
    assert client.get(reverse("caseload")).status_code == 302


def test_a_reused_totp_code_is_refused(client, icb, password):
    user = UserFactory(organisation=icb)
    secret = add_totp(user)
    code = totp_code(secret)
    sign_in(client, user.email, password)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))
    sign_in(client, user.email, password)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "The security code is not right" in response.content.decode()


def test_budget_holders_do_not_need_a_second_factor(client, holder, password):
    sign_in(client, holder.user.email, password)
    assert client.get(reverse("holder_home")).status_code == 200


def test_failed_sign_ins_lock_that_account_not_everyone_on_the_network(client, icb, password):
    target = UserFactory(organisation=icb)
    colleague = UserFactory(organisation=icb)
    add_totp(colleague)
    for _ in range(5):
        sign_in(client, target.email, "wrong password")
    response = sign_in(client, target.email, password)
    assert response.status_code in (200, 429)
    assert "too many attempts to sign in to this account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A colleague behind the same address can still sign in.
    response = sign_in(client, colleague.email, password)
    assert response["Location"] == reverse("mfa_authenticate")


def _signed_in_with_a_code(client, user, password):
    """Signed in with password and security code, and the password given again just now, as
    allauth asks before a change to how they sign in."""
    secret = add_totp(user)
    sign_in(client, user.email, password)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def test_staff_cannot_turn_off_two_step_sign_in(client, icb, password):
    from allauth.mfa.models import Authenticator

    user = UserFactory(organisation=icb)
    _signed_in_with_a_code(client, user, password)
    index = unescape(client.get(reverse("mfa_index")).content.decode())
    assert "Staff must use two-step sign-in, so it cannot be turned off." in index
    assert reverse("mfa_deactivate_totp") not in index
    url = reverse("mfa_deactivate_totp")
    page = unescape(client.get(url).content.decode())
    assert "Staff must use two-step sign-in, so you cannot turn it off" in page
    assert "<button" not in page.split("<main", 1)[1]
    response = client.post(url)
    assert response.status_code == 200
    assert "Staff must use two-step sign-in, so you cannot turn it off" in unescape(
        response.content.decode()
    )
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_budget_holder_may_turn_off_the_second_factor_they_chose(client, holder, password):
    from allauth.mfa.models import Authenticator

    _signed_in_with_a_code(client, holder.user, password)
    index = unescape(client.get(reverse("mfa_index")).content.decode())
    assert "Turn off two-step sign-in" in index
    response = client.post(reverse("mfa_deactivate_totp"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "Two-step sign-in has been turned off." in unescape(response.content.decode())
    assert not Authenticator.objects.filter(user=holder.user).exists()


def test_password_reset_sends_an_email(client, icb):
    user = UserFactory(organisation=icb)
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to


def test_the_reset_page_says_who_is_signed_in_in_the_services_words(client, holder):
    client.force_login(holder.user)
    html = unescape(client.get(reverse("account_reset_password")).content.decode())
    assert f"You are signed in as {holder.user.full_name}." in html
    assert "logged in" not in html


def test_a_wrong_password_is_explained_in_plain_english(client, icb):
    user = UserFactory(organisation=icb)
    response = sign_in(client, user.email, "not the password")
    assert "The email address or password is not right" in response.content.decode()


def test_a_permission_refused_by_the_rules_reads_nothing_from_the_database(
    icb, django_assert_num_queries
):
    """Issue 12: no ModelBackend behind the rules, so asking about a permission the rules
    refuse (the ICB switcher, on every page) costs no auth_permission or group queries."""
    from phb.permissions import Permission

    user = UserFactory(organisation=icb)
    assert not user.has_perm(Permission.SWITCH_ICB)  # the rule's own query, if any, and no more
    with django_assert_num_queries(0):
        assert not user.has_perm(Permission.SWITCH_ICB)
        assert not user.has_perm("auth.view_user")
        assert not user.has_module_perms("auth")
        assert user.get_all_permissions() == set()
    superuser = UserFactory(organisation=icb, is_superuser=True)
    assert superuser.has_perm("auth.view_user")


def test_signing_in_still_works_through_the_sign_in_backend(client, icb, password):
    user = UserFactory(organisation=icb)
    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert client.session.get("_auth_user_backend") in (None, "phb.auth_backends.SignInBackend")
