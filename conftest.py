import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The regulations are loaded once into the test database, committed: a test's own `load_frameworks()` then
    finds each version unchanged (5 queries instead of about 4,000 writes). A transactional test empties the
    database at its end; pytest-django runs those after the others, and the next `load_frameworks()` loads again."""
    from kiemdinh.core.testing import load_frameworks

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
    from kiemdinh.core.testing import build_world

    return build_world()


@pytest.fixture
def frameworks_loaded(db):
    from kiemdinh.core.testing import load_frameworks

    load_frameworks()


@pytest.fixture
def browser_page(settings):
    """A Chromium page (Debian's browser, driven by Playwright) for tests with `live_server`; skips without Chromium."""
    import os

    from kiemdinh.core.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

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
