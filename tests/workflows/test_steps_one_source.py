"""Step names, titles and outcomes have one source (rules.steps); everything else reads it."""

from approvals.duties import SEPARATION_OF_DUTIES
from approvals.models import Decision
from approvals.steps import human_nodes
from rules.services import SERVICE_LEVEL_DEFAULTS
from rules.steps import OUTCOME_ACTIONS, Outcome, Step, step_title
from workflows.flows import AmendmentFlow, RevisionFlow
from workflows.services import REVISION_OUTCOMES, STEP_OUTCOMES


def test_every_human_node_is_a_step_with_its_title():
    nodes = human_nodes()
    assert set(nodes) == set(Step.values) - {Step.WITHDRAW}  # a withdrawal is a decision, not a node
    for name, node in nodes.items():
        assert str(node.task_title) == str(Step(name).label) == step_title(name)
    for flow_class in (AmendmentFlow, RevisionFlow):
        assert {n.name for n in flow_class.instance.nodes() if n.task_type == "HUMAN"} <= set(Step.values)


def test_services_duties_and_levels_name_only_steps_and_outcomes():
    for table in (STEP_OUTCOMES, REVISION_OUTCOMES, SEPARATION_OF_DUTIES, SERVICE_LEVEL_DEFAULTS):
        assert set(table) <= set(Step.values), table
    chosen = {o for outcomes in REVISION_OUTCOMES.values() for o in outcomes} | {
        o for outcomes in STEP_OUTCOMES.values() for o in outcomes
    }
    assert chosen - {"add"} <= set(Outcome.values)  # "add" takes from the pool and records no outcome
    assert chosen <= set(OUTCOME_ACTIONS)  # every choice on a form has its imperative
    assert Decision.Outcome is Outcome
    assert Decision._meta.get_field("step").choices == Step.choices
