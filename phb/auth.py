from allauth.account.adapter import DefaultAccountAdapter


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
