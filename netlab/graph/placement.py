"""Placing new nodes among existing ones: an expanded block, and room for it.

The automatic layout places a whole graph; these helpers place a few nodes
where the user is working (as Model Explorer lays out an expanded group on its
own), so nothing else jumps around and no node covers another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from netlab import catalog
from netlab.catalog.recipes import INPUT, Step
from netlab.graph.commands import MoveNodes
from netlab.graph.geometry import (
    NODE_HEIGHT,
    NODE_WIDTH,
    across_size,
    along_size,
    from_flow,
    rank_step,
    to_flow,
)
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge, Graph, Node


def place_steps(graph: Graph, node_id: str, steps: Sequence[Step],
                direction: str) -> dict[str, tuple[float, float]]:  # fmt: skip
    """Positions for the steps of an expanded block, laid out where the block was."""
    block = Graph()
    block.insert_node(Node("in", "in", "Input", catalog.get("Input").defaults()))
    for step in steps:
        block.insert_node(Node(step.suffix, step.suffix, step.key,
                               {**catalog.get(step.key).defaults(), **step.params}))  # fmt: skip
        for port, source in enumerate(step.inputs):
            block.insert_edge(Edge("in" if source == INPUT else source, step.suffix, port))
    auto_layout(block, direction)
    along, across = to_flow(graph.node(node_id).pos, direction)
    base_along, base_across = to_flow(block.nodes["in"].pos, direction)
    shift_along = along - base_along - rank_step(direction)
    shift_across = across - base_across
    out = {}
    for step in steps:
        a, c = to_flow(block.nodes[step.suffix].pos, direction)
        out[step.suffix] = from_flow(a + shift_along, c + shift_across, direction)
    return out


def _covers(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < NODE_WIDTH and abs(a[1] - b[1]) < NODE_HEIGHT


def make_room(graph: Graph, node_id: str, placed: Iterable[tuple[float, float]],
              direction: str) -> MoveNodes | None:  # fmt: skip
    """A move of the nodes after ``node_id`` (along the flow) so that ``placed`` covers none.

    ``placed`` are the positions new nodes take instead of ``node_id``.
    Returns ``None`` when nothing needs to move.
    """
    placed = [to_flow(p, direction) for p in placed]
    start, across = to_flow(graph.node(node_id).pos, direction)
    end = max((a for a, _ in placed), default=start)
    low = min((c for _, c in placed), default=across)
    high = max((c for _, c in placed), default=across) + across_size(direction)
    shift = end - start
    moved: dict[str, tuple[float, float]] = {}
    for node in graph.nodes.values():
        if node.id == node_id:
            continue
        a, c = to_flow(node.pos, direction)
        beside = c + across_size(direction) > low and c < high
        if shift > 0 and (a > start + 1.0 or (beside and a > start - along_size(direction))):
            moved[node.id] = from_flow(a + shift, c, direction)
    canvas = [from_flow(a, c, direction) for a, c in placed]
    for node in graph.nodes.values():  # a hand-placed node still covered: past the block
        pos = moved.get(node.id, node.pos)
        if node.id != node_id and any(_covers(pos, p) for p in canvas):
            a, c = to_flow(pos, direction)
            moved[node.id] = from_flow(end + rank_step(direction), c, direction)
    if not moved:
        return None
    return MoveNodes(moved, text="Make room")
