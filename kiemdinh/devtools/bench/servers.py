"""What the bench's HTTP runs need: gunicorn app servers on this database, a plain http.client user with its own
cookies, a multipart body streamed from a file on disk, and the memory of a process read from /proc."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.urls import reverse

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60  # seconds; a request that takes longer counts as an error
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The bench's database, for the app servers (an absolute path for SQLite: they may run from elsewhere)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("--load needs a database on disk that gunicorn's workers can open")
        return f"sqlite:///{os.path.abspath(name)}"
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    raise RuntimeError("--load on a non-SQLite database needs DATABASE_URL in the environment")


class AppServer:
    """One gunicorn server (config.wsgi, sync workers) on a free port of 127.0.0.1, with DEBUG off as in production,
    on this database and whatever the environment configures besides (Redis through KIEMDINH_REDIS_URL, the file
    storage): several of them share all of it, as servers behind a load balancer do. Its log goes to a temporary
    file (a pipe nobody reads would fill up and stall it)."""

    def __init__(self, *, workers: int, env: dict[str, str] | None = None, timeout: int = 120):
        self.workers = workers
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.extra_env = env or {}
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)

    def start(self) -> "AppServer":
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "KIEMDINH_DEBUG": "0",
            "KIEMDINH_SECRET_KEY": settings.SECRET_KEY,
            "KIEMDINH_ALLOWED_HOSTS": HOST,
            "KIEMDINH_CSRF_TRUSTED_ORIGINS": self.base,
            "KIEMDINH_SSL_REDIRECT": "0",
            "KIEMDINH_SECURE_COOKIES": "0",
            "KIEMDINH_HSTS_SECONDS": "0",
            **self.extra_env,
        }
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(self.workers)]
        command += ["--bind", f"{HOST}:{self.port}", "--log-level", "warning", "--timeout", str(self.timeout)]
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the sign-in page answers and every worker has started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.tail(2000)}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", reverse("accounts:login"))
                connection.getresponse().read()
                connection.close()
                if len(self.worker_pids()) >= self.workers:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on port {self.port} did not answer within {timeout:g} s")

    def worker_pids(self) -> list[int]:
        """The worker processes: the children of gunicorn's master."""
        master = self.process.pid
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    children.append(int(entry))
        return sorted(children)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers."""
        return sum(process_cpu_seconds(pid) for pid in [self.process.pid, *self.worker_pids()])

    def tail(self, chars: int = 4000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self) -> "AppServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_servers(count: int, **kwargs) -> list[AppServer]:
    """`count` servers started side by side and ready; on failure, those started are stopped."""
    servers = []
    try:
        for _ in range(count):
            servers.append(AppServer(**kwargs).start())
        for server in servers:
            server.wait_ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


# --- Processes ------------------------------------------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (its peak) of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            found[name] = int(value.split()[0])
    return found


def reset_peak(pid: int) -> bool:
    """Set a process's VmHWM back to its VmRSS (Linux 4.0+, our own processes); False where that is refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class PeakSampler:
    """The highest VmRSS of a process seen while it runs, sampled every few milliseconds in a thread: the peak where
    VmHWM cannot be reset, and a check of it where it can."""

    def __init__(self, pid: int, every: float = 0.005):
        self.pid, self.every = pid, every
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, memory_kb(self.pid)["VmRSS"])
            except (OSError, KeyError):
                return
            time.sleep(self.every)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- A user over HTTP -----------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    size: int  # bytes of the body read (also when not kept)


class HttpUser:
    """One simulated browser over plain http.client: its cookies (shared by its concurrent requests and by every
    server, as a browser's are behind a load balancer), the CSRF token on each POST. Redirects are answers, not
    followed. A new connection per request: gunicorn's sync workers close each one."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        body=None,
        headers: dict | None = None,
        keep_body: bool = True,
    ) -> Answer:
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method == "POST":
                headers["X-CSRFToken"] = self.cookies.get(settings.CSRF_COOKIE_NAME, "")
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            if keep_body:
                data = response.read()
                size = len(data)
            else:  # read in pieces and dropped: a large download never sits in this process
                data, size = b"", 0
                while block := response.read(CHUNK):
                    size += len(block)
            self._remember(response.headers.get_all("Set-Cookie") or [])
            return Answer(response.status, response.headers, data, size)
        finally:
            connection.close()

    def _remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            jar = SimpleCookie()
            jar.load(header)
            with self._lock:
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def login(self, port: int, username: str, password: str) -> None:
        path = reverse("accounts:login")
        self.request(port, "GET", path)
        answer = self.request(port, "POST", path, form={"username": username, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"sign-in of {username} over HTTP failed (status {answer.status})")


def multipart_file(fields: dict[str, str], file_field: str, path: Path, filename: str, content_type: str):
    """A multipart/form-data body whose file part is read from `path` in 1 MB pieces as it is sent: returns its
    Content-Type, its length (Django reads a body only with a Content-Length) and the pieces."""
    boundary = f"kiemdinh-bench-{secrets.token_hex(12)}"
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def pieces() -> Iterator[bytes]:
        yield head
        with open(path, "rb") as source:
            while block := source.read(CHUNK):
                yield block
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head) + path.stat().st_size + len(tail), pieces()
