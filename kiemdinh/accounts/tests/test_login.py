import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from kiemdinh.testing.world import PASSWORD

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
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
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


# --- Sessions and the signed-in user are never kept by an app server ----------------------------------------------


def _signed_in_copy(client):
    """Another browser holding the same session cookie (a stolen or copied cookie)."""
    from django.test import Client

    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return other


def test_sessions_live_in_the_database_or_the_shared_cache_never_in_a_process():
    """The session engine is the database, or the database read through the shared Redis cache; never files or one
    process's memory, which another app server could not see."""
    engine = django_settings.SESSION_ENGINE
    backend = django_settings.CACHES[django_settings.SESSION_CACHE_ALIAS]["BACKEND"]
    if django_settings.REDIS_URL:
        assert engine == "django.contrib.sessions.backends.cached_db"
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert engine == "django.contrib.sessions.backends.db"


def test_a_signed_out_session_is_refused_everywhere(client, world):
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    copy = _signed_in_copy(client)
    assert copy.get("/").status_code == 200
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # the database is the record
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert caches[django_settings.SESSION_CACHE_ALIAS].get("django.contrib.sessions.cached_db" + key) is None
    assert copy.get("/").status_code == 302  # the copied cookie no longer signs anyone in


def test_the_signed_in_user_is_read_on_every_request(client, world):
    """No memo of the user between requests: a change made outside any request (a bulk update, another server)
    applies to the very next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiemdinh.accounts.models import User

    client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    # Deactivated by a bulk update (no signal, no save()): the next request is no longer signed in.
    User.objects.filter(username="hieutruong_a").update(is_active=False)
    assert client.get("/").status_code == 302


def test_a_new_password_ends_the_other_sessions_at_once(client, world):
    from kiemdinh.accounts.models import User

    client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    copy = _signed_in_copy(client)
    assert copy.get("/").status_code == 200
    user = User.objects.get(username="hieutruong_a")
    user.set_password("mat-khau-moi-2026")
    user.save()
    assert copy.get("/").status_code == 302
