"""Production: every secret from the environment with no default; HTTPS behind a proxy."""

from pathlib import Path

from audit.signing import key_from_text
from core import env as settings_env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = settings_env.required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise settings_env.SettingError("SECRET_KEY", "must be at least 50 characters with at least 5 distinct ones")
ALLOWED_HOSTS = settings_env.url_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise settings_env.SettingError("ALLOWED_HOSTS", "is required and not set (comma-separated host names)")
DATABASES = {"default": settings_env.database("DATABASE_URL", settings_env.required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = settings_env.integer("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
settings_env.bounded(DATABASES["default"])
if settings_env.env.str("DATABASE_OWNER_URL", default=""):
    DATABASES["owner"] = {**settings_env.database("DATABASE_OWNER_URL", ""), "TEST": {"MIRROR": "default"}}
REFUSE_PRIVILEGED_DATABASE_LOGIN = settings_env.boolean("REFUSE_PRIVILEGED_DATABASE_LOGIN", True)
CELERY_BROKER_URL = settings_env.broker_url(settings_env.required("REDIS_URL"))
# the audit log's heads are signed with a key held outside the database: no key, no start
AUDIT_REQUIRE_SIGNING_KEY = True
AUDIT_SIGNING_KEY = settings_env.env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_SIGNING_KEY_FILE = settings_env.env.str("AUDIT_SIGNING_KEY_FILE", default="")
try:
    if AUDIT_SIGNING_KEY_FILE and not AUDIT_SIGNING_KEY:
        key_from_text(Path(AUDIT_SIGNING_KEY_FILE).read_bytes())
    elif AUDIT_SIGNING_KEY:
        key_from_text(AUDIT_SIGNING_KEY.encode())
    else:
        raise settings_env.SettingError(
            "AUDIT_SIGNING_KEY", "is required (or AUDIT_SIGNING_KEY_FILE): the audit log's heads are signed with it"
        )
except (OSError, ValueError) as _error:
    raise settings_env.SettingError("AUDIT_SIGNING_KEY", f"cannot be read: {_error}") from None

# Attachments in an S3-compatible store (MinIO, Ceph, a cloud's) when a bucket is named: needs
# `pip install "django-storages[s3]"` in the image. The bucket stays private: files are read back
# by the application and served only to people who may see them (docs/attachments.md).
if settings_env.env.str("ATTACHMENT_S3_BUCKET", default=""):
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": settings_env.env.str("ATTACHMENT_S3_BUCKET"),
            "endpoint_url": settings_env.env.str("ATTACHMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": settings_env.env.str("ATTACHMENT_S3_REGION", default="") or None,
            "access_key": settings_env.required("ATTACHMENT_S3_ACCESS_KEY"),
            "secret_key": settings_env.required("ATTACHMENT_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# TLS is terminated by the reverse proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = settings_env.boolean("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes speak plain HTTP inside the cluster
SECURE_HSTS_SECONDS = settings_env.integer("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = settings_env.boolean("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
