from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What users are told: in the app, by email through the outbox, and in a daily digest."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # services connect the receiver of a broken audit chain; importable once the registry is ready
        from notifications.services import register_audit_actions

        register_audit_actions()
