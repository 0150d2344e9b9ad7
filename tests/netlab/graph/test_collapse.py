"""Expanded blocks collapse back into the composite node they came from."""

import pytest

from netlab import templates
from netlab.errors import GraphError
from netlab.graph.analysis import analyse
from netlab.graph.commands import SetParam
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


def test_edited_or_partial_selections_are_refused_and_change_nothing():
    graph = templates.resnet34(small=True)
    block = next(n for n in graph.nodes.values() if n.key == "ResidualBlock")
    before = set(graph.nodes)
    expand_node(graph, block.id).do(graph)
    ids = _expanded_ids(graph, before)
    state = _canonical(graph)
    with pytest.raises(GraphError, match="do not form a residual or Transformer block"):
        collapse_nodes(graph, ids[:-1])
    conv = next(i for i in ids if graph.nodes[i].key == "Conv2D")
    SetParam(conv, "use_bias", True).do(graph)
    state = _canonical(graph)
    with pytest.raises(GraphError, match="do not form a residual or Transformer block"):
        collapse_nodes(graph, ids)
    assert _canonical(graph) == state
