"""Draws a graph's automatic layout to PNG (a preview until the canvas lands).

.venv/bin/python tools/render_layout.py OUT_DIR MAX_X
"""

import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen

from netlab import templates
from netlab.catalog import format_shape
from netlab.graph.analysis import analyse
from netlab.graph.composites import expand_node
from netlab.graph.layout import auto_layout

app = QGuiApplication([])
W, H = 180, 64


def render(graph, path, max_x=None):
    lay = auto_layout(graph)
    an = analyse(graph)
    xs = [n.pos[0] for n in graph.nodes.values() if max_x is None or n.pos[0] <= max_x]
    ys = [n.pos[1] for n in graph.nodes.values()] + [y for r in lay.routes.values() for _, y in r]
    img = QImage(int(max(xs) + W + 40), int(max(ys) + H + 40), QImage.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    p.translate(20, 20)
    p.setPen(QPen(QColor("#555"), 2))
    for e in graph.edges:
        a, b = graph.nodes[e.src].pos, graph.nodes[e.dst].pos
        pts = (
            [QPointF(a[0] + W, a[1] + H / 2)]
            + [QPointF(x + W / 2, y + H / 2) for x, y in lay.routes.get(e, [])]
            + [QPointF(b[0], b[1] + H / 2)]
        )
        path_ = QPainterPath(pts[0])
        for q0, q1 in zip(pts, pts[1:], strict=False):
            mx = (q0.x() + q1.x()) / 2
            path_.cubicTo(QPointF(mx, q0.y()), QPointF(mx, q1.y()), q1)
        p.drawPath(path_)
    p.setFont(QFont("DejaVu Sans", 9))
    for n in graph.nodes.values():
        r = QRectF(n.pos[0], n.pos[1], W, H)
        p.setPen(QPen(QColor("#234"), 1.5))
        p.setBrush(QColor("#e8f0fb"))
        p.drawRoundedRect(r, 8, 8)
        p.setPen(QColor("black"))
        p.drawText(
            r.adjusted(6, 4, -6, -4),
            Qt.AlignLeft | Qt.AlignTop,
            f"{n.name}\n{n.key}\n{format_shape(an.shapes.get(n.id, ()))}",
        )
    p.end()
    img.save(path)
    print(path, img.width(), img.height(), "crossings", lay.crossings)


render(
    templates.resnet34(expanded=True),
    sys.argv[1] + "/layout-resnet34-expanded.png",
    max_x=float(sys.argv[2]),
)
g = templates.transformer(blocks=2)
expand_node(g, g.node_by_name("block1").id).do(g)
render(g, sys.argv[1] + "/layout-transformer.png")
