"""Copied layers paste as new nodes with their inner edges; bad text is refused cleanly."""

import json

import pytest

from netlab.errors import GraphError
from netlab.graph.clipboard import copy_nodes, paste_command
from netlab.templates import cnn


def test_copy_then_paste_adds_renamed_nodes_with_inner_edges_and_undoes():
    graph = cnn()
    ids = [graph.node_by_name(n).id for n in ("conv1", "pool1")]
    text = copy_nodes(graph, ids)
    before = graph.to_dict()
    command = paste_command(graph, text)
    command.do(graph)
    assert {"conv1_2", "pool1_2"} <= {n.name for n in graph.nodes.values()}
    new_conv, new_pool = graph.node_by_name("conv1_2"), graph.node_by_name("pool1_2")
    assert [e.src for e in graph.inputs_of(new_pool.id)] == [new_conv.id]
    assert new_conv.pos == (graph.node_by_name("conv1").pos[0] + 40,
                            graph.node_by_name("conv1").pos[1] + 40)
    command.undo(graph)
    assert graph.to_dict() == before


def test_paste_into_another_graph():
    source, target = cnn(), cnn()
    text = copy_nodes(source, [source.node_by_name("conv1").id])
    paste_command(target, text).do(target)
    assert target.node_by_name("conv1_2").params == source.node_by_name("conv1").params


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "the clipboard holds no NetLab layers"),
        ('{"kind": "other"}', "the clipboard holds no NetLab layers"),
        (json.dumps({"kind": "netlab-layers", "version": 1, "nodes": [
            {"id": "n1", "name": "x", "type": "NoSuchLayer", "params": {}, "pos": [0, 0]}],
            "edges": []}), "the copied layers are damaged: "),
        (json.dumps({"kind": "netlab-layers", "version": 1, "nodes": [{"id": "n1"}],
                     "edges": []}), "the copied layers are damaged: "),
        (json.dumps({"kind": "netlab-layers", "version": 1, "nodes": [], "edges": []}),
         "the clipboard holds no NetLab layers"),
    ],
)  # fmt: skip
def test_bad_clipboard_text_is_refused_with_one_line(text, message):
    graph = cnn()
    before = graph.to_dict()
    with pytest.raises(GraphError) as info:
        paste_command(graph, text)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert graph.to_dict() == before
