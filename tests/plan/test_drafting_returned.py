"""A draft sent back to its drafter says why, at the top of the page they must fix it on."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_returned_draft_says_why_at_the_top(client, plan, people):
    from plan.services import amendment_operations_set
    from workflows.selectors import open_task
    from workflows.services import amendment_draft_start, decide

    member = people["waste-member"]
    amendment = amendment_draft_start(
        plan=plan, committee=plan.committees.get(code="C02"), drafted_by=member, title="ب"
    )
    amendment_operations_set(
        amendment=amendment,
        acting_user=member,
        operations=[
            {"action": "change", "code": "IND3.1.1", "justification": "j", "values": {"targets.1405": {"new": 9}}}
        ],
    )
    decide(task=open_task(amendment), acting_user=member, outcome="submit")
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="return", reason="مستند هدف کجاست؟")
    client.force_login(member)
    page = client.get(f"/plan/amendments/{amendment.pk}/").content.decode()
    top = page.split('id="returned-title"', 1)
    assert len(top) == 2 and "مستند هدف کجاست؟" in top[1].split("</section>", 1)[0]
    assert page.index('id="returned-title"') < page.index("Operations" if "Operations" in page else "عملیات")
