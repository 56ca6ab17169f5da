"""The issuance letter is made after the issuance commits, by a worker, once: it prints the signed
head that seals the issuance itself; a broker that was down, two makers at once, or a sequencer busy
elsewhere lose nothing and write nothing twice."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from audit.models import AuditEvent, AuditLeaf
from audit.services import SEQUENCER_LOCK, audit_sequence_all
from people.models import User
from plan.models import IssuanceLetter, Revision
from tests.notifications.test_faults import wait_for
from workflows.selectors import revision_open_task
from workflows.services import revision_decide
from workflows.services.letters import LetterNotReady, letter_make, letters_make_pending, letters_pending

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def confirmed(db):
    """The demo, whose letters are made, and its revision confirmed by the governorate, awaiting issuance."""
    call_command("load_demo", stdout=io.StringIO())
    assert not letters_pending().exists()  # load_demo made every letter of what it issued
    return Revision.objects.get(status=Revision.Status.CONFIRMED)


def _issue(revision, number="1405/ابلاغ/77"):
    revision_decide(
        task=revision_open_task(revision),
        acting_user=User.objects.get(username="planning"),
        outcome="issue",
        issuance_number=number,
    )
    revision.refresh_from_db()
    return revision.issued_version


def _issuance_leaf(version) -> int:
    event = AuditEvent.objects.get(action="plan.version.issue", object_id=str(version.pk))
    return AuditLeaf.objects.get(event=event).index


@pytest.mark.redis
@pytest.mark.slow
def test_a_worker_makes_the_letter_after_commit_naming_the_head_that_seals_the_issuance(
    confirmed, own_redis, use_broker, celery_worker_process
):
    celery_worker_process(extra_env={"REDIS_URL": own_redis.url, "CELERY_BROKER_URL": own_redis.url})
    use_broker(own_redis.url)
    version = _issue(confirmed)
    assert not IssuanceLetter.objects.filter(version=version).exists()  # not in the issuance's transaction
    wait_for(lambda: IssuanceLetter.objects.filter(version=version).exists(), message="the worker's letter")
    made = AuditEvent.objects.get(action="plan.version.letter", object_id=str(version.pk))
    assert made.actor.username == "planning" and made.data["number"] == "1405/ابلاغ/77"
    assert made.data["log_head"] > _issuance_leaf(version)  # the head it prints holds the issuance
    assert made.data["sha256"] == IssuanceLetter.objects.get(version=version).sha256


def test_with_the_broker_down_the_sweep_makes_the_letter_once(confirmed, monkeypatch):
    from workflows import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.make_issuance_letter, "apply_async", down)
    version = _issue(confirmed)  # the issuance itself never waits on the broker
    assert list(letters_pending()) == [version]
    # meanwhile the public pages say the letter is coming, and are not kept for long
    anonymous = Client()
    page = anonymous.get(f"/public/versions/{version.number}/")
    assert page.status_code == 200 and "در حال آماده شدن" in page.content.decode()
    assert "max-age=30" in page["Cache-Control"] and "immutable" not in page["Cache-Control"]
    assert anonymous.get(f"/public/versions/{version.number}/letter.pdf").status_code == 404
    check = anonymous.get(f"/public/verify/{version.issuance_number}/").content.decode()
    assert "در حال آماده شدن" in check and "صادر نشده" not in check
    assert letters_make_pending() == 1  # what beat runs every minute
    page = anonymous.get(f"/public/versions/{version.number}/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert page.status_code == 200 and f"/public/versions/{version.number}/letter.pdf" in page.content.decode()
    assert "immutable" in page["Cache-Control"]
    assert anonymous.get(f"/public/versions/{version.number}/letter.pdf").content == bytes(version.letter.pdf)
    assert letters_make_pending() == 0 and letter_make(version.pk) == version.letter  # once
    assert AuditEvent.objects.filter(action="plan.version.letter", object_id=str(version.pk)).count() == 1
    assert version.letter.sha256 and bytes(version.letter.pdf).startswith(b"%PDF")


def test_two_makers_at_once_write_one_letter(confirmed, monkeypatch):
    from workflows import tasks

    monkeypatch.setattr(tasks, "letter_request", lambda version_id: None)  # no worker: the test makes it
    version = _issue(confirmed)
    audit_sequence_all()
    barrier, errors = threading.Barrier(2), []

    def make():
        try:
            barrier.wait()
            letter_make(version.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert IssuanceLetter.objects.filter(version=version).count() == 1
    assert AuditEvent.objects.filter(action="plan.version.letter", object_id=str(version.pk)).count() == 1


def test_while_another_sequencer_holds_the_log_the_letter_waits_and_nothing_is_written(confirmed, monkeypatch):
    from workflows import tasks

    monkeypatch.setattr(tasks, "letter_request", lambda version_id: None)
    version = _issue(confirmed)
    other = connections.create_connection("default")  # another process's sequencer, mid-batch
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
            with pytest.raises(LetterNotReady):
                letter_make(version.pk)
            assert not IssuanceLetter.objects.filter(version=version).exists()
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert letter_make(version.pk).version == version  # the next try, once the log is free
    assert connection.vendor == "postgresql"


def test_two_cities_may_issue_one_number_and_each_letter_is_verified_as_its_citys(confirmed):
    """Issuance numbers are unique in a plan, not across cities: Ahvaz issuing the number Shushtar's
    letter already bears gets its own letter (it was an IntegrityError that stopped every later
    letter), and the public check tells them apart by the city its QR code names, or by the file."""
    import hashlib

    from plan.models import IssuedVersion

    pdf = b"%PDF-1.4 Shushtar's letter"
    shushtar = IssuanceLetter.objects.create(
        version=IssuedVersion.objects.filter(plan__municipality__code="shushtar").latest("number"),
        number="1405/ابلاغ/77",
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    version = _issue(confirmed, shushtar.number)
    ahvaz = letter_make(version.pk)
    assert ahvaz.number == shushtar.number and ahvaz.sha256 != shushtar.sha256
    anonymous = Client()
    both = anonymous.get(f"/public/verify/{ahvaz.number}/").content.decode()
    assert "بیش از یک شهرداری" in both and ahvaz.sha256 not in both and shushtar.sha256 not in both
    for letter, city in ((ahvaz, "ahvaz"), (shushtar, "shushtar")):
        page = anonymous.get(f"/public/verify/{letter.number}/", {"city": city}).content.decode()
        assert letter.version.plan.municipality.name_fa in page and letter.sha256 in page
        held = io.BytesIO(bytes(letter.pdf))
        held.name = "letter.pdf"
        page = anonymous.post("/public/verify/", {"number": letter.number, "pdf": held}).content.decode()
        assert "دقیقاً همان ابلاغیهٔ صادرشده است" in page and letter.sha256 in page
    # the QR code of Ahvaz's letter names its city
    from workflows.letters import verify_url

    assert verify_url(ahvaz.number, "ahvaz").endswith("?city=ahvaz")


def test_a_letter_that_cannot_be_made_holds_up_no_other(confirmed, monkeypatch):
    from workflows.services import letters

    earlier = IssuanceLetter.objects.order_by("version_id").first().version
    IssuanceLetter.objects.filter(version=earlier).delete()  # waiting again, before the new one
    version = _issue(confirmed)
    made = letters.letter_make

    def letter_make(version_id):
        if version_id == earlier.pk:
            raise ValueError("a broken letter")
        return made(version_id)

    monkeypatch.setattr(letters, "letter_make", letter_make)
    with pytest.raises(letters.LetterFailed):
        letters.letters_make_pending()
    assert IssuanceLetter.objects.filter(version=version).exists()
    assert list(letters_pending()) == [earlier]
