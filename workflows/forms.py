"""The decision form of a step: the outcomes it offers, the reason, and the step's details."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import JalaliDateField, NumberField
from core.jalali import normalize_persian, tidy_text
from plan.models import HorizonRoll
from rules.steps import outcome_action
from workflows.services import REVISION_OUTCOMES, STEP_DETAILS, STEP_OUTCOMES


def _ordered(outcomes) -> list[str]:
    """The way forward first, then the exits."""
    forward = ("submit", "approve", "approve_partial", "confirm", "amend", "upheld", "issue")
    return sorted(outcomes, key=lambda o: (o not in forward, forward.index(o) if o in forward else 0, o))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    session_date = JalaliDateField(label=_("Session date"), required=False)
    resolution_number = forms.CharField(label=_("Resolution number"), required=False, max_length=100)
    present = NumberField(label=_("Members present"), required=False, min_value=0, max_value=999)
    votes_for = NumberField(label=_("For"), required=False, min_value=0, max_value=999)
    votes_against = NumberField(label=_("Against"), required=False, min_value=0, max_value=999)
    abstentions = NumberField(label=_("Abstaining"), required=False, min_value=0, max_value=999)
    notified_on = JalaliDateField(label=_("Notified to the governorate on"), required=False)
    legal_ground = forms.CharField(
        label=_("Legal ground of the objection"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    issuance_number = forms.CharField(label=_("Issuance number"), required=False, max_length=100)
    excluded = forms.MultipleChoiceField(
        label=_("Amendments not approved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    added = forms.MultipleChoiceField(
        label=_("Accepted amendments to add"), required=False, widget=forms.CheckboxSelectMultiple
    )
    chosen = forms.MultipleChoiceField(
        label=_("Amendments to take out (to remove or return)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, step: str, amendments=(), pool=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        outcomes = list(STEP_OUTCOMES.get(step, {})) or _ordered(REVISION_OUTCOMES.get(step, ()))
        self.fields["outcome"].choices = [(o, outcome_action(step, o)) for o in outcomes]
        self.fields["excluded"].choices = [(str(a.pk), a.title) for a in amendments]
        self.fields["chosen"].choices = [(str(a.pk), a.title) for a in amendments]
        self.fields["added"].choices = [(str(a.pk), a.title) for a in pool]
        # the step's details are the ones its service reads (workflows.services.STEP_DETAILS)
        keep = {"outcome", "reason", "fingerprint", *STEP_DETAILS.get(step, ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        for key in ("reason", "legal_ground"):  # what people wrote, kept as typed
            if data.get(key):
                data[key] = tidy_text(data[key])
        for key in ("resolution_number", "issuance_number"):  # identifiers, compared and looked up
            if data.get(key):
                data[key] = normalize_persian(data[key])
        return data

    def details(self) -> dict:
        """The step's details for the service, without the empty ones."""
        skip = {"outcome", "reason", "fingerprint"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip and v not in (None, "", [])}


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    year = NumberField(label=_("Plan year"), min_value=1400, max_value=1500)
    amendments = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Accepted amendments"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, amendments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amendments"].queryset = amendments
        self.fields["amendments"].label_from_instance = lambda a: (
            f"{a.title} · {a.committee.name_fa if a.committee else ''}"
        )


class ActualsForm(forms.Form):
    """A committee's figures for a year: one line per indicator (its achieved value) and per project
    (its physical progress and spend), with the source and evidence; lines left blank are not sent."""

    note = forms.CharField(
        label=_("Note to the chair"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.lines = []
        for item in items:
            code = item["code"]
            names = ("value",) if item["kind"] == "indicator" else ("progress", "spend")
            for name in names:
                label = {
                    "value": _("achieved value"),
                    "progress": _("physical progress (percent)"),
                    "spend": _("spend (rials)"),
                }[name]
                self.fields[f"{name}_{code}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=40,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
                )
            self.fields[f"source_{code}"] = forms.CharField(label=_("source"), required=False, max_length=300)
            self.fields[f"evidence_{code}"] = forms.CharField(label=_("evidence"), required=False, max_length=2000)
            if item["kind"] == "project":
                self.fields[f"over_budget_reason_{code}"] = forms.CharField(
                    label=_("why the spend is beyond the budget"), required=False, max_length=2000
                )
            self.lines.append(
                (
                    item,
                    [self[f"{name}_{code}"] for name in names],
                    self[f"source_{code}"],
                    self[f"evidence_{code}"],
                    self[f"over_budget_reason_{code}"] if item["kind"] == "project" else None,
                )
            )

    def entries(self) -> list[dict]:
        """The lines with a figure typed, as the service reads them."""
        data, found = self.cleaned_data, []
        for item in self.items:
            code = item["code"]
            line = {"code": code}
            for name in ("value", "progress", "spend", "source", "evidence", "over_budget_reason"):
                value = data.get(f"{name}_{code}")
                if value not in (None, ""):
                    line[name] = tidy_text(value)
            if any(name in line for name in ("value", "progress", "spend")):
                found.append(line)
        return found


class ActualsDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Confirm: these figures become the record")), ("return", _("Return with reasons"))],
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RollForwardForm(forms.Form):
    indicator_rule = forms.ChoiceField(label=_("Indicators' targets for the new year"), choices=())
    project_rule = forms.ChoiceField(label=_("Projects' budgets for the new year"), choices=())
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_rule"].choices = HorizonRoll.Rule.choices
        self.fields["project_rule"].choices = HorizonRoll.Rule.choices
        self.fields["project_rule"].initial = HorizonRoll.Rule.TREND
        self.fields["indicator_rule"].initial = HorizonRoll.Rule.CARRY


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class CallOpenForm(forms.Form):
    year = NumberField(label=_("Year of the revision"), min_value=1300, max_value=1700)
    deadline = JalaliDateField(label=_("Committees answer by"))
    note = forms.CharField(
        label=_("Note to the committees"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("The committee's answer"),
        widget=forms.RadioSelect,
        choices=[("proposed", _("We proposed the amendments listed above")), ("none", _("No amendment this year"))],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
