"""Sizes and directions of the canvas drawing, shared by the layout, the router and the GUI.

Positions are canvas pixels of a node's top-left corner (y grows downwards).
A network flows ``"down"`` (top to bottom, the default, as Netron and Keras's
``plot_model`` draw it) or ``"right"`` (left to right).
"""

from __future__ import annotations

from netlab.graph.model import Graph

NODE_WIDTH = 220.0
NODE_HEIGHT = 84.0
DIRECTIONS = ("down", "right")
GAP_ALONG = {"down": 44.0, "right": 60.0}  # between ranks
GAP_ACROSS = {"down": 60.0, "right": 40.0}  # between nodes side by side
LANE = 40.0  # the room a skip connection takes beside the nodes


def along_size(direction: str) -> float:
    """A node's extent along the flow."""
    return NODE_HEIGHT if direction == "down" else NODE_WIDTH


def across_size(direction: str) -> float:
    """A node's extent across the flow."""
    return NODE_WIDTH if direction == "down" else NODE_HEIGHT


def rank_step(direction: str) -> float:
    """Distance between the corners of consecutive ranks."""
    return along_size(direction) + GAP_ALONG[direction]


def to_flow(pos: tuple[float, float], direction: str) -> tuple[float, float]:
    """Canvas ``(x, y)`` as ``(along, across)``."""
    return (pos[1], pos[0]) if direction == "down" else (pos[0], pos[1])


def from_flow(along: float, across: float, direction: str) -> tuple[float, float]:
    """``(along, across)`` as canvas ``(x, y)``."""
    return (across, along) if direction == "down" else (along, across)


def flow_direction(graph: Graph) -> str:
    """``"down"`` if the graph's edges mostly run top to bottom, else ``"right"``."""
    across = along = 0.0
    for edge in graph.edges:
        (x0, y0), (x1, y1) = graph.nodes[edge.src].pos, graph.nodes[edge.dst].pos
        across += abs(x1 - x0)
        along += abs(y1 - y0)
    return "right" if across > along else "down"


def overlapping(graph: Graph) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes overlap (a layout must leave none)."""
    boxes = sorted((n.pos[1], n.pos[0], n.id) for n in graph.nodes.values())
    pairs = []
    for i, (y, x, a) in enumerate(boxes):
        for y2, x2, b in boxes[i + 1 :]:
            if y2 - y >= NODE_HEIGHT:
                break
            if abs(x2 - x) < NODE_WIDTH:
                pairs.append((a, b))
    return pairs
