"""Real parts: a real Redis stopped and started, a real Celery worker killed with SIGKILL."""

import contextlib
import email
import os
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from approvals.models import Deadline, Reminder
from notifications.models import Notification, Outbox
from plan.services import amendment_operations_set
from workflows.flows import AmendmentFlow
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CHANGE = [{"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 88}}}]


def worker_env(redis, mail_dir):
    return {
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(mail_dir),
    }


def wait_for(condition, seconds=90, message="condition", explain=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message} {explain()}")


def delivered_ids(mail_dir):
    ids = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                ids.append(email.message_from_string(chunk.strip()).get("Message-ID"))
    return ids


def test_a_broker_outage_loses_and_doubles_no_notification(
    own_redis, use_broker, celery_worker_process, tmp_path, plan, waste, people
):
    from config.celery import app

    mail_dir = tmp_path / "mail"
    celery_worker_process(extra_env=worker_env(own_redis, mail_dir))
    use_broker(own_redis.url)
    member, chair, integration = people["waste-member"], people["waste-chair"], people["integration"]

    first = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title="پیش از قطع")
    amendment_operations_set(amendment=first, operations=CHANGE, acting_user=member)
    decide(task=open_task(first), acting_user=member, outcome="submit")  # the chair is told, Redis up
    wait_for(lambda: not Outbox.objects.filter(status="pending").exists(), message="delivery while Redis is up")

    own_redis.stop()
    decide(task=open_task(first), acting_user=chair, outcome="approve")  # integration is told, Redis down
    decide(task=open_task(first), acting_user=integration, outcome="return", reason="نیاز به مستند")
    assert Outbox.objects.filter(status="pending").count() >= 2  # nothing lost: the rows wait

    own_redis.start()
    app.send_task("notifications.tasks.sweep_outbox")  # what beat does every minute
    wait_for(lambda: not Outbox.objects.filter(status="pending").exists(), message="delivery after the outage")

    sent = list(Outbox.objects.all())
    assert all(m.status == "sent" and m.attempts == 1 for m in sent)
    expected = sorted(f"<{m.idempotency_key.replace(':', '.')}@baznegar>" for m in sent)
    assert sorted(delivered_ids(mail_dir)) == expected  # every message arrived, once
    assert Notification.objects.count() == len(sent)


def test_a_worker_killed_mid_sweep_loses_and_doubles_no_reminder(
    own_redis, use_broker, celery_worker_process, tmp_path, plan, waste, people
):
    from config.celery import app

    member, chair = people["waste-member"], people["waste-chair"]
    amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title="بسیار")
    process = open_task(amendment).process
    today = timezone.localdate()
    count = 200
    tasks = Task.objects.bulk_create(
        [
            Task(
                process=process,
                flow_task=AmendmentFlow.sign_off,
                flow_task_type="HUMAN",
                status=STATUS.ASSIGNED,
                owner=chair,
            )
            for _ in range(count)
        ]
    )
    Deadline.objects.bulk_create([Deadline(task=t, stage="sign_off", due_on=today) for t in tasks])

    mail_dir = tmp_path / "mail"
    # small batches, so that the kill lands between two committed ones
    worker = celery_worker_process(extra_env={**worker_env(own_redis, mail_dir), "REMINDER_BATCH_SIZE": "10"})
    use_broker(own_redis.url)
    app.send_task("approvals.tasks.send_reminders")
    wait_for(lambda: Reminder.objects.filter(kind="due").exists(), message="the sweep to start")
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool child, mid-sweep
    worker.wait(timeout=10)
    done_before = Reminder.objects.filter(kind="due").count()
    assert 0 < done_before < count, f"the kill did not land mid-sweep ({done_before} of {count})"

    celery_worker_process(extra_env=worker_env(own_redis, mail_dir))
    app.send_task("approvals.tasks.send_reminders")  # beat's next run
    wait_for(lambda: Reminder.objects.filter(kind="due").count() == count, message="the sweep to finish")
    app.send_task("notifications.tasks.sweep_outbox")
    wait_for(
        lambda: not Outbox.objects.filter(status="pending").exists(),
        message="every reminder's email",
        explain=lambda: f"{Outbox.objects.filter(status='pending').count()} pending",
    )

    assert Notification.objects.filter(event="task.due_today", recipient=chair).count() == count
    assert Outbox.objects.filter(recipient=chair, status="sent", attempts=1).count() == count
    expected = sorted(f"<{m.idempotency_key.replace(':', '.')}@baznegar>" for m in Outbox.objects.all())
    assert sorted(delivered_ids(mail_dir)) == expected  # each reminder arrived, once


def test_redis_lost_while_the_worker_delivers_then_everything_arrives_once(own_redis, use_broker, tmp_path, people):
    """Redis goes away while the worker is busy delivering (acknowledgements in flight): the
    worker runs under the supervisor loop every layout ships (Procfile.dev; compose restarts; docs
    for systemd), and within a minute of Redis returning every message has arrived, once."""
    from config.celery import app
    from tests.conftest import ROOT, subprocess_env, test_database_url

    mail_dir = tmp_path / "mail"
    use_broker(own_redis.url)
    recipient = people["waste-chair"]
    recipient.email = "chair@baznegar.invalid"
    recipient.save(update_fields=["email"])
    rows = Outbox.objects.bulk_create(
        [
            Outbox(
                idempotency_key=f"outage:{n}", recipient=recipient, to_address=recipient.email, subject="s", body="b"
            )
            for n in range(120)
        ]
    )
    log = tmp_path / "worker.log"
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=test_database_url(),
        **worker_env(own_redis, mail_dir),
    )
    supervisor = subprocess.Popen(
        [
            "sh",
            "-c",
            f"while :; do {sys.executable} -m celery -A config worker --loglevel=INFO --concurrency=1 -Q celery,email "
            "--without-gossip --without-mingle --prefetch-multiplier=1; echo 'worker exited'; sleep 1; done",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: "ready." in log.read_text(), 60, "the worker")
        for start in range(0, len(rows), 4):  # many small hand-offs: acknowledgements keep flying
            app.send_task("notifications.tasks.deliver_outbox_many", args=[[r.pk for r in rows[start : start + 4]]])
        wait_for(lambda: Outbox.objects.filter(status="sent").count() >= 12, 60, "delivery to begin")
        own_redis.stop()  # mid-delivery
        time.sleep(8)
        own_redis.start()
        back = time.monotonic()

        def all_sent():
            if not Outbox.objects.filter(status="pending").exists():
                return True
            with contextlib.suppress(Exception):  # what beat does every minute; sooner here
                app.send_task("notifications.tasks.sweep_outbox")
            time.sleep(2)
            return False

        wait_for(all_sent, 60, "every message, within a minute of Redis returning")
        assert time.monotonic() - back < 60
        delivered = delivered_ids(mail_dir)
        assert len(delivered) == len(set(delivered)) == len(rows), (len(delivered), len(set(delivered)))
        assert supervisor.poll() is None  # the supervisor, and under it a worker, still run
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=30)
