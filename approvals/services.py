"""Every write of the approvals app: audit events, the chain check, role groups."""

import json
import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals import audit
from approvals.models import (
    AuditChainHead,
    AuditEvent,
    AuditVerification,
    CouncilRules,
    Delegation,
    LegalRule,
    Membership,
    User,
)
from approvals.roles import ROLE_PERMISSIONS, Role
from approvals.selectors import delegation_problem

logger = logging.getLogger(__name__)


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the transaction of the change it records."""


def register_core_audit_actions() -> None:
    """Actions the approvals app itself records."""
    audit.register_action("approvals.audit.verify", _("Audit chain verified"))
    audit.register_action("approvals.user.create", _("User created"))
    audit.register_action("approvals.user.language_change", _("Language changed"))
    audit.register_action("approvals.user.preferences_change", _("Preferences changed"))
    audit.register_action("approvals.role.grant", _("Role granted"))
    audit.register_action("approvals.role.revoke", _("Seat removed"))
    audit.register_action("approvals.user.rights_change", _("A person's roles or permissions changed"))
    audit.register_action("approvals.role.reconcile", _("Seats and rights reconciled"))
    audit.register_action("approvals.delegation.create", _("Delegation created"))
    audit.register_action("approvals.delegation.revoke", _("Delegation revoked"))


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    obj: Model | None = None,
    data: dict | None = None,
    on_behalf_of: User | None = None,
    ip_address: str | None = None,
    scope: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The chain head row is locked (SELECT ... FOR UPDATE) until the caller commits, so
    concurrent writers append one after another and the chain has no fork.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit_record({action!r}) called outside a transaction")
    if not audit.is_registered(action):
        raise ValueError(f"unregistered audit action {action!r}")
    # Store exactly what is hashed: JSON text back to Python values.
    stored_data = json.loads(audit.canonical_json(data or {}))
    # get_or_create: the test runner empties tables; a missing head with events left is caught by the check
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    scope = {**audit.scope_of(obj), **(scope or {})}
    fields = {
        "occurred_at": timezone.now(),  # read under the head's lock: ids and times rise together
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "on_behalf_of_id": on_behalf_of.pk if on_behalf_of else None,
        "on_behalf_of_username": on_behalf_of.get_username() if on_behalf_of else "",
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "data": stored_data,
        "ip_address": ip_address if ip_address is not None else audit.current_ip.get(),
        **{f"scope_{key}": scope.get(key) for key in audit.SCOPE_KEYS},
    }
    event = AuditEvent(prev_hash=head.last_hash or audit.GENESIS_HASH, **fields)
    event.hash = audit.hash_of_event(event)
    event.save(force_insert=True)
    head.last_event_id = event.pk
    head.last_hash = event.hash
    head.save(update_fields=["last_event_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events_checked: int
    last_verified_event_id: int | None
    broken_event_id: int | None
    problem: str = ""  # a key of audit.CHAIN_PROBLEMS

    @property
    def reason(self) -> str:
        if not self.problem:
            return ""
        return audit.chain_problem(self.problem, event=self.broken_event_id, last=self.last_verified_event_id)


def audit_chain_check(*, chunk_size: int = 5000) -> ChainCheck:
    """Walk the whole chain in id order; stop at the first broken link and say why."""
    expected_prev = audit.GENESIS_HASH
    last_ok = None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != expected_prev:
            return ChainCheck(False, checked, last_ok, event.pk, "unlinked")
        if audit.hash_of_event(event) != event.hash:
            return ChainCheck(False, checked, last_ok, event.pk, "altered")
        expected_prev = event.hash
        last_ok = event.pk
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_event_id=0, last_hash="")
    if (head.last_event_id or None) != last_ok or (head.last_hash or audit.GENESIS_HASH) != expected_prev:
        return ChainCheck(False, checked, last_ok, head.last_event_id, "truncated")
    return ChainCheck(True, checked, last_ok, None)


def audit_chain_verify() -> AuditVerification:
    """Check the chain and keep the outcome, so the interface can say when it was last proven.

    A break is told at once to every administrator (in the app, and by email through the
    outbox), once per break: a later check that finds the same break does not repeat it.
    """
    from notifications.services import notify

    result = audit_chain_check()
    with transaction.atomic():
        previous = AuditVerification.objects.select_for_update().order_by("-checked_at", "-pk").first()
        verification = AuditVerification.objects.create(
            ok=result.ok,
            events_checked=result.events_checked,
            last_verified_event_id=result.last_verified_event_id,
            broken_event_id=result.broken_event_id,
            reason=result.reason,
        )
        already_told = previous is not None and not previous.ok and previous.broken_event_id == result.broken_event_id
        if not result.ok and not already_told:
            notify(
                recipients=administrators(),
                event="audit.chain_broken",
                obj=verification,
                context={
                    "event": result.broken_event_id,
                    "last": result.last_verified_event_id,
                    "problem": result.problem,
                },
            )
    if not result.ok:
        logger.error("audit chain broken: %s", result.reason)
    return verification


def audit_chain_verify_request() -> None:
    """Start a check of the chain now, on a worker (a million events take longer than a page may)."""
    from approvals.tasks import verify_audit_chain

    verify_audit_chain.apply_async(retry=False)


def administrators():
    """The people told when something is wrong with the system itself."""
    from django.db.models import Q

    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR.value), is_active=True
    ).distinct()


@transaction.atomic
def role_groups_ensure(*, using: str = "default") -> list[Group]:
    """Create the role groups and give them their model permissions; safe to run again."""
    groups = []
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        if wanted:
            group.permissions.add(*wanted)
        groups.append(group)
    return groups


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """Save the language a user reads the interface in."""
    user.language = language
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["language"])
    audit_record(action="approvals.user.language_change", actor=user, obj=user, data={"language": language})
    return user


@transaction.atomic
def user_preferences_set(*, user: User, language: str, email_preference: str) -> User:
    """Save how a person reads the product: its language, and whether and how email reaches them."""
    before = {"language": user.language, "email_preference": user.email_preference}
    user.language = language
    user.email_preference = email_preference
    user.full_clean(validate_unique=False, exclude=["password"])
    after = {"language": language, "email_preference": email_preference}
    if after != before:
        user.save(update_fields=["language", "email_preference"])
        audit_record(
            action="approvals.user.preferences_change", actor=user, obj=user, data={"before": before, "after": after}
        )
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: list[Role] | tuple[Role, ...] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    created_by: User | None = None,
) -> User:
    """Create a user with their roles, and record it."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    if roles:
        names = [Role(r).value for r in roles]
        if Group.objects.filter(name__in=names).count() < len(set(names)):
            role_groups_ensure()
        user.groups.add(*Group.objects.filter(name__in=names))
    audit_record(
        action="approvals.user.create",
        actor=created_by,
        obj=user,
        data={"roles": sorted(Role(r).value for r in roles), "staff": is_staff, "superuser": is_superuser},
    )
    return user


# The committee rights each seat carries, as object permissions on the committee.
SEAT_PERMISSIONS = {
    Membership.Seat.MEMBER: ["plan.draft_amendment"],
    Membership.Seat.CHAIR: ["plan.sign_off_amendment"],
    Membership.Seat.SECRETARY: ["plan.sign_off_amendment"],
}
SEAT_ROLES = {
    Membership.Seat.MEMBER: Role.COMMITTEE_MEMBER,
    Membership.Seat.CHAIR: Role.COMMITTEE_CHAIR,
    Membership.Seat.SECRETARY: Role.COMMITTEE_CHAIR,
}


@transaction.atomic
def membership_grant(*, committee, user: User, seat: str, granted_by: User | None = None) -> Membership:
    """Seat a person on a committee: the role's group and the committee's object permissions."""
    from guardian.shortcuts import assign_perm, remove_perm

    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, committee=committee, defaults={"seat": seat}
    )
    if not created and membership.seat != seat:
        previous = Membership.Seat(membership.seat)
        for perm in SEAT_PERMISSIONS[previous]:
            remove_perm(perm, user, committee)
        membership.seat = seat
        membership.full_clean()
        membership.save(update_fields=["seat"])
        _drop_role_if_unused(user, SEAT_ROLES[previous])
        audit_record(
            action="approvals.role.revoke",
            actor=granted_by,
            obj=committee,
            data={"user": user.get_username(), "committee": committee.code, "seat": previous.value, "reason": seat},
        )
    for perm in SEAT_PERMISSIONS[Membership.Seat(seat)]:
        assign_perm(perm, user, committee)
    group = Group.objects.filter(name=SEAT_ROLES[Membership.Seat(seat)].value).first()
    if group is None:  # groups are made on migrate; only a database emptied since lacks them
        role_groups_ensure()
        group = Group.objects.get(name=SEAT_ROLES[Membership.Seat(seat)].value)
    user.groups.add(group)
    audit_record(
        action="approvals.role.grant",
        actor=granted_by,
        obj=membership,
        data={"user": user.get_username(), "committee": committee.code, "seat": seat},
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, revoked_by: User | None = None, reason: str = "") -> None:
    """Take a seat away: exactly the object permissions it granted go with it, and the role's
    group when no other seat of the person still needs it; audited, in one transaction."""
    from guardian.shortcuts import remove_perm

    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("user", "committee").get(pk=membership.pk)
    )
    user, committee, seat = membership.user, membership.committee, Membership.Seat(membership.seat)
    for perm in SEAT_PERMISSIONS[seat]:
        remove_perm(perm, user, committee)
    membership.delete()
    released = _release_claims(user, committee, SEAT_PERMISSIONS[seat])
    _drop_role_if_unused(user, SEAT_ROLES[seat])
    audit_record(
        action="approvals.role.revoke",
        actor=revoked_by,
        obj=committee,
        data={
            "user": user.get_username(),
            "committee": committee.code,
            "seat": seat.value,
            "reason": reason,
            "released_tasks": released,
        },
    )


def _drop_role_if_unused(user: User, role) -> None:
    """A seat's role group goes when no seat of the person still needs it."""
    if not Membership.objects.filter(user=user, seat__in=[s for s, r in SEAT_ROLES.items() if r == role]).exists():
        user.groups.remove(*Group.objects.filter(name=role.value))


def _release_claims(user: User, committee, permissions: list[str]) -> list[int]:
    """Tasks of this committee the person had claimed on the seat's rights go back to the queue."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    tasks = Task.objects.filter(
        owner=user,
        status=STATUS.ASSIGNED,
        owner_permission__in=permissions,
        owner_permission_obj_pk=str(committee.pk),
    ).select_related("process")
    released = []
    for task in tasks:
        with task.flow_task.flow_class.lock(task.process_id):
            task.flow_task.activation_class(task).unassign()
        released.append(task.pk)
    return released


def user_rights_snapshot(user: User) -> dict:
    """What decides what a person may do, as it is audited: flags, roles and named permissions."""
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


def user_rights_changed(*, user: User, before: dict, changed_by: User | None) -> None:
    """Audit a change of a person's rights made outside the services (the admin): each field that
    changed, before and after, in the caller's transaction."""
    after = user_rights_snapshot(user)
    changes = {
        key: {"before": before.get(key), "after": value} for key, value in after.items() if before.get(key) != value
    }
    if changes:
        audit_record(action="approvals.user.rights_change", actor=changed_by, obj=user, data=changes)


def _seat_grants() -> set[tuple[int, int, str]]:
    """(user, committee, codename) for every object permission the seats say should exist."""
    wanted = set()
    for user_id, committee_id, seat in Membership.objects.values_list("user_id", "committee_id", "seat"):
        for perm in SEAT_PERMISSIONS[Membership.Seat(seat)]:
            wanted.add((user_id, committee_id, perm.split(".", 1)[1]))
    return wanted


@transaction.atomic
def seat_rights_reconcile(*, repair: bool = True) -> dict:
    """Compare the committee object permissions with the seats that grant them: a permission no
    seat grants (a seat deleted past the services, a hand-made grant) is removed; a seat missing
    its permission gets it. Returns what drifted; each repair is audited."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    from plan.models import Committee

    codenames = {perm.split(".", 1)[1] for perms in SEAT_PERMISSIONS.values() for perm in perms}
    committee_type = ContentType.objects.get_for_model(Committee)
    rows = UserObjectPermission.objects.filter(content_type=committee_type, permission__codename__in=codenames)
    present = {
        (row.user_id, int(row.object_pk), row.permission.codename): row for row in rows.select_related("permission")
    }
    wanted = _seat_grants()
    extra = sorted(set(present) - wanted)
    missing = sorted(wanted - set(present))
    # seats grant to people, never to groups: a group's committee right is drift by definition
    from guardian.models import GroupObjectPermission

    group_rows = list(
        GroupObjectPermission.objects.filter(content_type=committee_type, permission__codename__in=codenames)
    )
    extra += sorted((-row.group_id, int(row.object_pk), row.permission.codename) for row in group_rows)
    if repair and (extra or missing):
        from guardian.shortcuts import assign_perm

        for row in group_rows:
            row.delete()
        for key in extra:
            if key in present:
                present[key].delete()
        for user_id, committee_id, codename in missing:
            assign_perm(f"plan.{codename}", User.objects.get(pk=user_id), Committee.objects.get(pk=committee_id))
        audit_record(
            action="approvals.role.reconcile",
            actor=None,
            data={"removed": [list(k) for k in extra], "added": [list(k) for k in missing]},
        )
    return {"removed": extra, "added": missing}


# The legal windows (docs/domain.md): Article 80 of the law on the organisation, duties and
# elections of the Islamic councils (as amended 1395) and its 1396 implementing regulation. Article
# numbers differ between consolidated texts, so these are defaults an administrator can change.
LAW_FA = "قانون تشکیلات، وظایف و انتخابات شوراهای اسلامی کشور (اصلاحی ۱۳۹۵) و آیین‌نامه اجرایی آن (۱۳۹۶)"
LEGAL_RULE_DEFAULTS = {
    "conformity-objection": ("مهلت اعتراض هیئت تطبیق", "Conformity board's objection window", 14),
    "council-reconsideration": ("مهلت رسیدگی مجدد شورا", "City council's reconsideration window", 10),
}


def legal_defaults_ensure(*, using: str = "default") -> None:
    """Create the legal windows and the council's voting rules if missing; never overwrites a change."""
    for code, (name_fa, name_en, days) in LEGAL_RULE_DEFAULTS.items():
        LegalRule.objects.using(using).get_or_create(
            code=code,
            defaults={
                "name_fa": name_fa,
                "name_en": name_en,
                "law": LAW_FA,
                "article": "80",
                "days": days,
                "source": "dotic.ir/news/444",
            },
        )
    if not CouncilRules.objects.using(using).exists():
        CouncilRules.objects.using(using).create()


class DelegationInvalid(ValidationError):
    pass


@transaction.atomic
def delegation_create(*, delegator: User, substitute: User, starts_on, ends_on) -> Delegation:
    """Name a substitute for a date range (Tehran dates, inclusive)."""
    if delegator.pk == substitute.pk:
        raise DelegationInvalid(_("you cannot delegate to yourself"))
    if ends_on < starts_on:
        raise DelegationInvalid(_("the delegation ends before it starts"))
    if ends_on < timezone.localdate():
        raise DelegationInvalid(_("the delegation would end in the past"))
    if starts_on < timezone.localdate():
        raise DelegationInvalid(_("a delegation cannot start in the past"))
    problem = delegation_problem(delegator, substitute)
    if problem:
        raise DelegationInvalid(problem)
    User.objects.select_for_update(no_key=True).filter(pk=delegator.pk).first()  # one writer per delegator
    overlapping = Delegation.objects.filter(
        delegator=delegator, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise DelegationInvalid(
            _("you already have a delegation for some of these days; revoke it first or choose other days")
        )
    delegation = Delegation(delegator=delegator, substitute=substitute, starts_on=starts_on, ends_on=ends_on)
    delegation.full_clean()
    delegation.save()
    audit_record(
        action="approvals.delegation.create",
        actor=delegator,
        obj=delegation,
        data={"substitute": substitute.get_username(), "from": str(starts_on), "until": str(ends_on)},
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, acting_user: User) -> Delegation:
    if acting_user.pk != delegation.delegator_id:
        raise DelegationInvalid(_("only the person who delegated may revoke it"))
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    audit_record(action="approvals.delegation.revoke", actor=acting_user, obj=delegation)
    return delegation
