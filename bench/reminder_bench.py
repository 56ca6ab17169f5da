"""Reminder sweep benchmark: 100,000 open tasks of which 1% are due; time per sweep, reminders sent,
no duplicates, and PostgreSQL's plan for the sweep's query.

    DATABASE_URL=postgres://... python bench/reminder_bench.py [--tasks 100000] [--due-share 0.01]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402

from bench.common import throwaway_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def run(args):
    import datetime as dt

    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from approvals.models import Deadline, Reminder
    from approvals.services import reminders_sweep
    from people.models import User
    from plan.demo import ahvaz_1407
    from plan.services import plan_import
    from workflows.flows import AmendmentFlow
    from workflows.services import amendment_create

    print(f"database: {connection.vendor}")
    plan = plan_import(document=ahvaz_1407())
    user = User.objects.create(username="bench", email="bench@example.org", email_preference="off")
    amendment = amendment_create(plan=plan, committee=None, drafted_by=user, title="bench")
    process = AmendmentFlow.start.run(subject=amendment)
    today = timezone.localdate()
    due = int(args.tasks * args.due_share)
    started = time.perf_counter()
    batch = 10_000
    for offset in range(0, args.tasks, batch):
        size = min(batch, args.tasks - offset)
        tasks = Task.objects.bulk_create(
            [
                Task(
                    process=process,
                    flow_task=AmendmentFlow.sign_off,
                    flow_task_type="HUMAN",
                    status=STATUS.ASSIGNED,
                    owner=user,
                )
                for _ in range(size)
            ]
        )
        Deadline.objects.bulk_create(
            [
                Deadline(
                    task=t,
                    stage="sign_off",
                    due_on=today if offset + i < due else today + dt.timedelta(days=60 + (offset + i) % 300),
                )
                for i, t in enumerate(tasks)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {args.tasks} open tasks, {due} due today, set up in {time.perf_counter() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN ANALYZE SELECT d.id FROM approvals_deadline d JOIN viewflow_task t ON t.id = d.task_id "
            "WHERE d.due_on <= %s AND t.status IN ('NEW', 'ASSIGNED')",
            [today + dt.timedelta(days=5)],
        )
        plan_lines = [row[0] for row in cursor.fetchall()]
    print("  the sweep's query plan:")
    for line in plan_lines:
        print(f"    {line}")

    for run_number in (1, 2):
        started = time.perf_counter()
        counts = reminders_sweep(today=today)
        seconds = time.perf_counter() - started
        print(f"  sweep {run_number}: {seconds * 1000:.0f} ms, reminders {counts}")
    total = Reminder.objects.count()
    distinct = Reminder.objects.values("deadline", "kind", "on_date").distinct().count()
    print(f"  reminders recorded: {total}, distinct: {distinct} (expected {due}: one each, no duplicate)")
    print("target: a sweep under 1 second per 100,000 open tasks")


if __name__ == "__main__":
    main()
