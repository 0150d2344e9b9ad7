"""Every edit is a command whose undo restores the graph exactly."""

import pytest

from netlab.errors import GraphError, ParameterError
from netlab.graph.commands import (
    AddNode,
    Compound,
    Connect,
    Disconnect,
    MoveNodes,
    RemoveNodes,
    Rename,
    SetParam,
    insert_on_edge,
    paste_group,
)
from netlab.graph.model import Edge
from netlab.templates import cnn


def _roundtrip(graph, command):
    before = graph.to_dict()
    command.do(graph)
    after = graph.to_dict()
    assert after != before
    command.undo(graph)
    assert graph.to_dict() == before
    command.do(graph)  # redo
    assert graph.to_dict() == after


def test_each_command_undoes_and_redoes():
    graph = cnn()
    conv = graph.node_by_name("conv1").id
    pool = graph.node_by_name("pool1").id
    _roundtrip(graph, AddNode("Dense", (10, 20), params={"units": 3}))
    _roundtrip(graph, Rename(conv, "first_conv"))
    _roundtrip(graph, SetParam(conv, "filters", 8))
    _roundtrip(graph, MoveNodes({conv: (1.0, 2.0), pool: (3.0, 4.0)}))
    _roundtrip(graph, Disconnect(Edge(conv, pool, 0)))
    extra = AddNode("Dense")
    extra.do(graph)
    _roundtrip(graph, Connect(pool, extra.node_id))
    _roundtrip(graph, RemoveNodes([conv, pool]))


def test_events_are_emitted():
    graph = cnn()
    events = []
    graph.subscribe(events.append)
    AddNode("Dropout").do(graph)
    assert [e.kind for e in events] == ["node_added", "node_changed"]
    events.clear()
    RemoveNodes([graph.node_by_name("conv1").id]).do(graph)
    assert [e.kind for e in events] == ["edge_removed", "edge_removed", "node_removed"]


def test_invalid_edits_raise_and_change_nothing():
    graph = cnn()
    before = graph.to_dict()
    conv = graph.node_by_name("conv1").id
    with pytest.raises(
        ParameterError, match=r"filters must be a whole number from 1 to 65536 \(got 0\)"
    ):
        SetParam(conv, "filters", 0).do(graph)
    with pytest.raises(GraphError, match="name 'conv2' is taken"):
        Rename(conv, "conv2").do(graph)
    with pytest.raises(GraphError, match="not a valid name"):
        Rename(conv, "has space").do(graph)
    with pytest.raises(GraphError, match="input 1 of 'pool1' is already connected"):
        Connect(graph.node_by_name("digits").id, graph.node_by_name("pool1").id, 0).do(graph)
    with pytest.raises(GraphError, match="cannot take its own output"):
        Connect(conv, conv, 1).do(graph)
    with pytest.raises(GraphError, match="connecting 'pool2' to 'conv1' would make a cycle"):
        Connect(graph.node_by_name("pool2").id, conv, 1).do(graph)
    add_then_fail = Compound([AddNode("Dense"), Connect("n999", conv)])
    with pytest.raises(GraphError, match="no node with id 'n999'"):
        add_then_fail.do(graph)
    assert graph.to_dict() == before


def test_paste_group_renames_and_keeps_inner_edges():
    graph = cnn()
    conv, pool = graph.node_by_name("conv1"), graph.node_by_name("pool1")
    data = graph.to_dict()
    data["nodes"] = [n for n in data["nodes"] if n["id"] in (conv.id, pool.id)]
    command = paste_group(graph, data, (50, 50))
    _roundtrip(graph, command)
    names = {n.name for n in graph.nodes.values()}
    assert {"conv1_2", "pool1_2"} <= names
    pasted = graph.node_by_name("pool1_2").id
    assert [graph.nodes[e.src].name for e in graph.inputs_of(pasted)] == ["conv1_2"]
    assert graph.node_by_name("conv1_2").pos == (conv.pos[0] + 50, conv.pos[1] + 50)


def test_insert_on_edge_puts_the_layer_between_and_undoes():
    graph = cnn()
    conv, pool = graph.node_by_name("conv1").id, graph.node_by_name("pool1").id
    command = insert_on_edge(graph, Edge(conv, pool), "BatchNorm", (10.0, 20.0))
    _roundtrip(graph, command)
    new = graph.node_by_name("batchnorm")
    assert [e.src for e in graph.inputs_of(new.id)] == [conv]
    assert [(e.dst, e.port) for e in graph.outputs_of(new.id)] == [(pool, 0)]
    assert Edge(conv, pool) not in graph.edges


def test_insert_on_edge_can_make_room_to_the_right():
    graph = cnn()
    conv, pool = graph.node_by_name("conv1"), graph.node_by_name("pool1")
    for i, node in enumerate(graph.nodes.values()):
        node.pos = (100.0 * i, 0.0)
    before = {n.id: n.pos for n in graph.nodes.values()}
    command = insert_on_edge(graph, Edge(conv.id, pool.id), "Dropout", (150.0, 0.0), room=240.0)
    _roundtrip(graph, command)
    assert graph.node_by_name("conv1").pos == before[conv.id]
    assert graph.node_by_name("pool1").pos == (before[pool.id][0] + 240.0, 0.0)
    assert graph.node_by_name("dropout_2").pos == (150.0, 0.0)
