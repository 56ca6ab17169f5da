"""`/healthz`: is the database reachable, is the broker reachable; 503 naming what is down."""

import concurrent.futures
import os
import threading
import time

from django.conf import settings
from django.db import connection, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app

# One check of each part at a time, each in a thread of its own: a part that hangs keeps only its
# own thread busy, is named as hanging on every probe until it answers, and never delays or blames
# the others (a shared pool filled with hung checks made the healthy part look down).
_running: dict[tuple, concurrent.futures.Future] = {}
_running_lock = threading.Lock()


def _start(name: str, check) -> concurrent.futures.Future | None:
    """The check's future, or None while an earlier check of the same part has not answered."""
    with _running_lock:
        earlier = _running.get((name, check))
        if earlier is not None and not earlier.done():
            return None
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run():
            try:
                check()
            except BaseException as exc:  # reported by name below
                future.set_exception(exc)
            else:
                future.set_result(None)

        threading.Thread(target=run, name=f"healthz-{name}", daemon=True).start()
        _running[(name, check)] = future
        return future


def _check_database() -> None:

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()  # this runs in a pool thread: leave no connection behind


def _check_broker() -> None:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        # The embedded broker is a folder: it is up when the folder is writable.
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise OSError(f"broker folder {folder} is not writable")
        return

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_TIMEOUT)
        client = getattr(conn.default_channel, "client", None)
        if client is not None:
            client.ping()  # a real round trip to Redis


CHECKS = {"database": _check_database, "broker": _check_broker}


def _staff(request) -> bool:
    """Whether a staff member asks; False when that cannot be known (the database may be down)."""
    try:
        return bool(request.user.is_authenticated and request.user.is_staff)
    except Exception:  # the session or the user cannot be read: an anonymous answer
        return False


@never_cache
def healthz(request):
    """Each dependency is checked with a time limit, so a hung server answers 503, not never."""
    futures = {name: _start(name, check) for name, check in CHECKS.items()}
    deadline = time.monotonic() + settings.HEALTHZ_TIMEOUT + 1  # one bound for the whole answer
    report, healthy = {}, True
    for name, future in futures.items():
        if future is None:
            report[name] = "down: an earlier check has not answered yet"
            healthy = False
            continue
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
            report[name] = "ok"
        except concurrent.futures.TimeoutError:
            report[name] = f"down: no answer within {settings.HEALTHZ_TIMEOUT + 1} seconds"
            healthy = False
        except Exception as exc:  # any failure of a dependency is reported by name
            # the error's text can name hosts, ports and roles: only staff read it
            detail = f": {exc}" if report.get("database") == "ok" and _staff(request) else ""
            report[name] = f"down: {exc.__class__.__name__}{detail}"[:300]
            healthy = False
    report["status"] = "ok" if healthy else "down: " + ", ".join(n for n in CHECKS if report[n] != "ok")
    return JsonResponse(report, status=200 if healthy else 503)
