"""Forms of the approvals app: the auditor's filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.selectors import AuditQuery
from audit import chain
from core.forms import JalaliDateField, NumberField
from people.models import AccessToken, User
from people.selectors import NOT_A_SUBSTITUTE, delegation_problem
from plan.models import Plan
from plan.selectors import CommitteeNotFound, committee_named, committees_for_filters, plans_visible_to


def _person(people, username: str) -> User:
    """The person a typed username names, or the form's message saying there is none."""
    user = people.filter(username=username).first()
    if user is None:
        raise ValidationError(_("There is no person with the username “%(name)s”."), params={"name": username})
    return user


class AuditFilterForm(forms.Form):
    """What an auditor may narrow the trail by; every field optional, every mistake named."""

    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), required=False)
    revision = NumberField(label=_("Revision number"), required=False, min_value=1)
    amendment = NumberField(label=_("Amendment number"), required=False, min_value=1)
    # a committee's code, or <plan code>:<code> where plans share it (plan.selectors.committee_named)
    committee = forms.CharField(label=_("Committee"), required=False, max_length=120, widget=forms.Select)
    person = forms.CharField(label=_("Person (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = JalaliDateField(label=_("From (Jalali)"), required=False)
    date_to = JalaliDateField(label=_("Until (Jalali)"), required=False)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # the plans and committees offered are those of the cities they audit
        if user is not None:
            self.fields["plan"].queryset = plans_visible_to(user)
        labels = sorted((str(label), name) for name, label in chain.registered_actions().items())
        self.fields["action"].choices = [("", _("Every action"))] + [(name, label) for label, name in labels]
        self.fields["plan"].empty_label = _("Every plan")
        self.fields["committee"].widget.choices = [("", _("Every committee"))] + [
            (c.filter_key, c.filter_label) for c in committees_for_filters(user)
        ]

    def clean_committee(self):
        value = self.cleaned_data["committee"]
        if not value:
            return None
        try:
            return committee_named(value, plan=self.cleaned_data.get("plan"), user=self.user)
        except CommitteeNotFound as missing:
            raise forms.ValidationError(str(missing)) from None

    def clean_person(self):
        username = self.cleaned_data["person"].strip()
        return _person(User.objects.all(), username) if username else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        return cleaned

    def query(self) -> AuditQuery:
        data = self.cleaned_data
        return AuditQuery(
            plan=data["plan"].pk if data.get("plan") else None,
            revision=data.get("revision"),
            amendment=data.get("amendment"),
            committee=data["committee"].pk if data.get("committee") else None,
            person=data.get("person"),
            action=data.get("action") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "email_preference"]
        labels = {"language": _("Language of the interface and of emails"), "email_preference": _("Email")}
        widgets = {"email_preference": forms.RadioSelect}


class DelegationForm(forms.Form):
    """Name a substitute for a date range; the service checks the rules and says what is wrong."""

    substitute = forms.CharField(label=_("Substitute (username)"), max_length=150)
    starts_on = JalaliDateField(label=_("From (Jalali)"))
    ends_on = JalaliDateField(label=_("Until (Jalali)"))

    def __init__(self, *args, delegator: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.delegator = delegator

    def clean_substitute(self):
        # one answer whether the username exists or may not stand in: the form confirms no account
        user = User.objects.filter(is_active=True, username=self.cleaned_data["substitute"].strip()).first()
        if user is None or (user.pk != self.delegator.pk and delegation_problem(self.delegator, user)):
            raise ValidationError(NOT_A_SUBSTITUTE)
        return user

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end of the range is before its start."))
        if cleaned.get("substitute") is not None and cleaned["substitute"].pk == self.delegator.pk:
            self.add_error("substitute", _("you cannot delegate to yourself"))
        return cleaned


class TokenForm(forms.Form):
    """A personal access token for the API: what it is for, what it may do, for how long."""

    name = forms.CharField(label=_("What will use it"), max_length=100)
    scope = forms.ChoiceField(label=_("It may"), choices=AccessToken.Scope.choices)
    days = NumberField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
