"""The demo scenario: last year's issued revision, and amendments and revisions at every stage, so
each demo user has work waiting and history to read.

Loaded once by `manage.py load_demo`, after the plan and the demo users, through the same
services a person's decisions go through (so the audit trail tells the demo's story too).
"""

import datetime as dt

from django.utils import timezone

from approvals.models import Deadline
from people.models import User
from plan.models import Amendment
from plan.selectors import version_in_force, version_state
from plan.services import amendment_operations_set
from workflows.selectors import open_task, revision_open_task
from workflows.services import amendment_draft_start, decide, revision_decide, revision_start
from workflows.simulation import Simulation


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
    _advance(_drafted(plan, "C02", "بازتنظیم هدف تفکیک از مبدأ", 2), to="sign_off")  # the chair's queue
    _advance(_drafted(plan, "C04", "هدف تازه برای هویت بصری محورها"), to="integration")  # integration's queue

    def revision(codes, title):
        amendments = [_advance(_drafted(plan, code, f"اصلاحیه {title}"), to="accepted") for code in codes]
        made = revision_start(
            plan=plan, year=1404, title=title, amendments=amendments, acting_user=users["integration"]
        )
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
