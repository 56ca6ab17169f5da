"""The audit log without a global lock: decisions per second as processes are added, beside bare
viewflow's in the same run; how long an event waits to be sealed at the highest rate; and the time of
an inclusion proof at one million events.

1. Complete revision lifecycles through the services (bench/decisions_bench.py's workers) and the
   same number of steps through a bare viewflow flow, with 1, 2 and 4 worker processes each. A
   global lock on every decision would show as a product speed-up well below viewflow's.
2. During the 4-process product run a sequencer process seals events as a Celery worker would
   (every 0.5 s, everything committed); each event's lag is its leaf's sealing time minus its own.
3. One million leaves and their complete subtrees are written with SQL (PostgreSQL's sha256), a
   head is signed, and the inclusion proof of 1,000 random leaves is timed (and each one verified).

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/log_bench.py [--lifecycles 40] [--leaves 1000000]
"""

import argparse
import datetime as dt
import multiprocessing
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import throwaway_database  # noqa: E402
from bench.decisions_bench import _bare_worker, _product_worker, _run_workers  # noqa: E402

COMMITTEES = ["C02", "C03", "C04", "C05", "C06", "C07"]


def _sequencer(stop, results) -> None:
    from django.db import connections

    from audit.services import audit_sequence_all

    connections.close_all()
    try:
        while not stop.is_set():
            audit_sequence_all()
            time.sleep(0.5)
        audit_sequence_all()
        results.put("done")
    except BaseException as error:  # reported to the parent
        results.put(repr(error))


def scaling(args) -> None:
    from django.db import connection

    from audit.models import AuditEvent, AuditLeaf

    rates = {}
    for workers in (1, 2, 4):
        per_worker = max(1, args.lifecycles // workers)
        context = multiprocessing.get_context("fork")
        stop, sequencer_results = context.Event(), context.Queue()
        sequencer = None
        first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if workers == 4:
            connection.close()
            sequencer = context.Process(target=_sequencer, args=(stop, sequencer_results))
            sequencer.start()
        # worker numbers differ between runs: each lifecycle's resolution and issuance numbers are unique
        runs = [(workers * 10 + w, per_worker, COMMITTEES[w]) for w in range(workers)]
        steps, _wall, seconds = _run_workers(_product_worker, runs)
        if sequencer is not None:
            stop.set()
            outcome = sequencer_results.get(timeout=600)
            sequencer.join()
            if outcome != "done":
                raise SystemExit(f"the sequencer failed: {outcome}")
            lags = sorted(
                (leaf.sequenced_at - leaf.event.occurred_at).total_seconds()
                for leaf in AuditLeaf.objects.filter(event_id__gt=first_event).select_related("event")
            )
            p99 = lags[int(len(lags) * 0.99) - 1] if lags else 0.0
            print(
                f"  sequencer lag at {steps / seconds:.0f} decisions per second ({len(lags)} events): "
                f"p50 {statistics.median(lags):.2f} s, p99 {p99:.2f} s, max {lags[-1]:.2f} s "
                f"(target p99 under 2 s: {'met' if p99 < 2 else 'NOT met'})"
            )
        bare_steps, _bare_wall, bare_seconds = _run_workers(_bare_worker, [(w, per_worker) for w in range(workers)])
        rates[workers] = (steps / seconds, bare_steps / bare_seconds)
        product, bare = rates[workers]
        print(
            f"  {workers} process(es): product {product:.1f} decisions per second, bare viewflow {bare:.1f} "
            f"(ratio {product / bare:.2f})"
        )
    product_1, bare_1 = rates[1]
    for workers in (2, 4):
        product, bare = rates[workers]
        product_up, bare_up = product / product_1, bare / bare_1
        print(
            f"  speed-up 1 -> {workers}: product {product_up:.2f}x, bare viewflow {bare_up:.2f}x "
            f"(product / viewflow {product_up / bare_up:.2f}; target at least 0.9)"
        )
    best_product, best_bare = max(rates.values())
    print(
        f"  targets: at least 100 decisions per second ({best_product:.0f}: "
        f"{'met' if best_product >= 100 else 'NOT met'}), at least 0.4x bare viewflow "
        f"({rates[2][0] / rates[2][1]:.2f} at 2 processes)"
    )


def million(args) -> None:
    from django.db import connection, transaction

    from audit import merkle
    from audit.models import AuditTreeHead
    from audit.selectors import inclusion_proof, root_of
    from audit.services import audit_sequence_all
    from audit.signing import key_id, public_key_bytes, sign_head

    audit_sequence_all()  # the scaling run's events first: the synthetic leaves follow them
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(index) + 1, 0) FROM audit_auditleaf")
        start = cursor.fetchone()[0]
    total = max(args.leaves, start + 1)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # leaves name events that do not exist: this measures the tree, which the proof reads
        cursor.execute(
            "INSERT INTO audit_auditleaf (index, event_id, hash, sequenced_at) "
            "SELECT i, 1000000000 + i, sha256(('\\x00'::bytea || convert_to('synthetic ' || i, 'UTF8'))), now() "
            "FROM generate_series(%s, %s) AS i",
            [start, total - 1],
        )
        level = 1
        while (total >> level) > 0:
            children = "audit_auditleaf" if level == 1 else "audit_auditnode"
            condition = "" if level == 1 else f"AND l.level = {level - 1} AND r.level = {level - 1}"
            cursor.execute(
                f"INSERT INTO audit_auditnode (level, index, hash) "
                f"SELECT %s, l.index / 2, sha256('\\x01'::bytea || l.hash || r.hash) "
                f"FROM {children} l JOIN {children} r ON r.index = l.index + 1 {condition} "
                f"WHERE l.index %% 2 = 0 AND l.index / 2 >= %s AND l.index / 2 < %s",
                [level, start >> level, total >> level],
            )
            level += 1
    print(f"  {total:,} leaves and their subtrees written in {time.perf_counter() - started:.1f} s")
    root = root_of(total)
    stamp = int(time.time() * 1000)
    head = AuditTreeHead.objects.create(
        tree_size=total,
        root_hash=root,
        timestamp=dt.datetime.fromtimestamp(stamp / 1000, tz=dt.UTC),
        key_id=key_id(public_key_bytes()),
        signature=sign_head(total, stamp, root),
    )
    timings = []
    rng = random.Random(7)
    for _ in range(1000):
        index = rng.randrange(total)
        begun = time.perf_counter()
        proof = inclusion_proof(1_000_000_000 + index, head=head) if index >= start else None
        timings.append((time.perf_counter() - begun) * 1000)
        if proof is not None:
            leaf = merkle.leaf_hash(b"synthetic " + str(index).encode())
            assert merkle.verify_inclusion(leaf, index, total, proof.path, proof.root_hash), index
    timings.sort()
    print(
        f"  inclusion proof at {total:,} leaves (1,000 random leaves, each verified): p50 {timings[500]:.2f} ms, "
        f"p99 {timings[989]:.2f} ms (target under 10 ms: {'met' if timings[989] < 10 else 'NOT met'})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--lifecycles", type=int, default=40, help="revision lifecycles per run (split between workers)"
    )
    parser.add_argument("--leaves", type=int, default=1_000_000)
    args = parser.parse_args()
    with throwaway_database():
        run(args)


def run(args):
    import io

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("log_bench needs PostgreSQL: set DATABASE_URL")
    print(f"database: {connection.vendor} {urllib.parse.unquote(connection.settings_dict['NAME'])}")
    call_command("load_demo", stdout=io.StringIO())
    scaling(args)
    million(args)


if __name__ == "__main__":
    main()
