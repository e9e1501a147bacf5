"""Signing in with a username and password, as Django's ModelBackend does. Kept as its own class because every stored
session names the backend that signed it in (a renamed backend would sign everybody out)."""

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """The signed-in user of each request is read from the database (one query by primary key): never kept between
    requests, so a deactivation or a password change takes effect on the next request on every server."""
