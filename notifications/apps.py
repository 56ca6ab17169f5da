from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What users are told and when: in-app and email, reminders, escalations."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_migrate

        from notifications.services import register_audit_actions

        register_audit_actions()
        post_migrate.connect(_ensure_service_levels, sender=self)


def _ensure_service_levels(sender, using="default", **kwargs):
    from notifications.services import service_levels_ensure

    service_levels_ensure(using=using)
