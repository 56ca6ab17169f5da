"""The embedded default for `make run`: SQLite, a filesystem broker, console email; debug off
unless DEBUG=true, so a newcomer's server answers as production does (no URL list on a 404)."""

from config import env as settings_env

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR

DEBUG = settings_env.boolean("DEBUG", False)
# A fixed development key is acceptable only here; production requires SECRET_KEY.
SECRET_KEY = SECRET_KEY or "baznegar-local-development-key-not-for-production-use-0123456789"
for _folder in ("broker/queue", "broker/processed", "broker/control", "static", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
