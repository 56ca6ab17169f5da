"""Back to the page a form came from: its `next` field when it names a page of this site (never
another), at a section of it; else a given page."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request, anchor: str, fallback: str, *args):
    """A redirect to the form's `next` page at `#anchor`, or to the URL named `fallback` with `args`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(f"{target}#{anchor}")
    return redirect(fallback, *args)
