"""Reading settings from the environment, failing with one clear line on a bad value.

A municipality's operator who mistypes a setting must see which one, not a traceback.
"""

import sys

import environ

env = environ.Env()


class SettingError(SystemExit):
    """A missing or malformed setting: stops start-up with one line naming it."""

    def __init__(self, name: str, problem: str):
        line = f"baznegar: configuration error: {name}: {problem}"
        sys.stderr.write(line + "\n")
        super().__init__(2)
        self.line = line


def required(name: str) -> str:
    """A setting that has no default: missing or empty stops start-up."""
    value = env.str(name, default="").strip()
    if not value:
        raise SettingError(name, "is required and not set")
    return value


def database(name: str, default: str) -> dict:
    """Parse a database URL (postgres://, sqlite:///), naming the setting when it is malformed."""
    raw = env.str(name, default=default)
    scheme = raw.split("://", 1)[0] if "://" in raw else raw.split(":", 1)[0]
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise SettingError(name, f"unsupported database scheme {scheme!r} (use postgres:// or sqlite:///)")
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # environ raises several types for a bad URL
        raise SettingError(name, f"malformed database URL ({exc})") from None
    return config


def boolean(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(name, f"expected true or false, got {raw!r}")


def integer(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(name, f"expected a whole number, got {raw!r}") from None


def url_list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default="")
    if raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def bounded(database: dict) -> dict:
    """A PostgreSQL connection that answers within bounds when the server hangs or is gone:
    connecting (DATABASE_CONNECT_TIMEOUT, seconds), any statement (DATABASE_STATEMENT_TIMEOUT, ms)
    and any wait for a lock (DATABASE_LOCK_TIMEOUT, ms). Web requests keep the short defaults; the
    worker's start script raises the statement limit, and migrations run without one."""
    if not database["ENGINE"].endswith("postgresql"):
        return database
    options = database.setdefault("OPTIONS", {})
    options["connect_timeout"] = integer("DATABASE_CONNECT_TIMEOUT", 5)
    statement = integer("DATABASE_STATEMENT_TIMEOUT", 15000)
    lock = integer("DATABASE_LOCK_TIMEOUT", 5000)
    options["options"] = f"-c statement_timeout={statement} -c lock_timeout={lock}"
    return prepared(database)


def prepared(database: dict) -> dict:
    """Parameters bound by the server, and a statement prepared once a connection has sent it
    DATABASE_PREPARE_THRESHOLD times (default 2): PostgreSQL then parses and plans each of the
    product's few hundred statement shapes once per connection instead of on every call (a
    quarter more decisions per second in `bench/decisions_bench.py`). 0 binds on the client and
    prepares nothing, for a pooler in transaction mode (PgBouncer before 1.21)."""
    threshold = integer("DATABASE_PREPARE_THRESHOLD", 2)
    if threshold < 0:
        raise SettingError("DATABASE_PREPARE_THRESHOLD", f"expected 0 or more, got {threshold}")
    options = database.setdefault("OPTIONS", {})
    if threshold:
        options["server_side_binding"] = True
        options["prepare_threshold"] = threshold
    return database


def request_deadline() -> float:
    """Seconds a web request may wait on a database that never answers (core.middleware):
    DATABASE_REQUEST_DEADLINE, else the statement timeout less the connect timeout (after the
    deadline, one more attempt to connect is bounded by the connect timeout, at least 2 s in libpq,
    so the answer comes within the statement timeout); at least one second; 0 (off) when
    statements have no limit."""
    explicit = integer("DATABASE_REQUEST_DEADLINE", 0)
    if explicit:
        return float(explicit)
    statement = integer("DATABASE_STATEMENT_TIMEOUT", 15000)
    if not statement:
        return 0.0
    return max(1.0, statement / 1000 - integer("DATABASE_CONNECT_TIMEOUT", 5))


def broker_url(default: str) -> str:
    """CELERY_BROKER_URL, else REDIS_URL, else the embedded default."""
    raw = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="") or default
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in {"redis", "rediss", "filesystem", "memory", "amqp", "sentinel"}:
        name = "CELERY_BROKER_URL" if env.str("CELERY_BROKER_URL", default="") else "REDIS_URL"
        raise SettingError(name, f"malformed broker URL {raw!r}")
    return raw
