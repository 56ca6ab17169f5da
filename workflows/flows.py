"""The viewflow flows. They only route: every decision is taken by a service in
`workflows.services`, which records it, audits it and then lets the flow move on.

Human steps are `flow.View` nodes for their assignment and permission rules; their pages are
ours (not viewflow's), so the flows' own URLs are not mounted and the view argument is None.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from workflows.models import AmendmentProcess


def _committee(process):
    return process.artifact.committee


class AmendmentFlow(flow.Flow):
    """Drafting → committee sign-off → integration working group: accepted, returned or rejected."""

    process_class = AmendmentProcess
    # Waits for the process row instead of failing fast: viewflow's nowait variant retries inside
    # the caller's transaction, which PostgreSQL has already aborted. The second of two
    # simultaneous decisions waits, then finds the task decided and is told so.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)
    process_title = _("Amendment")
    process_description = _("An amendment from drafting to the integration working group's decision.")

    start = flow.StartHandle(this.start_process).Next(this.draft)

    draft = (
        flow.View(None)
        .Annotation(title=_("Draft the amendment"))
        .Assign(lambda activation: activation.process.artifact.drafted_by)
        .Next(this.sign_off)
    )
    sign_off = (
        flow.View(None)
        .Annotation(title=_("Committee sign-off"))
        .Permission("plan.sign_off_amendment", obj=_committee)
        .Next(this.after_sign_off)
    )
    after_sign_off = (
        flow.Switch()
        .Case(this.integration, lambda activation: activation.process.outcome == "approve")
        .Default(this.draft)
    )
    integration = (
        flow.View(None)
        .Annotation(title=_("Integration review"))
        .Permission("plan.integrate_amendment")
        .Next(this.after_integration)
    )
    after_integration = (
        flow.Switch()
        .Case(this.accepted, lambda activation: activation.process.outcome == "approve")
        .Case(this.rejected, lambda activation: activation.process.outcome == "reject")
        .Default(this.draft)
    )
    accepted = flow.End()
    rejected = flow.End()

    def start_process(self, activation, amendment):
        activation.process.artifact = amendment
        activation.process.data = {"outcome": ""}
        return activation.process
