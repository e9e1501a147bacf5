"""Rendered pages kept and served again while nothing they read has changed.

A page view decorated with `cached_page` is rendered once per request key (path and query, session, user, CSRF
cookie, htmx headers, today's date). While it renders, every SELECT it runs is parsed for the tables it reads, and
the current *version* of each table is noted **before** the query runs. The page is kept with those versions. A later
request with the same key gets the kept page only if every one of those tables still has the noted version.

Every statement that writes — whatever runs it: a view, a management command, a background task, a bulk update that
sends no model signal — is seen by a wrapper installed on each database connection. It gives each table it writes a
new random version at once and again when the transaction commits; a statement whose tables are not known (DDL,
TRUNCATE, anything unusual) gives a new version to ``*``, on which every page depends. Versions are random tokens,
never counters, so a version that was lost (an evicted file, a race between two workers) cannot come back to an old
value: the worst a race can do is make a page be rendered again.

Why this is safe: a page kept with version v of table T read T after v was noted. A write to T that commits after
that moment replaces v, so the page is not served again.

A few busy tables (NARROWABLE: the criterion forms and their drafts) may be read and written *by part*: code that
reads or writes only the rows of one part (one cycle's form of one criterion) says so with `narrowed(Model, *part)`.
A read so narrowed depends on the version of that part and on the table's "undeclared writes" version, not on the
table's own version; a write so narrowed bumps the part and the table's version (which every un-narrowed reader
depends on); any other write to such a table bumps the table's and the "undeclared writes" versions, so every reader
of it, narrowed or not, is stale. Saving one criterion's form thus leaves the other criteria's kept form pages
served again. The claim each `narrowed` block makes is local — its statements on that table touch only that part's
rows — and must be kept that narrow: memoized computations inside it are not narrowed.

Data written outside this application (psql, another server) is not seen; kept pages then expire after
``PAGE_CACHE_SECONDS``, and `./scripts/manage clear_page_cache` drops them at once. Both caches must be shared by
every worker (files on one machine; see settings.CACHES). The key holds the release (see `release`), so a page kept
by an earlier version of the code is never served after a deploy.
"""

import hashlib
import re
import secrets
import threading
from contextlib import contextmanager
from functools import lru_cache, partial, wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone

PAGES = "pages"
VERSIONS = "page_versions"
EVERYTHING = "*"  # the version every page depends on: bumped by statements whose tables are unknown
MAX_BYTES = 2 * 1024 * 1024

_READ_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_WRITE_TABLE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
# Statements that change no table's rows.
_HARMLESS = frozenset(
    ["SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "END", "SET", "SHOW", "PRAGMA", "EXPLAIN", "ANALYZE"]
)

# Tables whose statements may be narrowed to one part (see `narrowed`). Every process must know this list, as a
# write anywhere to one of these tables bumps one more version.
NARROWABLE = frozenset(["selfassessment_criterionform", "selfassessment_formdraft"])

_state = threading.local()


@contextmanager
def narrowed(model, *part):
    """Within this block every statement on model's table reads or writes only the rows of this part (the values
    that pick them, e.g. a cycle and a criterion). Readers of one part then stay kept while other parts are written.
    Keep the block around the statements themselves: the claim is only as good as the code inside it."""
    table = model._meta.db_table
    if table not in NARROWABLE:
        raise ValueError(f"{table} is not narrowable: add it to page_cache.NARROWABLE")
    outer = _narrowing()
    _state.narrow = {**outer, table: "/".join(map(str, part))}
    try:
        yield
    finally:
        _state.narrow = outer


def _narrowing() -> dict[str, str]:
    """The parts declared by the `narrowed` blocks around the current statement, by table."""
    return getattr(_state, "narrow", None) or {}


def _read_keys(table: str):
    """The versions a read of table depends on."""
    part = _narrowing().get(table)
    return (table,) if part is None else (table + "!", f"{table}#{part}")


def _written_keys(tables) -> list[str]:
    """The versions a write to these tables bumps."""
    narrow = _narrowing()
    keys = []
    for table in tables:
        keys.append(table)
        if table in narrow:
            keys.append(f"{table}#{narrow[table]}")
        elif table in NARROWABLE:
            keys.append(table + "!")
    return keys


def _first_word(sql: str) -> str:
    head = sql.lstrip(" \t\r\n(").split(None, 1)
    return head[0].upper() if head else ""


@lru_cache(maxsize=4096)
def classify(sql: str) -> tuple[str, frozenset[str]]:
    """("read", tables) for a SELECT, ("write", tables) for a statement that changes rows (tables may be
    {EVERYTHING} when they cannot be told), ("other", ∅) for transaction control and session settings."""
    word = _first_word(sql)
    if word in ("SELECT", "VALUES"):
        return "read", frozenset(name.lower() for name in _READ_TABLE.findall(sql))
    if word in _HARMLESS:
        return "other", frozenset()
    found = _WRITE_TABLE.match(sql)
    return "write", frozenset([found.group(1).lower()] if found else [EVERYTHING])


def _key(table: str) -> str:
    return "v:" + table


def _digest(prefix: str, parts) -> str:
    """A cache key: the parts, with the release (a key made by another version of the code never matches)."""
    return prefix + hashlib.sha256("\x1f".join(map(str, [release(), *parts])).encode()).hexdigest()


def bump(keys) -> None:
    """New versions for these tables (or parts of tables): every kept page that read one of them is stale."""
    token = secrets.token_hex(8)
    caches[VERSIONS].set_many({_key(k): token for k in keys}, timeout=None)


def _unchanged(versions: dict[str, str]) -> bool:
    current = caches[VERSIONS].get_many([_key(t) for t in versions])
    return all(current.get(_key(t)) == v for t, v in versions.items())


def _version(table: str) -> str:
    cache = caches[VERSIONS]
    value = cache.get(_key(table))
    if value is None:  # never written since the cache was emptied: start it with a fresh token
        cache.add(_key(table), secrets.token_hex(8), timeout=None)
        value = cache.get(_key(table))
    return value


class _Recording:
    def __init__(self):
        self.versions = {EVERYTHING: _version(EVERYTHING)}
        self.wrote = False

    def include(self, versions: dict[str, str], wrote: bool = False) -> None:
        """What a part of this page depends on (a memoized result, served or computed) is what the page depends on."""
        for table, version in versions.items():
            if self.versions.setdefault(table, version) != version:
                wrote = True  # read at two versions within one page: do not keep it
        self.wrote = self.wrote or wrote

    @property
    def keepable(self) -> bool:
        """Nothing written while recording, nor before it in a transaction not yet committed: what this connection
        reads then may never be committed (the test suite, whose tests never commit, may say otherwise)."""
        if self.wrote:
            return False
        if settings.PAGE_CACHE_KEEPS_UNCOMMITTED:
            return True
        return not any(isinstance(f, partial) and f.func is bump for _, f, _ in connection.run_on_commit)


def _kept(key: str):
    """The entry kept under key if none of the tables it read has changed since; a page being recorded around this
    call depends on them too."""
    entry = caches[PAGES].get(key)
    if entry is None or not _unchanged(entry["versions"]):
        return None
    outer = getattr(_state, "recording", None)
    if outer is not None:
        outer.include(entry["versions"])
    return entry


def _recorded(compute):
    """compute() with the tables it reads noted: (its value, the recording)."""
    outer, narrow = getattr(_state, "recording", None), getattr(_state, "narrow", None)
    recording = _state.recording = _Recording()
    _state.narrow = None  # what compute() reads is not covered by a narrowed block around this call
    try:
        value = compute()
    finally:
        _state.recording, _state.narrow = outer, narrow
    if outer is not None:
        outer.include(recording.versions, recording.wrote)
    return value, recording


def track(execute, sql, params, many, context):
    """The execute wrapper on every connection: notes versions of what a recorded page reads, bumps what is written."""
    kind, tables = classify(sql)
    recording = getattr(_state, "recording", None)
    if kind == "read":
        if recording is not None:
            for table in tables:
                for key in _read_keys(table):
                    if key not in recording.versions:
                        recording.versions[key] = _version(key)
        return execute(sql, params, many, context)
    result = execute(sql, params, many, context)
    if kind == "write" and not _changed_nothing(sql, context["cursor"]):
        if recording is not None:
            recording.wrote = True
        keys = _written_keys(tables)
        bump(keys)
        db = context["connection"]
        if db.in_atomic_block:  # readers of another connection see the rows only now
            transaction.on_commit(partial(bump, keys), using=db.alias)
    return result


def _changed_nothing(sql: str, cursor) -> bool:
    """An UPDATE or DELETE that matched no row (a save removing a draft that was never autosaved). Only those: an
    INSERT … RETURNING reports its rows (SQLite says 0) only once they are fetched."""
    return cursor.rowcount == 0 and _first_word(sql) in ("UPDATE", "DELETE") and "RETURNING" not in sql.upper()


def install(sender=None, connection=None, **kwargs) -> None:
    """Put `track` first among the connection's wrappers (`execute_wrapper()` blocks pop the last one), once."""
    if track not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, track)


def connect_signals() -> None:
    connection_created.connect(install, dispatch_uid="kiemdinh.page_cache.install")


def clear() -> None:
    caches[PAGES].clear()
    bump([EVERYTHING])


def release() -> str:
    """What the running code looks like (names, sizes and times of its code, templates and static files): a page kept
    by another version of the application is never served by this one. Read once per process; while DEBUG is on, the
    templates and static files are read again on every request (they are edited under a running development server,
    which restarts by itself only for code)."""
    if settings.DEBUG:
        return _release_at_start() + _files_digest(("templates", "static"))
    return _release_at_start()


def _files_digest(folders) -> str:
    files = []
    for folder in folders:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in (".html", ".py", ".css", ".js", ".txt") and path.is_file():
                stat = path.stat()
                files.append(f"{path.relative_to(settings.BASE_DIR)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "r:" + hashlib.sha256("\x1f".join(files).encode()).hexdigest()


@lru_cache(maxsize=1)
def _release_at_start() -> str:
    return _files_digest(("kiemdinh", "templates", "static"))


def _request_key(request) -> str:
    user = request.user
    parts: list = [
        request.get_full_path(),
        request.session.session_key or "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        str(timezone.localdate()),
    ]
    if user.is_authenticated:
        parts += [
            str(user.pk),
            user.get_username(),
            getattr(user, "full_name", ""),
            f"{user.is_staff}{user.is_superuser}",
        ]
    parts += sorted(f"{name}={value}" for name, value in request.headers.items() if name.lower().startswith("hx-"))
    return _digest("p:", parts)


def _pending_messages(request) -> int:
    storage = getattr(request, "_messages", None)
    return len(storage) if storage is not None else 0


def _keepable(request, response, recording: _Recording) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and recording.keepable
        and response.get("Content-Type", "").startswith("text/html")
        and len(response.content) <= MAX_BYTES
        and not _pending_messages(request)  # messages added while rendering belong to this response only
        # A new CSRF secret is being set in this response: the page's token belongs to the cookie it sets.
        and not (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request.COOKIES.get(settings.CSRF_COOKIE_NAME))
    )


def memoized(name: str, *parts, compute):
    """compute()'s result, kept like a page and under the same rule: served again while no table it read has been
    written. `name` and `parts` must determine the result together with the data (today's date and the release are
    added)."""
    if not settings.PAGE_CACHE_ENABLED:
        return compute()
    key = _digest("m:", [name, *parts, timezone.localdate()])
    kept = _kept(key)
    if kept is not None:
        return kept["value"]
    value, recording = _recorded(compute)
    if recording.keepable:
        caches[PAGES].set(key, {"versions": recording.versions, "value": value}, timeout=settings.PAGE_CACHE_SECONDS)
    return value


def cached_page(view):
    """Serve the view's GET responses from the page cache while the tables they read are unchanged."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or not settings.PAGE_CACHE_ENABLED or _pending_messages(request):
            return view(request, *args, **kwargs)
        key = _request_key(request)
        kept = _kept(key)
        if kept is not None:
            response = HttpResponse(kept["content"], status=kept["status"])
            for name, value in kept["headers"]:
                response[name] = value
            return response

        def rendered():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a TemplateResponse reads its data now, while recorded
            return response

        response, recording = _recorded(rendered)
        if _keepable(request, response, recording):
            kept = {
                "versions": recording.versions,
                "status": response.status_code,
                "content": response.content,
                "headers": list(response.items()),
            }
            caches[PAGES].set(key, kept, timeout=settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
