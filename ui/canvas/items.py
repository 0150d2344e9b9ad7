"""Graphics items for nodes and edges. They draw; the Graph holds the truth."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

NODE_WIDTH = 180.0
NODE_HEIGHT = 64.0
CATEGORY_COLOURS = {
    "Input / output": "#dfe9f7", "Core": "#e8f4e4", "Convolution": "#fbe9d7",
    "Attention": "#efe3f6", "Embedding": "#f7f1d9", "Pooling": "#e3f2f2",
    "Normalisation": "#f2e4e4", "Merging": "#ececec", "Reshaping": "#ececec",
    "Regularisation": "#ececec",
}  # fmt: skip


class NodeItem(QGraphicsItem):
    """One layer: name, type, key parameters, output shape and parameter count."""

    def __init__(self, node_id: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.lines = ["", "", ""]
        self.fill = QColor("#ececec")
        self.problem = ""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1)

    def show_state(self, lines: list[str], fill: str, problem: str) -> None:
        """Updates what the node says; ``problem`` (if any) draws a red border."""
        self.lines, self.fill, self.problem = lines, QColor(fill), problem
        self.setToolTip(problem or "\n".join(lines))
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, NODE_WIDTH + 4, NODE_HEIGHT + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:  # fmt: skip
        border = QColor("#c62828") if self.problem else QColor("#37474f")
        width = 3.0 if self.problem or self.isSelected() else 1.2
        painter.setPen(QPen(QColor("#1565c0") if self.isSelected() else border, width))
        painter.setBrush(QBrush(self.fill))
        painter.drawRoundedRect(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT), 8, 8)
        font = QFont(painter.font())
        font.setPointSizeF(8.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#102027"))
        for i, line in enumerate(self.lines[:3]):
            if i == 1:
                font.setBold(False)
                painter.setFont(font)
            shown = painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight,
                                                     int(NODE_WIDTH - 16))  # fmt: skip
            painter.drawText(QRectF(8, 4 + 19 * i, NODE_WIDTH - 16, 18),
                             Qt.AlignmentFlag.AlignLeft, shown)  # fmt: skip


class EdgeItem(QGraphicsPathItem):
    """A tensor between two nodes: a smooth curve, through waypoints around nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.setPen(QPen(QColor("#546e7a"), 1.6))
        self.setZValue(0)

    def route(self, start: QPointF, end: QPointF, waypoints: list[QPointF]) -> None:
        """Draws the curve from ``start`` through ``waypoints`` to ``end``."""
        points = [start, *waypoints, end]
        path = QPainterPath(points[0])
        for a, b in zip(points, points[1:], strict=False):
            middle = (a.x() + b.x()) / 2
            path.cubicTo(QPointF(middle, a.y()), QPointF(middle, b.y()), b)
        self.setPath(path)
