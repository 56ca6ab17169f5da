"""Signing in through the city's directory (LDAP / Active Directory), with django-auth-ldap.

On when DIRECTORY_LDAP_URI is set (docs/operations.md); local accounts keep signing in beside it.
At each directory sign-in the person's account is made or updated from the directory (names,
email), and their roles and seats follow their groups through the rules administrators edit
(`DirectoryRule`): what a group grants is granted, what the directory granted before and no group
grants now is taken back (a seat through `membership_revoke`, which releases their claims), and
the change is one audit event. Nothing else is touched: roles and seats given by hand stay, and
no account is ever deleted. A local account (one with a password, not from the directory) is
never taken over by a directory entry of the same name."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from people.models import DirectoryRule, Membership, Municipality, User

logger = logging.getLogger(__name__)


def register_audit_actions() -> None:
    chain.register_action("people.directory.sync", gettext_lazy("Roles and seats updated from the directory"))


def enabled() -> bool:
    return bool(getattr(settings, "DIRECTORY_LDAP_URI", ""))


def _rules_for(group_dns) -> list[DirectoryRule]:
    wanted = {dn.strip().lower() for dn in group_dns}
    rules = DirectoryRule.objects.select_related("committee", "municipality")
    return [rule for rule in rules if rule.group.lower() in wanted]


@transaction.atomic
def directory_sync(*, user: User, group_dns) -> dict:
    """Apply the rules to a person who just signed in through the directory; returns the change."""
    from people.services import (  # services import this module
        city_access_grant,
        city_access_revoke,
        claims_release_unheld,
        membership_grant,
        membership_revoke,
    )

    rules = _rules_for(group_dns)
    roles_now = sorted({rule.role for rule in rules if rule.role})
    seats_now = sorted({(rule.committee_id, rule.seat) for rule in rules if rule.committee_id})
    before = user.directory_grants or {}
    roles_before = set(before.get("roles", []))
    seats_before = {tuple(seat) for seat in before.get("seats", [])}
    cities_now = {rule.municipality_id: rule.municipality for rule in rules if rule.municipality_id}
    cities_before = set(before.get("cities", []))
    change = {
        "roles_granted": [],
        "roles_taken": [],
        "seats_granted": [],
        "seats_taken": [],
        "cities_granted": [],
        "cities_taken": [],
    }
    # the city first, so that a role granted below applies where the person works
    for city_id, city in sorted(cities_now.items()):
        if city_id not in cities_before or not user.city_access.filter(municipality_id=city_id).exists():
            city_access_grant(user=user, municipality=city)
            change["cities_granted"].append(city.code)
    for role in sorted(set(roles_now) - roles_before):
        group, _made = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        change["roles_granted"].append(role)
    for role in sorted(roles_before - set(roles_now)):
        user.groups.remove(*Group.objects.filter(name=role))
        change["roles_taken"].append(role)
    committees = {rule.committee_id: rule.committee for rule in rules if rule.committee_id}
    for committee_id, seat in seats_now:
        held = Membership.objects.filter(user=user, committee_id=committee_id, seat=seat).exists()
        if (committee_id, seat) not in seats_before or not held:
            membership_grant(committee=committees[committee_id], user=user, seat=seat)
            change["seats_granted"].append([committee_id, seat])
    for committee_id, seat in sorted(seats_before - set(seats_now)):
        membership = Membership.objects.filter(user=user, committee_id=committee_id, seat=seat).first()
        if membership is not None:
            membership_revoke(membership=membership, reason="directory")
        change["seats_taken"].append([committee_id, seat])
    # moved to another city: the directory's old city goes, and the claims taken there are released
    for city in Municipality.objects.filter(pk__in=cities_before - set(cities_now)).order_by("pk"):
        city_access_revoke(user=user, municipality=city)
        change["cities_taken"].append(city.code)
    user.directory_grants = {
        "roles": roles_now,
        "seats": [list(seat) for seat in seats_now],
        "cities": sorted(cities_now),
    }
    user.save(update_fields=["directory_grants"])
    if any(change.values()):
        audit_record(action="people.directory.sync", actor=user, obj=user, data=change)
    if change["roles_taken"]:  # what they had claimed with a role the directory took goes back
        claims_release_unheld(user=user)
    return change


def backend_class():
    """The backend, built only where django-auth-ldap (python-ldap) is installed."""
    import ldap
    from django_auth_ldap.backend import LDAPBackend
    from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType, LDAPSearch

    class DirectoryBackend(LDAPBackend):
        @property
        def default_settings(self):
            group_type = (
                ActiveDirectoryGroupType()
                if getattr(settings, "DIRECTORY_GROUP_TYPE", "groupOfNames") == "activeDirectory"
                else GroupOfNamesType()
            )
            return {
                "SERVER_URI": settings.DIRECTORY_LDAP_URI,
                "BIND_DN": settings.DIRECTORY_BIND_DN,
                "BIND_PASSWORD": settings.DIRECTORY_BIND_PASSWORD,
                "USER_SEARCH": LDAPSearch(
                    settings.DIRECTORY_USER_BASE, ldap.SCOPE_SUBTREE, settings.DIRECTORY_USER_FILTER
                ),
                "GROUP_SEARCH": LDAPSearch(settings.DIRECTORY_GROUP_BASE, ldap.SCOPE_SUBTREE),
                "GROUP_TYPE": group_type,
                "USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
                "ALWAYS_UPDATE_USER": True,
                "CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 3, ldap.OPT_TIMEOUT: 5},
            }

        def get_or_build_user(self, username, ldap_user):
            user, built = super().get_or_build_user(username, ldap_user)
            if not built and not user.from_directory:
                # a local account of the same name stays local: the directory does not take it over
                logger.warning("directory sign-in refused: %s is a local account", username)
                raise ldap_user.AuthenticationFailed("a local account has this username")
            if not built and user.is_service:
                raise ldap_user.AuthenticationFailed("a service account never signs in")
            user.from_directory = True
            return user, built

        def authenticate_ldap_user(self, ldap_user, password):
            user = super().authenticate_ldap_user(ldap_user, password)
            if user is not None:
                directory_sync(user=user, group_dns=ldap_user.group_dns)
            return user

    return DirectoryBackend


def directory_unreachable(sender, context=None, request=None, exception=None, **kwargs) -> None:
    """django-auth-ldap's ldap_error: a directory that cannot be reached is told to the person
    signing in (SignInForm), instead of "wrong password"."""
    import ldap

    if request is not None and isinstance(exception, (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR)):
        request.directory_unreachable = True
