"""Every write of the workflows app, by subject: a step taken safely (`steps`), an amendment's
decisions (`amendments`), a revision's process (`revisions`), the councils' steps (`council`), the
governorate's review (`conformity`), the text decided on (`text`), and queues (`claims`).

The names other apps and the views use are importable from here."""

from django.utils.translation import gettext_lazy

from audit import chain
from workflows.services.actuals import ACTUALS_OUTCOMES, actuals_decide, actuals_enter
from workflows.services.amendments import STEP_OUTCOMES, amendment_draft_start, amendment_withdraw, decide
from workflows.services.calls import annual_call_open, call_answer
from workflows.services.claims import reassign_candidates, task_claim, task_reassign, task_release
from workflows.services.conformity import revision_confirm_by_silence
from workflows.services.discussion import CommentRefused, comment_edit, comment_post, thread_resolve
from workflows.services.revisions import (
    BACK_TO_ASSEMBLY,
    LENIENT,
    NEEDS_REASON,
    REVISION_OUTCOMES,
    STEP_DETAILS,
    TEXT_AFTER,
    revision_decide,
    revision_start,
)
from workflows.services.rolling import roll_forward_cancel, roll_forward_figures, roll_forward_start
from workflows.services.steps import BUSY, RETRYABLE, DecisionRefused, StateChanged

__all__ = [
    "CommentRefused",
    "comment_edit",
    "comment_post",
    "thread_resolve",
    "ACTUALS_OUTCOMES",
    "actuals_decide",
    "actuals_enter",
    "annual_call_open",
    "call_answer",
    "roll_forward_cancel",
    "roll_forward_figures",
    "roll_forward_start",
    "BACK_TO_ASSEMBLY",
    "BUSY",
    "LENIENT",
    "NEEDS_REASON",
    "RETRYABLE",
    "REVISION_OUTCOMES",
    "STEP_DETAILS",
    "STEP_OUTCOMES",
    "TEXT_AFTER",
    "DecisionRefused",
    "StateChanged",
    "amendment_draft_start",
    "amendment_withdraw",
    "decide",
    "reassign_candidates",
    "register_audit_actions",
    "revision_confirm_by_silence",
    "revision_decide",
    "revision_start",
    "task_claim",
    "task_reassign",
    "task_release",
]


def register_audit_actions() -> None:
    chain.register_action("workflows.amendment.start", gettext_lazy("Amendment process started"))
    chain.register_action("workflows.amendment.submit", gettext_lazy("Amendment submitted"))
    chain.register_action("workflows.amendment.sign_off", gettext_lazy("Committee sign-off decided"))
    chain.register_action("workflows.step.retry", gettext_lazy("A failed step of the system taken again"))
    chain.register_action("workflows.amendment.integrate", gettext_lazy("Integration decided"))
    chain.register_action("workflows.amendment.withdraw", gettext_lazy("Amendment withdrawn"))
    chain.register_action("workflows.amendment.package", gettext_lazy("Amendment put into or taken out of a revision"))
    chain.register_action("plan.revision.start", gettext_lazy("Revision assembled"))
    chain.register_action("plan.revision.decide", gettext_lazy("Revision step decided"))
    chain.register_action("plan.revision.confirm_by_silence", gettext_lazy("Confirmed by silence"))
    chain.register_action("workflows.actuals.start", gettext_lazy("Actuals report sent to the chair"))
    chain.register_action("workflows.horizon.roll_forward", gettext_lazy("Operational horizon rolled forward"))
    chain.register_action("workflows.comment.post", gettext_lazy("Comment written"))
    chain.register_action("workflows.comment.edit", gettext_lazy("Comment edited"))
    chain.register_action("workflows.comment.resolve", gettext_lazy("Discussion thread resolved"))
    chain.register_action("workflows.call.open", gettext_lazy("Year's call for amendments opened"))
    chain.register_action("workflows.call.answer", gettext_lazy("Committee answered the year's call"))
    chain.register_action("workflows.horizon.cancel", gettext_lazy("Roll-forward taken back"))
    chain.register_action("workflows.amendment.prefill", gettext_lazy("New year's figures prefilled"))
    chain.register_action("workflows.task.claim", gettext_lazy("Task claimed"))
    chain.register_action("workflows.task.release", gettext_lazy("Task released"))
    chain.register_action("workflows.task.reassign", gettext_lazy("Task reassigned by an administrator"))
