from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin import JalaliDatesAdmin, ReadOnlyAdmin
from core.errors import REFUSALS, refuse
from plan.exchange import MAX_WORKBOOK_BYTES
from plan.models import (
    Actual,
    ActualReport,
    Amendment,
    AmendmentOperation,
    AnnualCall,
    Attachment,
    CallAnswer,
    Committee,
    HorizonRoll,
    IssuanceLetter,
    IssuedVersion,
    LetterSettings,
    Plan,
    PlanItem,
    ProgressRules,
)
from plan.selectors import version_horizons, version_in_force
from plan.services import plan_import_file


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Exported plan (JSON or XLSX)"))
    code = forms.SlugField(label=_("Store under another code"), required=False, max_length=40)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(_("the file is larger than %(mb)s MB") % {"mb": MAX_WORKBOOK_BYTES // 2**20})
        return upload


@admin.register(Plan)
class PlanAdmin(JalaliDatesAdmin):
    list_display = ("code", "name_fa", "city_fa", "horizons_in_force")
    search_fields = ("code", "name_fa", "name_en")
    # the horizons are plan content, moved by a roll-forward in a revision; these are the first version's
    FIRST_HORIZONS = ("strategic_start_year", "strategic_end_year", "operational_start_year", "operational_end_year")

    def get_readonly_fields(self, request, obj=None):
        return self.FIRST_HORIZONS if obj is not None else ()

    @admin.display(description=_("horizons in force"))
    def horizons_in_force(self, obj):
        version = version_in_force(obj)
        if version is None:
            return "—"
        (s1, s2), (o1, o2) = version_horizons(version)["strategic"], version_horizons(version)["operational"]
        return f"{s1}–{s2} / {o1}–{o2}"

    audited_by_services = frozenset({"import"})  # plan_import records it

    def get_urls(self):
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="plan_plan_import")]
        return extra + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # a plan is born with its first issued version, from its file: one added empty would have
        # nothing to show or amend, and its code could no longer be imported
        return redirect("admin:plan_plan_import")

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PlanImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                plan = plan_import_file(
                    data=form.cleaned_data["file"].read(),
                    code=form.cleaned_data["code"] or None,
                    acting_user=request.user,
                )
            except REFUSALS as error:
                refuse(form, error)
            else:
                version = plan.versions.get()
                messages.success(
                    request,
                    _("Imported %(code)s: version %(number)s, %(items)s items.")
                    % {"code": plan.code, "number": version.number, "items": version.item_count},
                )
                return redirect("admin:plan_plan_change", plan.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a plan"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/plan/plan/import.html", context)


@admin.register(Committee)
class CommitteeAdmin(JalaliDatesAdmin):
    list_display = ("code", "name_fa", "plan")
    list_filter = ("plan",)
    search_fields = ("code", "name_fa", "name_en")

    def get_readonly_fields(self, request, obj=None):
        # the plan's items name their committee by code, and its seats are in its plan's city: a
        # committee renamed or moved would own nothing (its drafts refused, its figures orphaned)
        return ("code", "plan") if obj is not None else ()


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


@admin.register(ProgressRules)
class ProgressRulesAdmin(JalaliDatesAdmin):
    """Where on track ends and at risk begins, per plan; the pages read them at once."""

    list_display = ("plan", "on_track", "at_risk")


@admin.register(HorizonRoll)
class HorizonRollAdmin(ReadOnlyAdmin):
    """Roll-forwards as the integration working group started them (on the year's page)."""

    list_display = ("plan", "__str__", "indicator_rule", "project_rule", "amendment", "created_by", "created_at")


class ActualInline(admin.TabularInline):
    model = Actual
    extra = 0
    can_delete = False
    fields = ("code", "year", "value", "progress", "spend", "source", "supersedes", "current")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ActualReport)
class ActualReportAdmin(ReadOnlyAdmin):
    """The year's figures as entered and decided; they are entered and confirmed on their pages,
    and never edited (a correction is a new report)."""

    list_display = ("id", "committee", "year", "status", "entered_by", "entered_at", "decided_by")
    list_filter = ("plan", "year", "status", "committee")
    inlines = [ActualInline]


class CallAnswerInline(admin.TabularInline):
    model = CallAnswer
    extra = 0
    can_delete = False
    fields = ("committee", "answer", "answered_by", "answered_at", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnualCall)
class AnnualCallAdmin(ReadOnlyAdmin):
    """The year's calls, opened by the planning office on the year's page; answered by committees."""

    list_display = ("plan", "year", "deadline", "opened_by", "opened_at")
    inlines = [CallAnswerInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Supporting documents as attached on the amendment's and the revision's pages, with the
    SHA-256 their decisions and audit events name. Read here; downloaded from those pages, by the
    people who may see them; never edited or deleted (a removal keeps the file for the record)."""

    list_display = ("name", "amendment", "revision", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("name", "sha256")
    exclude = ("file",)  # the stored path is internal; the file is served only through the pages
