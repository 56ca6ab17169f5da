"""Headers every answer carries: what the browser may load and run, and which features it may use;
and a deadline no request waits past on a hung database.

Written here rather than with django-csp: one fixed policy for the whole site, no nonces (the
templates have no inline script; the date picker's start-up is a static file), fifteen lines."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # viewflow's diagrams and the date picker set style attributes; scripts stay strict
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class DatabaseDeadlineMiddleware:
    """A request never waits on a hung database longer than DATABASE_REQUEST_DEADLINE seconds.

    PostgreSQL's own timeouts need a server that answers: a server that accepts and never replies
    (stopped with SIGSTOP, a dead network path) holds a query forever, and a persistent connection
    is not re-opened (so the connect timeout does not apply). When the deadline passes, a timer
    shuts down the socket of each database connection this request's thread holds: the blocked
    read fails at once, Django's handler answers 503 (config.views.server_error), and the
    connection is replaced on the next request. Streaming bodies (they are sent after the view
    returns) are not covered."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.deadline = float(getattr(settings, "DATABASE_REQUEST_DEADLINE", 0) or 0)

    def __call__(self, request):
        if self.deadline <= 0:
            return self.get_response(request)
        # the wrappers of this thread (Django keeps one per thread); their sockets may open later
        wrappers = [connections[alias] for alias in connections if connections[alias].vendor == "postgresql"]
        timer = threading.Timer(self.deadline, _interrupt, args=[wrappers])
        timer.daemon = True
        request._database_deadline = timer
        timer.start()
        try:
            return self.get_response(request)
        finally:
            timer.cancel()

    def process_view(self, request, view_func, view_args, view_kwargs):
        # a view that reads much by design (a spreadsheet of the audit log) has only the database's
        # own statement timeout; every other view answers within the deadline
        if getattr(view_func, "long_database_work", False) and hasattr(request, "_database_deadline"):
            request._database_deadline.cancel()


def long_database_work(view):
    """Mark a view whose reading takes longer than the request deadline by design (an export)."""
    view.long_database_work = True
    return view


def _interrupt(wrappers) -> None:
    for wrapper in wrappers:
        raw = getattr(wrapper, "connection", None)
        try:
            if raw is None or raw.closed:
                continue
            with socket.socket(fileno=os.dup(raw.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except Exception as error:  # closed meanwhile (psycopg raises its own error): nothing waits on it
            logger.debug("database deadline: connection already closed (%s)", error)


def _declared_length(request) -> int:
    """The body's length as the request declares it (0 when it declares none or nonsense)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refusal_page(request, template: str, status: int, context=None):
    """A page refused before the language middleware has run: in the language the person chose
    (its cookie), else Persian; never the language a previous request left active in the thread."""
    from django.conf import settings
    from django.shortcuts import render
    from django.utils import translation

    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return render(request, template, context or {}, status=status)


class RequestBodyLimitMiddleware:
    """A page's request body larger than REQUEST_MAX_BODY_BYTES (the largest document plus its form)
    is a 413 page, refused on its declared length before any of it is read: Django reads a whole
    upload into a temporary file before a form can look at its size, so an anonymous visitor's
    upload of gigabytes to the public letter check held a worker for as long as it took. The API
    has its own, smaller limit (RefuseNulMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        limit = settings.REQUEST_MAX_BODY_BYTES
        if _declared_length(request) > limit and not request.path.startswith("/api/"):
            return _refusal_page(request, "413.html", 413, {"limit_mb": limit // (1024 * 1024)})
        return self.get_response(request)


class RefuseNulMiddleware:
    """An API request's body larger than API_MAX_BODY_BYTES is a 413 problem, read no further. A
    NUL character in an API request's path, query or JSON body is refused with a 400 problem
    before any operation runs: PostgreSQL cannot store or compare text holding one, and the API's
    typed strings would carry it to the database as a server error (found by Schemathesis). A page
    with a NUL in its address is a 400 page; their forms refuse it themselves (Django's fields)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            # a page's query string goes into its filters as typed (?city=, ?plan=, ?committee=):
            # one NUL there was a 500, even for an anonymous visitor; forms refuse NUL themselves
            if self._nul_in_address(request):
                return _refusal_page(request, "400.html", 400)
            return self.get_response(request)
        from django.conf import settings
        from django.core.exceptions import RequestDataTooBig
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        def problem(status, title, detail):
            body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
            return JsonResponse(body, status=status, content_type="application/problem+json")

        limit = getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024)
        too_big = _("A request body may be at most %(size)s KB.") % {"size": limit // 1024}
        if _declared_length(request) > limit:  # refused before a byte of it is read
            return problem(413, "Content Too Large", too_big)
        try:
            if self._carries_nul(request):
                return problem(400, "Bad Request", _("A request may not contain a NUL character."))
        except RequestDataTooBig:
            return problem(413, "Content Too Large", too_big)
        return self.get_response(request)

    @staticmethod
    def _nul_in_address(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        return "\x00" in request.path or "%00" in query or "\x00" in query

    @classmethod
    def _carries_nul(cls, request) -> bool:
        if cls._nul_in_address(request):
            return True
        if request.method in ("POST", "PUT", "PATCH"):  # whatever its content type: the API reads any as JSON
            return b"\\u0000" in request.body or b"\x00" in request.body
        return False
