"""Drafting forms: one operation at a time, in a person's words; the changeset rules validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.jalali import normalize_persian
from plan.schema import Kind


class AmendmentForm(forms.Form):
    committee = forms.ModelChoiceField(queryset=None, label=_("Committee"))
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees


class OperationForm(forms.Form):
    ACTIONS = [
        ("change", _("Change a field")),
        ("add", _("Add an item")),
        ("retire", _("Retire an item")),
        ("move", _("Move an item")),
    ]
    action = forms.ChoiceField(label=_("Operation"), choices=ACTIONS)
    code = forms.CharField(label=_("Item code"), max_length=40, help_text=_("For example IND3.1.1 or PRJ-045"))
    field = forms.CharField(
        label=_("Field"), required=False, help_text=_("For a change: name_fa, unit, targets.1405, budgets.1406 …")
    )
    value = forms.CharField(label=_("New value"), required=False)
    kind = forms.ChoiceField(label=_("Kind (to add)"), required=False, choices=[("", "—"), *Kind.choices])
    parent = forms.CharField(label=_("Parent (to add or move)"), required=False)
    portfolio = forms.CharField(label=_("Portfolio (to move a project)"), required=False)
    fields_text = forms.CharField(
        label=_("Fields of the new item, one per line as field: value"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    cascade = forms.BooleanField(label=_("Retire what hangs under it too"), required=False)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}))

    def operation(self) -> dict:
        """The operation as the changeset rules read it."""
        data = {k: normalize_persian(v) if isinstance(v, str) else v for k, v in self.cleaned_data.items()}
        action, code = data["action"], data["code"]
        op = {"action": action, "code": code, "justification": data["justification"]}
        if action == "change":
            op["values"] = {data["field"]: {"new": data["value"]}} if data["field"] else {}
        elif action == "add":
            values = {"parent": data["parent"]}
            for line in (self.cleaned_data.get("fields_text") or "").splitlines():
                if ":" in line:
                    name, _sep, value = line.partition(":")
                    values[normalize_persian(name).strip()] = normalize_persian(value).strip()
            op.update(kind=data["kind"], values=values)
        elif action == "retire":
            op["cascade"] = data["cascade"]
        elif action == "move":
            op["values"] = {k: {"new": data[k]} for k in ("parent", "portfolio") if data[k]}
        return op
