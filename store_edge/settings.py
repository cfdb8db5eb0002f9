"""Settings of the store node, read from the environment.

Every value an operator may change comes from an environment variable; the defaults
are for a development box. With APP_ENV=production (the default) the node refuses to
start without its own SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from deploy.web.request_ids import logging_config
from deploy.web.security import web_settings
from store_edge.pos.static_files import page_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

APP_ENV = env.str("APP_ENV", default="production")
if APP_ENV not in {"production", "development"}:
    raise ImproperlyConfigured(f"APP_ENV must be 'production' or 'development', not {APP_ENV!r}")
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
(VAR_DIR / "store").mkdir(parents=True, exist_ok=True)

_DEV_SECRET = "insecure-development-key-for-the-store-node"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if APP_ENV == "development" else "")
if APP_ENV == "production" and (not SECRET_KEY or SECRET_KEY.startswith("insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: a production store needs its own secret "
        "(set SECRET_KEY, or APP_ENV=development on a development box)."
    )
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# In Kubernetes the pod's own address (POD_IP, from the downward API): Prometheus scrapes
# /metrics by it.
if env.str("POD_IP", default=""):
    ALLOWED_HOSTS.append(env.str("POD_IP"))

# The store's identity at HQ and its signing key, as printed by HQ's `register_store`.
STORE_ID = env.str("STORE_ID", default="")
STORE_KEY = env.str("STORE_KEY", default="")
HQ_URL = env.str("HQ_URL", default="http://127.0.0.1:8000").rstrip("/")
HQ_TIMEOUT_SECONDS = env.float("HQ_TIMEOUT_SECONDS", default=10.0)
SYNC_INTERVAL_SECONDS = env.int("SYNC_INTERVAL_SECONDS", default=300)
# The store's country (ISO 3166: de, se, gb, …): which GS1 layouts the price, weight and
# count labels it prints (prefixes 02, 20-29) follow. Not the price book region
# (`register_store --region`). Empty: such labels are not read (store_edge/baskets/checks.py).
STORE_COUNTRY = env.str("STORE_COUNTRY", default="").strip().lower()
SYNC_BATCH_ROWS = env.int("SYNC_BATCH_ROWS", default=1000)
SYNC_BATCH_BYTES = env.int("SYNC_BATCH_BYTES", default=2 * 1024 * 1024)
# Network errors and HQ's 5xx: retried within a run with exponential backoff and jitter;
# runs that keep failing wait longer between tries (up to SYNC_BACKOFF_MAX_SECONDS).
SYNC_RETRIES = env.int("SYNC_RETRIES", default=3)
SYNC_BACKOFF_BASE_SECONDS = env.float("SYNC_BACKOFF_BASE_SECONDS", default=1.0)
SYNC_BACKOFF_MAX_SECONDS = env.float("SYNC_BACKOFF_MAX_SECONDS", default=300.0)
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # the API docs' own static files: no CDN, no inline script
    "store_edge.catalog",
    "store_edge.ledger",
    "store_edge.inventory",
    "store_edge.lanes",
    "store_edge.staff",
    "store_edge.peripherals",
    "store_edge.baskets",
    "store_edge.sales",
    "store_edge.shifts",
    "store_edge.sync",
    "store_edge.monitoring",
    "store_edge.audit",
    "store_edge.pos",
]

MIDDLEWARE = [
    "deploy.web.metrics.RequestMetricsMiddleware",
    "deploy.web.request_ids.RequestIdMiddleware",
    "deploy.web.request_limits.RequestSizeMiddleware",
    "deploy.web.request_limits.JsonBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "deploy.web.security.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "store_edge.pos.static_files.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "deploy.web.security.CardNumberGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "store_edge.urls"
WSGI_APPLICATION = "store_edge.wsgi.application"

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

# SQLite tuned so that a committed sale is on disk: WAL, a full fsync per commit, and
# write transactions that take the lock at BEGIN (no upgrade deadlocks between lanes).
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'store' / 'store.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    raise ImproperlyConfigured("the store keeps its ledger in SQLite: DATABASE_URL=sqlite:///…")
else:
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Django's SQLite backend, with write transactions taken in turn (store_edge/db/base.py).
    DATABASES["default"]["ENGINE"] = "store_edge.db"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.float("SQLITE_BUSY_TIMEOUT_SECONDS", default=20.0),
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA wal_autocheckpoint=1000;"
            "PRAGMA cache_size=-16000"
        ),
    }
    # Tests use a file too, so that WAL and several connections behave as in a store.
    (VAR_DIR / "test").mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test" / "store-test.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# What the ledger feeds, kept in step in the transaction of every append (ledger.services).
LEDGER_PROJECTORS = ["store_edge.inventory.services.stock_project"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "store_edge.staff.hashers.PinHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "store" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # `collectstatic` fills it for production
# The store serves its own static files (the POS page's script and styles): a store may
# have no internet, and no web server in front of gunicorn.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600
# The lane page's files (ES modules that import one another) are served under their
# release's URLs, cached for good, and revalidated under their plain URLs: a lane never runs
# a mix of cached and upgraded modules (store_edge/pos/static_files.py).
WHITENOISE_ADD_HEADERS_FUNCTION = page_file_headers

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="store_edge")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="store_edge")
# The local alert engine: how often rules are evaluated, how long metric history is kept,
# and the disk use at which non-essential writes (metric history) stop.
ALERT_EVALUATION_SECONDS = env.int("ALERT_EVALUATION_SECONDS", default=5)
METRIC_HISTORY_SECONDS = env.int("METRIC_HISTORY_SECONDS", default=3600)
DISK_NEARLY_FULL_PERCENT = env.float("DISK_NEARLY_FULL_PERCENT", default=95.0)
# Online backups of the database: where (put it on another disk or a share), how often,
# how many are kept.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "store" / "backups")))
BACKUP_INTERVAL_SECONDS = env.int("BACKUP_INTERVAL_SECONDS", default=3600)
BACKUP_KEEP = env.int("BACKUP_KEEP", default=48)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "store" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "push-ledger": {
        "task": "store_edge.sync.tasks.ledger_push",
        "schedule": float(SYNC_INTERVAL_SECONDS),
        "options": {"expires": float(SYNC_INTERVAL_SECONDS)},
    },
    "backup": {
        "task": "store_edge.monitoring.tasks.backup",
        "schedule": float(BACKUP_INTERVAL_SECONDS),
        "options": {"expires": float(BACKUP_INTERVAL_SECONDS)},
    },
    "evaluate-alerts": {
        "task": "store_edge.monitoring.tasks.alerts_evaluate",
        "schedule": float(ALERT_EVALUATION_SECONDS),
        "options": {"expires": float(ALERT_EVALUATION_SECONDS)},
    },
    "heartbeat": {
        "task": "store_edge.sync.tasks.heartbeat",
        "schedule": float(HEARTBEAT_SECONDS),
        "options": {"expires": float(HEARTBEAT_SECONDS)},
    },
    "pull-config": {
        "task": "store_edge.sync.tasks.config_pull",
        "schedule": float(SYNC_INTERVAL_SECONDS),
        "options": {"expires": float(SYNC_INTERVAL_SECONDS)},
    },
}

# Logs: JSON lines with request ids in production (LOG_FORMAT=json; what the collector
# under deploy/ reads), plain text in development.
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"),
    fmt=env.str("LOG_FORMAT", default="json" if APP_ENV == "production" else "plain"),
    quiet={"httpx": "WARNING", "httpcore": "WARNING", "pyBarcode": "WARNING"},
)

# Web hardening shared with the other project (deploy/web/security.py): HTTPS only in
# production, cookies, headers, the pages' Content-Security-Policy, password guessing held off.
globals().update(web_settings(env, production=APP_ENV == "production"))

# Who may scrape /metrics (Prometheus' page): loopback unless the monitoring network is named.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
