"""Site-wide pages: the language switch."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from approvals.services import user_language_set


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
