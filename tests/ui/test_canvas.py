"""The canvas mirrors the graph: change the model, check the view."""

from netlab.graph.commands import AddNode, Compound, Connect, Disconnect, SetParam
from netlab.graph.geometry import NODE_WIDTH
from netlab.graph.layout import auto_layout
from netlab.graph.model import Edge
from netlab.graph.routing import route_all
from netlab.templates import cnn, resnet34
from ui.canvas.scene import GraphScene
from ui.canvas.view import GraphView


def test_scene_shows_every_node_and_edge_with_shapes(qtbot):
    graph = cnn()
    scene = GraphScene(graph)
    assert set(scene.nodes) == set(graph.nodes)
    assert set(scene.edges) == set(graph.edges)
    conv = scene.nodes[graph.node_by_name("conv1").id].state
    assert (conv.title, conv.kind) == ("conv1", "Convolution 2D")
    assert conv.params == "filters 16 · kernel 3 · stride 1 · pad 1"
    assert conv.shape == "(None, 8, 8, 16)   160 params"
    item = scene.nodes[graph.node_by_name("conv1").id]
    assert (item.pos().x(), item.pos().y()) == graph.node_by_name("conv1").pos


def test_scene_follows_edits_and_marks_problems(qtbot):
    graph = cnn()
    scene = GraphScene(graph)
    conv_id = graph.node_by_name("conv1").id
    SetParam(conv_id, "filters", 8).apply(graph)
    assert scene.nodes[conv_id].state.shape == "(None, 8, 8, 8)   80 params"
    SetParam(conv_id, "kernel_size", 11).apply(graph)
    assert "larger than the padded input" in scene.nodes[conv_id].state.problem
    assert "larger than the padded input" in scene.nodes[conv_id].toolTip()
    pool = graph.node_by_name("pool1").id
    Disconnect(Edge(conv_id, pool)).apply(graph)
    assert len(scene.edges) == len(graph.edges)
    assert "input not connected" in scene.nodes[pool].state.problem
    extra = AddNode("Dense", (0.0, 400.0), node_id=graph.new_id())
    Compound([extra, Connect(conv_id, extra.node_id)]).apply(graph)
    assert extra.node_id in scene.nodes


def test_an_edit_redraws_only_the_nodes_it_changes(qtbot):
    graph = resnet34(expanded=True)
    auto_layout(graph)
    scene = GraphScene(graph)
    states = {n: item.state for n, item in scene.nodes.items()}
    dense, output = graph.node_by_name("fc").id, graph.node_by_name("prediction").id
    SetParam(dense, "units", 10).apply(graph)
    changed = [n for n, item in scene.nodes.items() if item.state is not states[n]]
    assert changed == [dense, output]  # the layer, and the output whose shape it sets


def test_skip_connections_run_beside_the_column(qtbot):
    graph = resnet34(expanded=True)
    auto_layout(graph)
    scene = GraphScene(graph)
    view = GraphView(scene)
    qtbot.addWidget(view)
    skip = next(iter(route_all(graph, "down")))
    path = scene.edges[skip].path()
    right = max(path.pointAtPercent(t / 20).x() for t in range(21))
    assert right > graph.nodes[skip.src].pos[0] + NODE_WIDTH  # beside the nodes, not through
    view.resize(800, 400)
    view.fit()
    assert view.transform().m11() < 0.1  # the whole network: 126 layers in 400 pixels
