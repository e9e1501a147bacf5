"""Sign-in throttling per address across usernames, and sessions that end after a configurable idle time."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kiemdinh.accounts.middleware import MARKER
from kiemdinh.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client, username, address="10.0.0.7"):
    return client.post(reverse("accounts:login"), {"username": username, "password": "sai"}, REMOTE_ADDR=address)


def test_twenty_usernames_from_one_address_lock_the_address(client, world):
    limit = django_settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit == 20  # KIEMDINH_LOGIN_ADDRESS_FAILURE_LIMIT, unless set
    for n in range(limit - 1):
        response = _fail(client, f"nguoi-dung-{n}")
        assert response.status_code == 200, n  # each username failed once: no pair is near its limit
    response = _fail(client, f"nguoi-dung-{limit}")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khóa đăng nhập" in body and "từ địa chỉ mạng này" in body and "15 phút" in body
    # The address is paused for every account, even with the right password …
    refused = client.post(
        reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # … while the same account signs in from another address.
    other = Client()
    response = other.post(
        reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 302 and "_auth_user_id" in other.session


def test_signing_in_with_ones_own_account_does_not_clear_the_address_count(client, world):
    for n in range(15):
        _fail(client, f"nguoi-dung-{n}")
    assert (
        client.post(
            reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
        ).status_code
        == 302
    )
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.0.0.7")
    for n in range(15, 19):
        assert _fail(client, f"nguoi-dung-{n}").status_code == 200
    assert _fail(client, "nguoi-dung-19").status_code == 429


def test_one_username_is_still_locked_after_five_failures_with_its_own_message(client, world):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client, "hieutruong_a").status_code == 200
    response = _fail(client, "hieutruong_a")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tài khoản đã nhập sai mật khẩu quá nhiều lần" in body and "15 phút" in body
    assert "PT15M" not in body
    assert _fail(client, "thuky_a").status_code == 200  # another account from the same address is not locked


# --- Idle sessions ----------------------------------------------------------------------------------------------------


class Clock:
    """Moves time.time() and timezone.now() (what the sessions' expiry and the cache read) forward on demand."""

    def __init__(self):
        self.offset = 0.0
        self._time, self._now = time.time, timezone.now

    def advance(self, **delta):
        self.offset += timedelta(**delta).total_seconds()

    def time(self):
        return self._time() + self.offset

    def now(self):
        return self._now() + timedelta(seconds=self.offset)


@pytest.fixture
def clock():
    clock = Clock()
    with mock.patch("time.time", clock.time), mock.patch("django.utils.timezone.now", clock.now):
        yield clock


def _sign_in(client):
    response = client.post(reverse("accounts:login"), {"username": "hieutruong_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies[MARKER].value == "1"


def test_the_default_idle_time_is_two_hours():
    assert django_settings.SESSION_IDLE_MINUTES == 120
    assert django_settings.SESSION_COOKIE_AGE == 7200


def test_a_session_used_now_and_then_stays_and_an_idle_one_ends_with_a_message(client, world, clock):
    _sign_in(client)
    for _ in range(4):  # six hours of work, a request every hour and a half: still signed in
        clock.advance(minutes=90)
        assert client.get("/").status_code == 200
    clock.advance(minutes=121)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    page = client.get(response["Location"]).content.decode()
    assert "Phiên làm việc đã kết thúc vì không có thao tác nào trong 120 phút" in page
    # Told once: the next visit to the sign-in page is a plain one.
    assert "Phiên làm việc đã kết thúc" not in client.get(reverse("accounts:login")).content.decode()


def test_the_idle_time_is_configurable(client, world, clock, settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 30 * 60
    _sign_in(client)
    clock.advance(minutes=25)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/").status_code == 302


def test_a_signed_in_request_writes_the_session_at_most_once_per_five_minutes(client, world, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sign_in(client)
    clock.advance(minutes=6)
    client.get("/")  # refreshes the expiry
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            clock.advance(seconds=30)
            client.get("/")
    assert not [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_signing_out_says_nothing_about_expiry(client, world):
    _sign_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.cookies[MARKER].value == ""  # removed
    assert "Phiên làm việc đã kết thúc" not in client.get(reverse("accounts:login")).content.decode()


def test_the_requests_right_after_signing_in_write_nothing(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.principal_a)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
        client.get("/")
    assert not [q for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
