"""Template filters of the auditor's pages."""

from django import template

from audit import chain

register = template.Library()


@register.filter
def audit_action(name: str) -> str:
    """An action's label in the reader's language (`workflows.amendment.submit` → "Amendment submitted")."""
    return chain.action_label(name)


@register.filter
def short_hash(value: str) -> str:
    """The first 12 characters of a hash, enough to compare by eye."""
    return (value or "")[:12]
