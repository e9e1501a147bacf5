import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from kiemdinh.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2():
    # The autouse fixture swaps in MD5 for speed; the configured list is read from the settings module itself.
    import config.settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_login_page_is_vietnamese(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập" in body and "Tên đăng nhập" in body and "Mật khẩu" in body


def test_login_and_logout(client, world):
    response = client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert "Trường Tiểu học An Bình" in client.get("/").content.decode()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_message(client, world):
    response = client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": "sai"})
    response = client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session
