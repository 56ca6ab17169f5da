"""What the app tells people: each event's message, translated when the recipient reads it."""

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from audit.chain import chain_problem
from core.jalali import format_jalali, localize_digits
from rules.steps import step_title

EVENTS = {
    "task.waiting": _("“%(subject)s” waits for you: %(step)s, due %(due)s."),
    "amendment.returned": _("Your amendment “%(subject)s” was returned at %(step)s: %(reason)s"),
    "amendment.rejected": _("Your amendment “%(subject)s” was rejected at %(step)s: %(reason)s"),
    "amendment.accepted": _("Your amendment “%(subject)s” was accepted into the year's revision."),
    "amendment.removed": _(
        "Your amendment “%(subject)s” was taken out of “%(revision)s” and is back with the integration working "
        "group for a later revision: %(reason)s"
    ),
    "revision.returned": _(
        "“%(subject)s”, which contains your amendment, went back to assembly at %(step)s: %(reason)s"
    ),
    "revision.rejected": _("“%(subject)s”, which contains your amendment, was rejected at %(step)s: %(reason)s"),
    "task.reassigned": _("“%(subject)s” was reassigned to you at %(step)s: %(reason)s"),
    "revision.withdrawn": _("“%(subject)s” was withdrawn; its amendments are back for a later revision: %(reason)s"),
    "revision.reassembled": _(
        "“%(subject)s” went back to assembly: a version issued meanwhile collides with it: %(reason)s"
    ),
    "revision.confirmed_by_silence": _("“%(subject)s” was confirmed by silence: the objection window closed."),
    "revision.issued": _("“%(subject)s” was issued as version %(version)s of the plan (issuance %(number)s)."),
    "task.reminder": _("Reminder: “%(subject)s” waits for you at %(step)s, due %(due)s."),
    "task.due_today": _("Due today: “%(subject)s” at %(step)s."),
    "task.overdue": _("Overdue since %(due)s: “%(subject)s” at %(step)s."),
    "task.escalated": _("Escalated to you: “%(subject)s” has waited at %(step)s since %(due)s."),
    "horizon.rolled": _(
        "“%(subject)s”: draft your committee's targets and budgets for %(year)s (start from the prefilled figures)."
    ),
    "comment.mentioned": _("%(who)s mentioned you in the discussion of “%(subject)s”."),
    "actuals.confirmed": _("Your figures for %(year)s (“%(subject)s”) were confirmed and are now the record."),
    "actuals.returned": _("Your figures for %(year)s (“%(subject)s”) were returned: %(reason)s"),
    "audit.chain_broken": _("The audit log is broken: %(reason)s"),
    "digest": _("Your Baznegar digest: %(count)s notifications."),
}


def render(notification, language: str | None = None) -> str:
    """The notification's text in the given (or active) language, with Jalali dates."""
    template = EVENTS.get(notification.event)
    if template is None:
        return notification.event
    with translation.override(language or translation.get_language()):
        context = dict(notification.context)
        if context.get("due"):
            context["due"] = format_jalali(dt.date.fromisoformat(context["due"]))
        if context.get("step"):
            context["step"] = step_title(context["step"])
        for key in ("version", "number", "event", "last", "year"):
            if context.get(key) is not None:
                context[key] = localize_digits(context[key])
        if context.get("problem"):
            params = {key: localize_digits(value) for key, value in (context.get("params") or {}).items()}
            context["reason"] = chain_problem(context["problem"], **params)
        context.setdefault("reason", "")
        # one place for every message a person is told (in the app, by email, in a digest):
        # numbers in titles, reasons and counts read in the reader's digits
        return localize_digits(str(template) % context)
