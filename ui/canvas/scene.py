"""GraphScene mirrors a Graph and turns mouse gestures into netlab commands.

It redraws from the graph's change events (never from its own guesses), one
pass per edit, touching only the items whose text or route changed; it asks
for edits through ``command_requested``: the window runs them on the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from netlab import catalog
from netlab.catalog import keras_layer, subnetwork
from netlab.catalog.flops import format_flops
from netlab.graph.analysis import Analysis, analyse
from netlab.graph.commands import Command, Connect, MoveNodes
from netlab.graph.layout import Layout, auto_layout
from netlab.graph.model import Edge, Graph, GraphChange
from netlab.graph.routing import input_point, output_point, port_count, route_all
from netlab.inspect.arithmetic import WINDOW_KEYS, shape_arithmetic
from ui import theme
from ui.canvas.items import EdgeItem, NodeItem, NodeState, PortItem
from ui.canvas.overview import SHOW_BELOW as OVERVIEW_ZOOM
from ui.canvas.overview import Overview

WRAP_AFTER = 12  # left to right: a longer network is laid out in bands of WRAP_RANKS
WRAP_RANKS = 6


def window_layout(graph: Graph, direction: str = "down") -> Layout:
    """The automatic layout the window uses: top to bottom, or left to right in bands."""
    layout = auto_layout(graph, direction)
    if direction == "right" and max(layout.ranks.values(), default=0) + 1 > WRAP_AFTER:
        layout = auto_layout(graph, direction, wrap=WRAP_RANKS)
    return layout


# Shorter words for the key parameters shown on a node ("" shows the value alone).
_SHORT = {"kernel_size": "kernel", "strides": "stride", "padding": "pad", "pool_size": "pool",
          "num_heads": "heads", "hidden_dim": "hidden", "activation": "", "patch_size": "patch",
          "output_dim": "width", "input_dim": "vocabulary", "max_length": "max length",
          "target_shape": "shape"}  # fmt: skip


def _value(value: Any) -> str:
    if isinstance(value, (tuple, list)) and len(value) == 2 and value[0] == value[1] \
            and not isinstance(value[0], (tuple, list)):  # fmt: skip
        return str(value[0])  # a square kernel or stride: 3, as the lecture says it
    return catalog.format_value(value)


def port_names(graph: Graph, node_id: str) -> list[str]:
    """Names of a node's input ports; a variadic node shows one free port more."""
    spec = catalog.get(graph.nodes[node_id].key)
    if not spec.variadic:
        return list(spec.inputs)
    return [f"{spec.inputs[-1]} {i + 1}" for i in range(port_count(graph, node_id))]


def node_state(graph: Graph, node_id: str, analysis: Analysis, problems: dict[str, list[str]],
               notes: dict[str, list[str]], direction: str,
               locked: frozenset[str] = frozenset()) -> NodeState:  # fmt: skip
    """What the canvas shows of one node."""
    node = graph.nodes[node_id]
    spec = catalog.get(node.key)
    params = " · ".join(f"{_SHORT.get(k, k)} {_value(node.params[k])}".strip()
                        for k in spec.key_params if k in node.params)  # fmt: skip
    known = node_id in analysis.shapes
    shape = catalog.format_shape(analysis.shapes[node_id]) if known else "?"
    count = sum(analysis.counts.get(node_id, (0, 0)))
    kind = spec.display_name
    if node.key == keras_layer.KEY:  # the generic node says which Keras class it holds
        kind = f"{node.params['layer'].get('class_name', '?')} (Keras)"
    elif node.key == subnetwork.KEY:
        params = f"{len(node.params['network']['layers'])} layers"
    flops = analysis.flops.get(node_id)
    return NodeState(node.name, kind, params,
                     f"{shape}   {count:,} params" if count else shape, spec.category,
                     "\n".join(problems.get(node_id, [])), "\n".join(notes.get(node_id, [])),
                     tuple(port_names(graph, node_id)), node.key != "Output",
                     direction, not node.trainable,
                     _arithmetic(graph, analysis, node_id),
                     format_flops(flops, "FLOPs") if flops else "",
                     node.name in locked)  # fmt: skip


_ARITHMETIC: dict[str, str] = {}  # (parameters, input shape) -> the tooltip lines
_ARITHMETIC_LIMIT = 4096


def _arithmetic(graph: Graph, analysis: Analysis, node_id: str) -> str:
    """The output-size formulas and suggestions of a window layer, for its tooltip.

    Cached by the layer's parameters and input shape: a refresh of DenseNet-121's
    428 nodes otherwise spent 12 ms here, more than the rest of the nodes' states.
    """
    node = graph.nodes[node_id]
    if node.key not in WINDOW_KEYS:
        return ""
    sources = [analysis.shapes.get(e.src) for e in graph.inputs_of(node_id)]
    key = repr((node.key, sorted(node.params.items()), sources))
    if key not in _ARITHMETIC:
        if len(_ARITHMETIC) >= _ARITHMETIC_LIMIT:
            _ARITHMETIC.clear()
        found = shape_arithmetic(graph, analysis, node_id)
        _ARITHMETIC[key] = "" if found is None else "\n".join(found.lines())
    return _ARITHMETIC[key]


class GraphScene(QGraphicsScene):
    """Shows a graph's nodes and edges, shapes, parameter counts and problems.

    Args:
        graph: The graph to mirror.
        direction: ``"down"`` or ``"right"``: where ports sit and edges run.
        analysis: A callable giving the current analysis (the document's cached one).

    Signals:
        command_requested(object): a netlab command the user's gesture asks for.
        refused(str): a gesture that cannot become an edit, with the reason.
    """

    command_requested = Signal(object)
    refused = Signal(str)

    def __init__(self, graph: Graph, direction: str = "down",
                 analysis: Callable[[], Analysis] | None = None) -> None:  # fmt: skip
        super().__init__()
        self.graph = graph
        self.direction = direction
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._analysis_source = analysis
        self.locked: frozenset[str] = frozenset()  # names the exercise locks (a padlock each)
        self._pressed: dict[str, QPointF] = {}
        self._wire: tuple[PortItem, EdgeItem] | None = None
        self._target: PortItem | None = None
        self._placing = False
        self._overview: Overview | None = None  # made when first drawn far away
        self.setBackgroundBrush(QBrush(QColor(theme.current().background)))
        graph.subscribe(self._on_graph_changed)
        self.rebuild()

    def detach(self) -> None:
        """Stops following the graph (the window shows another one)."""
        self.graph.unsubscribe(self._on_graph_changed)

    # Mirroring the graph ------------------------------------------------------
    def analysis(self) -> Analysis:
        """The current analysis (the document's cached one when given)."""
        return self._analysis_source() if self._analysis_source else analyse(self.graph)

    def rebuild(self) -> None:
        """Recreates every item from the graph."""
        self.clear()
        self.nodes, self.edges, self._wire = {}, {}, None
        for node_id in self.graph.nodes:
            self._add_node_item(node_id)
        for edge in self.graph.edges:
            self._add_edge_item(edge)
        self.refresh()

    def set_direction(self, direction: str) -> None:
        """Ports and edges for a graph that flows ``direction``."""
        self.direction = direction
        self.refresh()

    def _add_node_item(self, node_id: str) -> None:
        self.nodes[node_id] = NodeItem(node_id)
        self.addItem(self.nodes[node_id])

    def _add_edge_item(self, edge: Edge) -> None:
        self.edges[edge] = EdgeItem(edge)
        self.addItem(self.edges[edge])

    def show_previews(self, previews: dict[str, tuple[Any, str]] | None) -> None:
        """Each node's output preview: node id -> (QImage, tooltip); ``None`` hides them all."""
        for node_id, item in self.nodes.items():
            image, text = (previews or {}).get(node_id, (None, ""))
            item.set_preview(image, text)

    def refresh(self, reroute: bool = True) -> None:
        """Texts, ports, positions, problem marks and routes, for the items that changed.

        Routes depend on positions and ports only: ``reroute=False`` (parameters
        changed) draws them again only if some node's ports changed.
        """
        analysis = self.analysis()
        problems: dict[str, list[str]] = {}
        notes: dict[str, list[str]] = {}
        for problem in analysis.problems:
            if problem.node_id:
                target = notes if problem.severity == "info" else problems
                target.setdefault(problem.node_id, []).append(problem.message)
        for node_id, item in self.nodes.items():
            ports = item.state.ports if item.state else None
            item.show_state(node_state(self.graph, node_id, analysis, problems, notes,
                                       self.direction, self.locked))  # fmt: skip
            reroute = reroute or item.state.ports != ports
            self._place(item, self.graph.nodes[node_id].pos)
        if reroute:
            self._route_all()

    def _place(self, item: NodeItem, pos: tuple[float, float]) -> None:
        if (item.pos().x(), item.pos().y()) != tuple(pos):
            self._placing = True
            try:
                item.setPos(*pos)
            finally:
                self._placing = False

    def _route_all(self) -> None:
        routes = route_all(self.graph, self.direction)
        for edge in self.edges:
            self._route(edge, routes.get(edge, []))

    def _route(self, edge: Edge, waypoints: list[tuple[float, float]]) -> None:
        src, dst = self.nodes[edge.src].pos(), self.nodes[edge.dst].pos()
        start = output_point((src.x(), src.y()), self.direction)
        end = input_point((dst.x(), dst.y()), edge.port, len(self.nodes[edge.dst].inputs),
                          self.direction)  # fmt: skip
        self.edges[edge].route(QPointF(*start), QPointF(*end), [QPointF(*p) for p in waypoints],
                               self.direction == "down")  # fmt: skip

    def node_dragged(self, node_id: str) -> None:
        """Keeps the edges of a node attached while the mouse moves it (straight until dropped)."""
        if self._placing:
            return
        for edge in [*self.graph.inputs_of(node_id), *self.graph.outputs_of(node_id)]:
            if edge in self.edges:
                self._route(edge, [])

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if painter.worldTransform().m11() < OVERVIEW_ZOOM:
            if self._overview is None:
                self._overview = Overview(self.graph)
                for node_id, item in self.nodes.items():
                    item.short_title = self._overview.short_names.get(node_id)
            self._overview.paint(painter, rect)

    def _on_graph_changed(self, change: GraphChange) -> None:
        self._overview = None  # names and places may have changed
        for edge in change.edges_removed:
            self.removeItem(self.edges.pop(edge))
        for node_id in change.removed:
            self.removeItem(self.nodes.pop(node_id))
        for node_id in change.added:
            self._add_node_item(node_id)
        for edge in change.edges_added:
            self._add_edge_item(edge)
        if change.only_moves:
            for node_id in change.moved:
                self._place(self.nodes[node_id], self.graph.nodes[node_id].pos)
            self._route_all()
            return
        self.refresh(reroute=change.structural or bool(change.moved))

    # Selection ------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        """Ids of the selected nodes, in graph order."""
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        return [n for n in self.graph.nodes if n in chosen]

    def selected_edges(self) -> list[Edge]:
        """The selected connections."""
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem) and i.edge]

    def select_nodes(self, node_ids: list[str]) -> None:
        """Selects exactly these nodes."""
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    # Gestures -------------------------------------------------------------------
    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def _node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self._port_at(event.scenePos()) \
            if event.button() == Qt.MouseButton.LeftButton else None  # fmt: skip
        if port is not None:
            wire = EdgeItem()
            self.addItem(wire)
            self._wire = (port, wire)
            self._update_wire(event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)
        self._pressed = {i.node_id: i.pos() for i in self.selectedItems()
                         if isinstance(i, NodeItem)}  # fmt: skip

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            self._update_wire(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._wire is not None:
            self._finish_wire(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moved = {node_id: (round(self.nodes[node_id].pos().x(), 1),
                           round(self.nodes[node_id].pos().y(), 1))
                 for node_id, before in self._pressed.items()
                 if node_id in self.nodes and self.nodes[node_id].pos() != before}  # fmt: skip
        self._pressed = {}
        if moved:
            self.command_requested.emit(MoveNodes(moved, text=f"Move {len(moved)} layer(s)"))

    def _update_wire(self, pos: QPointF) -> None:
        start_port, wire = self._wire
        anchor = start_port.scenePos()
        start, end = (anchor, pos) if start_port.is_output else (pos, anchor)
        wire.route(start, end, [])
        target = self._port_at(pos)
        if self._target is not None and self._target is not target:
            self._target.highlight(False)
        self._target = target if target is not None and target is not start_port else None
        if self._target is not None:
            self._target.highlight(True)

    def _finish_wire(self, pos: QPointF) -> None:
        start, wire = self._wire
        self._wire = None
        self.removeItem(wire)
        if self._target is not None:
            self._target.highlight(False)
            self._target = None
        command = self._connection(start, self._port_at(pos), self._node_at(pos))
        if isinstance(command, str):
            if command:
                self.refused.emit(command)
            return
        self.command_requested.emit(command)

    def _connection(self, start: PortItem, port: PortItem | None,
                    node: NodeItem | None) -> Command | str:  # fmt: skip
        """The Connect command for a wire dropped on ``port`` (or a node body), or why not."""
        if port is None and node is None:
            return ""  # dropped on empty canvas: nothing to say
        if port is None:
            if not start.is_output:
                return "drop the connection on an output port"
            return Connect(start.node_id, node.node_id)  # first free input
        if start.is_output == port.is_output:
            kind = "outputs" if port.is_output else "inputs"
            return f"cannot connect two {kind}: drag from an output to an input"
        src, dst = (start, port) if start.is_output else (port, start)
        return Connect(src.node_id, dst.node_id, dst.port)
