"""GraphView: the canvas widget. Zoom, pan, fit, and layers dropped from the palette."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QMenu

from netlab.graph.geometry import NODE_HEIGHT, NODE_WIDTH
from ui.canvas.items import EdgeItem, NodeItem
from ui.canvas.scene import GraphScene

#: MIME type of a palette item being dragged: the catalog key, UTF-8.
LAYER_MIME = "application/x-netlab-layer"
MIN_ZOOM, MAX_ZOOM = 0.005, 4.0  # far enough for a 1,000-layer network


class GraphView(QGraphicsView):
    """Shows a GraphScene; wheel zooms, middle button or space + drag pans.

    Signals:
        layer_dropped(str, QPointF, object): catalog key, scene position of the
            node's top-left corner, and the connection it was dropped on (or None).
    """

    layer_dropped = Signal(str, QPointF, object)

    def __init__(self, scene: GraphScene | None) -> None:
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self._space = False
        self._pan_from: QPointF | None = None
        self._drop_edge: EdgeItem | None = None
        self.context_actions: list[QAction | None] = []  # the right-click menu (None: a line)
        self.context_menu: QMenu | None = None  # the one shown last (tests look at it)

    # Zoom ---------------------------------------------------------------------
    def zoom(self) -> float:
        """The current scale (1 = 100%)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zooms by ``factor`` within the allowed range."""
        factor = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM) / self.zoom()
        self.scale(factor, factor)

    def reset_zoom(self) -> None:
        """Back to 100%."""
        self.resetTransform()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def fit(self) -> None:
        """Shows the whole graph (never larger than 100%); far away, nodes show their names."""
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.resetTransform()
        self.centerOn(rect.center())

    # Right-click ----------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The Edit menu's actions for the layers under the mouse (selected first if not)."""
        if not self.context_actions or self.scene() is None:
            return
        item = self.itemAt(event.pos())
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if isinstance(item, NodeItem) and not item.isSelected():
            self.scene().clearSelection()
            item.setSelected(True)
        menu = QMenu(self)
        for action in self.context_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.context_menu = menu
        menu.popup(event.globalPos())
        event.accept()

    # Pan ----------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        ):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            bars = self.horizontalScrollBar(), self.verticalScrollBar()
            bars[0].setValue(bars[0].value() - int(delta.x()))
            bars[1].setValue(bars[1].value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # Drop from the palette ---------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not event.mimeData().hasFormat(LAYER_MIME):
            super().dragMoveEvent(event)
            return
        self._mark_drop_edge(self._edge_at(event.position().toPoint()))
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:
        self._mark_drop_edge(None)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(LAYER_MIME):
            super().dropEvent(event)
            return
        key = bytes(event.mimeData().data(LAYER_MIME)).decode()
        point = event.position().toPoint()
        edge = self._edge_at(point)
        self._mark_drop_edge(None)
        centre = self.mapToScene(point)
        corner = QPointF(centre.x() - NODE_WIDTH / 2, centre.y() - NODE_HEIGHT / 2)
        event.acceptProposedAction()
        self.layer_dropped.emit(key, corner, edge.edge if edge is not None else None)

    def _edge_at(self, point: object) -> EdgeItem | None:
        for item in self.items(point):
            if isinstance(item, NodeItem):
                return None  # dropped on a layer, not on the connection behind it
            if isinstance(item, EdgeItem) and item.edge is not None:
                return item
        return None

    def _mark_drop_edge(self, edge: EdgeItem | None) -> None:
        if self._drop_edge is not None and self._drop_edge is not edge:
            self._drop_edge.setData(0, None)
            self._drop_edge.update()
        self._drop_edge = edge
        if edge is not None:
            edge.setData(0, "target")
            edge.update()
