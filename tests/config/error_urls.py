"""The site's URLs plus views that fail on purpose, for the error pages' tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from config.urls import handler500  # noqa: F401 - the site's error handler too
from config.urls import urlpatterns as site


def _boom(request):
    raise RuntimeError("a fault on purpose")


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("a bad request on purpose")


def _database_gone(request):
    from django.db import OperationalError

    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [
    path("test-errors/500/", _boom),
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _bad),
    path("test-errors/503/", _database_gone),
    *site,
]
