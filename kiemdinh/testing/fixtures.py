"""The suite's shared fixtures, a pytest plugin registered by kiemdinh.testing.pytest_plugin after pytest-django: the
regulations loaded once per session, the personas' world, the demo, storage on files and S3, a Chromium page."""

from dataclasses import dataclass

import pytest
from django.test import override_settings
from pytest_django.fixtures import validate_django_db


@dataclass
class _Regulations:
    """Whether the regulations loaded by django_db_setup may be gone: a transactional test (live server, threads)
    empties the database at its end."""

    blocker: object  # pytest-django's django_db_blocker
    maybe_emptied: bool = False


_REGULATIONS = pytest.StashKey[_Regulations]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """The regulations are loaded once into the test database, committed: a test's own `load_frameworks()` then
    finds each version unchanged (5 queries instead of about 4,000 writes). After a transactional test has emptied the
    database, they are loaded again before the next test that runs inside a transaction (pytest_runtest_setup below),
    whatever the order in which tests run (pytest-xdist may give a worker a transactional test before others)."""
    from kiemdinh.testing.world import load_frameworks

    with django_db_blocker.unblock():
        load_frameworks()
    request.config.stash[_REGULATIONS] = _Regulations(blocker=django_db_blocker)


def _database_use(item) -> str | None:
    """How the test uses the database, as pytest-django decides it (and orders the tests by it): "transactional",
    "db" or None."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    transactional = "transactional_db" in names or "live_server" in names
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        transactional = transactional or transaction or reset_sequences
    if transactional:
        return "transactional"
    return "db" if marker is not None or "db" in names else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the test's fixtures: a transaction of `db` or of a module's fixture could not commit the regulations.
    regulations = item.config.stash.get(_REGULATIONS, None)
    if regulations is None:  # no test has used the database yet
        return
    use = _database_use(item)
    if use == "transactional":
        regulations.maybe_emptied = True
    elif use == "db" and regulations.maybe_emptied:
        from kiemdinh.testing.world import load_frameworks

        with regulations.blocker.unblock():
            load_frameworks()
        regulations.maybe_emptied = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 stays the production hasher (see test_settings); tests hash with MD5 for speed.
    from kiemdinh.testing.world import FAST_HASHERS

    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded evidence files of a test go to its own temporary directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The address of an S3-compatible server for the storage tests: KIEMDINH_TEST_S3_ENDPOINT when set (.ci/run starts
    moto's server), else moto's server started for this session (moto is a dev dependency)."""
    import importlib.util
    import os

    from kiemdinh.testing.storage import MotoServer

    if os.environ.get("KIEMDINH_TEST_S3_ENDPOINT"):
        yield os.environ["KIEMDINH_TEST_S3_ENDPOINT"].rstrip("/")
        return
    if importlib.util.find_spec("moto") is None:
        pytest.skip("no S3 server: set KIEMDINH_TEST_S3_ENDPOINT or install the dev extras (moto)")
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    yield server.endpoint
    server.stop()


@pytest.fixture(scope="session")
def _s3_default_storage(s3_endpoint):
    """STORAGES["default"] as config/settings.py makes it for KIEMDINH_STORAGE=s3 with the test server."""
    from kiemdinh.testing.storage import s3_environment, settings_with

    return settings_with(s3_environment(s3_endpoint, bucket="placeholder"))["STORAGES"]["default"]


@pytest.fixture
def s3_storage(settings, s3_endpoint, _s3_default_storage):
    """The default storage switched to S3 (django-storages, configured as in production) on a fresh bucket, removed
    after the test; returns the storage."""
    from django.core.files.storage import default_storage

    from kiemdinh.testing.storage import drop_bucket, new_bucket, s3_client

    client = s3_client(s3_endpoint)
    bucket = new_bucket(client)
    options = {**_s3_default_storage["OPTIONS"], "bucket_name": bucket}
    settings.STORAGES = {**settings.STORAGES, "default": {**_s3_default_storage, "OPTIONS": options}}
    yield default_storage
    drop_bucket(client, bucket)


@pytest.fixture(params=["files", "s3"])
def any_storage(request):
    """Runs the test on each storage: the file system (the test's own MEDIA_ROOT) and S3; returns the storage."""
    from django.core.files.storage import default_storage

    if request.param == "s3":
        return request.getfixturevalue("s3_storage")
    return default_storage


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache is the one production uses (Redis when KIEMDINH_REDIS_URL is set): a test starts with it empty, as
    # its rows (rolled back at its end) must not be seen through the cache by the next.
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def no_frameworks(db):
    """The test starts from a database without any regulation (removed inside its transaction, so rolled back)."""
    from kiemdinh.core.audit import Event
    from kiemdinh.core.models import AuditEvent
    from kiemdinh.frameworks.models import FrameworkVersion

    FrameworkVersion.objects.all().delete()
    AuditEvent.objects.filter(event_type=Event.FRAMEWORK_LOADED).delete()


@pytest.fixture
def world(db):
    from kiemdinh.testing.world import build_world

    return build_world()


@pytest.fixture
def make_cycle(world):
    """Opens a self-assessment cycle through the service, as the school's principal does: `make_cycle("2024-2025")`
    for school A (primary: TT17/2018 up to 2025-2026, TT57/2026 from 2026-2027), `school="b"` for school B
    (kindergarten: TT19/2018 up to 2025-2026)."""
    from kiemdinh.workflow.services import cycle_open

    def make(school_year: str = "2025-2026", *, school: str = "a"):
        return cycle_open(
            actor=getattr(world, f"principal_{school}"),
            school=getattr(world, f"school_{school}"),
            school_year=school_year,
        )

    return make


@pytest.fixture
def cycle(make_cycle):
    """School A's 2025-2026 cycle, on TT17/2018 (criteria codes [Hn-a.b-cc], with Mức 4 items)."""
    return make_cycle("2025-2026")


@pytest.fixture
def cycle57(make_cycle):
    """School A's 2026-2027 cycle, on TT57/2026 for general education (codes MC.a.b.cc)."""
    return make_cycle("2026-2027")


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The personas built once for the module, rolled back at its end, for modules (or a folder's conftest) whose
    tests take them as their `world`: `def world(module_world, db): return fresh_world(module_world)`."""
    from kiemdinh.testing.world import build_world, load_frameworks, rolled_back

    with rolled_back(django_db_blocker):
        load_frameworks()
        yield build_world()


@pytest.fixture
def frameworks_loaded(db):
    from kiemdinh.testing.world import load_frameworks

    load_frameworks()


@pytest.fixture
def browser_page(settings):
    """A Chromium page (Debian's browser, driven by Playwright) for tests with `live_server`; skips without Chromium."""
    import os

    from kiemdinh.testing.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """build_demo once for the module (it is slow), rolled back at its end; returns its DemoBuild."""
    from kiemdinh.devtools.demo.build import build_demo
    from kiemdinh.testing.world import load_frameworks, rolled_back

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), rolled_back(django_db_blocker):
        load_frameworks()
        yield build_demo()


@pytest.fixture
def demo(_demo, db):
    return _demo


@pytest.fixture
def demo_world(db):
    """The demo as a new installation gets it (the regulations, then seed_demo), committed: for a live server's test
    (transactional, emptied at its end)."""
    from django.core.management import call_command

    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
