from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin import JalaliDatesAdmin
from notifications.models import WEEKDAYS, CalendarSettings, Holiday, Notification, Outbox, ServiceLevel
from notifications.services import calendar_settings_update, holiday_delete, holiday_save, outbox_retry


class CalendarSettingsForm(forms.ModelForm):
    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("working weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CalendarSettings
        fields = ["working_weekdays", "extend_window_on_holiday"]


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(admin.ModelAdmin):
    form = CalendarSettingsForm
    list_display = ("__str__", "working_days_display", "extend_window_on_holiday")

    @admin.display(description=_("working weekdays"))
    def working_days_display(self, obj):
        names = dict(WEEKDAYS)
        return "، ".join(str(names[d]) for d in obj.working_weekdays)

    def has_add_permission(self, request):
        return not CalendarSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        # through the service, so the change is validated and audited in one transaction
        calendar_settings_update(
            working_weekdays=form.cleaned_data["working_weekdays"],
            extend_window_on_holiday=form.cleaned_data["extend_window_on_holiday"],
            acting_user=request.user,
        )


@admin.register(Holiday)
class HolidayAdmin(JalaliDatesAdmin):
    list_display = ("date", "name_fa", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("name_fa", "name_en")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        holiday_save(holiday=obj, acting_user=request.user)

    def delete_model(self, request, obj):
        holiday_delete(holiday=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            holiday_delete(holiday=holiday, acting_user=request.user)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    """How many working days each step may take; created with defaults on migrate."""

    list_display = ("stage", "working_days", "remind_days_before", "escalate_days_after")


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
