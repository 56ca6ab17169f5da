"""The revision page: amendments, conflicts and their resolution, votes and the window, the stage on
the process diagram, the timeline; and who may open it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from plan.models import Amendment
from tests.scenario import PARKS, VOTE, WASTE
from workflows.selectors import process_diagram, revision_open_task
from workflows.services import revision_decide, revision_start

pytestmark = pytest.mark.django_db


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def act(revision, user, outcome, **kwargs):
    return revision_decide(task=revision_open_task(revision), acting_user=user, outcome=outcome, **kwargs)


@pytest.fixture
def revision(plan, people, accepted):
    first = accepted("C02", WASTE, title="پسماند")
    second = accepted("C03", PARKS, title="فضای سبز")
    return revision_start(
        plan=plan, year=1404, title="بازنگری ۱۴۰۴", amendments=[first, second], acting_user=people["integration"]
    )


def step_classes(html: str) -> dict[str, str]:
    return dict(re.findall(r'<g id="(\w+)" transform="[^"]+" class="(\w+)"', html))


def test_the_page_shows_the_stage_on_the_diagram_and_the_timeline(client, revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    client.force_login(english(people["council"]))
    response = client.get(reverse("workflows:revision", args=[revision.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html
    classes = step_classes(html)
    assert classes["assemble"] == "done" and classes["policy_council"] == "done"
    assert classes["city_council"] in {"new", "assigned"}
    assert "governorate" not in classes  # not reached yet
    assert "پسماند" in html and "فضای سبز" in html
    assert "No amendment overlaps another" in html
    timeline = html[html.index('id="timeline-title"') :]
    assert timeline.index("Committee sign-off") < timeline.index("Policy council")
    assert reverse("workflows:task", args=[revision_open_task(revision).pk]) in html


def test_votes_and_the_days_left_in_the_window(client, revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    act(revision, people["council"], "approve", notified_on=timezone.localdate(), **VOTE)
    client.force_login(english(people["governorate"]))
    html = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    assert "Resolution 1404/112" in html and "8 for, 2 against, 1 abstaining of 11 present" in html
    assert "14 days left" in html
    assert step_classes(html)["governorate"] in {"new", "assigned"}


def test_conflicts_are_named_with_both_sides(client, plan, people, accepted):
    first = accepted("C02", WASTE, title="یکم")
    second = accepted("C02", [{**WASTE[0], "values": {"targets.1405": {"new": 70}}}], title="دوم")
    revision = revision_start(
        plan=plan, year=1404, title="r", amendments=[first, second], acting_user=people["integration"]
    )
    client.force_login(english(people["integration"]))
    html = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    assert "both change the same field" in html and "IND3.1.1" in html and "یکم" in html and "دوم" in html


def test_a_partial_approval_names_what_went_back_to_the_pool(client, revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    parks = revision.amendments.get(title="فضای سبز")
    act(
        revision,
        people["council"],
        "approve_partial",
        reason="فضای سبز بعداً",
        excluded=[parks.pk],
        notified_on=timezone.localdate(),
        **VOTE,
    )
    client.force_login(english(people["planning"]))
    html = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    assert "Sent back to the pool by the council" in html
    assert Amendment.objects.get(pk=parks.pk).status == Amendment.Status.ACCEPTED


@pytest.mark.parametrize("name", ["waste-member", "waste-chair", "parks-member"])
def test_committee_members_do_not_see_revisions(client, revision, people, name):
    client.force_login(people[name])
    assert client.get(reverse("workflows:revision", args=[revision.pk])).status_code == 404
    assert client.get(reverse("workflows:task", args=[revision_open_task(revision).pk])).status_code == 404
    assert "بازنگری ۱۴۰۴" not in client.get(reverse("workflows:revisions")).content.decode()


def test_the_diagram_is_drawn_from_the_flow_itself():
    from workflows.flows import AmendmentFlow, RevisionFlow

    revision_svg = process_diagram(RevisionFlow)
    for node in ("assemble", "policy_council", "city_council", "governorate", "reconsideration", "issuance"):
        assert f'<g id="{node}"' in revision_svg
    assert '<g id="sign_off"' in process_diagram(AmendmentFlow)


def test_the_diagram_reads_right_to_left_at_its_own_size():
    import re

    from workflows.flows import RevisionFlow

    svg = process_diagram(RevisionFlow)
    x = {name: float(at) for name, at in re.findall(r'<g id="(\w+)" transform="translate\(([-\d.]+),', svg)}
    # the path starts on the right and ends on the left, as a Persian page reads
    assert x["start"] > x["assemble"] > x["policy_council"] > x["city_council"] > x["issuance"]
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    assert width > 600 and all(0 <= at <= width for at in x.values())  # its own size: 12-unit labels are 12 px
    for segment in re.findall(r'id="\w+__\w+"[^>]* d="M([^"]+)"', svg):
        assert all(0 <= float(p.split(",")[0]) <= width for p in segment.split(" L"))


def test_the_dashboard_shows_the_years_revision_overdue_steps_and_committee_drafts(client, revision, people, plan):
    from workflows.services import amendment_draft_start

    amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=people["waste-member"], title="پیش‌نویس تازه"
    )
    client.force_login(english(people["integration"]))
    html = client.get(reverse("home")).content.decode()
    assert "The year's revision" in html and reverse("workflows:revision", args=[revision.pk]) in html
    assert "overdue" not in html.lower()
    from approvals.models import Deadline

    Deadline.objects.filter(task=revision_open_task(revision)).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    html = client.get(reverse("home")).content.decode()
    assert "1 step is overdue" in html
    client.force_login(english(people["waste-chair"]))
    html = client.get(reverse("home")).content.decode()
    assert "My committees' amendments" in html and "پیش‌نویس تازه" in html
    assert "The year's revision" not in html


def test_the_governorate_page_shows_what_the_board_decides_on(client, revision, people):
    """The resolution and its tally, the window's end and days left, the legal basis, and the date
    silence confirms on: on the board's own task page, not only the revision's."""
    from workflows.selectors import revision_open_task
    from workflows.services import revision_decide

    for user, outcome, details in (
        ("integration", "submit", {}),
        ("policy", "approve", {}),
        ("council", "approve", VOTE),
    ):
        revision_decide(task=revision_open_task(revision), acting_user=people[user], outcome=outcome, **details)
    task = revision_open_task(revision)
    client.force_login(people["governorate"])
    page = client.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "۱۴۰۴/۱۱۲" in page  # the resolution number, in Persian digits
    assert "مصوبه به حکم قانون با سکوت تأیید می‌شود" in page
    assert "80" in page or "۸۰" in page  # the article of the law


def test_the_steps_read_as_a_plain_ordered_list_beside_the_diagram(client, revision, people):
    act(revision, people["integration"], "submit")
    act(revision, people["policy"], "approve")
    client.force_login(english(people["council"]))
    html = client.get(reverse("workflows:revision", args=[revision.pk])).content.decode()
    steps = html.split('<ol class="steps">', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r'<li class="(\w+)"( aria-current="step")?>([^<]+)', steps)
    assert [(state, title.split(" ·")[0]) for state, _current, title in items[:4]] == [
        ("done", "Assemble the revision"),
        ("done", "Policy council"),
        ("current", "City council vote"),
        ("pending", "Governorate conformity review"),
    ]
    assert [current for _s, current, _t in items].count(' aria-current="step"') == 1
