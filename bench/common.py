"""What every benchmark shares: Django on the test settings, and a throwaway database of its own
(named apart from the test suite's, so a benchmark never drops a database a test run is using)."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()


@contextmanager
def throwaway_database(name: str | None = None):
    """Create an empty, migrated database for the run (named after the script) and drop it afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name or f"baznegar_{Path(sys.argv[0]).stem}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(database_name: str, *, workers: int = 2, threads: int = 1):
    """The production WSGI app under gunicorn, on the benchmark's database; returns (process, port)."""
    import signal
    import subprocess
    import time
    import urllib.request

    from django.db import connection

    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings.get('PASSWORD') or ''}@{settings['HOST']}:{settings['PORT']}/"
        f"{database_name}"
    )
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers), "--threads", str(threads)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process, port
        except Exception:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def stop_gunicorn(process) -> None:
    import signal

    from django.db import connections

    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    connections.close_all()


def session_cookie(user) -> str:
    """A signed-in session for a person, as their browser would hold it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
