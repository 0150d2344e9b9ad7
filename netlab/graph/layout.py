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


def auto_layout(graph: Graph, sweeps: int = 4) -> Layout:
    """Places every node of ``graph`` (through ``Graph.set_pos``) and returns the layout."""
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
    for node_id in graph.nodes:
        graph.set_pos(node_id, (rank[node_id] * COLUMN_STEP, row[node_id] * ROW_STEP))
    layout.routes = {
        edge: [(rank[d] * COLUMN_STEP, row[d] * ROW_STEP) for d in chain]
        for edge, chain in chains.items()
        if chain
    }
    layout.crossings = sum(
        _count_crossings(
            [(position[a], position[b]) for a, b in segments if rank[a] == c and rank[b] == c + 1]
        )
        for c in range(len(columns) - 1)
    )
    return layout
