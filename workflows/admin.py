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
from core.jalali import format_jalali
from people.models import User
from plan.models import Revision
from rules.steps import Step, step_title
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


def _flow_title(process_or_class) -> str:
    flow_class = getattr(process_or_class, "flow_class", process_or_class)
    return str(getattr(flow_class, "process_title", "") or "")


# the flows' nodes that are not people's steps: where a process starts, ends, turns and times out
END_TITLES = {
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "issued": _("Issued"),
    "withdrawn": _("Withdrawn"),
    "confirmed": _("Confirmed"),
    "returned": _("Returned"),
    "answered": _("Answered"),
}


def _node_title(node) -> str:
    """A flow node as people name it: a step's title; a start, an end, a turn after a step or a
    step's window closing named after it; else the node's own title."""
    if node is None:
        return ""
    name = getattr(node, "name", "")
    if name in Step.values:
        return step_title(name)
    if name == "start":
        return str(_("Start"))
    if name in END_TITLES:
        return str(_("End: %(outcome)s") % {"outcome": END_TITLES[name]})
    if name.startswith("after_") and name[6:] in Step.values:
        return str(_("After “%(step)s”") % {"step": step_title(name[6:])})
    if name.endswith("__timeout") and name[:-9] in Step.values:
        return str(_("Window closed: %(step)s") % {"step": step_title(name[:-9])})
    return str(getattr(node, "task_title", "") or name)


class _Labels:
    """viewflow's records read in the product's words: the flow's and the step's titles, the
    status's label, Jalali dates (no Gregorian drill-down)."""

    date_hierarchy = None

    @admin.display(description=_("Process"))
    def flow(self, obj):
        return _flow_title(obj)

    @admin.display(description=_("Step"))
    def step(self, task):
        return _node_title(task.flow_task)

    @admin.display(description=_("Subject"))
    def subject(self, process):
        return process.brief


class TaskInline(_Labels, admin.TabularInline):
    model = Task
    fields = readonly_fields = ["step", "status", "owner", "created", "finished"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def object_title(self, task):
        return f"{_node_title(task.flow_task)} #{task.pk}"

    @admin.display(description=_("Created"))
    def created(self, task):
        return format_jalali(task.created, with_time=True)

    @admin.display(description=_("Finished"))
    def finished(self, task):
        return format_jalali(task.finished, with_time=True) if task.finished else ""


@admin.register(Process)
class ProcessAdmin(_ReadOnly, _Labels, JalaliDatesAdmin, ViewflowProcessAdmin):
    """Processes, read only: they move through their decisions."""

    list_display = ["pk", "created", "flow", "status", "participants", "subject"]
    list_display_links = ["pk", "created", "flow"]
    fields = readonly_fields = ["flow", "status", "created", "finished", "subject"]
    inlines = [TaskInline]

    @admin.display(description=_("Participants"))
    def participants(self, process):
        return super().participants(process)


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(queryset=None, label=_("Reassign to"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(pk__in=[c.pk for c in candidates])


@admin.register(Task)
class TaskAdmin(_ReadOnly, _Labels, JalaliDatesAdmin, ViewflowTaskAdmin):
    """Tasks, read only; a waiting one can be reassigned, with a reason, to someone who may take it."""

    list_display = ["pk", "created", "process", "step", "status", "owner", "started", "finished", "reassign_link"]
    list_display_links = ["pk", "created"]
    fields = readonly_fields = ["process", "step", "status", "owner", "created", "started", "finished"]

    def object_title(self, task):
        return f"{_node_title(task.flow_task)} · {task.process}"

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
