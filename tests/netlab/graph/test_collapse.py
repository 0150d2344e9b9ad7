"""Expanded blocks collapse back into the composite node they came from."""

import pytest

from netlab import templates
from netlab.errors import GraphError
from netlab.graph.analysis import analyse
from netlab.graph.commands import SetParam, SetTrainable
from netlab.graph.composites import collapse_nodes, expand_node


def _canonical(graph):
    """The graph without ids and positions: names, types, params and named edges."""
    names = {n.id: n.name for n in graph.nodes.values()}
    nodes = sorted((n.name, n.key, tuple(sorted(n.params.items()))) for n in graph.nodes.values())
    edges = sorted((names[e.src], names[e.dst], e.port) for e in graph.edges)
    return nodes, edges


def _expanded_ids(graph, before):
    return [n for n in graph.nodes if n not in before]


def test_every_residual_block_of_resnet34_collapses_back_exactly():
    graph = templates.resnet34()
    original = _canonical(graph)
    blocks = [n.id for n in graph.nodes.values() if n.key == "ResidualBlock"]
    for block in blocks:
        before = set(graph.nodes)
        expand_node(graph, block).do(graph)
        command = collapse_nodes(graph, _expanded_ids(graph, before))
        command.do(graph)
    assert _canonical(graph) == original  # projections and strides recognised, names kept
    assert analyse(graph).valid


@pytest.mark.parametrize("norm_first", [False, True])
def test_a_transformer_block_collapses_back_and_undo_restores_the_layers(norm_first):
    graph = templates.transformer()
    block = graph.node_by_name("block1")
    block.params["norm_first"] = norm_first
    original = _canonical(graph)
    before = set(graph.nodes)
    expand_node(graph, block.id).do(graph)
    layers = _canonical(graph)
    command = collapse_nodes(graph, _expanded_ids(graph, before))
    command.do(graph)
    assert _canonical(graph) == original
    command.undo(graph)
    assert _canonical(graph) == layers


def _expanded_first_block():
    graph = templates.resnet34(small=True)
    block = next(n for n in graph.nodes.values() if n.key == "ResidualBlock")
    before = set(graph.nodes)
    expand_node(graph, block.id).do(graph)
    return graph, block, _expanded_ids(graph, before)


def test_edited_or_partial_blocks_become_groups_that_compute_the_same():
    graph, block, ids = _expanded_first_block()
    conv = next(i for i in ids if graph.nodes[i].key == "Conv2D")
    SetParam(conv, "use_bias", True).do(graph)
    totals = analyse(graph).totals()
    state = _canonical(graph)
    command = collapse_nodes(graph, ids)
    command.do(graph)
    group = graph.nodes[command.commands[1].node_id]
    assert group.key == "Subnetwork"  # not the block it was: one of its layers changed
    assert group.name == block.name
    assert analyse(graph).totals() == totals
    command.undo(graph)
    assert _canonical(graph) == state


def test_selections_that_cannot_be_one_node_are_refused_and_change_nothing():
    graph, block, ids = _expanded_first_block()
    state = _canonical(graph)
    add = next(i for i in ids if graph.nodes[i].key == "Add")
    feeder = graph.inputs_of(ids[0])[0].src  # feeds the block's first layer and its shortcut
    branch = [i for i in ids if i != add and graph.nodes[i].name.split("_")[-1] != "relu2"]
    with pytest.raises(GraphError, match="one layer feeding the rest"):
        collapse_nodes(graph, [feeder, *branch])  # the feeder and the branch both reach the Add
    first = graph.node_by_name(graph.nodes[ids[0]].name)
    SetTrainable([first.id], False).do(graph)
    with pytest.raises(GraphError, match="frozen and others not"):
        collapse_nodes(graph, ids)
    SetTrainable([first.id], True).do(graph)
    entry = next(n.id for n in graph.nodes.values() if n.key == "Input")
    with pytest.raises(GraphError, match="need one input from outside"):
        collapse_nodes(graph, [entry, graph.outputs_of(entry)[0].dst])
    end = next(n.id for n in graph.nodes.values() if n.key == "Output")
    with pytest.raises(GraphError, match="no Input or Output"):
        collapse_nodes(graph, [graph.inputs_of(end)[0].src, end])
    assert _canonical(graph) == state
