"""The deploy/ folder (issue #19): its environment passes `check --deploy` and configures servers that share
everything; every variable it or Compose sets is one the settings read, and every setting is in it; Compose runs
N app servers, a worker and the one-shot jobs behind nginx alone; nginx, gunicorn and the settings agree on limits."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import get_commands
from django.core.management.utils import get_random_secret_key

from kiemdinh.testing.world import deploy_check

ROOT = Path(django_settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
# The variables config/settings.py reads, each through one of its typed helpers.
SETTINGS_VARIABLES = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE))
# The object-store settings are being added in parallel (issue #19, KIEMDINH_STORAGE=s3): until config/settings.py
# reads KIEMDINH_STORAGE, their names are taken from that contract; from then on, from the settings like the others.
STORAGE_CONTRACT = {
    "KIEMDINH_STORAGE",
    "KIEMDINH_S3_BUCKET",
    "KIEMDINH_S3_ENDPOINT_URL",
    "KIEMDINH_S3_REGION",
    "KIEMDINH_S3_ACCESS_KEY_ID",
    "KIEMDINH_S3_SECRET_ACCESS_KEY",
    "KIEMDINH_S3_ADDRESSING_STYLE",
    "KIEMDINH_S3_PREFIX",
}
STORAGE_SETTINGS_MERGED = "KIEMDINH_STORAGE" in SETTINGS_VARIABLES
KNOWN_VARIABLES = SETTINGS_VARIABLES if STORAGE_SETTINGS_MERGED else SETTINGS_VARIABLES | STORAGE_CONTRACT


def read_env_file(path: Path) -> tuple[dict[str, str], set[str]]:
    """A systemd EnvironmentFile / Compose env_file: the variables it sets, and the optional ones it shows commented
    out (`# KIEMDINH_X=default`)."""
    values, optional = {}, set()
    for line in path.read_text().splitlines():
        line = line.strip()
        if match := re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line):
            optional.add(match.group(1))
        elif line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[name] = value
    return values, optional


EXAMPLE, EXAMPLE_OPTIONAL = read_env_file(DEPLOY / "kiemdinh.env.example")
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def example_process_env(tmp_path: Path) -> dict:
    """The example's settings in a process environment: a generated 50-character secret key, SQLite instead of
    PostgreSQL, a temporary state directory; nothing of the test run's own KIEMDINH_* variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("KIEMDINH_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    secret = get_random_secret_key()
    assert len(secret) == 50
    return {
        **env,
        **EXAMPLE,
        "KIEMDINH_SECRET_KEY": secret,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kiemdinh.sqlite3'}",
        "KIEMDINH_VAR_DIR": str(tmp_path / "var"),
    }


def test_the_example_environment_passes_the_deployment_check(tmp_path):
    assert EXAMPLE["KIEMDINH_SECRET_KEY"] == "CHANGE-ME"  # a placeholder, never a key that could end up in use
    deploy_check(example_process_env(tmp_path))


def test_the_example_environment_makes_servers_that_share_their_state(tmp_path):
    script = (
        "import json, config.settings as s; print(json.dumps([s.CACHES['default']['BACKEND'], s.SESSION_ENGINE,"
        " s.TASKS['default']['BACKEND'], getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.AXES_CLIENT_IP_CALLABLE,"
        " s.STORAGES['default']['BACKEND'], s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=example_process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    cache, sessions, tasks, proxy_header, client_ip, storage, redirect, secure, hsts = json.loads(run.stdout)
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert sessions == "django.contrib.sessions.backends.cached_db"
    assert tasks == "django_tasks_db.DatabaseBackend"
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert client_ip == "kiemdinh.accounts.throttling.client_address"
    assert [redirect, secure, hsts] == [True, True, 31_536_000]
    if STORAGE_SETTINGS_MERGED:
        assert storage != "django.core.files.storage.FileSystemStorage"


def test_every_variable_of_the_example_is_read_by_the_settings_and_every_setting_is_in_it():
    assert sorted(set(EXAMPLE) - KNOWN_VARIABLES) == []
    assert sorted(EXAMPLE_OPTIONAL - KNOWN_VARIABLES) == []
    assert sorted(set(EXAMPLE) & EXAMPLE_OPTIONAL) == []
    assert sorted(SETTINGS_VARIABLES - set(EXAMPLE) - EXAMPLE_OPTIONAL) == [], "a setting missing from the example"
    assert sorted(STORAGE_CONTRACT - set(EXAMPLE) - EXAMPLE_OPTIONAL) == []


# --- Compose ------------------------------------------------------------------------------------------------------------


def test_compose_runs_the_services_of_one_installation():
    services = COMPOSE["services"]
    assert set(services) == {"db", "redis", "minio", "createbucket", "migrate", "app", "worker", "nginx"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["nginx"]["image"].startswith("nginx:")
    app = services["app"]
    assert app["deploy"]["replicas"] == "${APP_REPLICAS:-2}"
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert app["env_file"] == "kiemdinh.env"
    assert "command" not in app  # the image's gunicorn
    assert services["worker"]["command"] == ["python", "manage.py", "db_worker"]
    assert "deploy" not in services["worker"]  # one worker; scale it like the app servers
    assert (
        services["migrate"]["command"][-1] == "python manage.py migrate --noinput && python manage.py load_frameworks"
    )
    for name in ("app", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert services[name]["image"] == services["migrate"]["image"] == "kiemdinh:latest"
    assert services["migrate"]["depends_on"]["createbucket"] == {"condition": "service_completed_successfully"}
    assert services["nginx"]["depends_on"] == {"app": {"condition": "service_healthy"}}
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    # Only nginx is reachable from outside: the app servers trust the scheme and address it forwards.
    assert {name for name, service in services.items() if "ports" in service} == {"nginx"}
    assert EXAMPLE["KIEMDINH_PROXY_SSL_HEADER"] == "1" and EXAMPLE["KIEMDINH_CLIENT_IP_HEADER"] == "X-Real-IP"


def test_compose_sets_only_variables_the_settings_read_and_its_own_are_in_its_example():
    environment = COMPOSE["services"]["app"]["environment"]
    assert sorted(set(environment) - KNOWN_VARIABLES) == []
    # What Compose wires itself (the services' addresses and credentials) replaces those lines of kiemdinh.env.
    assert {"DATABASE_URL", "KIEMDINH_REDIS_URL", "KIEMDINH_STORAGE", "KIEMDINH_S3_ENDPOINT_URL"} <= set(environment)
    assert environment["KIEMDINH_STORAGE"] == "s3"
    compose_text = (DEPLOY / "compose.yaml").read_text()
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", compose_text))
    compose_env, _ = read_env_file(DEPLOY / "compose.env.example")
    assert interpolated == set(compose_env)


# --- nginx, gunicorn, systemd -------------------------------------------------------------------------------------------


def _nginx(directive: str) -> list[str]:
    return re.findall(rf"^\s*{directive}\s+([^;{{]+);", (DEPLOY / "nginx.conf").read_text(), flags=re.MULTILINE)


def test_nginx_takes_an_evidence_file_of_the_largest_size_and_forwards_what_the_settings_trust():
    (body,) = _nginx("client_max_body_size")
    assert body.endswith("m") and int(body[:-1]) >= 2 * int(EXAMPLE["KIEMDINH_EVIDENCE_MAX_MB"])
    headers = dict(value.split(None, 1) for value in _nginx("proxy_set_header"))
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers[EXAMPLE["KIEMDINH_CLIENT_IP_HEADER"]] == "$remote_addr"
    assert headers["Host"] == "$host"
    assert _nginx("proxy_pass") == ["http://kiemdinh_app"]
    assert _nginx("server") == ["app:8000 max_fails=3 fail_timeout=10s"]  # the Compose service, every replica


def test_gunicorn_waits_as_long_as_nginx():
    (read_timeout,) = _nginx("proxy_read_timeout")
    commands = [
        (DEPLOY / "Dockerfile").read_text(),
        (DEPLOY / "systemd" / "kiemdinh-gunicorn.service").read_text(),
    ]
    for command in commands:
        assert re.search(r'--timeout"?,?\s*"?(\d+)', command).group(1) == read_timeout.rstrip("s")
        assert "--no-control-socket" in command


@pytest.mark.parametrize(
    "unit",
    ["kiemdinh-gunicorn.service", "kiemdinh-worker@.service", "kiemdinh-daily.service"],
)
def test_systemd_units_run_the_project_with_the_production_environment(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/kiemdinh/kiemdinh.env" in text
    assert "User=kiemdinh" in text
    assert "StateDirectory=kiemdinh" in text  # /var/lib/kiemdinh, the example's KIEMDINH_VAR_DIR
    assert EXAMPLE["KIEMDINH_VAR_DIR"] == "/var/lib/kiemdinh"


def test_the_daily_timer_runs_the_reminders_then_the_purge():
    service = (DEPLOY / "systemd" / "kiemdinh-daily.service").read_text()
    assert re.findall(r"^ExecStart=\S+ manage\.py (\S+)", service, flags=re.MULTILINE) == [
        "send_reminders",
        "purge_imports",
    ]
    assert "Type=oneshot" in service
    timer = (DEPLOY / "systemd" / "kiemdinh-daily.timer").read_text()
    assert re.search(r"^OnCalendar=.+ Asia/Ho_Chi_Minh$", timer, flags=re.MULTILINE)
    worker = (DEPLOY / "systemd" / "kiemdinh-worker@.service").read_text()
    assert "--worker-id %H-%i" in worker


def test_every_management_command_the_deploy_files_run_exists():
    used = set()
    for path in [*DEPLOY.rglob("*.service"), DEPLOY / "compose.yaml", DEPLOY / "Dockerfile"]:
        used |= set(re.findall(r"manage\.py\"?,?\s+\"?([a-z_]+)", path.read_text()))
    assert used >= {"migrate", "load_frameworks", "collectstatic", "db_worker", "send_reminders", "purge_imports"}
    assert sorted(used - set(get_commands())) == []


def test_the_development_example_lists_every_setting_with_its_default():
    """.env.example (README: every setting with its default) names exactly the variables the settings read."""
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    listed.discard("KIEMDINH_ADDR")  # read by scripts/run, not by the settings
    assert sorted(listed - SETTINGS_VARIABLES) == []
    assert sorted(SETTINGS_VARIABLES - listed) == []
