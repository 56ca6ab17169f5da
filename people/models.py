"""People: the user model, their seats on committees, and the substitutes they name."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.roles import Role


class User(AbstractUser):
    """A person who uses Baznegar; roles come from groups, committee rights from object permissions."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class EmailPreference(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("A daily digest")
        OFF = "off", _("No email")

    email_preference = models.CharField(
        _("email"), max_length=10, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATE
    )

    is_service = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_(
            "A system (the finance system, the city's maps, a back-up script), not a person: it holds roles as"
            " people do, acts only through access tokens an administrator makes, and never signs in."
        ),
    )

    # signed in through the city's directory (people/directory.py): its roles and seats follow the
    # directory's groups; what the directory granted is kept to take it back when a group goes
    from_directory = models.BooleanField(_("from the directory"), default=False, editable=False)
    # a confirmed authenticator (people.second_factor): read with the person, so a request asks no
    # more than that whether a code is due
    second_factor_on = models.BooleanField(_("two-step sign-in on"), default=False, editable=False)
    directory_grants = models.JSONField(_("granted by the directory"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A person's seat on a specialised committee; the rights it gives are object permissions on the committee."""

    class Seat(models.TextChoices):
        MEMBER = "member", _("Member")
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    committee = models.ForeignKey(
        "plan.Committee", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("committee")
    )
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices, default=Seat.MEMBER)
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        constraints = [models.UniqueConstraint(fields=["user", "committee"], name="one_seat_per_committee")]

    def __str__(self):
        return f"{self.user} · {self.committee} · {self.get_seat_display()}"

    def audit_scope(self) -> dict:
        return {"committee": self.committee_id}


class Delegation(models.Model):
    """An approver names a substitute for a date range; the substitute acts for them, and the record names both."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegator"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("substitute"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="delegation_dates"),
            models.CheckConstraint(
                condition=~models.Q(delegator=models.F("substitute")), name="delegation_not_to_oneself"
            ),
        ]
        indexes = [models.Index(fields=["substitute", "starts_on", "ends_on"], name="delegation_active_idx")]

    def __str__(self):
        return f"{self.delegator} → {self.substitute} ({self.starts_on} – {self.ends_on})"


class AccessToken(models.Model):
    """A personal access token for scripts and other systems (the API): shown once when made, kept
    only as the SHA-256 of its secret, with a scope, an expiry, and a revocation. A service account
    is a user whose roles are the system's, with tokens of its own."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What it is for, e.g. the finance system."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, help_text=_("Shown; identifies the token."))
    digest = models.CharField(_("SHA-256 of the secret"), max_length=64)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def audit_scope(self) -> dict:
        return {}


class DirectoryRule(models.Model):
    """A group of the city's directory (its DN) and what its members hold here: a role, or a seat on
    a committee. Administrators edit these; people.directory applies them at each sign-in."""

    group = models.CharField(
        _("directory group"),
        max_length=500,
        help_text=_("the group's distinguished name, e.g. cn=planning,ou=groups,…"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices, blank=True)
    committee = models.ForeignKey(
        "plan.Committee", verbose_name=_("committee"), on_delete=models.CASCADE, null=True, blank=True
    )
    seat = models.CharField(_("seat"), max_length=20, choices=Membership.Seat.choices, blank=True)
    # the city the group's members work in (with several cities); alone, or with the role it gives
    municipality = models.ForeignKey(
        "people.Municipality", verbose_name=_("municipality"), on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        verbose_name = _("directory rule")
        verbose_name_plural = _("directory rules")
        ordering = ["group", "pk"]

    def __str__(self):
        if self.role:
            held = str(self.get_role_display())
        elif self.committee_id:
            held = f"{self.committee} · {self.get_seat_display()}"
        else:
            held = ""
        where = f" ({self.municipality})" if self.municipality_id else ""
        return f"{self.group} → {held}{where}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role and (self.committee_id or self.seat):
            raise ValidationError(_("a rule gives either a role, or a seat on a committee"))
        if not (self.role or self.committee_id or self.seat or self.municipality_id):
            raise ValidationError(_("a rule gives a role, a seat on a committee, or a city to work in"))
        if self.committee_id and not self.seat or self.seat and not self.committee_id:
            raise ValidationError(_("a seat needs its committee, and a committee its seat"))
        if self.role in (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR):
            raise ValidationError(_("committee roles come with a seat: name the committee and the seat"))
        self.group = self.group.strip()


class Municipality(models.Model):
    """A city whose plan this installation keeps (a province's, or the ministry's, installation keeps
    many). Every plan belongs to one; a person works in the cities they are given, or where they
    hold a committee seat, and sees nothing of any other."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fa"]

    def __str__(self):
        return self.name_fa


class CityAccess(models.Model):
    """A person works in a city: their roles apply there, and they see its plan and its work. With
    one city in the installation everyone works in it; from the second on, only as given here (or
    by a seat on one of the city's committees)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_access", verbose_name=_("user")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="people", verbose_name=_("municipality")
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("city access")
        verbose_name_plural = _("city access")
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="one_access_per_city")]

    def __str__(self):
        return f"{self.user} · {self.municipality}"
