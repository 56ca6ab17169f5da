from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin

from approvals import audit
from approvals.models import (
    AuditEvent,
    AuditVerification,
    ConformityReview,
    CouncilRules,
    CouncilVote,
    Decision,
    Delegation,
    LegalRule,
    Membership,
    User,
)
from approvals.services import membership_revoke, user_rights_changed, user_rights_snapshot
from config.admin import JalaliDatesAdmin


@admin.register(User)
class UserAdmin(GuardedModelAdminMixin, DjangoUserAdmin):
    """People. Only a superuser may change roles (groups), permissions, staff or superuser status;
    every such change, and activation, is an audit event naming before and after."""

    fieldsets = DjangoUserAdmin.fieldsets + ((_("Preferences"), {"fields": ("language", "email_preference")}),)
    list_display = ("username", "first_name", "last_name", "email", "is_active", "language")
    list_filter = DjangoUserAdmin.list_filter + ("language",)
    GUARDED = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.GUARDED
        return fields

    def save_model(self, request, obj, form, change):
        self._before = user_rights_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_rights_changed(user=form.instance, before=self._before, changed_by=request.user)


class ReadOnlyAdmin(JalaliDatesAdmin):
    """The audit trail is append-only: the admin reads it and nothing else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "actor_username", "on_behalf_of_username", "action_label", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "object_repr", "object_id", "action")
    show_full_result_count = False  # counting a million rows on every page is the slow part

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event):
        return audit.action_label(event.action)


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "ok", "events_checked", "last_verified_event_id", "broken_event_id")


@admin.register(Membership)
class MembershipAdmin(JalaliDatesAdmin):
    """Seats are granted through `approvals.services.membership_grant`, which also sets the object rights."""

    list_display = ("user", "committee", "seat", "since")
    list_filter = ("seat", "committee")
    search_fields = ("user__username", "user__last_name", "committee__name_fa")
    readonly_fields = ("user", "committee", "seat", "since")

    def has_add_permission(self, request):
        return False

    # a seat's removal takes its rights with it, audited (approvals.services.membership_revoke)
    def delete_model(self, request, obj):
        membership_revoke(membership=obj, revoked_by=request.user, reason="admin")

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, revoked_by=request.user, reason="admin")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions are the record of who decided what: taken through the workflow, never edited."""

    list_display = ("decided_at", "step", "outcome", "decided_by", "on_behalf_of", "amendment", "revision")
    list_filter = ("step", "outcome")


@admin.register(LegalRule)
class LegalRuleAdmin(admin.ModelAdmin):
    """Legal windows are data: article numbers differ between consolidated texts."""

    list_display = ("code", "name_fa", "article", "days")


@admin.register(CouncilRules)
class CouncilRulesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "members", "quorum", "majority")

    def has_add_permission(self, request):
        return not CouncilRules.objects.exists()


@admin.register(CouncilVote)
class CouncilVoteAdmin(ReadOnlyAdmin):
    list_display = ("resolution_number", "session_date", "revision", "present", "votes_for", "passed")


@admin.register(ConformityReview)
class ConformityReviewAdmin(ReadOnlyAdmin):
    list_display = ("revision", "notified_on", "window_ends_at", "outcome")


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    """Delegations are named by the approvers themselves (approvals.services.delegation_create)."""

    list_display = ("delegator", "substitute", "starts_on", "ends_on", "revoked_at")
