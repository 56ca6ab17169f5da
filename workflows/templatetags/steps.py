from django import template

from rules.steps import step_title as title_of

register = template.Library()


@register.filter
def step_title(step):
    """A step's name for people: {{ decision.step|step_title }}."""
    return title_of(step)
