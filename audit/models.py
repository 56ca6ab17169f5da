"""The append-only audit trail: events chained by hash, its head, and each check of it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action. Rows are never updated or deleted (a PostgreSQL trigger refuses it).

    Each event stores the hash of the event before it, so that altering, removing or
    reordering any row breaks the chain and `manage.py verify_audit` names where.
    The user columns carry no database constraint and a copy of the username, so an
    event outlives the deletion of the user it names.
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
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

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


class AuditChainHead(models.Model):
    """The newest event's id and hash: the lock that serialises appends, and the tail check."""

    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.last_event_id} {self.last_hash[:12]}"


class AuditVerification(models.Model):
    """The outcome of one check of the whole chain."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("intact"))
    events_checked = models.BigIntegerField(_("events checked"))
    last_verified_event_id = models.BigIntegerField(_("last verified event"), null=True, blank=True)
    broken_event_id = models.BigIntegerField(_("first broken event"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")
        ordering = ["-checked_at"]

    def __str__(self):
        outcome = _("intact") if self.ok else _("broken")
        return f"{self.checked_at:%Y-%m-%d %H:%M} {outcome}"
