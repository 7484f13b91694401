"""Settings for zoneeval, read from the environment.

``DEBUG`` is off unless ``DEBUG=1`` is set. With ``DEBUG=1`` and nothing else, zoneeval runs as an embedded demo
(what ``make demo`` does): a SQLite file under ``var/`` and Celery tasks executed eagerly in-process. With
``DATABASE_URL=postgres://…`` and ``CELERY_BROKER_URL=redis://…`` it uses PostgreSQL and Redis with real workers
(tests and production). With ``DEBUG`` off, the demo secret key, missing hosts and the SQLite file are refused.
"""
import datetime
import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from . import limits as _limits
from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZONEEVAL_VAR_DIR", BASE_DIR / "var"))

DEMO_SECRET_KEY = "zoneeval-demo-secret-key-not-for-production"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", False)  # on only when asked for (the demo: DEBUG=1)
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
# Origins (scheme://host[:port]) whose form posts are trusted besides this host, e.g. behind a proxy on another name.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

_DEMO_HINT = "For the embedded demo run with DEBUG=1 (make demo does)."
if DEBUG:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
else:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a random secret of at least 50 characters. "
                                   + _DEMO_HINT)
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(f"DEBUG is off: set ALLOWED_HOSTS (comma-separated host names). {_DEMO_HINT}")
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("DEBUG is off: set DATABASE_URL; the embedded SQLite demo database is refused. "
                                   + _DEMO_HINT)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "csp",
    "django_prose_editor",  # the rich-text editor's static files (no model field of it is used)
    "zoneeval.authorities",
    "zoneeval.reports",
    "zoneeval.assembly",
    "zoneeval.drafting",
    "zoneeval.workflow",
    "zoneeval.archive",
    "zoneeval.comparison",
]

MIDDLEWARE = [
    "zoneeval.logs.RequestIdMiddleware",  # first: every later log line of the request carries its id
    "zoneeval.health.HealthCheckMiddleware",  # /healthz before the Host check and the SSL redirect (see health.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/ with DEBUG off (collected, hashed, compressed)
    "zoneeval.reports.middleware.RequestTooLargeMiddleware",  # before anything reads a too-large body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the sign-in page with the reason
    "zoneeval.workflow.work_count.BumpAfterUnsafeRequestMiddleware",  # a POST done: the my-work counts read afresh
]

ROOT_URLCONF = "zoneeval.urls"

# A form POST may carry a 1 MB paste (so that the field says what is wrong and keeps it); larger ones get a 413 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = _limits.REQUEST_MAX_BYTES
WSGI_APPLICATION = "zoneeval.wsgi.application"

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
                "django.template.context_processors.i18n",
                "zoneeval.workflow.context_processors.my_work_count",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The embedded demo under concurrent requests: every transaction takes the write lock when it begins
    # (IMMEDIATE), so two writers queue up (busy timeout) instead of one failing with "database is locked" when
    # both try to upgrade a read lock; WAL lets pages be read while a save is being written.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "zoneeval.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,  # seconds a writer waits for the lock (SQLite's busy timeout)
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object; anonymous visitors get nothing.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
# Sign-in throttling (django-axes; attempts are stored in the database, so every process sees the same count):
# after LOGIN_FAILURE_LIMIT failures for one user name from one address, sign-in for that pair is refused for
# LOGIN_LOCKOUT_SECONDS; every further attempt restarts the wait; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(seconds=int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zoneeval.authorities.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # behind a proxy, configure axes' proxy settings
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Static files: WhiteNoise serves STATIC_ROOT. With DEBUG off (production) the storage is the manifest one: file names
# carry a content hash (cached for a year) and pre-compressed copies, so `manage.py collectstatic` must run before
# the web starts (deploy/Procfile's release step); a page naming a file that was not collected fails loudly. With
# DEBUG=1 at import (the demo, and tests/settings.py, although pytest-django then runs the tests with DEBUG off) the
# plain storage and WhiteNoise's finders serve the source folders, so nothing needs collecting.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
ARTEFACT_DIR = Path(os.environ.get("ZONEEVAL_ARTEFACT_DIR", VAR_DIR / "artefacts"))
# A draft's long pieces are cut further where their last layout broke the page (zoneeval/assembly/cuts.py), so an
# edit lays out one page or two again; off: each piece is laid out whole.
RENDER_CUT_PIECES = _env_bool("RENDER_CUT_PIECES", True)
# Rendered files (PDFs) go through Django's storage API (assembly/storage.py): the local folder ARTEFACT_DIR by
# default; an S3-compatible object store when ARTEFACT_S3_BUCKET is set, so that web and worker hosts share no disk.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "artefacts": {"BACKEND": "zoneeval.assembly.storage.ArtefactFileSystemStorage"},
}
if os.environ.get("ARTEFACT_S3_BUCKET"):
    # django-storages' S3 backend (AWS S3, MinIO, Ceph, any S3-compatible store). Downloads stream through Django
    # (FileResponse over Artefact.open()), so no signed URLs are handed out; names are content hashes, so a name that
    # is written again is the same content (file_overwrite).
    STORAGES["artefacts"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ARTEFACT_S3_BUCKET"],
            "endpoint_url": os.environ.get("ARTEFACT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ARTEFACT_S3_REGION") or None,
            "access_key": os.environ.get("ARTEFACT_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ARTEFACT_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("ARTEFACT_S3_PREFIX", "").strip("/"),
            "file_overwrite": True,
            "querystring_auth": False,
            "default_acl": None,
        },
    }

# Celery: a real broker when CELERY_BROKER_URL is given, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL:
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Two queues: ``render`` for WeasyPrint renders (memory-hungry: its workers run with their own concurrency and a
# memory cap per child, see README "Production"), ``default`` for everything else. An explicit ``queue=`` given when
# a task is sent (tests isolate their workers so) takes precedence over these routes.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "zoneeval.assembly.tasks.render_piece_stage": {"queue": "render"},
    "zoneeval.assembly.tasks.merge_pieces_stage": {"queue": "render"},
    "zoneeval.assembly.tasks.render_final_stage": {"queue": "render"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# Celery beat (deploy/: the "beat" process, exactly one per installation): the overdue-work reminder e-mails
# (zoneeval/workflow/tasks.py) every day at 08:00 in TIME_ZONE; the piece cache pruned at 03:30.
CELERY_BEAT_SCHEDULE = {
    "overdue-reminders": {"task": "zoneeval.workflow.tasks.send_overdue_reminders",
                          "schedule": crontab(hour=8, minute=0)},
    # the piece cache (zoneeval/assembly/pieces.py) without what was written more than PIECES_KEEP_DAYS ago
    "prune-pieces": {"task": "zoneeval.assembly.tasks.prune_pieces", "schedule": crontab(hour=3, minute=30)},
}
PIECES_KEEP_DAYS = int(os.environ.get("PIECES_KEEP_DAYS", "7"))
# The navigation's my-work count is cached per user until the next write (zoneeval/workflow/work_count.py); with a
# cache of its own per process (no Redis), another process's write shows within this many seconds.
MY_WORK_COUNT_SECONDS = int(os.environ.get("MY_WORK_COUNT_SECONDS", "15"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline script, no
# inline style, no eval; the PDF renderer (WeasyPrint) does not go through HTTP and is not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP (health.py answers first anyway)

# Cache: Redis at CACHE_URL; without it, the broker's Redis when there is one (so that every process shares it),
# else a per-process memory cache (the demo).
CACHE_URL = os.environ.get("CACHE_URL") or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "zoneeval"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail (the reminders and workflow notifications): SMTP when EMAIL_HOST is set, else printed on the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                                                    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (port 465), not both.")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zoneeval@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)  # the sender of error mail to ADMINS
# ADMINS="Name <a@example.org>, b@example.org": who gets a mail for every server error (500); none by default.
ADMINS = [(name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address]

# /healthz: how long to wait for workers to answer a ping (seconds).
HEALTHZ_WORKER_TIMEOUT = float(os.environ.get("HEALTHZ_WORKER_TIMEOUT", "2"))

# Logs: one line per event on stderr, each with the request id (web) or the Celery task id (workers);
# LOG_FORMAT=json writes one JSON object per line. Celery workers and beat, and gunicorn's own lines
# (deploy/gunicorn.conf.py), use the same configuration (zoneeval/logs.py). INFO by default in production (one line
# per request and per task); the demo keeps runserver's own lines and WARNING.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "WARNING" if DEBUG else "INFO"), LOG_FORMAT)
