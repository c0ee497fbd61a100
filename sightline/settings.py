"""Sightline settings: everything that differs between machines comes from the environment."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens stored as hashes, with an expiry
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "core",
    "inventory",
    "regulations",
    "discovery",
    "assessments",
    "evidence",
    "programme",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.NulQueryMiddleware",
    "core.middleware.QueueUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.access.ExpiredSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sightline.urls"
WSGI_APPLICATION = "sightline.wsgi.application"

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
                "core.context_processors.roles",
            ],
        },
    },
]

# SQLite by default (embedded mode); PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'sightline.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,  # a kept connection that a database restart broke is replaced
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so the web process and the worker never fork the audit chain.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout first (django-axes), then the password check that also refuses expired accounts.
# Single sign-on (core/sso/) runs after the password check, which refuses everyone but the
# break-glass account when SIGHTLINE_LOCAL_LOGIN=0.
AUTHENTICATION_BACKENDS = [
    "core.access.LoginAxesBackend",
    "core.sso.auth.LocalPasswordBackend",
    "core.sso.auth.OidcBackend",
]
SIGHTLINE_LOCAL_LOGIN = env_bool("SIGHTLINE_LOCAL_LOGIN", True)
SIGHTLINE_BREAK_GLASS_USER = os.environ.get("SIGHTLINE_BREAK_GLASS_USER", "").strip()
# OpenID Connect: on when SIGHTLINE_OIDC_CLIENT_ID is set; endpoints come from discovery unless named.
SIGHTLINE_OIDC = {
    key: os.environ.get(f"SIGHTLINE_OIDC_{key}", "")
    for key in (
        "PROVIDER_NAME",
        "DISCOVERY_URL",
        "ISSUER",
        "AUTHORIZATION_ENDPOINT",
        "TOKEN_ENDPOINT",
        "USERINFO_ENDPOINT",
        "JWKS_URI",
        "END_SESSION_ENDPOINT",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "SCOPES",
        "GROUPS_CLAIM",
        "USERNAME_CLAIM",
        "ROLE_MAP",
        "SIGN_ALGO",
    )
}
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", 0.25))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.access.lockout_response"
AXES_WHITELIST_CALLABLE = "core.sso.auth.axes_exempt"  # the SSO callback takes no password
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_IPWARE_PROXY_COUNT", 0))
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Evidence files, uploaded logs and generated packs live here.
SIGHTLINE_STORAGE_DIR = Path(os.environ.get("SIGHTLINE_STORAGE_DIR", BASE_DIR / "var" / "storage"))
MEDIA_ROOT = SIGHTLINE_STORAGE_DIR / "media"
# Child processes that lay out a pack PDF in parallel (one per core by default).
SIGHTLINE_PACK_RENDER_PROCESSES = int(
    os.environ.get("SIGHTLINE_PACK_RENDER_PROCESSES", min(os.cpu_count() or 1, 4))
)
# Ed25519 private key that signs evidence-pack manifests; `manage.py ensure_signing_key` creates it.
SIGHTLINE_PACK_SIGNING_KEY_PATH = Path(
    os.environ.get(
        "SIGHTLINE_PACK_SIGNING_KEY_PATH", SIGHTLINE_STORAGE_DIR / "keys" / "pack-signing.ed25519"
    )
)
# Assessments: nobody approves their own submission; evidence uploads are capped while streaming.
SIGHTLINE_FOUR_EYES = env_bool("SIGHTLINE_FOUR_EYES", True)
# An account without a password here (single sign-on) approves only this soon after signing in.
SIGHTLINE_APPROVAL_REAUTH_MINUTES = int(os.environ.get("SIGHTLINE_APPROVAL_REAUTH_MINUTES", 10))
SIGHTLINE_EVIDENCE_MAX_BYTES = int(os.environ.get("SIGHTLINE_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024))
SIGHTLINE_EVIDENCE_EXPIRY_NOTICE_DAYS = int(
    os.environ.get("SIGHTLINE_EVIDENCE_EXPIRY_NOTICE_DAYS", 30)
)
# Discovery: browser log uploads stream to disk up to this size; chunks split work across workers.
SIGHTLINE_UPLOAD_MAX_BYTES = int(os.environ.get("SIGHTLINE_UPLOAD_MAX_BYTES", 2 * 1024**3))
SIGHTLINE_INGEST_CHUNK_BYTES = int(os.environ.get("SIGHTLINE_INGEST_CHUNK_BYTES", 32 * 1024**2))
SIGHTLINE_BEDROCK_ALLOWLIST = env_list("SIGHTLINE_BEDROCK_ALLOWLIST")
SIGHTLINE_DISCOVERY_HOST_ALLOWLIST = env_list("SIGHTLINE_DISCOVERY_HOST_ALLOWLIST")
# Watched log folders must lie under one of these (after symlinks); empty turns watching off.
SIGHTLINE_WATCH_ROOTS = env_list("SIGHTLINE_WATCH_ROOTS")
# An ingest run or pack build with no heartbeat for this long (its worker died) is failed,
# with a retry action, by the watchdog below; fractions are allowed (0.1 is six seconds).
SIGHTLINE_WATCHDOG_MINUTES = float(os.environ.get("SIGHTLINE_WATCHDOG_MINUTES", "5"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.access.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "core.parsers.SafeFormParser",
        "core.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; each token expires.
SIGHTLINE_API_TOKEN_DAYS = int(os.environ.get("SIGHTLINE_API_TOKEN_DAYS", 30))
# A single-sign-on account's API tokens work only this long after its last provider sign-in.
SIGHTLINE_SSO_TOKEN_DAYS = int(os.environ.get("SIGHTLINE_SSO_TOKEN_DAYS", 7))
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=SIGHTLINE_API_TOKEN_DAYS),
    "TOKEN_PREFIX": "slt_",  # lets secret scanners recognise a leaked token
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sightline API",
    "DESCRIPTION": "AI inventory, classification, discovery, assessments and evidence.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.permissions.RolePermission"],
    # Choice sets that share a field name across models get a stable name, not a hash suffix.
    # EvidencePack.Status has the same choices as IngestRun.Status, so both are JobStatusEnum.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStateEnum": "assessments.models.assessment.Assessment.State",
        "JobStatusEnum": "discovery.models.IngestRun.Status",
        "ContentVersionStatusEnum": "regulations.models.content.ContentVersion.Status",
    },
    # ENABLE_DJANGO_DEPLOY_CHECK stays on (the default): `check --deploy` fails on schema warnings.
}

# Celery: a filesystem broker needs no server, so the embedded default still runs tasks in the background.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = SIGHTLINE_STORAGE_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(SIGHTLINE_STORAGE_DIR / "celery-processed"),
        "control_folder": str(SIGHTLINE_STORAGE_DIR / "celery-control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died is handed back to the queue (chunks and packs are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The whole beat schedule, in one place.
CELERY_BEAT_SCHEDULE = {
    "discovery-watched-folders": {"task": "discovery.watched_folders_poll", "schedule": 60.0},
    # Fails ingest runs and pack builds whose worker died (no heartbeat in the window).
    "core-jobs-watchdog": {
        "task": "core.tasks.jobs_watchdog_task",
        "schedule": max(1.0, min(60.0, SIGHTLINE_WATCHDOG_MINUTES * 30)),
    },
    "assessments-evidence-expiry": {
        "task": "assessments.tasks.evidence_expiry_check",
        "schedule": 6 * 3600.0,
    },
    # Nightly audit-chain verification; the outcome is itself an audit entry (audit.verify).
    "core-audit-verify-nightly": {
        "task": "core.tasks.audit_verify_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Then sign the chain head (count, last hash) with the key kept off the database.
    "core-audit-checkpoint-nightly": {
        "task": "core.tasks.audit_checkpoint_task",
        "schedule": crontab(hour=2, minute=45),
    },
    # Hourly; each reminder slot is sent once (regulations.ReminderSent).
    "regulations-deadline-reminders": {
        "task": "regulations.tasks.deadline_reminders_task",
        "schedule": 3600.0,
    },
    # Daily, just after midnight: outcomes whose legal start date has come are re-evaluated.
    "regulations-pending-refresh": {
        "task": "regulations.tasks.classification_pending_refresh_task",
        "schedule": crontab(hour=0, minute=10),
    },
}
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sightline@localhost")
# Where people reach this Sightline: links in e-mails start with it (`check --deploy` warns when unset).
SIGHTLINE_BASE_URL = os.environ.get("SIGHTLINE_BASE_URL", "").strip().rstrip("/")

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: HTMX is configured by its meta tag, behaviour lives in static JS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Sign-out is a form whose answer redirects to the provider's end-session endpoint.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {
        "/".join(SIGHTLINE_OIDC[key].split("/")[:3])  # scheme://host[:port]
        for key in ("DISCOVERY_URL", "ISSUER", "END_SESSION_ENDPOINT")
        if SIGHTLINE_OIDC[key].startswith(("https://", "http://"))
    }
)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; lockouts and failures are WARNING and still show.
    # WeasyPrint logs each layout step at INFO; a 300-page pack would flood the worker log.
    "loggers": {
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
)
