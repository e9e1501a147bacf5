"""The one settings module. Every value comes from an environment variable with a default; see .env.example."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required (see .env.example).")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("KIEMDINH_DEBUG", False)
SECRET_KEY = env_str("KIEMDINH_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = env_list("KIEMDINH_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("KIEMDINH_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

VAR_DIR = Path(env_str("KIEMDINH_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "template_partials",
    "axes",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "kiemdinh.core",
    "kiemdinh.accounts",
    "kiemdinh.units",
    "kiemdinh.frameworks",
    "kiemdinh.selfassessment",
    "kiemdinh.evidence",
    "kiemdinh.documents",
    "kiemdinh.evaluation",
    "kiemdinh.recognition",
    "kiemdinh.planning",
    "kiemdinh.improvement",
    "kiemdinh.oversight",
    "kiemdinh.emulation",
    "kiemdinh.workflow",
    "kiemdinh.public",
    "kiemdinh.api",
    "kiemdinh.workspace",
    "kiemdinh.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor (TOTP, optional, offered to officers): django-otp marks the verified request, ours sends a user
    # who set one up to the code page until the session is verified (kiemdinh/accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "kiemdinh.accounts.two_factor.SecondFactorMiddleware",
    "kiemdinh.accounts.middleware.ActingRoleMiddleware",
    "kiemdinh.accounts.middleware.IdleSessionMiddleware",
    # After the session and the user, before the messages: see kiemdinh/core/submits.py.
    "kiemdinh.core.submits.DoubleSubmitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kiemdinh.workspace.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kiemdinh.sqlite3'}"),
        # Persistent connections for the production server's long-lived workers; the development server starts a
        # thread per request, which would leave one open connection per thread.
        conn_max_age=env_int("KIEMDINH_DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Session settings for this application's short queries: JIT compilation (hundreds of ms on the national-scale
    # bench) costs far more than it saves, and random_page_cost 1.1 (SSD storage) lets the planner use the unit and
    # school indexes for a province's schools instead of scanning every school of the country. A server tuned
    # otherwise can replace them with KIEMDINH_PG_OPTIONS.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", env_str("KIEMDINH_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep concurrent readers and one writer from failing with "database is locked". Write
    # transactions begin IMMEDIATE: a deferred one that reads first and then writes cannot wait for another writer
    # (SQLite answers "database is locked" at once instead of applying the timeout), as the bench's load run showed.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kiemdinh.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
OTP_TOTP_ISSUER = "Kiểm định"  # the name authenticator apps show beside the account
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures, and an address after more failures
# across usernames (kiemdinh/accounts/throttling.py); both for KIEMDINH_LOGIN_COOLOFF_MINUTES.
AXES_ENABLED = env_bool("KIEMDINH_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("KIEMDINH_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("KIEMDINH_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KIEMDINH_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "kiemdinh.accounts.throttling.LoginThrottleHandler"
AXES_LOCKOUT_CALLABLE = "kiemdinh.accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy every request arrives from the proxy's address, and one address's failures would lock everyone
# out. KIEMDINH_CLIENT_IP_HEADER names the header in which the proxy gives the client's address (deploy/nginx.conf sets
# X-Real-IP); throttling then counts by it. Set it only where the app servers are reachable through the proxy alone: a
# client reaching them directly could choose its own address.
CLIENT_IP_HEADER = env_str("KIEMDINH_CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "kiemdinh.accounts.throttling.client_address" if CLIENT_IP_HEADER else None

LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("KIEMDINH_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("KIEMDINH_MEDIA_ROOT", str(VAR_DIR / "media")))
# Stored files (evidence, task documents, finished exports) go through Django's storage API only, read and written in
# pieces (kiemdinh/core/storage.py), never by a local path. KIEMDINH_STORAGE=files (the default) keeps them under
# MEDIA_ROOT on this machine; KIEMDINH_STORAGE=s3 keeps them in a bucket of an S3-compatible object store (AWS, MinIO,
# Ceph RGW, the object storage of Vietnamese clouds) through django-storages, shared by every app server.
_STORAGE = env_str("KIEMDINH_STORAGE", "files")
if _STORAGE == "files":
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif _STORAGE == "s3":
    from boto3.s3.transfer import TransferConfig

    if not env_str("KIEMDINH_S3_BUCKET", ""):
        raise ImproperlyConfigured(
            "KIEMDINH_STORAGE=s3 needs KIEMDINH_S3_BUCKET, the bucket's name (see .env.example)."
        )
    _S3_ADDRESSING_STYLE = env_str("KIEMDINH_S3_ADDRESSING_STYLE", "path")
    if _S3_ADDRESSING_STYLE not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            f"KIEMDINH_S3_ADDRESSING_STYLE must be path, virtual or auto, got {_S3_ADDRESSING_STYLE!r}."
        )
    _S3_SIGNED_URL_SECONDS = env_int("KIEMDINH_S3_SIGNED_URL_SECONDS", 60)
    if _S3_SIGNED_URL_SECONDS < 1:
        raise ImproperlyConfigured("KIEMDINH_S3_SIGNED_URL_SECONDS must be at least 1.")
    # A file larger than 8 MB goes up in 8 MB parts, one after the other, so an upload holds about one part in memory
    # whatever the file's size; boto3's default threads read up to ten parts ahead (a whole 30 MB file, measured).
    _S3_TRANSFER = TransferConfig(
        multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, use_threads=False
    )
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("KIEMDINH_S3_BUCKET"),
            "endpoint_url": env_str("KIEMDINH_S3_ENDPOINT_URL", "") or None,  # empty: AWS
            "region_name": env_str("KIEMDINH_S3_REGION", "") or None,
            # Empty keys: boto3's own chain (AWS_ACCESS_KEY_ID…, ~/.aws, the instance's role).
            "access_key": env_str("KIEMDINH_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("KIEMDINH_S3_SECRET_ACCESS_KEY", "") or None,
            # Path style (https://host/bucket/key) works with MinIO, Ceph RGW and most S3-compatible stores; AWS
            # takes both.
            "addressing_style": _S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "location": env_str("KIEMDINH_S3_PREFIX", "").strip("/"),  # a folder inside the bucket, if shared
            # Objects are never public: no ACL is sent (new AWS buckets refuse ACL headers), so each object is as
            # private as the bucket, which must not be public; every URL is signed and short-lived (a download
            # streams through the application unless KIEMDINH_S3_SIGNED_DOWNLOADS=1).
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": _S3_SIGNED_URL_SECONDS,
            # Two uploads of the same name never replace each other: the second gets a suffix, as on the disk.
            "file_overwrite": False,
            "transfer_config": _S3_TRANSFER,
        },
    }
else:
    raise ImproperlyConfigured(f"KIEMDINH_STORAGE must be files or s3, got {_STORAGE!r}.")
# With S3, a download answers with a redirect to a presigned URL valid KIEMDINH_S3_SIGNED_URL_SECONDS, so the bytes go
# from the bucket to the browser instead of through the application (kiemdinh/core/storage.py).
KIEMDINH_S3_SIGNED_DOWNLOADS = env_bool("KIEMDINH_S3_SIGNED_DOWNLOADS", False)
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Cache and sessions. App servers keep nothing of their own between requests, so any number of them can serve one
# installation behind a load balancer. With KIEMDINH_REDIS_URL (redis://host:6379/0), the cache is Django's Redis
# backend, shared by every server, and sessions are read through it and written through to the database
# (cached_db: the database stays the record). Without it (the default SQLite set-up of ./scripts/run, one machine),
# the cache is this process's memory and sessions are read from the database on every request: a cache in one
# process's memory must never hold a session, or a sign-out served by one process would not reach another.
REDIS_URL = env_str("KIEMDINH_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("KIEMDINH_CACHE_PREFIX", "kiemdinh"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session ends after this many minutes without a request (kiemdinh/accounts/middleware.py keeps it alive while used).
SESSION_IDLE_MINUTES = env_int("KIEMDINH_SESSION_IDLE_MINUTES", 120)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("KIEMDINH_SESSION_IDLE_MINUTES must be at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (whole-district exports): stored in the database, run by `manage.py db_worker` (scripts/run
# starts one). The test suite runs them immediately in the calling thread.
TASKS = {
    "default": {
        "BACKEND": env_str("KIEMDINH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Uploads: Excel imports and evidence files (stored through the default storage).
# E-mail (reminders): an SMTP server when KIEMDINH_EMAIL_HOST is set; otherwise messages are written to the console.
EMAIL_HOST = env_str("KIEMDINH_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("KIEMDINH_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("KIEMDINH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("KIEMDINH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KIEMDINH_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("KIEMDINH_EMAIL_FROM", "kiemdinh@localhost")
KIEMDINH_SITE_URL = env_str("KIEMDINH_SITE_URL", "http://127.0.0.1:8000")  # links in e-mails

# Excel/CSV imports (kiemdinh/core/tabular/): an upload breaking a cap is refused before it is parsed further, with
# a message naming the cap. A checked list waits for confirmation KIEMDINH_IMPORT_PENDING_HOURS, then its preview is
# purged (./scripts/manage purge_imports).
KIEMDINH_IMPORT_MAX_BYTES = env_int("KIEMDINH_IMPORT_MAX_MB", 5) * 1024 * 1024
KIEMDINH_IMPORT_MAX_UNZIPPED_BYTES = env_int("KIEMDINH_IMPORT_MAX_UNZIPPED_MB", 20) * 1024 * 1024
KIEMDINH_IMPORT_MAX_ROWS = env_int("KIEMDINH_IMPORT_MAX_ROWS", 5000)
KIEMDINH_IMPORT_MAX_COLUMNS = env_int("KIEMDINH_IMPORT_MAX_COLUMNS", 50)
KIEMDINH_IMPORT_MAX_CELL_CHARS = env_int("KIEMDINH_IMPORT_MAX_CELL_CHARS", 5000)
KIEMDINH_IMPORT_PENDING_HOURS = env_int("KIEMDINH_IMPORT_PENDING_HOURS", 24)
KIEMDINH_EVIDENCE_MAX_BYTES = env_int("KIEMDINH_EVIDENCE_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# HTTPS and security headers. Production serves HTTPS only: plain-HTTP requests are redirected and browsers are told
# (HSTS) to use HTTPS for KIEMDINH_HSTS_SECONDS. Behind a reverse proxy that terminates TLS, set
# KIEMDINH_PROXY_SSL_HEADER=1 (and make the proxy set X-Forwarded-Proto) or the redirect loops.
SECURE_COOKIES = env_bool("KIEMDINH_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("KIEMDINH_SSL_REDIRECT", not DEBUG)
if env_bool("KIEMDINH_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("KIEMDINH_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KIEMDINH_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("KIEMDINH_HSTS_PRELOAD", False)
# Subdomains and preloading stay opt-in (a school or district domain often hosts other sites, some on plain HTTP);
# `check --deploy` would warn about that deliberate default, so those two warnings are silenced only while off.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp). Scripts and styles come only from our own static files: templates carry no
# inline <script> (json_script data blocks are not executed), no on…= handlers and no style attributes; behaviour
# hangs on data- attributes read by static/js/app.js. KIEMDINH_CSP_REPORT_ONLY=1 sends the policy as report-only.
_CSP_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if env_bool("KIEMDINH_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY
else:
    CONTENT_SECURITY_POLICY = _CSP_POLICY

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KIEMDINH_LOG_LEVEL", "WARNING")},
}
