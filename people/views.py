"""The second factor's pages: turning it on (a QR code, then a first code), giving a code at
sign-in, and new recovery codes. Thin: people.second_factor does the work."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import BaznegarError, refusal_messages
from people import second_factor


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@login_required
def two_factor(request):
    """One page: enrol when the person has no authenticator yet, else give a code."""
    user = request.user
    errors, codes = [], None
    if second_factor.enrolled(user):
        if request.method == "POST":
            try:
                second_factor.second_factor_verify(request=request, code=request.POST.get("code", ""))
            except BaznegarError as refused:
                errors = refusal_messages(refused)
            else:
                return redirect(_next(request))
        return render(request, "people/two_factor.html", {"mode": "verify", "errors": errors, "next": _next(request)})
    device = second_factor.pending_device(user)
    if request.method == "POST" and device is not None:
        try:
            codes = second_factor.second_factor_confirm(request=request, code=request.POST.get("code", ""))
        except BaznegarError as refused:
            errors = refusal_messages(refused)
        else:
            messages.success(request, _("Two-step sign-in is on."))
            return render(request, "people/two_factor.html", {"mode": "codes", "codes": codes, "next": _next(request)})
    if device is None:
        device = second_factor.second_factor_begin(user=user)
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("Scan with your authenticator app"))
    readable = base64.b32encode(device.bin_key).decode().rstrip("=")  # to type in by hand
    return render(
        request,
        "people/two_factor.html",
        {"mode": "enrol", "qr": qr, "secret": readable, "errors": errors, "next": _next(request)},
    )


@never_cache
@login_required
def recovery_codes(request):
    if request.method != "POST":
        return redirect("profile")
    try:
        codes = second_factor.recovery_codes_renew(request=request)
    except BaznegarError as refused:
        for message in refusal_messages(refused):
            messages.error(request, message)
        return redirect("profile")
    return render(request, "people/two_factor.html", {"mode": "codes", "codes": codes, "next": "/"})
