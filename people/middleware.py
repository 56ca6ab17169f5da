"""Request edges: the user's own language, and the address audit events record."""

import ipaddress

from django.conf import settings
from django.utils import translation

from audit import chain


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
        if request.path.startswith("/api/"):
            chosen = asked_language(request) or chosen
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        token = chain.current_ip.set(client_ip(request))
        via = chain.current_token.set(None)  # the API's TokenAuth names the token, if any
        try:
            response = self.get_response(request)
        finally:
            chain.current_token.reset(via)
            chain.current_ip.reset(token)
        return response


class SecondFactorMiddleware:
    """A person whose role requires a second factor (people.second_factor) reaches nothing but the
    second factor's page, signing out and the public pages until this session has given a code.
    The API asks for it in its own session authentication (workflows.api.app.SessionWithFactor): a
    session without it is no authentication there, whatever else the request carries."""

    OPEN_PATHS = frozenset({"/account/two-factor/", "/logout/", "/login/", "/language/", "/healthz", "/favicon.ico"})
    OPEN_PREFIXES = ("/static/", "/public/", "/api/")  # the API asks for the factor in its own session auth

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from people.second_factor import second_factor_required

        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path_info in self.OPEN_PATHS
            or request.path_info.startswith(self.OPEN_PREFIXES)
            or user.is_verified()
            or not second_factor_required(user)
        ):
            return self.get_response(request)
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        return redirect(f"{reverse('people:two_factor')}?{urlencode({'next': request.get_full_path()})}")


def asked_language(request) -> str | None:
    """For the API only: the first of the client's Accept-Language ranges that we speak. A
    program states its language on purpose; a browser's system language is not read for pages."""
    languages = dict(settings.LANGUAGES)
    for part in request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(","):
        tag = part.split(";")[0].strip().lower().split("-")[0]
        if tag in languages:
            return tag
    return None


def speak_to(request, user) -> None:
    """After a token names its holder (which happens after the middleware ran): their saved
    language, unless the request asked for one."""
    chosen = asked_language(request) or (user.language if user.language in dict(settings.LANGUAGES) else None)
    if chosen:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost of them saw (the Nth hop from the right of X-Forwarded-For). What a client writes
    into the header itself sits further left and is never read. Used by the audit trail and axes."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0 and remote is not None and _trusted(remote):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            client = _address(hops[-count])
            if client is not None:
                return str(client)
    return str(remote) if remote is not None else None


def _address(text):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    """Whether the connecting peer is one of our proxies (TRUSTED_PROXIES networks): anyone
    reaching the server directly cannot choose their address by writing the header."""
    networks = getattr(settings, "TRUSTED_PROXIES", ())
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
