"""A user with roles in several places picks the one they act for (issue #21): the scope is then that role's alone,
every page's header names it, and a role that is not theirs is refused."""

import pytest
from django.urls import reverse

from kiemdinh.accounts.models import Role
from kiemdinh.accounts.services import membership_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_roles(world):
    """Principal B is also an officer of commune A."""
    officer = membership_grant(actor=None, user=world.principal_b, role=Role.OFFICER, unit=world.school_a.unit)
    principal = world.principal_b.memberships.get(role=Role.PRINCIPAL)
    return officer, principal


def test_acting_as_one_role_narrows_what_opens(world, client, two_roles):
    officer, principal = two_roles
    client.force_login(world.principal_b)
    school_a_page = reverse("workspace:school", args=[world.school_a.pk])
    home = client.get(reverse("workspace:home")).content.decode()
    assert 'data-testid="acting-role"' in home and "Tất cả vai trò" in home
    assert client.get(school_a_page).status_code == 200  # all roles together: the officer's commune A

    response = client.post(reverse("accounts:act_as"), {"vai_tro": str(principal.pk)}, follow=True)
    assert f'value="{principal.pk}" selected' in response.content.decode()
    assert client.get(school_a_page).status_code in (403, 404)  # as school B's principal only
    assert "UBND) — Xã An Bình</option>" in client.get(reverse("frameworks:list")).content.decode()  # every page

    client.post(reverse("accounts:act_as"), {"vai_tro": str(officer.pk)})
    assert client.get(school_a_page).status_code == 200
    client.post(reverse("accounts:act_as"), {"vai_tro": ""})
    assert client.get(school_a_page).status_code == 200


def test_a_role_that_is_not_theirs_is_refused(world, client, two_roles):
    client.force_login(world.principal_b)
    other = world.principal_a.memberships.get()
    response = client.post(reverse("accounts:act_as"), {"vai_tro": str(other.pk)}, follow=True)
    assert "không còn là của tài khoản này" in response.content.decode()
    assert client.get(reverse("workspace:school", args=[world.school_a.pk])).status_code == 200  # unchanged: all


def test_one_role_is_shown_without_a_picker(world, client):
    client.force_login(world.principal_a)
    home = client.get(reverse("workspace:home")).content.decode()
    assert "Hiệu trưởng — Trường Tiểu học An Bình" in home and 'name="vai_tro"' not in home
