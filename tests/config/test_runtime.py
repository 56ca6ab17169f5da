"""The processes the product runs: a real Celery worker, and `make run`'s web + worker + beat."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from audit.models import AuditVerification
from tests.conftest import ROOT, subprocess_env


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_daily_audit_check(celery_worker_process, redis_url, settings):
    from config.celery import app

    celery_worker_process()
    app.conf.broker_url = redis_url
    try:
        app.send_task("audit.tasks.verify_audit_chain")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not AuditVerification.objects.exists():
            time.sleep(0.2)
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert AuditVerification.objects.filter(ok=True).count() == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_make_run_serves_persian_login_with_worker_and_beat(tmp_path):
    """The README's first command on embedded defaults (SQLite, filesystem broker)."""
    port = _free_port()
    env = subprocess_env(BAZNEGAR_VAR_DIR=str(tmp_path / "var"), BAZNEGAR_PORT=str(port))
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    log = tmp_path / "run.log"
    proc = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            text = log.read_text()
            if "ready." in text and "beat: Starting" in text:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)
                    break
                except OSError:
                    pass
            assert proc.poll() is None, text[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail(f"make run did not come up:\n{log.read_text()[-3000:]}")
        text = log.read_text()
        assert f"http://127.0.0.1:{port}/" in text
        password = re.search(r"shown this once\): (\S+)", text).group(1)

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(f"{base}/login/").read().decode()
        assert 'dir="rtl"' in page and "ورود به بازنگر" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"username": "member", "password": password, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(f"{base}/login/", data=body.encode(), headers={"Referer": f"{base}/login/"})
        home = opener.open(request).read().decode()
        assert "عضو کمیته" in home  # signed in, the dashboard names the role
        css = urllib.request.urlopen(f"{base}/static/site/site.css").read().decode()
        assert "Vazirmatn" in css
        # a worker that dies (as one can when Redis drops an acknowledgement) is started again
        ready = log.read_text().count("ready.")
        pattern = "bin/celery -A config worker --loglevel=INFO --concurrency=2"  # celery, not the shell loop
        worker = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
        assert worker, "the worker is running"
        for pid in worker:
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while log.read_text().count("ready.") <= ready and time.monotonic() < deadline:
            time.sleep(0.5)
        assert log.read_text().count("ready.") > ready, log.read_text()[-2000:]
        assert "worker exited" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("Ctrl-C did not stop make run within 30 seconds")
    pids = {int(pid) for pid in re.findall(r"\(pid (\d+)\)", log.read_text())}
    assert len(pids) == 3, "web, worker and beat each had a process"
    survivors = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            survivors.append(pid)
        except ProcessLookupError:
            pass
    assert survivors == [], "processes survived Ctrl-C"
