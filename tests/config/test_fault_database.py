"""Decisions over HTTP through gunicorn while PostgreSQL is stopped and then hung.

The WSGI server reaches PostgreSQL through a TCP relay this test controls: *stopped* refuses new
connections and cuts the open ones (a server that is down or restarting); *hung* accepts and never
answers, and stops forwarding on the open ones (a server stopped with SIGSTOP, a dead network path).
Stopping the test's own server would stop the test, so the fault is made on the path to it.

While it is stopped every answer is a 503 page with Retry-After, never a 500; while it is hung every
answer comes within the statement timeout (the request deadline), as a 503; nothing is
lost and nothing recorded twice, and decisions succeed again as soon as it is back."""

import contextlib
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from approvals.models import Decision
from plan.models import Amendment
from plan.services import amendment_operations_set
from tests.conftest import ROOT, subprocess_env
from tests.scenario import WASTE
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Relay:
    """A TCP relay to PostgreSQL whose path can be cut (stopped) or silenced (hung)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = "up"
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.mode == "stopped":
                client.close()  # as a refused connection: the server is not there
                continue
            if self.mode == "hung":
                with self.lock:
                    self.pairs.append((client, None))  # accepted, never answered
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        chooser = selectors.DefaultSelector()
        chooser.register(client, selectors.EVENT_READ, upstream)
        chooser.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in chooser.select(timeout=0.2):
                    if self.mode == "hung":
                        continue  # nothing passes: both sides wait
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
                if self.mode == "hung":
                    time.sleep(0.05)
                if self.mode == "stopped":
                    return
        except OSError:
            return
        finally:
            for end in (client, upstream):
                with contextlib.suppress(OSError):
                    end.close()

    def set(self, mode: str):
        self.mode = mode
        if mode == "up":
            with self.lock:
                hung = [c for c, u in self.pairs if u is None]
                self.pairs = [(c, u) for c, u in self.pairs if u is not None]
            for client in hung:
                client.close()

    def close(self):
        self.mode = "stopped"
        self.server.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, base, session):
        self.base, self.cookies = base, {"sessionid": session}

    def request(self, path, data=None):
        import urllib.parse

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        started = time.monotonic()
        try:
            answer = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            answer = error
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer.status, answer.read().decode(), dict(answer.headers), time.monotonic() - started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_decisions_with_postgresql_stopped_then_hung(plan, waste, people, tmp_path):
    member, chair = people["waste-member"], people["waste-chair"]
    amendments = []
    for n in range(9):
        amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title=f"پ{n}")
        amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        amendments.append(amendment)
    client = Client()
    client.force_login(chair)
    settings = connection.settings_dict
    relay = Relay(settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432))
    port = _free_port()
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{settings['USER']}@127.0.0.1:{relay.port}/{settings['NAME']}",
        DATABASE_CONNECT_TIMEOUT="2",  # libpq's least
        DATABASE_STATEMENT_TIMEOUT="5000",  # so the request deadline is 3 s (5 s less the connect timeout)
        BAZNEGAR_VAR_DIR=str(tmp_path / "var"),
    )
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--timeout", "60", "--error-logfile", str(log)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=(tmp_path / "out.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    browser = Browser(f"http://127.0.0.1:{port}", client.cookies["sessionid"].value)
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)

        def sign_off(amendment):
            path = f"/tasks/{open_task(amendment).pk}/"
            status, page, _headers, _elapsed = browser.request(path)
            assert status == 200, page[:300]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', page).group(1)
            return path, {"csrfmiddlewaretoken": token, "outcome": "approve", "fingerprint": fingerprint}

        status, _page, _h, _e = browser.request(*sign_off(amendments[0]))
        assert status == 302  # up: recorded

        forms = [sign_off(a) for a in amendments[1:]]  # the pages, read while the path is up
        answers = {}
        # hung first: the workers' persistent connections are open, so the connect timeout does not
        # apply and only the request deadline bounds the wait
        for mode, batch in (("hung", forms[:4]), ("stopped", forms[4:])):
            relay.set(mode)
            answers[mode] = [browser.request(path, data) for path, data in batch]
            answers[mode].append(browser.request("/"))
            relay.set("up")
        for mode, results in answers.items():
            for status, page, headers, elapsed in results:
                assert status == 503, (mode, status, page[:300])
                assert headers.get("Retry-After") == "30" and 'lang="fa"' in page, (mode, headers)
                assert elapsed < 5 + 2, (mode, elapsed)  # within the statement timeout (5 s), and slack
        # nothing half-done: every decision of the outage either never happened, or happened once
        for amendment in amendments[1:]:
            assert Decision.objects.filter(amendment=amendment, step="sign_off").count() <= 1
        # back up: the same people decide again, at once
        time.sleep(0.5)
        for amendment in amendments[1:]:
            if Amendment.objects.get(pk=amendment.pk).status == "submitted":
                status, page, _h, _e = browser.request(*sign_off(amendment))
                assert status == 302, page[:300]
        assert all(Amendment.objects.get(pk=a.pk).status == "signed_off" for a in amendments)
        assert all(Decision.objects.filter(amendment=a, step="sign_off").count() == 1 for a in amendments)
        served = (tmp_path / "out.log").read_text()
        assert "Service Unavailable" in served and "Internal Server Error" not in served, served[-3000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        relay.close()
