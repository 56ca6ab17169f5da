"""Decisions per second: complete revision lifecycles through the services, against the same number
of steps through a bare viewflow flow, and against PostgreSQL's own single-row commit rate.

Each lifecycle is what the product does for one amendment from drafting to issuance: draft and
its operations, then eight human decisions (submit, committee sign-off, integration, assembly,
policy council, city council vote, governorate, issuance), each locked, checked, recorded as a
Decision with the diff's fingerprint, audited in the same transaction, with its notifications and
outbox rows, and issuance writing the next version of the plan. The bare flow takes eight View steps
the way viewflow's own views do (lock, assign, execute), with no audit and no notifications.
Both run in W worker processes at once (default 2, as the target says).

What is timed is the decisions (and the revision's assembly between them): each worker adds up
the time it spends in them, leaving out drafting each amendment (the bare workers leave out
starting each process), and the rate is the completions over a worker's deciding time. Drafting
is not a decision; the rate of whole lifecycles with it, the figure this script printed until
2026-12-01, is printed beside.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/decisions_bench.py \
        [--lifecycles 60] [--workers 2] [--pgbench-seconds 10]
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_database  # noqa: E402

# the human tasks one lifecycle completes: submit, sign-off, integration; assembly, policy council,
# city council vote, governorate, issuance
HUMAN_STEPS = 8


def draft(plan, committee_code: str, number: int, users: dict):
    """An amendment drafted by a committee member, with one operation: the work before any decision."""
    from plan.selectors import version_in_force, version_state
    from plan.services import amendment_operations_set
    from workflows.services import amendment_draft_start

    member = users[f"member-{committee_code}"]
    committee = plan.committees.get(code=committee_code)
    state = version_state(version_in_force(plan))
    indicators = sorted(
        code
        for code, item in state.items()
        if item["kind"] == "indicator" and state.get(item["parent"], {}).get("committee") == committee_code
    )
    code = indicators[number % len(indicators)]
    amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=f"bench {number}")
    operations = [
        {"action": "change", "code": code, "justification": "bench", "values": {"targets.1406": {"new": 1000 + number}}}
    ]
    amendment_operations_set(amendment=amendment, operations=operations, acting_user=member)
    return amendment


def decisions(plan, amendment, committee_code: str, number: int, users: dict) -> int:
    """A drafted amendment's eight decisions, from its submission to the issuance of a revision of
    it (with the revision's assembly between); returns the human-task completions it made."""
    import datetime as dt

    from django.utils import timezone

    from workflows.selectors import open_task, revision_open_task
    from workflows.services import decide, revision_decide, revision_start

    member, chair = users[f"member-{committee_code}"], users[f"chair-{committee_code}"]
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    decide(task=open_task(amendment), acting_user=chair, outcome="approve")
    decide(task=open_task(amendment), acting_user=users["integration"], outcome="approve")
    revision = revision_start(
        plan=plan,
        year=1405,
        title=f"bench {committee_code} {number}",
        amendments=[amendment],
        acting_user=users["integration"],
    )

    def act(user, outcome, **details):
        revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **details)

    act(users["integration"], "submit")
    act(users["policy"], "approve")
    act(
        users["council"],
        "approve",
        session_date=dt.date(2026, 5, 10),
        resolution_number=f"R-{committee_code}-{number}",
        present=11,
        votes_for=8,
        votes_against=2,
        abstentions=1,
        notified_on=timezone.localdate(),
    )
    act(users["governorate"], "confirm")
    act(users["planning"], "issue", issuance_number=f"I-{committee_code}-{number}")
    return HUMAN_STEPS


def lifecycle(plan, committee_code: str, number: int, users: dict) -> int:
    """One amendment from drafting to issuance; returns the human-task completions it made."""
    return decisions(plan, draft(plan, committee_code, number, users), committee_code, number, users)


def _reporting(function):
    """Run a worker's body; a failure is sent back as its traceback, so the parent never waits forever."""

    def run(*args):
        import traceback

        results = args[-1]
        try:
            function(*args)
        except BaseException:
            results.put(traceback.format_exc())

    return run


def _users(committee_code: str) -> dict:
    from people.models import User

    users = {u.username: u for u in User.objects.all()}
    suffix = "" if committee_code == "C02" else f"-{committee_code.lower()}"
    users[f"member-{committee_code}"] = users[f"member{suffix}"]
    users[f"chair-{committee_code}"] = users[f"chair{suffix}"]
    return users


@_reporting
def _product_worker(worker: int, count: int, committee_code: str, results) -> None:
    """`count` lifecycles; sends back the completions and the seconds spent in decisions (drafting
    each amendment is not a decision: its time is left out)."""
    from django.db import connections

    from plan.models import Plan

    connections.close_all()
    plan = Plan.objects.get(code="ahvaz-1407")
    users = _users(committee_code)
    done, deciding = 0, 0.0
    for number in range(count):
        number += worker * 10_000
        amendment = draft(plan, committee_code, number, users)
        started = time.perf_counter()
        done += decisions(plan, amendment, committee_code, number, users)
        deciding += time.perf_counter() - started
    results.put((done, deciding))


@_reporting
def _bare_worker(worker: int, count: int, results) -> None:
    """`count` bare processes through their steps; sends back the steps and the seconds spent in
    them (starting each process is left out, as drafting is for the product)."""
    from django.db import connections, transaction
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from bench.flows import BareFlow
    from people.models import User

    connections.close_all()
    user = User.objects.get(username="integration")
    done, stepping = 0, 0.0
    for _ in range(count):
        process = BareFlow.start.run()
        started = time.perf_counter()
        for _step in range(BareFlow.STEPS):
            # what viewflow's own task view does on submit: one transaction, the process lock,
            # assign the task to the person, execute it (which creates the next task)
            with transaction.atomic(), BareFlow.lock(process.pk):
                task = Task.objects.filter(process_id=process.pk, status=STATUS.NEW).get()
                activation = task.flow_task.activation_class(task)
                activation.assign(user)
                activation.start(None)
                activation.execute()
            done += 1
        stepping += time.perf_counter() - started
    results.put((done, stepping))


def _run_workers(target, per_worker_args: list[tuple]) -> tuple[int, float, float]:
    """Run the workers at once: (steps done, wall-clock seconds of the run, seconds a worker spent
    in the steps themselves, on average). The workers run side by side throughout, so the steps
    of one meet the drafting of another as they would in a city's office."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args, results)) for args in per_worker_args]
    started = time.perf_counter()
    for process in processes:
        process.start()
    total, busy = 0, 0.0
    for _ in processes:
        outcome = results.get(timeout=3600)
        if isinstance(outcome, str):
            raise SystemExit(f"a worker failed:\n{outcome}")
        total += outcome[0]
        busy += outcome[1]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a worker failed (exit {process.exitcode})")
    return total, wall, busy / len(processes)


def pgbench_rate(seconds: int, clients: int) -> float | None:
    """Single-row commits per second by pgbench itself: each transaction one INSERT, committed."""
    from django.db import connection

    binary = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not os.path.exists(binary):
        print("  pgbench not found: skipped")
        return None
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, v int)")
    script = Path(tempfile.mkdtemp(prefix="baznegar-pgbench-")) / "commit.sql"
    script.write_text("INSERT INTO bench_commit (v) VALUES (1);\n")
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        binary,
        "-n",
        "-h",
        settings.get("HOST") or "127.0.0.1",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
        "-c",
        str(clients),
        "-j",
        str(clients),
        "-T",
        str(seconds),
        "-f",
        str(script),
        settings["NAME"],
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifecycles", type=int, default=60, help="revision lifecycles in all (split between workers)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def run(args):
    import io

    from django.core.management import call_command
    from django.db import connection

    from approvals.models import Decision
    from audit.models import AuditEvent
    from notifications.models import Notification, Outbox

    if connection.vendor != "postgresql":
        raise SystemExit("decisions_bench needs PostgreSQL: set DATABASE_URL")
    print(f"database: {connection.vendor} {urllib.parse.unquote(connection.settings_dict['NAME'])}")
    call_command("load_demo", stdout=io.StringIO())
    committees = ["C02", "C03", "C04", "C05", "C06", "C07"][: args.workers]
    per_worker = max(1, args.lifecycles // args.workers)
    before = (
        AuditEvent.objects.count(),
        Decision.objects.count(),
        Notification.objects.count(),
        Outbox.objects.count(),
    )

    steps, wall, deciding = _run_workers(_product_worker, [(w, per_worker, committees[w]) for w in range(args.workers)])
    after = (AuditEvent.objects.count(), Decision.objects.count(), Notification.objects.count(), Outbox.objects.count())
    product = steps / deciding
    print(
        f"  product: {per_worker * args.workers} lifecycles with {args.workers} workers in {wall:.1f} s;"
        f" {steps} human-task completions in {deciding:.1f} s of deciding a worker = {product:.1f} per second"
    )
    print(f"    whole lifecycles, drafting counted (as printed before 2026-12-01): {steps / wall:.1f} per second")
    written = [b - a for a, b in zip(before, after, strict=True)]
    print(
        f"    written alongside: {written[0]} audit events, {written[1]} decisions, {written[2]} notifications, "
        f"{written[3]} outbox rows"
    )

    bare_steps, bare_wall, stepping = _run_workers(_bare_worker, [(w, per_worker) for w in range(args.workers)])
    bare = bare_steps / stepping
    print(
        f"  bare viewflow: {per_worker * args.workers} processes with {args.workers} workers in {bare_wall:.1f} s;"
        f" {bare_steps} steps in {stepping:.1f} s of stepping a worker = {bare:.1f} per second"
    )
    print(f"    whole, starting the processes counted: {bare_steps / bare_wall:.1f} per second")

    commits = pgbench_rate(args.pgbench_seconds, args.workers)
    if commits:
        print(
            f"  PostgreSQL (pgbench, {args.workers} clients, one-row INSERT per commit):"
            f" {commits:.0f} commits per second"
        )
    print(f"  ratio product / bare viewflow: {product / bare:.2f} (target at least 0.4)")
    if commits:
        print(
            f"  ratio product / PostgreSQL commits: {product / commits:.3f};"
            f" bare viewflow / PostgreSQL: {bare / commits:.3f}"
        )
    print(f"  target: at least 100 human-task completions per second: {'met' if product >= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
