"""API v1: one NinjaAPI with its authentication (a personal access token, or the signed-in
browser session), its throttle per caller, its errors as problem details, and a router for each
part: plan, tasks, amendments, revisions, notifications, audit."""

import json

from django.utils import translation
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from audit import chain
from core.errors import NotAllowed
from people.middleware import speak_to
from people.second_factor import second_factor_required
from people.tokens import token_authenticate
from workflows.api import amendments, audit, errors, notifications, plan, revisions, tasks
from workflows.api.common import PerCaller, Problem
from workflows.services import StateChanged


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bzn_…`: a personal access token (people.tokens)."""

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is not None:
            request.user = found.user
            chain.current_token.set(found.prefix)  # the events this request writes name the token
            speak_to(request, found.user)
        return found


def _not_json(constant):
    raise ValueError(f"{constant} is not JSON")


class StrictJSON(Parser):
    """JSON as RFC 8259 has it: Python's parser also reads NaN and Infinity, which are no figure
    (PostgreSQL's jsonb refuses them, a comparison with them is always false). Refused as any body
    that is not JSON: a 400."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_not_json)


class BaznegarAPI(NinjaAPI):
    """The schema says, for every operation, that an error comes as a problem (RFC 9457)."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        error = {
            "description": "A problem: 400, 401, 403, 404, 409, 413, 422 or 429, with a translated detail",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.setdefault("responses", {}).setdefault("4XX", error)
                with translation.override("fa"):  # each summary in Persian too, from the catalogue
                    persian = translation.gettext(operation.get("summary", ""))
                if persian and persian != operation.get("summary"):
                    operation["description"] = "\n\n".join(filter(None, [persian, operation.get("description")]))
        return schema


class SessionWithFactor(SessionAuth):
    """The signed-in browser session, once it has given the second factor where one is asked
    (people.second_factor): a session past the password alone is no authentication here."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and second_factor_required(user) and not user.is_verified():
            return None
        return user


api = BaznegarAPI(
    title="Baznegar API",
    version="1",
    description=(
        "The plan, tasks and decisions of Baznegar, with the same rules as its pages "
        "(docs/api.md). Every error is an RFC 9457 problem. "
        "API بازنگر: برنامه، کارها و تصمیم‌ها، با همان قواعد صفحه‌ها؛ هر خطا یک problem+json است."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionWithFactor()],
    throttle=[PerCaller("600/m")],
    parser=StrictJSON(),
)
errors.install(api)


@api.exception_handler(NotAllowed)
def not_allowed(request, exc):  # before ValidationError in its MRO: a refusal of who asks is a 403
    return errors.problem(403, "; ".join(exc.messages))


@api.exception_handler(StateChanged)
def state_changed(request, exc):  # before ValidationError: what was read has moved on, read again
    return errors.problem(409, "; ".join(exc.messages))


api.add_router("/plan", plan.router)
api.add_router("/tasks", tasks.router)
api.add_router("/amendments", amendments.router)
api.add_router("/revisions", revisions.router)
api.add_router("/notifications", notifications.router)
api.add_router("/audit", audit.router)


def schema_view(request):
    """The OpenAPI document at /api/schema/ too, where the issue and other tools look for it."""
    return openapi_json(request, api)
