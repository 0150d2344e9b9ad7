"""Where each edge is drawn, from the node positions alone.

An edge whose straight way is clear goes straight (an S-curve from the output
to the input port); one that would cross other nodes runs in a free lane beside
them, the nearest to its ends, and lanes of different edges keep apart. As the
routes depend on nothing but the positions, an undo that restores positions
restores the routes too.
"""

from __future__ import annotations

import bisect

from netlab import catalog
from netlab.graph.geometry import across_size, along_size, from_flow, to_flow
from netlab.graph.model import Edge, Graph

Point = tuple[float, float]
MARGIN = 10.0  # clearance between an edge and a box it passes
LANE_GAP = 14.0  # between two lanes side by side


def port_count(graph: Graph, node_id: str) -> int:
    """How many input ports a node shows (a variadic node has a free one more).

    The generic Keras layer is variadic (Keras decides what it takes) but most take
    one input: it shows its connected ports and no free one.
    """
    spec = catalog.get(graph.nodes[node_id].key)
    if not spec.variadic:
        return len(spec.inputs)
    used = max((e.port + 1 for e in graph.inputs_of(node_id)), default=0)
    if spec.key == "KerasLayer":  # a generic layer takes what it was imported with: no free port
        return max(used, 1)
    return max(used + 1, spec.fewest_inputs, len(spec.inputs))


def input_point(pos: Point, port: int, ports: int, direction: str) -> Point:
    """Canvas point where an edge into input ``port`` of a node at ``pos`` ends."""
    along, across = to_flow(pos, direction)
    count = max(ports, port + 1)
    return from_flow(along, across + across_size(direction) * (port + 1) / (count + 1), direction)


def output_point(pos: Point, direction: str) -> Point:
    """Canvas point where edges out of a node at ``pos`` start."""
    along, across = to_flow(pos, direction)
    return from_flow(along + along_size(direction), across + across_size(direction) / 2, direction)


class Router:
    """Routes the edges of one graph drawing (build a new one after edits)."""

    def __init__(self, graph: Graph, direction: str) -> None:
        self.graph, self.direction = graph, direction
        self.along, self.across = along_size(direction), across_size(direction)
        boxes = sorted((*to_flow(n.pos, direction), n.id) for n in graph.nodes.values())
        self.boxes = boxes
        self.starts = [b[0] for b in boxes]
        self.lane_starts: list[float] = []
        self.lane_list: list[tuple[float, float, float]] = []  # (along from, along to, across)
        self.longest_lane = 0.0

    def _blocked(self, low: float, high: float, skip: set[str]) -> list[tuple[float, float]]:
        """Across-intervals of the boxes (and lanes) met between ``low`` and ``high`` along."""
        first = bisect.bisect_left(self.starts, low - self.along)
        last = bisect.bisect_right(self.starts, high)
        found = [(c - MARGIN, c + self.across + MARGIN)
                 for a, c, node_id in self.boxes[first:last]
                 if node_id not in skip and a + self.along > low and a < high]  # fmt: skip
        # Lanes are kept sorted by where they start; a lane longer than the longest seen
        # so far cannot start before ``low - longest``.
        start = bisect.bisect_left(self.lane_starts, low - self.longest_lane)
        stop = bisect.bisect_right(self.lane_starts, high)
        found += [(c - LANE_GAP, c + LANE_GAP) for _, a1, c in self.lane_list[start:stop]
                  if a1 > low]  # fmt: skip
        return found

    def _add_lane(self, across: float, low: float, high: float) -> None:
        index = bisect.bisect_left(self.lane_starts, low)
        self.lane_starts.insert(index, low)
        self.lane_list.insert(index, (low, high, across))
        self.longest_lane = max(self.longest_lane, high - low)

    @staticmethod
    def _free_lane(wanted: float, blocked: list[tuple[float, float]], right: bool) -> float:
        """The across-position nearest ``wanted`` that no interval covers, on the side asked for.

        An edge entering a port right of a node's centre runs on the right, one entering
        left of it on the left, so it does not cross the edge into the other port.
        """
        merged: list[list[float]] = []
        for lo, hi in sorted(blocked):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        inside = next(((lo, hi) for lo, hi in merged if lo < wanted < hi), None)
        if inside is None:
            return wanted
        return inside[1] if right else inside[0]

    def route(self, edge: Edge) -> list[Point]:
        """The waypoints between the edge's ends (empty: straight)."""
        graph, d = self.graph, self.direction
        src, dst = graph.nodes[edge.src], graph.nodes[edge.dst]
        start = to_flow(output_point(src.pos, d), d)
        end = to_flow(input_point(dst.pos, edge.port, port_count(graph, dst.id), d), d)
        skip = {src.id, dst.id}
        if end[0] > start[0]:
            low, high = min(start[1], end[1]), max(start[1], end[1])
            if not [b for b in self._blocked(start[0], end[0], skip) if b[0] < high and b[1] > low]:
                return []
        f0, f1 = start[0] + MARGIN, end[0] - MARGIN
        span = (min(f0, f1) - self.along, max(f0, f1) + self.along) if f1 < f0 else (f0, f1)
        blocked = self._blocked(*span, skip)
        right = end[1] >= to_flow(dst.pos, d)[1] + self.across / 2
        lane = self._free_lane(end[1], blocked, right)
        self._add_lane(lane, *sorted(span))
        if f1 >= f0:
            return [from_flow(f0, lane, d), from_flow(f1, lane, d)]
        # Backwards (a wrapped band, a hand-placed node): out, along the lane, and in.
        return [from_flow(f0, start[1], d), from_flow(f0, lane, d), from_flow(f1, lane, d),
                from_flow(f1, end[1], d)]  # fmt: skip


def route_all(graph: Graph, direction: str) -> dict[Edge, list[Point]]:
    """Waypoints of every edge that does not go straight."""
    router = Router(graph, direction)
    ordered = sorted(graph.edges, key=lambda e: (to_flow(graph.nodes[e.src].pos, direction)[0],
                                                 e.src, e.dst, e.port))  # fmt: skip
    routes = {}
    for edge in ordered:
        waypoints = router.route(edge)
        if waypoints:
            routes[edge] = waypoints
    return routes
