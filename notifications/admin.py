from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import JalaliDatesAdmin
from notifications.models import Notification, Outbox
from notifications.services import outbox_retry


@admin.register(Outbox)
class OutboxAdmin(JalaliDatesAdmin):
    """Messages waiting, sent, or failed with their error; a failed one can be sent again."""

    list_display = ("created_at", "to_address", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to_address", "subject", "idempotency_key")
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        for message in queryset.filter(status=Outbox.Status.FAILED):
            outbox_retry(outbox=message, acting_user=request.user)


@admin.register(Notification)
class NotificationAdmin(JalaliDatesAdmin):
    list_display = ("created_at", "recipient", "event", "read_at")
    list_filter = ("event",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
