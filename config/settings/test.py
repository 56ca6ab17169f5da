"""The test suite: PostgreSQL and Redis when DATABASE_URL and REDIS_URL say so (CI), SQLite otherwise."""

from core.env import env

from .base import *  # noqa: F403
from .base import VAR_DIR

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
# a fixed signing key for the audit log's heads (tests only; base64 of 32 bytes)
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="dGVzdC1vbmx5LWF1ZGl0LXNpZ25pbmcta2V5LTAwMDA=")
# audited commits do not hand the sequencer to a broker in tests; tests seal with audit_sequence_all
AUDIT_SEQUENCE_AFTER_COMMIT = env.bool("AUDIT_SEQUENCE_AFTER_COMMIT", default=False)
AXES_ENABLED = True
for _folder in ("broker/queue", "broker/processed", "broker/control", "static"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "test-media"  # supporting documents the tests attach
# the second factor is switched on by the tests that test it
SECOND_FACTOR_REQUIRED = False
