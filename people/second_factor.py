"""A second factor at sign-in: a time-based one-time code (RFC 6238) from an authenticator app,
through django-otp, with ten single-use recovery codes. Required for the roles that issue the plan,
read the audit or administer (SECOND_FACTOR_ROLES, and every superuser) when SECOND_FACTOR_REQUIRED
is on; anyone else may turn it on. Enrolment, a recovery code spent, new recovery codes and a reset
by an administrator are audit events; codes are never recorded."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import chain
from audit.services import audit_record
from core.errors import BaznegarError, NotAllowed
from core.jalali import ascii_digits
from core.request_memo import remembered
from people.models import User
from people.selectors import may_change_account

RECOVERY_CODES = 10
APP_DEVICE = "authenticator"
RECOVERY_DEVICE = "recovery"


def register_audit_actions() -> None:
    chain.register_action("people.second_factor.enrol", gettext_lazy("Second factor turned on"))
    chain.register_action("people.second_factor.recovery_used", gettext_lazy("Recovery code used"))
    chain.register_action("people.second_factor.recovery_renew", gettext_lazy("Recovery codes renewed"))
    chain.register_action("people.second_factor.reset", gettext_lazy("Second factor reset"))


def second_factor_required(user: User) -> bool:
    """Whether this person must give a second factor to use the site."""
    if not user.is_authenticated:
        return False
    if enrolled(user):  # whoever turned it on, for whatever role: it is asked for
        return True
    if not getattr(settings, "SECOND_FACTOR_REQUIRED", False):
        return False
    if user.is_superuser:
        return True
    roles = set(getattr(settings, "SECOND_FACTOR_ROLES", ()))
    return remembered(("second_factor_roles", user.pk), lambda: user.groups.filter(name__in=roles).exists())


def enrolled(user: User) -> bool:
    return bool(getattr(user, "second_factor_on", False))


def second_factor_begin(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the person (any earlier unconfirmed one goes): its
    secret is shown as a QR code until a code from it confirms it."""
    if enrolled(user):
        raise BaznegarError(_("a second factor is already on; ask an administrator to reset it to change phones"))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_confirm(*, request, code: str) -> list[str]:
    """The first code from the new authenticator turns it on, signs this session in with it, and
    gives ten recovery codes (shown once). A wrong code changes nothing."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise BaznegarError(_("start again: there is no authenticator waiting to be confirmed"))
    if not device.verify_token(_digits(code)):
        raise BaznegarError(_("that code is not the one the authenticator shows now"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    User.objects.filter(pk=user.pk).update(second_factor_on=True)
    user.second_factor_on = True
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit_record(action="people.second_factor.enrol", actor=user, obj=user, data={"recovery_codes": len(codes)})
    return codes


def second_factor_verify(*, request, code: str) -> None:
    """Sign this session in with a code from the authenticator, or with a recovery code (spent).

    Not one transaction: a wrong code's count (django-otp's throttle, a growing wait after each
    failure) must stay written when the refusal is raised."""
    user = request.user
    code = (code or "").strip()
    if "-" in code:  # a recovery code (xxxxxx-xxxxxx): spent once, under a lock against a second request
        with transaction.atomic():
            recovery = StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE).first()
            if recovery is not None and recovery.verify_token(code.lower()):
                left = recovery.token_set.count()
                audit_record(action="people.second_factor.recovery_used", actor=user, obj=user, data={"left": left})
                otp_login(request, recovery)
                return
        raise BaznegarError(_("that code is not right"))
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is not None:
        allowed, _why = app.verify_is_allowed()
        if not allowed:
            raise BaznegarError(_("too many wrong codes: wait a little and try again"))
        if app.verify_token(_digits(code)):
            otp_login(request, app)
            return
    raise BaznegarError(_("that code is not right"))


@transaction.atomic
def recovery_codes_renew(*, request) -> list[str]:
    """Ten new recovery codes for an enrolled person whose session has given the second factor;
    the old ones stop working. (A session past the password alone may not: new codes would let it
    past the factor.)"""
    user = request.user
    if not enrolled(user):
        raise BaznegarError(_("turn the second factor on first"))
    if not user.is_verified():
        raise NotAllowed(_("give your second factor first"))
    codes = _new_recovery_codes(user)
    audit_record(action="people.second_factor.recovery_renew", actor=user, obj=user, data={"codes": len(codes)})
    return codes


@transaction.atomic
def second_factor_reset(*, user: User, acting_user: User, reason: str) -> None:
    """An administrator takes a person's second factor away (a lost phone): they enrol again at
    their next sign-in. A reset needs a reason, and nobody resets their own."""
    if not acting_user.has_perm("people.change_user"):
        raise NotAllowed(_("only an administrator resets a second factor"))
    if acting_user.pk == user.pk:
        raise NotAllowed(_("another administrator resets your own second factor"))
    if not may_change_account(acting_user, user):
        raise NotAllowed(_("only a superuser resets an administrator's second factor"))
    if not (reason or "").strip():
        raise BaznegarError(_("say why the second factor is reset"))
    User.objects.filter(pk=user.pk).update(second_factor_on=False)
    user.second_factor_on = False
    removed = 0  # devices (an authenticator, the recovery codes), not the codes deleted with them
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    audit_record(
        action="people.second_factor.reset",
        actor=acting_user,
        obj=user,
        data={"reason": reason.strip(), "removed": removed},
    )


def _digits(code: str) -> str:
    """What was typed, as ASCII digits: Persian and Arabic-Indic digits and spaces are accepted."""
    return "".join(ch for ch in ascii_digits(code or "") if ch in "0123456789")
