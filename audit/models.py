"""The append-only audit log: events, and the Merkle tree a sequencer builds over them (RFC 6962):
leaves, complete subtrees, and signed tree heads. Every table here is append-only (PostgreSQL
triggers refuse UPDATE, DELETE and TRUNCATE), and the application's login may only insert and read."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action. Rows are never updated or deleted (a PostgreSQL trigger refuses it).

    An event is written in the transaction of the change it records, with no lock shared with any
    other writer. The sequencer later gives it a leaf in the Merkle tree (`AuditLeaf`), which a
    signed tree head seals. The user columns carry no database constraint and a copy of the
    username, so an event outlives the deletion of the user it names.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    on_behalf_of_username = models.CharField(_("on behalf of (username)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Where the event belongs, for the auditor's filters and timelines (ids, no constraint: an
    # event outlives what it names). Hashed with the rest.
    scope_plan = models.BigIntegerField(_("plan"), null=True, blank=True)
    scope_revision = models.BigIntegerField(_("revision"), null=True, blank=True)
    scope_amendment = models.BigIntegerField(_("amendment"), null=True, blank=True)
    scope_committee = models.BigIntegerField(_("committee"), null=True, blank=True)
    # SHA-256 of the event's content (audit.chain.content_hash), for people and exports to quote
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            models.Index(fields=["on_behalf_of", "id"], name="audit_on_behalf_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["scope_plan", "id"], name="audit_plan_idx"),
            models.Index(fields=["scope_revision", "id"], name="audit_revision_idx"),
            models.Index(fields=["scope_amendment", "id"], name="audit_amendment_idx"),
            models.Index(fields=["scope_committee", "id"], name="audit_committee_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_repr}"

    @property
    def scope(self) -> dict:
        """The scope as it is hashed: only the keys that are set."""
        values = {
            "plan": self.scope_plan,
            "revision": self.scope_revision,
            "amendment": self.scope_amendment,
            "committee": self.scope_committee,
        }
        return {key: value for key, value in values.items() if value is not None}


class AuditLeaf(models.Model):
    """An event's place in the Merkle tree: its leaf number and leaf hash (RFC 6962, 0x00-prefixed)."""

    index = models.BigIntegerField(_("leaf"), primary_key=True)
    event = models.OneToOneField(
        AuditEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a deleted event leaves its leaf behind, and the check names it
        related_name="leaf",
        verbose_name=_("event"),
    )
    hash = models.BinaryField(_("leaf hash"), max_length=32)
    sequenced_at = models.DateTimeField(_("sequenced at"), default=timezone.now)

    class Meta:
        verbose_name = _("audit log leaf")
        verbose_name_plural = _("audit log leaves")

    def __str__(self):
        return f"#{self.index} → {self.event_id}"


class AuditNode(models.Model):
    """The hash of one complete subtree: 2^level leaves starting at leaf index × 2^level."""

    level = models.PositiveSmallIntegerField(_("level"))
    index = models.BigIntegerField(_("index"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("audit log node")
        verbose_name_plural = _("audit log nodes")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="audit_node_position")]

    def __str__(self):
        return f"{self.level}/{self.index}"


class AuditTreeHead(models.Model):
    """A signed tree head: the tree's size and root at a moment, signed with the log's Ed25519 key
    (held outside the database: whoever holds the database cannot make one)."""

    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp = models.DateTimeField(_("signed at"))
    key_id = models.CharField(_("key"), max_length=64)
    signature = models.BinaryField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size"]

    def __str__(self):
        return f"{self.tree_size} {bytes(self.root_hash).hex()[:12]}"


class AuditVerification(models.Model):
    """The outcome of one check of the whole chain."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("intact"))
    events_checked = models.BigIntegerField(_("events checked"))
    tree_size = models.BigIntegerField(_("tree size"), default=0)
    last_verified_event_id = models.BigIntegerField(_("last verified event"), null=True, blank=True)
    broken_event_id = models.BigIntegerField(_("first broken event"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # events sealed long after they occurred (a broker outage, or an insertion after the fact):
    # named, not a break
    late_events = models.BigIntegerField(_("events sealed late"), default=0)
    first_late_event_id = models.BigIntegerField(_("first event sealed late"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")
        ordering = ["-checked_at"]

    def __str__(self):
        outcome = _("intact") if self.ok else _("broken")
        return f"{self.checked_at:%Y-%m-%d %H:%M} {outcome}"
