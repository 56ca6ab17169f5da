"""What every part of the API shares: the write scope, the plan a request names, the throttle
per token, and `Idempotency-Key` for writes."""

import datetime as dt
import functools
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.throttling import SimpleRateThrottle
from pydantic import BaseModel

from core.errors import NotAllowed
from people.models import AccessToken
from plan.models import Plan
from plan.selectors import plans_visible_to
from workflows.api import errors
from workflows.models import IdempotentRequest
from workflows.services.idempotency import KEPT_FOR


def writing(request) -> None:
    """A write needs a token with the write scope (or the signed-in browser session)."""
    token = request.auth if isinstance(request.auth, AccessToken) else None
    if token is not None and token.scope != AccessToken.Scope.WRITE:
        raise NotAllowed(_("this token may only read"))


def plan_of(code: str | None, user=None) -> Plan:
    """The plan named, else the first: of the cities the caller works in (another city's is a 404)."""
    plans = plans_visible_to(user)
    plans = plans.filter(code=code) if code else plans
    return get_object_or_404(plans[:1])


def not_found() -> errors.HttpError:
    return errors.HttpError(404, _("There is no such thing, or it is not one you may see."))


class PerCaller(SimpleRateThrottle):
    """A budget for each token, and one for each signed-in person's browser session."""

    scope = "caller"

    def get_cache_key(self, request):
        auth = getattr(request, "auth", None)
        if isinstance(auth, AccessToken):
            ident = f"token:{auth.pk}"
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"


class Problem(Schema):
    """RFC 9457 problem details, as every error of this API is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list | None = None


def problems(*codes: int) -> dict:
    """The error answers an operation declares in the schema, beside its success."""
    return dict.fromkeys((401, 429, *codes), Problem)


ABANDONED_AFTER = dt.timedelta(minutes=10)  # a key still in hand after this was left by a worker that died


def _as_json(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _outcome(result, success: int) -> tuple[int, object]:
    """What an operation answered, as a status and a JSON body to keep for its retries."""
    if isinstance(result, Status):
        return result.status_code, _as_json(result.value)
    if isinstance(result, HttpResponse):
        return result.status_code, json.loads(result.content or b"null")
    return success, _as_json(result)


def idempotent(success: int = 200):
    """A POST sent with an `Idempotency-Key` header is carried out once: a retry with the same key
    and body gets the first answer (for a day), one with another body is refused, and one sent
    while the first is still running is told so (409). Without the header, nothing changes."""

    def wrap(operation):
        @functools.wraps(operation)
        def run(request, *args, **kwargs):
            key = request.headers.get("Idempotency-Key", "").strip()[:200]
            if not key:
                return operation(request, *args, **kwargs)
            digest = hashlib.sha256(f"{request.method} {request.path}\n".encode() + request.body).hexdigest()
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(user=request.user, key=key, request_hash=digest)
            except IntegrityError:
                return _replay(request, key, digest)
            try:
                result = operation(request, *args, **kwargs)
            except errors.HttpError as error:
                if error.status_code >= 500:  # not carried out (the broker was down): a retry may try again
                    IdempotentRequest.objects.filter(pk=record.pk).delete()
                else:
                    IdempotentRequest.objects.filter(pk=record.pk).update(
                        status=error.status_code, body={"detail": str(error)}
                    )
                raise
            except (ValidationError, PermissionDenied, Http404):
                # refused before anything was written (the services check, then write in one transaction)
                IdempotentRequest.objects.filter(pk=record.pk).delete()
                raise
            except Exception:
                # it may have written before failing: the key stays "in hand", so a retry hears 409
                # rather than doing it twice, until ABANDONED_AFTER lets it go
                raise
            status, body = _outcome(result, success)
            if status >= 500:
                IdempotentRequest.objects.filter(pk=record.pk).delete()
            else:
                IdempotentRequest.objects.filter(pk=record.pk).update(status=status, body=body)
            return result

        return run

    return wrap


def _replay(request, key: str, digest: str):
    record = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    busy = _("a request with this Idempotency-Key is still being carried out")
    if record is None:  # the first copy failed and let its key go meanwhile
        raise errors.Conflict(busy)
    if record.created_at < timezone.now() - KEPT_FOR:
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        raise errors.Conflict(_("this Idempotency-Key expired; send the request again"))
    if record.request_hash != digest:
        raise errors.HttpError(422, _("this Idempotency-Key was used for another request"))
    if record.status is None and record.created_at < timezone.now() - ABANDONED_AFTER:
        IdempotentRequest.objects.filter(pk=record.pk, status__isnull=True).delete()  # its worker died
    if record.status is None:
        raise errors.Conflict(busy)
    if record.status >= 400:
        body = record.body if isinstance(record.body, dict) else {}
        extra = {k: v for k, v in body.items() if k not in ("type", "title", "status", "detail")}
        return errors.problem(record.status, body.get("detail", ""), **extra)
    return Status(record.status, record.body)
