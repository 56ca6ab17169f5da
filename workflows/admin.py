from django.contrib import admin

from config.admin import JalaliDatesAdmin
from workflows.models import Revision


@admin.register(Revision)
class RevisionAdmin(JalaliDatesAdmin):
    """Revisions move only through their process; the admin reads them."""

    list_display = ("title", "year", "plan", "status", "created_by", "created_at", "issued_version")
    list_filter = ("status", "year", "plan")
    readonly_fields = [f.name for f in Revision._meta.fields] + ["amendments"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
