from allauth.account import forms as account_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.utils import is_mfa_enabled
from django.core import validators
from django.core.exceptions import ValidationError

from phb.forms import NHSFormMixin

EMAIL_LENGTH = 254


def taken_by_someone_else(email: str, user) -> bool:
    """Whether another account signs in with `email`, or has added it to theirs."""
    from allauth.account.models import EmailAddress

    from phb.models import User

    return (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists()
    )


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by PHB teams, never by signing up; messages in plain English."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "The email address or password is not right. Check them and try again."
        ),
        "too_many_login_attempts": (
            "There have been too many attempts to sign in to this account. "
            "Wait 5 minutes, then try again, or reset your password."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False


class PlainWordsMFAAdapter(DefaultMFAAdapter):
    """Two-step sign-in's messages in the service's words ("Incorrect code." is not a
    sentence that says what to do)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": (
            "Your account is protected by two-step sign-in, so an email address cannot be "
            "added here. If you need to sign in with another address, ask your ICB's "
            "administrator."
        ),
        "cannot_delete_authenticator": (
            "Staff must use two-step sign-in, so you cannot turn it off"
        ),
        "cannot_generate_recovery_codes": (
            "Set up two-step sign-in before you make recovery codes"
        ),
        "incorrect_code": (
            "The security code is not right. Enter the 6-digit code your authenticator app "
            "shows now"
        ),
        "unverified_email": ("Confirm your email address before you set up two-step sign-in"),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        """Staff and service administrators must keep their second factor (allauth lets
        anyone delete theirs). Someone else who chose one, a budget holder say, may turn
        it off."""
        return not authenticator.user.needs_second_factor


# allauth's forms with the service's labels and NHS.UK error messages (`ACCOUNT_FORMS` and
# `MFA_FORMS` in settings). The templates name the fields the same way.


class _NHSAuthForm(NHSFormMixin):
    labels: dict[str, str] = {}
    required: dict[str, str] = {}
    # allauth's security code box has no length limit: a code is 6 digits.
    limits: dict[str, int] = {"code": 20}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, length in self.limits.items():
            field = self.fields.get(name)
            if field is not None and not getattr(field, "max_length", None):
                field.max_length = length
                field.validators.append(validators.MaxLengthValidator(length))
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
        for name, message in self.required.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message


_NEW_PASSWORD = {"password1": "New password", "password2": "New password again"}
_NEW_PASSWORD_REQUIRED = {
    "password1": "Enter a new password",
    "password2": "Enter the new password again",
}


class LoginForm(_NHSAuthForm, account_forms.LoginForm):
    labels = {"login": "Email address", "password": "Password"}
    required = {"login": "Enter your email address", "password": "Enter your password"}


class ResetPasswordForm(_NHSAuthForm, account_forms.ResetPasswordForm):
    labels = {"email": "Email address"}
    required = {"email": "Enter your email address"}


class ResetPasswordKeyForm(_NHSAuthForm, account_forms.ResetPasswordKeyForm):
    labels = _NEW_PASSWORD
    required = _NEW_PASSWORD_REQUIRED


class ChangePasswordForm(_NHSAuthForm, account_forms.ChangePasswordForm):
    labels = {"oldpassword": "Current password", **_NEW_PASSWORD}
    required = {"oldpassword": "Enter your current password", **_NEW_PASSWORD_REQUIRED}


class SetPasswordForm(_NHSAuthForm, account_forms.SetPasswordForm):
    labels = _NEW_PASSWORD
    required = _NEW_PASSWORD_REQUIRED


class ReauthenticateForm(_NHSAuthForm, account_forms.ReauthenticateForm):
    labels = {"password": "Password"}
    required = {"password": "Enter your password"}


class AddEmailForm(_NHSAuthForm, account_forms.AddEmailForm):
    labels = {"email": "Email address"}
    required = {"email": "Enter the email address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth refuses an address added to an account with two-step sign-in: the page
        # says so instead of offering a form that cannot work.
        self.blocked_by_two_step = self.user is not None and is_mfa_enabled(self.user)
        # allauth allows 320 characters; a sign-in address is stored in 254.
        field = self.fields["email"]
        field.max_length = EMAIL_LENGTH
        field.validators.append(validators.MaxLengthValidator(EMAIL_LENGTH))

    def clean_email(self) -> str:
        # allauth lets another account's address through (so as not to say it is one), and
        # making it the sign-in address then fails half way, or signs the wrong person in.
        # Each person signs in with their own address.
        typed = self.cleaned_data["email"].strip()
        if typed and taken_by_someone_else(typed, self.user):
            raise ValidationError(
                "This email address is someone else's sign-in. Use an email address of your own"
            )
        return super().clean_email()


class MFAAuthenticateForm(_NHSAuthForm, mfa_forms.AuthenticateForm):
    labels = {"code": "Security code"}
    required = {"code": "Enter your security code"}


class MFAReauthenticateForm(_NHSAuthForm, mfa_forms.ReauthenticateForm):
    labels = {"code": "Security code"}
    required = {"code": "Enter your security code"}


class ActivateTOTPForm(_NHSAuthForm, totp_forms.ActivateTOTPForm):
    labels = {"code": "Security code"}
    required = {"code": "Enter the security code from your authenticator app"}


def email_proved_by_password_reset(sender, request, user, **kwargs) -> None:
    """Setting a password from the emailed link proves the address is theirs: mark it
    verified. A new member of staff is then taken straight on to set up their authenticator
    app (allauth asks for a verified address first) instead of being stuck on a page to
    verify it again."""
    mark_sign_in_address_verified(user)


def mark_sign_in_address_verified(user) -> None:
    """The user's sign-in address, known to be theirs: verified, and their main one unless
    they have chosen another."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    else:
        address.verified = True
        # Their sign-in address is their main one unless they have chosen another.
        address.primary = address.primary or not (
            EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).exists()
        )
        address.save(update_fields=["verified", "primary"])
