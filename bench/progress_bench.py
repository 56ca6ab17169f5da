"""The rolling year at scale: the roll-up of a 10,000-item plan with five years of confirmed
actuals, and the pages that show it (a committee member's dashboard, the progress page), served by
gunicorn with the production settings.

    DATABASE_URL=postgres://... python bench/progress_bench.py [--items 10000] [--requests 60]

Runs in a throwaway database and prints its figures. The figures are written in bulk (their flow
is measured by the decisions benchmark); the roll-up reads them as the pages do. Documented in
docs/benchmarks.md. Targets: the roll-up of a year under 200 ms; the dashboard's p95 under 150 ms.
"""

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402

from bench.common import session_cookie, start_gunicorn, stop_gunicorn, throwaway_database  # noqa: E402
from bench.inbox_bench import measure  # noqa: E402

YEARS = range(1403, 1408)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with throwaway_database() as db:
        run(args, db.settings_dict["NAME"])


def _figures(plan, user):
    """Five years of confirmed figures for every indicator and project: a report per committee and year."""
    from plan.models import Actual, ActualReport
    from plan.selectors import version_in_force, version_state
    from plan.selectors.actuals import committee_items

    state = version_state(version_in_force(plan))
    rows = 0
    for committee in plan.committees.all():
        items = committee_items(state, committee)
        for year in YEARS:
            report = ActualReport.objects.create(
                plan=plan, committee=committee, year=year, entered_by=user, status=ActualReport.Status.CONFIRMED
            )
            entries = []
            for n, item in enumerate(items):
                share = (n % 10) / 9  # 0 .. 1: every standing appears
                if item["kind"] == "indicator":
                    target, baseline = item[f"targets.{year}"], item["baseline"]
                    value = Decimal(str(round(baseline + share * 1.1 * (target - baseline), 2)))
                    entries.append(
                        Actual(
                            report=report,
                            plan=plan,
                            code=item["code"],
                            kind="indicator",
                            year=year,
                            value=value,
                            current=True,
                        )
                    )
                else:
                    entries.append(
                        Actual(
                            report=report,
                            plan=plan,
                            code=item["code"],
                            kind="project",
                            year=year,
                            progress=Decimal(min(100, 20 * (year - 1402) * share)),
                            spend=10**9,
                            current=True,
                        )
                    )
            Actual.objects.bulk_create(entries, batch_size=2000)
            rows += len(entries)
    return rows


def run(args, database_name):
    from django.db import transaction

    from bench.plan_bench import synthetic_plan
    from people.models import Membership, User
    from people.services import membership_grant, role_groups_ensure
    from plan.progress import rollup
    from plan.selectors import derived_cache, version_in_force, version_state
    from plan.selectors.actuals import confirmed_figures, plan_rollup, thresholds
    from plan.services import plan_import

    print(f"database: {connection.vendor} {database_name}")
    role_groups_ensure()
    with transaction.atomic():
        plan = plan_import(document=synthetic_plan(args.items))
        user = User.objects.create(username="bench-member")
        membership_grant(committee=plan.committees.get(code="C02"), user=user, seat=Membership.Seat.MEMBER)
        rows = _figures(plan, user)
    state = version_state(version_in_force(plan))
    print(f"  plan: {len(state)} items; {rows} confirmed figures over {len(YEARS)} years")

    print("figures:")
    rules = thresholds(plan)
    pure, cold, warm = [], [], []
    for year in list(YEARS) * 4:
        figures = confirmed_figures(plan, year)
        started = time.perf_counter()
        rollup(state, year, figures, rules)
        pure.append(time.perf_counter() - started)
        derived_cache.clear()  # as after a confirmation: the year's figures read again and rolled up
        started = time.perf_counter()
        result = plan_rollup(plan, year)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        plan_rollup(plan, year)  # nothing changed: the roll-up kept for the version, year and figures
        warm.append(time.perf_counter() - started)
    counted = sum(result.plan.counts.values())

    def line(label, samples):
        median, most = statistics.median(samples) * 1000, max(samples) * 1000
        print(f"  {label:<45} median {median:6.1f} ms   max {most:6.1f} ms   (n={len(samples)})")

    print(f"  ({counted} indicators and projects rolled up to outputs, objectives, committees, portfolios)")
    line("roll-up of one year, in memory", pure)
    line("roll-up of one year, its figures read (cold)", cold)
    line("roll-up of one year, unchanged since (warm)", warm)
    derived_cache.clear()
    started = time.perf_counter()
    for year in YEARS:
        plan_rollup(plan, year)
    print(f"  {'roll-up of all five years (cold)':<45} {(time.perf_counter() - started) * 1000:6.1f} ms")

    process, port = start_gunicorn(database_name)
    try:
        cookie = session_cookie(user)
        pages = {}
        for label, path in [
            ("dashboard, committee member, with progress", "/"),
            ("progress page, one committee", "/plan/progress/?year=1405&committee=C02"),
            ("progress page, the whole plan", "/plan/progress/?year=1405"),
        ]:
            p50, p95 = measure(port, path, cookie, args.requests)
            pages[label] = p95
            print(f"  {label:<45} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={args.requests})")
    finally:
        stop_gunicorn(process)

    print("targets: roll-up of a year < 200 ms; dashboard p95 < 150 ms")
    roll = statistics.median(cold)
    print(f"  roll-up: {'OK' if roll < 0.2 else 'MISSED'} ({roll * 1000:.0f} ms)")
    dashboard = pages["dashboard, committee member, with progress"]
    print(f"  dashboard p95: {'OK' if dashboard < 150 else 'MISSED'} ({dashboard:.0f} ms)")


if __name__ == "__main__":
    main()
