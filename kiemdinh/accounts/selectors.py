"""Reads of accounts: the roles a user administers, and the one-time link that lets an account's holder set its
password (Django's token: it stops working once the password is set, or after PASSWORD_RESET_TIMEOUT)."""

from functools import reduce
from operator import or_

from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kiemdinh.accounts.access import SCHOOL_ROLES_A_PRINCIPAL_GIVES, user_scope
from kiemdinh.accounts.models import Membership, Role, User


def managed_memberships(user):
    """The roles the user may end or change (accounts.access.may_grant, as a query): an officer's officers in their
    unit and below and the principals of the schools below; a principal's school roles below theirs; everything for
    an admin. Active ones first, then by place and name (1 query to list)."""
    scope = user_scope(user)
    rows = Membership.objects.select_related("user", "unit", "school__unit")
    if not scope.is_admin:
        parts = [Q(role=Role.OFFICER, unit__path__startswith=p) for p in scope.unit_paths]
        parts += [Q(role=Role.PRINCIPAL, school__unit__path__startswith=p) for p in scope.unit_paths]
        headed = [sid for sid, roles in scope.school_roles.items() if Role.PRINCIPAL in roles]
        if headed:
            parts.append(Q(role__in=SCHOOL_ROLES_A_PRINCIPAL_GIVES, school_id__in=headed))
        if not parts:
            return Membership.objects.none()
        rows = rows.filter(reduce(or_, parts))
    return rows.exclude(role=Role.ADMIN).order_by("-is_active", "unit__path", "school__name", "user__full_name")


def invitation_path(user: User) -> str:
    """The path of the page where the holder sets the password, valid once."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
