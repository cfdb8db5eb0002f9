"""Settings of HQ, read from the environment.

PostgreSQL in production (DATABASE_URL=postgres://…); SQLite only for the demo. With
APP_ENV=production (the default) HQ refuses to start without its own SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from deploy.web.request_ids import logging_config
from deploy.web.security import web_settings

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

APP_ENV = env.str("APP_ENV", default="production")
if APP_ENV not in {"production", "development"}:
    raise ImproperlyConfigured(f"APP_ENV must be 'production' or 'development', not {APP_ENV!r}")
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
(VAR_DIR / "hq").mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "insecure-development-key-for-hq"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if APP_ENV == "development" else "")
if APP_ENV == "production" and (not SECRET_KEY or SECRET_KEY.startswith("insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production HQ needs its own secret "
        "(set SECRET_KEY, or APP_ENV=development on a development box)."
    )
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# In Kubernetes the pod's own address (POD_IP, from the downward API): Prometheus scrapes
# /metrics by it.
if env.str("POD_IP", default=""):
    ALLOWED_HOSTS.append(env.str("POD_IP"))

# Store requests are signed; a signature older or newer than this is refused.
SIGNATURE_WINDOW_SECONDS = env.int("SIGNATURE_WINDOW_SECONDS", default=300)
CONFIG_PAGE_SIZE = env.int("CONFIG_PAGE_SIZE", default=5000)
# A version that changes more than this fraction of the catalogue is pulled whole.
CONFIG_DELTA_MAX_FRACTION = env.float("CONFIG_DELTA_MAX_FRACTION", default=0.2)
INGEST_MAX_ENTRIES = env.int("INGEST_MAX_ENTRIES", default=5000)
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=8 * 1024 * 1024)
REQUEST_MAX_INFLATED_BYTES = env.int("REQUEST_MAX_INFLATED_BYTES", default=64 * 1024 * 1024)
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="EUR")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # the API docs' own static files: no CDN, no inline script
    "cloud_hq.stores",
    "cloud_hq.catalog",
    "cloud_hq.publishing",
    "cloud_hq.ingest",
    "cloud_hq.reconciliation",
    "cloud_hq.reporting",
]

MIDDLEWARE = [
    "deploy.web.metrics.RequestMetricsMiddleware",
    "deploy.web.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "deploy.web.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cloud_hq.stores.middleware.ProtocolMiddleware",
    "cloud_hq.stores.middleware.CompressedRequestMiddleware",
    "deploy.web.request_limits.JsonBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "deploy.web.security.CardNumberGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cloud_hq.urls"
WSGI_APPLICATION = "cloud_hq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hq' / 'hq.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = None
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "hq" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # `collectstatic` fills it for production
# HQ serves its pages' styles and the admin's itself (whitenoise), behind any proxy.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600

DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="cloud_hq")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "hq" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "prune-nonces": {"task": "cloud_hq.stores.tasks.nonces_prune", "schedule": 600.0},
    "publish-scheduled": {"task": "cloud_hq.publishing.tasks.scheduled_publish", "schedule": 60.0},
    "refresh-chain-summary": {"task": "cloud_hq.reporting.tasks.chain_refresh", "schedule": 60.0},
    "prune-heartbeats": {
        "task": "cloud_hq.reporting.tasks.heartbeat_samples_prune",
        "schedule": 3600.0,
    },
}
# How long each store's heartbeat history is kept for the fleet page.
FLEET_HISTORY_DAYS = env.int("FLEET_HISTORY_DAYS", default=14)
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/reports/"

# Logs: JSON lines with request ids in production (LOG_FORMAT=json; what the collector
# under deploy/ reads), plain text in development.
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"),
    fmt=env.str("LOG_FORMAT", default="json" if APP_ENV == "production" else "plain"),
    quiet={"httpx": "WARNING", "httpcore": "WARNING"},
)

# Web hardening shared with the other project (deploy/web/security.py): HTTPS only in
# production, cookies, headers, the pages' Content-Security-Policy, password guessing held off.
globals().update(web_settings(env, production=APP_ENV == "production"))
# HQ staff's forms are guarded against card numbers; stores' pushes are guarded where the
# data is typed (at the lane), and refusing a whole push would stop the store's sync.
CARD_NUMBER_GUARD_SKIP = ["/api/"]

# Who may scrape /metrics (Prometheus' page): loopback unless the monitoring network is named.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])

# Sync protocol versions HQ serves (the store sends X-Edge-Protocol): this release's and the
# one before, so stores can be upgraded after HQ, one region at a time.
SUPPORTED_PROTOCOLS = (1, 2)
