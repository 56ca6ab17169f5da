"""Decisions over HTTP, through a real WSGI server, while Redis is stopped and then hung (SIGSTOP):
the chair's sign-offs answer as fast as with Redis up, and every email waits in the outbox for the
sweep. Only the first decision after each failure may wait for the broker's bound."""

import os
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.test import Client

from notifications.models import Outbox
from notifications.services import broker_breaker
from plan.services import amendment_operations_set
from tests.scenario import WASTE
from workflows.selectors import open_task
from workflows.services import amendment_draft_start, decide

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Browser:
    """A signed-in person over plain HTTP: the session of a forced login, and the CSRF cookie the
    pages set, sent as headers (no redirects followed: the answer to a decision is the redirect)."""

    def __init__(self, live_server, user):
        client = Client()
        client.force_login(user)
        self.base = live_server.url
        self.cookies = {"sessionid": client.cookies["sessionid"].value}

    def _open(self, request):
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            answer = opener.open(request, timeout=30)
        except urllib.error.HTTPError as redirect:  # 3xx raised by _NoRedirect
            answer = redirect
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer.status, answer.read().decode()

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_off_over_http(browser, task_pk) -> float:
    path = f"/tasks/{task_pk}/"
    status, page = browser.get(path)
    assert status == 200, page[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', page).group(1)
    started = time.monotonic()
    status, _body = browser.post(path, {"csrfmiddlewaretoken": token, "outcome": "approve", "fingerprint": fingerprint})
    elapsed = time.monotonic() - started
    assert status == 302, status  # recorded, back to the dashboard
    return elapsed


def test_sign_offs_over_http_with_redis_stopped_then_hung(live_server, plan, waste, people, own_redis, use_broker):
    use_broker(own_redis.url)
    broker_breaker.reset()
    member, chair = people["waste-member"], people["waste-chair"]
    chair.email = "chair@baznegar.invalid"
    chair.save(update_fields=["email"])
    tasks = []
    for n in range(12):
        amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title=f"ه{n}")
        amendment_operations_set(amendment=amendment, operations=WASTE, acting_user=member)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        tasks.append((amendment, open_task(amendment).pk))
    browser = Browser(live_server, chair)
    pending_before = Outbox.objects.filter(status=Outbox.Status.PENDING).count()

    own_redis.stop()  # refused
    stopped = [sign_off_over_http(browser, pk) for _amendment, pk in tasks[:6]]
    own_redis.start()
    broker_breaker.reset()
    os.kill(own_redis.proc.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        hung = [sign_off_over_http(browser, pk) for _amendment, pk in tasks[6:]]
    finally:
        os.kill(own_redis.proc.pid, signal.SIGCONT)
        broker_breaker.reset()

    # the first decision after each failure pays at most the broker's bound; the rest do not wait
    assert stopped[0] < 3 and hung[0] < 8, (stopped, hung)
    assert max(stopped[1:] + hung[1:]) < 0.3 * 4, (stopped, hung)  # generous for a 2-core CI machine
    assert sorted(stopped[1:] + hung[1:])[int(0.95 * 10) - 1] < 0.3, (stopped, hung)  # p95 under 300 ms
    for amendment, _pk in tasks:
        amendment.refresh_from_db()
        assert amendment.status == "signed_off"
    # every message of those decisions waits for the sweep: none lost, none sent twice
    assert Outbox.objects.filter(status=Outbox.Status.PENDING).count() > pending_before
    assert not Outbox.objects.exclude(status=Outbox.Status.PENDING).exists()
