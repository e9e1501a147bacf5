"""Users and roles are in Django's admin site for the system admin (issue #21)."""

import pytest
from django.urls import reverse

from kiemdinh.accounts.models import Membership

pytestmark = pytest.mark.django_db


def test_the_admin_lists_users_with_their_roles(world, admin_client):
    page = admin_client.get(reverse("admin:accounts_user_change", args=[world.principal_a.pk])).content.decode()
    assert "hieutruong_a" in page and "Hiệu trưởng" in page
    assert admin_client.get(reverse("admin:accounts_membership_changelist")).status_code == 200
    assert Membership.objects.filter(user=world.principal_a).exists()


def test_others_are_kept_out(world, client):
    client.force_login(world.officer_province)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302
