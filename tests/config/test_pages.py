import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from audit.models import AuditEvent
from people.models import User
from people.roles import Role
from people.services import role_groups_ensure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_persian_and_right_to_left(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # an English browser still gets Persian
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    assert "ورود به بازنگر" in html
    assert "/static/site/site" in html and '<script src="http' not in html  # our own stylesheet, no CDN
    assert "http://" not in html.split("<body>")[0] and "https://" not in html  # no asset from the network


def test_english_is_one_switch_away(client):
    response = client.post("/language/", {"language": "en", "next": "/login/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Sign in to Baznegar" in html


def test_switch_refuses_to_redirect_off_site(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_signed_in_user_sees_their_roles_and_their_language_is_saved(client):
    user = UserFactory(roles=[Role.COMMITTEE_CHAIR])
    assert client.post("/login/", {"username": user.username, "password": "pass-1234-word"}).status_code == 302
    html = client.get("/").content.decode()
    assert "رئیس کمیته" in html
    client.post("/language/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert "Committee chair" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="people.user.language_change", actor_id=user.pk).count() == 1


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_repeated_failed_logins_are_throttled(client):
    user = UserFactory()
    for _ in range(4):
        response = client.post("/login/", {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
        assert "نام کاربری و گذرواژه" in response.content.decode()  # the form says why, in Persian
    assert client.post("/login/", {"username": user.username, "password": "wrong"}).status_code == 429
    response = client.post("/login/", {"username": user.username, "password": "pass-1234-word"})
    assert response.status_code == 429
    assert "تلاش ناموفق" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_roles_are_created_idempotently():
    role_groups_ensure()
    role_groups_ensure()
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == len(Role)
    auditor = Group.objects.get(name=Role.AUDITOR)
    assert auditor.permissions.filter(codename="view_auditevent").exists()
    assert not auditor.permissions.filter(codename__startswith="change_").exists()


def test_load_demo_creates_a_user_for_every_role_and_committee_and_prints_the_password_once(capsys, client):
    from guardian.shortcuts import get_users_with_perms

    from plan.models import Committee

    call_command("load_demo")
    first = capsys.readouterr().out
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    for committee in Committee.objects.all():
        seated = get_users_with_perms(committee, only_with_perms_in=["draft_amendment"])
        chairs = get_users_with_perms(committee, only_with_perms_in=["sign_off_amendment"])
        assert seated.exists() and chairs.exists(), committee.code
    waste = Committee.objects.get(code="C02", plan__code="ahvaz-1407")
    parks = Committee.objects.get(code="C03", plan__code="ahvaz-1407")
    assert User.objects.get(username="member").has_perm("plan.draft_amendment", waste)
    assert not User.objects.get(username="member").has_perm("plan.draft_amendment", parks)
    # the second city's committees are its own people's
    shushtar_waste = Committee.objects.get(code="C02", plan__code="shushtar-1407")
    assert not User.objects.get(username="member").has_perm("plan.draft_amendment", shushtar_waste)
    assert User.objects.get(username="sh-member").has_perm("plan.draft_amendment", shushtar_waste)
    password = first.split("shown this once): ")[1].split()[0]
    assert client.post("/login/", {"username": "member", "password": password}).status_code == 302
    call_command("load_demo")
    second = capsys.readouterr().out
    assert password not in second and "Demo users exist" in second
    assert User.objects.filter(username="member").count() == 1
    demo_users = User.objects.exclude(username="AnonymousUser")  # guardian's own row
    # ten of the roles, a member and a chair of each committee but the model one, six of the second city
    assert AuditEvent.objects.filter(action="people.user.create").count() == demo_users.count() == 10 + 20 + 6


def test_the_icon_is_linked_and_answered_at_the_root(client):
    page = client.get("/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith(".svg")
