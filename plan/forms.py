"""Drafting forms: one form per kind of operation, in a person's words. They only gather what was
typed; the changeset rules (`plan.changesets`) validate it, so the messages are the same whether
an operation comes from a page, an exchange file or the command line."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.jalali import localize_digits, tidy_text
from plan.exchange import MAX_WORKBOOK_BYTES
from plan.schema import DIRECTIONS, FIELDS, PARENT_KIND, FieldType, Kind, field_label
from plan.selectors import drafting_years


class AmendmentForm(forms.Form):
    committee = forms.ModelChoiceField(queryset=None, label=_("Committee"))
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees


ACTIONS = [
    ("change", _("Change a field")),
    ("add", _("Add an item")),
    ("retire", _("Retire an item")),
    ("move", _("Move an item")),
]
# the kinds a committee adds under its outputs (objectives, statements and portfolios are the planners')
ADDABLE_KINDS = [Kind.INDICATOR, Kind.PROJECT, Kind.ACTION, Kind.OUTPUT]


def _clean(value):
    return tidy_text(value) if isinstance(value, str) else value


class _OperationForm(forms.Form):
    """What every operation names: the item's code and why."""

    action = ""
    code = forms.CharField(label=_("Item code"), max_length=40, help_text=_("For example IND3.1.1 or PRJ-045"))
    justification = forms.CharField(label=_("Justification"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.order_fields(["code", *[name for name in self.fields if name not in ("code", "justification")]])

    def operation(self) -> dict:
        """The operation as the changeset rules read it."""
        data = self.cleaned_data
        return {"action": self.action, "code": _clean(data["code"]), "justification": _clean(data["justification"])}


def field_choices(plan) -> list[tuple[str, str]]:
    """Every field an item of the plan can have, by its flat name, in a person's words; per-year
    fields once for each operational year."""
    seen, choices = set(), []
    years = drafting_years(plan)
    for kind, specs in FIELDS.items():
        if kind == Kind.HORIZON:  # moved by the integration working group's roll-forward, not by a draft
            continue
        for spec in specs:
            for name in spec.flat_names(years):
                if name not in seen:
                    seen.add(name)
                    choices.append((name, localize_digits(field_label(kind, name))))
    return choices


class ChangeFieldForm(_OperationForm):
    action = "change"
    field = forms.ChoiceField(label=_("Field"))
    value = forms.CharField(
        label=_("New value"), required=False, max_length=500, help_text=_("Empty clears an optional field")
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["field"].choices = [("", "—"), *field_choices(plan)]

    def operation(self) -> dict:
        value = _clean(self.cleaned_data["value"])
        return {**super().operation(), "values": {self.cleaned_data["field"]: {"new": value if value != "" else None}}}


class RetireItemForm(_OperationForm):
    action = "retire"
    cascade = forms.BooleanField(label=_("Retire what hangs under it too"), required=False)

    def operation(self) -> dict:
        return {**super().operation(), "cascade": self.cleaned_data["cascade"]}


class MoveItemForm(_OperationForm):
    action = "move"
    parent = forms.CharField(label=_("New parent (an output's code)"), required=False, max_length=40)
    portfolio = forms.CharField(label=_("New portfolio (for a project)"), required=False, max_length=40)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("parent") or "").strip() and not (cleaned.get("portfolio") or "").strip():
            raise forms.ValidationError(_("Name the new parent, the new portfolio, or both."))
        return cleaned

    def operation(self) -> dict:
        moves = {name: {"new": _clean(self.cleaned_data[name])} for name in ("parent", "portfolio")}
        return {**super().operation(), "values": {k: v for k, v in moves.items() if v["new"]}}


class AddItemForm(_OperationForm):
    """A new item of one kind: a field for each of its attributes, and one for each operational
    year of its per-year figures."""

    action = "add"
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in ADDABLE_KINDS])

    def __init__(self, *args, plan, kind: str, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.kind = kind if kind in {k.value for k in ADDABLE_KINDS} else Kind.INDICATOR.value
        self.fields["kind"].initial = self.kind
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["code"].help_text = _("A code not used in the plan before, for example IND3.1.9")
        self.item_fields: dict[str, str] = {}  # form field -> the item's flat field name
        if self.kind in PARENT_KIND:
            self.fields["parent"] = forms.CharField(
                label=_("Parent (an output's code)") if PARENT_KIND[self.kind] == Kind.OUTPUT else _("Parent"),
                help_text=_("For example EO3.1"),
                max_length=40,
            )
        years = drafting_years(plan)
        for spec in FIELDS[self.kind]:
            for name in spec.flat_names(years):
                form_name = "item_" + name.replace(".", "_")
                self.fields[form_name] = self._input(spec, label=localize_digits(field_label(self.kind, name)))
                self.item_fields[form_name] = name
        self.order_fields(["code", "parent", *self.item_fields, "justification"])

    def _input(self, spec, *, label) -> forms.Field:
        required = spec.required
        if spec.type == FieldType.DIRECTION:
            choices = [("", "—"), *((key, text) for key, text in DIRECTIONS.items())]
            return forms.ChoiceField(label=label, required=required, choices=choices)
        if spec.type == FieldType.COMMITTEE:
            choices = [("", "—"), *((c.code, f"{c.code} · {c.name_fa}") for c in self.plan.committees.all())]
            return forms.ChoiceField(label=label, required=required, choices=choices)
        attrs = {"dir": "auto"}
        if spec.type in (FieldType.NUMBER, FieldType.AMOUNT, FieldType.YEAR):
            attrs = {"inputmode": "decimal", "dir": "ltr"}
        elif spec.type == FieldType.DATE:
            attrs = {"data-jdp": "", "autocomplete": "off", "placeholder": "۱۴۰۵/۰۱/۱۵"}
        # the longest an item's text may be (PlanItem.name_fa holds 500)
        return forms.CharField(label=label, required=required, max_length=500, widget=forms.TextInput(attrs=attrs))

    def operation(self) -> dict:
        values = {}
        if "parent" in self.fields:
            values["parent"] = _clean(self.cleaned_data["parent"])
        for form_name, name in self.item_fields.items():
            value = _clean(self.cleaned_data.get(form_name))
            if value not in (None, ""):
                values[name] = value
        return {**super().operation(), "kind": self.kind, "values": values}


OPERATION_FORMS = {"change": ChangeFieldForm, "add": AddItemForm, "retire": RetireItemForm, "move": MoveItemForm}


def operation_form(action: str, *, plan, data=None, kind: str = "") -> _OperationForm:
    """The form of one kind of operation (a change when the action is unknown)."""
    form_class = OPERATION_FORMS.get(action, ChangeFieldForm)
    if form_class is AddItemForm:
        return AddItemForm(data, plan=plan, kind=kind)
    return form_class(data, plan=plan)


class FiguresUploadForm(forms.Form):
    """The committee's figures workbook, edited, and why: every changed cell becomes a change."""

    file = forms.FileField(label=_("The edited workbook (XLSX)"))
    justification = forms.CharField(
        label=_("Justification"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 4000})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(_("the file is larger than %(mb)s MB") % {"mb": MAX_WORKBOOK_BYTES // 2**20})
        return upload

    def clean_justification(self):
        return tidy_text(self.cleaned_data["justification"])
