from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What users are told and when: in-app and email, reminders, escalations."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications.services import register_audit_actions

        register_audit_actions()
