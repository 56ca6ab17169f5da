"""People in the admin. Every add, change and delete is an audit event naming each field before
and after (audit.admin wraps every registered admin); a seat's removal goes through its service."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.admin import GuardedModelAdminMixin

from audit.services import audit_record, field_changes, fields_snapshot
from core.admin import JalaliDatesAdmin, ReadOnlyAdmin
from core.errors import BaznegarError
from core.forms import NumberField
from core.jalali import format_jalali
from people.models import AccessToken, CityAccess, Delegation, DirectoryRule, Membership, Municipality, User
from people.second_factor import second_factor_reset
from people.selectors import may_change_account
from people.services import (
    city_access_grant,
    city_access_revoke,
    claims_release_unheld,
    membership_revoke,
    municipality_ensure,
)
from people.tokens import MAX_DAYS, token_create, token_revoke


@admin.register(User)
class UserAdmin(GuardedModelAdminMixin, DjangoUserAdmin):
    """People. Only a superuser may change roles (groups), permissions, staff or superuser status;
    every such change, and activation, is an audit event naming before and after."""

    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Preferences"), {"fields": ("language", "email_preference")}),
        (_("Service account"), {"fields": ("is_service",)}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_service", "language")
    list_filter = DjangoUserAdmin.list_filter + ("is_service", "language")
    GUARDED = ("is_superuser", "is_staff", "groups", "user_permissions", "is_service")
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (a lost phone): they enrol again at sign-in"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                second_factor_reset(user=user, acting_user=request.user, reason=str(_("reset in the admin")))
                done += 1
            except BaznegarError as refused:
                self.message_user(request, f"{user.username}: {'; '.join(refused.messages)}", messages.ERROR)
        self.message_user(request, _("%(count)s second factors reset.") % {"count": done}, messages.SUCCESS)

    def user_change_password(self, request, id, form_url=""):
        """Django's own password page saves past save_model: its change is recorded here, once, naming
        the field (never the password, only a fingerprint of its hash)."""
        before = fields_snapshot(User.objects.filter(pk=id).first())
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            with transaction.atomic():
                audit_record(
                    action="audit.admin.change",
                    actor=request.user,
                    obj=user,
                    data={"model": "people.user", "fields": field_changes(before, fields_snapshot(user))},
                )
        return response

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.GUARDED
        return fields

    def has_change_permission(self, request, obj=None):
        # an administrator's or a superuser's account (its password page included) only a superuser changes
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:  # a role taken away, or the person deactivated: what they had claimed goes back
            claims_release_unheld(user=form.instance, released_by=request.user)


@admin.register(Membership)
class MembershipAdmin(JalaliDatesAdmin):
    """Seats are granted through `people.services.membership_grant`, which also sets the object rights."""

    audited_by_services = frozenset({"delete"})  # membership_revoke records the removal

    list_display = ("user", "committee", "seat", "since")
    list_filter = ("seat", "committee")
    search_fields = ("user__username", "user__last_name", "committee__name_fa")
    readonly_fields = ("user", "committee", "seat", "since")

    def has_add_permission(self, request):
        return False

    # a seat's removal takes its rights with it, audited (people.services.membership_revoke)
    def delete_model(self, request, obj):
        membership_revoke(membership=obj, revoked_by=request.user, reason="admin")

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, revoked_by=request.user, reason="admin")


@admin.register(Municipality)
class MunicipalityAdmin(JalaliDatesAdmin):
    """The cities this installation keeps a plan for; a plan imported for a new city adds its own."""

    audited_by_services = frozenset({"add"})  # people.services.municipality_ensure records it
    list_display = ("name_fa",)  # its English name and code on its page (a Persian reader's list)
    search_fields = ("name_fa", "name_en", "code")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # a second city gives everyone of the first it by name (see the service)
        made = municipality_ensure(name_fa=obj.name_fa, name_en=obj.name_en, code=obj.code, added_by=request.user)
        obj.pk = made.pk

    def has_delete_permission(self, request, obj=None):
        return False  # a city's plans and records name it for ever


@admin.register(CityAccess)
class CityAccessAdmin(JalaliDatesAdmin):
    """Who works in which city (with two cities or more; with one, everyone does). Taking a city away
    releases the tasks of that city the person had claimed (people.services.city_access_revoke)."""

    audited_by_services = frozenset({"add", "delete"})
    list_display = ("user", "municipality", "since")
    list_filter = ("municipality",)
    search_fields = ("user__username", "user__last_name")
    fields = ("user", "municipality")
    autocomplete_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False  # given or taken away, never moved: a move is one of each

    def save_model(self, request, obj, form, change):
        made = city_access_grant(user=obj.user, municipality=obj.municipality, granted_by=request.user)
        obj.pk, obj.since = made.pk, made.since

    def delete_model(self, request, obj):
        city_access_revoke(user=obj.user, municipality=obj.municipality, revoked_by=request.user)

    def delete_queryset(self, request, queryset):
        for access in queryset:
            city_access_revoke(user=access.user, municipality=access.municipality, revoked_by=request.user)


@admin.register(DirectoryRule)
class DirectoryRuleAdmin(JalaliDatesAdmin):
    """Which directory group gives which role or seat (people/directory.py): applied at each
    directory sign-in; a group that no longer matches takes back what it gave."""

    list_display = ("group", "role", "committee", "seat", "municipality")
    list_filter = ("role", "seat")
    search_fields = ("group",)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    """Delegations are named by the approvers themselves (people.services.delegation_create)."""

    list_display = ("delegator", "substitute", "starts_on", "ends_on", "revoked_at")


class ServiceTokenForm(forms.ModelForm):
    """An administrator makes a token for a service account (a system that never signs in)."""

    days = NumberField(label=_("days it lasts"), min_value=1, max_value=MAX_DAYS, initial=90)

    class Meta:
        model = AccessToken
        fields = ("user", "name", "scope")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_service=True, is_active=True).order_by("username")
        self.fields["user"].label = _("service account")


@admin.register(AccessToken)
class AccessTokenAdmin(ReadOnlyAdmin):
    """Personal access tokens are made by their owners on their profile (the secret shown once, only
    its SHA-256 kept). An administrator reads them and revokes one that leaked (audited)."""

    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__username")
    exclude = ("digest",)
    actions = ["revoke"]
    add_form = ServiceTokenForm
    audited_by_services = frozenset({"add"})  # token_create records it

    def has_add_permission(self, request):  # a service account's token: people make their own
        return request.user.has_perm("people.change_accesstoken")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("user", "name", "scope", "days") if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            token, raw = token_create(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                made_by=request.user,
            )
        except BaznegarError as refused:
            raise PermissionDenied(refused.messages) from refused
        obj.pk, obj.prefix, obj.expires_at = token.pk, token.prefix, token.expires_at
        request._service_token = (token, raw)  # shown on the answer itself, never kept in a message cookie

    def response_add(self, request, obj, post_url_continue=None):
        made = getattr(request, "_service_token", None)
        if made is None:
            return super().response_add(request, obj, post_url_continue)
        token, raw = made
        response = TemplateResponse(
            request,
            "admin/people/accesstoken/made.html",
            {**self.admin_site.each_context(request), "token": token, "raw": raw, "opts": self.model._meta},
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the chosen tokens"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                token_revoke(token=token, acting_user=request.user)
                revoked += 1
            except BaznegarError:  # revoked meanwhile by its owner or another administrator
                continue
        self.message_user(request, _("%(count)s tokens revoked.") % {"count": revoked}, messages.SUCCESS)


# django-axes' records of sign-in attempts, read in the product's words and dates: a Jalali list
# (no Gregorian drill-down) and a title for people instead of the models' English `__str__`
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(_model)


# django-otp's own admin of devices writes past our services and speaks English: a person's second
# factor is turned on on their page and taken away by the audited reset above (people.second_factor)
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class _SignInRecordAdmin(JalaliDatesAdmin):
    date_hierarchy = None

    def object_title(self, obj):
        return _("%(username)s · %(time)s") % {
            "username": obj.username or "—",
            "time": format_jalali(obj.attempt_time, with_time=True),
        }


@admin.register(AccessAttempt)
class SignInAttemptAdmin(_SignInRecordAdmin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class SignInLogAdmin(_SignInRecordAdmin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class SignInFailureAdmin(_SignInRecordAdmin, AccessFailureLogAdmin):
    pass
