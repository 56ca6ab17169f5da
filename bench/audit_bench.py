"""Audit trail benchmark: the auditor's page over one million events.

Writes N events with their content hashes (COPY, in a throwaway test database), spread over five years,
2,000 amendments, 40 revisions, 11 committees and 500 people; then asks the events page for the
filters auditors use, through Django's whole request stack (middleware, form, selector, template),
and prints p50/p95 per filter and the queries each page ran. Ends by sealing them all into the Merkle tree
and a full check of the log.

    DATABASE_URL=postgres://... python bench/audit_bench.py [--events 1000000] [--repeat 20]
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402

from bench.common import throwaway_database  # noqa: E402

TARGET_MS = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-verify", action="store_true", help="do not time sealing and the full log check")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("audit_bench needs PostgreSQL: set DATABASE_URL")
    with throwaway_database():
        run(args)


def generate(count: int, users: list, actions: list[str], committees: list[int], plan_id: int) -> None:
    """Events with their content hashes, written with COPY in id order (the sequencer seals them)."""
    import datetime as dt

    from audit import chain
    from audit.models import AuditEvent

    rng = random.Random(1407)
    start = dt.datetime(2021, 3, 21, 5, 0, tzinfo=dt.UTC)
    step = dt.timedelta(seconds=(5 * 365 * 86400) / count)
    first = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1  # after the import's
    start = min(start, AuditEvent.objects.order_by("id").first().occurred_at)
    columns = (
        "id, occurred_at, actor_id, actor_username, on_behalf_of_id, on_behalf_of_username, action, object_type, "
        "object_id, object_repr, data, ip_address, scope_plan, scope_revision, scope_amendment, scope_committee, hash"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
        for number in range(first, first + count):
            actor = users[rng.randrange(len(users))]
            behalf = users[rng.randrange(len(users))] if rng.random() < 0.03 else None
            action = actions[rng.randrange(len(actions))]
            amendment = rng.randrange(1, 2001)
            revision = (amendment % 40) + 1 if action.startswith("plan.revision") else None
            scope = {"plan": plan_id, "committee": committees[amendment % len(committees)], "amendment": amendment}
            if revision:
                scope = {"plan": plan_id, "revision": revision}
            data = {"outcome": "approve", "reason": "بررسی شد", "round": 1, "task": number}
            occurred = start + step * (number - first + 1)
            values = {
                "occurred_at": occurred,
                "actor_id": actor.pk,
                "actor_username": actor.username,
                "on_behalf_of_id": behalf.pk if behalf else None,
                "on_behalf_of_username": behalf.username if behalf else "",
                "action": action,
                "object_type": "plan.revision" if revision else "plan.amendment",
                "object_id": str(revision or amendment),
                "object_repr": f"#{revision or amendment} اصلاحیهٔ آزمایشی",
                "data": data,
                "ip_address": "10.0.0.1",
            }
            event = AuditEvent(
                **values, **{f"scope_{key}": value for key, value in scope.items() if key != "plan"}, scope_plan=plan_id
            )
            digest = chain.content_hash(event)
            copy.write_row(
                (
                    number,
                    occurred,
                    values["actor_id"],
                    values["actor_username"],
                    values["on_behalf_of_id"],
                    values["on_behalf_of_username"],
                    action,
                    values["object_type"],
                    values["object_id"],
                    values["object_repr"],
                    chain.canonical_json(data),
                    "10.0.0.1",
                    plan_id,
                    scope.get("revision"),
                    scope.get("amendment"),
                    scope.get("committee"),
                    digest,
                )
            )
    last = first + count - 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [last])
        cursor.execute("VACUUM ANALYZE audit_auditevent")


def run(args):
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audit import chain
    from audit.services import audit_log_check, audit_sequence_all
    from core.jalali import to_jalali
    from people.models import User
    from people.roles import Role
    from people.services import role_groups_ensure
    from plan.demo import ahvaz_1407
    from plan.services import plan_import

    print(f"database: {connection.vendor}")
    plan = plan_import(document=ahvaz_1407())
    committees = list(plan.committees.values_list("pk", flat=True))
    role_groups_ensure()
    users = User.objects.bulk_create([User(username=f"person{i:04d}", language="fa") for i in range(500)])
    auditor = User.objects.create(username="auditor-bench", language="fa")
    auditor.groups.add(*Group.objects.filter(name=Role.AUDITOR.value))
    actions = sorted(a for a in chain.registered_actions() if a.startswith(("plan.amendment", "workflows.")))
    started = time.perf_counter()
    generate(args.events, users, actions, committees, plan.pk)
    print(f"  {args.events:,} events written in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(auditor)
    middle = args.events // 2
    month = to_jalali(dt.date(2023, 6, 1))
    cases = [
        ("first page, no filter", {}),
        ("deep page (before the middle event)", {"before": middle}),
        ("one amendment", {"amendment": 1234}),
        ("one revision", {"revision": 7}),
        ("one committee", {"committee": plan.committees.order_by("code").first().code}),
        ("one person", {"person": "person0042"}),
        ("one action", {"action": "workflows.amendment.sign_off"}),
        (
            "one Jalali month",
            {"date_from": f"{month.year}/{month.month:02d}/01", "date_to": f"{month.year}/{month.month:02d}/30"},
        ),
        (
            "committee + action + a year",
            {
                "committee": plan.committees.order_by("code").last().code,
                "action": "workflows.amendment.integrate",
                "date_from": "1401/01/01",
                "date_to": "1401/12/29",
            },
        ),
        ("person + deep page", {"person": "person0042", "before": middle}),
    ]
    print(f"  the events page, {args.repeat} requests each (target: under {TARGET_MS} ms):")
    worst = 0.0
    for label, params in cases:
        times = []
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                begun = time.perf_counter()
                response = client.get("/audit/", params)
                times.append((time.perf_counter() - begun) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        times.sort()
        p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
        worst = max(worst, p95)
        shown = len(response.context["page"].events)
        print(f"    {label:<38} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  queries {len(queries):2d}  rows {shown}")
    print(f"  worst p95: {worst:.1f} ms ({'within' if worst < TARGET_MS else 'OVER'} the {TARGET_MS} ms target)")

    if not args.skip_verify:
        from django.conf import settings

        # five years written today: the check would rightly call them backdated
        settings.AUDIT_SEALING_GRACE_SECONDS = 10 * 365 * 86400
        started = time.perf_counter()
        sealed = audit_sequence_all(batch=20_000)
        print(f"  sealing: {sealed:,} events into the tree under signed heads in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        result = audit_log_check()
        print(
            f"  full log check (every event, leaf, node and head): {result.events_checked:,} events in "
            f"{time.perf_counter() - started:.1f} s, intact: {result.ok} {result.reason}"
        )


if __name__ == "__main__":
    main()
