"""Walks the whole catalog: every entry builds, and agrees with Keras."""

import keras
import pytest

from netlab import catalog
from netlab.graph.model import Edge, Graph, Node
from tests.netlab.graph.keras_check import assert_matches_keras

# Input shapes (without batch) and dtypes that each layer type takes by default.
INPUTS = {
    "Dense": [((5, 6), "float32")],
    "Activation": [((6,), "float32")],
    "Softmax": [((6,), "float32")],
    "Dropout": [((6,), "float32")],
    "Flatten": [((3, 4, 2), "float32")],
    "Reshape": [((3, 4, 2), "float32")],
    "MaxPool2D": [((8, 8, 3), "float32")],
    "AvgPool2D": [((8, 8, 3), "float32")],
    "GlobalAvgPool2D": [((8, 8, 3), "float32")],
    "GlobalAvgPool1D": [((5, 6), "float32")],
    "BatchNorm": [((8, 8, 3), "float32")],
    "Embedding": [((7,), "int32")],
    "Add": [((4, 6), "float32")] * 2,
    "Concatenate": [((4, 6), "float32"), ((4, 3), "float32")],
    "Conv2D": [((8, 8, 3), "float32")],
    "ResidualBlock": [((8, 8, 3), "float32")],
    "ScaledDotProductAttention": [((5, 8), "float32"), ((6, 8), "float32"), ((6, 4), "float32")],
    "MultiHeadAttention": [((5, 8), "float32")],
    "LayerNorm": [((5, 8), "float32")],
    "SinusoidalPositionEmbedding": [((5, 8), "float32")],
    "LearnedPositionEmbedding": [((5, 8), "float32")],
    "FeedForward": [((5, 8), "float32")],
    "TransformerBlock": [((5, 8), "float32")],
    "PatchEmbedding": [((32, 32, 3), "float32")],
    "ClassToken": [((5, 8), "float32")],
    "SelectToken": [((5, 8), "float32")],
}
MARKERS = {"Input", "Output"}


def single_layer_graph(key, params=None):
    graph = Graph()
    for i, (shape, dtype) in enumerate(INPUTS[key]):
        graph.insert_node(Node(f"in{i}", f"in{i}", "Input", {"shape": shape, "dtype": dtype}))
    spec = catalog.get(key)
    graph.insert_node(Node("layer", "layer", key, {**spec.defaults(), **(params or {})}))
    graph.insert_node(Node("out", "out", "Output", {}))
    for i in range(len(INPUTS[key])):
        graph.insert_edge(Edge(f"in{i}", "layer", i))
    graph.insert_edge(Edge("layer", "out", 0))
    return graph


def test_every_entry_has_an_input_fixture():
    assert set(catalog.CATALOG) - MARKERS == set(INPUTS)


@pytest.mark.parametrize("key", sorted(set(catalog.CATALOG) - MARKERS))
def test_entry_builds_and_matches_keras(key):
    spec = catalog.get(key)
    assert spec.help
    assert spec.display_name
    assert spec.category
    assert spec.check_params({}) == {p.name: p.check(p.default) for p in spec.params}
    for param in spec.params:
        assert param.help
    model, _ = assert_matches_keras(single_layer_graph(key))
    layer = model.get_layer("layer")
    assert keras.saving.get_registered_name(type(layer)) == spec.keras_class


def test_marker_entries():
    assert catalog.get("Input").make_layer is None
    assert catalog.get("Output").make_layer is None


def test_unknown_key_is_a_clear_error():
    with pytest.raises(catalog.GraphError, match="unknown layer type 'Conv3D'"):
        catalog.get("Conv3D")


def test_categories_cover_the_catalog():
    grouped = catalog.categories()
    assert sum(len(v) for v in grouped.values()) == len(catalog.CATALOG)
    assert "Attention" in grouped
