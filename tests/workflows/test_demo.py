import pytest
from django.core.management import call_command

from approvals.selectors import amendments_visible_to, inbox, queue
from people.models import User
from plan.models import Amendment, Revision

pytestmark = pytest.mark.django_db


def test_every_demo_approver_finds_work_waiting(capsys):
    call_command("load_demo")
    capsys.readouterr()
    waiting = {}
    for username in ("member", "chair", "integration", "policy", "council", "governorate", "planning", "member-c01"):
        user = User.objects.get(username=username)
        waiting[username] = sorted({row.stage for row in inbox(user) + queue(user)})
    assert waiting == {
        "member": ["draft"],  # the waste committee has answered the year's call
        "chair": ["confirm_actuals", "sign_off"],  # a correction of 1404's figures, and a sign-off
        "integration": ["assemble", "integration"],  # the year's revision, rolling the horizon
        "member-c01": ["answer_call"],
        "policy": ["policy_council"],
        "council": ["city_council"],
        "governorate": ["governorate"],
        "planning": ["issuance"],
    }
    # the second city's people find their city's work, and only theirs
    second = {
        username: sorted(
            {
                row.stage
                for row in inbox(User.objects.get(username=username)) + queue(User.objects.get(username=username))
            }
        )
        for username in ("sh-member", "sh-chair", "sh-integration", "sh-policy", "sh-council", "sh-planning")
    }
    assert second == {
        "sh-member": ["draft"],
        "sh-chair": ["sign_off"],
        "sh-integration": [],
        "sh-policy": ["policy_council"],
        "sh-council": [],
        "sh-planning": [],
    }
    auditor = User.objects.get(username="auditor")
    assert inbox(auditor) == queue(auditor) == []
    # twelve of the approval path, the roll-forward and the waste committee's figures for 1408
    ahvaz = Amendment.objects.filter(plan__code="ahvaz-1407")
    assert amendments_visible_to(auditor).count() == Amendment.objects.count() == ahvaz.count() + 3
    assert ahvaz.count() == 14
    assert set(Revision.objects.values_list("status", flat=True)) == {
        "assembling",
        "issued",
        "policy_council",
        "city_council",
        "governorate",
        "confirmed",
    }
    call_command("load_demo")  # a second run adds nothing
    assert Amendment.objects.count() == 17


def test_the_demo_opens_on_history(capsys):
    """Last year's revision is issued (items added, retired, changed), one amendment was returned
    once, and a revision waits inside the governorate's window."""
    from plan.models import IssuedVersion
    from plan.selectors import version_state, versions_diff

    call_command("load_demo")
    capsys.readouterr()
    assert IssuedVersion.objects.filter(plan__code="ahvaz-1407").count() == 3
    assert IssuedVersion.objects.filter(plan__code="shushtar-1407").count() == 1
    v1, v2 = IssuedVersion.objects.filter(plan__code="ahvaz-1407").order_by("number")[:2]
    changes = {entry["change"] for entry in versions_diff(v1, v2)}
    assert {"added", "retired", "changed"} <= changes
    assert "ACT-S1403" in version_state(v2)
    assert Amendment.objects.filter(rounds=2, status="issued").count() == 1
    assert Revision.objects.filter(status="governorate").count() == 1
