"""Shared fixtures. PostgreSQL- and Redis-only tests skip on a bare machine and fail in CI."""

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from core.snapshots import snapshots_clear
from people.models import Membership
from people.roles import Role
from people.services import membership_grant, role_groups_ensure
from plan.demo import ahvaz_1407
from plan.models import Committee
from plan.selectors import derived_cache, version_cache
from plan.services import amendment_operations_set, plan_import
from rules.services import legal_defaults_ensure, service_levels_ensure
from tests.factories import UserFactory
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("BAZNEGAR_REQUIRE_SERVICES") == "1"


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (BAZNEGAR_REQUIRE_SERVICES=1: CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test runner empties tables between tests with TRUNCATE, which the audit log's triggers
    refuse unless the login is a member of baznegar_audit_truncate: a role only the suite creates."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(  # two xdist workers may race to create it: the loser finds it made
                "DO $$ BEGIN CREATE ROLE baznegar_audit_truncate NOLOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
            cursor.execute("GRANT baznegar_audit_truncate TO CURRENT_USER")


@pytest.fixture(scope="module")
def _demo_for_the_module(django_db_setup, django_db_blocker):
    """The demo (load_demo: the plan, a year of history, a person for every role), loaded once for
    the tests of a module that ask for it and removed after them. Each test still runs in its own
    transaction, rolled back, so each one sees the demo exactly as it was loaded."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)  # and post_migrate restores the defaults
        version_cache.clear()
        derived_cache.clear()
        snapshots_clear()


@pytest.fixture
def demo(_demo_for_the_module, db):
    """The demo, for a test that reads it and decides on it (its changes are rolled back)."""


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _missing("needs Redis: set REDIS_URL")


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions read English messages; pages are Persian per request (the middleware), and
    Persian messages are checked where it matters."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_version_cache():
    """Issued versions and the rules' snapshots are kept per process; each test starts without them
    (a test's rows are rolled back, so what it left in a snapshot never existed for the next)."""
    version_cache.clear()
    derived_cache.clear()
    snapshots_clear()
    yield
    version_cache.clear()
    derived_cache.clear()
    snapshots_clear()


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        _missing("needs Redis: set REDIS_URL")
    return url


def subprocess_env(**extra) -> dict:
    """The environment for a child process of the project (manage.py, celery) in a test."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env.update(extra)
    return env


def test_database_url() -> str:
    """A URL for the test database, so a worker process started by a test sees the test's rows."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        _missing("a worker process shares the test database only on PostgreSQL")
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def celery_worker_process(tmp_path):
    """Start a real Celery worker on the configured broker and the test database; stop it after."""
    processes = []

    def start(*, queues: str = "celery,email", concurrency: int = 1, extra_env: dict | None = None):
        log = tmp_path / f"worker-{len(processes)}.log"
        env = subprocess_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=test_database_url(),
            **(extra_env or {}),
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "-Q",
                queues,
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test{len(processes)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in log.read_text():
                return proc
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in 60 s: {log.read_text()[-2000:]}")

    yield start
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _missing("needs Debian's chromium")
    return path


@pytest.fixture
def plan(db):
    return plan_import(document=ahvaz_1407())


@pytest.fixture
def waste(plan):
    return Committee.objects.get(plan=plan, code="C02")


@pytest.fixture
def parks(plan):
    return Committee.objects.get(plan=plan, code="C03")


@pytest.fixture
def drafter(db):
    return UserFactory(username="drafter")


@pytest.fixture
def people(plan, waste, parks):
    role_groups_ensure()
    legal_defaults_ensure()  # transactional tests empty the tables the migrations filled
    service_levels_ensure()
    users = {
        "waste-member": UserFactory(username="waste-member"),
        "waste-chair": UserFactory(username="waste-chair"),
        "parks-member": UserFactory(username="parks-member"),
        "parks-chair": UserFactory(username="parks-chair"),
        "integration": UserFactory(username="integration", roles=[Role.INTEGRATION]),
        "policy": UserFactory(username="policy", roles=[Role.POLICY_COUNCIL]),
        "council": UserFactory(username="council", roles=[Role.CITY_COUNCIL]),
        "governorate": UserFactory(username="governorate", roles=[Role.GOVERNORATE]),
        "planning": UserFactory(username="planning", roles=[Role.PLANNING_OFFICE]),
    }
    membership_grant(committee=waste, user=users["waste-member"], seat=Membership.Seat.MEMBER)
    membership_grant(committee=waste, user=users["waste-chair"], seat=Membership.Seat.CHAIR)
    membership_grant(committee=parks, user=users["parks-member"], seat=Membership.Seat.MEMBER)
    membership_grant(committee=parks, user=users["parks-chair"], seat=Membership.Seat.CHAIR)
    return {name: type(u).objects.get(pk=u.pk) for name, u in users.items()}


@pytest.fixture
def accepted(plan, people):
    """Drive an amendment of a committee through drafting, sign-off and integration."""

    def make(committee_code, operations, title="اصلاحیه"):
        committee = plan.committees.get(code=committee_code)
        prefix = {"C02": "waste", "C03": "parks"}[committee_code]
        member, chair = people[f"{prefix}-member"], people[f"{prefix}-chair"]
        amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=title)
        amendment_operations_set(amendment=amendment, operations=operations, acting_user=member)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        decide(task=open_task(amendment), acting_user=chair, outcome="approve")
        decide(task=open_task(amendment), acting_user=people["integration"], outcome="approve")
        amendment.refresh_from_db()
        return amendment

    return make


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own, on a free port, that the test may stop and start again."""
    import socket

    if not shutil.which("redis-server"):
        _missing("needs redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        proc = None

        def start(self):
            self.proc = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                self.proc.wait(timeout=10)

    server = Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def use_broker():
    """Point this process's Celery app at another broker for the test, and back after."""
    from config.celery import app

    original = app.conf.broker_url

    def reset_pools():
        from kombu import pools

        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        # kombu keeps its pools per broker URL: a closed one would be handed to the next test
        pools.reset()

    def point(url):
        reset_pools()
        app.conf.broker_url = url

    yield point
    reset_pools()
    app.conf.broker_url = original


@pytest.fixture(scope="session")
def _collected_static(tmp_path_factory):
    """collectstatic once, with the production storage (hashed names and a manifest)."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_static(_collected_static, settings):
    """Pages rendered as in production: DEBUG off and every {% static %} looked up in the manifest,
    so a template naming a file that was never collected fails here as it would there."""
    root, storages = _collected_static
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = storages
    settings.WHITENOISE_USE_FINDERS = False  # Django rebuilds the static storage on these changes
    return root


# ---------------------------------------------------------------------------------------------
# Running the suite leaves the checkout as it found it: no broker folder, database or file written
# beside the code (a test that needs a place to write uses tmp_path or BAZNEGAR_VAR_DIR).


def _checkout_status() -> set[str] | None:
    root = Path(__file__).resolve().parent.parent
    try:
        found = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return set(found.stdout.splitlines()) if found.returncode == 0 else None


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        session.config._checkout_before = _checkout_status()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_checkout_before", None)
    if before is None:
        return
    written = sorted((_checkout_status() or set()) - before)
    if written:
        session.config.get_terminal_writer().line(
            f"the suite wrote into the checkout (or files were edited while it ran): {written}", red=True
        )
        session.exitstatus = 1
