"""Inbox and queue at scale, through the real HTTP stack.

Builds 5,000 people, 20,000 amendments with their processes, 1,000,000 finished tasks and 100,000
open ones (90% assigned to someone, 10% waiting in a committee's or a role's queue), then starts
gunicorn (2 workers, the production WSGI app) on the throwaway database and asks for the dashboard
(inbox, queue, archive), the inbox page and the queue page of a committee member, of a committee
chair (whose queue holds a committee's sign-offs) and of the integration working group, and for a
task page: p50/p95 over N requests each. The number of queries per page is counted in-process for
a person with few tasks and one with many: it must be the same.

With `--cities N`, the installation keeps N cities, each with a plan of Ahvaz's size: the people,
amendments and tasks are spread over them (each person works in one city, each task belongs to
its amendment's city), and the pages are asked as people of the first city.

    DATABASE_URL=postgres://... python bench/inbox_bench.py [--finished 1000000] [--open 100000] \
        [--users 5000] [--requests 200] [--cities 1]
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import session_cookie, start_gunicorn, stop_gunicorn, throwaway_database  # noqa: E402

TARGET_P95_MS = 50


def generate(args) -> dict:
    """The data, written with COPY; returns the people the measurements use."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from people.models import CityAccess, Membership, User
    from people.roles import Role
    from people.services import membership_grant, role_groups_ensure
    from plan.demo import ahvaz_1407
    from plan.models import Amendment
    from plan.services import plan_import
    from workflows.flows import AmendmentFlow

    rng = random.Random(1407)
    started = time.perf_counter()
    document = ahvaz_1407()
    plans = [plan_import(document=document)]
    for number in range(1, args.cities):  # each city a plan of Ahvaz's size, under its own name
        meta = {
            **document["plan"],
            "code": f"city-{number:03d}",
            "city_fa": f"شهر {number}",
            "city_en": f"City {number}",
        }
        plans.append(plan_import(document={**document, "plan": meta}))
    if args.cities > 1:
        print(
            f"  {args.cities} cities, each a plan of {plans[0].versions.get().item_count} items, "
            f"imported in {time.perf_counter() - started:.1f} s"
        )
    plan = plans[0]
    role_groups_ensure()
    committees = list(plan.committees.order_by("code"))
    users = User.objects.bulk_create(
        [User(username=f"person{i:05d}", first_name="نفر", last_name=str(i), language="fa") for i in range(args.users)]
    )
    # person i works in city i mod N (the measured people are of the first city)
    city_of_user = {user.pk: index % args.cities for index, user in enumerate(users)}
    people_of = [[u for i, u in enumerate(users) if i % args.cities == c] for c in range(args.cities)]
    if args.cities > 1:
        CityAccess.objects.bulk_create(
            [CityAccess(user=u, municipality_id=plans[city_of_user[u.pk]].municipality_id) for u in users],
            batch_size=5000,
        )
    from django.contrib.auth.models import Group

    integration = User.objects.create(username="integration-bench", language="fa")
    integration.groups.add(Group.objects.get(name=Role.INTEGRATION.value))
    if args.cities > 1:
        CityAccess.objects.create(user=integration, municipality_id=plan.municipality_id)
    chairs = []
    for index, committee in enumerate(committees):
        chair = people_of[0][index]
        membership_grant(committee=committee, user=chair, seat=Membership.Seat.CHAIR)
        chairs.append(chair)
    member = people_of[0][len(committees)]
    membership_grant(committee=committees[0], user=member, seat=Membership.Seat.MEMBER)

    amendment_count = max(20, args.finished // 50)
    committees_of = [list(p.committees.order_by("code")) for p in plans]
    versions = [p.versions.get() for p in plans]
    rows = []
    for i in range(amendment_count):
        city = i % args.cities
        rows.append(
            Amendment(
                plan=plans[city],
                base_version=versions[city],
                committee=committees_of[city][(i // args.cities) % len(committees_of[city])],
                title=f"اصلاحیهٔ {i}",
                drafted_by=people_of[city][rng.randrange(len(people_of[city]))],
                status=Amendment.Status.SUBMITTED,
            )
        )
    Amendment.objects.bulk_create(rows, batch_size=5000)
    amendment_type = ContentType.objects.get_for_model(Amendment)
    committee_type = ContentType.objects.get(app_label="plan", model="committee")
    amendments = list(Amendment.objects.values_list("pk", "committee_id"))
    city_of_plan = {p.pk: index for index, p in enumerate(plans)}
    city_of_amendment = {pk: city_of_plan[plan_id] for pk, plan_id in Amendment.objects.values_list("pk", "plan_id")}
    flow_ref = "workflows/flows.AmendmentFlow"
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY viewflow_process (flow_class, status, created, data, artifact_content_type_id, artifact_object_id) "
            "FROM STDIN"
        ) as copy:
            for pk, _committee in amendments:
                copy.write_row((flow_ref, "STARTED", now, "{}", amendment_type.pk, pk))
        cursor.execute("SELECT id, artifact_object_id FROM viewflow_process ORDER BY id")
        processes = cursor.fetchall()
    committee_of = dict(amendments)
    city_of_process = {process_id: city_of_amendment[int(object_id)] for process_id, object_id in processes}
    started = time.perf_counter()
    draft, sign_off, integration_step = (
        f"{flow_ref}.draft",
        f"{flow_ref}.sign_off",
        f"{flow_ref}.integration",
    )
    columns = (
        "flow_task, flow_task_type, status, created, finished, token, owner_id, process_id, owner_permission, "
        "owner_permission_content_type_id, owner_permission_obj_pk, data"
    )
    open_new = args.open // 10
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY viewflow_task ({columns}) FROM STDIN") as copy:
        for i in range(args.finished):
            process_id, _ = processes[i % len(processes)]
            when = now - dt.timedelta(minutes=args.finished - i)
            city = people_of[city_of_process[process_id]]
            owner = city[rng.randrange(len(city))].pk
            copy.write_row((sign_off, "HUMAN", "DONE", when, when, "start", owner, process_id, None, None, None, "{}"))
        for _i in range(args.open - open_new):  # assigned: in the inbox of someone of its city
            process_id, _ = processes[rng.randrange(len(processes))]
            city = people_of[city_of_process[process_id]]
            owner = city[rng.randrange(len(city))].pk
            copy.write_row((draft, "HUMAN", "ASSIGNED", now, None, "start", owner, process_id, None, None, None, "{}"))
        for i in range(open_new):  # waiting in a queue: a committee's sign-off, or the integration group's
            process_id, amendment_id = processes[rng.randrange(len(processes))]
            if i % 5:
                row = (sign_off, "plan.sign_off_amendment", committee_type.pk, str(committee_of[amendment_id]))
            else:
                row = (integration_step, "plan.integrate_amendment", None, None)
            copy.write_row((row[0], "HUMAN", "NEW", now, None, "start", None, process_id, row[1], row[2], row[3], "{}"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO approvals_deadline (task_id, stage, due_on, statutory, created_at) "
            "SELECT id, 'sign_off', CURRENT_DATE + (id % 20)::int, false, now() FROM viewflow_task "
            "WHERE status IN ('NEW', 'ASSIGNED')"
        )
        cursor.execute("VACUUM ANALYZE")
    print(
        f"  {args.users:,} people, {len(amendments):,} amendments and processes, {args.finished:,} finished and "
        f"{args.open:,} open tasks ({open_new:,} in queues) written in {time.perf_counter() - started:.1f} s"
    )
    inbox_sizes = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner_id, count(*) FROM viewflow_task WHERE status = 'ASSIGNED' GROUP BY owner_id ORDER BY 2 DESC"
        )
        inbox_sizes = dict(cursor.fetchall())
    first_city = {u.pk for u in people_of[0]}
    busiest = User.objects.get(pk=next(pk for pk in inbox_sizes if pk in first_city))
    quietest = (
        User.objects.filter(pk__in=first_city)
        .exclude(pk__in=list(inbox_sizes))
        .exclude(pk__in=[c.pk for c in chairs])
        .first()
    )
    if quietest is None:  # every person of a small city has work: one more, with none
        quietest = User.objects.create(username="quiet-bench", language="fa")
        if args.cities > 1:
            CityAccess.objects.create(user=quietest, municipality_id=plan.municipality_id)
    task = AmendmentFlow.sign_off  # a chair's queued sign-off, for the task page
    from viewflow.workflow.models import Task

    queued = Task.objects.filter(
        status="NEW", owner_permission="plan.sign_off_amendment", owner_permission_obj_pk=str(committees[0].pk)
    ).first()
    assert task is not None and queued is not None
    return {
        "member (busiest inbox)": busiest,
        "member (empty inbox)": quietest,
        "committee chair": chairs[0],
        "integration group": integration,
        "task": queued,
        "inbox_sizes": (inbox_sizes[busiest.pk], min(inbox_sizes.values())),
    }


def count_queries(people: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print("  queries per page (in-process):")
    checks = [
        (label, path, people[label])
        for label in ("member (busiest inbox)", "member (empty inbox)", "committee chair", "integration group")
        for path in ("/", "/inbox/", "/queue/")
    ]
    checks.append(("committee chair", f"/tasks/{people['task'].pk}/", people["committee chair"]))
    # the API's inbox and queue (docs/api.md): the same selectors, the same constant count
    checks += [
        (label, path, people[label])
        for label in ("member (busiest inbox)", "member (empty inbox)", "committee chair")
        for path in ("/api/v1/tasks/inbox", "/api/v1/tasks/queue")
    ]
    # a page deep in the integration group's queue, reached by the API's cursor (keyset: it costs
    # what the first page costs, however deep)
    walker = Client()
    walker.force_login(people["integration group"])
    cursor = None
    for _page in range(20):
        answer = walker.get("/api/v1/tasks/queue?per_page=200" + (f"&cursor={cursor}" if cursor else "")).json()
        cursor = answer["next"] or cursor
    people["deep queue"] = f"/api/v1/tasks/queue?cursor={cursor}" if cursor else "/api/v1/tasks/queue"
    checks.append(("integration group", people["deep queue"], people["integration group"]))
    for label, path, user in checks:
        client = Client()
        client.force_login(user)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        print(f"    {path[:40]:<40} of {label:<24} {len(queries):3d} queries")


def measure(port: int, path: str, cookie: str, requests: int) -> tuple[float, float]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for index in range(requests + 5):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
        if index >= 5:  # the first requests warm the workers
            times.append(elapsed)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--finished", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cities", type=int, default=1, help="cities in the installation, each of Ahvaz's size")
    args = parser.parse_args()
    with throwaway_database() as connection:
        from django.db import connection as db

        if db.vendor != "postgresql":
            raise SystemExit("inbox_bench needs PostgreSQL: set DATABASE_URL")
        people = generate(args)
        print(f"  inbox sizes: busiest {people['inbox_sizes'][0]}, smallest non-empty {people['inbox_sizes'][1]}")
        count_queries(people)
        server, port = start_gunicorn(connection.settings_dict["NAME"], workers=2)
        try:
            print(
                f"  through gunicorn (2 workers), {args.requests} requests each (target p95 under {TARGET_P95_MS} ms):"
            )
            worst = 0.0
            pages = [
                ("inbox page, member (busiest inbox)", "/inbox/", people["member (busiest inbox)"], True),
                ("queue page, committee chair", "/queue/", people["committee chair"], True),
                ("queue page, integration group", "/queue/", people["integration group"], True),
                ("task page, committee chair", f"/tasks/{people['task'].pk}/", people["committee chair"], True),
                ("API inbox, member (busiest inbox)", "/api/v1/tasks/inbox", people["member (busiest inbox)"], True),
                ("API queue, committee chair", "/api/v1/tasks/queue", people["committee chair"], True),
                ("API queue, integration, 4,000 deep", people["deep queue"], people["integration group"], True),
                ("dashboard, member (busiest inbox)", "/", people["member (busiest inbox)"], False),
                ("dashboard, committee chair", "/", people["committee chair"], False),
                ("dashboard, integration group", "/", people["integration group"], False),
            ]
            for label, path, user, targeted in pages:
                p50, p95 = measure(port, path, session_cookie(user), args.requests)
                if targeted:
                    worst = max(worst, p95)
                print(f"    {label:<38} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
            print(
                f"  worst p95 of the inbox, queue and task pages: {worst:.1f} ms "
                f"({'within' if worst < TARGET_P95_MS else 'OVER'} the target)"
            )
        finally:
            stop_gunicorn(server)


if __name__ == "__main__":
    main()
