"""An amendment's process: drafting → committee sign-off → integration, with every loop and refusal."""

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from approvals.models import Decision
from audit.models import AuditEvent
from people.roles import Role
from plan.changesets import ChangesetInvalid
from plan.models import Amendment
from plan.selectors import amendment_preview
from plan.services import amendment_operations_set
from tests.factories import UserFactory
from workflows.selectors import amendment_process, open_task
from workflows.services import DecisionRefused, amendment_draft_start, amendment_withdraw, decide

pytestmark = pytest.mark.django_db
CHANGE = [
    {
        "action": "change",
        "code": "IND3.1.1",
        "justification": "اعتبار کافی نیست",
        "values": {"targets.1405": {"new": 70}},
    }
]


@pytest.fixture
def drafted(plan, waste, people):
    amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=people["waste-member"], title="هدف")
    amendment_operations_set(amendment=amendment, operations=CHANGE, acting_user=people["waste-member"])
    return amendment


def step(amendment):
    task = open_task(amendment)
    return task.flow_task.name if task else None


def test_happy_path_to_acceptance(drafted, people):
    member, chair, integration = people["waste-member"], people["waste-chair"], people["integration"]
    assert step(drafted) == "draft" and open_task(drafted).owner == member
    decide(task=open_task(drafted), acting_user=member, outcome="submit")
    assert step(drafted) == "sign_off"
    fingerprint = amendment_preview(drafted).fingerprint
    decide(task=open_task(drafted), acting_user=chair, outcome="approve", fingerprint=fingerprint)
    assert step(drafted) == "integration"
    decide(task=open_task(drafted), acting_user=integration, outcome="approve", fingerprint=fingerprint)
    drafted.refresh_from_db()
    assert drafted.status == Amendment.Status.ACCEPTED and step(drafted) is None
    process = amendment_process(drafted)
    assert process.status == PROCESS.DONE
    decisions = list(Decision.objects.filter(amendment=drafted).order_by("decided_at"))
    assert [(d.step, d.outcome, d.decided_by) for d in decisions] == [
        ("draft", "submit", member),
        ("sign_off", "approve", chair),
        ("integration", "approve", integration),
    ]
    assert {d.diff_fingerprint for d in decisions} == {fingerprint}
    events = AuditEvent.objects.filter(object_type="plan.amendment", object_id=str(drafted.pk))
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "workflows.amendment.submit",
        "workflows.amendment.sign_off",
        "workflows.amendment.integrate",
    ]
    assert events.get(action="workflows.amendment.sign_off").data["fingerprint"] == fingerprint


def test_return_loops_back_to_drafting_and_counts_rounds(drafted, people):
    member, chair, integration = people["waste-member"], people["waste-chair"], people["integration"]
    decide(task=open_task(drafted), acting_user=member, outcome="submit")
    with pytest.raises(DecisionRefused, match="written reason"):
        decide(task=open_task(drafted), acting_user=chair, outcome="return")
    decide(task=open_task(drafted), acting_user=chair, outcome="return", reason="مستندات کافی نیست")
    drafted.refresh_from_db()
    assert (drafted.status, drafted.rounds, step(drafted)) == (Amendment.Status.RETURNED, 2, "draft")
    assert open_task(drafted).owner == member
    decide(task=open_task(drafted), acting_user=member, outcome="submit")
    decide(task=open_task(drafted), acting_user=chair, outcome="approve")
    decide(task=open_task(drafted), acting_user=integration, outcome="return", reason="تعارض با کمیته دیگر")
    drafted.refresh_from_db()
    assert (drafted.rounds, step(drafted)) == (3, "draft")
    assert (
        list(Decision.objects.filter(amendment=drafted, outcome="return").values_list("round", flat=True)).count(1) == 1
    )


def test_rejection_ends_the_process(drafted, people):
    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")
    decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="approve")
    decide(task=open_task(drafted), acting_user=people["integration"], outcome="reject", reason="خارج از افق برنامه")
    drafted.refresh_from_db()
    assert drafted.status == Amendment.Status.REJECTED and step(drafted) is None


def test_the_drafter_never_signs_off_their_own_draft(plan, waste, people):
    # a secretary who also drafts holds both rights on the committee
    from guardian.shortcuts import assign_perm

    drafter = people["waste-member"]
    assign_perm("plan.sign_off_amendment", drafter, waste)
    drafter = type(drafter).objects.get(pk=drafter.pk)
    amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=drafter, title="x")
    amendment_operations_set(amendment=amendment, operations=CHANGE, acting_user=drafter)
    decide(task=open_task(amendment), acting_user=drafter, outcome="submit")
    with pytest.raises(PermissionDenied, match="drafter of an amendment"):
        decide(task=open_task(amendment), acting_user=drafter, outcome="approve")
    assert step(amendment) == "sign_off"
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
    assert step(amendment) == "integration"


def test_only_the_owning_committee_and_the_right_role_decide(drafted, people, plan, parks):
    with pytest.raises(PermissionDenied):
        decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="submit")  # not the drafter's task
    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")
    for outsider in (people["parks-chair"], people["integration"], people["waste-member"], people["policy"]):
        with pytest.raises(PermissionDenied):
            decide(task=open_task(drafted), acting_user=outsider, outcome="approve")
    with pytest.raises(PermissionDenied, match="not a member"):
        amendment_draft_start(plan=plan, committee=parks, drafted_by=people["waste-member"], title="x")
    assert not Decision.objects.filter(step="sign_off").exists()


def test_a_stale_or_closed_task_is_refused(drafted, people):
    task = open_task(drafted)
    decide(task=task, acting_user=people["waste-member"], outcome="submit")
    with pytest.raises(DecisionRefused, match="already decided"):
        decide(task=task, acting_user=people["waste-member"], outcome="submit")
    with pytest.raises(DecisionRefused, match="not a decision of this step"):
        decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="reject", reason="x")
    with pytest.raises(DecisionRefused, match="changed while you were reading"):
        decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="approve", fingerprint="0" * 64)
    assert step(drafted) == "sign_off"


def test_an_invalid_draft_cannot_be_submitted(plan, waste, people):
    empty = amendment_draft_start(plan=plan, committee=waste, drafted_by=people["waste-member"], title="خالی")
    with pytest.raises(ChangesetInvalid, match="no operation"):
        decide(task=open_task(empty), acting_user=people["waste-member"], outcome="submit")
    assert step(empty) == "draft"


def test_withdrawal_before_integration(drafted, people):
    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")
    with pytest.raises(PermissionDenied):
        amendment_withdraw(amendment=drafted, acting_user=people["waste-chair"], reason="x")
    amendment_withdraw(amendment=drafted, acting_user=people["waste-member"], reason="دیگر لازم نیست")
    drafted.refresh_from_db()
    assert drafted.status == Amendment.Status.WITHDRAWN and step(drafted) is None
    assert amendment_process(drafted).status == PROCESS.CANCELED
    assert Task.objects.filter(process=amendment_process(drafted), status=STATUS.CANCELED).count() == 1
    assert AuditEvent.objects.filter(action="workflows.amendment.withdraw").count() == 1


def test_no_withdrawal_after_integration_decided(drafted, people):
    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")
    decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="approve")
    decide(task=open_task(drafted), acting_user=people["integration"], outcome="approve")
    with pytest.raises(DecisionRefused, match="before the integration working group decides"):
        amendment_withdraw(amendment=drafted, acting_user=people["waste-member"], reason="x")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_deciding_at_once_exactly_one_counts(plan, waste, people):
    import threading

    from django.db import connections

    from plan.services import amendment_operations_set as save_operations

    amendment = amendment_draft_start(plan=plan, committee=waste, drafted_by=people["waste-member"], title="هم‌زمان")
    save_operations(amendment=amendment, operations=CHANGE, acting_user=people["waste-member"])
    decide(task=open_task(amendment), acting_user=people["waste-member"], outcome="submit")
    decide(task=open_task(amendment), acting_user=people["waste-chair"], outcome="approve")
    task = open_task(amendment)
    second = UserFactory(username="integration-2", roles=[Role.INTEGRATION])
    deciders = [(people["integration"], "approve", ""), (second, "reject", "تکراری")]
    barrier = threading.Barrier(len(deciders))
    results = []

    def run(user, outcome, reason):
        from django.utils import translation

        translation.activate("en")  # each thread has its own active language
        try:
            barrier.wait()
            decide(task=task, acting_user=user, outcome=outcome, reason=reason)
            results.append(("ok", outcome))
        except DecisionRefused as refused:
            results.append(("refused", str(refused.messages[0])))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=d) for d in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    refused = next(r[1] for r in results if r[0] == "refused")
    assert "decided" in refused
    assert Decision.objects.filter(task=task).count() == 1
    winner = next(r[1] for r in results if r[0] == "ok")
    amendment.refresh_from_db()
    assert amendment.status == {"approve": Amendment.Status.ACCEPTED, "reject": Amendment.Status.REJECTED}[winner]
    assert AuditEvent.objects.filter(action="workflows.amendment.integrate").count() == 1


def test_a_decision_reads_each_row_once(drafted, people):
    """The step runner hands viewflow the process and the amendment it locked, and the rules come
    from their snapshots: the flow's permission rule, gateways and task hook read nothing again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")
    decide(task=open_task(drafted), acting_user=people["waste-chair"], outcome="return", reason="گرم کردن")
    decide(task=open_task(drafted), acting_user=people["waste-member"], outcome="submit")  # rules now kept
    task = open_task(drafted)
    with CaptureQueriesContext(connection) as queries:
        decide(task=task, acting_user=people["waste-chair"], outcome="approve")
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    def reads_of(table):
        return [s for s in reads if f'FROM "{table}"' in s]

    assert len(reads_of("viewflow_process")) == 1  # the lock, nothing after it
    assert len(reads_of("plan_amendment")) == 1  # locked once, with its committee and base version
    assert not reads_of("plan_committee")  # the permission rule's committee came with the amendment
    assert not reads_of("plan_issuedversion")  # the base came with the amendment; a preview is keyed on it alone
    assert not reads_of("rules_holiday") and not reads_of("rules_servicelevel")
    assert len(statements) <= 32, "\n".join(statements)
    assert Decision.objects.get(task=task).outcome == "approve"
