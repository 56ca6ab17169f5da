from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """The rules administrators keep: working calendar, holidays, service levels, legal windows,
    the city council's voting rules; and the names of the steps and outcomes of the approval path."""

    name = "rules"
    verbose_name = _("Rules and calendar")

    def ready(self):
        # models and services are importable only once the app registry is ready
        from rules.services import register_audit_actions

        register_audit_actions()
        post_migrate.connect(_ensure_defaults, sender=self)


def _ensure_defaults(sender, using="default", **kwargs):
    from rules.services import legal_defaults_ensure, service_levels_ensure  # once the registry is ready

    legal_defaults_ensure(using=using)
    service_levels_ensure(using=using)
