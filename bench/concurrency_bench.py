"""Fifty people at once against gunicorn: drafting, deciding and reading, through the real pages.

22 committee members draft (open an amendment, add an operation, submit), 11 committee chairs and
3 integration members decide what reaches them (the integration members compete for one queue, so
some of their decisions lose a race and are refused with a message, as they should be), and 14
readers open their dashboard, the plan and their notifications. Every request is a real HTTP request
with the session cookie and CSRF token a browser would send. Prints throughput, p50/p95 per kind
of request, and errors (any 5xx or broken connection): the target is none. Afterwards it checks that
no task has two decisions and that the audit log, once sealed, is intact.

    DATABASE_URL=postgres://... python bench/concurrency_bench.py [--seconds 60] [--workers 2] [--threads 4]
"""

import argparse
import http.client
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import session_cookie, start_gunicorn, stop_gunicorn, throwaway_database  # noqa: E402

FINGERPRINT = re.compile(r'name="fingerprint" value="([0-9a-f]*)"')
TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')


class Browser:
    """One person's browser: a keep-alive connection, their cookies, and a log of timings."""

    def __init__(self, port: int, session: str, log):
        self.port, self.log = port, log
        self.cookies = {"sessionid": session}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, kind: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.log(kind, (time.perf_counter() - started) * 1000, 599, str(error))
            return 599, "", ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.log(kind, (time.perf_counter() - started) * 1000, response.status, "")
        return response.status, text, response.getheader("Location") or ""

    def get(self, kind, path):
        return self.request(kind, "GET", path)


def drafter(browser: Browser, committee_code: str, indicators: list[str], stop: float, rng: random.Random):
    number = 0
    while time.monotonic() < stop:
        number += 1
        status, text, _ = browser.get("draft: new page", "/plan/amendments/new/")
        committee = re.search(r'<option value="(\d+)"', text)
        status, _, location = browser.request(
            "draft: open",
            "POST",
            "/plan/amendments/new/",
            {"committee": committee.group(1) if committee else "", "title": f"bench {committee_code} {number}"},
        )
        if status != 302 or not location:
            continue
        path = urllib.parse.urlparse(location).path
        browser.get("draft: edit page", path)
        code = rng.choice(indicators)
        browser.request(
            "draft: add operation",
            "POST",
            path,
            {
                "action": "change",
                "code": code,
                "field": "targets.1406",
                "value": str(rng.randint(10, 99)),
                "justification": "bench",
            },
        )
        browser.request("draft: submit", "POST", f"{path}submit/", {})


def decider(browser: Browser, stop: float, rng: random.Random, refusals: list):
    while time.monotonic() < stop:
        status, text, _ = browser.get("decide: dashboard", "/")
        tasks = TASK_LINK.findall(text)
        if not tasks:
            time.sleep(0.2)
            continue
        task = rng.choice(tasks[:10])
        status, page, _ = browser.get("decide: task page", f"/tasks/{task}/")
        fingerprint = FINGERPRINT.search(page)
        if status != 200 or fingerprint is None:
            continue
        form = {"outcome": "approve", "reason": "", "fingerprint": fingerprint.group(1)}
        status, text, _ = browser.request("decide: record", "POST", f"/tasks/{task}/", form)
        if status == 200:  # the form came back with a message: someone else decided first
            refusals.append(task)


def reader(browser: Browser, stop: float, rng: random.Random):
    pages = [("read: dashboard", "/"), ("read: plan", "/plan/"), ("read: notifications", "/notifications/")]
    while time.monotonic() < stop:
        kind, path = rng.choice(pages)
        browser.get(kind, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with throwaway_database() as connection:
        run(args, connection)


def run(args, connection):
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from approvals.models import Decision
    from audit.services import audit_log_check, audit_sequence_all
    from people.models import Membership, User
    from people.roles import Role
    from people.services import membership_grant, role_groups_ensure
    from plan.demo import ahvaz_1407
    from plan.selectors import version_in_force, version_state
    from plan.services import plan_import
    from rules.services import service_levels_ensure

    if connection.vendor != "postgresql":
        raise SystemExit("concurrency_bench needs PostgreSQL: set DATABASE_URL")
    plan = plan_import(document=ahvaz_1407())
    role_groups_ensure()
    service_levels_ensure()
    state = version_state(version_in_force(plan))
    committees = list(plan.committees.order_by("code"))
    people = []  # (role, user, committee)
    for committee in committees:
        for n in range(2):
            user = User.objects.create(
                username=f"member-{committee.code}-{n}", email=f"m{committee.code}{n}@example.org"
            )
            membership_grant(committee=committee, user=user, seat=Membership.Seat.MEMBER)
            people.append(("drafter", user, committee))
        chair = User.objects.create(username=f"chair-{committee.code}", email=f"c{committee.code}@example.org")
        membership_grant(committee=committee, user=chair, seat=Membership.Seat.CHAIR)
        people.append(("decider", chair, committee))
    integration_group = Group.objects.get(name=Role.INTEGRATION.value)
    for n in range(3):
        user = User.objects.create(username=f"integration-{n}", email=f"i{n}@example.org")
        user.groups.add(integration_group)
        people.append(("decider", user, None))
    for n in range(50 - len(people)):
        committee = committees[n % len(committees)]
        user = User.objects.create(username=f"reader-{n}", email=f"r{n}@example.org")
        membership_grant(committee=committee, user=user, seat=Membership.Seat.MEMBER)
        people.append(("reader", user, committee))
    indicators = defaultdict(list)
    for code, item in state.items():
        if item["kind"] == "indicator":
            indicators[state[item["parent"]].get("committee")].append(code)

    timings = defaultdict(list)
    errors = []
    lock = threading.Lock()

    def log(kind, ms, status, error):
        with lock:
            timings[kind].append(ms)
            if status >= 500:
                errors.append((kind, status, error))

    server, port = start_gunicorn(connection.settings_dict["NAME"], workers=args.workers, threads=args.threads)
    refusals: list = []
    try:
        stop = time.monotonic() + args.seconds
        threads = []
        for index, (role, user, committee) in enumerate(people):
            browser = Browser(port, session_cookie(user), log)
            rng = random.Random(index)
            if role == "drafter":
                target, extra = drafter, (committee.code, indicators[committee.code], stop, rng)
            elif role == "decider":
                target, extra = decider, (stop, rng, refusals)
            else:
                target, extra = reader, (stop, rng)
            threads.append(threading.Thread(target=target, args=(browser, *extra), daemon=True))
        decisions_before = Decision.objects.count()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        stop_gunicorn(server)

    total = sum(len(v) for v in timings.values())
    every = sorted(ms for values in timings.values() for ms in values)
    print(
        f"  {len(people)} simulated people for {args.seconds} s against gunicorn ({args.workers} workers × "
        f"{args.threads} threads): {total} requests, {total / elapsed:.1f} per second"
    )
    print(f"  all requests: p50 {statistics.median(every):.0f} ms, p95 {every[int(len(every) * 0.95) - 1]:.0f} ms")
    for kind in sorted(timings):
        values = sorted(timings[kind])
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"    {kind:<24} {len(values):6d} requests  p50 {statistics.median(values):6.0f} ms  p95 {p95:6.0f} ms")
    decided = Decision.objects.count() - decisions_before
    print(f"  decisions recorded: {decided}; decisions refused because someone else had just decided: {len(refusals)}")
    doubled = Decision.objects.exclude(task=None).values("task").annotate(n=Count("id")).filter(n__gt=1).count()
    audit_sequence_all()
    print(f"  tasks with two decisions: {doubled}; audit log intact: {audit_log_check().ok}")
    print(f"  errors (5xx or broken connections): {len(errors)}")
    for kind, status, error in errors[:10]:
        print(f"    {kind}: {status} {error}")
    if errors or doubled:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
