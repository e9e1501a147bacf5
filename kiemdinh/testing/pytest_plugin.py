"""Loaded with `-p` before pytest-django reads the settings (see pyproject.toml); registers the suite's fixtures."""

import os
from urllib.parse import urlsplit, urlunsplit

# The suite runs with production-like settings (KIEMDINH_DEBUG=0), which require a secret key.
os.environ.setdefault("KIEMDINH_SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client and the live server speak plain HTTP; production redirects to HTTPS (KIEMDINH_SSL_REDIRECT).
os.environ.setdefault("KIEMDINH_SSL_REDIRECT", "0")
# The live server answers each request on a new thread: persistent connections would stay open, one per thread, and
# keep PostgreSQL's test database busy at teardown.
os.environ.setdefault("KIEMDINH_DB_CONN_MAX_AGE", "0")
# Background tasks run at once in the test process (a worker is not part of the suite).
os.environ.setdefault("KIEMDINH_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")


def _worker_redis_url(url: str, worker: str) -> str:
    """KIEMDINH_REDIS_URL names the first of the suite's Redis databases; pytest-xdist's worker gwN uses the Nth after
    it, since each test starts by emptying its cache (FLUSHDB, the whole database, whatever the key prefix)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    if database > 15:
        raise RuntimeError(
            f"KIEMDINH_REDIS_URL={url}: xdist worker {worker} would use Redis database {database}; Redis has 0 to 15 "
            "unless configured otherwise. Name a lower first database, or run fewer workers."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


if os.environ.get("KIEMDINH_REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["KIEMDINH_REDIS_URL"] = _worker_redis_url(
        os.environ["KIEMDINH_REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )


def pytest_configure(config):
    # The suite's fixtures are registered now, after pytest-django (an installed plugin, loaded after the `-p` ones):
    # of two plugins' fixtures with one name the later wins, and kiemdinh.testing.fixtures replaces pytest-django's
    # django_db_setup (to load the regulations once per session). Given with `-p`, it would come first and lose.
    config.pluginmanager.import_plugin("kiemdinh.testing.fixtures")


# The longest test files, measured (docs/testing.md), run first: with --dist loadfile a file's tests go to one worker,
# and a long file started last keeps that worker busy while the others have finished. Other files keep their order.
LONG_FILES = (
    "kiemdinh/core/tests/test_access_matrix.py",
    "kiemdinh/core/tests/test_huge_ids.py",
    "kiemdinh/core/tests/test_browser_foundation.py",
    "kiemdinh/devtools/tests/test_backup.py",
    "kiemdinh/selfassessment/tests/test_browser_journey.py",
    "kiemdinh/frameworks/tests/test_evaluate_command.py",
    "kiemdinh/core/tests/test_browser_csp.py",
    "kiemdinh/evaluation/tests/test_browser_evaluation_journey.py",
    "kiemdinh/core/tests/test_form_input.py",
    "kiemdinh/improvement/tests/test_browser_improvement.py",
    "kiemdinh/core/tests/test_frozen_dossier.py",
    "kiemdinh/core/tests/test_storage.py",
    "kiemdinh/evaluation/tests/test_browser_registration.py",
    "kiemdinh/planning/tests/test_browser_planning.py",
    "kiemdinh/core/tests/test_hostile_imports.py",
    "kiemdinh/documents/tests/test_dossier.py",
    "kiemdinh/evaluation/tests/test_views.py",
    # transactional on PostgreSQL (threads, each test's tables emptied and the regulations loaded again after it)
    "kiemdinh/core/tests/test_double_submit.py",
    "kiemdinh/oversight/tests/test_services.py",
    "kiemdinh/core/tests/test_concurrency.py",
)


# Fixtures through which a test reaches the database: pytest-django's, and django_db_setup, which the module fixtures
# (module_world, the demo) build on. Not django_db_blocker: pytest-django's autouse fixtures take it for every test.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_setup", "live_server", "django_db_serialized_rollback"}
)


def uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    rank = {path: i for i, path in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
    # KIEMDINH_TEST_DATABASE_ONLY=1 (.ci/run's second run, on PostgreSQL): a test that reaches no database gives the
    # same result whatever DATABASE_URL is, and has run already in the first run; only the others run again.
    if os.environ.get("KIEMDINH_TEST_DATABASE_ONLY") == "1":
        free = [item for item in items if not uses_database(item)]
        if free:
            config.hook.pytest_deselected(items=free)
            items[:] = [item for item in items if uses_database(item)]
