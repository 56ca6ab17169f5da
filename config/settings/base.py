"""Settings shared by every environment; the per-environment modules change only what differs."""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from core import env as settings_env
from core.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("BAZNEGAR_VAR_DIR", default=str(BASE_DIR / "var")))
# where the public pages are reached from outside: printed (and as a QR code) on issuance letters
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS = settings_env.url_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = settings_env.url_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # first, so that our templates (login, base) win over viewflow's Material ones
    "core.apps.CoreConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "core.apps.StaticFilesConfig",
    "django.contrib.humanize",
    "guardian",
    "core.apps.AxesConfig",
    "viewflow",
    "viewflow.workflow",
    "ninja",  # the API's reference (Swagger UI) from its own static files, no CDN
    "django_otp",  # the second factor (people/second_factor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # ours, from the floor up (docs/architecture.md: each imports only from those above it here)
    "audit",
    "people",
    "rules",
    "plan",
    "notifications",
    "approvals",
    "workflows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.DatabaseDeadlineMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",  # before anything reads the body (CSRF's token)
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.request_memo.RequestMemoMiddleware",  # what a request worked out about the person, once
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a second factor given
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "people.middleware.UserLanguageMiddleware",
    "people.middleware.SecondFactorMiddleware",
    "people.throttling.SprayingThrottleMiddleware",
    # axes last: it reads the outcome of authentication
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": settings_env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
# A read replica for the auditor's pages and exports (core/db_router.py): a province's layout.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = settings_env.database("DATABASE_REPLICA_URL", "")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # the embedded default: a web server, a worker and beat share one file
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = settings_env.integer("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    settings_env.bounded(DATABASES["default"])
# The owner's login (PostgreSQL): migrations run on it (`manage.py setup_database`), and it grants
# the login of DATABASE_URL only what the application needs. Without it, one login does both.
if settings_env.env.str("DATABASE_OWNER_URL", default=""):
    DATABASES["owner"] = {
        **settings_env.database("DATABASE_OWNER_URL", ""),
        "TEST": {"MIRROR": "default"},
        "OPTIONS": {},
    }
# the longest a request waits on a database that accepts and never answers (core.middleware);
# PostgreSQL's statement timeout bounds a server that answers, this one a server that does not
DATABASE_REQUEST_DEADLINE = settings_env.request_deadline()
# in production, a process refuses to serve on a superuser or on the owner of the audit tables
REFUSE_PRIVILEGED_DATABASE_LOGIN = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "people.throttling.SprayingThrottleBackend",  # an address spraying passwords is refused everywhere
    "axes.backends.AxesStandaloneBackend",
    "people.backends.PeopleBackend",  # Django's ModelBackend; service accounts never sign in
    "guardian.backends.ObjectPermissionBackend",
]
# Directory sign-in (people/directory.py, docs/operations.md): on when DIRECTORY_LDAP_URI is set,
# beside local accounts. Needs requirements/ldap.txt (python-ldap builds against libldap2-dev).
DIRECTORY_LDAP_URI = env.str("DIRECTORY_LDAP_URI", default="")
DIRECTORY_BIND_DN = env.str("DIRECTORY_BIND_DN", default="")
DIRECTORY_BIND_PASSWORD = env.str("DIRECTORY_BIND_PASSWORD", default="")
DIRECTORY_USER_BASE = env.str("DIRECTORY_USER_BASE", default="")
DIRECTORY_USER_FILTER = env.str("DIRECTORY_USER_FILTER", default="(uid=%(user)s)")  # AD: (sAMAccountName=%(user)s)
DIRECTORY_GROUP_BASE = env.str("DIRECTORY_GROUP_BASE", default="")
DIRECTORY_GROUP_TYPE = env.str("DIRECTORY_GROUP_TYPE", default="groupOfNames")  # or activeDirectory
if DIRECTORY_LDAP_URI:
    AUTHENTICATION_BACKENDS.insert(  # after the throttles, before local passwords
        AUTHENTICATION_BACKENDS.index("people.backends.PeopleBackend"), "people.directory_backend.DirectoryBackend"
    )
# OpenID Connect sign-in (people/identity.py, docs/operations.md): on when OIDC_RP_CLIENT_ID is set.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile groups")
OIDC_TIMEOUT = 5
LOGIN_REDIRECT_URL_FAILURE = "/login/?identity=failed"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.insert(
        AUTHENTICATION_BACKENDS.index("people.backends.PeopleBackend"), "people.identity.IdentityBackend"
    )
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The second factor (people/second_factor.py, docs/operations.md): required for these roles and
# every superuser when on. On in production; off by default for `make run`'s demo and the tests.
SECOND_FACTOR_REQUIRED = env.bool("SECOND_FACTOR_REQUIRED", default=True)
SECOND_FACTOR_ROLES = ["planning_office", "administrator", "auditor"]
OTP_TOTP_ISSUER = "Baznegar"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = settings_env.integer("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
# guessing one person's password: locked by username and address together (a colleague's typos
# lock only themselves); spraying many usernames from one address: people.throttling
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "people.middleware.client_ip"
# Behind reverse proxies: how many of them append to X-Forwarded-For (0: none, REMOTE_ADDR is the
# client). The client is the address the outermost trusted proxy saw; anything a client put in the
# header before it is ignored.
TRUSTED_PROXY_COUNT = settings_env.integer("TRUSTED_PROXY_COUNT", 0)
# The networks those proxies connect from; X-Forwarded-For is read only from them.
TRUSTED_PROXIES = settings_env.url_list(
    "TRUSTED_PROXIES", ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
)
if settings_env.env.str("USE_X_FORWARDED_FOR", default=""):
    raise settings_env.SettingError(
        "USE_X_FORWARDED_FOR", "is no longer read: set TRUSTED_PROXY_COUNT (and TRUSTED_PROXIES) instead"
    )
# Failed sign-ins from one address, across usernames, before that address waits (password spraying).
SIGN_IN_ADDRESS_FAILURE_LIMIT = settings_env.integer("SIGN_IN_ADDRESS_FAILURE_LIMIT", 30)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Persian first: fa is the default, English the second language.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tehran")
USE_TZ = True  # stored as UTC; Jalali and Asia/Tehran only at the edges

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Email: console on the embedded default, SMTP when EMAIL_URL says so.
_email = settings_env.env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="baznegar@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production and CI, a server-less filesystem broker on the embedded default.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = settings_env.broker_url("filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # kombu's default is ./control, in the checkout
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {
        "visibility_timeout": 3600,
        # Publishing fails at once when Redis refuses (kombu otherwise retries for ~6 s inside the
        # request) and waits at most socket_timeout when it hangs; the outbox's sweep delivers
        # what was not handed over, and notifications.services opens a breaker so only one request
        # in BROKER_BREAKER_SECONDS pays even that. Workers reconnect under Celery's own settings.
        "max_retries": settings_env.integer("BROKER_PUBLISH_RETRIES", 0),
        "socket_connect_timeout": 2,
        # web processes set 1 s (docker/start-web.sh); workers keep more room for their polling
        "socket_timeout": settings_env.integer("BROKER_SOCKET_TIMEOUT", 5),
    }
)
BROKER_BREAKER_SECONDS = settings_env.integer("BROKER_BREAKER_SECONDS", 30)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Two queues: email (the outbox's deliveries and the digests) apart from the workflow's own timers,
# reminders, sealing and sweeps, so a slow mail server never holds a deadline back. One worker
# takes both by default (CELERY_QUEUES in docker/start-worker.sh); a province runs one of each.
CELERY_TASK_DEFAULT_QUEUE = "celery"  # the workflow's own work
CELERY_TASK_ROUTES = {
    "notifications.tasks.deliver_outbox": {"queue": "email"},
    "notifications.tasks.deliver_outbox_many": {"queue": "email"},
    "notifications.tasks.send_digests": {"queue": "email"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "fire-workflow-timers": {"task": "workflows.tasks.fire_workflow_timers", "schedule": 60.0},
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "send-reminders": {"task": "approvals.tasks.send_reminders", "schedule": 60.0},  # cheap, idempotent
    "send-digests": {"task": "notifications.tasks.send_digests", "schedule": crontab(hour=7, minute=0)},
    "reconcile-seat-rights": {"task": "people.tasks.reconcile_seat_rights", "schedule": crontab(minute=17)},
    "sequence-audit-log": {"task": "audit.tasks.sequence_audit_log", "schedule": 2.0},  # sealed within seconds
    "sequence-audit-log-sweep": {
        "task": "audit.tasks.sequence_audit_log",
        "schedule": crontab(minute=41),
        "kwargs": {"full": True},  # an event committed long after its id was taken
    },
    "make-pending-letters": {"task": "workflows.tasks.make_pending_letters", "schedule": 60.0},  # normally none
    "purge-idempotency-keys": {"task": "workflows.tasks.purge_idempotency_keys", "schedule": crontab(minute=53)},
    "verify-audit-chain-daily": {
        "task": "audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
}

# The largest body the API reads (a plan's worth of operations is far below it); larger is a 413.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_redis_url = env.str("REDIS_URL", default="")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
# The public plan's rendered tree, per process: an issued version never changes, so its tree (and a
# search in it) is kept by the version's fingerprint; in memory, so that a Redis outage leaves the
# public pages up.
CACHES["public"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "public-plan",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 300},
}

# Seconds a process keeps the rules administrators edit (calendar, holidays, service levels, legal
# windows, council rules) before reading them again; a change made in the same process is seen at once.
RULES_CACHE_SECONDS = env.int("RULES_CACHE_SECONDS", default=30)
# Seconds /healthz waits for a dependency before calling it down.
HEALTHZ_TIMEOUT = 2
# Reminders the sweep records per transaction (with their notifications and emails): larger is
# faster; a worker killed mid-sweep loses the batch it was writing, which the next sweep redoes.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=250)
# the discussion of an amendment: how long a comment can be edited, and how long it may be
COMMENT_EDIT_MINUTES = env.int("COMMENT_EDIT_MINUTES", default=15)
COMMENT_MAX_LENGTH = 4000
# supporting documents of amendments and revisions: stored through the default storage (the
# filesystem under MEDIA_ROOT; an S3-compatible store in production, docs/attachments.md), their type
# read from their content, never from their name. Each type lists the names' endings it may carry.
ATTACHMENT_MAX_BYTES = settings_env.integer("ATTACHMENT_MAX_MB", 20) * 1024 * 1024
ATTACHMENT_MAX_PER_SUBJECT = settings_env.integer("ATTACHMENT_MAX_PER_SUBJECT", 30)
# a page's request body, refused above this on its declared length before it is read (the largest
# document and its form; core.middleware.RequestBodyLimitMiddleware)
REQUEST_MAX_BODY_BYTES = (
    settings_env.integer("REQUEST_MAX_BODY_MB", ATTACHMENT_MAX_BYTES // (1024 * 1024) + 5) * 1024 * 1024
)
ATTACHMENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "text/plain": (".txt", ".csv"),
    "text/csv": (".csv",),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step of a PDF at INFO: only their warnings matter
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The audit log (docs/audit.md): its Ed25519 signing key lives outside the database, as base64 of
# the 32 raw bytes in AUDIT_SIGNING_KEY, or in the file AUDIT_SIGNING_KEY_FILE. Production refuses to
# start without a readable one; development makes one under var/ on first use.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default="")
AUDIT_SIGNING_KEY_CREATE = False
AUDIT_REQUIRE_SIGNING_KEY = False
# an event recorded this long before it was sealed, or still unsealed after it, is reported
AUDIT_SEALING_GRACE_SECONDS = env.int("AUDIT_SEALING_GRACE_SECONDS", default=600)
