"""The audit trail in the admin (read only), and the wrapper that makes every other admin's add,
change and delete an audit event in the same transaction, naming each field before and after."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.models import AuditEvent, AuditVerification
from audit.services import audit_record, field_changes, fields_snapshot
from core.admin import ReadOnlyAdmin


class AuditedAdminMixin:
    """Records the admin's writes. An admin whose own save or delete calls an audited service names
    that operation in `audited_by_services`, so each write is recorded exactly once."""

    def _by_service(self, operation: str) -> bool:
        # read from the admin itself: this mixin comes first in the wrapped class's order
        return operation in getattr(self, "audited_by_services", ())

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            request._audit_before = fields_snapshot(stored) if stored is not None else {}
        else:
            request._audit_before = {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        operation = "change" if change else "add"
        if self._by_service(operation):
            return
        obj = form.instance
        changes = field_changes(getattr(request, "_audit_before", {}), fields_snapshot(obj))
        if changes or not change:
            audit_record(
                action=f"audit.admin.{operation}",
                actor=request.user,
                obj=obj,
                data={"model": obj._meta.label_lower, "fields": changes},
            )

    def delete_model(self, request, obj):
        if self._by_service("delete"):
            return super().delete_model(request, obj)
        with transaction.atomic():
            _record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self._by_service("delete"):
            return super().delete_queryset(request, queryset)
        with transaction.atomic():
            for obj in queryset:
                _record_deletion(request, obj)
            super().delete_queryset(request, queryset)


def _record_deletion(request, obj) -> None:
    audit_record(
        action="audit.admin.delete",
        actor=request.user,
        obj=obj,
        data={"model": obj._meta.label_lower, "fields": field_changes(fields_snapshot(obj), {})},
    )


def audit_every_admin(site=admin.site) -> None:
    """Give every registered admin (ours, Django's groups, axes', guardian's) the audited writes.
    Run once the registry is complete (AuditConfig.ready, after the admin's autodiscovery)."""
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if not issubclass(cls, AuditedAdminMixin):
            model_admin.__class__ = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {})


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "actor_username", "on_behalf_of_username", "action_label", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "object_repr", "object_id", "action")
    show_full_result_count = False  # counting a million rows on every page is the slow part

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event):
        return chain.action_label(event.action)


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "ok", "events_checked", "last_verified_event_id", "broken_event_id")
