"""`/healthz`: is the database reachable, is the broker reachable; 503 naming what is down."""

import concurrent.futures
import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _check_database() -> None:
    from django.db import connections

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
    from config.celery import app

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
    futures = {name: _pool.submit(check) for name, check in CHECKS.items()}
    report, healthy = {}, True
    for name, future in futures.items():
        try:
            future.result(timeout=settings.HEALTHZ_TIMEOUT + 1)
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
