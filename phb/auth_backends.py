"""Signing in, without Django's model permissions.

Every permission in the product is a `rules` predicate (phb/permissions.py). Django's
ModelBackend, which allauth's backend extends, also answers `has_perm` from the
auth_permission and group tables: whenever a rule said no (the ICB switcher on every page, for
one), it queried both tables, on every request (issue 12). Nothing grants model permissions
here, so this backend signs people in as allauth does and answers every permission question
with no, without reading the database. A superuser still has every permission (Django's
`User.has_perm` says so before asking a backend).
"""

from allauth.account.auth_backends import AuthenticationBackend


class SignInBackend(AuthenticationBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
