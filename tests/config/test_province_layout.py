"""A province's layout (#20, docs/operations.md): email on a queue of its own, so timers and
reminders are never stuck behind a slow mail server; exactly one Celery beat (a second one
refuses to start, against a real Redis); the auditor's long reads sent to a read replica."""

import subprocess
import sys
import time

import pytest
from django.test import RequestFactory

from config.celery import app
from core.beat_lock import LOCK_KEY, BeatAlreadyRunning, beat_lock_release, beat_lock_take
from core.db_router import REPLICA, ReplicaRouter, reads_from_replica
from tests.conftest import ROOT, subprocess_env


def _queue_of(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


def test_email_has_its_own_queue_and_the_workflows_work_the_other():
    for task in (
        "notifications.tasks.deliver_outbox",
        "notifications.tasks.deliver_outbox_many",
        "notifications.tasks.send_digests",
    ):
        assert _queue_of(task) == "email", task
    for task in (
        "workflows.tasks.fire_workflow_timers",
        "approvals.tasks.send_reminders",
        "audit.tasks.sequence_audit_log",
    ):
        assert _queue_of(task) == "celery", task
    assert "--queues" in (ROOT / "docker" / "start-worker.sh").read_text()


def test_a_second_beat_finds_the_lock_and_the_first_keeps_it(own_redis):
    import redis

    stop = beat_lock_take(own_redis.url, owner="node-a:1")
    try:
        with pytest.raises(BeatAlreadyRunning, match="node-a:1"):
            beat_lock_take(own_redis.url, owner="node-b:2")
        assert 0 < redis.Redis.from_url(own_redis.url).ttl(LOCK_KEY) <= 60
        beat_lock_release(own_redis.url, "node-b:2")  # not its lock: nothing happens
        assert redis.Redis.from_url(own_redis.url).get(LOCK_KEY) == b"node-a:1"
    finally:
        stop.set()
        beat_lock_release(own_redis.url, "node-a:1")
    again = beat_lock_take(own_redis.url, owner="node-b:2")  # free again
    again.set()  # its renewal thread stops (in a beat, losing the lock ends the process)
    beat_lock_release(own_redis.url, "node-b:2")
    assert beat_lock_take("filesystem://", owner="x") is None  # one machine: nothing to share


@pytest.mark.slow
def test_a_real_second_beat_process_stops_with_one_line(own_redis, tmp_path):
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="config.settings.test", REDIS_URL=own_redis.url, CELERY_BROKER_URL=own_redis.url
    )

    def beat(n):
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", f"--schedule={tmp_path}/s{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    first = beat(1)
    try:
        import redis

        deadline = time.monotonic() + 30
        while not redis.Redis.from_url(own_redis.url).get(LOCK_KEY) and time.monotonic() < deadline:
            time.sleep(0.2)
        second = beat(2)
        output, _ = second.communicate(timeout=60)
        assert second.returncode != 0 and "another Celery beat is running" in output, output[-2000:]
        assert first.poll() is None  # the first goes on
    finally:
        first.terminate()
        first.wait(timeout=20)


def test_the_auditors_reads_go_to_the_replica_where_there_is_one(settings):
    router = ReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, REPLICA: dict(settings.DATABASES["default"])}
    seen = []

    @reads_from_replica
    def view(request):
        seen.append(router.db_for_read(None))
        return "ok"

    assert router.db_for_read(None) is None  # outside such a view: the primary
    view(RequestFactory().get("/audit/"))
    assert seen == [REPLICA] and router.db_for_read(None) is None
    assert router.db_for_write(None) == "default" and not router.allow_migrate(REPLICA, "audit")
    del settings.DATABASES[REPLICA]
    view(RequestFactory().get("/audit/"))
    assert seen[-1] is None  # no replica configured: the primary

    from approvals import views

    for name in ("audit_events_view", "audit_export_csv", "audit_export_xlsx", "audit_amendment_timeline"):
        assert getattr(getattr(views, name), "reads_from_replica", False), name
    assert not getattr(views.audit_verification_view, "reads_from_replica", False)  # it writes


@pytest.mark.django_db
def test_the_streamed_audit_csv_is_read_from_the_replica_while_it_is_sent(client, monkeypatch):
    """The CSV's rows are read after the view returned, as the response is sent: each is read as
    the view's own reads are, from the replica where there is one (it went to the primary)."""
    from approvals import exports
    from core import db_router
    from people.roles import Role
    from tests.factories import UserFactory

    seen = []

    def lines(query):
        for n in range(3):
            seen.append(db_router._on_replica.get())
            yield f"{n}\n"

    monkeypatch.setattr(exports, "audit_csv_lines", lines)
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    answer = client.get("/audit/export.csv")
    assert answer.status_code == 200 and seen == []  # nothing read yet: the view has returned
    assert b"".join(answer.streaming_content) == b"0\n1\n2\n"
    assert seen == [True, True, True] and db_router._on_replica.get() is False
