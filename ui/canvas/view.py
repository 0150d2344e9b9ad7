"""GraphView: the canvas widget, with wheel zoom and fit-to-view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from ui.canvas.scene import GraphScene


class GraphView(QGraphicsView):
    """Shows a GraphScene; the wheel zooms around the cursor."""

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setBackgroundBrush(Qt.GlobalColor.white)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        zoom = self.transform().m11() * factor
        if 0.05 <= zoom <= 4.0:
            self.scale(factor, factor)

    def fit(self, min_scale: float = 0.0) -> None:
        """Shows the whole graph, but not smaller than ``min_scale`` (then its start)."""
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() < min_scale:
            self.resetTransform()
            self.scale(min_scale, min_scale)
            self.centerOn(
                rect.left() + self.viewport().width() / (2 * min_scale), rect.center().y()
            )
