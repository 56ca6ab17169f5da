"""What leaves the building, at scale: the issuance letter of a 500-operation revision on a
10,000-item plan, and the public plan's pages read warm.

    DATABASE_URL=postgres://... python bench/public_bench.py [--items 10000] [--ops 500] [--requests 60]

Runs in a throwaway database, through the product's services and its real URL routes (Django's
test client, DEBUG off), and prints its figures. Documented in docs/benchmarks.md.
Targets: the letter rendered in under 3 s; the public plan page's p95 under 50 ms warm.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.common import throwaway_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    translation.activate("fa")
    with throwaway_database():
        run(args)


def _p95(samples):
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def run(args):
    from django.test import Client

    from bench.plan_bench import synthetic_plan
    from people.models import User
    from plan.models import IssuedVersion, Revision
    from plan.services import amendment_create, amendment_operations_set, plan_import, plan_version_issue
    from workflows.letters import letter_context, letter_pdf

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    user = User.objects.create(username="bench")
    document = synthetic_plan(args.items)
    plan = plan_import(document=document)
    print(f"  plan: {IssuedVersion.objects.get(plan=plan).item_count} items")
    indicators = [i["code"] for i in document["indicators"]]
    projects = [p["code"] for p in document["projects"]]
    half = args.ops // 2
    ops = [
        {"action": "change", "code": code, "justification": "bench", "values": {"targets.1406": {"new": 5000}}}
        for code in indicators[:half]
    ] + [
        {"action": "change", "code": code, "justification": "bench", "values": {"budgets.1405": {"new": 7 * 10**9}}}
        for code in projects[: args.ops - half]
    ]
    amendment = amendment_create(plan=plan, drafted_by=user, title="بازنگری سنجش")
    amendment_operations_set(amendment=amendment, operations=ops, acting_user=user)
    version = plan_version_issue(plan=plan, amendments=[amendment], issuance_number="1404/B/500", issued_by=user)
    revision = Revision.objects.create(
        plan=plan, year=1404, title="بازنگری سنجش", created_by=user, status=Revision.Status.ISSUED
    )
    revision.amendments.set([amendment])
    revision.issued_version = version
    revision.save(update_fields=["issued_version"])

    print("figures:")
    seconds, size = [], 0
    for _ in range(3):
        started = time.perf_counter()
        pdf = letter_pdf(letter_context(revision, version))
        seconds.append(time.perf_counter() - started)
        size = len(pdf)
    letter = statistics.median(seconds)
    print(
        f"  letter of a {len(ops)}-operation revision: median {letter:.2f} s, best {min(seconds):.2f} s, "
        f"{size / 1e6:.2f} MB (n=3)"
    )

    client = Client()
    pages = {}
    for label, path in [
        ("public plan page (the tree in force)", "/public/"),
        ("public plan page with a search", "/public/?q=IND1"),
        (f"public version page (the {len(ops)}-change diff)", f"/public/versions/{version.number}/"),
    ]:
        assert client.get(path).status_code == 200, path  # warm
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        pages[label] = _p95(samples)
        print(
            f"  {label:<50} p50 {statistics.median(samples) * 1000:7.1f} ms   p95 {pages[label] * 1000:7.1f} ms"
            f"   (n={args.requests})"
        )

    print("targets: letter < 3 s; public plan page p95 < 50 ms warm")
    print(f"  letter: {'OK' if letter < 3 else 'MISSED'} ({letter:.2f} s)")
    plan_page = pages["public plan page (the tree in force)"]
    print(f"  public plan page p95: {'OK' if plan_page < 0.05 else 'MISSED'} ({plan_page * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
