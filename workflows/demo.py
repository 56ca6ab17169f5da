"""The demo scenario: last year's issued revision, and amendments and revisions at every stage, so
each demo user has work waiting and history to read.

Loaded once by `manage.py load_demo`, after the plan and the demo users, through the same
services a person's decisions go through (so the audit trail tells the demo's story too).
"""

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from approvals.models import Deadline
from people.models import User
from plan.models import Amendment, AnnualCall, ProgressRules
from plan.progress import planned_progress
from plan.selectors import version_in_force, version_state
from plan.selectors.actuals import committee_items
from plan.services import amendment_operations_set
from plan.services.attachments import attachment_add
from workflows.selectors import open_task, revision_open_task
from workflows.services import (
    actuals_decide,
    actuals_enter,
    amendment_draft_start,
    annual_call_open,
    call_answer,
    decide,
    revision_decide,
    revision_start,
    roll_forward_figures,
    roll_forward_start,
)
from workflows.simulation import Simulation
from workflows.year_selectors import answer_open_task


def _operation(plan, committee_code: str, bump: int) -> list[dict]:
    state = version_state(version_in_force(plan))
    output = min(
        (code for code, item in state.items() if item["kind"] == "output" and item.get("committee") == committee_code),
        key=lambda code: [int(p) if p.isdigit() else p for p in code.replace(".", " ").split()],
    )
    indicator = min(code for code, item in state.items() if item["kind"] == "indicator" and item["parent"] == output)
    current = state[indicator].get("targets.1406") or 0
    return [
        {
            "action": "change",
            "code": indicator,
            "justification": "بر پایه عملکرد ۱۴۰۳ و اعتبارات مصوب ۱۴۰۴",
            "values": {"targets.1406": {"new": current + bump}},
        }
    ]


def _users(committee_code: str) -> tuple[User, User]:
    if committee_code == "C02":
        return User.objects.get(username="member"), User.objects.get(username="chair")
    code = committee_code.lower()
    return User.objects.get(username=f"member-{code}"), User.objects.get(username=f"chair-{code}")


def _drafted(plan, committee_code, title, bump=3):
    member, _chair = _users(committee_code)
    committee = plan.committees.get(code=committee_code)
    amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=member, title=title)
    amendment_operations_set(amendment=amendment, operations=_operation(plan, committee_code, bump), acting_user=member)
    return amendment


def _advance(amendment, *, to: str):
    member, chair = _users(amendment.committee.code)
    integration = User.objects.get(username="integration")
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    if to == "sign_off":
        return amendment
    decide(task=open_task(amendment), acting_user=chair, outcome="approve")
    if to == "integration":
        return amendment
    decide(task=open_task(amendment), acting_user=integration, outcome="approve")
    amendment.refresh_from_db()
    return amendment


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF naming what it stands for: the demo's supporting documents."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _attach(subject, name: str, content: bytes) -> None:
    """A supporting document, attached by whoever may: the drafter of an amendment, the group for a revision."""
    person = subject.drafted_by if isinstance(subject, Amendment) else User.objects.get(username="integration")
    attachment_add(subject=subject, upload=ContentFile(content, name=name), acting_user=person)


def demo_scenario_ensure(plan) -> bool:
    """Create the scenario once; returns whether it was created now."""
    if Amendment.objects.filter(plan=plan).exists():
        return False
    users = {name: User.objects.get(username=name) for name in ("integration", "policy", "council", "governorate")}
    today = timezone.localdate()
    vote = {
        "present": 11,
        "votes_for": 9,
        "votes_against": 1,
        "abstentions": 1,
        "session_date": today,
        "notified_on": today,
    }

    # last year's revision, issued: items added, retired and changed, an amendment returned once by
    # its chair, and a mid-year revision confirmed by the governorate's silence; so the history
    # pages (versions, diffs, item histories, decided tasks) are what a newcomer sees first
    Simulation(plan).year_one(plan.operational_start_year)

    overdue = _drafted(plan, "C02", "افزایش هدف جمع‌آوری بهنگام پسماند")  # the member's own draft
    # ... and it is overdue, so the reminder sweep (Celery beat) tells the member without anyone acting
    Deadline.objects.filter(task=open_task(overdue)).update(due_on=today - dt.timedelta(days=3))
    # the chair's queue: an amendment with the study behind it, and the committee's figures
    separation = _drafted(plan, "C02", "بازتنظیم هدف تفکیک از مبدأ", 2)
    _attach(separation, "مطالعه تفکیک از مبدأ ۱۴۰۳.pdf", demo_pdf("Source separation study 1403"))
    _attach(separation, "ارقام تفکیک.csv", "منطقه,سهم تفکیک\n۱,۱۲\n۲,۹\n".encode())
    _advance(separation, to="sign_off")
    _advance(_drafted(plan, "C04", "هدف تازه برای هویت بصری محورها"), to="integration")  # integration's queue

    def revision(codes, title):
        amendments = [_advance(_drafted(plan, code, f"اصلاحیه {title}"), to="accepted") for code in codes]
        made = revision_start(
            plan=plan, year=1404, title=title, amendments=amendments, acting_user=users["integration"]
        )
        _attach(made, f"صورتجلسه کارگروه تلفیق - {title}.pdf", demo_pdf("Integration working group minutes"))
        revision_decide(task=revision_open_task(made), acting_user=users["integration"], outcome="submit")
        return made

    revision(["C05", "C06"], "بازنگری سالانه ۱۴۰۴")  # at the policy council
    at_council = revision(["C07"], "اصلاح فوری دفع آب‌های سطحی")
    revision_decide(task=revision_open_task(at_council), acting_user=users["policy"], outcome="approve")
    at_board = revision(["C08"], "اصلاح نظام مدیریت عملکرد")
    revision_decide(task=revision_open_task(at_board), acting_user=users["policy"], outcome="approve")
    revision_decide(
        task=revision_open_task(at_board),
        acting_user=users["council"],
        outcome="approve",
        resolution_number="۱۴۰۴/۲۱۵",
        **vote,
    )
    to_issue = revision(["C10"], "اصلاح اهداف درآمد پایدار")
    revision_decide(task=revision_open_task(to_issue), acting_user=users["policy"], outcome="approve")
    revision_decide(
        task=revision_open_task(to_issue),
        acting_user=users["council"],
        outcome="approve",
        resolution_number="۱۴۰۴/۲۰۹",
        **vote,
    )
    revision_decide(task=revision_open_task(to_issue), acting_user=users["governorate"], outcome="confirm")
    return True


def demo_second_city_ensure(plan) -> bool:
    """The second city's work, once: a draft of its member's, an amendment waiting for its chair,
    and a revision at its policy council; its own people only. Returns whether it was made now."""
    if Amendment.objects.filter(plan=plan).exists():
        return False
    people = {name: User.objects.get(username=f"sh-{name}") for name in ("member", "chair", "integration")}
    committee = plan.committees.get(code="C01")

    def drafted(title, bump):
        amendment = amendment_draft_start(plan=plan, committee=committee, drafted_by=people["member"], title=title)
        amendment_operations_set(
            amendment=amendment, operations=_operation(plan, "C01", bump), acting_user=people["member"]
        )
        return amendment

    drafted("پیش‌نویس روسازی محله‌های قدیم شوشتر", 4)  # the member's draft
    at_chair = drafted("بازتنظیم هدف روسازی شوشتر", 2)
    decide(task=open_task(at_chair), acting_user=people["member"], outcome="submit")
    packaged = drafted("اصلاح هدف روسازی معابر شوشتر", 5)
    decide(task=open_task(packaged), acting_user=people["member"], outcome="submit")
    decide(task=open_task(packaged), acting_user=people["chair"], outcome="approve")
    decide(task=open_task(packaged), acting_user=people["integration"], outcome="approve")
    packaged.refresh_from_db()
    made = revision_start(
        plan=plan,
        year=1404,
        title="بازنگری سالانه شوشتر ۱۴۰۴",
        amendments=[packaged],
        acting_user=people["integration"],
    )
    revision_decide(task=revision_open_task(made), acting_user=people["integration"], outcome="submit")
    return True


# The year's record: figures for the two years gone by, with a realistic mix of items achieved, on
# track, at risk and off track (the same for every load: drawn from each code, not at random).
SOURCE = "سامانه پایش عملکرد شهرداری"
EVIDENCE = "گزارش پایان سال واحد مسئول"


def _draw(code: str, year: int, salt: str = "") -> float:
    digest = hashlib.sha256(f"{code}:{year}:{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _share(code: str, year: int) -> float:
    """How far along an item is: a third achieved, some on track, fewer at risk, a few off track."""
    draw = _draw(code, year)
    if draw < 0.33:
        return 1.05
    if draw < 0.63:
        return 0.92 + 0.05 * _draw(code, year, "fine")
    if draw < 0.85:
        return 0.72 + 0.15 * _draw(code, year, "fine")
    return 0.35 + 0.3 * _draw(code, year, "fine")


def _figure(item: dict, year: int) -> dict | None:
    share = _share(item["code"], year)
    if item["kind"] == "indicator":
        target, baseline = item.get(f"targets.{year}"), item.get("baseline")
        if target is None:
            return None
        if baseline is not None and baseline != target:
            value = baseline + share * (target - baseline)
        else:
            value = target * share if item.get("direction") != "down" else target / share
        return {"code": item["code"], "value": str(round(value, 1)), "source": SOURCE, "evidence": EVIDENCE}
    planned = planned_progress(item, year)
    budget = item.get(f"budgets.{year}")
    if planned is None or budget is None:
        return None
    spend = int(budget * (0.85 + 0.25 * _draw(item["code"], year, "spend")))
    line = {
        "code": item["code"],
        "progress": str(round(min(100.0, planned * share), 1)),
        "spend": str(spend),
        "source": SOURCE,
    }
    if spend > budget:
        line["over_budget_reason"] = "افزایش قیمت مصالح و دستمزد در نیمه دوم سال"
    return line


def demo_rolling_year_ensure(plan) -> bool:
    """The rolling year in the demo, once: confirmed figures for 1403 and 1404 from every committee
    (and a correction waiting for the waste committee's chair), the call for 1405 with two answers,
    and the year's revision at assembly, rolling the horizon to 1404–1408 with the waste committee's
    figures for 1408."""
    if AnnualCall.objects.filter(plan=plan).exists():
        return False
    ProgressRules.objects.get_or_create(plan=plan)
    state = version_state(version_in_force(plan))
    for committee in plan.committees.order_by("position"):
        member, chair = _users(committee.code)
        items = committee_items(state, committee)
        for year in (1403, 1404):
            entries = [line for line in (_figure(item, year) for item in items) if line]
            if not entries:
                continue
            report = actuals_enter(committee=committee, year=year, entries=entries, acting_user=member)
            actuals_decide(task=open_task(report), acting_user=chair, outcome="approve")
    member, chair = _users("C02")
    waste = plan.committees.get(code="C02")
    first = committee_items(state, waste)[0]
    corrected = {"code": first["code"], "source": SOURCE, "evidence": "گزارش حسابرسی، اصلاح رقم پیشین"}
    figure = _figure(first, 1404) or {}
    corrected.update({k: v for k, v in figure.items() if k in ("value", "progress", "spend")})
    key = "value" if "value" in corrected else "progress"
    corrected[key] = str(round(float(corrected[key]) * 0.97, 1))
    actuals_enter(committee=waste, year=1404, entries=[corrected], acting_user=member, note="اصلاح پس از حسابرسی")

    # the call for 1405, and the year's revision rolling the horizon on
    today = timezone.localdate()
    planning, integration = User.objects.get(username="planning"), User.objects.get(username="integration")
    call = annual_call_open(
        plan=plan,
        year=1405,
        deadline=today + dt.timedelta(days=21),
        acting_user=planning,
        note="با نگاه به عملکرد ۱۴۰۳ و ۱۴۰۴، اصلاحیه‌های خود را پیشنهاد کنید یا اعلام کنید که اصلاحیه‌ای ندارید.",
    )
    roll = roll_forward_start(
        plan=plan,
        acting_user=User.objects.get(username="integration-2"),
        indicator_rule="carry",
        project_rule="trend",
    )
    figures = amendment_draft_start(plan=plan, committee=waste, drafted_by=member, title="اهداف و اعتبارات ۱۴۰۸")
    roll_forward_figures(amendment=figures, acting_user=member)
    _advance(figures, to="accepted")
    answers = {a.committee.code: a for a in call.answers.select_related("committee")}
    call_answer(task=answer_open_task(answers["C02"]), acting_user=member, answer="proposed", note="اهداف ۱۴۰۸")
    parks_member, _parks_chair = _users("C03")
    call_answer(
        task=answer_open_task(answers["C03"]),
        acting_user=parks_member,
        answer="none",
        note="عملکرد کمیته در مسیر برنامه است و اصلاحی لازم نیست.",
    )
    revision_start(
        plan=plan,
        year=1405,
        title="بازنگری سالانه ۱۴۰۵ و حرکت افق به ۱۴۰۴–۱۴۰۸",
        amendments=[roll.amendment, figures],
        acting_user=integration,
    )
    return True
