"""Automatic layered layout, top to bottom (or left to right), for templates and imports.

A Sugiyama-style layout: nodes go into ranks by longest path from the inputs;
an edge spanning several ranks gets a narrow invisible lane in each rank it
crosses, so skip connections run beside the main column; a few barycentre
sweeps order each rank to keep crossings few; across the flow each item
follows its first predecessor, so the main path stays straight.

We measured this against Graphviz ``dot``, igraph's Sugiyama and grandalf on
ResNet-34 expanded, the Transformer, ViT-B/16 and a 428-node DenseNet-121
(``bench/layout_engines.py``, docs/performance.md): the same zero crossings,
the only one with a straight main path and nothing moved sideways by an edit,
16 ms for 428 nodes, and no dependency. The edges are drawn by
:mod:`netlab.graph.routing` from the positions alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netlab.graph.geometry import (
    GAP_ACROSS,
    LANE,
    across_size,
    from_flow,
    rank_step,
)
from netlab.graph.model import Graph, topological_order

BAND_GAP = 0.6  # left to right, wrapped: space between bands, in node heights


@dataclass
class Layout:
    """Where :func:`auto_layout` put things.

    Attributes:
        direction: ``"down"`` or ``"right"``.
        ranks: Rank (distance from the inputs) of each node.
        crossings: Edge crossings between adjacent ranks (lanes included).
    """

    direction: str = "down"
    ranks: dict[str, int] = field(default_factory=dict)
    crossings: int = 0


def _ranks(graph: Graph) -> dict[str, int]:
    order, cycle = topological_order(graph)
    rank: dict[str, int] = {}
    incoming: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for edge in graph.edges:
        incoming[edge.dst].append(edge.src)
    for node_id in [*order, *sorted(cycle)]:
        rank[node_id] = max((rank[s] + 1 for s in incoming[node_id] if s in rank), default=0)
    return rank


def _count_crossings(pairs: list[tuple[int, int]]) -> int:
    pairs.sort()
    count = 0
    for i, (a1, b1) in enumerate(pairs):
        for a2, b2 in pairs[i + 1 :]:
            if a2 != a1 and b2 < b1:
                count += 1
    return count


class _Ordering:
    """Ranks of nodes and lanes, ordered across the flow to keep crossings few."""

    def __init__(self, graph: Graph, sweeps: int) -> None:
        self.rank = _ranks(graph)
        rank = self.rank
        self.segments: list[tuple[str, str]] = []
        for edge in graph.edges:
            span = range(rank[edge.src] + 1, rank[edge.dst])
            chain = [f"~{edge.src}>{edge.dst}:{edge.port}:{c}" for c in span]
            for lane, r in zip(chain, span, strict=True):
                rank[lane] = r
            points = [edge.src, *chain, edge.dst]
            self.segments += list(zip(points, points[1:], strict=False))
        self.columns: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
        for item in [*graph.nodes, *(k for k in rank if k.startswith("~"))]:
            self.columns[rank[item]].append(item)  # real nodes first: lanes go beside them
        self.preds: dict[str, list[str]] = {k: [] for k in rank}
        self.succs: dict[str, list[str]] = {k: [] for k in rank}
        for a, b in self.segments:
            if rank[a] < rank[b]:
                self.preds[b].append(a)
                self.succs[a].append(b)
        self.position = {item: i for col in self.columns for i, item in enumerate(col)}
        for _ in range(sweeps):
            self._sweep(self.columns[1:], self.preds)
            self._sweep(list(reversed(self.columns[:-1])), self.succs)

    def _sweep(self, cols: list[list[str]], neighbours: dict[str, list[str]]) -> None:
        position = self.position
        for col in cols:
            key = {
                item: (sum(position[n] for n in neighbours[item]) / len(neighbours[item])
                       if neighbours[item] else position[item], item.startswith("~"))
                for item in col
            }  # fmt: skip
            col.sort(key=lambda item: key[item])
            for i, item in enumerate(col):
                position[item] = i

    def crossings(self) -> int:
        rank, position = self.rank, self.position
        by_rank: dict[int, list[tuple[int, int]]] = {}
        for a, b in self.segments:
            if rank[b] == rank[a] + 1:
                by_rank.setdefault(rank[a], []).append((position[a], position[b]))
        return sum(_count_crossings(pairs) for pairs in by_rank.values())

    def across(self, direction: str) -> dict[str, float]:
        """Centre of each item across the flow: after its first predecessor, never overlapping."""
        size = {True: LANE, False: across_size(direction)}
        gap = GAP_ACROSS[direction]
        centre: dict[str, float] = {}
        for col in self.columns:
            previous: str | None = None
            for item in col:
                preds = self.preds[item]
                wanted = min((centre[p] for p in preds), default=0.0)
                if previous is not None:
                    room = (size[previous.startswith("~")] + size[item.startswith("~")]) / 2
                    wanted = max(wanted, centre[previous] + room + (gap if room > LANE else 16))
                centre[item] = wanted
                previous = item
        return centre


def auto_layout(graph: Graph, direction: str = "down", sweeps: int = 4,
                wrap: int | None = None) -> Layout:  # fmt: skip
    """Places every node of ``graph`` (in one batch of ``Graph.set_pos``) and returns the layout.

    Args:
        graph: The graph to lay out.
        direction: ``"down"`` (top to bottom) or ``"right"`` (left to right).
        sweeps: Passes of the crossing-reducing ordering.
        wrap: Left to right only: ranks per band; a long network continues in a
            band below, like lines of text. None: one band.
    """
    ordering = _Ordering(graph, sweeps)
    centre = ordering.across(direction)
    half = across_size(direction) / 2
    step = rank_step(direction)
    rank = ordering.rank
    wrap = wrap if direction == "right" and wrap else None
    bands = _band_tops(graph, rank, centre, wrap) if wrap else {}
    with graph.batch():
        for node_id in graph.nodes:
            r = rank[node_id]
            along, across = r * step, centre[node_id] - half
            if wrap:
                along, across = (r % wrap) * step, across + bands[r // wrap]
            graph.set_pos(node_id, from_flow(along, across, direction))
    return Layout(direction, {n: rank[n] for n in graph.nodes}, ordering.crossings())


def _band_tops(graph: Graph, rank: dict[str, int], centre: dict[str, float],
               wrap: int) -> dict[int, float]:  # fmt: skip
    """Offset across the flow (downwards) of each band of ``wrap`` ranks."""
    half = across_size("right") / 2
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    for node_id in graph.nodes:
        band = rank[node_id] // wrap
        low[band] = min(low.get(band, 0.0), centre[node_id] - half)
        high[band] = max(high.get(band, 0.0), centre[node_id] + half)
    tops, offset = {}, 0.0
    for band in sorted(low):
        tops[band] = offset - low[band]
        offset += high[band] - low[band] + BAND_GAP * across_size("right") + 2 * LANE
    return tops
