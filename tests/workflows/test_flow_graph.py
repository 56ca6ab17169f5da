"""Every state has an exit: a walk of both flows' graphs, read from the flow objects themselves.

For each human step: the outcomes the services accept, a role (or a seat, or the assignee) that
may take them, and where each outcome leads through the gateway after the step. Then: every node
is reachable from the start, and from every node an end is reachable. A node added without an
outcome, a gateway that routes an outcome nowhere, or a loop with no way out fails here.
"""

from types import SimpleNamespace

import pytest
from viewflow.workflow.flow import nodes as flow_nodes

from people.roles import ROLE_PERMISSIONS
from workflows.flows import AmendmentFlow, RevisionFlow
from workflows.services import REVISION_OUTCOMES, STEP_OUTCOMES

# rights held through a committee seat (object permissions granted by membership_grant)
SEAT_PERMISSIONS = {"plan.draft_amendment", "plan.sign_off_amendment"}
ROLE_HELD = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms} | SEAT_PERMISSIONS
FLOWS = [(AmendmentFlow, STEP_OUTCOMES), (RevisionFlow, REVISION_OUTCOMES)]


def _gateway_outcome(step: str, outcome: str) -> str:
    """What the service writes for the flow's gateways (a draft's submit reads as approval)."""
    return "approve" if (step, outcome) == ("draft", "submit") else outcome


def _route(node, outcome: str):
    """Where a decision leads: the node after the step, through its gateway if it has one."""
    after = node._next
    if isinstance(after, flow_nodes.Switch):
        activation = SimpleNamespace(process=SimpleNamespace(outcome=outcome))
        for target, condition in after._branches:
            if condition is None or condition(activation):
                return target
        return None
    return after


def _edges(flow_class) -> dict:
    """Every node's successors; a boundary event (the objection window's timer) hangs off its host."""
    edges = {node: [edge.dst for edge in node._outgoing()] for node in flow_class.instance.nodes()}
    for node in edges:
        host = getattr(node, "_attached_to", None)
        if host is not None:
            edges[host].append(node)
    return edges


@pytest.mark.parametrize(("flow_class", "outcomes"), FLOWS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_human_step_has_an_outcome_someone_may_take(flow_class, outcomes):
    humans = [n for n in flow_class.instance.nodes() if isinstance(n, flow_nodes.View)]
    assert humans, "the flow has human steps"
    for node in humans:
        chosen = outcomes.get(node.name)
        assert chosen, f"{flow_class.__name__}.{node.name} offers no outcome"
        permission = node._owner_permission
        if permission is None:
            assert node._owner is not None, f"{node.name}: neither assigned nor open to a permission"
        else:
            assert permission in ROLE_HELD, f"{node.name}: no role or seat holds {permission}"
        for outcome in chosen:
            target = _route(node, _gateway_outcome(node.name, outcome))
            assert target is not None, f"{node.name}: “{outcome}” leads nowhere"


@pytest.mark.parametrize(("flow_class", "outcomes"), FLOWS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_node_is_reachable_and_can_reach_an_end(flow_class, outcomes):
    edges = _edges(flow_class)
    ends = {n for n in edges if isinstance(n, flow_nodes.End)}
    start = flow_class.instance.start
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(edges), f"unreachable: {sorted(n.name for n in set(edges) - seen)}"
    reverse: dict = {n: set() for n in edges}
    for node, targets in edges.items():
        for target in targets:
            reverse[target].add(node)
    can_end, todo = set(ends), list(ends)
    while todo:
        for previous in reverse[todo.pop()]:
            if previous not in can_end:
                can_end.add(previous)
                todo.append(previous)
    assert can_end == set(edges), f"no way to an end from: {sorted(n.name for n in set(edges) - can_end)}"


def test_every_outcome_of_a_step_is_routed_by_its_gateway():
    """The services' outcomes and the flows' gateways name the same things: no outcome falls
    through to a gateway's default by a typo (the default is the loop back, asserted here)."""
    routes = {
        node.name: {o: _route(node, _gateway_outcome(node.name, o)).name for o in REVISION_OUTCOMES[node.name]}
        for node in RevisionFlow.instance.nodes()
        if isinstance(node, flow_nodes.View)
    }
    assert routes["assemble"] == {
        "submit": "policy_council",
        "add": "assemble",
        "remove": "assemble",
        "return": "assemble",
        "withdraw": "withdrawn",
    }
    assert routes["policy_council"] == {"approve": "city_council", "return": "assemble", "reject": "rejected"}
    assert routes["city_council"] == {
        "approve": "governorate",
        "approve_partial": "governorate",
        "return": "assemble",
        "reject": "rejected",
    }
    assert routes["governorate"] == {"confirm": "issuance", "object": "reconsideration"}
    assert routes["reconsideration"] == {"amend": "assemble", "insist": "dispute"}
    assert routes["dispute"] == {"upheld": "issuance", "overturned": "rejected"}
    assert routes["issuance"] == {"issue": "issued", "reassemble": "assemble"}
