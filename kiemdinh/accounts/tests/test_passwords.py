"""Password change and reset by e-mail (issue #21): the password rules hold on both paths, a reset says nothing about
which addresses exist, the link works once, every change is audited."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.testing.world import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Mat-khau-moi-2026!"


def _sign_in(client, username, password) -> bool:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code == 302


def test_change_checks_the_old_password_and_the_rules(world, client):
    assert _sign_in(client, "hieutruong_a", PASSWORD)
    url = reverse("accounts:password_change")
    page = client.get(url)
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    wrong = client.post(url, {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert (wrong.status_code == 200 and "errorlist" in wrong.content.decode()) or "error" in wrong.content.decode()
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and 'class="errorlist"' in weak.content.decode()
    assert not AuditEvent.objects.filter(event_type="user.password_changed").exists()
    done = client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_change_done")
    assert AuditEvent.objects.get(event_type="user.password_changed").data == {"reset": False}
    client.logout()
    assert not _sign_in(client, "hieutruong_a", PASSWORD)
    assert _sign_in(client, "hieutruong_a", NEW)


def test_change_needs_a_signed_in_user(client):
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(reverse("accounts:login"))


def test_reset_by_email_says_the_same_for_unknown_addresses_and_the_link_works_once(world, client):
    world.principal_a.email = "an.nguyen@example.vn"
    world.principal_a.save()
    url = reverse("accounts:password_reset")
    assert "Quên mật khẩu" in client.get(url).content.decode()
    unknown = client.post(url, {"email": "khong.co@example.vn"})
    known = client.post(url, {"email": "AN.NGUYEN@example.vn"})
    assert unknown["Location"] == known["Location"] == reverse("accounts:password_reset_done")
    (letter,) = mail.outbox
    assert letter.to == ["an.nguyen@example.vn"] and "hieutruong_a" in letter.body
    assert letter.subject == "Đặt mật khẩu tài khoản Kiểm định"
    path = re.search(r"(/tai-khoan/dat-mat-khau/[^/\s]+/[^/\s]+/)", letter.body).group(1)
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "hieutruong_a", "new_password2": "hieutruong_a"})
    assert weak.status_code == 200  # too like the username: the rules hold here too
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert AuditEvent.objects.get(event_type="user.password_changed").data == {"reset": True}
    assert _sign_in(client, "hieutruong_a", NEW)
    client.logout()
    assert "không còn dùng được" in client.get(path, follow=True).content.decode()
