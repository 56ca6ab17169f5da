import pytest
from django.core.management import call_command

from approvals.models import User
from approvals.selectors import amendments_visible_to, inbox, queue
from plan.models import Amendment
from workflows.models import Revision

pytestmark = pytest.mark.django_db


def test_every_demo_approver_finds_work_waiting(capsys):
    call_command("load_demo")
    capsys.readouterr()
    waiting = {}
    for username in ("member", "chair", "integration", "policy", "council", "governorate", "planning"):
        user = User.objects.get(username=username)
        waiting[username] = sorted({row.stage for row in inbox(user) + queue(user)})
    assert waiting == {
        "member": ["draft"],
        "chair": ["sign_off"],
        "integration": ["integration"],
        "policy": ["policy_council"],
        "council": ["city_council"],
        "governorate": ["governorate"],
        "planning": ["issuance"],
    }
    auditor = User.objects.get(username="auditor")
    assert inbox(auditor) == queue(auditor) == []
    assert amendments_visible_to(auditor).count() == Amendment.objects.count() == 8
    assert set(Revision.objects.values_list("status", flat=True)) == {
        "policy_council",
        "city_council",
        "governorate",
        "confirmed",
    }
    call_command("load_demo")  # a second run adds nothing
    assert Amendment.objects.count() == 8
