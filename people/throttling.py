"""Password spraying: a few tries on each of many usernames from one address. axes locks a
username at one address (guessing); this counts failures per address across usernames, in the
cache (Redis in production), and makes the address wait for axes' cool-off once it passes
SIGN_IN_ADDRESS_FAILURE_LIMIT. The limit is high enough for an office behind one NAT address."""

import datetime as dt
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render, resolve_url

from people.middleware import client_ip

logger = logging.getLogger(__name__)


def _key(address: str) -> str:
    """One counter per IPv4 address, and per IPv6 /64 (a client rotates freely inside its /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"baznegar:sign-in-failures:{address}"
    if parsed.version == 6:
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return f"baznegar:sign-in-failures:{address}"


def _window() -> int:
    return int(dt.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds())


@receiver(user_login_failed, dispatch_uid="baznegar-spraying-count")
def count_failure(sender, credentials=None, request=None, **kwargs):
    address = client_ip(request) if request is not None else None
    if not address:
        return
    if cache.add(_key(address), 1, timeout=_window()):
        return
    try:
        cache.incr(_key(address))
    except ValueError:  # expired between the two calls
        cache.add(_key(address), 1, timeout=_window())


def address_blocked(request) -> bool:
    address = client_ip(request)
    return bool(address) and (cache.get(_key(address)) or 0) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


class SprayingThrottleBackend(BaseBackend):
    """First of the authentication backends: an address past the limit is refused on every
    sign-in path (the site's and the admin's), before any password is checked."""

    def authenticate(self, request, **credentials):
        if request is not None and address_blocked(request):
            logger.warning("sign-in refused: address %s passed the spraying limit", client_ip(request))
            raise PermissionDenied
        return None

    def get_user(self, user_id):
        # Django's test client and force_login record the first backend with the session: it
        # must read the user back like the model backend does (it grants no permission itself)
        return ModelBackend().get_user(user_id)


class SprayingThrottleMiddleware:
    """A sign-in attempt from an address past the limit is answered 429 with the locked-out page,
    before any password is checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == resolve_url(settings.LOGIN_URL) and address_blocked(request):
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        return self.get_response(request)
