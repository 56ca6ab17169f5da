"""Request edges: the user's own language, and the address audit events record."""

from django.conf import settings
from django.utils import translation

from approvals import audit


class UserLanguageMiddleware:
    """Persian first: a signed-in user's saved language, else the language switch's cookie, else
    Persian. The browser's Accept-Language is not consulted: many municipal computers run an
    English system for Persian-speaking staff."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        languages = dict(settings.LANGUAGES)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and user.language in languages:
            chosen = user.language
        if chosen not in languages:
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        token = audit.current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            audit.current_ip.reset(token)
        return response


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the proxy's X-Forwarded-For hop when the deployment says to trust it."""
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
