"""OpenID Connect sign-in (#20) through the browser against a real provider: django-oidc-provider
from PyPI, in its own process on loopback, with its own database and signing key. The person
clicks the province's sign-in on our page, signs in on the provider's, and comes back to the
dashboard of their role: the account made from the claims, the `groups` claim through the same
rules as the directory's groups."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from people.models import DirectoryRule, Membership, User
from people.roles import Role
from tests.browser.test_walkthrough import browser  # noqa: F401 - the Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def provider(tmp_path, live_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PROVIDER_DB": str(tmp_path / "provider.sqlite3"),
        "PROVIDER_URL": url,
        "DJANGO_SETTINGS_MODULE": "tests.people.oidc_provider.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    prepared = subprocess.run(
        [sys.executable, "-m", "tests.people.oidc_provider.prepare", f"{live_server.url}/oidc/callback/"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.terminate()
        raise RuntimeError("the OpenID Connect provider did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_a_person_signs_in_through_the_provider_to_their_roles_dashboard(browser, live_server, provider, settings):  # noqa: F811
    from plan.demo import ahvaz_1407
    from plan.services import plan_import

    plan = plan_import(document=ahvaz_1407())
    settings.OIDC_RP_CLIENT_ID = "baznegar"
    settings.OIDC_RP_CLIENT_SECRET = "baznegar-client-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/openid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/openid/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/openid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/openid/jwks"
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "people.identity.IdentityBackend",
        "people.backends.PeopleBackend",
        "guardian.backends.ObjectPermissionBackend",
    ]
    DirectoryRule.objects.create(group="planning", role=Role.PLANNING_OFFICE)
    DirectoryRule.objects.create(
        group="waste-committee", committee=plan.committees.get(code="C02"), seat=Membership.Seat.MEMBER
    )

    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/login/")
    page.click("a[data-identity]")
    page.wait_for_url(f"{provider}/accounts/login/**")
    page.fill("#id_username", "leila")
    page.fill("#id_password", "leila-pass-1234")
    page.click("#provider-sign-in")
    page.wait_for_url(f"{live_server.url}/", timeout=20000)
    assert "لیلا" in page.content()  # her name in the header: signed in, on the dashboard

    leila = User.objects.get(username="leila")
    assert leila.from_directory and not leila.has_usable_password() and leila.email == "leila@khuzestan.example"
    assert leila.groups.filter(name=Role.PLANNING_OFFICE).exists()
    assert Membership.objects.filter(user=leila, committee__code="C02", seat=Membership.Seat.MEMBER).exists()
    page.context.close()


def test_the_identity_addresses_are_not_there_while_it_is_off(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/").status_code == 404
    assert "data-identity" not in client.get("/login/").content.decode()
