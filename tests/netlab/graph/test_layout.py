"""The automatic layout and the router: layered, straight, no overlaps, nothing through a box."""

import pytest

from netlab import templates
from netlab.graph.composites import collapse_nodes, expand_node
from netlab.graph.geometry import NODE_HEIGHT, NODE_WIDTH, overlapping
from netlab.graph.layout import auto_layout
from netlab.graph.model import Graph
from netlab.graph.routing import input_point, output_point, port_count, route_all


def _segments(points):
    return list(zip(points, points[1:], strict=False))


def _crosses_box(a, b, box):
    """Whether the straight segment a-b passes through the inside of ``box`` (sampled)."""
    x0, y0, x1, y1 = box
    for t in [i / 40 for i in range(41)]:
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        if x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1:
            return True
    return False


def assert_clean(graph: Graph, direction: str) -> dict:
    assert overlapping(graph) == []
    routes = route_all(graph, direction)
    boxes = {n.id: (n.pos[0], n.pos[1], n.pos[0] + NODE_WIDTH, n.pos[1] + NODE_HEIGHT)
             for n in graph.nodes.values()}  # fmt: skip
    for edge in graph.edges:
        start = output_point(graph.nodes[edge.src].pos, direction)
        end = input_point(graph.nodes[edge.dst].pos, edge.port, port_count(graph, edge.dst),
                          direction)  # fmt: skip
        points = [start, *routes.get(edge, []), end]
        for node_id, box in boxes.items():
            if node_id in (edge.src, edge.dst):
                continue
            assert not any(_crosses_box(a, b, box) for a, b in _segments(points)), (edge, node_id)
    return routes


GRAPHS = {
    "cnn": templates.cnn, "resnet34-expanded": lambda: templates.resnet34(expanded=True),
    "transformer": templates.transformer, "vit-b16": templates.vit,
    "densenet": templates.densenet121,
}  # fmt: skip


@pytest.mark.parametrize("name", list(GRAPHS))
def test_top_to_bottom_is_layered_straight_and_clean(name):
    graph = GRAPHS[name]()
    layout = auto_layout(graph)
    assert layout.crossings == 0
    for edge in graph.edges:  # every edge runs downwards
        assert graph.nodes[edge.src].pos[1] < graph.nodes[edge.dst].pos[1]
    main_x = graph.nodes[next(iter(graph.nodes))].pos[0]
    off_column = [n.name for n in graph.nodes.values() if n.pos[0] != main_x]
    assert all(n.endswith(("proj", "proj_bn")) for n in off_column)  # only ResNet's projections
    routes = assert_clean(graph, "down")
    if name == "resnet34-expanded":
        assert len(routes) == 16  # one shortcut per block, beside the column
    if name == "densenet":
        assert len(graph.nodes) == 428


def test_left_to_right_wraps_into_bands_without_overlaps():
    graph = templates.resnet34(expanded=True)
    auto_layout(graph, "right", wrap=6)
    assert max(n.pos[0] for n in graph.nodes.values()) <= 5 * (NODE_WIDTH + 60)
    assert len({n.pos[1] for n in graph.nodes.values() if n.name.endswith("relu2")}) > 5
    routes = assert_clean(graph, "right")
    between = [e for e in graph.edges if graph.nodes[e.dst].pos[0] < graph.nodes[e.src].pos[0]]
    assert between
    assert all(len(routes[e]) == 4 for e in between)


def test_layout_and_routes_do_not_depend_on_history():
    one, two = templates.resnet34(expanded=True), templates.resnet34(expanded=True)
    auto_layout(one)
    auto_layout(two, "right")
    auto_layout(two)
    assert [n.pos for n in one.nodes.values()] == [n.pos for n in two.nodes.values()]
    assert route_all(one, "down") == route_all(two, "down")


@pytest.mark.parametrize(("template", "key"), [("resnet34", "ResidualBlock"),
                                               ("transformer", "TransformerBlock"),
                                               ("vit-tiny", "TransformerBlock")])  # fmt: skip
def test_expanding_every_block_lays_it_out_in_place_and_undo_restores_all(template, key):
    graph = templates.from_template(template)
    before = {n.id: n.pos for n in graph.nodes.values()}
    routes = route_all(graph, "down")
    commands = []
    for node_id in [n.id for n in graph.nodes.values() if n.key == key]:
        command = expand_node(graph, node_id)
        command.apply(graph)
        commands.append(command)
        assert_clean(graph, "down")
    for command in reversed(commands):
        command.revert(graph)
    assert {n.id: n.pos for n in graph.nodes.values()} == before
    assert route_all(graph, "down") == routes


def test_collapse_after_expand_puts_the_block_back_where_it_was():
    graph = templates.resnet34()
    block = graph.node_by_name("stage3_block1")
    where = block.pos
    expand_node(graph, block.id).apply(graph)
    inner = [n.id for n in graph.nodes.values() if n.name.startswith("stage3_block1_")]
    collapse = collapse_nodes(graph, inner)
    collapse.apply(graph)
    assert graph.node_by_name("stage3_block1").pos == where
