"""The admin reads the processes; it never moves them. viewflow's own process and task admins are
replaced by read-only ones, and a waiting task is moved only through `task_reassign`, with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.admin import ProcessAdmin as ViewflowProcessAdmin
from viewflow.workflow.admin import TaskAdmin as ViewflowTaskAdmin
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from core.admin import JalaliDatesAdmin
from core.errors import REFUSALS, refuse
from people.models import User
from plan.models import Revision
from workflows.services import reassign_candidates, task_reassign


@admin.register(Revision)
class RevisionAdmin(JalaliDatesAdmin):
    """Revisions move only through their process; the admin reads them."""

    list_display = ("title", "year", "plan", "status", "rounds", "created_by", "created_at", "issued_version")
    list_filter = ("status", "year", "plan")
    readonly_fields = [f.name for f in Revision._meta.fields] + ["amendments"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(_ReadOnly, ViewflowProcessAdmin):
    """Processes, read only: they move through their decisions."""


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(queryset=None, label=_("Reassign to"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(pk__in=[c.pk for c in candidates])


@admin.register(Task)
class TaskAdmin(_ReadOnly, ViewflowTaskAdmin):
    """Tasks, read only; a waiting one can be reassigned, with a reason, to someone who may take it."""

    list_display = [*ViewflowTaskAdmin.list_display, "reassign_link"]

    @admin.display(description=_("reassign"))
    def reassign_link(self, task):
        if task.status in (STATUS.NEW, STATUS.ASSIGNED) and task.flow_task_type == "HUMAN":
            return format_html(
                '<a href="{}">{}</a>', reverse("admin:workflows_task_reassign", args=[task.pk]), _("reassign")
            )
        return ""

    def get_urls(self):
        extra = [
            path("<int:pk>/reassign/", self.admin_site.admin_view(self.reassign_view), name="workflows_task_reassign")
        ]
        return extra + super().get_urls()

    def reassign_view(self, request, pk):
        if not request.user.has_perm("workflows.reassign_task"):
            raise PermissionDenied
        task = get_object_or_404(Task.objects.select_related("process", "owner"), pk=pk)
        form = ReassignForm(request.POST or None, candidates=reassign_candidates(task))
        if request.method == "POST" and form.is_valid():
            try:
                task_reassign(
                    task=task,
                    to_user=form.cleaned_data["to_user"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
            except REFUSALS as error:
                refuse(form, error)
            else:
                messages.success(request, _("The task was reassigned."))
                return redirect("admin:viewflow_task_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reassign a task"),
            "task": task,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workflows/task_reassign.html", context)
