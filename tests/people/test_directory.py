"""Directory sign-in (#20) against a real OpenLDAP server (slapd on loopback): accounts made and
updated at sign-in, roles and seats following the directory's groups through the rules
administrators edit, taken back when a group goes; a group that maps to nothing leaves the person
with no role; a local account is never taken over; the directory down leaves local sign-in working
and tells directory people so. No mocked directory."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from audit.models import AuditEvent
from people.models import DirectoryRule, Membership, User
from people.roles import Role
from tests.conftest import _missing

from .directory_server import ADMIN_DN, ADMIN_PASSWORD, GROUPS, PEOPLE, DirectoryServer, ldif

pytestmark = pytest.mark.django_db
LDAP_BACKENDS = [
    "people.throttling.SprayingThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "people.directory_backend.DirectoryBackend",
    "people.backends.PeopleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PEOPLE_IN_DIRECTORY = [
    ("maryam", "مریم", "کریمی", "maryam-pass-1234"),
    ("reza", "رضا", "احمدی", "reza-pass-1234"),
    ("newcomer", "سارا", "نوری", "newcomer-pass-1234"),
    ("admin-local", "نام", "تکراری", "directory-pass-1234"),
]
GROUPS_IN_DIRECTORY = {"planning": ["maryam"], "waste-committee": ["reza", "maryam"], "cleaners": ["newcomer"]}


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    try:
        import django_auth_ldap  # noqa: F401
    except ImportError:
        _missing("needs django-auth-ldap (requirements/ldap.txt, built against libldap2-dev)")
    if not DirectoryServer.available():
        _missing("needs slapd (Debian's slapd package)")
    server = DirectoryServer(tmp_path_factory.mktemp("slapd"), ldif(PEOPLE_IN_DIRECTORY, GROUPS_IN_DIRECTORY))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ldap_on(settings, directory, plan):
    settings.AUTHENTICATION_BACKENDS = LDAP_BACKENDS
    settings.DIRECTORY_LDAP_URI = directory.uri
    settings.DIRECTORY_BIND_DN = ADMIN_DN
    settings.DIRECTORY_BIND_PASSWORD = ADMIN_PASSWORD
    settings.DIRECTORY_USER_BASE = PEOPLE
    settings.DIRECTORY_GROUP_BASE = GROUPS
    DirectoryRule.objects.create(group=f"cn=planning,{GROUPS}", role=Role.PLANNING_OFFICE)
    DirectoryRule.objects.create(
        group=f"CN=Waste-Committee,{GROUPS}", committee=plan.committees.get(code="C02"), seat=Membership.Seat.MEMBER
    )
    return directory


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def set_members(server, group: str, members: list[str]):
    """Change a group in the directory itself, as the city's IT would."""
    import ldap

    connection = ldap.initialize(server.uri)
    connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
    values = [f"uid={m},{PEOPLE}".encode() for m in members] or [ADMIN_DN.encode()]
    connection.modify_s(f"cn={group},{GROUPS}", [(ldap.MOD_REPLACE, "member", values)])
    connection.unbind_s()


def test_directory_people_sign_in_with_their_groups_roles_and_seats(ldap_on, client, plan):
    answer = sign_in(client, "maryam", "maryam-pass-1234")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    maryam = User.objects.get(username="maryam")
    assert maryam.from_directory and (maryam.first_name, maryam.last_name) == ("مریم", "کریمی")
    assert maryam.email == "maryam@ahvaz.example" and not maryam.has_usable_password()
    assert maryam.groups.filter(name=Role.PLANNING_OFFICE).exists()
    seat = Membership.objects.get(user=maryam, committee__code="C02")
    assert seat.seat == Membership.Seat.MEMBER
    assert maryam.has_perm("plan.draft_amendment", seat.committee)
    event = AuditEvent.objects.get(action="people.directory.sync", object_id=str(maryam.pk))
    assert event.data["roles_granted"] == [Role.PLANNING_OFFICE]
    assert client.get("/").status_code == 200

    # the directory takes her off the committee and out of the planning group: both go at her next
    # sign-in, audited; a role an administrator gave by hand stays
    maryam.groups.add(Group.objects.get(name=Role.AUDITOR))
    set_members(ldap_on, "waste-committee", ["reza"])
    set_members(ldap_on, "planning", [])
    client.logout()
    assert sign_in(client, "maryam", "maryam-pass-1234").status_code == 302
    maryam = User.objects.get(pk=maryam.pk)
    assert not Membership.objects.filter(user=maryam).exists()
    assert set(maryam.groups.values_list("name", flat=True)) == {Role.AUDITOR}
    taken = AuditEvent.objects.filter(action="people.directory.sync", object_id=str(maryam.pk)).latest("id")
    assert taken.data["roles_taken"] == [Role.PLANNING_OFFICE] and taken.data["seats_taken"]
    assert AuditEvent.objects.filter(action="people.role.revoke", data__user="maryam").exists()
    set_members(ldap_on, "planning", ["maryam"])
    set_members(ldap_on, "waste-committee", ["reza", "maryam"])


def test_a_group_that_maps_to_nothing_a_wrong_password_and_a_local_namesake(ldap_on, client, plan):
    translation.activate("en")
    assert sign_in(client, "newcomer", "newcomer-pass-1234").status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.groups.exists() and not Membership.objects.filter(user=newcomer).exists()
    with translation.override(newcomer.language):
        no_role = translation.gettext("You have no role yet. An administrator assigns roles.")
    assert no_role in client.get("/").content.decode()
    client.logout()

    wrong = sign_in(client, "reza", "not-his-password")
    assert wrong.status_code == 200 and not User.objects.filter(username="reza").exists()

    local = User.objects.create_user("admin-local", password="the-local-password-99", first_name="محلی")
    taken_over = sign_in(client, "admin-local", "directory-pass-1234")
    assert taken_over.status_code == 200  # the directory's password does not open a local account
    local.refresh_from_db()
    assert not local.from_directory and local.first_name == "محلی" and local.check_password("the-local-password-99")
    assert sign_in(client, "admin-local", "the-local-password-99").status_code == 302


def test_the_directory_down_local_accounts_still_sign_in_and_directory_people_are_told(ldap_on, client, plan, settings):
    translation.activate("en")
    assert sign_in(client, "reza", "reza-pass-1234").status_code == 302
    client.logout()
    reza = User.objects.get(username="reza")
    seats = list(Membership.objects.filter(user=reza).values_list("committee_id", "seat"))
    local = User.objects.create_user("local-admin", password="the-local-password-99")
    settings.DIRECTORY_LDAP_URI = "ldap://127.0.0.1:1"  # nothing listens there
    refused = sign_in(client, "reza", "reza-pass-1234")
    assert refused.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):  # the sign-in page speaks the default language
        told = translation.gettext(
            "The city's directory cannot be reached now, so only local accounts can sign in. "
            "Try again in a few minutes."
        )
    assert told.replace("'", "&#x27;") in refused.content.decode()
    assert list(Membership.objects.filter(user=reza).values_list("committee_id", "seat")) == seats  # unchanged
    assert sign_in(client, "local-admin", "the-local-password-99").status_code == 302
    assert User.objects.get(pk=local.pk).last_login is not None
