"""The test suite: PostgreSQL and Redis when DATABASE_URL and REDIS_URL say so (CI), SQLite otherwise."""

from core.env import env

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "baznegar-test-key-0123456789-0123456789-0123456789-0123456789"  # noqa: S105 - tests only
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The browser tests' live server gets its CSS, fonts and scripts from the apps' static folders
# (WhiteNoise, as in production, but without a collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A worker process started by a test writes its mail to files the test can count.
EMAIL_BACKEND = env.str("TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = True
for _folder in ("broker/queue", "broker/processed", "broker/control", "static"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Lets the test runner empty the audit table between tests; production never sets it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c baznegar.allow_audit_truncate=on").strip()
