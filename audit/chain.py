"""The audit trail's rules: the registry of action names and how an event's hash is computed.

Writing an event is `audit.services.audit_record`; checking the chain is
`audit.services.audit_chain_verify`.
"""

import hashlib
import json
from contextvars import ContextVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64

# The address of the request being served, set by AuditContextMiddleware.
current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)

_ACTIONS: dict[str, Promise | str] = {}


def register_action(name: str, label) -> None:
    """Register an action name (`plan.amendment.submit`) with its translatable label."""
    if name.count(".") < 2:
        raise ValueError(f"audit action {name!r} must read app.noun.verb")
    _ACTIONS[name] = label


def is_registered(name: str) -> bool:
    return name in _ACTIONS


def action_label(name: str) -> str:
    """The human label of an action, in the active language; the name itself if unknown."""
    return str(_ACTIONS.get(name, name))


def registered_actions() -> dict[str, Promise | str]:
    return dict(_ACTIONS)


# What a chain check can find, by code; the texts take %(event)s and %(last)s.
CHAIN_PROBLEMS = {
    "altered": _("event #%(event)s was altered: its content does not match its hash"),
    "unlinked": _(
        "event #%(event)s does not follow event #%(last)s: an event before it was removed, inserted or altered"
    ),
    "truncated": _(
        "the chain ends at event #%(last)s but its head names event #%(event)s: the newest events were removed"
    ),
}


def chain_problem(code: str, *, event, last) -> str:
    """A chain check's finding in the active language."""
    return str(CHAIN_PROBLEMS[code]) % {"event": event, "last": last}


SCOPE_KEYS = ("plan", "revision", "amendment", "committee")


def scope_of(obj) -> dict:
    """The plan, revision, amendment and committee an event on this object belongs to, so the
    auditor's filters and timelines find it by an index. A model says it with `audit_scope()`."""
    method = getattr(obj, "audit_scope", None)
    if method is None:
        return {}
    return {key: value for key, value in method().items() if key in SCOPE_KEYS and value is not None}


def canonical_json(value) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(
    *,
    prev_hash: str,
    occurred_at,
    actor_id,
    actor_username: str,
    on_behalf_of_id,
    on_behalf_of_username: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    data,
    ip_address,
    scope: dict | None = None,
) -> str:
    """SHA-256 over the event's content and its predecessor's hash. The scope is hashed too, so
    moving an event out of a timeline breaks the chain; an event with no scope hashes as before."""
    content = {
        "prev": prev_hash,
        "at": occurred_at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_username": actor_username,
        "on_behalf_of": on_behalf_of_id,
        "on_behalf_of_username": on_behalf_of_username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "data": data,
        "ip": ip_address,
    }
    if scope:
        content["scope"] = scope
    payload = canonical_json(content)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_of_event(event) -> str:
    """Recompute the hash a stored event should carry."""
    return event_hash(
        prev_hash=event.prev_hash,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        on_behalf_of_id=event.on_behalf_of_id,
        on_behalf_of_username=event.on_behalf_of_username,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        data=event.data,
        ip_address=event.ip_address,
        scope=event.scope,
    )
