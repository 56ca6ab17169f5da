"""The human steps of the flows, found by name without importing the flows (they sit above).

The workflows app registers its flow classes when it is ready; selectors and services here read
the steps' nodes (to filter tasks by step) from this registry."""

_FLOWS: list = []


def flows_register(*flow_classes) -> None:
    for flow_class in flow_classes:
        if flow_class not in _FLOWS:
            _FLOWS.append(flow_class)


def human_nodes() -> dict:
    """Each human step's node, by its name (step names are unique across the flows)."""
    return {
        node.name: node for flow_class in _FLOWS for node in flow_class.instance.nodes() if node.task_type == "HUMAN"
    }
