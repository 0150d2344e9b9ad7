"""Placing new nodes among existing ones: an expanded block, and room for it.

The automatic layout (:mod:`netlab.graph.layout`) places a whole graph; these
helpers place a few nodes where the user is working, so that nothing else
jumps around and no node covers another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from netlab.graph.commands import MoveNodes
from netlab.graph.model import Graph

NODE_WIDTH = 180.0  # the canvas draws nodes this size (ui.canvas.items follows it)
NODE_HEIGHT = 64.0


def flow_direction(graph: Graph) -> str:
    """``"down"`` if the graph's edges mostly run top to bottom, else ``"right"``."""
    across = along = 0.0
    for edge in graph.edges:
        (x0, y0), (x1, y1) = graph.nodes[edge.src].pos, graph.nodes[edge.dst].pos
        across += abs(x1 - x0)
        along += abs(y1 - y0)
    return "down" if along > across else "right"


def spacing(direction: str) -> tuple[float, float]:
    """Distance between node corners along the flow and across it."""
    return (NODE_HEIGHT + 40.0, NODE_WIDTH + 60.0) if direction == "down" else \
        (NODE_WIDTH + 60.0, NODE_HEIGHT + 46.0)  # fmt: skip


def _layers(steps: Sequence) -> dict[str, int]:
    """Each step's distance from the block's input (longest path)."""
    layer: dict[str, int] = {}
    for step in steps:
        layer[step.suffix] = max((layer[s] + 1 for s in step.inputs if s in layer), default=0)
    return layer


def place_steps(graph: Graph, node_id: str, steps: Sequence) -> dict[str, tuple[float, float]]:
    """Positions for the steps of an expanded block, starting where the block was.

    Steps follow the flow of the graph, one layer after another; steps on the
    same layer (a residual block's shortcut) go side by side, the main path first.
    """
    direction = flow_direction(graph)
    along, across = spacing(direction)
    x, y = graph.node(node_id).pos
    layer = _layers(steps)
    lanes: dict[int, int] = {}
    out = {}
    for step in steps:
        lane = lanes.get(layer[step.suffix], 0)
        lanes[layer[step.suffix]] = lane + 1
        flow, cross = layer[step.suffix] * along, lane * across
        out[step.suffix] = (x + cross, y + flow) if direction == "down" else (x + flow, y + cross)
    return out


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < NODE_WIDTH and abs(a[1] - b[1]) < NODE_HEIGHT


def make_room(graph: Graph, node_id: str,
              placed: Iterable[tuple[float, float]]) -> MoveNodes | None:  # fmt: skip
    """A move of the nodes after ``node_id`` (along the flow) so ``placed`` covers none.

    ``placed`` are the positions new nodes take instead of ``node_id``.
    Returns ``None`` when nothing needs to move.
    """
    placed = list(placed)
    direction = flow_direction(graph)
    axis = 1 if direction == "down" else 0
    start = graph.node(node_id).pos[axis]
    end = max((p[axis] for p in placed), default=start)
    shift = end - start
    others = [n for n in graph.nodes.values() if n.id != node_id]
    moved: dict[str, tuple[float, float]] = {}
    for node in others:
        if node.pos[axis] > start + 1.0 and shift > 0:
            pos = list(node.pos)
            pos[axis] += shift
            moved[node.id] = (pos[0], pos[1])
    # Anything still covered (beside the flow, a hand-placed node) moves past the block.
    for node in others:
        pos = moved.get(node.id, node.pos)
        if any(_overlap(pos, p) for p in placed):
            past = list(pos)
            past[axis] = end + spacing(direction)[0]
            moved[node.id] = (past[0], past[1])
    if not moved:
        return None
    return MoveNodes(moved, text="Make room")
