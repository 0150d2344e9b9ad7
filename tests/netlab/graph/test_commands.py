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
from netlab.graph.model import Edge, GraphChange
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


def test_each_primitive_change_is_an_event_outside_a_batch():
    graph = cnn()
    events = []
    graph.subscribe(events.append)
    add = AddNode("Dropout")
    add.do(graph)
    assert events == [GraphChange(added=frozenset({add.node_id}))]
    events.clear()
    conv = graph.node_by_name("conv1").id
    RemoveNodes([conv]).do(graph)
    assert [bool(e.edges_removed) for e in events] == [True, True, False]
    assert events[-1] == GraphChange(removed=frozenset({conv}))


def test_a_command_applied_is_one_event_with_its_net_effect():
    graph = cnn()
    events = []
    graph.subscribe(events.append)
    conv = graph.node_by_name("conv1")
    edges = graph.inputs_of(conv.id) + graph.outputs_of(conv.id)
    delete = RemoveNodes([conv.id])
    delete.apply(graph)
    assert events == [GraphChange(removed=frozenset({conv.id}), edges_removed=frozenset(edges))]
    delete.revert(graph)
    assert events[1] == GraphChange(added=frozenset({conv.id}), edges_added=frozenset(edges))
    events.clear()
    paste = paste_group(graph, graph.to_dict(), (0.0, 500.0))
    paste.apply(graph)
    assert len(events) == 1
    assert len(events[0].added) == 10
    assert len(events[0].edges_added) == len(graph.edges) // 2
    events.clear()
    # Removed and put back inside one batch: a change of the node, not a new one.
    both = Compound([RemoveNodes([conv.id]), AddNode("Dense", node_id=conv.id, name="conv1")])
    both.apply(graph)
    assert events[0].changed == {conv.id}
    assert not events[0].added
    assert not events[0].removed


def test_moves_alone_are_marked_as_such():
    graph = cnn()
    events = []
    graph.subscribe(events.append)
    conv = graph.node_by_name("conv1").id
    MoveNodes({conv: (5.0, 5.0)}).apply(graph)
    assert events[0].moved == {conv}
    assert events[0].only_moves
    SetParam(conv, "filters", 4).apply(graph)
    assert events[1].changed == {conv}
    assert not events[1].only_moves


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
