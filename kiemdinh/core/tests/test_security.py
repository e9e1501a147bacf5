"""Security settings and headers (issue #8): the deployment check, the Content-Security-Policy and the templates it
relies on, downloads of uploaded files, and login throttling."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kiemdinh.documents.models import ExportJob
from kiemdinh.planning import services as planning
from kiemdinh.planning.models import PlanTask, TaskStatus
from kiemdinh.planning.tests.helpers import make_plan
from kiemdinh.testing.world import PASSWORD, deploy_check

ROOT = Path(django_settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
PRODUCTION_SECRET = "production-like-secret-3fJ9kQ2xV7mN4pR8tW1yZ6bC5dH0gL-aE"


def production_env(tmp_path, **extra) -> dict:
    """The environment of a production process: no KIEMDINH_* variable of the test run except those given."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIEMDINH_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return {
        **env,
        "KIEMDINH_DEBUG": "0",
        "KIEMDINH_SECRET_KEY": PRODUCTION_SECRET,
        "KIEMDINH_ALLOWED_HOSTS": "kiemdinh.example.edu.vn",
        "KIEMDINH_VAR_DIR": str(tmp_path),
        **extra,
    }


# --- Deployment check and HTTPS ----------------------------------------------------------------------------------


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    assert len(PRODUCTION_SECRET) >= 50
    deploy_check(production_env(tmp_path))


def test_production_defaults_and_their_variables(tmp_path):
    script = (
        "import config.settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.AXES_FAILURE_LIMIT,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )

    def read(**extra):
        run = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=production_env(tmp_path, **extra),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert read() == ["True", "31536000", "True", "True", "False", "False", "5", "None"]
    assert read(
        KIEMDINH_SSL_REDIRECT="0",
        KIEMDINH_HSTS_SECONDS="600",
        KIEMDINH_HSTS_INCLUDE_SUBDOMAINS="1",
        KIEMDINH_LOGIN_FAILURE_LIMIT="7",
        KIEMDINH_PROXY_SSL_HEADER="1",
    ) == ["False", "600", "True", "True", "True", "False", "7", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_test_suite_is_not_redirected_but_production_is(client, settings):
    assert settings.SECURE_SSL_REDIRECT is False  # the pytest plugin sets KIEMDINH_SSL_REDIRECT=0
    assert client.get(reverse("accounts:login")).status_code == 200
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()  # the security middleware reads its settings when a client first loads it
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    # Behind a TLS-terminating proxy the forwarded scheme is trusted: no redirect, and HSTS is sent.
    response = client.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == f"max-age={settings.SECURE_HSTS_SECONDS}"


@pytest.mark.django_db
def test_security_headers_and_cookies(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csrf = response.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert django_settings.SESSION_COOKIE_SECURE and django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"


# --- Content-Security-Policy -------------------------------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_content_security_policy(client, world):
    responses = {"login": client.get(reverse("accounts:login"))}
    client.force_login(world.officer_district)
    for url in ["/", reverse("planning:plan_list", args=[world.district.pk])]:
        responses[url] = client.get(url)
    for url, response in responses.items():
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]


def test_base_template_loads_the_behaviour_script_and_keeps_htmx_from_injecting_styles(client, world):
    client.force_login(world.officer_district)
    page = client.get("/").content.decode()
    assert 'src="/static/js/app.js"' in page
    assert "includeIndicatorStyles" in page


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def test_templates_have_no_inline_handlers_scripts_or_styles():
    assert template_files()
    offences = []
    for path in template_files():
        text = path.read_text()
        name = path.relative_to(TEMPLATES)
        offences += [f"{name}: inline handler {m.group(0)!r}" for m in INLINE_HANDLER.finditer(text)]
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and 'type="application/json"' not in attributes:
                offences.append(f"{name}: inline script {match.group(0)!r}")
        offences += [f"{name}: <style> block" for _ in re.finditer(r"<style\b", text, re.IGNORECASE)]
        offences += [f"{name}: style attribute" for _ in re.finditer(r"\sstyle\s*=", text, re.IGNORECASE)]
        offences += [f"{name}: javascript: URL" for _ in re.finditer(r"javascript:", text, re.IGNORECASE)]
    assert offences == []


def test_confirm_and_check_all_are_data_attributes(client, world):
    plan = make_plan(world)
    client.force_login(world.officer_district)
    page = client.get(reverse("planning:targets", args=[plan.pk])).content.decode()
    assert 'data-check-all="input[name=school][form=accept-form]"' in page
    behaviour = (ROOT / "static" / "js" / "app.js").read_text()
    assert all(name in behaviour for name in ("data-confirm", "data-check-all", "data-autosubmit"))


# --- Downloads of uploaded files ---------------------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def task(world):
    plan = make_plan(world)
    return PlanTask.objects.create(
        plan=plan, agency="Trường Tiểu học An Bình", content="Lập hồ sơ", school=world.school_a
    )


def test_task_update_file_is_an_attachment_with_nosniff(any_storage, client, world, task):
    upload = SimpleUploadedFile("tờ trình.pdf", PDF, "application/pdf")
    update = planning.task_report(
        actor=world.officer_district, task=task, status=TaskStatus.IN_PROGRESS, note="Đã nộp", upload=upload
    )
    assert any_storage.exists(update.file.name)
    client.force_login(world.officer_district)
    response = client.get(reverse("planning:task_update_file", args=[task.plan.pk, task.pk, update.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''t%E1%BB%9D%20tr%C3%ACnh.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_task_update_refuses_a_file_whose_content_does_not_match_its_name(world, task):
    disguised = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    with pytest.raises(ValidationError) as error:
        planning.task_report(
            actor=world.officer_district, task=task, status=TaskStatus.IN_PROGRESS, note="x", upload=disguised
        )
    assert "file" in error.value.message_dict
    assert not task.updates.exists()


def test_export_download_is_an_attachment_with_nosniff(any_storage, client, world):
    job = ExportJob.objects.create(
        unit=world.district, requested_by=world.officer_district, status=ExportJob.Status.DONE
    )
    job.file.save("bao-cao.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    assert any_storage.exists(job.file.name)
    client.force_login(world.officer_district)
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.zip"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content) == b"PK\x05\x06" + b"\x00" * 18
    client.force_login(world.officer_commune_a)  # jobs are private to who asked
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


# --- Login throttling --------------------------------------------------------------------------------------------


def test_login_locks_after_the_configured_number_of_failures(client, world):
    limit = django_settings.AXES_FAILURE_LIMIT  # KIEMDINH_LOGIN_FAILURE_LIMIT, 5 unless set
    login = reverse("accounts:login")
    for _ in range(limit - 1):
        assert client.post(login, {"username": "hieutruong_a", "password": "sai"}).status_code == 200
    # One failure short of the limit the right password still works (and resets the count).
    assert client.post(login, {"username": "hieutruong_a", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(limit):
        client.post(login, {"username": "hieutruong_a", "password": "sai"})
    response = client.post(login, {"username": "hieutruong_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
