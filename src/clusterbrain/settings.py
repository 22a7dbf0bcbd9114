"""Django settings, read from the environment.

`DATABASE_URL` (default: SQLite under the data directory), `SECRET_KEY`, `DEBUG`, `ALLOWED_HOSTS`.
With DEBUG off the platform refuses to start without a secret, except in demo mode
(`CLUSTERBRAIN_DEMO=1`), where a random secret is generated once and kept in the data directory.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLUSTERBRAIN_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("CLUSTERBRAIN_DEMO", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if DEBUG:
        return "insecure-development-key-" + "x" * 32
    if DEMO_MODE:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY in the environment, or DEBUG=1 for development, "
        "or CLUSTERBRAIN_DEMO=1 for the demo."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "clusterbrain.accounts",
    "clusterbrain.chains",
    "clusterbrain.registry",
    "clusterbrain.matching",
    "clusterbrain.green",
    "clusterbrain.trace",
    "clusterbrain.passport",
    "clusterbrain.market",
    "clusterbrain.livestream",
    "clusterbrain.programs",
    "clusterbrain.awards",
    "clusterbrain.finance",
    "clusterbrain.brand",
    "clusterbrain.exhibitions",
    "clusterbrain.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clusterbrain.web.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "clusterbrain.urls"
WSGI_APPLICATION = "clusterbrain.wsgi.application"
ASGI_APPLICATION = "clusterbrain.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clusterbrain.web.context_processors.platform",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'clusterbrain.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a load runs; a busy timeout instead of "database locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps (no collectstatic needed for the demo).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Evidence files (certificates) are limited in size and type by the services.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))

# Cluster aggregates (chain supply, counts, localisation) are cached under the cluster's data
# version (registry.selectors): a file cache is shared by every worker process and survives a
# restart; set CACHE_URL=redis://… to use Redis instead.
_cache_url = os.environ.get("CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
elif _cache_url == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG and env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Chain analytics: a link with fewer in-cluster firms than this is a gap; HHI above the
# threshold is a concentration risk (DOMAIN.md).
CHAIN_MIN_FIRMS = int(os.environ.get("CHAIN_MIN_FIRMS", "3"))
CHAIN_HHI_THRESHOLD = float(os.environ.get("CHAIN_HHI_THRESHOLD", "0.25"))
# Public aggregates of confidential figures (output value, localisation) are withheld when fewer
# firms than this contributed, so no total reveals one firm's figure (registry.selectors).
AGGREGATE_MIN_FIRMS = int(os.environ.get("AGGREGATE_MIN_FIRMS", "3"))
# Above designated size: annual main-business revenue of at least 20 million yuan.
ABOVE_DESIGNATED_SIZE_REVENUE = 20_000_000

# Registry stewardship (issue 3). Uploaded lists above this size or row count are refused.
REGISTRY_IMPORT_MAX_BYTES = int(os.environ.get("REGISTRY_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
REGISTRY_IMPORT_MAX_ROWS = int(os.environ.get("REGISTRY_IMPORT_MAX_ROWS", "200000"))
# Match-probability thresholds per kind of source: at or above auto_merge a row joins the firm
# without review, at or above review it waits in the review queue, below it is a new firm. Lists
# typed by hand at exhibitions are trusted less. REGISTRY_LINK_THRESHOLDS (JSON) overrides all.
REGISTRY_LINK_THRESHOLDS = json.loads(
    os.environ.get(
        "REGISTRY_LINK_THRESHOLDS",
        json.dumps(
            {
                "default": {"auto_merge": 0.97, "review": 0.6},
                "registry": {"auto_merge": 0.95, "review": 0.5},
                "exhibition": {"auto_merge": 0.995, "review": 0.6},
            }
        ),
    )
)
# Which source's value a firm shows, most trusted first (registry.models.SourceKind).
REGISTRY_SOURCE_PRECEDENCE = [
    s.strip()
    for s in os.environ.get(
        "REGISTRY_SOURCE_PRECEDENCE",
        "manual,registry,tax,members,brand,open_supply_hub,exhibition,other",
    ).split(",")
    if s.strip()
]
