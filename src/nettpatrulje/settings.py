"""Settings, read from the environment in one place.

Defaults give a working single-machine set-up: SQLite under ./var, debug off
unless DJANGO_DEBUG is set. Production refuses to start without its secrets
(see nettpatrulje.checks).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NETTPATRULJE_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO_MODE = env_bool("NETTPATRULJE_DEMO", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and env_bool("NETTPATRULJE_TESTING"):
    SECRET_KEY = "insecure-test-key-not-for-production"
elif not SECRET_KEY:
    # One machine without configuration (a laptop, the demo): a random key kept
    # in var/, readable by the owner only. Several app servers must share
    # DJANGO_SECRET_KEY instead (docs/operations.md).
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets as _secrets

        _key_file.write_text(_secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "nettpatrulje.accounts",
    "nettpatrulje.audit",
    "nettpatrulje.channels",
    "nettpatrulje.inbox",
    "nettpatrulje.triage",
    "nettpatrulje.web",
    "nettpatrulje.widget",
    "nettpatrulje.library",
    "nettpatrulje.patrols",
    "nettpatrulje.reports",
]

MIDDLEWARE = [
    "nettpatrulje.web.middleware.ServerErrorCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "nettpatrulje.accounts.middleware.SessionInactivityMiddleware",
    "nettpatrulje.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "nettpatrulje.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nettpatrulje.urls"
WSGI_APPLICATION = "nettpatrulje.wsgi.application"

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
                "django.template.context_processors.i18n",
                "nettpatrulje.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------
# SQLite in WAL mode with IMMEDIATE transactions (no "database is locked" on a
# lock upgrade), its writers queued on a file lock (nettpatrulje.lib.sqlite).
SQLITE_PATH = VAR_DIR / "nettpatrulje.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "nettpatrulje.lib.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if env_bool("NETTPATRULJE_TESTING") else 60
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=30000;"
        ),
    }
    # A file, not :memory:, so live-server and threaded tests share one database;
    # one per process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:list"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("NETTPATRULJE_FAST_HASHER"):
    # Tests only: Argon2 is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session lasts one shift at most, and ends after inactivity (polling by an
# open page does not count as activity: see SessionInactivityMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("NETTPATRULJE_SESSION_SECONDS", str(10 * 3600)))
SESSION_INACTIVITY_SECONDS = int(os.environ.get("NETTPATRULJE_INACTIVITY_SECONDS", str(30 * 60)))
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Two-factor login (TOTP, recovery codes) for every staff user. Only the demo and
# the test suite may switch it off; tests of the enforcement switch it on.
REQUIRE_2FA = env_bool("NETTPATRULJE_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Nettpatrulje"

# Lockout after repeated failures (django-axes), per username and per address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("NETTPATRULJE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NETTPATRULJE_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP", "REMOTE_ADDR"]

# Content Security Policy: no inline scripts or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("NETTPATRULJE_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
    ("nn", _("Norwegian Nynorsk")),
    ("fi", _("Finnish")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("is", _("Icelandic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Formats Django lacks for some of our languages (Icelandic date-times).
FORMAT_MODULE_PATH = ["nettpatrulje.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Oslo"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Served by the app itself (WhiteNoise): no CDN, works on closed networks.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background work --------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("NETTPATRULJE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Recovery after a crash (web/maintenance.py). A worker whose heartbeat is older
# than WORKER_DEAD_SECONDS is dead: the tasks it was running are run again. A
# worker claims webhook events for EVENT_LEASE_SECONDS: those of a worker that
# died are claimed again when the lease runs out (processing takes milliseconds;
# a longer lease only delays recovery, a shorter one risks a second worker
# repeating the work of a slow first one, harmless but wasted). A reply still
# `sending` this long after its claim goes to the officer to check (never
# re-sent blindly): it must exceed META_SEND_TIMEOUT.
WORKER_DEAD_SECONDS = float(os.environ.get("NETTPATRULJE_WORKER_DEAD_SECONDS", "60"))
EVENT_LEASE_SECONDS = float(os.environ.get("NETTPATRULJE_EVENT_LEASE_SECONDS", "30"))
OUTBOX_SENDING_TIMEOUT = float(os.environ.get("NETTPATRULJE_OUTBOX_SENDING_TIMEOUT", "120"))

# The baseline endpoint of bench/ingest.py (channels/bench_views.py). Never in production.
BENCH_ENDPOINTS = env_bool("NETTPATRULJE_BENCH_ENDPOINTS", False)

# --- Channels -------------------------------------------------------------
TESTING = env_bool("NETTPATRULJE_TESTING")
NETTPATRULJE_ENCRYPTION_KEYS = os.environ.get("NETTPATRULJE_ENCRYPTION_KEYS", "")
META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "")
META_GRAPH_URL = os.environ.get("META_GRAPH_URL", "https://graph.facebook.com").rstrip("/")
META_GRAPH_VERSION = os.environ.get("META_GRAPH_VERSION", "v21.0")
META_SEND_TIMEOUT = float(os.environ.get("META_SEND_TIMEOUT", "10"))
DISCORD_API_URL = os.environ.get("DISCORD_API_URL", "https://discord.com/api/v10").rstrip("/")
TWITCH_HELIX_URL = os.environ.get("TWITCH_HELIX_URL", "https://api.twitch.tv/helix").rstrip("/")
# Meta caps a webhook body well below this; anything bigger is not Meta.
WEBHOOK_MAX_BYTES = 1024 * 1024
# Per source address and endpoint. Meta delivers from many addresses, so this
# only stops a flood from one place.
WEBHOOK_RATE_LIMIT_PER_MINUTE = int(os.environ.get("NETTPATRULJE_WEBHOOK_RATE_LIMIT", "12000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = WEBHOOK_MAX_BYTES + 1024

# --- Monitoring -------------------------------------------------------------
# /metrics answers addresses in these networks (comma-separated CIDRs), or any
# request with `Authorization: Bearer <token>`; anyone else gets a 404.
METRICS_ALLOW = [
    n.strip()
    for n in os.environ.get("NETTPATRULJE_METRICS_ALLOW", "127.0.0.0/8,::1/128").split(",")
    if n.strip()
]
METRICS_TOKEN = os.environ.get("NETTPATRULJE_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "nettpatrulje": {"level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": True},
    },
}
