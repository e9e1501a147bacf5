"""Optional two-step sign-in (xác thực hai bước) with an authenticator app (TOTP, RFC 6238), offered to officers and
admins: django-otp's TOTP devices, our pages.

- Set up: the officer scans a QR code (or types the key) into an app such as Google Authenticator or Microsoft
  Authenticator and confirms with a first code; turned off again with a current code.
- Sign in: once set up, after the password the officer gives the app's code before any page opens. Whether the
  account needs the code is read once at sign-in into the session (`NEEDS_CODE`), so pages pay no query for it.
"""

import base64
import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kiemdinh.accounts.access import user_scope
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.forms import Form

NEEDS_CODE = "kiemdinh_needs_code"
ISSUER = "Kiểm định"


def offered_to(user) -> bool:
    scope = user_scope(user)
    return scope.is_admin or bool(scope.unit_paths)


def remember_whether_a_code_is_needed(sender, request, user, **kwargs):
    """At sign-in (connected in AccountsConfig.ready): whether this session must give a code."""
    if request is not None and hasattr(request, "session"):
        request.session[NEEDS_CODE] = user_has_device(user, confirmed=True)


class SecondFactorMiddleware:
    """Until the session is verified, a user with a second factor reaches only the code page and signing out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(NEEDS_CODE)
            and not user.is_verified()
            and request.path not in {reverse("accounts:two_factor_verify"), reverse("accounts:logout")}
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Cần nhập mã xác thực hai bước trước."}, status=401)
            return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class CodeForm(Form):
    code = forms.CharField(
        label="Mã 6 chữ số trong ứng dụng xác thực",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Mã gồm đúng 6 chữ số.")
        return code


def _qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, for an <img> (data: URL, allowed by the CSP)."""
    buffer = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


WRONG_CODE = "Mã không đúng hoặc đã hết hạn; hãy nhập mã đang hiện trong ứng dụng."
WAIT = "Đã nhập sai nhiều lần: hãy đợi ít giây rồi nhập mã mới."


def _refusal(devices) -> str:
    """Why a code was refused: wrong, or too many wrong codes just now (django-otp waits longer after each)."""
    return WAIT if any(not d.verify_is_allowed()[0] for d in devices) else WRONG_CODE


def _pending(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The page: on or off, and setting it up (a new key each time it is started)."""
    if not offered_to(request.user):
        raise PermissionDenied("Xác thực hai bước dành cho cán bộ quản lý và quản trị hệ thống.")
    active = user_has_device(request.user, confirmed=True)
    pending = None if active else _pending(request.user)
    form = CodeForm()
    if request.method == "POST" and request.POST.get("action") == "start" and not active:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            pending = TOTPDevice.objects.create(user=request.user, name="Ứng dụng xác thực", confirmed=False)
    elif request.method == "POST":
        form = CodeForm(request.POST)
        device = TOTPDevice.objects.filter(user=request.user, confirmed=active).first()
        if form.is_valid() and device is not None and device.verify_token(form.cleaned_data["code"]):
            if active:
                TOTPDevice.objects.filter(user=request.user).delete()
                request.session[NEEDS_CODE] = False
                audit.record(actor=request.user, event_type=Event.USER_TWO_FACTOR_OFF, obj=request.user, data={})
                messages.success(request, "Đã tắt xác thực hai bước.")
            else:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                request.session[NEEDS_CODE] = True
                audit.record(actor=request.user, event_type=Event.USER_TWO_FACTOR_ON, obj=request.user, data={})
                messages.success(request, "Đã bật xác thực hai bước: từ lần đăng nhập sau, hãy nhập mã sau mật khẩu.")
            return redirect("accounts:two_factor")
        if form.is_valid():
            form.add_error("code", _refusal([device] if device else []))
        pending = None if active else device
    secret = base64.b32encode(pending.bin_key).decode() if pending else ""
    return render(
        request,
        "accounts/two_factor.html",
        {
            "active": active,
            "pending": pending,
            "qr": _qr_svg(pending) if pending else "",
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the app's code, then the page asked for."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    target = request.GET.get("next") or request.POST.get("next") or reverse("workspace:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("workspace:home")
    if request.user.is_verified() or not request.session.get(NEEDS_CODE):
        return redirect(target)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
        for device in devices:
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                return redirect(target)
        form.add_error("code", _refusal(devices))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": target}, status=400 if form.errors else 200
    )
