"""Five simulated years, then every demo role walks the site as production serves it (DEBUG off,
hashed static files): every page it reaches by following links, and every object URL, whether it
may see the object or not. No answer may be a server error, and every decided diff shown must be
the one stored with its decision, under the fingerprint that was signed.

URLs come from the data (every task, amendment, revision, version, pair of consecutive versions,
item that changed, audit timeline) and from the admin's registry, not from a hand list.
"""

import html
import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task

from approvals.models import Decision
from audit.models import AuditEvent
from people.models import User
from plan import diff as plan_diff
from plan.models import ActualReport, Amendment, Attachment, CallAnswer, IssuanceLetter, IssuedVersion, Plan, Revision
from plan.selectors import versions_diff
from plan.selectors.actuals import progress_years

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]

ROLES = ["member", "chair", "integration", "policy", "council", "governorate", "planning", "auditor", "admin"]
HREF = re.compile(r'href="([^"#]+)')
DECIDED = re.compile(r'data-fingerprint="decided">([0-9a-f]{64})<')
SKIP = ("/static/", "/logout/", "/language/", "/admin/", "/healthz")
PER_PATH = 3  # distinct query strings followed per path (filters and pages multiply otherwise)


def object_urls() -> list[str]:
    urls = [f"/tasks/{pk}/" for pk in Task.objects.filter(flow_task_type="HUMAN").values_list("pk", flat=True)]
    for pk in Amendment.objects.values_list("pk", flat=True):
        urls += [f"/plan/amendments/{pk}/", f"/audit/amendments/{pk}/"]
    for pk in Revision.objects.values_list("pk", flat=True):
        urls += [f"/tasks/revisions/{pk}/", f"/audit/revisions/{pk}/"]
    # consecutive versions of each plan (the demo's second city has its own)
    plans = [list(IssuedVersion.objects.filter(plan=p).order_by("number")) for p in Plan.objects.order_by("pk")]
    pairs = [pair for versions in plans for pair in zip(versions, versions[1:], strict=False)]
    changed = set()
    for old, new in pairs:
        urls += [f"/plan/?version={new.number}", f"/plan/diff/?from={old.number}&to={new.number}"]
        urls += [f"/public/versions/{new.number}/", f"/public/verify/{new.issuance_number}/"]
        urls += [f"/public/changes.pdf?from={old.number}&to={new.number}"]
        urls += [f"/public/versions/{new.number}/letter.pdf"] if IssuanceLetter.objects.filter(version=new) else []
        changed |= {entry["code"] for entry in versions_diff(old, new)}
    urls += [f"/audit/items/?code={code}" for code in sorted(changed)]
    urls += [f"/audit/events/{pk}/" for pk in AuditEvent.objects.values_list("pk", flat=True)[::7]]
    urls += ["/public/indicators/", "/audit/export.csv", "/audit/export.xlsx", "/no-such-page/", "/tasks/999999/"]
    # the rolling year: every report of figures and answer to a call, each changed item's page, each
    # year's progress (and one committee's), the year in review of the latest year, the year's page
    urls += [f"/plan/actuals/{pk}/" for pk in ActualReport.objects.values_list("pk", flat=True)]
    urls += [f"/tasks/calls/{pk}/" for pk in CallAnswer.objects.values_list("pk", flat=True)]
    # every supporting document, downloaded (or refused) by every role
    urls += [f"/plan/attachments/{pk}/" for pk in Attachment.objects.values_list("pk", flat=True)]
    # the search box (a form, not a link), in each of its modes, and bad queries
    urls += ["/search/?q=جمع آوری", "/search/?q=پسماند&versions=all", "/search/?q=اصلاحیه&kind=amendments"]
    urls += ["/search/?q=%25", "/search/?q=" + "ب" * 300, "/search/?q=x&version=999", "/search/?q=x&kind=nope"]
    # the API as each role reads it with its session (its own tests use tokens)
    urls += ["/api/v1/openapi.json", "/api/v1/docs", "/api/v1/plan/versions", "/api/v1/tasks/inbox"]
    urls += ["/api/v1/tasks/queue", "/api/v1/revisions", "/api/v1/notifications", "/api/v1/audit/events"]
    urls += [
        "/api/schema/",
        "/api/v1/audit/head",
        "/api/v1/audit/verifications",
        "/api/v1/audit/consistency?old_size=1",
    ]
    urls += ["/api/v1/tasks/queue?cursor=bad", "/api/v1/tasks/inbox?committee=C02&step=sign_off", "/oidc/authenticate/"]
    urls += ["/account/two-factor/"]
    for old, new in pairs:
        urls += [f"/api/v1/plan/diff?old={old.number}&new={new.number}", f"/api/v1/plan/versions/{new.number}/export"]
        urls += [f"/api/v1/plan/versions/{new.number}/export?format=xlsx"]
    urls += [f"/api/v1/plan/items/{code}/history" for code in sorted(changed)[:20]]
    for pk in Amendment.objects.values_list("pk", flat=True)[:30]:
        urls += [f"/api/v1/amendments/{pk}", f"/api/v1/audit/amendments/{pk}/timeline"]
    for pk in Revision.objects.values_list("pk", flat=True):
        urls += [f"/api/v1/revisions/{pk}", f"/api/v1/audit/revisions/{pk}/timeline"]
    urls += [f"/plan/items/{code}/" for code in sorted(changed | {"HORIZON", "NO-SUCH-ITEM"})]
    years = progress_years(Plan.objects.order_by("pk").first())
    urls += [f"/plan/progress/?year={year}" for year in years] + ["/plan/progress/?year=1300"]
    urls += [f"/plan/progress/?year={years[-1]}&committee=C02", "/plan/actuals/new/", "/tasks/year/"]
    urls += [f"/plan/actuals/review.xlsx?year={years[-1]}", f"/plan/actuals/review.pdf?year={years[-1]}&committee=C02"]
    return urls


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model._default_manager.order_by("-pk").first()
        if first is not None:
            urls += [
                reverse(f"{prefix}_change", args=[first.pk]),
                reverse(f"{prefix}_history", args=[first.pk]),
            ]
    waiting = Task.objects.filter(flow_task_type="HUMAN", status__in=["NEW", "ASSIGNED"]).order_by("-pk").first()
    if waiting is not None:  # the one page the admin adds to viewflow's task admin
        urls.append(reverse("admin:workflows_task_reassign", args=[waiting.pk]))
    urls.append(reverse("admin:plan_plan_import"))  # and to the plan's: importing one from a file
    return urls


class Crawl:
    def __init__(self, client: Client):
        self.client = client
        self.seen: set[str] = set()
        self.per_path: Counter = Counter()
        self.errors: list[str] = []
        self.decided_checked = 0

    def visit(self, url: str, *, follow_links: bool) -> str | None:
        if url in self.seen:
            return None
        self.seen.add(url)
        response = self.client.get(url)
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {url}")
            return None
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        page = response.content.decode()
        self.check_decided(url, page)
        return page if follow_links else None

    def check_decided(self, url: str, page: str) -> None:
        shown = DECIDED.findall(page)
        if not shown:
            return
        match = re.fullmatch(r"/tasks/(\d+)/", url)
        if match:
            decision = Decision.objects.get(task_id=int(match.group(1)))
        else:
            pk = int(re.fullmatch(r"/plan/amendments/(\d+)/", url).group(1))
            decision = Decision.objects.filter(amendment_id=pk, task__isnull=False).latest("decided_at", "pk")
        if (
            shown != [decision.diff_fingerprint]
            or plan_diff.fingerprint(decision.diff, decision.files) != decision.diff_fingerprint
        ):
            self.errors.append(f"{url}: shows {shown}, decision {decision.pk} signed {decision.diff_fingerprint}")
        # and what is shown is that diff: every item of it is on the page
        shown_codes = set(re.findall(r'<span class="code">([^<]+)</span>', page.split('id="diff-title"', 1)[-1]))
        stored_codes = {entry["code"] for entry in decision.diff}
        if not stored_codes <= shown_codes:
            self.errors.append(f"{url}: the stored diff's items {sorted(stored_codes - shown_codes)} are not shown")
        self.decided_checked += 1

    def links(self, page: str):
        for raw in HREF.findall(page):
            url = html.unescape(raw)
            if not url.startswith("/") or url.startswith("//") or url.startswith(SKIP):
                continue
            path = urlsplit(url).path
            if url != path and self.per_path[path] >= PER_PATH:
                continue
            self.per_path[path] += url != path
            yield url

    def walk(self, start: list[str], *, limit: int = 700) -> None:
        queue = deque(start)
        while queue and len(self.seen) < limit:
            page = self.visit(queue.popleft(), follow_links=True)
            if page:
                queue.extend(u for u in self.links(page) if u not in self.seen)


@pytest.fixture
def five_years(capsys):
    call_command("load_demo")
    call_command("simulate_years")
    capsys.readouterr()
    # the demo's year and the five simulated ones
    assert IssuedVersion.objects.filter(plan__code="ahvaz-1407").count() == 11


def test_every_role_crawls_five_years_without_a_server_error(five_years, production_static):
    objects = object_urls()
    report = {}
    errors = []
    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        crawl = Crawl(client)
        crawl.walk(["/", "/inbox/", "/queue/", "/plan/", "/plan/diff/", "/tasks/revisions/", "/audit/", "/public/"])
        for url in objects:
            crawl.visit(url, follow_links=False)
        report[username] = (len(crawl.seen), crawl.decided_checked)
        errors += [f"{username}: {e}" for e in crawl.errors]
    assert not errors, "\n".join(errors[:40])
    # the auditor reads every decided step: each one was checked against its stored decision
    decided_tasks = Decision.objects.filter(task__flow_task_type="HUMAN").count()
    assert report["auditor"][1] >= decided_tasks > 100, report
    assert all(seen > 20 for seen, _checked in report.values()), report


def test_every_admin_page_answers(five_years, production_static):
    """Each registered ModelAdmin's list, add form, and newest object's change and history pages,
    for a superuser, after five years of data."""
    superuser = User.objects.create_superuser("root", "root@baznegar.invalid", "x" * 20)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    crawl = Crawl(client)
    urls = admin_urls()
    assert len(urls) > 3 * len(admin.site._registry)
    for url in urls:
        crawl.visit(url, follow_links=False)
    assert not crawl.errors, "\n".join(crawl.errors)
