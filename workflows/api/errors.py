"""Every error in one shape: RFC 9457 problem details (`application/problem+json`), with a
translated `detail` and, for invalid input, the `errors` found."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from core.errors import refusal_messages

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def problem(status: int, detail: str, **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    return JsonResponse(
        body, status=status, content_type="application/problem+json", json_dumps_params={"ensure_ascii": False}
    )


class Conflict(HttpError):
    """What was read changed meanwhile, or the request repeats one still in hand."""

    def __init__(self, message: str):
        super().__init__(409, message)


def install(api) -> None:
    @api.exception_handler(SchemaError)
    def invalid(request, exc):
        return problem(422, _("The request does not have the shape this operation takes."), errors=exc.errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        answer = problem(401, _("Send a valid, unexpired access token (Authorization: Bearer …) or sign in."))
        answer["WWW-Authenticate"] = 'Bearer realm="baznegar"'
        return answer

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(404, _("There is no such thing, or it is not one you may see."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(403, "; ".join(refusal_messages(exc)) or _("You may not do this."))

    @api.exception_handler(ValidationError)
    def refused(request, exc):
        return problem(422, "; ".join(refusal_messages(exc)))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if str(exc).startswith("Cannot parse request body"):  # django-ninja's words, in English
            return problem(400, _("The request's body is not JSON (NaN and Infinity are not numbers of JSON)."))
        return problem(exc.status_code, str(exc))
