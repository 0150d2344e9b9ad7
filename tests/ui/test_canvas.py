"""The canvas mirrors the graph: change the model, check the view."""

from netlab.graph.commands import AddNode, Connect, Disconnect, SetParam
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge
from netlab.templates import cnn, resnet34
from ui.canvas.scene import GraphScene
from ui.canvas.view import GraphView


def test_scene_shows_every_node_and_edge_with_shapes(qtbot):
    graph = cnn()
    scene = GraphScene(graph, auto_layout(graph))
    assert set(scene.nodes) == set(graph.nodes)
    assert set(scene.edges) == set(graph.edges)
    conv = scene.nodes[graph.node_by_name("conv1").id]
    assert conv.lines[0] == "conv1  ·  Convolution 2D"
    assert conv.lines[1] == "filters=16, kernel_size=3, strides=1, padding=1"
    assert conv.lines[2] == "(None, 8, 8, 16)   160 params"
    assert conv.pos().x() == graph.node_by_name("conv1").pos[0]


def test_scene_follows_edits_and_marks_problems(qtbot):
    graph = cnn()
    scene = GraphScene(graph)
    conv_id = graph.node_by_name("conv1").id
    SetParam(conv_id, "filters", 8).do(graph)
    assert scene.nodes[conv_id].lines[2] == "(None, 8, 8, 8)   80 params"
    SetParam(conv_id, "kernel_size", 11).do(graph)
    assert "larger than the padded input" in scene.nodes[conv_id].problem
    assert "larger than the padded input" in scene.nodes[conv_id].toolTip()
    pool = graph.node_by_name("pool1").id
    Disconnect(Edge(conv_id, pool)).do(graph)
    assert len(scene.edges) == len(graph.edges)
    assert "input not connected" in scene.nodes[pool].problem
    extra = AddNode("Dense", (0.0, 400.0))
    extra.do(graph)
    Connect(conv_id, extra.node_id).do(graph)
    assert extra.node_id in scene.nodes


def test_skip_connections_are_routed_below_the_path(qtbot):
    graph = resnet34(expanded=True)
    layout = auto_layout(graph)
    scene = GraphScene(graph, layout)
    view = GraphView(scene)
    qtbot.addWidget(view)
    skip = next(iter(layout.routes))
    path = scene.edges[skip].path()
    lowest = max(path.pointAtPercent(t / 20).y() for t in range(21))
    assert lowest > graph.nodes[skip.src].pos[1] + 64  # below the node row
    view.resize(800, 400)
    view.fit()
    assert view.transform().m11() < 1.0
