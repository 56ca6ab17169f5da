"""The embedded default for `make run`: SQLite, a filesystem broker, console email; debug off
unless DEBUG=true, so a newcomer's server answers as production does (no URL list on a 404)."""

import ipaddress

from core import env as settings_env

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR

DEBUG = settings_env.boolean("DEBUG", False)
# make run listening on a named address (BAZNEGAR_HOST) answers to it too; for "all interfaces"
# name the addresses people will type in ALLOWED_HOSTS
_host = settings_env.env.str("BAZNEGAR_HOST", default="")
try:
    _named = not ipaddress.ip_address(_host).is_unspecified
except ValueError:
    _named = bool(_host)
if _named and _host not in ALLOWED_HOSTS:  # noqa: F405
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _host]  # noqa: F405
# A fixed development key is acceptable only here; production requires SECRET_KEY.
SECRET_KEY = SECRET_KEY or "baznegar-local-development-key-not-for-production-use-0123456789"
for _folder in ("broker/queue", "broker/processed", "broker/control", "static", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
# the audit log's signing key: made on first use, kept beside the development database
AUDIT_SIGNING_KEY_FILE = settings_env.env.str("AUDIT_SIGNING_KEY_FILE", default=str(VAR_DIR / "audit-signing.key"))
AUDIT_SIGNING_KEY_CREATE = True
# the demo: a second factor only when asked for (production requires it for the roles named in base)
SECOND_FACTOR_REQUIRED = settings_env.boolean("SECOND_FACTOR_REQUIRED", False)
