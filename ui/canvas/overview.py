"""Names of the parts of a network drawn over the canvas when it is seen from far away.

Fit shows the whole network however long, and a ResNet or a DenseNet is then a
thin column of boxes too small to read. Its layers' names say what it is made
of (``stage3_block1_conv1``): the name up to its last ``_`` is the block, up to
its first the stage. Far away, each block (or, further still, each stage) gets
its name beside it, in type that can be read on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from netlab.graph.geometry import NODE_HEIGHT, NODE_WIDTH
from netlab.graph.model import Graph
from ui import theme

SHOW_BELOW = 0.3  # zoom under which the labels appear (node texts are unreadable there)
MIN_PIXELS = 18  # a part shorter than this on screen gets no label of its own
LABEL_POINTS = 10.0


@dataclass(frozen=True)
class Part:
    """A named group of nodes and the rectangle that holds them."""

    name: str
    rect: QRectF


def _parts(graph: Graph, level: int) -> list[Part]:
    groups: dict[str, list[tuple[float, float]]] = {}
    for node in graph.nodes.values():
        pieces = node.name.split("_")
        if len(pieces) < 2:
            continue
        prefix = "_".join(pieces[:-1]) if level == 1 else pieces[0]
        groups.setdefault(prefix, []).append(node.pos)
    parts = []
    for name, spots in groups.items():
        if len(spots) < 3:
            continue
        xs, ys = [x for x, _ in spots], [y for _, y in spots]
        rect = QRectF(min(xs), min(ys), max(xs) - min(xs) + NODE_WIDTH,
                      max(ys) - min(ys) + NODE_HEIGHT)  # fmt: skip
        parts.append(Part(name, rect))
    return parts


class Overview:
    """The block and stage labels of one graph (made again after structural edits).

    Attributes:
        short_names: For each node in a labelled part, its name without the part's
            (``block1`` beside the label ``stage2``): what far-away nodes show.
    """

    def __init__(self, graph: Graph) -> None:
        self.levels = [_parts(graph, 1), _parts(graph, 0)]
        parts = {p.name for level in self.levels for p in level}
        self.short_names: dict[str, str] = {}
        for node in graph.nodes.values():
            pieces = node.name.split("_")
            for cut in range(len(pieces) - 1, 0, -1):
                if "_".join(pieces[:cut]) in parts:
                    self.short_names[node.id] = "_".join(pieces[cut:])
                    break

    def paint(self, painter: QPainter, visible: QRectF) -> None:
        """Draws the labels that fit at the painter's zoom."""
        zoom = painter.worldTransform().m11()
        if zoom >= SHOW_BELOW or zoom <= 0:
            return
        for parts in self.levels:
            shown = [p for p in parts if p.rect.height() * zoom >= MIN_PIXELS]
            if shown and len(shown) * 2 >= len(parts):
                self._draw(painter, [p for p in shown if p.rect.intersects(visible)], zoom)
                return

    @staticmethod
    def _draw(painter: QPainter, parts: list[Part], zoom: float) -> None:
        colours = theme.current()
        font = QFont(painter.font())
        font.setPointSizeF(LABEL_POINTS / zoom)
        font.setBold(True)
        painter.setFont(font)
        gap = 8 / zoom
        for part in parts:
            box = part.rect.adjusted(-gap, -gap / 2, gap, gap / 2)
            painter.setPen(QPen(QColor(colours.node_border), 1 / zoom))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(box)
            painter.setPen(QColor(colours.node_text))
            label = QRectF(box.right() + gap, box.top(), 400 / zoom, box.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             part.name)  # fmt: skip
