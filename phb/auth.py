from allauth.account.adapter import DefaultAccountAdapter


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by PHB teams, never by signing up."""

    def is_open_for_signup(self, request) -> bool:
        return False
