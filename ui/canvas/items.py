"""Graphics items for nodes, ports and edges. They draw; the Graph holds the truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from netlab.graph.geometry import NODE_HEIGHT, NODE_WIDTH
from netlab.graph.model import Edge
from ui import theme

PORT_RADIUS = 6.0
OVERVIEW_DETAIL = 0.6  # below this zoom a node shows its name and type, larger
TINY_PIXELS = 28  # a node narrower than this on screen is a coloured box alone
OVERVIEW_LABELS = 0.3  # ui.canvas.overview labels the parts below this zoom
TITLE_POINTS = (9.0, 8.0, 7.0, 6.5)  # the title shrinks rather than being cut
PREVIEW_GAP = 8.0  # between a node and the preview of its output, on its right
PREVIEW_SIZE = NODE_HEIGHT  # the preview fits in a square this high
PREVIEW_STRIP = 16  # the least height of a preview: a vector's bar strip is one pixel high


@dataclass(frozen=True)
class NodeState:
    """What a node shows; the scene redraws a node only when this changes."""

    title: str
    kind: str
    params: str
    shape: str
    category: str
    problem: str = ""
    note: str = ""  # information, e.g. that the layer starts from new weights
    ports: tuple[str, ...] = ()
    has_output: bool = True
    direction: str = "down"
    frozen: bool = False  # its weights are not trained (fine-tuning)
    arithmetic: str = ""  # the output-size formula of a convolution or pooling (tooltip)
    flops: str = ""  # its multiply-adds per example, e.g. "73.7 kFLOPs" (none: empty)
    locked: bool = False  # the exercise locks it: a padlock in the corner


class PortItem(QGraphicsEllipseItem):
    """An input port (``port`` = its index) or the output port (``port`` = None) of a node."""

    def __init__(self, parent: NodeItem, port: int | None, name: str) -> None:
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.node_id, self.port, self.name = parent.node_id, port, name
        self.setToolTip("output: drag to an input to connect" if port is None
                        else f"input: {name}")  # fmt: skip
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
        self.state: NodeState | None = None
        self.short_title: str | None = None  # far away, beside its part's label
        self.inputs: list[PortItem] = []
        self.output: PortItem | None = None
        self.preview: QGraphicsPixmapItem | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(1)

    def show_state(self, state: NodeState) -> None:
        """Updates what the node says (ports included); a problem draws a red border."""
        if state == self.state:
            return
        ports_changed = self.state is None or (state.ports, state.has_output, state.direction) \
            != (self.state.ports, self.state.has_output, self.state.direction)  # fmt: skip
        self.state = state
        if ports_changed:
            self._set_ports(state)
        flops = f"{state.flops} (multiply-adds per example)" if state.flops else ""
        locked = "locked by the exercise: it cannot be changed" if state.locked else ""
        tip = "\n".join(x for x in (f"{state.title} · {state.kind}", state.params, state.shape,
                                    flops, state.arithmetic, state.problem, state.note, locked)
                        if x.strip())  # fmt: skip
        self.setToolTip(tip)
        self.update()

    def set_preview(self, image: QImage | None, text: str = "") -> None:
        """Shows a small picture of the layer's output on its right (``None``: none).

        Pixels stay sharp (nearest neighbour): an 8x8 map reads as 8x8 cells.
        """
        if image is None or image.isNull():
            if self.preview is not None:
                self.preview.setParentItem(None)
                if self.preview.scene() is not None:
                    self.preview.scene().removeItem(self.preview)
                self.preview = None
            return
        scale = min(PREVIEW_SIZE / image.height(), 2 * PREVIEW_SIZE / image.width())
        width = max(1, round(image.width() * scale))
        height = max(PREVIEW_STRIP, round(image.height() * scale))  # a bar strip stays visible
        pixmap = QPixmap.fromImage(image.scaled(width, height))
        if self.preview is None:
            self.preview = QGraphicsPixmapItem(self)
            self.preview.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.preview.setPixmap(pixmap)
        self.preview.setPos(NODE_WIDTH + PREVIEW_GAP, (NODE_HEIGHT - pixmap.height()) / 2)
        self.preview.setToolTip(text)

    def _set_ports(self, state: NodeState) -> None:
        for port in [*self.inputs, *([self.output] if self.output else [])]:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        down = state.direction == "down"
        count = len(state.ports)
        self.inputs = [PortItem(self, i, name) for i, name in enumerate(state.ports)]
        for i, port in enumerate(self.inputs):
            fraction = (i + 1) / (count + 1)
            if down:
                port.setPos(NODE_WIDTH * fraction, 0)
            else:
                port.setPos(0, NODE_HEIGHT * fraction)
        self.output = PortItem(self, None, "output") if state.has_output else None
        if self.output is not None:
            self.output.setPos(QPointF(NODE_WIDTH / 2, NODE_HEIGHT) if down
                               else QPointF(NODE_WIDTH, NODE_HEIGHT / 2))  # fmt: skip

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.scene():
            self.scene().node_dragged(self.node_id)
        return super().itemChange(change, value)

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, NODE_WIDTH + 4, NODE_HEIGHT + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:  # fmt: skip
        state = self.state
        if state is None:
            return
        colours = theme.current()
        border = QColor(colours.problem if state.problem else colours.node_border)
        width = 3.0 if state.problem or self.isSelected() else 1.2
        painter.setPen(QPen(QColor(colours.accent) if self.isSelected() else border, width))
        painter.setBrush(QBrush(QColor(colours.category(state.category))))
        painter.drawRoundedRect(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT), 8, 8)
        if state.frozen:  # hatched and dashed: its weights stay as they are
            hatch = QColor(colours.node_border)
            hatch.setAlpha(70)
            painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            pen = QPen(QColor(colours.node_border), 1.6, Qt.PenStyle.DashLine)
            painter.setPen(Qt.PenStyle.NoPen if self.isSelected() or state.problem else pen)
            painter.drawRoundedRect(QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT), 8, 8)
        detail = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setPen(QColor(colours.node_text))
        if detail < OVERVIEW_DETAIL:
            if detail * NODE_WIDTH >= TINY_PIXELS:  # smaller still, a name could not be read
                self._paint_overview(painter, state, detail)
            return
        self._paint_title(painter, state.title)
        font = QFont(painter.font())
        font.setPointSizeF(7.5)
        font.setBold(False)
        painter.setFont(font)
        flops = "" if state.frozen else state.flops  # "frozen" takes that place
        flops_width = painter.fontMetrics().horizontalAdvance(flops) + 8 if flops else 0
        for i, line in enumerate((state.kind, state.params, state.shape)):
            room = NODE_WIDTH - (66 if state.frozen and i == 0 else 20) - (flops_width * (i == 0))
            shown = painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight,
                                                     int(room))  # fmt: skip
            painter.drawText(QRectF(10, 24 + 17 * i, NODE_WIDTH - 20, 17),
                             Qt.AlignmentFlag.AlignLeft, shown)  # fmt: skip
        if flops:
            painter.drawText(QRectF(10, 24, NODE_WIDTH - 20, 17), Qt.AlignmentFlag.AlignRight,
                             flops)  # fmt: skip
        if state.locked:
            self._paint_padlock(painter, QColor(colours.node_text))
        if state.note:
            painter.setPen(QColor(colours.accent))
            shift = 16 if state.locked else 0
            painter.drawText(QRectF(NODE_WIDTH - 28 - shift, 4, 22, 18),
                             Qt.AlignmentFlag.AlignRight, "↺")  # fmt: skip
        if state.frozen:
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(QColor(colours.node_text))
            painter.drawText(QRectF(NODE_WIDTH - 60, 24, 50, 17), Qt.AlignmentFlag.AlignRight,
                             "frozen")  # fmt: skip

    def _paint_padlock(self, painter: QPainter, colour: QColor) -> None:
        """A small padlock in the top right corner (drawn: no font has to hold the glyph)."""
        painter.save()
        painter.setPen(QPen(colour, 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        left, top = NODE_WIDTH - 20, 5.0
        painter.drawArc(QRectF(left + 2, top, 8, 9), 0, 180 * 16)  # the shackle
        painter.drawLine(QPointF(left + 2, top + 4.5), QPointF(left + 2, top + 7))
        painter.drawLine(QPointF(left + 10, top + 4.5), QPointF(left + 10, top + 7))
        painter.setBrush(QBrush(colour))
        painter.drawRoundedRect(QRectF(left, top + 7, 12, 8), 1.5, 1.5)  # the body
        painter.restore()

    def _paint_title(self, painter: QPainter, title: str) -> None:
        font = QFont(painter.font())
        font.setBold(True)
        room = int(NODE_WIDTH - 34)
        for points in TITLE_POINTS:  # smaller type before cutting the name
            font.setPointSizeF(points)
            painter.setFont(font)
            if painter.fontMetrics().horizontalAdvance(title) <= room:
                break
        shown = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideMiddle, room)
        painter.drawText(QRectF(10, 5, room, 19), Qt.AlignmentFlag.AlignLeft, shown)

    def _paint_overview(self, painter: QPainter, state: NodeState, detail: float) -> None:
        """Further away: fewer lines (name, type, shape) in type still readable on screen."""
        font = QFont(painter.font())
        points = min(36.0, 8.0 / max(detail, 0.05))
        font.setPointSizeF(points)
        font.setBold(True)
        painter.setFont(font)
        room = int(NODE_WIDTH - 12)
        title = self.short_title if self.short_title and detail < OVERVIEW_LABELS else state.title
        wide = painter.fontMetrics().horizontalAdvance(title)
        if wide > room:  # a smaller type (down to 5.5 points on screen) before cutting the name
            points = max(points * room / wide, 5.5 / max(detail, 0.05))
            font.setPointSizeF(points)
            painter.setFont(font)
        line = painter.fontMetrics().height()
        lines = [title, state.kind, state.shape][: max(1, int((NODE_HEIGHT - 6) // line))]
        top = (NODE_HEIGHT - line * len(lines)) / 2
        for i, text in enumerate(lines):
            font.setBold(i == 0)
            painter.setFont(font)
            mode = Qt.TextElideMode.ElideMiddle if i == 0 else Qt.TextElideMode.ElideRight
            shown = painter.fontMetrics().elidedText(text, mode, room)
            align = Qt.AlignmentFlag.AlignCenter if len(lines) == 1 else Qt.AlignmentFlag.AlignLeft
            painter.drawText(QRectF(6, top + i * line, room, line), align, shown)


class EdgeItem(QGraphicsPathItem):
    """A tensor between two nodes: a smooth curve, through waypoints around nodes."""

    def __init__(self, edge: Edge | None = None) -> None:
        super().__init__()
        self.edge = edge
        self.points: tuple[tuple[float, float], ...] = ()
        self.setPen(QPen(QColor(theme.current().edge), 1.6))
        self.setZValue(0)
        if edge is not None:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)

    def route(self, start: QPointF, end: QPointF, waypoints: list[QPointF],
              down: bool = True) -> None:  # fmt: skip
        """Draws the curve from ``start`` through ``waypoints`` to ``end`` (if it moved)."""
        points = [start, *waypoints, end]
        key = tuple((round(p.x(), 1), round(p.y(), 1)) for p in points) + ((float(down), 0.0),)
        if key == self.points:
            return
        self.points = key
        path = QPainterPath(points[0])
        for a, b in zip(points, points[1:], strict=False):
            if down:
                middle = (a.y() + b.y()) / 2
                path.cubicTo(QPointF(a.x(), middle), QPointF(b.x(), middle), b)
            else:
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
        painter.setPen(QPen(QColor(colours.accent if selected else colours.edge),
                            3.0 if selected else 1.6))  # fmt: skip
        painter.drawPath(self.path())
