"""Two-step sign-in for officers (issue #21): set up with a first code, required at every sign-in after the password
before any page (and the API) opens, wrong codes refused, turned off with a current code; audited."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiemdinh.core.models import AuditEvent
from kiemdinh.testing.world import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _sign_in(client, username="canbo_xa_a"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def test_an_officer_sets_it_up_and_then_needs_the_code_at_sign_in(world, client):
    _sign_in(client)
    url = reverse("accounts:two_factor")
    assert "Bắt đầu cài đặt" in client.get(url).content.decode()
    page = client.post(url, {"action": "start"}).content.decode()
    assert "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user=world.officer_commune_a, confirmed=False)
    wrong = client.post(url, {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    again = client.post(url, {"code": _code(device)})  # right, but too soon after a wrong one: django-otp waits
    assert again.status_code == 400 and "hãy đợi ít giây" in again.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(url, {"code": _code(device)}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(event_type="user.two_factor_on").count() == 1
    assert client.get(reverse("workspace:home")).status_code == 200  # this session is verified already

    client.post(reverse("accounts:logout"))
    _sign_in(client)
    home = client.get(reverse("planning:index"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert client.get(reverse("api:me")).status_code == 401
    verify = home["Location"]
    device.refresh_from_db()
    bad = client.post(verify, {"code": "12345"})
    assert bad.status_code == 400 and "6 chữ số" in bad.content.decode()  # refused by the form: no attempt counted
    good = client.post(verify, {"code": _code(device, drift=1), "next": reverse("planning:index")})
    assert good.status_code == 302 and good["Location"] == reverse("planning:index")
    assert client.get(reverse("planning:index")).status_code == 200

    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # as if the next 30 seconds had come: a code is used once
    device.refresh_from_db()
    off = client.post(url, {"code": _code(device)})
    assert off.status_code == 302 and not TOTPDevice.objects.filter(user=world.officer_commune_a).exists()
    assert AuditEvent.objects.filter(event_type="user.two_factor_off").count() == 1


def test_offered_to_officers_only_and_the_next_address_stays_on_the_site(world, client):
    _sign_in(client, "hieutruong_a")
    assert client.get(reverse("accounts:two_factor")).status_code == 403
    # A user without a second factor is sent on; never to another site.
    response = client.get(reverse("accounts:two_factor_verify"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace:home")
