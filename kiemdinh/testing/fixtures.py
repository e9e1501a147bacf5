"""The suite's shared fixtures, a pytest plugin registered by kiemdinh.testing.pytest_plugin after pytest-django: the
regulations loaded once per session, the personas' world, the demo, storage on files and S3, a Chromium page."""

import pytest
from django.test import override_settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The regulations are loaded once into the test database, committed: a test's own `load_frameworks()` then
    finds each version unchanged (5 queries instead of about 4,000 writes). A transactional test empties the
    database at its end; pytest-django runs those after the others, and the next `load_frameworks()` loads again."""
    from kiemdinh.testing.world import load_frameworks

    with django_db_blocker.unblock():
        load_frameworks()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 stays the production hasher (see test_settings); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    from kiemdinh.core.models import AuditEvent
    from kiemdinh.frameworks.models import FrameworkVersion

    FrameworkVersion.objects.all().delete()
    AuditEvent.objects.filter(event_type="framework.loaded").delete()


@pytest.fixture
def world(db):
    from kiemdinh.testing.world import build_world

    return build_world()


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
    from kiemdinh.devtools.demo import build_demo
    from kiemdinh.testing.world import load_frameworks, rolled_back

    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with fast, rolled_back(django_db_blocker):
        load_frameworks()
        yield build_demo()


@pytest.fixture
def demo(_demo, db):
    return _demo
