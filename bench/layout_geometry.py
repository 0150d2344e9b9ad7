"""Geometry for bench/layout_engines.py: edge curves, drawing metrics and PNG pictures.

Every engine's result is measured the same way: its edges are turned into
polylines (our S-curves through waypoints, or dot's own Bézier splines, sampled
densely), and crossings, lengths and collisions are counted on those polylines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netlab.graph.geometry import NODE_HEIGHT as NODE_H  # noqa: E402
from netlab.graph.geometry import NODE_WIDTH as NODE_W  # noqa: E402
from netlab.graph.model import Edge, Graph, topological_order

SAMPLES = 12  # points per curve piece

Point = tuple[float, float]


@dataclass
class Drawing:
    """Where an engine put things, in canvas pixels (y down).

    Attributes:
        centres: Centre of each node's box.
        paths: For each edge, how its curve is drawn: ``("tb", points)`` passes
            through ``points`` with vertical S-curves (the top-to-bottom version
            of ``EdgeItem.route``), ``("lr", points)`` with horizontal ones (the
            canvas as shipped), ``("bezier", points)`` is a cubic Bézier spline
            (control points, as Graphviz gives them).
        size: Width and height of each node's box.
    """

    centres: dict[str, Point] = field(default_factory=dict)
    paths: dict[Edge, tuple[str, list[Point]]] = field(default_factory=dict)
    size: Point = (NODE_W, NODE_H)


def through_tb(drawing: Drawing, edge: Edge, middle: list[Point]) -> tuple[str, list[Point]]:
    """A top-to-bottom path: out of the source's bottom centre, into the target's top centre."""
    (sx, sy), (dx, dy) = drawing.centres[edge.src], drawing.centres[edge.dst]
    h = drawing.size[1] / 2
    return "tb", [(sx, sy + h), *middle, (dx, dy - h)]


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> np.ndarray:
    t = np.linspace(0.0, 1.0, SAMPLES + 1)[:, None]
    pts = np.array([p0, p1, p2, p3], dtype=float)
    return ((1 - t) ** 3 * pts[0] + 3 * (1 - t) ** 2 * t * pts[1]
            + 3 * (1 - t) * t**2 * pts[2] + t**3 * pts[3])  # fmt: skip


def polyline(kind: str, points: list[Point]) -> np.ndarray:
    """The drawn curve of a path as an (n, 2) array of points."""
    pieces: list[np.ndarray] = []
    if kind == "bezier":
        for i in range(0, len(points) - 3, 3):
            pieces.append(_cubic(*points[i : i + 4]))
    else:
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            if kind == "tb":
                mid = (ay + by) / 2
                pieces.append(_cubic((ax, ay), (ax, mid), (bx, mid), (bx, by)))
            else:
                mid = (ax + bx) / 2
                pieces.append(_cubic((ax, ay), (mid, ay), (mid, by), (bx, by)))
    if not pieces:
        return np.array(points, dtype=float)
    return np.vstack([pieces[0], *(p[1:] for p in pieces[1:])])


def _crossings(curves: dict[Edge, np.ndarray], band: float = 200.0) -> int:
    """Proper crossings between edges that share no end node, bucketed by height."""
    segs, owner = [], []
    for k, pts in enumerate(curves.values()):
        segs.append(np.hstack([pts[:-1], pts[1:]]))
        owner += [k] * (len(pts) - 1)
    s, own = np.vstack(segs), np.array(owner)
    ends = [(e.src, e.dst) for e in curves]
    lo, hi = np.minimum(s[:, 1], s[:, 3]), np.maximum(s[:, 1], s[:, 3])
    count = 0
    for b in range(int(lo.min() // band), int(hi.max() // band) + 1):
        top, bottom = b * band, (b + 1) * band
        idx = np.nonzero((hi >= top) & (lo < bottom))[0]
        if len(idx) < 2:
            continue
        a, c = s[idx], own[idx]
        i, j = np.triu_indices(len(idx), 1)
        keep = c[i] != c[j]
        i, j = i[keep], j[keep]
        p, r = a[i, :2], a[i, 2:] - a[i, :2]
        q, t = a[j, :2], a[j, 2:] - a[j, :2]
        den = r[:, 0] * t[:, 1] - r[:, 1] * t[:, 0]
        ok = np.abs(den) > 1e-9
        qp = q - p
        u = np.where(ok, (qp[:, 0] * t[:, 1] - qp[:, 1] * t[:, 0]) / np.where(ok, den, 1), -1)
        v = np.where(ok, (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / np.where(ok, den, 1), -1)
        hit = (
            ok & (u >= 0) & (u < 1) & (v >= 0) & (v < 1)
        )  # half-open: a crossing at a sample point counts once
        y = p[:, 1] + u * r[:, 1]
        hit &= (y >= top) & (y < bottom)  # each crossing counted in one bucket only
        for k1, k2 in zip(c[i[hit]], c[j[hit]], strict=True):
            if not set(ends[k1]) & set(ends[k2]):
                count += 1
    return count


def _dense(pts: np.ndarray, step: float = 4.0) -> np.ndarray:
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:], strict=False):
        n = max(1, int(np.hypot(*(b - a)) // step))
        out.append(a + (b - a) * np.linspace(0, 1, n + 1)[1:, None])
    return np.vstack(out)


def _through_boxes(drawing: Drawing, curves: dict[Edge, np.ndarray]) -> int:
    """Edges whose curve enters a node box (shrunk by 3 px) other than its own ends."""
    ids = list(drawing.centres)
    c = np.array([drawing.centres[n] for n in ids])
    half = np.array(drawing.size) / 2 - 3
    bad = 0
    for edge, pts in curves.items():
        d = _dense(pts)
        near = np.nonzero((np.abs(c[:, None, 0] - d[None, :, 0]) < half[0])
                          & (np.abs(c[:, None, 1] - d[None, :, 1]) < half[1]))[0]  # fmt: skip
        if any(ids[k] not in (edge.src, edge.dst) for k in set(near.tolist())):
            bad += 1
    return bad


def _overlaps(drawing: Drawing) -> int:
    c = np.array(list(drawing.centres.values()))
    w, h = drawing.size
    dx = np.abs(c[:, None, 0] - c[None, :, 0]) < w - 0.5
    dy = np.abs(c[:, None, 1] - c[None, :, 1]) < h - 0.5
    return int(np.triu(dx & dy, 1).sum())


def main_path(graph: Graph) -> list[Edge]:
    """The edges of the longest path through the graph (most nodes): its main chain."""
    order, _ = topological_order(graph)
    best: dict[str, tuple[int, Edge | None]] = {}
    for node_id in order:
        ins = [(best[e.src][0] + 1, e) for e in graph.inputs_of(node_id) if e.src in best]
        best[node_id] = max(ins, key=lambda item: item[0], default=(0, None))
    node_id = max(best, key=lambda n: best[n][0])
    path = []
    while best[node_id][1] is not None:
        edge = best[node_id][1]
        path.append(edge)
        node_id = edge.src
    return path[::-1]


def metrics(graph: Graph, drawing: Drawing) -> dict[str, float]:
    """Crossings, length, overlaps, size, main-chain bends and edges through boxes."""
    curves = {e: polyline(*drawing.paths[e]) for e in graph.edges}
    everything = np.vstack([np.array(list(drawing.centres.values())), *curves.values()])
    c = np.array(list(drawing.centres.values()))
    w, h = drawing.size
    left = min(c[:, 0].min() - w / 2, everything[:, 0].min())
    right = max(c[:, 0].max() + w / 2, everything[:, 0].max())
    top = min(c[:, 1].min() - h / 2, everything[:, 1].min())
    bottom = max(c[:, 1].max() + h / 2, everything[:, 1].max())
    bent = 0
    for e in main_path(graph):
        xs = curves[e][:, 0] if drawing.paths[e][0] != "lr" else curves[e][:, 1]
        if xs.max() - xs.min() > 1.0:
            bent += 1
    return {
        "crossings": _crossings(curves),
        "length": float(sum(np.hypot(*np.diff(p, axis=0).T).sum() for p in curves.values())),
        "overlaps": _overlaps(drawing),
        "width": right - left,
        "height": bottom - top,
        "bent": bent,
        "main": len(main_path(graph)),
        "through": _through_boxes(drawing, curves),
    }


def render_png(graph: Graph, drawing: Drawing, path: str, scale: float = 0.5,
               strip: float = 6000.0, window: Point | None = None) -> None:  # fmt: skip
    """Draws boxes (name and type) and edges with Pillow; a tall drawing is cut into strips
    side by side; ``window`` keeps only that band of heights (from the drawing's top)."""
    from PIL import Image, ImageDraw, ImageFont

    curves = {e: polyline(*drawing.paths[e]) for e in graph.edges}
    c = np.array(list(drawing.centres.values()))
    w, h = drawing.size
    pts = np.vstack([c - (w / 2, h / 2), c + (w / 2, h / 2), *curves.values()])
    origin = pts.min(axis=0) - 20
    extent = pts.max(axis=0) + 20 - origin
    tall = Image.new("RGB", (int(extent[0] * scale) + 1, int(extent[1] * scale) + 1), "white")
    pen = ImageDraw.Draw(tall)
    font = ImageFont.truetype("DejaVuSans.ttf", max(6, int(13 * scale)))
    for pts_e in curves.values():
        xy = [tuple(p) for p in (pts_e - origin) * scale]
        pen.line(xy, fill=(60, 90, 160), width=max(1, int(2 * scale)))
    for node_id, (x, y) in drawing.centres.items():
        box = [(x - w / 2 - origin[0]) * scale, (y - h / 2 - origin[1]) * scale,
               (x + w / 2 - origin[0]) * scale, (y + h / 2 - origin[1]) * scale]  # fmt: skip
        pen.rounded_rectangle(box, radius=6 * scale, fill=(250, 235, 200), outline=(90, 70, 40))
        node = graph.nodes[node_id]
        pen.text((box[0] + 8 * scale, box[1] + 8 * scale), f"{node.name}\n{node.key}",
                 fill="black", font=font, spacing=int(6 * scale))  # fmt: skip
    if window is not None:
        tall = tall.crop((0, int(window[0] * scale), tall.width,
                          min(tall.height, int(window[1] * scale))))  # fmt: skip
    strips = max(1, int(np.ceil(tall.height / (strip * scale))))
    height = min(tall.height, int(strip * scale))
    sheet = Image.new("RGB", (tall.width * strips + 10 * (strips - 1), height), (200, 200, 200))
    for k in range(strips):
        piece = tall.crop((0, k * height, tall.width, min(tall.height, (k + 1) * height)))
        sheet.paste(piece, (k * (tall.width + 10), 0))
    sheet.save(path)
