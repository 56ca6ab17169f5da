"""Five years of the plan's life, driven through the services as people would drive them.

`manage.py simulate_years` runs it on the demo plan (after `load_demo`); the crawler test runs it
and then reads every page; the demo loads its first year. Each year has an annual revision, and
two years a mid-year one with a single amendment, covering every way out of every state:

- year 1: items added, retired and changed; an amendment returned once by its chair; a mid-year
  revision confirmed by the governorate's silence;
- year 2: two amendments of one committee overlap (one is taken out of the package), a mid-year
  revision issues meanwhile (the annual one is rebased at issuance), the policy council returns
  the package once, the city council approves it without one amendment;
- year 3: an item moved; the governorate objects and the council amends: the content reopens,
  an amendment is returned to its drafter, reworked and added back, a new vote, a new window;
- year 4: an objection the council insists on, upheld by the dispute board; a revision the city
  council rejects;
- year 5: two revisions approved on the same field: the first issues, the second is refused at
  issuance, goes back to assembly, returns the colliding amendment and issues the rest; a revision
  withdrawn at assembly.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from core.jalali import persian_digits
from people.models import User
from plan.models import Amendment, Plan, PlanItem, Revision
from plan.schema import Kind
from plan.selectors import version_in_force, version_state
from plan.services import amendment_operations_set
from workflows.selectors import open_task, revision_open_task
from workflows.services import amendment_draft_start, decide, revision_decide, revision_start

WHY = "بر پایه عملکرد سال گذشته و اعتبارات مصوب"
PASSING = {"present": 11, "votes_for": 8, "votes_against": 2, "abstentions": 1}
FAILING = {"present": 11, "votes_for": 4, "votes_against": 6, "abstentions": 1}


def _code_key(code: str):
    return [int(p) if p.isdigit() else p for p in code.replace(".", " ").replace("-", " ").split()]


@dataclass
class Simulation:
    plan: Plan
    log: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.people = {
            name: User.objects.get(username=name)
            for name in ("integration", "policy", "council", "governorate", "planning")
        }
        self.today = timezone.localdate()
        self.serial = self.plan.versions.count()

    # -- people and items

    def drafters(self, committee: str) -> tuple[User, User]:
        if committee == "C02":
            return User.objects.get(username="member"), User.objects.get(username="chair")
        code = committee.lower()
        return User.objects.get(username=f"member-{code}"), User.objects.get(username=f"chair-{code}")

    def owned(self, committee: str, kind: str) -> list[str]:
        """The codes of a kind that the committee owns in the version in force, in the plan's order."""
        state = version_state(version_in_force(self.plan))
        outputs = {c for c, item in state.items() if item["kind"] == Kind.OUTPUT and item.get("committee") == committee}
        if kind == Kind.OUTPUT:
            return sorted(outputs, key=_code_key)
        return sorted((c for c, i in state.items() if i["kind"] == kind and i.get("parent") in outputs), key=_code_key)

    def change_target(self, committee: str, *, nth: int = 0, year: int | None = None, delta: int = 2) -> dict:
        state = version_state(version_in_force(self.plan))
        year = year or self.plan.operational_end_year
        indicator = self.owned(committee, Kind.INDICATOR)[nth]
        current = state[indicator].get(f"targets.{year}") or 0
        return {
            "action": "change",
            "code": indicator,
            "justification": WHY,
            "values": {f"targets.{year}": {"new": current + delta}},
        }

    def add_action(self, committee: str, code: str) -> dict:
        output = self.owned(committee, Kind.OUTPUT)[0]
        used = set(PlanItem.objects.filter(plan=self.plan).values_list("code", flat=True))
        base, n = code, 1
        while code in used:  # a second run of the simulation: codes are never reused
            n += 1
            code = f"{base}-{n}"
        return {
            "action": "add",
            "code": code,
            "kind": "action",
            "justification": WHY,
            "values": {"parent": output, "name_fa": f"اقدام تازه {code}", "responsible_unit": "معاونت برنامه‌ریزی"},
        }

    def retire_action(self, committee: str) -> dict:
        return {"action": "retire", "code": self.owned(committee, Kind.ACTION)[-1], "justification": WHY}

    def move_action(self, committee: str) -> dict:
        state = version_state(version_in_force(self.plan))
        outputs = self.owned(committee, Kind.OUTPUT)
        action = self.owned(committee, Kind.ACTION)[0]
        target = next(o for o in outputs if o != state[action]["parent"])
        return {"action": "move", "code": action, "justification": WHY, "values": {"parent": {"new": target}}}

    # -- amendments

    def drafted(self, committee: str, title: str, operations: list[dict]) -> Amendment:
        member, _chair = self.drafters(committee)
        amendment = amendment_draft_start(
            plan=self.plan, committee=self.plan.committees.get(code=committee), drafted_by=member, title=title
        )
        amendment_operations_set(amendment=amendment, operations=operations, acting_user=member)
        return amendment

    def accepted(self, committee: str, title: str, operations: list[dict], *, returned_once=False) -> Amendment:
        amendment = self.drafted(committee, title, operations)
        return self.through_committee(amendment, returned_once=returned_once)

    def through_committee(self, amendment: Amendment, *, returned_once=False) -> Amendment:
        member, chair = self.drafters(amendment.committee.code)
        decide(task=open_task(amendment), acting_user=member, outcome="submit")
        if returned_once:
            decide(task=open_task(amendment), acting_user=chair, outcome="return", reason="مستندات هدف را بیفزایید")
            decide(task=open_task(amendment), acting_user=member, outcome="submit")
        decide(task=open_task(amendment), acting_user=chair, outcome="approve")
        decide(task=open_task(amendment), acting_user=self.people["integration"], outcome="approve")
        amendment.refresh_from_db()
        return amendment

    # -- revisions

    def revision(self, title: str, year: int, amendments: list[Amendment]) -> Revision:
        revision = revision_start(
            plan=self.plan, year=year, title=title, amendments=amendments, acting_user=self.people["integration"]
        )
        self.log.append(f"{title}: assembled with {len(amendments)} amendments")
        return revision

    def act(self, revision: Revision, role: str, outcome: str, **details) -> None:
        revision_decide(task=revision_open_task(revision), acting_user=self.people[role], outcome=outcome, **details)

    def vote(self, revision: Revision, outcome="approve", *, silent=False, tally=PASSING, **details) -> None:
        """The city council's session; the resolution is notified to the governorate today, or,
        for a window left to run out, twenty days ago."""
        session = self.today - dt.timedelta(days=21)
        notified = self.today - dt.timedelta(days=20) if silent else self.today
        self.act(
            revision,
            "council",
            outcome,
            session_date=session,
            notified_on=notified,
            resolution_number=f"{revision.year}/{revision.pk}/{revision.rounds}",
            **tally,
            **details,
        )

    def to_governorate(self, revision: Revision, *, silent=False, **vote) -> None:
        self.act(revision, "integration", "submit")
        self.act(revision, "policy", "approve")
        self.vote(revision, silent=silent, **vote)

    def issue(self, revision: Revision) -> None:
        self.serial += 1
        self.act(revision, "planning", "issue", issuance_number=f"{revision.year}/ابلاغ/{self.serial}")
        revision.refresh_from_db()
        self.log.append(f"{revision.title}: issued as version {revision.issued_version.number}")

    def confirmed_by_silence(self, revision: Revision) -> None:
        fire_due_timers()  # what Celery beat does every minute
        revision.refresh_from_db()
        if revision.status != Revision.Status.CONFIRMED:
            raise RuntimeError(f"the objection window of {revision} did not close")

    # -- the years

    def year_one(self, year: int) -> Revision:
        returned = self.accepted(
            "C01", f"هدف‌های تازه {persian_digits(year)}", [self.change_target("C01")], returned_once=True
        )
        added = self.accepted(
            "C02",
            f"اقدام تازه پسماند {persian_digits(year)}",
            [self.add_action("C02", f"ACT-S{year}"), self.change_target("C02")],
        )
        retired = self.accepted("C03", f"کنار گذاشتن اقدام {persian_digits(year)}", [self.retire_action("C03")])
        annual = self.revision(f"بازنگری سالانه {persian_digits(year)}", year, [returned, added, retired])
        self.to_governorate(annual)
        self.act(annual, "governorate", "confirm")
        self.issue(annual)
        mid = self.revision(
            f"اصلاح میان‌سالی {persian_digits(year)}",
            year,
            [self.accepted("C04", "اصلاح فوری", [self.change_target("C04")])],
        )
        self.to_governorate(mid, silent=True)
        self.confirmed_by_silence(mid)
        self.issue(mid)
        return annual

    def year_two(self, year: int) -> None:
        first = self.accepted("C05", f"هدف تازه {persian_digits(year)}", [self.change_target("C05")])
        overlapping = self.accepted("C05", f"هدف دیگر {persian_digits(year)}", [self.change_target("C05", delta=5)])
        other = self.accepted("C06", f"بازتنظیم {persian_digits(year)}", [self.change_target("C06")])
        left_out = self.accepted("C07", f"پیشنهاد {persian_digits(year)}", [self.change_target("C07", nth=1)])
        annual = self.revision(f"بازنگری سالانه {persian_digits(year)}", year, [first, overlapping, other, left_out])
        self.act(annual, "integration", "remove", reason="با اصلاحیه دیگر کمیته هم‌پوشان است", chosen=[overlapping.pk])
        # meanwhile a single amendment goes through on its own and is issued first
        mid = self.revision(
            f"اصلاح میان‌سالی {year}", year, [self.accepted("C08", "اصلاح فوری", [self.change_target("C08")])]
        )
        self.to_governorate(mid)
        self.act(mid, "governorate", "confirm")
        self.issue(mid)
        self.act(annual, "integration", "submit")
        self.act(annual, "policy", "return", reason="اعتبارات سال دوم روشن نیست")
        self.to_governorate(annual, outcome="approve_partial", excluded=[left_out.pk], reason="پیشنهاد کمیته ۷ زود است")
        self.act(annual, "governorate", "confirm")
        self.issue(annual)  # drafted before the mid-year version: rebased at issuance

    def year_three(self, year: int) -> None:
        added = self.accepted("C08", f"اقدام تازه {year}", [self.add_action("C08", f"ACT-S{year}")])
        moved = self.accepted("C09", f"جابه‌جایی اقدام {year}", [self.move_action("C09")])
        annual = self.revision(f"بازنگری سالانه {year}", year, [added, moved])
        self.to_governorate(annual)
        self.act(annual, "governorate", "object", legal_ground="مغایرت با بند ۲ ماده ۸۰ قانون شوراها")
        self.act(annual, "council", "amend", reason="بند مورد اعتراض اصلاح می‌شود")
        self.act(annual, "integration", "return", reason="جابه‌جایی را با نظر فرمانداری بازبینی کنید", chosen=[moved.pk])
        self.through_committee(Amendment.objects.get(pk=moved.pk))  # the drafter reworks it, accepted again
        self.act(annual, "integration", "add", reason="اصلاحیه بازبینی‌شده بازگشت", added=[moved.pk])
        self.to_governorate(annual)
        self.act(annual, "governorate", "confirm")
        self.issue(annual)

    def year_four(self, year: int) -> None:
        annual = self.revision(
            f"بازنگری سالانه {year}",
            year,
            [
                self.accepted("C10", f"هدف درآمد {year}", [self.change_target("C10")]),
                self.accepted("C11", f"کنار گذاشتن {year}", [self.retire_action("C11")]),
            ],
        )
        self.to_governorate(annual)
        self.act(annual, "governorate", "object", legal_ground="مغایرت با آیین‌نامه مالی")
        self.act(annual, "council", "insist", reason="شورا بر مصوبه پافشاری کرد")
        self.act(annual, "planning", "upheld", reason="هیئت حل اختلاف مصوبه را تأیید کرد")
        self.issue(annual)
        rejected = self.revision(
            f"اصلاح پیشنهادی {year}",
            year,
            [self.accepted("C01", "هدف بلندپروازانه", [self.change_target("C01", delta=40)])],
        )
        self.act(rejected, "integration", "submit")
        self.act(rejected, "policy", "approve")
        self.vote(rejected, "reject", tally=FAILING, reason="رأی لازم به دست نیامد")

    def year_five(self, year: int) -> None:
        first = self.accepted("C02", f"هدف پسماند {year}", [self.change_target("C02", nth=1)])
        annual = self.revision(f"بازنگری سالانه {year}", year, [first])
        clash = self.accepted("C02", f"هدف پسماند دیگر {year}", [self.change_target("C02", nth=1, delta=7)])
        added = self.accepted("C03", f"اقدام تازه فضای سبز {year}", [self.add_action("C03", f"ACT-S{year}")])
        second = self.revision(f"اصلاح تکمیلی {year}", year, [clash, added])
        self.to_governorate(annual)
        self.to_governorate(second)
        self.act(annual, "governorate", "confirm")
        self.act(second, "governorate", "confirm")
        self.issue(annual)
        self.act(second, "planning", "reassemble", reason="با نسخه تازه در یک شاخص تعارض دارد")
        self.act(second, "integration", "return", reason="بر نسخه تازه بازنویسی شود", chosen=[clash.pk])
        self.to_governorate(second, silent=True)
        self.confirmed_by_silence(second)
        self.issue(second)
        withdrawn = self.revision(
            f"پیش‌نویس کنار گذاشته {year}", year, [self.accepted("C04", "پیشنهاد", [self.change_target("C04", nth=1)])]
        )
        self.act(withdrawn, "integration", "withdraw", reason="به بازنگری سال بعد موکول شد")

    def run(self, years: int = 5, first_year: int | None = None) -> list[str]:
        first_year = first_year or self.plan.operational_start_year + 1
        steps = [self.year_one, self.year_two, self.year_three, self.year_four, self.year_five]
        for offset, run_year in enumerate(steps[:years]):
            run_year(first_year + offset)
        return self.log
