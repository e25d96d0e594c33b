"""Settings for every environment, read from environment variables.

TRACKER_ENV picks the posture: `development` (the default, for `make run`)
or `production` (secrets required, DEBUG off, HTTPS hardening on). Every
variable is listed with a comment in .env.example and in the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from tracker.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Project-local, git-ignored state of the embedded defaults (database, broker).
LOCAL_DIR = Path(env_str("TRACKER_LOCAL_DIR", str(BASE_DIR / ".local")))

TRACKER_ENV = env_choice("TRACKER_ENV", ("development", "production"), "development")
PRODUCTION = TRACKER_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", "production never runs on a default key")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
    DEBUG = env_bool("DEBUG", False)
    if DEBUG:
        raise ImproperlyConfigured("DEBUG=true is refused when TRACKER_ENV=production")
else:
    # A fixed development key: it signs nothing that leaves this machine.
    SECRET_KEY = env_str("SECRET_KEY", "development-only-key-not-for-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
    DEBUG = env_bool("DEBUG", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "axes",
    "csp",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.jurisdictions",
    "apps.instruments",
    "apps.obligations",
    "apps.amendments",
    "apps.reading",
    "apps.record",
    "apps.dataset",
    "apps.sources",
    "apps.accounts",
    "apps.cases",
    "apps.api",
    "apps.portal",
    "django_htmx",
    "apps.webhooks",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Compression before the ETag check, so a 304 compares the body as sent.
    "django.middleware.gzip.GZipMiddleware",
    "apps.core.middleware.ConditionalGetMiddleware",  # Django's, for HEAD too
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

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
            ],
        },
    },
]

# --- Database: PostgreSQL everywhere --------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL is None:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. `make run` and `make test` start an embedded "
        "PostgreSQL and set it for you; for other commands use "
        "`.venv/bin/python -m tracker.devstack exec -- python manage.py ...`."
    )
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        "DATABASE_URL must be a postgres:// URL: the product needs PostgreSQL"
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ----------------------------------------------------------------
# Without a broker URL the worker and beat talk through files in .local/broker:
# a real worker process, no server to install.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
BROKER_FOLDER = LOCAL_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Any process may queue a task (a management command too), so the folders
    # must exist before the first message, not only when `make run` starts.
    for _folder in ("queue", "control"):
        (BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless this
# is set; a new connection per check cost more than the check. Connections are still
# checked before each task (tracker/celery.py: close_old_connections).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200, minimum=0)
CELERY_TIMEZONE = "UTC"
# Worker logs follow LOGGING below (one line per event) instead of Celery's own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_DIR / "celerybeat-schedule")
CELERY_HEARTBEAT_SECONDS = env_int("CELERY_HEARTBEAT_SECONDS", 60, minimum=5)
# The dispatcher has a queue of its own: behind a backlog of checks in the default
# queue it waited for all of them (issue 26). A worker started without -Q consumes
# every queue named here; docker-compose.yml names both.
SOURCES_DISPATCH_QUEUE = "sources.dispatch"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
    Queue(SOURCES_DISPATCH_QUEUE, routing_key=SOURCES_DISPATCH_QUEUE),
)
CELERY_TASK_ROUTES = {"apps.sources.tasks.dispatch": {"queue": SOURCES_DISPATCH_QUEUE}}

# --- Watching sources ------------------------------------------------------
# Only for tests and local experiments: lets the watcher fetch private addresses.
SOURCES_ALLOW_PRIVATE = env_bool("SOURCES_ALLOW_PRIVATE", False)
if PRODUCTION and SOURCES_ALLOW_PRIVATE:
    raise ImproperlyConfigured("SOURCES_ALLOW_PRIVATE=true is refused in production")
SOURCES_FETCH_TIMEOUT = env_int("SOURCES_FETCH_TIMEOUT", 20, minimum=1)
SOURCES_MAX_BYTES = env_int("SOURCES_MAX_BYTES", 10_000_000, minimum=1000)
SOURCES_BROKEN_AFTER = env_int("SOURCES_BROKEN_AFTER", 3, minimum=1)
# Beat queues a dispatcher run this often; a run with no recent pace to follow (below)
# claims up to DISPATCH_PER_SLOT checks for each pool slot of the workers that take
# checks, less those already queued or running (apps/sources/capacity.py). DISPATCH_BATCH
# is the claim when no worker has announced its slots.
SOURCES_DISPATCH_SECONDS = env_int("SOURCES_DISPATCH_SECONDS", 1, minimum=1)
# Sized for fast checks: an unchanged check takes 2 to 5 ms, so a slot empties 100 in
# well under the second to the next run (bench 13: 100 left it idle half the first
# second). Too many for slow hosts costs little: a batch hands back the checks it
# could not start in time (apps/sources/tasks.py), and the next runs follow the pace.
SOURCES_DISPATCH_PER_SLOT = env_int("SOURCES_DISPATCH_PER_SLOT", 300, minimum=1)
# Once the workers' pace is known (checks ended per second since the last run), a run
# keeps this many seconds of checks at that pace queued or running instead, at least
# one message's worth per slot: the queue follows how fast checks end, so fast checks
# never wait for the next run and slow ones never wait past their claim.
SOURCES_QUEUE_SECONDS = env_int("SOURCES_QUEUE_SECONDS", 10, minimum=1)
SOURCES_DISPATCH_BATCH = env_int("SOURCES_DISPATCH_BATCH", 50, minimum=1)
SOURCES_HOST_SPACING = env_int("SOURCES_HOST_SPACING", 10, minimum=0)
# A check's soft time limit: past it the check stops and counts as a failed check
# (its hard limit is 30 s later, the time to record that).
SOURCES_CHECK_SOFT_SECONDS = env_int("SOURCES_CHECK_SOFT_SECONDS", 120, minimum=1)
# How long after its planned start a queued check may go without reporting back before
# the dispatcher takes it as lost and claims the source again: a small multiple of the
# check's hard time limit, so a check still running is not taken as lost.
SOURCES_CLAIM_SECONDS = env_int("SOURCES_CLAIM_SECONDS", 600, minimum=1)
if SOURCES_CLAIM_SECONDS < SOURCES_CHECK_SOFT_SECONDS:
    # A batch of checks starts none that could outlive its claim (apps/sources/tasks.py):
    # with a claim shorter than one check's limit, no check would ever start.
    raise ImproperlyConfigured(
        f"SOURCES_CLAIM_SECONDS ({SOURCES_CLAIM_SECONDS}) must be at least "
        f"SOURCES_CHECK_SOFT_SECONDS ({SOURCES_CHECK_SOFT_SECONDS})"
    )
# Checks queued in one message (a batch that starts together): a message costs a
# worker's pool process more than an unchanged check does (bench 13, issue 26).
SOURCES_CHECKS_PER_MESSAGE = env_int("SOURCES_CHECKS_PER_MESSAGE", 10, minimum=1)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    # A message whose worker died stays unacknowledged in Redis until this many
    # seconds pass (kombu's default is an hour); then it is delivered again. A check
    # delivered twice stores nothing twice (services.py), so erring short is safe.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": SOURCES_CLAIM_SECONDS}

# Snapshots older than this many days are pruned (their rows, and the bodies of those a
# case's evidence still shows); the newest of each source is always kept.
SOURCES_SNAPSHOT_KEEP_DAYS = env_int("SOURCES_SNAPSHOT_KEEP_DAYS", 365, minimum=1)

# --- Backups and bulk snapshots (apps/core/backups.py, apps/api/snapshots.py) ---
# Where `manage.py backup` writes (beside the checkout, not in .local/: `make clean-local`
# must not take the backups with the database), and how many days of them are kept.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 14, minimum=1)
# The folder of pg_dump and pg_restore; empty: the embedded wheel's or PATH's (see backups.py).
BACKUP_PG_BIN = env_str("BACKUP_PG_BIN", "")
# The bulk snapshots of the published record the API lists, and how long they are kept.
SNAPSHOTS_DIR = Path(env_str("SNAPSHOTS_DIR", str(LOCAL_DIR / "snapshots")))
SNAPSHOTS_KEEP_DAYS = env_int("SNAPSHOTS_KEEP_DAYS", 7, minimum=1)

# --- Auth, i18n, static ---------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout check runs before the password is even looked at.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Days an emailed invitation link stays valid (apps/accounts/invitations.py).
ACCOUNTS_INVITE_DAYS = env_int("ACCOUNTS_INVITE_DAYS", 7, minimum=1)

# Failed sign-ins (portal and admin alike) are counted per user name AND address
# together: an attacker elsewhere can lock out only their own address, never the user.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# Tries during a lockout do not extend it, so the time the lockout page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockout.client_address"
# Reverse proxies in front of the web process that append to X-Forwarded-For; 0 takes
# the connection's address. Behind a proxy, 0 would give every client the proxy's address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)

# Every page, portal and admin: our own scripts and styles only, never inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Mail: invitations (the only way to make accounts) and password resets --------
# Production sends through SMTP unless told otherwise; development prints to the console.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
# The SMTP server; defaults are Django's own (localhost:25, no sign-in, no encryption).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# STARTTLS (usually port 587) or TLS from the first byte (usually 465): one or neither.
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    # Django's SMTP backend would refuse this only when the first message is sent.
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: STARTTLS or implicit TLS, not both"
    )
# Seconds an SMTP connection may wait: without a limit a silent server holds a worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Where the file-based email backend writes one file per message.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(LOCAL_DIR / "mail"))

# --- Cache: throttling counters and other short-lived shared state ---------
# Redis when REDIS_URL is set, so every web process shares one count; process
# memory otherwise (a fresh machine has no Redis).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# How long an answer kept under the record's version lives (apps.reading.cache);
# 0 turns the cache off. The version moves on every publication, so this only bounds
# memory, never staleness.
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 24 * 3600, minimum=0)

# --- API (apps/api) ----------------------------------------------------------
# The address readers reach this service at: links in webhook payloads and mail,
# which are built outside any request.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Whether requests without a key may read the published record; the schema and
# its documentation pages are always public.
API_ANONYMOUS_READ = env_bool("API_ANONYMOUS_READ", False)
API_KEY_RATE = env_str("API_KEY_RATE", "1200/minute")
API_ANONYMOUS_RATE = env_str("API_ANONYMOUS_RATE", "60/minute")
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.KeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.problems.handle",
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": "format",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI regulation tracker API",
    "DESCRIPTION": "The published record of how the world regulates AI: jurisdictions, "
    "instruments, obligations, amendments, and the feed of every change applied to them.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What an amendment does to an obligation (`include=effects`, an obligation's history).
    "ENUM_NAME_OVERRIDES": {"EffectKindEnum": "apps.amendments.models.EffectKind"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_problems",
        "apps.api.schema.tighten_parameters",
        "apps.api.schema.describe_parameters",
    ],
}

# --- Webhooks (apps/webhooks) ------------------------------------------------
# Seconds each connect, write and read of a delivery may take; a whole delivery
# ends after three times this at the latest.
WEBHOOKS_TIMEOUT = env_int("WEBHOOKS_TIMEOUT", 10, minimum=1)
# Failed deliveries in a row before an endpoint is disabled (a success resets the count).
WEBHOOKS_DISABLE_AFTER = env_int("WEBHOOKS_DISABLE_AFTER", 8, minimum=1)
# The wait before the first retry, doubled after each further failure, up to the maximum.
WEBHOOKS_RETRY_SECONDS = env_int("WEBHOOKS_RETRY_SECONDS", 30, minimum=1)
WEBHOOKS_RETRY_MAX_SECONDS = env_int("WEBHOOKS_RETRY_MAX_SECONDS", 3600, minimum=1)
# Most changes in one POST.
WEBHOOKS_BATCH_SIZE = env_int("WEBHOOKS_BATCH_SIZE", 100, minimum=1)
# How often beat sweeps for endpoints with changes waiting (what a lost message missed).
WEBHOOKS_SWEEP_SECONDS = env_int("WEBHOOKS_SWEEP_SECONDS", 60, minimum=5)
# Days the delivery log keeps a finished delivery; one whose changes are still being
# retried is kept whatever its age.
WEBHOOKS_DELIVERY_KEEP_DAYS = env_int("WEBHOOKS_DELIVERY_KEEP_DAYS", 90, minimum=1)
# Endpoints' `kinds` and the feed's entity `kind` are one choice set: one schema enum.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["KindEnum"] = "apps.record.models.Target"

# --- Production hardening -------------------------------------------------
if PRODUCTION:
    # gunicorn serves no files; whitenoise serves the collected static files.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # /health/ is probed over plain HTTP by the orchestrator inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- Logging: one line per event, with the request id ----------------------
LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "apps.core.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
