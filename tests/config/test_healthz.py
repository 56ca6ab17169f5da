import time

import pytest
from django.test import override_settings

from config import health

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


@pytest.mark.redis
def test_real_redis_broker_is_checked(client, redis_url):
    with override_settings(CELERY_BROKER_URL=redis_url):
        assert client.get("/healthz").json()["broker"] == "ok"


def test_broker_down_is_named_and_answers_503(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        started = time.monotonic()
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down:")
    assert body["status"] == "down: broker"
    assert time.monotonic() - started < 10


def test_database_down_is_named(client, monkeypatch, django_user_model, db):
    def refuse():
        raise ConnectionRefusedError("could not connect to server at db.internal:5432 as baznegar_app")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    # anonymous probes learn what is down, not where or as whom
    assert response.json()["database"] == "down: ConnectionRefusedError"
    assert response.json()["status"] == "down: database"
    assert "db.internal" not in response.content.decode()
    # staff read the detail, but only when the database answered (reading who asks needs it)
    client.force_login(django_user_model.objects.create(username="ops", is_staff=True))
    assert client.get("/healthz").json()["database"] == "down: ConnectionRefusedError"
    monkeypatch.setitem(health.CHECKS, "database", lambda: None)
    monkeypatch.setitem(health.CHECKS, "broker", refuse)
    detailed = client.get("/healthz").json()["broker"]
    assert detailed == "down: ConnectionRefusedError: could not connect to server at db.internal:5432 as baznegar_app"


def test_a_hanging_dependency_answers_503_instead_of_hanging(client, monkeypatch, settings):
    settings.HEALTHZ_TIMEOUT = 0.2
    monkeypatch.setitem(health.CHECKS, "broker", lambda: time.sleep(3))
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "no answer" in response.json()["broker"]
    assert time.monotonic() - started < 2


def test_a_hung_part_is_named_and_never_blamed_on_the_other(client, monkeypatch, settings):
    """The broker hangs for good: every probe names the broker, answers within the bound, and the
    database stays ok, however many probes pile up (they no longer share a pool of threads)."""
    import threading as _threading

    settings.HEALTHZ_TIMEOUT = 0.1
    stuck = _threading.Event()
    monkeypatch.setitem(health.CHECKS, "broker", lambda: stuck.wait(30))
    monkeypatch.setitem(health.CHECKS, "database", lambda: None)
    try:
        for _ in range(8):
            started = time.monotonic()
            answer = client.get("/healthz").json()
            assert time.monotonic() - started < 1.5
            assert (
                answer["database"] == "ok"
                and answer["broker"].startswith("down")
                and answer["status"] == "down: broker"
            )
    finally:
        stuck.set()
