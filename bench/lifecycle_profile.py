"""Where one decision's time goes: one process runs a few lifecycles to warm up, then counts the
statements each step sends (grouped by the table they touch) and profiles a batch of lifecycles.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/lifecycle_profile.py [--lifecycles 20]
"""

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_database  # noqa: E402
from bench.decisions_bench import lifecycle  # noqa: E402


def _shape(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    verb = sql.split(" ", 1)[0].upper()
    tables = re.findall(r'(?:FROM|INTO|UPDATE|JOIN) "?([a-z_0-9]+)"?', sql)
    return f"{verb} {tables[0] if tables else ''}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifecycles", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def run(args):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.models import User
    from plan.models import Plan

    call_command("load_demo", stdout=io.StringIO())
    plan = Plan.objects.get(code="ahvaz-1407")
    users = {u.username: u for u in User.objects.all()}
    users["member-C02"], users["chair-C02"] = users["member"], users["chair"]
    for number in range(3):
        lifecycle(plan, "C02", number, users)
    with CaptureQueriesContext(connection) as captured:
        lifecycle(plan, "C02", 100, users)
    shapes = Counter(_shape(query["sql"]) for query in captured.captured_queries)
    print(f"one lifecycle: {len(captured.captured_queries)} statements")
    for shape, count in shapes.most_common(args.top):
        print(f"  {count:4d}  {shape}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for number in range(args.lifecycles):
        lifecycle(plan, "C02", 200 + number, users)
    profiler.disable()
    seconds = time.perf_counter() - started
    print(f"{args.lifecycles} lifecycles in {seconds:.2f} s: {seconds / args.lifecycles * 1000:.0f} ms each")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top * 2)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
