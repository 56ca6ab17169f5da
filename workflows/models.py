"""Process models of the viewflow flows: each process carries its subject as artifact (an amendment, a
revision, a committee's report of figures, a committee's answer to the year's call)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class _Outcome:
    @property
    def outcome(self) -> str:
        """The outcome of the last decision, which the flow's gateways read."""
        return (self.data or {}).get("outcome", "")


class AmendmentProcess(_Outcome, Process):
    """The process of one amendment, from drafting to the integration working group's decision."""

    class Meta:
        proxy = True
        verbose_name = _("amendment process")
        verbose_name_plural = _("amendment processes")

    @property
    def amendment(self):
        return self.artifact


class RevisionProcess(_Outcome, Process):
    """The process of one revision, from assembly to issuance."""

    class Meta:
        proxy = True
        verbose_name = _("revision process")
        verbose_name_plural = _("revision processes")
        # the rights of the revision's steps: the flow's nodes ask for them, roles hold them
        permissions = [
            ("decide_policy_council", _("Can record the policy council's decision")),
            ("record_council_vote", _("Can record the city council's session and vote")),
            ("record_conformity", _("Can record the governorate's objection or confirmation")),
            ("issue_revision", _("Can issue a confirmed revision")),
            ("reassign_task", _("Can reassign a waiting task, with a reason")),
        ]

    @property
    def revision(self):
        return self.artifact


class ActualsProcess(_Outcome, Process):
    """The process of one actuals report, from entry to its chair's confirmation."""

    class Meta:
        proxy = True
        verbose_name = _("actuals process")
        verbose_name_plural = _("actuals processes")

    @property
    def report(self):
        return self.artifact


class CallProcess(_Outcome, Process):
    """The process of one committee's answer to the year's call."""

    class Meta:
        proxy = True
        verbose_name = _("call process")
        verbose_name_plural = _("call processes")


class IdempotentRequest(models.Model):
    """A write sent to the API with an `Idempotency-Key`: the first is carried out and its answer
    kept; a retry with the same key and the same request gets that answer again, never a second
    write. The row is written before the work, so two copies at once find it (one waits, one is
    told the first is still in hand)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=200)
    request_hash = models.CharField(_("SHA-256 of the request"), max_length=64)
    status = models.PositiveSmallIntegerField(_("answer's status"), null=True, blank=True)
    body = models.JSONField(_("answer's body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self):
        return self.key
