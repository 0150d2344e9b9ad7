"""GraphScene mirrors a Graph: it redraws from the graph's events and its analysis."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsScene

from netlab import catalog
from netlab.graph.analysis import analyse
from netlab.graph.layout import Layout
from netlab.graph.model import Edge, Graph, GraphEvent
from ui.canvas.items import CATEGORY_COLOURS, NODE_HEIGHT, NODE_WIDTH, EdgeItem, NodeItem


def _value(value: Any) -> str:
    if isinstance(value, (tuple, list)) and len(set(value)) == 1:
        value = value[0]
    return str(value)


class GraphScene(QGraphicsScene):
    """Shows a graph's nodes and edges, shapes, parameter counts and problems."""

    def __init__(self, graph: Graph, layout: Layout | None = None) -> None:
        super().__init__()
        self.graph = graph
        self.routes = layout.routes if layout else {}
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        graph.subscribe(self._on_graph_changed)
        self.rebuild()

    def rebuild(self) -> None:
        """Recreates every item from the graph."""
        self.clear()
        self.nodes, self.edges = {}, {}
        for node_id in self.graph.nodes:
            self.nodes[node_id] = NodeItem(node_id)
            self.addItem(self.nodes[node_id])
        for edge in self.graph.edges:
            self.edges[edge] = EdgeItem()
            self.addItem(self.edges[edge])
        self.refresh()

    def refresh(self) -> None:
        """Positions, texts and problem marks from the current graph and its analysis."""
        analysis = analyse(self.graph)
        problems: dict[str, list[str]] = {}
        for problem in analysis.problems:
            if problem.node_id:
                problems.setdefault(problem.node_id, []).append(problem.message)
        for node_id, item in self.nodes.items():
            node = self.graph.nodes[node_id]
            spec = catalog.get(node.key)
            params = ", ".join(f"{k}={_value(node.params[k])}" for k in spec.key_params
                               if k in node.params)  # fmt: skip
            shape = catalog.format_shape(analysis.shapes[node_id]) \
                if node_id in analysis.shapes else "?"  # fmt: skip
            count = sum(analysis.counts.get(node_id, (0, 0)))
            lines = [f"{node.name}  ·  {spec.display_name}", params or " ",
                     f"{shape}   {count:,} params" if count else shape]  # fmt: skip
            item.show_state(lines, CATEGORY_COLOURS.get(spec.category, "#ececec"),
                            "\n".join(problems.get(node_id, [])))  # fmt: skip
            item.setPos(*node.pos)
        for edge, item in self.edges.items():
            src, dst = self.graph.nodes[edge.src].pos, self.graph.nodes[edge.dst].pos
            start = QPointF(src[0] + NODE_WIDTH, src[1] + NODE_HEIGHT / 2)
            end = QPointF(dst[0], dst[1] + NODE_HEIGHT / 2)
            waypoints = [QPointF(x + NODE_WIDTH / 2, y + NODE_HEIGHT / 2)
                         for x, y in self.routes.get(edge, [])]  # fmt: skip
            item.route(start, end, waypoints)

    def _on_graph_changed(self, event: GraphEvent) -> None:
        if event.kind in ("node_added", "node_removed", "edge_added", "edge_removed"):
            self.routes = {}  # the automatic routes belong to the old structure
            self.rebuild()
        else:
            self.refresh()
