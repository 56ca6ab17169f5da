from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import JalaliDatesAdmin, ReadOnlyAdmin
from plan.models import (
    Amendment,
    AmendmentOperation,
    Committee,
    IssuanceLetter,
    IssuedVersion,
    LetterSettings,
    Plan,
    PlanItem,
)


@admin.register(Plan)
class PlanAdmin(JalaliDatesAdmin):
    list_display = ("code", "name_fa", "city_fa", "operational_start_year", "operational_end_year")
    search_fields = ("code", "name_fa", "name_en")


@admin.register(Committee)
class CommitteeAdmin(JalaliDatesAdmin):
    list_display = ("code", "name_fa", "plan")
    list_filter = ("plan",)
    search_fields = ("code", "name_fa", "name_en")


@admin.register(IssuedVersion)
class IssuedVersionAdmin(ReadOnlyAdmin):
    """Issued versions are the legal record: read-only here as everywhere."""

    list_display = ("plan", "number", "issuance_number", "issued_at", "issued_by", "item_count", "fingerprint")
    list_filter = ("plan",)


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    """Item states change only through issuance."""

    list_display = ("code", "kind", "name_fa", "parent_code", "valid_from", "valid_to")
    list_filter = ("plan", "kind")
    search_fields = ("code", "name_fa", "name_en")
    show_full_result_count = False


class AmendmentOperationInline(admin.TabularInline):
    model = AmendmentOperation
    extra = 0
    can_delete = False
    fields = ("position", "action", "code", "kind", "values", "cascade", "justification")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Amendment)
class AmendmentAdmin(JalaliDatesAdmin):
    """Amendments are read here; they are drafted and decided through their workflow."""

    list_display = ("id", "title", "committee", "status", "base_version", "drafted_by", "created_at")
    list_filter = ("plan", "status", "committee")
    search_fields = ("title",)
    inlines = [AmendmentOperationInline]
    readonly_fields = [f.name for f in Amendment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("operations"))
    def operation_count(self, obj):
        return obj.operations.count()


@admin.register(IssuanceLetter)
class IssuanceLetterAdmin(ReadOnlyAdmin):
    """The letters as issued: read here, downloaded from the public page (the bytes never change)."""

    list_display = ("number", "version", "made_at", "sha256")
    exclude = ("pdf",)


@admin.register(LetterSettings)
class LetterSettingsAdmin(JalaliDatesAdmin):
    """How the planning office words its issuance letters; the next letter made reads them."""

    list_display = ("plan", "letterhead", "signatory_office")
