"""One family of errors a person reads, and one way to show them.

A service refuses with a `BaznegarError` (or a subclass a caller must tell apart), whose message is
already translated. `NotAllowed` is a refusal of who is asking; it is also a `PermissionDenied`, so
code outside the product (the admin, Django's handlers) treats it as one. Validation Django itself
raises inside a service (`full_clean`) is a `ValidationError` and shown the same way.

At the edge, a view catches `REFUSALS` and calls `refuse(form, error)` or `refuse(request, error)`:
the messages go to the top of the form (keeping what was typed) or onto the next page.
"""

from django.contrib import messages as page_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest


class BaznegarError(ValidationError):
    """A refusal a person reads; nothing was changed."""


class NotAllowed(BaznegarError, PermissionDenied):
    """The person asking may not do this (not their step, not their committee, a conflict of duty)."""


REFUSALS = (ValidationError, PermissionDenied)


def refusal_messages(error: Exception) -> list[str]:
    """What a refusal says, as a list of translated sentences."""
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    text = str(error)
    return [text] if text else []


def refuse(target: BaseForm | HttpRequest, error: Exception) -> None:
    """Show a refusal: on a form, above its fields (what was typed stays); else as a page message."""
    found = refusal_messages(error)
    if isinstance(target, BaseForm):
        for message in found:
            target.add_error(None, message)
    else:
        page_messages.error(target, "; ".join(found) or str(error.__class__.__name__))
