"""Edits of a trained project never make a file that refuses to open, nor lose weights.

Random sequences of the editor's commands (rename, change a parameter, delete,
move, paste, expand, collapse, undo, redo) on a trained project; after each
sequence the project is saved and reopened. Layers that were never changed
keep their weights bit for bit (renamed ones too); layers whose weight shapes
changed start from new weights; nothing is refused.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netlab import catalog
from netlab.errors import GraphError
from netlab.graph.analysis import analyse
from netlab.graph.clipboard import copy_nodes, paste_command
from netlab.graph.commands import MoveNodes, RemoveNodes, Rename, SetParam
from netlab.graph.composites import collapse_nodes, expand_node
from netlab.graph.model import Edge, Graph, Node
from netlab.project import Project, load_project, save_project
from netlab.templates import from_template


def _random_weights(graph, seed):
    """Weights of every layer, as training would leave them (random, the right shapes)."""
    rng = np.random.default_rng(seed)
    analysis = analyse(graph)
    return {graph.nodes[i].name: [rng.standard_normal(w.shape).astype("float32")
                                  for w in specs]
            for i, specs in analysis.weights.items() if specs}  # fmt: skip


def _small_resnet():
    graph = Graph()
    chain = [("Input", {"shape": (8, 8, 3)}), ("Conv2D", {"filters": 8, "padding": 1}),
             ("ResidualBlock", {"filters": 8}), ("ResidualBlock", {"filters": 16, "strides": 2}),
             ("GlobalAvgPool2D", {}), ("Dense", {"units": 4}), ("Output", {})]  # fmt: skip
    for i, (key, params) in enumerate(chain):
        graph.insert_node(Node(f"n{i}", f"{key.lower()}{i}", key,
                               {**catalog.get(key).defaults(), **params}, (0.0, 100.0 * i)))
        if i:
            graph.insert_edge(Edge(f"n{i - 1}", f"n{i}"))
    return graph


TEMPLATES = {"cnn": lambda: from_template("cnn"), "resnet": _small_resnet,
             "vit-tiny": lambda: from_template("vit-tiny")}  # fmt: skip


@pytest.fixture(scope="module")
def trained():
    projects = {}
    for template, make in TEMPLATES.items():
        graph = make()
        projects[template] = (graph.to_dict(), _random_weights(graph, 3))
    return projects


def _weighted(graph):
    return [n for n in graph.nodes.values() if catalog.get(n.key).params]


def _edit(graph, kind, pick, value, history):
    """One edit chosen by ``kind`` on the node ``pick`` selects; returns the command or None."""
    nodes = _weighted(graph)
    if not nodes:
        return None
    node = nodes[pick % len(nodes)]
    spec = catalog.get(node.key)
    if kind == "rename":
        return Rename(node.id, f"renamed_{value}")
    if kind == "param":
        param = spec.params[value % len(spec.params)]
        if param.kind == "int":
            return SetParam(node.id, param.name, max(1, int(param.minimum or 1)) + value % 7)
        if param.kind == "bool":
            return SetParam(node.id, param.name, not node.params.get(param.name, param.default))
        if param.kind == "choice":
            return SetParam(node.id, param.name, param.choices[value % len(param.choices)])
        return None
    if kind == "delete":
        return RemoveNodes([node.id])
    if kind == "move":
        return MoveNodes({node.id: (float(value), float(-value))})
    if kind == "paste":
        return paste_command(graph, copy_nodes(graph, [n.id for n in nodes[pick % 3::3]]))
    if kind == "expand":
        blocks = [n for n in graph.nodes.values() if catalog.get(n.key).composite]
        return expand_node(graph, blocks[pick % len(blocks)].id) if blocks else None
    if kind == "collapse":
        return collapse_nodes(graph, [n.id for n in nodes[pick % len(nodes):][:9]])
    raise AssertionError(kind)


KINDS = ["rename", "param", "delete", "move", "paste", "expand", "collapse", "undo", "redo"]
EDITS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 200), st.integers(0, 60)),
                 max_size=14)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(list(TEMPLATES)), EDITS)
def test_random_edits_of_a_trained_project_save_and_reopen(tmp_path_factory, trained, template,
                                                           edits):  # fmt: skip
    graph_data, weights = trained[template]
    graph = Graph.from_dict(graph_data)
    project = Project(graph, weights=weights)
    original = {n.id: (n.name, n.weights) for n in graph.nodes.values() if n.weights}
    touched: set[str] = set()  # nodes whose parameters changed (or that expand/collapse made)
    done, undone = [], []
    for kind, pick, value in edits:
        if kind == "undo" and done:
            command = done.pop()
            command.revert(graph)
            undone.append(command)
            continue
        if kind == "redo" and undone:
            command = undone.pop()
            command.apply(graph)
            done.append(command)
            continue
        if kind in ("undo", "redo"):
            continue  # nothing to undo or redo
        try:
            command = _edit(graph, kind, pick, value, done)
            if command is None:
                continue
            command.apply(graph)
        except GraphError:
            continue  # refused, as the editor refuses it: nothing changed
        done.append(command)
        undone.clear()
        if kind == "param":
            touched.add(command.node_id)
    path = tmp_path_factory.mktemp("edited") / "p.netlab"
    save_project(path, project)
    loaded = load_project(path)
    assert not loaded.warnings
    assert loaded.graph.to_dict() == graph.to_dict()
    analysis = analyse(graph)
    for node in loaded.graph.nodes.values():
        mine = graph.nodes[node.id]
        if mine.weights is not None and node.id not in analysis.reinitialised:
            assert node.weights is not None, node.name
            for a, b in zip(node.weights, mine.weights, strict=True):
                assert np.array_equal(a, b)
        else:
            assert node.weights is None, node.name
        if node.id in original and node.id not in touched | set(analysis.reinitialised):
            name, arrays = original[node.id]
            for a, b in zip(node.weights, arrays, strict=True):  # bit for bit, even renamed
                assert a.tobytes() == b.tobytes()


def test_a_changed_layer_is_re_initialised_and_undo_brings_its_weights_back(tmp_path):
    graph = from_template("cnn")
    project = Project(graph, weights=_random_weights(graph, 1))
    hidden = graph.node_by_name("hidden")
    before = hidden.weights
    change = SetParam(hidden.id, "units", 48)
    change.apply(graph)
    analysis = analyse(graph)
    assert analysis.reinitialised == {
        hidden.id: "its trained kernel (128, 64) no longer fits (128, 48)",
        graph.node_by_name("classifier").id: "its trained kernel (64, 10) no longer fits (48, 10)",
    }
    assert any(p.severity == "info" and p.node_id == hidden.id for p in analysis.problems)
    assert analysis.valid
    save_project(tmp_path / "changed.netlab", project)
    assert load_project(tmp_path / "changed.netlab").graph.node_by_name("hidden").weights is None
    change.revert(graph)
    assert hidden.id not in analyse(graph).reinitialised
    assert graph.node_by_name("hidden").weights is before
    save_project(tmp_path / "undone.netlab", project)
    kept = load_project(tmp_path / "undone.netlab").graph.node_by_name("hidden").weights
    assert all(np.array_equal(a, b) for a, b in zip(kept, before, strict=True))


def test_expand_and_collapse_carry_a_trained_blocks_weights():
    graph = _small_resnet()
    project = Project(graph, weights=_random_weights(graph, 2))
    block = graph.node_by_name("residualblock3")  # with a projection shortcut
    arrays = block.weights
    expand = expand_node(graph, block.id)
    expand.apply(graph)
    conv1 = graph.node_by_name("residualblock3_conv1")
    proj_bn = graph.node_by_name("residualblock3_proj_bn")
    assert conv1.weights[0] is arrays[0]
    assert [a is b for a, b in zip(proj_bn.weights, arrays[-4:], strict=True)] == [True] * 4
    inner = [n.id for n in graph.nodes.values() if n.name.startswith("residualblock3_")]
    collapse = collapse_nodes(graph, inner)
    collapse.apply(graph)
    again = graph.node_by_name("residualblock3")
    assert [a is b for a, b in zip(again.weights, arrays, strict=True)] == [True] * len(arrays)
    assert project.weights["residualblock3"][0] is arrays[0]
