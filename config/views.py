"""Site-wide pages: the language switch, and the server-error page that tells a database outage
(503, try again shortly) from a fault (500)."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from people.services import user_language_set


@require_POST
def language_switch(request):
    """Switch between Persian and English; a signed-in user's choice is saved with them."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=request.is_secure())
        if request.user.is_authenticated and request.user.language != language:
            user_language_set(user=request.user, language=language)
    return response


UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """Django's 500 handler, with one difference: when the database cannot be reached (stopped,
    restarting, too busy) the answer is 503 with Retry-After and a page saying to try again
    shortly. Neither page reads the database, the session or the user."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, UNAVAILABLE) or isinstance(getattr(error, "__cause__", None), UNAVAILABLE)
    # a session that could not be loaded fails again on the way out (SessionMiddleware reads its
    # never-filled cache): the same outage, still a 503
    unavailable = unavailable or getattr(request, "_database_unavailable", False)
    if unavailable:
        request._database_unavailable = True
        response = HttpResponseServerError(loader.get_template("503.html").render())
        response.status_code = 503
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


def favicon(request):
    """The icon browsers ask for at the root, as the static file every page links (cached there)."""
    response = HttpResponsePermanentRedirect(static("site/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
