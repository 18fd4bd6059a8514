"""Settings for pinpublisher, all read from the environment.

Every variable is documented in README.md ("Configuration"). With DEBUG on,
development defaults fill in the secrets and a system check warns; with DEBUG
off, the checks in ``pinpublisher.checks`` refuse to start until they are set.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from pinpublisher.environment import (
    BASE_DIR,
    database_from_url,
    env_bool,
    env_float,
    env_header,
    env_int,
    env_list,
    env_str,
)
from pinpublisher.logs import PLAIN_FORMAT
from pinpublisher.task_times import q_cluster_times

DEBUG = env_bool("DEBUG", False)

# Development defaults. They let the process start so `manage.py check` can say what is
# missing; pinpublisher.checks refuses them when DEBUG is off.
DEV_SECRET_KEY = "dev-insecure-pinpublisher-secret-key-do-not-use-in-production"
DEV_TOKEN_KEY = "ZGV2LW9ubHktcGlucHVibGlzaGVyLXRva2VuLWtleSE="  # base64 of 32 bytes, dev only

SECRET_KEY = env_str("SECRET_KEY") or DEV_SECRET_KEY
PINPUBLISHER_TOKEN_KEYS = env_list("PINPUBLISHER_TOKEN_KEYS") or [DEV_TOKEN_KEY]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- HTTPS ---------------------------------------------------------------------------
# With DEBUG off the service is reached over TLS (its own or a proxy's) unless told otherwise;
# with DEBUG on (`make run`, plain http) all of it defaults off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preload lets anyone submit the domain to browsers' built-in HTTPS-only list, for months:
# the domain's owner opts in, so Django's deploy warning about it (W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# More ids (comma-separated) in SILENCED_SYSTEM_CHECKS: `make run` silences the development-secrets
# warning (pinpublisher.W001) once its first command has shown it.
SILENCED_SYSTEM_CHECKS = ["security.W021", *filter(None, env_str("SILENCED_SYSTEM_CHECKS").split(","))]
# Behind a proxy that terminates TLS: the header it sets on https requests and its value.
# Without it every request looks like http there, and SECURE_SSL_REDIRECT redirects forever.
SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
# Health checks and Prometheus reach a node directly, often over plain http: no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    # Before publishing, whose admin gives every ModelAdmin registered by then its query guard.
    "axes",
    "pinpublisher",
    "pinterest",
    "apikeys",
    "publishing",
    "webhooks",
    "planner",
    "ops",
    "analytics",
    "feeds",
    "designs",
    "accounts",
    "audit",
    "autopilot",
]

MIDDLEWARE = [
    # First: every later step (and its logs) knows the request id; the route's metrics cover the rest.
    "ops.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts (the session's user, or a key's owner once DRF authenticates): the approval rule asks.
    "publishing.acting.ActingPersonMiddleware",
    # Who acts in this request, for the audit trail (read when a change is recorded).
    "audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A session signed in with a password waits for its two-factor code (accounts/middleware.py).
    "accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "pinpublisher.urls"

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

WSGI_APPLICATION = "pinpublisher.wsgi.application"

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# Every time shown names its zone ("Nov. 30, 2026, 10:08 p.m. UTC"): pinpublisher/formats/en.
FORMAT_MODULE_PATH = ["pinpublisher.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

LOGIN_URL = "admin:login"

# --- Login throttling (django-axes) and members (accounts/) ---------------------------
# Every login (the planner's, the admin's, and a wrong two-factor code) that fails is counted per
# username and per client address, each on its own: either reaching LOGIN_FAILURE_LIMIT locks it
# for LOGIN_LOCKOUT_MINUTES (each further try while locked starts the wait again), with a page
# saying so (429). Owners unlock their members (planner: Team; POST /api/members/{id}/unlock/),
# operators anyone (admin: Axes > Access attempts; manage.py axes_reset_username NAME, axes_reset_ip
# ADDRESS, axes_reset). A successful login clears that username's and address's count.
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_LOCKOUT_MINUTES", 15.0))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Proxies in front that append to X-Forwarded-For (0: clients connect directly). Behind a proxy,
# set it, or every client shares the proxy's address and one person's failures lock out all.
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", None)
# How long an invitation's link works (accounts/conf.py has the default, 72).
INVITATION_TTL_HOURS = env_int("INVITATION_TTL_HOURS", None)
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER") or None

# Tokens never reach a log: nothing here logs request bodies or headers. LOG_FORMAT=json writes one
# JSON object per line (time, level, logger, message, request id, tenant, pin, connection):
# pinpublisher/logs.py.
LOG_FORMAT = env_str("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "pinpublisher.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": PLAIN_FORMAT},
        "json": {"()": "pinpublisher.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"urllib3": {"level": "WARNING"}},
}

# --- Metrics and health (ops/) ------------------------------------------------------
# /metrics answers only a request bearing this token (Authorization: Bearer <token>) and/or one from
# these networks (CIDRs, comma-separated; ops.access); neither set, it answers 404 (metrics off).
# /healthz and /readyz need no token and tell no secret.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")

# --- Email ---------------------------------------------------------------------------
# Owners are emailed when a Pinterest account needs them (publishing.services.notifications).
# With DEBUG on mail is printed to the console unless a backend is named; with DEBUG off it
# goes out through SMTP. A timeout, so a silent mail server never holds a worker for long.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    # Django would refuse this only when the first mail is sent; say it at start.
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (port 465) "
                               "are mutually exclusive: set one.")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 10.0)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "pinpublisher <pinpublisher@localhost>"

# --- Pinterest -----------------------------------------------------------------------
# Each app's names, read from the environment; unset is None and the app's conf.py
# (pinterest/conf.py, publishing/conf.py) supplies the default, once.
PINTEREST_API_BASE = env_str("PINTEREST_API_BASE").rstrip("/") or None
PINTEREST_OAUTH_AUTHORIZE_URL = env_str("PINTEREST_OAUTH_AUTHORIZE_URL") or None
PINTEREST_APP_ID = env_str("PINTEREST_APP_ID")
PINTEREST_APP_SECRET = env_str("PINTEREST_APP_SECRET")
PINTEREST_REDIRECT_URI = env_str("PINTEREST_REDIRECT_URI")
PINTEREST_STANDIN_PIN_PAGE = env_str("PINTEREST_STANDIN_PIN_PAGE") or None
PINTEREST_CONNECT_TIMEOUT_SECONDS = env_float("PINTEREST_CONNECT_TIMEOUT_SECONDS", None)
PINTEREST_READ_TIMEOUT_SECONDS = env_float("PINTEREST_READ_TIMEOUT_SECONDS", None)
PINTEREST_MAX_ANSWER_BYTES = env_int("PINTEREST_MAX_ANSWER_BYTES", None)
PINTEREST_PUBLISH_INTERVAL_SECONDS = env_float("PINTEREST_PUBLISH_INTERVAL_SECONDS", None)
TOKEN_REFRESH_WITHIN_DAYS = env_int("TOKEN_REFRESH_WITHIN_DAYS", None)
TOKEN_REFRESH_BACKOFF_SECONDS = env_float("TOKEN_REFRESH_BACKOFF_SECONDS", None)
TOKEN_REFRESH_MAX_WAIT_SECONDS = env_float("TOKEN_REFRESH_MAX_WAIT_SECONDS", None)
PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS = env_float("PINTEREST_SPAM_BLOCK_COOLDOWN_HOURS", None)

# --- Publishing ----------------------------------------------------------------------
PUBLISH_LEASE_SECONDS = env_int("PUBLISH_LEASE_SECONDS", None)
PUBLISH_SWEEP_MINUTES = env_int("PUBLISH_SWEEP_MINUTES", None)
PUBLIC_MEDIA_BASE_URL = env_str("PUBLIC_MEDIA_BASE_URL").rstrip("/") or None
PUBLISH_RATE_LIMIT_RETRIES = env_int("PUBLISH_RATE_LIMIT_RETRIES", None)
PUBLISH_RATE_LIMIT_BACKOFF_SECONDS = env_float("PUBLISH_RATE_LIMIT_BACKOFF_SECONDS", None)
PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS = env_float("PUBLISH_RATE_LIMIT_MAX_WAIT_SECONDS", None)
PUBLISH_RECONCILE_SKEW_SECONDS = env_float("PUBLISH_RECONCILE_SKEW_SECONDS", None)
PUBLISH_RECONCILE_GRACE_SECONDS = env_float("PUBLISH_RECONCILE_GRACE_SECONDS", None)

# --- Webhooks (webhooks/conf.py has the defaults) -------------------------------------
# Development and tests only: deliver to loopback/private addresses and accept http:// URLs.
# Unset: on when DEBUG is on.
WEBHOOKS_ALLOW_LOCAL_ADDRESSES = env_bool("WEBHOOKS_ALLOW_LOCAL_ADDRESSES", None)
WEBHOOKS_CONNECT_TIMEOUT_SECONDS = env_float("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", None)
WEBHOOKS_READ_TIMEOUT_SECONDS = env_float("WEBHOOKS_READ_TIMEOUT_SECONDS", None)
WEBHOOKS_DELIVERY_DEADLINE_SECONDS = env_float("WEBHOOKS_DELIVERY_DEADLINE_SECONDS", None)
WEBHOOKS_RETRY_HOURS = env_float("WEBHOOKS_RETRY_HOURS", None)

# --- Analytics (analytics/conf.py has the defaults) ------------------------------------
ANALYTICS_REVISED_DAYS = env_int("ANALYTICS_REVISED_DAYS", None)
ANALYTICS_MAX_WAIT_SECONDS = env_float("ANALYTICS_MAX_WAIT_SECONDS", None)
ANALYTICS_RATE_LIMIT_BACKOFF_SECONDS = env_float("ANALYTICS_RATE_LIMIT_BACKOFF_SECONDS", None)
ANALYTICS_RETRY_SECONDS = env_float("ANALYTICS_RETRY_SECONDS", None)
ANALYTICS_SYNC_LEASE_SECONDS = env_float("ANALYTICS_SYNC_LEASE_SECONDS", None)
ANALYTICS_SUGGEST_MIN_PINS = env_int("ANALYTICS_SUGGEST_MIN_PINS", None)
ANALYTICS_SUGGEST_MIN_TOTAL_PINS = env_int("ANALYTICS_SUGGEST_MIN_TOTAL_PINS", None)
ANALYTICS_SUGGEST_SLOTS = env_int("ANALYTICS_SUGGEST_SLOTS", None)

# --- Feeds (feeds/conf.py has the defaults) ------------------------------------------
FEEDS_POLL_MINUTES = env_float("FEEDS_POLL_MINUTES", None)
FEEDS_ALLOW_LOCAL_ADDRESSES = env_bool("FEEDS_ALLOW_LOCAL_ADDRESSES", None)
FEEDS_FETCH_DEADLINE_SECONDS = env_float("FEEDS_FETCH_DEADLINE_SECONDS", None)
FEEDS_MAX_BYTES = env_int("FEEDS_MAX_BYTES", None)
FEEDS_PAGES_PER_POLL = env_int("FEEDS_PAGES_PER_POLL", None)
# --- Audit trail (audit/conf.py has the defaults) --------------------------------------
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", None)

# --- REST API ------------------------------------------------------------------------
# The most of a request body Django holds in memory: a JSON body, or multipart's fields other
# than files (more is 413 request_too_large). Uploaded files stream to disk and do not count,
# so a pin image up to its own 20 MB limit passes. Django's default, stated.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
REST_FRAMEWORK = {
    # API keys (apikeys: hashed at rest, scoped) or a session; every tenant endpoint takes these
    # (pinpublisher.api.TenantApi, after its tenant check), named here so the project's package
    # imports no app: a key needs the scope its view names for the method (403 insufficient_scope),
    # and the schema states that scope for every operation.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apikeys.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apikeys.authentication.HasRequiredScope",
        # The member's role (publishing.roles), read on each request: a key never does more than
        # its owner's current role allows.
        "publishing.api_permissions.RoleAllows",
    ],
    # DRF's default parsers: JSON, form-encoded (what `curl -d` sends) and multipart (image uploads).
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "apikeys.schema.ScopedAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # One error format for every answer >= 400 (pinpublisher/api/exception_handlers.py).
    "EXCEPTION_HANDLER": "pinpublisher.api.exception_handler",
    # The rates of pinpublisher.api.throttling.UserRateThrottle (per user, whichever key or session) and
    # ApiKeyRateThrottle (per API key), on every tenant endpoint: counted in the default cache
    # (per process unless a shared cache is set); empty turns one off.
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER_RATE", "1200/minute") or None,
        "api_key": env_str("API_THROTTLE_KEY_RATE", "1200/minute") or None,
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "pinpublisher API",
    "DESCRIPTION": (
        "Publish and schedule Pinterest pins for blog articles. Authenticate with an API key, "
        "`Authorization: Token <key>` (or a session); each operation states the scope the key "
        "needs (`x-required-scope`), and a key without it gets 403 `insufficient_scope`. "
        "Everything is scoped to your tenant: another tenant's objects are 404. Every error has the body "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "PinStatusEnum": "publishing.models.PinStatus",
        "DeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "FeedKindEnum": "feeds.models.FeedKind",
    },
    # Swagger UI's files come from drf-spectacular-sidecar: the docs work offline (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Background jobs (django-q2, ORM broker on the default database) ------------------
# timeout must exceed the longest task (a sweep is bounded by PUBLISH_SWEEP_BUDGET_SECONDS);
# retry must exceed timeout, or a slow task is handed to a second worker while it still runs.
PUBLISH_TASK_TIMEOUT_SECONDS = env_int("PUBLISH_TASK_TIMEOUT_SECONDS", None)
PUBLISH_SWEEP_BUDGET_SECONDS = env_int("PUBLISH_SWEEP_BUDGET_SECONDS", None)
PUBLISH_CALLS_IN_FLIGHT = env_int("PUBLISH_CALLS_IN_FLIGHT", None)
# The hot statements (the claim, the look, the decision, the pacing slot, the webhooks' endpoint
# look) run prepared on the server: PostgreSQL plans each once per connection instead of on every
# call (``pinpublisher.statements``). Turn off behind a transaction-mode pooler that does not keep
# prepared statements (PgBouncer before 1.21).
PUBLISH_PREPARED_STATEMENTS = env_bool("PUBLISH_PREPARED_STATEMENTS", True)
PUBLISH_RUNNERS = env_int("PUBLISH_RUNNERS", None)
PUBLISH_RUNNER_TURN_SECONDS = env_float("PUBLISH_RUNNER_TURN_SECONDS", None)
PUBLISH_RUNNER_HEARTBEAT_SECONDS = env_float("PUBLISH_RUNNER_HEARTBEAT_SECONDS", None)
PUBLISH_LOOKAHEAD_SECONDS = env_int("PUBLISH_LOOKAHEAD_SECONDS", None)
PIN_IMAGE_MAX_PIXELS = env_int("PIN_IMAGE_MAX_PIXELS", None)
PIN_IMAGE_CONVERTED_MAX_PIXELS = env_int("PIN_IMAGE_CONVERTED_MAX_PIXELS", None)
PIN_VIDEO_MAX_BYTES = env_int("PIN_VIDEO_MAX_BYTES", None)
PIN_SCHEDULE_MAX_PAST_SECONDS = env_int("PIN_SCHEDULE_MAX_PAST_SECONDS", None)
PIN_SCHEDULE_MAX_AHEAD_DAYS = env_int("PIN_SCHEDULE_MAX_AHEAD_DAYS", None)
PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS = env_int("PUBLISH_MEDIA_PROCESSING_BUDGET_SECONDS", None)
PUBLISH_NOW_MAX_WAIT_SECONDS = env_float("PUBLISH_NOW_MAX_WAIT_SECONDS", None)
# The broker: django-q2's ORM broker (the default database; nothing else to run) unless
# Q_REDIS_URL names a Redis server. Redis hands tasks over at once instead of by polling,
# but a task a killed worker held is lost (at most once): runners' places expire and the
# schedules start new ones, so nothing publishing needs is lost with it. Schedules and task
# results stay in the database either way.
Q_REDIS_URL = env_str("Q_REDIS_URL", "")
Q_CLUSTER = {
    "name": "pinpublisher",
    **({"redis": Q_REDIS_URL} if Q_REDIS_URL else {"orm": "default"}),
    "workers": env_int("Q_WORKERS", 4),
    **q_cluster_times(PUBLISH_TASK_TIMEOUT_SECONDS),
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "poll": env_float("Q_POLL_SECONDS", 1.0),
}
