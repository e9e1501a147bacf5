"""Behind a reverse proxy (deploy/nginx.conf) every request comes from the proxy's address: with
KIEMDINH_CLIENT_IP_HEADER the login throttling counts each client by the address the proxy gives, so one address's
failures do not lock out everyone behind the same proxy."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from kiemdinh.testing.world import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.89.0.5"  # nginx's address on the app servers' network


def _login(client, username, password, client_address):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP=client_address,
    )


def _lock_one_address(address):
    client = Client()
    for n in range(django_settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert _login(client, f"nguoi-dung-{n}", "sai", address).status_code == 200, n
    assert _login(client, "nguoi-dung-cuoi", "sai", address).status_code == 429


@pytest.fixture
def behind_proxy(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.AXES_CLIENT_IP_CALLABLE = "kiemdinh.accounts.throttling.client_address"


def test_behind_the_proxy_one_clients_failures_lock_that_client_only(world, behind_proxy):
    _lock_one_address("203.0.113.7")
    assert _login(Client(), "hieutruong_a", PASSWORD, "203.0.113.7").status_code == 429
    other = Client()
    assert _login(other, "hieutruong_a", PASSWORD, "198.51.100.20").status_code == 302
    assert "_auth_user_id" in other.session


def test_without_the_header_setting_the_proxys_address_is_everyones(world):
    assert django_settings.AXES_CLIENT_IP_CALLABLE is None  # KIEMDINH_CLIENT_IP_HEADER unset: the connection's address
    _lock_one_address("203.0.113.7")
    assert _login(Client(), "hieutruong_a", PASSWORD, "198.51.100.20").status_code == 429


def test_a_request_that_did_not_pass_the_proxy_counts_by_its_connection(world, behind_proxy):
    client = Client()
    for n in range(django_settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": f"nguoi-dung-{n}", "password": "sai"}, REMOTE_ADDR=PROXY)
    assert _login(Client(), "hieutruong_a", PASSWORD, "198.51.100.20").status_code == 302
