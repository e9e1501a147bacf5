"""Signing in with a username and password, as Django's ModelBackend does; the signed-in user of each request is read
through the page cache's memo (kiemdinh.core.page_cache.memoized) instead of from the database every time."""

from django.contrib.auth.backends import ModelBackend

from kiemdinh.core.page_cache import memoized


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        """The user, served again while the users table is unchanged: any write to it (a sign-in's last_login, a new
        password, a deactivation) reads it again, so a password change still ends other sessions at once."""
        return memoized("signed-in user", user_id, compute=lambda: super(AccountBackend, self).get_user(user_id))
