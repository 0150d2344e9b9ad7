"""Automatic layered layout (left to right), for templates and imported models.

A small Sugiyama-style layout: nodes go into columns by longest path from the
inputs; edges spanning several columns get invisible waypoints, one per column,
so skip connections run in their own lane beside the nodes; a few barycentre
sweeps order each column to keep crossings few.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netlab.graph.model import Edge, Graph, topological_order

COLUMN_STEP = 240.0
ROW_STEP = 110.0
BAND_GAP_ROWS = 0.6  # space between wrapped bands, in rows


@dataclass
class Layout:
    """Where :func:`auto_layout` put things.

    Attributes:
        columns: Column index of each node.
        routes: For each edge spanning more than one column, the waypoints
            between its ends (canvas coordinates), for drawing it around nodes.
        crossings: Number of edge crossings between adjacent columns.
    """

    columns: dict[str, int] = field(default_factory=dict)
    routes: dict[Edge, list[tuple[float, float]]] = field(default_factory=dict)
    crossings: int = 0


def _columns(graph: Graph) -> dict[str, int]:
    order, cycle = topological_order(graph)
    column: dict[str, int] = {}
    incoming: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for edge in graph.edges:
        incoming[edge.dst].append(edge.src)
    for node_id in [*order, *sorted(cycle)]:
        column[node_id] = max((column[s] + 1 for s in incoming[node_id] if s in column), default=0)
    return column


def _count_crossings(pairs: list[tuple[int, int]]) -> int:
    return sum(
        1
        for i, (a1, b1) in enumerate(pairs)
        for a2, b2 in pairs[i + 1 :]
        if (a1 - a2) * (b1 - b2) < 0
    )


def auto_layout(graph: Graph, sweeps: int = 4, wrap: int | None = None) -> Layout:
    """Places every node of ``graph`` (through ``Graph.set_pos``) and returns the layout.

    Args:
        graph: The graph to lay out.
        sweeps: Passes of the crossing-reducing ordering.
        wrap: Columns per band: a long network continues in a band below, like
            lines of text, and edges between bands run through the gap. None:
            one band.
    """
    layout = Layout(columns=_columns(graph))
    # Chains of waypoints ("dummies") for long edges: one per column crossed.
    rank = dict(layout.columns)
    segments: list[tuple[str, str]] = []
    chains: dict[Edge, list[str]] = {}
    for edge in graph.edges:
        src, dst = edge.src, edge.dst
        span = range(rank[src] + 1, rank[dst])
        chain = [f"~{edge.src}>{edge.dst}:{edge.port}:{c}" for c in span]
        for dummy, col in zip(chain, span, strict=True):
            rank[dummy] = col
        points = [src, *chain, dst]
        segments += list(zip(points, points[1:], strict=False))
        chains[edge] = chain
    columns: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for item in [*graph.nodes, *(d for chain in chains.values() for d in chain)]:
        columns[rank[item]].append(item)  # real nodes first: skip lanes go beside them
    preds: dict[str, list[str]] = {k: [] for k in rank}
    succs: dict[str, list[str]] = {k: [] for k in rank}
    for a, b in segments:
        if rank[a] < rank[b]:
            preds[b].append(a)
            succs[a].append(b)
    position = {item: i for col in columns for i, item in enumerate(col)}

    def sweep(cols: list[list[str]], neighbours: dict[str, list[str]]) -> None:
        for col in cols:
            key = {
                item: (sum(position[n] for n in neighbours[item]) / len(neighbours[item])
                       if neighbours[item] else position[item], item.startswith("~"))
                for item in col
            }  # fmt: skip
            col.sort(key=lambda item: key[item])
            for i, item in enumerate(col):
                position[item] = i

    for _ in range(sweeps):
        sweep(columns[1:], preds)
        sweep(list(reversed(columns[:-1])), succs)
    # Rows: follow the topmost predecessor (so the main path stays straight and
    # skip lanes stay below it), never closer than one row to the node above.
    row: dict[str, float] = {}
    for col in columns:
        previous = None
        for item in col:
            wanted = min((row[p] for p in preds[item]), default=0.0)
            row[item] = wanted if previous is None else max(wanted, previous + 1)
            previous = row[item]
    place = _Bands(rank, row, wrap)
    for node_id in graph.nodes:
        graph.set_pos(node_id, place.pos(node_id))
    layout.routes = {}
    for edge, chain in chains.items():
        route = place.route([edge.src, *chain, edge.dst])
        if route:
            layout.routes[edge] = route
    layout.crossings = sum(
        _count_crossings(
            [(position[a], position[b]) for a, b in segments if rank[a] == c and rank[b] == c + 1]
        )
        for c in range(len(columns) - 1)
    )
    return layout


class _Bands:
    """Canvas positions of columns and rows, wrapped into bands of ``wrap`` columns."""

    def __init__(self, rank: dict[str, int], row: dict[str, float], wrap: int | None) -> None:
        self.rank, self.row = rank, row
        self.wrap = wrap or max(rank.values(), default=0) + 1
        bands = max(rank.values(), default=0) // self.wrap + 1
        depth = [0.0] * bands  # rows used in each band
        for item, r in rank.items():
            band = r // self.wrap
            depth[band] = max(depth[band], row[item] + 1)
        self.top = [0.0]
        for band in range(bands - 1):
            self.top.append(self.top[-1] + (depth[band] + BAND_GAP_ROWS) * ROW_STEP)

    def band(self, item: str) -> int:
        return self.rank[item] // self.wrap

    def pos(self, item: str) -> tuple[float, float]:
        """Top-left corner of a node (or of a waypoint's virtual node)."""
        band = self.band(item)
        return (
            (self.rank[item] % self.wrap) * COLUMN_STEP,
            self.top[band] + self.row[item] * ROW_STEP,
        )

    def route(self, points: list[str]) -> list[tuple[float, float]]:
        """Waypoints of an edge through ``points`` (its ends and dummies between)."""
        out: list[tuple[float, float]] = []
        for previous, point in zip(points, points[1:], strict=False):
            if self.band(point) != self.band(previous):
                # Down into the gap below the band, back to the left, down into the next band.
                gap = self.top[self.band(point)] - (BAND_GAP_ROWS / 2 + 0.5) * ROW_STEP
                out += [(self.pos(previous)[0] + COLUMN_STEP / 2, gap),
                        (self.pos(point)[0] - COLUMN_STEP / 2, gap)]  # fmt: skip
            if point != points[-1]:
                out.append(self.pos(point))
        return out
