"""Validation finds every kind of problem, all at once, tied to node and field."""

import pytest

from netlab.graph.analysis import analyse
from netlab.graph.commands import AddNode, Disconnect, SetParam
from netlab.graph.model import Edge, Graph, Node
from netlab.templates import cnn, transformer


def _problems(graph):
    return [(graph.nodes[p.node_id].name if p.node_id else None, p.field, p.message)
            for p in analyse(graph).problems]  # fmt: skip


def _chain(*nodes):
    graph = Graph()
    for i, (key, params) in enumerate(nodes):
        graph.insert_node(Node(f"n{i}", f"{key.lower()}{i}", key, params))
        if i:
            graph.insert_edge(Edge(f"n{i - 1}", f"n{i}", 0))
    return graph


def _one(graph):
    problems = _problems(graph)
    assert len(problems) == 1, problems
    return problems[0]


def test_templates_are_valid():
    assert analyse(cnn()).valid
    assert analyse(transformer()).valid


def test_cycle():
    graph = cnn()
    conv1 = graph.node_by_name("conv1").id
    Disconnect(Edge(graph.node_by_name("digits").id, conv1)).do(graph)
    # The Connect command refuses cycles; a file can still hold one.
    graph.insert_edge(Edge(graph.node_by_name("pool2").id, conv1))
    messages = _problems(graph)
    assert any("conv1" == n and "cycle" in m for n, _, m in messages)


def test_unconnected_input_and_no_output():
    graph = _chain(("Input", {"shape": (4,)}), ("Dense", {"units": 2}))
    graph.insert_node(Node("x", "add", "Add", {}))
    graph.insert_edge(Edge("n1", "x", 0))
    problems = _problems(graph)
    assert ("add", "input", "needs at least 2 inputs but has 1") in problems
    assert (None, None, "the network has no Output: connect the last layer to an Output marker") \
        in problems  # fmt: skip


def test_no_input():
    graph = _chain(("Dense", {}), ("Output", {}))
    assert (None, None, "the network has no Input layer") in _problems(graph)


def test_missing_attention_input_named():
    graph = _chain(("Input", {"shape": (5, 8)}), ("ScaledDotProductAttention", {}), ("Output", {}))
    assert _one(graph) == ("scaleddotproductattention1", "input",
                           "input not connected: key (input 2), value (input 3)")  # fmt: skip


def test_shape_mismatch_at_add_and_concatenate():
    graph = _chain(("Input", {"shape": (4, 6)}), ("Dense", {"units": 3}), ("Add", {}),
                   ("Output", {}))  # fmt: skip
    graph.insert_edge(Edge("n0", "n2", 1))
    assert _one(graph) == ("add2", "input", "Add needs equal shapes, but input 1 is "
                           "(None, 4, 3) and input 2 is (None, 4, 6)")  # fmt: skip
    graph.insert_node(Node("c", "concat", "Concatenate", {"axis": 1}))
    graph.insert_edge(Edge("n0", "c", 0))
    graph.insert_edge(Edge("n1", "c", 1))
    assert ("concat", "input", "Concatenate needs equal shapes except on axis 1, but input 1 is "
            "(None, 4, 6) and input 2 is (None, 4, 3)") in _problems(graph)  # fmt: skip


def test_convolution_on_wrong_rank_and_kernel_too_large():
    graph = _chain(("Input", {"shape": (16,)}), ("Conv2D", {}), ("Output", {}))
    assert _one(graph) == ("conv2d1", "input", "expects an image (height, width, channels) (a 4-D "
                           "tensor with the batch) but gets shape (None, 16)")  # fmt: skip
    graph = _chain(("Input", {"shape": (4, 4, 1)}), ("Conv2D", {"kernel_size": 7, "padding": 1}),
                   ("Output", {}))  # fmt: skip
    assert _one(graph) == ("conv2d1", "kernel_size", "the kernel of size 7 is larger than the "
                           "padded input (size 4 + 2 * padding 1 = 6)")  # fmt: skip


def test_heads_not_dividing_and_sequence_too_long():
    graph = transformer(width=32, heads=4)
    block = graph.node_by_name("block1").id
    SetParam(block, "num_heads", 3).do(graph)
    assert _one(graph) == ("block1", "num_heads", "3 heads do not divide the model width 32; "
                           "choose a divisor of 32 or set key_dim")  # fmt: skip
    graph = transformer(length=16, positions="learned")
    SetParam(graph.node_by_name("positions").id, "max_length", 10).do(graph)
    assert _one(graph) == ("positions", "max_length", "the sequence has 16 positions but "
                           "max_length is 10")  # fmt: skip


def test_invalid_parameter_values_all_reported():
    graph = cnn()
    conv = graph.node_by_name("conv1")
    conv.params = {**conv.params, "filters": -3, "padding": "full", "colour": "red"}
    problems = _problems(graph)
    assert ("conv1", "colour", "Conv2D has no parameter 'colour'") in problems
    assert ("conv1", "filters", "filters must be a whole number from 1 to 65536 "
            "(got -3)") in problems  # fmt: skip
    assert ("conv1", "padding", "padding must be a whole number >= 0, a pair of them, 'valid' or "
            "'same' (got 'full')") in problems  # fmt: skip


def test_all_problems_at_once_and_unused_node_warning():
    graph = cnn()
    Disconnect(Edge(graph.node_by_name("conv1").id, graph.node_by_name("pool1").id)).do(graph)
    AddNode("Dense", name="stray").do(graph)
    analysis = analyse(graph)
    assert not analysis.valid
    fields = {(graph.nodes[p.node_id].name, p.severity) for p in analysis.problems if p.node_id}
    assert ("pool1", "error") in fields
    assert ("stray", "warning") in fields


@pytest.mark.parametrize("units", [10**12])
def test_absurd_sizes_are_refused(units):
    graph = _chain(("Input", {"shape": (4,)}), ("Dense", {"units": units}), ("Output", {}))
    assert _one(graph)[1] == "units"


def test_an_analysis_after_an_edit_checks_only_the_changed_parameters_and_equals_a_fresh_one(
        monkeypatch):  # fmt: skip
    from netlab.catalog.spec import LayerSpec
    from netlab.templates import new_project

    graph = new_project("densenet121").graph
    before = analyse(graph)
    calls = []
    original = LayerSpec.checked
    monkeypatch.setattr(LayerSpec, "checked",
                        lambda self, values: calls.append(self.key) or original(self, values))
    conv = next(n for n in graph.nodes.values() if n.key == "Conv2D")
    SetParam(conv.id, "filters", 48).apply(graph)
    after = analyse(graph, before)
    assert calls == ["Conv2D"]  # the one node whose parameters changed
    assert after == analyse(graph)
    assert after.shapes[conv.id][-1] == 48
