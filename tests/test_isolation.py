"""Two cities on one installation: the demo's Ahvaz and Shushtar. Generated from the data, for every
person who works in one city only: walking every page they reach (DEBUG off), every object URL of
the other city, the API's reads, the search and their notifications, nothing of the other city is
shown (its plan's name, its amendments' and revisions' titles, its own people's names), and each
of its objects answers 404. The province's bodies (the governorate, the auditor) work in both."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from viewflow.workflow.models import Task

from approvals.selectors.tasks import task_candidates
from core.errors import NotAllowed
from notifications.models import Notification
from people.models import Membership, Municipality, User
from people.selectors import cities_of, works_in
from people.services import city_access_revoke
from plan.models import ActualReport, Amendment, Attachment, CallAnswer, IssuedVersion, Plan, Revision
from tests.test_crawl import Crawl
from workflows.selectors import open_task, revision_open_task
from workflows.services import revision_decide, task_claim

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def two_cities(capsys):
    call_command("load_demo")
    capsys.readouterr()
    cities = {m.code: m for m in Municipality.objects.all()}
    assert set(cities) == {"ahvaz", "shushtar"}
    return cities


def _markers(city) -> set[str]:
    """What only this city's pages would show: its plans' names, its amendments' and revisions'
    titles, and the names of the people who work only there."""
    plans = Plan.objects.filter(municipality=city)
    marks = {p.name_fa for p in plans} | {p.code for p in plans}
    marks |= set(Amendment.objects.filter(plan__in=plans).values_list("title", flat=True))
    marks |= set(Revision.objects.filter(plan__in=plans).values_list("title", flat=True))
    documents = Attachment.objects.filter(Q(amendment__plan__in=plans) | Q(revision__plan__in=plans))
    marks |= set(documents.values_list("name", flat=True))
    for person in User.objects.filter(is_active=True):
        if cities_of(person) == frozenset({city.pk}) and person.get_full_name():
            marks.add(person.get_full_name())
    return {m for m in marks if len(m) > 6}


def _object_urls(city) -> list[str]:
    plans = Plan.objects.filter(municipality=city)
    amendments = Amendment.objects.filter(plan__in=plans).values_list("pk", flat=True)
    revisions = Revision.objects.filter(plan__in=plans).values_list("pk", flat=True)
    urls = []
    for pk in amendments:
        urls += [f"/plan/amendments/{pk}/", f"/drafting/amendments/{pk}/", f"/api/v1/amendments/{pk}"]
    for pk in revisions:
        urls += [f"/tasks/revisions/{pk}/", f"/api/v1/revisions/{pk}"]
    subjects = {"amendment": set(amendments), "revision": set(revisions)}
    for task in Task.objects.filter(flow_task_type="HUMAN").select_related("process__artifact_content_type"):
        if task.process.artifact_object_id in subjects.get(task.process.artifact_content_type.model, ()):
            urls.append(f"/tasks/{task.pk}/")
    urls += [f"/plan/actuals/{pk}/" for pk in ActualReport.objects.filter(plan__in=plans).values_list("pk", flat=True)]
    answers = CallAnswer.objects.filter(call__plan__in=plans).values_list("pk", flat=True)
    urls += [f"/tasks/calls/{pk}/" for pk in answers]
    attached = Attachment.objects.filter(amendment__plan__in=plans).values_list("pk", flat=True)
    urls += [f"/plan/attachments/{pk}/" for pk in attached]
    for plan in plans:
        urls += [f"/plan/?plan={plan.code}", f"/api/v1/plan/versions?plan={plan.code}"]
        for number in IssuedVersion.objects.filter(plan=plan).values_list("number", flat=True):
            urls.append(f"/api/v1/plan/versions/{number}/export?plan={plan.code}")
    return urls


def _only_in(city) -> list[User]:
    return [u for u in User.objects.filter(is_active=True).order_by("username") if cities_of(u) == frozenset({city.pk})]


def test_no_page_api_answer_search_or_notification_of_one_city_shows_the_other(two_cities):
    problems = []
    checked = 0
    for home, other in (("shushtar", "ahvaz"), ("ahvaz", "shushtar")):
        marks = _markers(two_cities[other])
        theirs = _object_urls(two_cities[other])
        people = _only_in(two_cities[home])
        if home == "ahvaz":  # one of each kind of Ahvaz's people, not all of its 22 committee seats
            people = [
                p for p in people if p.username in {"member", "chair", "integration", "policy", "council", "planning"}
            ]
        assert len(people) >= 6 and marks and theirs, (home, len(people))
        for person in people:
            client = Client(raise_request_exception=False)
            client.force_login(person)
            crawl = Crawl(client)
            pages = []
            original = crawl.visit

            def visit(url, *, follow_links, _original=original, _pages=pages):
                page = _original(url, follow_links=True)
                if page:
                    _pages.append((url, page))
                return page if follow_links else None

            crawl.visit = visit
            start = ["/", "/inbox/", "/queue/", "/plan/", "/tasks/revisions/", "/notifications/", "/search/?q=هدف"]
            start += ["/api/v1/tasks/inbox", "/api/v1/tasks/queue", "/api/v1/revisions", "/api/v1/notifications"]
            start += ["/api/v1/plan/versions", "/search/?q=روسازی&versions=all", "/search/?q=اصلاح&kind=amendments"]
            start += ["/search/?q=صورتجلسه&kind=documents", "/search/?q=مطالعه", "/search/?q=شوشتر", "/search/?q=اهواز"]
            crawl.walk(start, limit=160)
            problems += [f"{person.username}: {e}" for e in crawl.errors]
            for url, page in pages:
                text = re.sub(r"<[^>]+>", " ", page)
                leaked = sorted(m for m in marks if m in text)
                if leaked:
                    problems.append(f"{person.username} sees {other}'s {leaked[:3]} at {url}")
            for url in theirs:  # by URL, the other city's things do not exist
                answer = client.get(url)
                body = answer.content.decode(errors="replace")
                # (a 404 page may repeat the address asked for, which names the other plan's code)
                if answer.status_code not in (404, 302) or any(m in body and m not in url for m in marks):
                    problems.append(f"{person.username}: {url} answered {answer.status_code}")
                checked += 1
            for note in Notification.objects.filter(recipient=person):
                if note.object_type in ("plan.amendment", "plan.revision"):
                    model = Amendment if note.object_type == "plan.amendment" else Revision
                    subject = model.objects.select_related("plan").get(pk=note.object_id)
                    if not works_in(person, subject.plan.municipality_id):
                        problems.append(f"{person.username} was told of {other}'s {note.object_type} {note.object_id}")
    assert not problems, "\n".join(problems[:40])
    assert checked > 100


def test_a_role_acts_only_in_its_city_and_is_told_only_of_its_city(two_cities):
    shushtar_revision = Revision.objects.get(plan__municipality=two_cities["shushtar"], status="policy_council")
    ahvaz_policy, shushtar_policy = User.objects.get(username="policy"), User.objects.get(username="sh-policy")
    task = revision_open_task(shushtar_revision)
    with pytest.raises(NotAllowed):  # Ahvaz's secretariat holds the role, not in Shushtar
        revision_decide(task=task, acting_user=ahvaz_policy, outcome="approve")
    with pytest.raises(NotAllowed):
        task_claim(task=task, acting_user=ahvaz_policy)
    told = set(
        Notification.objects.filter(object_type="plan.revision", object_id=str(shushtar_revision.pk)).values_list(
            "recipient__username", flat=True
        )
    )
    assert "sh-policy" in told and "policy" not in told
    revision_decide(task=revision_open_task(shushtar_revision), acting_user=shushtar_policy, outcome="approve")
    shushtar_revision.refresh_from_db()
    assert shushtar_revision.status == "city_council"
    told = set(
        Notification.objects.filter(object_type="plan.revision", object_id=str(shushtar_revision.pk)).values_list(
            "recipient__username", flat=True
        )
    )
    assert "sh-council" in told and "council" not in told  # the next step's holders, of Shushtar only
    # the governorate works in both cities
    assert works_in(User.objects.get(username="governorate"), two_cities["ahvaz"].pk)
    assert works_in(User.objects.get(username="governorate"), two_cities["shushtar"].pk)


def test_a_person_moved_to_another_city_gives_back_their_claims_audited(two_cities):
    from audit.models import AuditEvent

    ahvaz_revision = Revision.objects.filter(plan__municipality=two_cities["ahvaz"], status="policy_council").first()
    policy = User.objects.get(username="policy")
    task = task_claim(task=revision_open_task(ahvaz_revision), acting_user=policy)
    assert task.owner_id == policy.pk
    released = city_access_revoke(user=policy, municipality=two_cities["ahvaz"])
    assert released == [task.pk]
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"
    event = AuditEvent.objects.filter(action="people.city.revoke").latest("pk")
    assert event.data == {"user": "policy", "municipality": "ahvaz", "released_tasks": [task.pk]}
    assert not works_in(policy, two_cities["ahvaz"].pk)
    client = Client()
    client.force_login(policy)
    assert client.get(f"/tasks/revisions/{ahvaz_revision.pk}/").status_code == 404
    # their own draft stays theirs: a seat's work is not the city's role work
    member = User.objects.get(username="member")
    draft = Amendment.objects.filter(drafted_by=member, status="draft").first()
    assert open_task(draft).owner_id == member.pk


def test_the_directory_gives_a_city_and_moving_groups_moves_the_person_and_releases_their_claims(two_cities):
    from audit.models import AuditEvent
    from people.directory import directory_sync
    from people.models import DirectoryRule
    from people.roles import Role

    ahvaz, shushtar = two_cities["ahvaz"], two_cities["shushtar"]
    DirectoryRule.objects.create(group="cn=ahvaz-policy,dc=x", role=Role.POLICY_COUNCIL, municipality=ahvaz)
    DirectoryRule.objects.create(group="cn=shushtar-staff,dc=x", municipality=shushtar)
    person = User.objects.create(username="dir-policy", from_directory=True)
    change = directory_sync(user=person, group_dns=["cn=ahvaz-policy,dc=x"])
    assert change["cities_granted"] == ["ahvaz"] and change["roles_granted"] == [Role.POLICY_COUNCIL]
    assert cities_of(person) == frozenset({ahvaz.pk})
    waiting = Revision.objects.filter(plan__municipality=ahvaz, status="policy_council").first()
    task = task_claim(task=revision_open_task(waiting), acting_user=person)
    # the directory moves them to Shushtar: Ahvaz goes, with the claim they held there
    change = directory_sync(user=person, group_dns=["cn=shushtar-staff,dc=x"])
    assert change["cities_taken"] == ["ahvaz"] and change["cities_granted"] == ["shushtar"]
    assert cities_of(person) == frozenset({shushtar.pk})
    task.refresh_from_db()
    assert task.owner_id is None
    revoked = AuditEvent.objects.filter(action="people.city.revoke").latest("pk")
    assert revoked.data["released_tasks"] == [task.pk] and revoked.data["user"] == "dir-policy"


def test_an_auditor_of_one_city_reads_only_that_citys_trail_and_exports(two_cities):
    from audit.models import AuditEvent
    from people.roles import Role
    from people.services import city_access_grant, user_create

    auditor = user_create(username="sh-auditor", password="x-Long-pass-1234", roles=[Role.AUDITOR])
    city_access_grant(user=auditor, municipality=two_cities["shushtar"])
    marks = _markers(two_cities["ahvaz"])
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    ahvaz_plans = list(Plan.objects.filter(municipality=two_cities["ahvaz"]).values_list("pk", flat=True))
    shushtar_plans = list(Plan.objects.filter(municipality=two_cities["shushtar"]).values_list("pk", flat=True))
    listing = client.get("/audit/")
    assert listing.status_code == 200
    for url in ("/audit/", "/audit/export.csv", "/audit/export.xlsx", "/api/v1/audit/events"):
        answer = client.get(url)
        raw = b"".join(answer.streaming_content) if answer.streaming else answer.content
        body = raw.decode(errors="replace")
        if url.endswith(".xlsx"):  # the workbook's text is in its zipped sheets
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                body = "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
        assert answer.status_code == 200 and not [m for m in marks if m in body], url
    shown = {event["id"] for event in client.get("/api/v1/audit/events").json()["results"]}
    assert shown and set(AuditEvent.objects.filter(pk__in=shown).values_list("scope_plan", flat=True)) <= set(
        shushtar_plans
    )
    theirs = AuditEvent.objects.filter(scope_plan__in=ahvaz_plans).order_by("-pk")[:5]
    unscoped = AuditEvent.objects.filter(scope_plan=None).order_by("-pk")[:2]
    for event in [*theirs, *unscoped]:
        assert client.get(f"/audit/events/{event.pk}/").status_code == 404
        assert client.get(f"/api/v1/audit/events/{event.pk}").status_code == 404
    for amendment in Amendment.objects.filter(plan_id__in=ahvaz_plans)[:3]:
        assert client.get(f"/audit/amendments/{amendment.pk}/").status_code == 404
        assert client.get(f"/api/v1/audit/amendments/{amendment.pk}/timeline").status_code == 404
    mine = AuditEvent.objects.filter(scope_plan__in=shushtar_plans).latest("pk")
    assert client.get(f"/audit/events/{mine.pk}/").status_code == 200


def test_each_city_has_its_public_plan(two_cities):
    anonymous = Client()
    ahvaz = Plan.objects.get(code="ahvaz-1407")
    shushtar = Plan.objects.get(code="shushtar-1407")
    first = anonymous.get("/public/").content.decode()
    assert ahvaz.name_fa in first and "?city=shushtar" in first  # the first city, and the way to the others
    page = anonymous.get("/public/?city=shushtar").content.decode()
    assert shushtar.name_fa in page and ahvaz.name_fa not in page
    assert "/public/versions/1/?city=shushtar" in page and "/public/indicators/?city=shushtar" in page
    version = anonymous.get("/public/versions/1/?city=shushtar")
    assert version.status_code == 200 and shushtar.versions.get().fingerprint in version.content.decode()
    for title in Amendment.objects.filter(plan=ahvaz).values_list("title", flat=True):
        assert title not in page
    assert anonymous.get("/public/?city=no-such-city").status_code == 404


def test_a_seat_in_another_city_carries_no_role_there(two_cities):
    """Ahvaz's policy secretary who also sits on a Shushtar committee sees that committee's work,
    and neither takes nor sees Shushtar's revision steps with the role they hold in Ahvaz."""
    policy = User.objects.get(username="policy")
    committee = Plan.objects.get(code="shushtar-1407").committees.get(code="C03")
    from people.services import membership_grant

    membership_grant(committee=committee, user=policy, seat=Membership.Seat.MEMBER)
    policy = User.objects.get(pk=policy.pk)
    assert cities_of(policy) == frozenset({two_cities["ahvaz"].pk, two_cities["shushtar"].pk})
    waiting = Revision.objects.get(plan__municipality=two_cities["shushtar"], status="policy_council")
    task = revision_open_task(waiting)
    with pytest.raises(NotAllowed):
        revision_decide(task=task, acting_user=policy, outcome="approve")
    with pytest.raises(NotAllowed):
        task_claim(task=task, acting_user=policy)
    client = Client()
    client.force_login(policy)
    assert client.get(f"/tasks/revisions/{waiting.pk}/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    queue = client.get("/api/v1/tasks/queue").json()["results"]
    assert task.pk not in {row["id"] for row in queue}
    assert policy.pk not in {p.pk for p in task_candidates(task)}
    # their own seat's work in Shushtar they do see
    assert client.get("/plan/?plan=shushtar-1407").status_code == 200


def test_no_one_delegates_to_another_city_and_an_old_such_delegation_shows_nothing(two_cities):
    """Ahvaz's integration group may not name Shushtar's as substitute (the same role, another
    city); a delegation made before the rule carries nothing: no queue, no claim."""
    import datetime as dt

    from django.utils import timezone

    from people.models import Delegation
    from people.selectors import delegation_problem, delegators_of
    from people.services import DelegationInvalid, delegation_create

    ahvaz, shushtar = User.objects.get(username="integration"), User.objects.get(username="sh-integration")
    today = timezone.localdate()
    assert delegation_problem(ahvaz, shushtar) and delegation_problem(shushtar, ahvaz)
    with pytest.raises(DelegationInvalid):
        delegation_create(delegator=ahvaz, substitute=shushtar, starts_on=today, ends_on=today)
    assert not Delegation.objects.filter(delegator=ahvaz).exists()
    # within the city the same role still stands in
    from people.roles import Role
    from people.services import city_access_grant, user_create

    colleague = user_create(username="ahvaz-integration-x", password="x-Long-pass-1234", roles=[Role.INTEGRATION])
    city_access_grant(user=colleague, municipality=two_cities["ahvaz"])
    assert delegation_problem(ahvaz, colleague) is None

    own = Client(raise_request_exception=False)
    own.force_login(ahvaz)
    ahvaz_queue = {row["id"] for row in own.get("/api/v1/tasks/queue").json()["results"]}
    assert ahvaz_queue  # the demo leaves Ahvaz's integration group work to claim
    Delegation.objects.create(delegator=ahvaz, substitute=shushtar, starts_on=today, ends_on=today + dt.timedelta(1))
    assert delegators_of(shushtar) == []
    client = Client(raise_request_exception=False)
    client.force_login(shushtar)
    queue = {row["id"] for row in client.get("/api/v1/tasks/queue").json()["results"]}
    assert not queue & ahvaz_queue
    for pk in ahvaz_queue:
        assert client.post(f"/tasks/{pk}/claim/").status_code == 404
    page = client.get("/queue/").content.decode()
    assert not [m for m in _markers(two_cities["ahvaz"]) if m in page]


def test_a_seat_in_another_city_opens_no_reading_that_a_role_gives(two_cities):
    """An auditor and an integration member of Ahvaz who also sit on a Shushtar committee: the seat
    shows that committee's work, never Shushtar's audit timelines, revision documents or the
    integration group's pool of accepted amendments."""
    from django.core.files.base import ContentFile

    from people.roles import Role
    from people.services import city_access_grant, membership_grant, user_create
    from plan.services.attachments import attachment_add

    shushtar_plan = Plan.objects.get(code="shushtar-1407")
    committee = shushtar_plan.committees.get(code="C03")
    auditor = user_create(username="ahvaz-auditor", password="x-Long-pass-1234", roles=[Role.AUDITOR])
    city_access_grant(user=auditor, municipality=two_cities["ahvaz"])
    integration = User.objects.get(username="integration")
    for person in (auditor, integration):
        membership_grant(committee=committee, user=person, seat=Membership.Seat.MEMBER)
    revision = Revision.objects.filter(plan=shushtar_plan).latest("pk")
    attachment_add(
        subject=revision,
        upload=ContentFile(b"%PDF-1.4\n%%EOF\n", name="صورتجلسه-زیرزمینی.pdf"),
        acting_user=User.objects.get(username="sh-integration"),
    )
    elsewhere = Amendment.objects.filter(plan=shushtar_plan).exclude(committee=committee).first()

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=auditor.pk))
    for url in (
        f"/audit/amendments/{elsewhere.pk}/",
        f"/api/v1/audit/amendments/{elsewhere.pk}/timeline",
        f"/audit/revisions/{revision.pk}/",
        f"/api/v1/audit/revisions/{revision.pk}/timeline",
    ):
        assert client.get(url).status_code == 404, url
    history = client.get(f"/audit/items/?plan={shushtar_plan.pk}&code=IND3.1.1").content.decode()
    assert shushtar_plan.name_fa not in history

    search = "/search/?q=صورتجلسه&kind=documents&plan=shushtar-1407"
    client.force_login(User.objects.get(username="sh-integration"))
    assert "زیرزمینی" in client.get(search).content.decode()  # Shushtar's own group finds it
    client.force_login(User.objects.get(pk=integration.pk))
    assert "زیرزمینی" not in client.get(search).content.decode()
    accepted = Amendment.objects.filter(plan=shushtar_plan, status="accepted").values_list("title", flat=True)
    pool = client.get("/tasks/revisions/new/").content.decode()
    assert not [title for title in accepted if title in pool]
    # while the seat's own work in Shushtar stays theirs
    assert client.get("/plan/?plan=shushtar-1407").status_code == 200
