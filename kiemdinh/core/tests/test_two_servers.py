"""Two app servers, one installation (issue #19): two gunicorn servers on two ports share one PostgreSQL database,
Redis and the file storage (an S3-compatible server when configured), and a person's browser moves between them.

Skipped unless KIEMDINH_TWO_SERVERS_DATABASE_URL (a PostgreSQL database this test may empty: its schema is dropped
and migrated again) and KIEMDINH_TWO_SERVERS_REDIS_URL are set; .ci/run sets both. With
KIEMDINH_TWO_SERVERS_S3_ENDPOINT the servers store files in a bucket of that S3-compatible server (moto's server in
CI) and share no directory; without it they share one media directory on this machine.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils.crypto import get_random_string

pytestmark = pytest.mark.two_servers

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = os.environ.get("KIEMDINH_TWO_SERVERS_DATABASE_URL", "")
REDIS_URL = os.environ.get("KIEMDINH_TWO_SERVERS_REDIS_URL", "")
S3_ENDPOINT = os.environ.get("KIEMDINH_TWO_SERVERS_S3_ENDPOINT", "")
LOGIN_PATH = "/tai-khoan/dang-nhap/"
CRITERION = "1.1"


def _data_for_two_servers() -> None:
    """Run inside `manage.py shell` against the emptied database: the regulation of the cycle, the named personas
    (kiemdinh.testing.world), school A's cycle and its first criterion's form, saved through the services. Prints what
    the test needs as JSON."""
    from kiemdinh.frameworks.models import Criterion
    from kiemdinh.testing.world import PASSWORD, build_world, form_saved, load_frameworks
    from kiemdinh.workflow.services import cycle_open

    load_frameworks(only=("tt17-2018",))
    world = build_world()
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    form_saved(cycle, world.principal_a, code=CRITERION, strengths="Điểm mạnh ghi từ đầu.")
    criterion = Criterion.objects.get(version_id=cycle.framework_id, code=CRITERION)
    print(
        json.dumps(
            {
                "username": world.principal_a.username,
                "password": PASSWORD,
                "cycle": cycle.pk,
                "criterion": criterion.pk,
            }
        )
    )


# --- The servers -----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env() -> dict:
    """This machine's environment without any setting of the test run (the suite's own KIEMDINH_* and DATABASE_URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIEMDINH_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return env


def _manage(env: dict, *args: str, timeout: int = 180) -> str:
    run = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, f"manage.py {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout


def _empty_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@dataclass
class S3:
    endpoint: str
    bucket: str
    prefix: str
    key_id: str
    secret: str

    def client(self):
        import boto3  # installed with django-storages' S3 backend

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
        )

    def env(self) -> dict:
        return {
            "KIEMDINH_STORAGE": "s3",
            "KIEMDINH_S3_BUCKET": self.bucket,
            "KIEMDINH_S3_ENDPOINT_URL": self.endpoint,
            "KIEMDINH_S3_REGION": "us-east-1",
            "KIEMDINH_S3_ACCESS_KEY_ID": self.key_id,
            "KIEMDINH_S3_SECRET_ACCESS_KEY": self.secret,
            "KIEMDINH_S3_ADDRESSING_STYLE": "path",
            "KIEMDINH_S3_PREFIX": self.prefix,
        }

    def objects(self) -> dict[str, bytes]:
        client = self.client()
        listed = client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix).get("Contents", [])
        return {o["Key"]: client.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read() for o in listed}


class Server:
    """`gunicorn config.wsgi` with two workers on a free port, its output in a log file."""

    def __init__(self, name: str, env: dict, log: Path):
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    *(str(gunicorn), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}"),
                    *("--access-logfile", "-", "--error-logfile", "-", "--timeout", "30", "--no-control-socket"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers are stopped with it (see stop)
            )

    def wait_until_answering(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + LOGIN_PATH, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server {self.name} did not answer on {self.url} in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


# --- One person's browser ----------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def csrf_token(self) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert found, f"no CSRF token in the page ({self.status})"
        return found.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the test looks at each redirect itself


class Browser:
    """One cookie jar for both servers: cookies belong to the host, not the port, as in a browser."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, url: str, data: bytes | None = None, content_type: str = "") -> Response:
        request = urllib.request.Request(url, data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=20) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def post(self, url: str, fields: dict, token: str) -> Response:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        return self.request("POST", url, body, "application/x-www-form-urlencoded")

    def post_multipart(self, url: str, fields: dict, token: str) -> Response:
        body = encode_multipart(BOUNDARY, {**fields, "csrfmiddlewaretoken": token})
        return self.request("POST", url, body, MULTIPART_CONTENT)

    def cookie(self, name: str):
        return next((c for c in self.jar if c.name == name), None)


def _redirects_to(response: Response, path: str) -> bool:
    return response.status == 302 and urllib.parse.urlsplit(response.headers["Location"]).path == path


# --- The test -----------------------------------------------------------------------------------------------------------


@contextmanager
def installation(tmp_path: Path):
    """Both servers running on the emptied, migrated and filled database: (A, B, data, s3 or None). Whatever fails
    inside prints both servers' output; the servers are stopped in any case."""
    if not DATABASE_URL or not REDIS_URL:
        pytest.skip(
            "two-server test: set KIEMDINH_TWO_SERVERS_DATABASE_URL (a throw-away PostgreSQL database; it is emptied) "
            "and KIEMDINH_TWO_SERVERS_REDIS_URL (redis://host:6379/N) to run it; .ci/run does"
        )
    assert DATABASE_URL.startswith(("postgres://", "postgresql://")), "KIEMDINH_TWO_SERVERS_DATABASE_URL: PostgreSQL"
    import redis

    redis.Redis.from_url(REDIS_URL).ping()  # a clear failure when Redis is not there
    cache_prefix = f"kd-two-servers-{get_random_string(8).lower()}"
    s3 = None
    if S3_ENDPOINT:
        s3 = S3(
            endpoint=S3_ENDPOINT,
            bucket=os.environ.get("KIEMDINH_TWO_SERVERS_S3_BUCKET", "kiemdinh-two-servers"),
            prefix=cache_prefix,
            key_id=os.environ.get("KIEMDINH_TWO_SERVERS_S3_ACCESS_KEY_ID", "testing"),
            secret=os.environ.get("KIEMDINH_TWO_SERVERS_S3_SECRET_ACCESS_KEY", "testing"),
        )
        client = s3.client()
        if s3.bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=s3.bucket)

    def env_of(var_dir: Path) -> dict:
        (var_dir / "static").mkdir(parents=True, exist_ok=True)
        return {
            **_base_env(),
            "KIEMDINH_DEBUG": "0",
            "KIEMDINH_SECRET_KEY": secrets.token_urlsafe(48),
            "KIEMDINH_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP between the test and the servers (production sits behind HTTPS).
            "KIEMDINH_SSL_REDIRECT": "0",
            "KIEMDINH_SECURE_COOKIES": "0",
            "DATABASE_URL": DATABASE_URL,
            "KIEMDINH_REDIS_URL": REDIS_URL,
            "KIEMDINH_CACHE_PREFIX": cache_prefix,
            "KIEMDINH_VAR_DIR": str(var_dir),
            "KIEMDINH_STATIC_ROOT": str(var_dir / "static"),
            **(s3.env() if s3 else {}),
        }

    shared = env_of(tmp_path / "var")
    _empty_database(DATABASE_URL)
    _manage(shared, "migrate", "--noinput")
    data = json.loads(
        _manage(
            shared,
            "shell",
            "--no-imports",
            "-c",
            "from kiemdinh.core.tests.test_two_servers import _data_for_two_servers as d; d()",
        )
        .strip()
        .splitlines()[-1]
    )
    # One secret key for both (sessions and CSRF tokens are signed with it). With S3 each server has its own
    # directory, so nothing can pass between them on disk; without it they share the media directory.
    env_a = shared
    env_b = {**(env_of(tmp_path / "var-b") if s3 else shared), "KIEMDINH_SECRET_KEY": shared["KIEMDINH_SECRET_KEY"]}
    servers = [Server("A", env_a, tmp_path / "server-a.log"), Server("B", env_b, tmp_path / "server-b.log")]
    try:
        deadline = time.monotonic() + 40
        for server in servers:
            server.wait_until_answering(deadline)
        yield servers[0], servers[1], data, s3
    except BaseException:
        for server in servers:
            print(f"--- output of server {server.name} ({server.url})\n{server.output()}")
        raise
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{cache_prefix}:*"):
            client.delete(key)


def test_two_servers_serve_one_installation(tmp_path):
    with installation(tmp_path) as (a, b, data, s3):
        _one_person_on_two_servers(a, b, data, s3, tmp_path)


def _one_person_on_two_servers(a: Server, b: Server, data: dict, s3: S3 | None, tmp_path: Path) -> None:
    cycle = data["cycle"]
    form_path = f"/tu-danh-gia/{cycle}/tieu-chi/{CRITERION}/"
    browser = Browser()

    def save_form(server, strengths: str) -> None:
        page = browser.get(server.url + form_path)
        assert page.status == 200, page.status
        base_version = re.search(r'name="base_version" value="(\d+)"', page.text)
        assert base_version, f"no editable form on server {server.name}"
        fields = {"base_version": base_version.group(1), "strengths": strengths, "weaknesses": "", "improvement": ""}
        saved = browser.post(server.url + form_path, fields, page.csrf_token())
        assert _redirects_to(saved, form_path), (saved.status, saved.text[:2000])

    def form_text(server) -> str:
        page = browser.get(server.url + form_path)
        assert page.status == 200, (server.name, page.status, page.headers.get("Location"))
        return page.text

    # Sign in on A.
    login = browser.get(a.url + LOGIN_PATH)
    signed_in = browser.post(
        a.url + LOGIN_PATH, {"username": data["username"], "password": data["password"]}, login.csrf_token()
    )
    assert _redirects_to(signed_in, "/"), (signed_in.status, signed_in.text[:2000])
    assert browser.cookie("sessionid") is not None

    # Save the criterion form on A, read it on B; save again on B, read the new text on A (twice each: two workers).
    first = f"Điểm mạnh lưu trên máy chủ A {secrets.token_hex(4)}"
    save_form(a, first)
    for _ in range(2):
        assert first in form_text(b)
    second = f"Điểm mạnh sửa trên máy chủ B {secrets.token_hex(4)}"
    save_form(b, second)
    for _ in range(2):
        text = form_text(a)
        assert second in text
        assert first not in text

    # Upload an evidence file on A, download it on B: the same bytes, as an attachment, never sniffed.
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + secrets.token_hex(64).encode() + b"\n%%EOF\n"
    add_path = f"/tu-danh-gia/{cycle}/minh-chung/them/"
    page = browser.get(a.url + add_path)
    assert page.status == 200, page.status
    upload = SimpleUploadedFile("bien-ban-hop-hoi-dong.pdf", content, content_type="application/pdf")
    added = browser.post_multipart(
        a.url + add_path,
        {"criterion": data["criterion"], "name": "Biên bản họp Hội đồng trường", "files": [upload]},
        page.csrf_token(),
    )
    assert _redirects_to(added, f"/tu-danh-gia/{cycle}/minh-chung/"), (added.status, added.text[:2000])
    listed = browser.get(b.url + f"/tu-danh-gia/{cycle}/minh-chung/")
    download_path = re.search(rf"/tu-danh-gia/{cycle}/minh-chung/tep/\d+/", listed.text)
    assert download_path, f"no evidence file listed on server B ({listed.status})"
    downloaded = browser.get(b.url + download_path.group(0))
    assert downloaded.status == 200, downloaded.status
    assert downloaded.body == content
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")
    assert downloaded.headers["X-Content-Type-Options"] == "nosniff"
    stored_locally = [p for p in tmp_path.glob("var*/media/**/*") if p.is_file()]
    if s3:
        assert content in s3.objects().values()
        assert stored_locally == []
    else:
        assert [p.read_bytes() for p in stored_locally] == [content]

    # Sign out on B; the same session cookie, sent again to A, is refused on every worker of A.
    cookie = browser.cookie("sessionid")
    page = browser.get(b.url + form_path)
    signed_out = browser.post(b.url + "/tai-khoan/dang-xuat/", {}, page.csrf_token())
    assert _redirects_to(signed_out, LOGIN_PATH), signed_out.status
    browser.jar.set_cookie(cookie)  # as another tab that kept it would send it
    for _ in range(4):
        refused = browser.get(a.url + form_path)
        assert _redirects_to(refused, LOGIN_PATH), (refused.status, refused.headers.get("Location"))
