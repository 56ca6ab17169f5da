"""Personal access tokens: made (the secret shown once), checked on every API request, revoked.
A token reads `bzn_<prefix>_<secret>`; only the SHA-256 of the whole is kept, found by its prefix
and compared in constant time."""

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from people.models import AccessToken, User

MAX_DAYS = 366
LAST_USED_EVERY = dt.timedelta(minutes=1)  # a token's use is recorded at most this often (no write per request)


def register_audit_actions() -> None:
    chain.register_action("people.token.create", gettext_lazy("Access token created"))
    chain.register_action("people.token.revoke", gettext_lazy("Access token revoked"))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str, days: int, made_by: User | None = None
) -> tuple[AccessToken, str]:
    """A new token for the person; returns it and the secret, which is never shown again.

    A person makes their own; an administrator (`made_by`) makes those of a service account,
    which cannot sign in to make its own. Nobody makes a token for another person."""
    made_by = made_by or user
    if user.is_service:
        if made_by.pk == user.pk or not made_by.has_perm("people.change_accesstoken"):
            raise NotAllowed(_("an administrator makes the tokens of a service account"))
        if user.is_superuser and not made_by.is_superuser:
            raise NotAllowed(_("only a superuser makes a token for a service account with every right"))
    elif made_by.pk != user.pk:
        raise NotAllowed(_("a person makes their own tokens"))
    name = (name or "").strip()
    if not name:
        raise BaznegarError(_("name the token after what will use it"))
    if scope not in AccessToken.Scope.values:
        raise BaznegarError(_("a token reads, or reads and writes"))
    if not 1 <= days <= MAX_DAYS:
        raise BaznegarError(_("a token lasts from 1 to %(days)s days") % {"days": MAX_DAYS})
    if not user.is_active:
        raise NotAllowed(_("this account is not active"))
    prefix = secrets.token_hex(6)
    raw = f"bzn_{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=_digest(raw),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        action="people.token.create",
        actor=made_by,
        obj=token,
        data={
            "prefix": prefix,
            "name": token.name,
            "scope": scope,
            "expires_at": token.expires_at.isoformat(),
            "for": user.username,
        },
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: AccessToken, acting_user: User) -> AccessToken:
    """Revoke a token: its owner may, and an administrator."""
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != acting_user.pk and not acting_user.has_perm("people.change_accesstoken"):
        raise NotAllowed(_("this token is not yours"))
    if token.revoked_at is not None:
        raise BaznegarError(_("this token was already revoked"))
    token.revoked_at = timezone.now()
    token.revoked_by = acting_user
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(action="people.token.revoke", actor=acting_user, obj=token, data={"prefix": token.prefix})
    return token


def token_authenticate(raw: str) -> AccessToken | None:
    """The live token a request carries, or None (unknown, wrong secret, expired, revoked, or its
    person no longer active). Its last use is recorded, at most once a minute."""
    parts = (raw or "").split("_")
    if len(parts) < 3 or parts[0] != "bzn":
        return None
    token = AccessToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    if not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
