"""The audit log as a transparency log: events sealed into an RFC 6962 Merkle tree under signed heads,
proofs an outsider can check, and every way of rewriting it (as the tables' owner, as a superuser)
named by verify_audit.

The tree is checked against an independent implementation of RFC 6962 written here from the RFC
(section 2.1: MTH, PATH, PROOF), sharing no code with audit.merkle."""

import base64
import hashlib
import io
import json
import subprocess
import sys
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from audit import chain, merkle, signing
from audit.models import AuditEvent, AuditLeaf, AuditNode, AuditTreeHead, AuditVerification
from audit.selectors import consistency_proof, inclusion_proof, root_of, seals_of
from audit.services import (
    LogNotExtended,
    audit_log_check,
    audit_sequence,
    audit_sequence_all,
    head_export,
)
from tests.conftest import ROOT, subprocess_env, test_database_url
from tests.scenario import record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


# --- RFC 6962, section 2.1, written from the text --------------------------------------------


def rfc_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def rfc_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def rfc_k(n: int) -> int:
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def rfc_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf *data*."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return rfc_leaf(leaves[0])
    k = rfc_k(len(leaves))
    return rfc_node(rfc_mth(leaves[:k]), rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = rfc_k(len(leaves))
    if m < k:
        return rfc_path(m, leaves[:k]) + [rfc_mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [rfc_mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [rfc_mth(leaves)]
    k = rfc_k(n)
    if m <= k:
        return rfc_subproof(m, leaves[:k], whole) + [rfc_mth(leaves[k:])]
    return rfc_subproof(m - k, leaves[k:], False) + [rfc_mth(leaves[:k])]


# ---------------------------------------------------------------------------------------------


def leaf_data_in_order() -> list[bytes]:
    ids = list(AuditLeaf.objects.order_by("index").values_list("event_id", flat=True))
    events = AuditEvent.objects.in_bulk(ids)
    return [chain.leaf_data(events[i]) for i in ids]


def tamper(sql, params=(), *, as_owner=False):
    """Rewrite audit rows past the triggers: as a superuser (replication role), or as the tables'
    owner (who may disable a table's triggers), in a transaction of its own."""
    with transaction.atomic(), connection.cursor() as cursor:
        if as_owner:
            cursor.execute(
                "DO $$ BEGIN CREATE ROLE audit_test_owner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            for table in ("audit_auditevent", "audit_auditleaf", "audit_auditnode", "audit_audittreehead"):
                cursor.execute(f"ALTER TABLE {table} OWNER TO audit_test_owner")
            cursor.execute("SET LOCAL ROLE audit_test_owner")
            for table in ("audit_auditevent", "audit_auditleaf", "audit_auditnode", "audit_audittreehead"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            for table in ("audit_auditevent", "audit_auditleaf", "audit_auditnode", "audit_audittreehead"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("RESET ROLE")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off: superuser only
            cursor.execute(sql, params)


def test_events_are_sealed_into_an_rfc_6962_tree_under_signed_heads():
    events = record(13)
    assert not AuditLeaf.objects.exists()  # recorded, sealing: no lock taken, no leaf yet
    assert seals_of([e.pk for e in events]) == {}
    assert audit_sequence_all() == 13
    head = AuditTreeHead.objects.get()
    data = leaf_data_in_order()
    assert head.tree_size == 13 and bytes(head.root_hash) == rfc_mth(data)
    assert [leaf.event_id for leaf in AuditLeaf.objects.order_by("index")] == [e.pk for e in events]
    assert signing.head_verifies(
        signing.public_key_bytes(), 13, round(head.timestamp.timestamp() * 1000), rfc_mth(data), bytes(head.signature)
    )
    # more events: a second head; every root of every size agrees with the RFC's definition
    record(6)
    audit_sequence_all()
    data = leaf_data_in_order()
    for size in range(1, 20):
        assert root_of(size) == rfc_mth(data[:size]), size
    assert audit_log_check().ok
    seal = seals_of([events[0].pk])[events[0].pk]
    assert seal.leaf_index == 0 and seal.head.tree_size == 13  # the first head that covered it


def test_inclusion_and_consistency_proofs_match_the_rfc_and_verify():
    record(7)
    audit_sequence_all()
    record(10)
    audit_sequence_all()  # heads of 7 and 17
    data = leaf_data_in_order()
    for event in AuditEvent.objects.all():
        proof = inclusion_proof(event.pk)
        assert proof.tree_size == 17
        assert proof.path == rfc_path(proof.leaf_index, data)
        assert merkle.verify_inclusion(
            rfc_leaf(data[proof.leaf_index]), proof.leaf_index, 17, proof.path, proof.root_hash
        )
        assert not merkle.verify_inclusion(rfc_leaf(b"forged"), proof.leaf_index, 17, proof.path, proof.root_hash)
    for old in range(1, 18):
        for new in range(old, 18):
            proof = consistency_proof(old, new)
            assert proof == rfc_subproof(old, data[:new], True), (old, new)
            assert merkle.verify_consistency(old, new, rfc_mth(data[:old]), rfc_mth(data[:new]), proof)
            if old < new:
                assert not merkle.verify_consistency(
                    old, new, rfc_mth(data[: old - 1] + [b"x"]), rfc_mth(data[:new]), proof
                )


def test_verify_audit_passes_on_an_intact_log_and_against_a_kept_head(tmp_path, capsys):
    record(5)
    call_command("audit_head", "export", "-o", str(tmp_path / "head.json"))
    kept = json.loads((tmp_path / "head.json").read_text())
    assert kept["tree_size"] == 5 and kept["key_id"] == signing.key_id(base64.b64decode(kept["public_key"]))
    record(3)
    call_command("verify_audit", "--against", str(tmp_path / "head.json"))
    assert "audit log intact: 8 events" in capsys.readouterr().out
    verification = AuditVerification.objects.get()
    assert verification.ok and verification.tree_size == 8


TAMPERING = [
    # (name, statement against the given events, the problem verify_audit names)
    ("an altered event", "UPDATE audit_auditevent SET data = '{{\"i\": 99}}' WHERE id = {e2}", "altered"),
    (
        "an altered event with its hash recomputed",
        "UPDATE audit_auditevent SET actor_username = 'someone', hash = '{rehash}' WHERE id = {e2}",
        "leaf",
    ),
    ("an altered leaf", "UPDATE audit_auditleaf SET hash = '\\x00' WHERE index = 3", "leaf"),
    ("an altered node", "UPDATE audit_auditnode SET hash = '\\x00' WHERE level = 1 AND index = 1", "node"),
    ("a deleted node", "DELETE FROM audit_auditnode WHERE level = 2 AND index = 0", "node"),
    ("an altered head", "UPDATE audit_audittreehead SET root_hash = '\\x00'", "head_root"),
    ("a forged signature", "UPDATE audit_audittreehead SET signature = '\\x00'", "head_signature"),
    ("a deleted event", "DELETE FROM audit_auditevent WHERE id = {e2}", "missing"),
    ("a deleted leaf", "DELETE FROM audit_auditleaf WHERE index = 2", "gap"),
    (
        "two events swapped",
        'UPDATE audit_auditevent SET data = CASE id WHEN {e1} THEN \'{{"i": 2, "متن": "کمیته"}}\'::jsonb '
        'ELSE \'{{"i": 1, "متن": "کمیته"}}\'::jsonb END WHERE id IN ({e1}, {e2})',
        "altered",
    ),
    (
        "an event inserted with no leaf",
        "INSERT INTO audit_auditevent (occurred_at, actor_username, on_behalf_of_username, action, object_type, "
        "object_id, object_repr, data, hash) SELECT occurred_at - interval '1 hour', 'ghost', '', action, '', '', '', "
        "'{{}}', hash "
        "FROM audit_auditevent WHERE id = {e1}",
        "unsequenced",
    ),
]


@pytest.mark.parametrize("as_owner", [False, True], ids=["superuser", "owner"])
@pytest.mark.parametrize("name, statement, problem", TAMPERING, ids=[t[0] for t in TAMPERING])
def test_each_rewrite_is_named(name, statement, problem, as_owner):
    events = record(6)
    audit_sequence_all()
    altered = AuditEvent.objects.get(pk=events[2].pk)
    altered.actor_username = "someone"
    sql = statement.format(e1=events[1].pk, e2=events[2].pk, rehash=chain.content_hash(altered))
    tamper(sql, as_owner=as_owner)
    result = audit_log_check()
    assert not result.ok and result.problem == problem, (name, result)
    with pytest.raises(CommandError, match="audit log BROKEN"):
        call_command("verify_audit")


def test_the_sequencer_signs_nothing_over_a_tree_changed_under_its_newest_head():
    record(6)
    audit_sequence_all()
    tamper("UPDATE audit_auditnode SET hash = '\\x00' WHERE level = 2 AND index = 0")  # the frontier
    record(2)
    with pytest.raises(LogNotExtended):
        audit_sequence_all()
    assert AuditTreeHead.objects.count() == 1  # nothing signed over it


def test_an_event_sealed_long_after_it_occurred_is_named_and_the_check_goes_on(settings):
    (event,) = record(1)
    tamper(
        "INSERT INTO audit_auditevent (occurred_at, actor_username, on_behalf_of_username, action, object_type, "
        "object_id, object_repr, data, hash) VALUES (now() - interval '1 hour', '', '', 'people.user.create', "
        "'', '', '', '{}', '')"
    )
    late = AuditEvent.objects.exclude(pk=event.pk).get()
    late.hash = chain.content_hash(late)  # an insertion done with care: its hash is right
    tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [late.hash, late.pk])
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # seals it (an outage looks the same), names it, passes
    assert "sealed long after they occurred" in out.getvalue() and f"#{late.pk}" in out.getvalue()
    assert audit_log_check().late == [late.pk]
    verification = AuditVerification.objects.latest("checked_at")
    assert (verification.late_events, verification.first_late_event_id) == (1, late.pk)


@pytest.mark.parametrize("as_owner", [False, True], ids=["superuser", "owner"])
def test_a_truncated_and_rebuilt_log_is_caught_against_a_kept_head(tmp_path, as_owner):
    record(8)
    audit_sequence_all()
    kept = head_export()
    # whoever owns the tables empties them and writes a plausible history of their own, re-sealed
    # with the sequencer (they hold the database, and here even the key)
    tamper(
        "DELETE FROM audit_audittreehead; DELETE FROM audit_auditnode; DELETE FROM audit_auditleaf; "
        "DELETE FROM audit_auditevent",
        as_owner=as_owner,
    )
    record(9)
    audit_sequence_all()
    assert audit_log_check().ok  # consistent in itself
    result = audit_log_check(kept=kept)
    assert not result.ok and result.problem == "kept_root"
    # removing the newest events and moving the head back is caught the same way
    tamper("DELETE FROM audit_audittreehead; DELETE FROM audit_auditleaf WHERE index >= 4", as_owner=as_owner)
    result = audit_log_check(kept=kept)
    assert not result.ok and result.problem in {"kept_short", "no_head"}


def test_a_head_kept_outside_must_be_signed_and_by_the_logs_key():
    record(3)
    audit_sequence_all()
    kept = head_export()
    forged = {**kept, "root_hash": "00" * 32}
    assert audit_log_check(kept=forged).problem == "kept_signature"
    other = signing.Ed25519PrivateKey.generate()
    public = other.public_key().public_bytes(signing.serialization.Encoding.Raw, signing.serialization.PublicFormat.Raw)
    root = bytes.fromhex(kept["root_hash"])
    foreign = {
        **kept,
        "public_key": base64.b64encode(public).decode(),
        "signature": base64.b64encode(other.sign(signing.head_message(3, kept["timestamp_ms"], root))).decode(),
    }
    assert audit_log_check(kept=foreign).problem in {"kept_key", "head_signature"}


@pytest.mark.django_db(transaction=True)
def test_two_sequencers_at_once_one_works_the_other_leaves_it_the_work():
    record(40)
    results, errors = [], []

    def run():
        try:
            results.append(audit_sequence(batch=1000))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r is None for r in results) == [False, True]  # the second found the first at work
    assert AuditLeaf.objects.count() == 40 == len(set(AuditLeaf.objects.values_list("event_id", flat=True)))
    assert audit_log_check().ok


@pytest.mark.django_db(transaction=True)
def test_a_sequencer_killed_mid_batch_loses_nothing_and_seals_nothing_twice(tmp_path):
    record(30)
    script = (
        "import django, time; django.setup()\n"
        "from audit.models import AuditNode\n"
        "from audit.services import audit_sequence\n"
        "original = AuditNode.objects.bulk_create\n"
        "def slow(*a, **k):\n"
        "    print('leaves written', flush=True); time.sleep(60)\n"
        "AuditNode.objects.bulk_create = slow\n"
        "audit_sequence(batch=20)\n"
    )
    env = subprocess_env(DATABASE_URL=test_database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "leaves written"
        proc.kill()  # SIGKILL in the middle of the batch: its transaction never commits
    finally:
        proc.wait(timeout=30)
    for _ in range(50):  # PostgreSQL notices the closed connection and rolls the batch back
        if not AuditLeaf.objects.exists():
            break
        time.sleep(0.1)
    assert not AuditLeaf.objects.exists() and not AuditNode.objects.exists()
    assert audit_sequence_all() == 30  # the next run seals all of them, once
    assert sorted(AuditLeaf.objects.values_list("index", flat=True)) == list(range(30))
    assert audit_log_check().ok


def test_production_refuses_to_start_without_a_readable_key(settings):
    from audit.apps import _refuse_to_start_without_a_key

    settings.AUDIT_REQUIRE_SIGNING_KEY = True
    settings.AUDIT_SIGNING_KEY, settings.AUDIT_SIGNING_KEY_FILE = "", ""
    signing.private_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="no audit log signing key"):
            _refuse_to_start_without_a_key()
        settings.AUDIT_SIGNING_KEY = "not base64!"
        signing.private_key.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="cannot be read"):
            _refuse_to_start_without_a_key()
    finally:
        signing.private_key.cache_clear()
