"""Plan benchmark: a 10,000-item plan with 20 issued versions; diff, apply, export, read back.

    DATABASE_URL=postgres://... python bench/plan_bench.py [--items 10000] [--versions 20] [--ops 500]

Runs in a throwaway database (created and dropped like the test runner's), through the same
services the product uses, and prints its figures. Documented in docs/benchmarks.md.
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


def synthetic_plan(items: int) -> dict:
    """A plan shaped like Ahvaz's but larger: per output, ~10 indicators, ~13 projects, ~9 actions."""
    from plan.demo import ahvaz_1407

    document = ahvaz_1407()
    years = [str(y) for y in range(1403, 1408)]
    outputs = max(31, items // 33)
    committees = [c["code"] for c in document["committees"]]
    document["outputs"], document["indicators"], document["projects"], document["actions"] = [], [], [], []
    document["portfolios"] = [
        {"code": f"PF-{n:03d}", "name_fa": f"سبد {n}", "name_en": f"Portfolio {n}"} for n in range(1, 101)
    ]
    counter = {"ind": 0, "prj": 0, "act": 0}
    for n in range(outputs):
        objective = f"O{n % 4 + 1}"
        code = f"EO{objective[1:]}.{n // 4 + 1}"
        document["outputs"].append(
            {
                "code": code,
                "objective": objective,
                "name_fa": f"خروجی مؤثر {n}",
                "name_en": f"Output {n}",
                "committee": committees[n % 11],
            }
        )
        for k in range(10):
            counter["ind"] += 1
            document["indicators"].append(
                {
                    "code": f"IND{code[2:]}.{k + 1}",
                    "output": code,
                    "name_fa": f"شاخص {k} خروجی {n}",
                    "name_en": f"Indicator {k} of output {n}",
                    "unit": "درصد",
                    "baseline": 40 + k,
                    "direction": "up",
                    "targets": {y: 40 + k + i for i, y in enumerate(years)},
                }
            )
        for _k in range(13):
            counter["prj"] += 1
            document["projects"].append(
                {
                    "code": f"PRJ-{counter['prj']:05d}",
                    "output": code,
                    "name_fa": f"پروژه {counter['prj']}",
                    "name_en": f"Project {counter['prj']}",
                    "responsible_unit": "معاونت فنی و عمرانی",
                    "start": "1403/01/15",
                    "end": "1407/12/20",
                    "budgets": {y: 1_000_000_000 * (i + 1) for i, y in enumerate(years)},
                    "portfolio": f"PF-{counter['prj'] % 100 + 1:03d}",
                }
            )
        for _k in range(9):
            counter["act"] += 1
            document["actions"].append(
                {
                    "code": f"ACT-{counter['act']:05d}",
                    "output": code,
                    "name_fa": f"اقدام {counter['act']}",
                    "name_en": f"Action {counter['act']}",
                    "responsible_unit": "واحد",
                    "due_year": 1405,
                }
            )
    document["plan"]["code"] = "bench"
    return document


def timed(label, function, repeat=1):
    seconds = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    best, median = min(seconds), statistics.median(seconds)
    print(f"  {label:<58} median {median * 1000:8.1f} ms   best {best * 1000:8.1f} ms   (n={repeat})")
    return result, median


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    translation.activate("en")
    with throwaway_database():
        run(args)


def run(args):
    from people.models import User
    from plan import diff as plan_diff
    from plan import exchange
    from plan.models import IssuedVersion, PlanItem
    from plan.selectors import amendment_preview, plan_export, version_cache, version_state, versions_diff
    from plan.services import amendment_create, amendment_operations_set, plan_import, plan_version_issue

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    user = User.objects.create(username="bench")
    document = synthetic_plan(args.items)
    plan, _ = timed("import the plan (validate + write version 1)", lambda: plan_import(document=document))
    size = IssuedVersion.objects.get(plan=plan).item_count
    print(f"  plan: {size} items")
    indicators = [i["code"] for i in document["indicators"]]
    projects = [p["code"] for p in document["projects"]]

    def issue(number, operations):
        amendment = amendment_create(plan=plan, drafted_by=user, title=f"revision {number}")
        amendment_operations_set(amendment=amendment, operations=operations, acting_user=user)
        return plan_version_issue(plan=plan, amendments=[amendment], issuance_number=f"B-{number}", issued_by=user)

    started = time.perf_counter()
    for number in range(2, args.versions + 1):
        chosen = indicators[(number * 97) % len(indicators) :][:150] + projects[(number * 31) % len(projects) :][:50]
        issue(
            number,
            [
                {
                    "action": "change",
                    "code": code,
                    "justification": "bench",
                    "values": {("targets.1405" if code.startswith("IND") else "budgets.1405"): {"new": 1000 + number}},
                }
                for code in chosen
            ],
        )
    print(
        f"  {args.versions - 1} revisions of 200 changes issued in {time.perf_counter() - started:.1f} s; "
        f"{PlanItem.objects.filter(plan=plan).count()} item-state rows"
    )

    versions = list(plan.versions.order_by("number"))
    first, before_last, last = versions[0], versions[-2], versions[-1]
    print("figures:")
    entries, diff_full = timed(
        f"diff v1 → v{last.number} (rows changed between them)", lambda: versions_diff(first, last), args.repeat
    )
    print(f"    {len(entries)} items differ")
    timed(f"diff v{before_last.number} → v{last.number}", lambda: versions_diff(before_last, last), args.repeat)

    def read_back():
        version_cache.clear()
        return version_state(first)

    state, _ = timed("read version 1 back from the database", read_back, args.repeat)
    assert plan_diff.state_fingerprint(state) == first.fingerprint, "version 1 no longer reads back as issued"

    def full_diff():
        version_cache.clear()
        return plan_diff.diff_states(version_state(first), version_state(last))

    timed("diff v1 → last by loading both whole states", full_diff, args.repeat)

    ops = [
        {
            "action": "change",
            "code": code,
            "justification": "bench",
            "values": {"targets.1406": {"new": 5000}, "unit": {"new": "نفر"}},
        }
        for code in indicators[: args.ops - 50]
    ]
    ops += [
        {"action": "retire", "code": code, "justification": "bench"}
        for code in [a["code"] for a in document["actions"]][:25]
    ]
    ops += [
        {
            "action": "add",
            "code": f"ACT-N{n:04d}",
            "kind": "action",
            "justification": "bench",
            "values": {"parent": "EO1.1", "name_fa": f"اقدام تازه {n}", "responsible_unit": "واحد"},
        }
        for n in range(25)
    ]
    amendment = amendment_create(plan=plan, drafted_by=user, title="500 operations")
    timed(
        f"validate and save a {len(ops)}-operation amendment",
        lambda: amendment_operations_set(amendment=amendment, operations=ops, acting_user=user),
    )
    preview, _ = timed(
        "amendment preview: apply in memory + diff + fingerprint", lambda: amendment_preview(amendment), args.repeat
    )
    version, apply_seconds = timed(
        f"issue it: apply {len(ops)} operations atomically (new version)",
        lambda: plan_version_issue(plan=plan, amendments=[amendment], issuance_number="B-500", issued_by=user),
    )
    assert versions_diff(last, version) == preview.entries, "issued content differs from the signed diff"
    exported, export_seconds = timed(
        "export the version in force as JSON", lambda: exchange.dumps(plan_export(version)), args.repeat
    )
    print(f"    {len(exported.encode()) / 1e6:.1f} MB")
    print("targets: diff < 1 s, 500-operation apply < 1 s")
    print(f"  diff v1 → v{last.number}: {'OK' if diff_full < 1 else 'MISSED'} ({diff_full * 1000:.0f} ms)")
    print(f"  apply {len(ops)} operations: {'OK' if apply_seconds < 1 else 'MISSED'} ({apply_seconds * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
