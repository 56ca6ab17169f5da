"""Production error pages: our own, Persian first, in the site's layout, with DEBUG off and hashed
static files (viewflow's 404 page named a file the manifest did not have: every 404 was a 500)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def errors_client(production_static, settings):
    settings.ROOT_URLCONF = "tests.config.error_urls"
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fa")


@pytest.mark.parametrize(
    ("url", "status", "persian"),
    [
        ("/no-such-page/", 404, "صفحه پیدا نشد"),
        ("/tasks/999999/", 404, "صفحه پیدا نشد"),
        ("/test-errors/403/", 403, "اجازه ندارید"),
        ("/test-errors/400/", 400, "درخواست نادرست"),
        ("/test-errors/500/", 500, "خطایی رخ داد"),
        ("/test-errors/503/", 503, "موقتاً در دسترس نیست"),
    ],
)
def test_each_error_page_is_ours_and_persian(errors_client, people, url, status, persian):
    errors_client.force_login(people["planning"])
    response = errors_client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert persian in html and 'dir="rtl"' in html
    assert f'data-status="{status}"' in html
    assert "/static/site/site." in html and ".css" in html  # the hashed stylesheet from the manifest


def test_a_404_for_someone_signed_out_is_still_a_404(errors_client):
    response = errors_client.get("/no-such-page/")
    assert response.status_code == 404 and "صفحه پیدا نشد" in response.content.decode()


def test_english_readers_get_english(errors_client):
    errors_client.cookies["django_language"] = "en"
    response = errors_client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_a_csrf_failure_explains_and_changes_nothing(production_static, people):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fa")
    client.force_login(people["waste-member"])
    response = client.post("/profile/", {"email_preference": "off"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "فرم منقضی شده" in html and 'data-status="403"' in html
    people["waste-member"].refresh_from_db()
    assert people["waste-member"].email_preference != "off"


def test_a_database_outage_says_try_again_shortly(errors_client):
    response = errors_client.get("/test-errors/503/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "127.0.0.1" not in response.content.decode()  # nothing about where the database is


def test_a_session_store_that_cannot_be_read_is_a_503_not_a_500(production_static, people, monkeypatch):
    """PostgreSQL stopped: loading the session fails, and Django's session middleware fails again
    on the way out; the reader still gets the 503 page, never the server error."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fa")
    client.force_login(people["waste-member"])

    def gone(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", gone)
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "موقتاً در دسترس نیست" in response.content.decode()


@pytest.mark.django_db
def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(client, settings, monkeypatch):
    """An anonymous upload of gigabytes to the public letter check was read whole into a temporary
    file before the form could see its size. Refused on its declared length: a 413 page, in Persian."""
    from workflows import public_views

    read = []
    monkeypatch.setattr(public_views, "letter_check", lambda *args, **kwargs: read.append(args))
    settings.REQUEST_MAX_BODY_BYTES = 2 * 1024 * 1024
    answer = client.post(
        "/public/verify/",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10 * 1024**3),
    )
    assert answer.status_code == 413 and "۲ مگابایت" in answer.content.decode() and read == []
    small = client.post("/public/verify/", {"number": "1404/1"})
    assert small.status_code == 200 and len(read) == 1  # within the limit, read as before


@pytest.mark.django_db
def test_a_nul_in_a_pages_address_is_a_400_page_not_a_500(client, demo):
    """Pages put their query strings into their filters as typed: a NUL there reached PostgreSQL,
    which cannot hold it, as a 500 (even on the public pages)."""
    from people.models import User

    anonymous = Client(raise_request_exception=False)
    assert anonymous.get("/public/?city=\x00").status_code == 400
    assert anonymous.get("/public/", {"q": "a\x00b"}).status_code == 400
    client.force_login(User.objects.get(username="planning"))
    for url in ("/plan/?plan=%00", "/plan/progress/?committee=%00", "/?committee=%00", "/?stage=%00"):
        answer = client.get(url)
        assert answer.status_code == 400 and "درخواست" in answer.content.decode(), url
    assert client.get("/plan/?plan=ahvaz-1407").status_code == 200
