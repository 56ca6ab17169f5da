"""The column that says which city a row belongs to, where a row may be the installation's own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def city_column(help_text="") -> models.ForeignKey:
    """A row's city (people.Municipality, named by string: core imports no app of ours); empty for
    the row that holds everywhere (the national rule, the installation's service level)."""
    return models.ForeignKey(
        "people.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        help_text=help_text,
    )
