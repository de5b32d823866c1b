"""Offramp settings: the only module that reads the environment (see docs/CONFIGURATION.md).

Every value is read and checked here, at start-up: a value that cannot be right stops start-up with a
message naming the variable and what was expected. Other modules read `settings.X` as it is."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from offramp.core.diversion.deadlines import (
    DEFAULT_INTAKE_DAYS,
    DEFAULT_PROGRESS_REPORT_DAYS,
    MAX_INTAKE_DAYS,
    MIN_INTAKE_DAYS,
)
from offramp.core.outcomes.relief import DEFAULT_STATUTE, ReliefStatute
from offramp.core.policy.registry import shipped_policy_dir
from offramp.web.env import envbool, envchoice, envdir, envint, envlist, envstr, envtext

BASE_DIR = Path(__file__).resolve().parent
#: the checkout (or install prefix) holding var/, node_modules/ and policies/
PROJECT_DIR = envdir("OFFRAMP_HOME", BASE_DIR.parents[2])
VAR_DIR = Path(envstr("OFFRAMP_VAR_DIR", str(PROJECT_DIR / "var")))

DEVELOPMENT_SECRET_KEY = "offramp-development-key-never-use-in-production"

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key and DEBUG is off. Set SECRET_KEY (or SECRET_KEY_FILE) to a long "
        "random value, or DEBUG=true for a development machine."
    )
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'offramp.sqlite3'}"
DATABASE_URL = envstr("DATABASE_URL", DEFAULT_DATABASE_URL)
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not a database URL: {exc}") from exc
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        f"DATABASE_URL: only sqlite:// and postgres:// are supported, got {_db['ENGINE']}"
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets readers (the web pages) work while an import writes; IMMEDIATE avoids lock upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    _db.setdefault("TEST", {})
    _db["TEST"]["NAME"] = envstr("TEST_DATABASE_NAME", f"test_{_db['NAME']}")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "offramp.web.accounts",
    "offramp.web.audit",
    "offramp.web.cases",
    "offramp.web.programs",
    "offramp.web.decisions",
    "offramp.web.treatment",
    "offramp.web.diversion",
    "offramp.web.victims",
    "offramp.web.relief",
    "offramp.web.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "offramp.web.audit.middleware.AuditContextMiddleware",
    "offramp.web.accounts.middleware.NoStoreForSignedInMiddleware",
    "offramp.web.accounts.middleware.RequireMFAMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "offramp.web.urls"
WSGI_APPLICATION = "offramp.web.wsgi.application"

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
                "offramp.web.accounts.context.roles",
            ]
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:queue"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes: lock an account+address after repeated failures (CJIS: limit unsuccessful logon attempts)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)

#: CJIS: multi-factor authentication for access to CJI. "required": after the password, every signed-in user
#: enrols (first time) or enters a TOTP code before any other page (accounts/middleware.py, accounts/mfa.py)
OFFRAMP_MFA = envchoice("OFFRAMP_MFA", "off", ("required", "off"))
#: the admin lists authenticators without their secret keys
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_AGE = envint("SESSION_MINUTES", 30, minimum=1) * 60  # CJIS: session lock after inactivity
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and envbool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
#: USWDS and htmx, installed from the npm registry by `make install` (offices run offline: never a CDN)
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    *[
        (f"uswds/{part}", NODE_MODULES / "@uswds" / "uswds" / "dist" / part)
        for part in ("css", "js", "fonts", "img")
    ],
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    #: plotly.js as bundled in the `plotly` wheel (analytics charts: served locally, never a CDN)
    ("plotly", Path(str(getattr(find_spec("plotly"), "origin", ""))).resolve().parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

CASES_PER_PAGE = envint("CASES_PER_PAGE", 50, minimum=5)

#: the policy the case page recommends under: a pack id (the version in force on the case's date is picked
#: among the files in OFFRAMP_POLICY_DIR) or the path of one pack file
OFFRAMP_POLICY = envtext("OFFRAMP_POLICY", "public-health")
#: the folder of pack files: $OFFRAMP_POLICY_DIR, else <OFFRAMP_HOME>/policies when there is one, else the
#: packs shipped with Offramp (inside an installed wheel, core.policy.registry finds them in the package)
OFFRAMP_POLICY_DIR = envdir(
    "OFFRAMP_POLICY_DIR",
    PROJECT_DIR / "policies" if (PROJECT_DIR / "policies").is_dir() else shipped_policy_dir(),
)

#: the office's name on victim letters and the transparency report (blank: letters say "District
#: Attorney's Office" and the report names no office)
OFFRAMP_OFFICE_NAME = envstr("OFFRAMP_OFFICE_NAME", "").strip()

# --- diversion (web/diversion/service.py) ---------------------------------------------------------------------
#: days from the referral to the intake deadline
OFFRAMP_INTAKE_DAYS = envint(
    "OFFRAMP_INTAKE_DAYS", DEFAULT_INTAKE_DAYS, minimum=MIN_INTAKE_DAYS, maximum=MAX_INTAKE_DAYS
)
#: days between progress reports while a person is enrolled
OFFRAMP_PROGRESS_REPORT_DAYS = envint(
    "OFFRAMP_PROGRESS_REPORT_DAYS", DEFAULT_PROGRESS_REPORT_DAYS, minimum=1, maximum=365
)
#: a missed intake ends the referral at once (LEAD's "else charges are filed"); else it is only overdue
OFFRAMP_INTAKE_MISSED_TERMINATES = envbool("OFFRAMP_INTAKE_MISSED_TERMINATES", False)

RELIEF_STATUTE_FIELDS = ("code", "title", "jurisdiction", "reference")


def relief_statute(name: str, raw: str) -> ReliefStatute | None:
    """The record-relief statute from `raw`: blank for core's default (O.C.G.A. § 35-3-37), `none` for no
    record relief, or a JSON object with `code` and any of title, jurisdiction, reference."""
    expected = (
        f'expected "none" or a JSON object with "code" and any of {", ".join(RELIEF_STATUTE_FIELDS[1:])}'
    )
    if not raw.strip():
        return DEFAULT_STATUTE
    if raw.strip().lower() == "none":
        return None
    try:
        fields = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: {expected} ({exc})") from exc
    if (
        not isinstance(fields, dict)
        or not str(fields.get("code") or "").strip()
        or set(fields) - set(RELIEF_STATUTE_FIELDS)
        or not all(isinstance(v, str) for v in fields.values())
    ):
        raise ImproperlyConfigured(f"{name}={raw!r}: {expected}, each a string")
    return ReliefStatute(**{key: fields.get(key, "").strip() for key in RELIEF_STATUTE_FIELDS})


#: the record-restriction statute entered on dismissal (a ReliefStatute, or None for no record relief)
OFFRAMP_RELIEF_STATUTE = relief_statute("OFFRAMP_RELIEF_STATUTE", envstr("OFFRAMP_RELIEF_STATUTE", ""))

#: `offramp demo load`: the password of the demo users
DEMO_PASSWORD_DEFAULT = "offramp-demo-2026"
OFFRAMP_DEMO_PASSWORD = envtext("OFFRAMP_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
