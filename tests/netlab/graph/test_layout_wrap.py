"""Long networks wrap into bands; edges between bands run through the gap."""

from netlab import templates
from netlab.graph.layout import COLUMN_STEP, ROW_STEP, auto_layout

NODE_WIDTH, NODE_HEIGHT = 180.0, 64.0  # as drawn by the canvas


def _rects(graph):
    return {n.id: (n.pos[0], n.pos[1], n.pos[0] + NODE_WIDTH, n.pos[1] + NODE_HEIGHT)
            for n in graph.nodes.values()}  # fmt: skip


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_wrapped_resnet_fits_the_width_without_overlaps_and_routes_through_gaps():
    graph = templates.resnet34(expanded=True)
    layout = auto_layout(graph, wrap=6)
    rects = _rects(graph)
    assert max(r[0] for r in rects.values()) <= 5 * COLUMN_STEP
    items = list(rects.values())
    assert not any(_overlap(a, b) for i, a in enumerate(items) for b in items[i + 1 :])
    bands = sorted({n.pos[1] for n in graph.nodes.values() if n.name.endswith("relu2")})
    assert len(bands) > 5  # many bands, top to bottom
    crossing = [e for e in graph.edges
                if graph.nodes[e.dst].pos[1] > graph.nodes[e.src].pos[1] + ROW_STEP
                and graph.nodes[e.dst].pos[0] < graph.nodes[e.src].pos[0]]  # fmt: skip
    assert crossing
    for edge in crossing:  # each goes down into the gap, left, and down into the next band
        route = layout.routes[edge]
        src, dst = graph.nodes[edge.src].pos, graph.nodes[edge.dst].pos
        gap_points = [p for p in route if src[1] < p[1] < dst[1]]
        assert len(gap_points) >= 2
        for x, y in gap_points:
            corner = (x, y, x + NODE_WIDTH, y + NODE_HEIGHT)
            mid = y + NODE_HEIGHT / 2
            assert not any(r[1] <= mid <= r[3] for r in items if _overlap(corner, r))


def test_without_wrap_the_layout_is_unchanged():
    one, two = templates.cnn(), templates.cnn()
    auto_layout(one)
    auto_layout(two, wrap=100)
    assert [n.pos for n in one.nodes.values()] == [n.pos for n in two.nodes.values()]
