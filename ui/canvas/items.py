"""Graphics items for nodes, ports and edges. They draw; the Graph holds the truth."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from netlab.graph.model import Edge
from ui import theme

NODE_WIDTH = 180.0
NODE_HEIGHT = 64.0
PORT_RADIUS = 6.0


class PortItem(QGraphicsEllipseItem):
    """An input port (``port`` = its index) or the output port (``port`` = None) of a node."""

    def __init__(self, parent: NodeItem, port: int | None, name: str) -> None:
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.node_id, self.port = parent.node_id, port
        self.setToolTip(f"output of {parent.node_id}" if port is None else f"input: {name}")
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.highlight(False)
        self.setZValue(2)

    @property
    def is_output(self) -> bool:
        """Whether this is the node's output."""
        return self.port is None

    def highlight(self, on: bool) -> None:
        """Draws the port as a target of a connection being dragged."""
        colours = theme.current()
        self.setBrush(QBrush(QColor(colours.accent if on else colours.port)))
        self.setPen(QPen(QColor(colours.node_border), 1.2))

    def hoverEnterEvent(self, event: Any) -> None:
        self.highlight(True)

    def hoverLeaveEvent(self, event: Any) -> None:
        self.highlight(False)


class NodeItem(QGraphicsItem):
    """One layer: name, type, key parameters, output shape and parameter count."""

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.lines = ["", "", ""]
        self.category = ""
        self.problem = ""
        self.inputs: list[PortItem] = []
        self.output: PortItem | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(1)

    def set_ports(self, names: list[str], has_output: bool) -> None:
        """Input ports down the left edge (one per name), the output on the right."""
        if [p.toolTip() for p in self.inputs] == [f"input: {n}" for n in names] and \
                (self.output is not None) == has_output:  # fmt: skip
            return
        for port in [*self.inputs, *([self.output] if self.output else [])]:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.inputs = [PortItem(self, i, name) for i, name in enumerate(names)]
        for i, port in enumerate(self.inputs):
            port.setPos(0, NODE_HEIGHT * (i + 1) / (len(names) + 1))
        self.output = PortItem(self, None, "output") if has_output else None
        if self.output is not None:
            self.output.setPos(NODE_WIDTH, NODE_HEIGHT / 2)

    def input_point(self, port: int) -> QPointF:
        """Scene position where an edge into input ``port`` ends."""
        count = max(len(self.inputs), port + 1)
        return self.pos() + QPointF(0, NODE_HEIGHT * (port + 1) / (count + 1))

    def output_point(self) -> QPointF:
        """Scene position where edges out of this node start."""
        return self.pos() + QPointF(NODE_WIDTH, NODE_HEIGHT / 2)

    def show_state(self, lines: list[str], category: str, problem: str) -> None:
        """Updates what the node says; ``problem`` (if any) draws a red border."""
        self.lines, self.category, self.problem = lines, category, problem
        self.setToolTip(problem or "\n".join(lines))
        self.update()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene():
            self.scene().node_dragged(self.node_id)
        return super().itemChange(change, value)

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, NODE_WIDTH + 4, NODE_HEIGHT + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:  # fmt: skip
        colours = theme.current()
        border = QColor(colours.problem if self.problem else colours.node_border)
        width = 3.0 if self.problem or self.isSelected() else 1.2
        painter.setPen(QPen(QColor(colours.accent) if self.isSelected() else border, width))
        painter.setBrush(QBrush(QColor(colours.category(self.category))))
        painter.drawRoundedRect(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT), 8, 8)
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(colours.node_text))
        for i, line in enumerate(self.lines[:3]):
            if i == 1:
                font.setBold(False)
                painter.setFont(font)
            shown = painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight,
                                                     int(NODE_WIDTH - 20))  # fmt: skip
            painter.drawText(QRectF(10, 4 + 19 * i, NODE_WIDTH - 20, 18),
                             Qt.AlignmentFlag.AlignLeft, shown)  # fmt: skip


class EdgeItem(QGraphicsPathItem):
    """A tensor between two nodes: a smooth curve, through waypoints around nodes."""

    def __init__(self, edge: Edge | None = None) -> None:
        super().__init__()
        self.edge = edge
        self.setPen(QPen(QColor(theme.current().edge), 1.6))
        self.setZValue(0)
        if edge is not None:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)

    def route(self, start: QPointF, end: QPointF, waypoints: list[QPointF]) -> None:
        """Draws the curve from ``start`` through ``waypoints`` to ``end``."""
        points = [start, *waypoints, end]
        path = QPainterPath(points[0])
        for a, b in zip(points, points[1:], strict=False):
            middle = (a.x() + b.x()) / 2
            path.cubicTo(QPointF(middle, a.y()), QPointF(middle, b.y()), b)
        self.setPath(path)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)  # easy to hit with the mouse (select, drop a layer on it)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:  # fmt: skip
        colours = theme.current()
        selected = self.isSelected() or self.data(0) == "target"
        self.setPen(QPen(QColor(colours.accent if selected else colours.edge),
                         3.0 if selected else 1.6))  # fmt: skip
        painter.setPen(self.pen())
        painter.drawPath(self.path())
