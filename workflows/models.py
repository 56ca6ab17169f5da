"""Process models of the viewflow flows: an amendment's process carries its amendment as artifact."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class AmendmentProcess(Process):
    """The process of one amendment, from drafting to the integration working group's decision."""

    class Meta:
        proxy = True
        verbose_name = _("amendment process")
        verbose_name_plural = _("amendment processes")

    @property
    def amendment(self):
        return self.artifact

    @property
    def outcome(self) -> str:
        """The outcome of the last decision, which the flow's gateways read."""
        return (self.data or {}).get("outcome", "")


class Revision(models.Model):
    """The year's package of accepted amendments, put to the councils and issued together."""

    class Status(models.TextChoices):
        ASSEMBLING = "assembling", _("Being assembled by the integration working group")
        POLICY_COUNCIL = "policy_council", _("At the municipality's policy council")
        CITY_COUNCIL = "city_council", _("At the city council")
        GOVERNORATE = "governorate", _("At the governorate's conformity board")
        RECONSIDERATION = "reconsideration", _("Reconsidered by the city council after an objection")
        DISPUTE = "dispute", _("Disputed outside the product")
        CONFIRMED = "confirmed", _("Confirmed, awaiting issuance")
        ISSUED = "issued", _("Issued")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the integration working group")

    plan = models.ForeignKey("plan.Plan", on_delete=models.PROTECT, related_name="revisions", verbose_name=_("plan"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASSEMBLING)
    amendments = models.ManyToManyField("plan.Amendment", related_name="revisions", verbose_name=_("amendments"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # 1 until the package is first sent back to assembly; each return adds one, as for amendments
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=1)
    issued_version = models.OneToOneField(
        "plan.IssuedVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision",
        verbose_name=_("issued version"),
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at"]
        permissions = [
            ("decide_policy_council", _("Can record the policy council's decision")),
            ("record_council_vote", _("Can record the city council's session and vote")),
            ("record_conformity", _("Can record the governorate's objection or confirmation")),
            ("issue_revision", _("Can issue a confirmed revision")),
            ("reassign_task", _("Can reassign a waiting task, with a reason")),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def audit_scope(self) -> dict:
        return {"plan": self.plan_id, "revision": self.pk}


# a revision in one of these has ended: its amendments that were not issued are back in the pool
REVISION_CLOSED = (Revision.Status.ISSUED, Revision.Status.REJECTED, Revision.Status.WITHDRAWN)


class RevisionProcess(Process):
    """The process of one revision, from assembly to issuance."""

    class Meta:
        proxy = True
        verbose_name = _("revision process")
        verbose_name_plural = _("revision processes")

    @property
    def revision(self):
        return self.artifact

    @property
    def outcome(self) -> str:
        return (self.data or {}).get("outcome", "")
