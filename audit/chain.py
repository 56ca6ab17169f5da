"""The audit log's rules: the registry of action names, an event's canonical content, its content
hash and the bytes of its Merkle leaf, and what a check of the log can find.

Writing an event is `audit.services.audit_record`; sealing events into the tree is
`audit.services.audit_sequence`; checking the whole log is `audit.services.audit_log_verify`.
"""

import hashlib
import json
from contextvars import ContextVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The address of the request being served, set by AuditContextMiddleware.
current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)
# The prefix of the API access token the request came with (people.tokens), if it came with one:
# every event it causes names it, so each use of a token is attributable.
current_token: ContextVar[str | None] = ContextVar("audit_current_token", default=None)

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


# What a check of the log can find, by code; each text names where, with the parameters given.
CHAIN_PROBLEMS = {
    "altered": _("event #%(event)s was altered: its content does not match its hash"),
    "leaf": _("leaf #%(leaf)s does not match event #%(event)s: the event or its leaf was altered"),
    "missing": _("event #%(event)s, leaf #%(leaf)s of the log, is missing: it was deleted"),
    "gap": _("the log's leaves skip from #%(last)s to #%(leaf)s: leaves were removed"),
    "node": _("the tree's node %(level)s/%(index)s does not match the leaves beneath it"),
    "unsequenced": _("event #%(event)s was never sealed into the log: it was inserted past the application"),
    "backdated": _("event #%(event)s was sealed long after it occurred: it was inserted after the fact"),
    "no_head": _("the log has %(size)s leaves and no signed tree head covers them"),
    "head_signature": _("the signed tree head of size %(size)s does not verify with the log's key"),
    "head_root": _("the tree's root at %(size)s leaves differs from its signed head: the log was rewritten"),
    "kept_signature": _("the head kept outside (size %(kept)s) is not validly signed"),
    "kept_key": _("the log's heads are signed with another key than the head kept outside"),
    "kept_short": _(
        "the log holds %(size)s leaves, fewer than the %(kept)s of the head kept outside: events were removed"
    ),
    "kept_root": _("the log's root at %(kept)s leaves differs from the head kept outside: the log was rewritten"),
}


def chain_problem(code: str, **params) -> str:
    """A check's finding in the active language."""
    return str(CHAIN_PROBLEMS[code]) % params


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


def event_content(event) -> dict:
    """What an event records, as it is hashed: everything but its id and its hash."""
    content = {
        "at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_username": event.actor_username,
        "on_behalf_of": event.on_behalf_of_id,
        "on_behalf_of_username": event.on_behalf_of_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "data": event.data,
        "ip": event.ip_address,
    }
    if event.scope:
        content["scope"] = event.scope
    return content


def content_hash(event) -> str:
    """SHA-256 of an event's content (hex): the `hash` column, quoted on pages and in exports."""
    return hashlib.sha256(canonical_json(event_content(event)).encode("utf-8")).hexdigest()


def leaf_data(event) -> bytes:
    """The bytes of an event's Merkle leaf: its id and its content, so a leaf names one event and
    moving content from one row to another is seen."""
    return canonical_json({"id": event.pk, "event": event_content(event)}).encode("utf-8")
