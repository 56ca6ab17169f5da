"""The rules administrators keep, in the admin: each change saved through its audited service or
recorded by the admin's audit wrapper (audit.admin)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import JalaliDatesAdmin
from core.jalali import jalali_year, jalali_year_bounds, localize_digits
from rules.models import WEEKDAYS, CalendarSettings, CouncilRules, Holiday, LegalRule, ServiceLevel
from rules.services import calendar_settings_update, holiday_confirm, holiday_delete, holiday_save


class CalendarSettingsForm(forms.ModelForm):
    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("working weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CalendarSettings
        fields = ["working_weekdays", "extend_window_on_holiday"]


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(JalaliDatesAdmin):
    audited_by_services = frozenset({"add", "change"})  # calendar_settings_update records it
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


class JalaliYearFilter(admin.SimpleListFilter):
    """Holidays by Jalali year (Django's date drill-down is Gregorian)."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({jalali_year(day) for day in Holiday.objects.values_list("date", flat=True)})
        return [(str(year), localize_digits(year)) for year in years]

    def queryset(self, request, queryset):
        try:
            year = int(self.value()) if self.value() else None
        except ValueError:
            return queryset.none()
        if year is None:
            return queryset
        return queryset.filter(date__range=jalali_year_bounds(year))


@admin.register(Holiday)
class HolidayAdmin(JalaliDatesAdmin):
    actions = ["confirm", "confirm_a_day_later", "confirm_a_day_earlier"]

    audited_by_services = frozenset({"add", "change", "delete"})  # holiday_save / holiday_delete record it
    list_display = ("date", "name_fa", "kind", "tentative", "municipality")
    list_filter = (JalaliYearFilter, "kind", "tentative")
    search_fields = ("name_fa", "name_en")

    def save_model(self, request, obj, form, change):
        holiday_save(holiday=obj, acting_user=request.user)

    def delete_model(self, request, obj):
        holiday_delete(holiday=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            holiday_delete(holiday=holiday, acting_user=request.user)

    def _confirm(self, request, queryset, shift):
        for holiday in queryset.filter(tentative=True):
            holiday_confirm(holiday=holiday, shift_days=shift, acting_user=request.user)

    @admin.action(description=_("Confirm the selected lunar holidays as computed"))
    def confirm(self, request, queryset):
        self._confirm(request, queryset, 0)

    @admin.action(description=_("Confirm them one day later (as announced)"))
    def confirm_a_day_later(self, request, queryset):
        self._confirm(request, queryset, 1)

    @admin.action(description=_("Confirm them one day earlier (as announced)"))
    def confirm_a_day_earlier(self, request, queryset):
        self._confirm(request, queryset, -1)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(JalaliDatesAdmin):
    """How many working days each step may take; created with defaults on migrate."""

    list_display = ("stage", "municipality", "working_days", "remind_days_before", "escalate_days_after")


@admin.register(LegalRule)
class LegalRuleAdmin(JalaliDatesAdmin):
    """Legal windows are data: article numbers differ between consolidated texts."""

    list_display = ("code", "name_fa", "municipality", "article", "days", "city_may_override")

    def get_readonly_fields(self, request, obj=None):
        # the product reads a window by its code: renamed, it is gone (every vote or objection a 500)
        return ("code", "municipality") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # a city's own window may go (the national one applies again); the national one is the law's
        return super().has_delete_permission(request, obj) and (obj is None or obj.municipality_id is not None)


@admin.register(CouncilRules)
class CouncilRulesAdmin(JalaliDatesAdmin):
    list_display = ("__str__", "municipality", "members", "quorum", "majority")
    # a city whose council differs in size or rule has its own row; the row without a city is the rest's
