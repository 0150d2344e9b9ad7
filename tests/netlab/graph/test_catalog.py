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
    "Conv1D": [((12, 3), "float32")],
    "Conv2DTranspose": [((5, 7, 3), "float32")],
    "DepthwiseConv2D": [((9, 8, 3), "float32")],
    "SeparableConv2D": [((9, 8, 3), "float32")],
    "MaxPool1D": [((9, 3), "float32")],
    "AvgPool1D": [((9, 3), "float32")],
    "GlobalMaxPool1D": [((5, 6), "float32")],
    "GlobalMaxPool2D": [((8, 8, 3), "float32")],
    "ZeroPadding2D": [((5, 7, 3), "float32")],
    "Cropping2D": [((9, 8, 3), "float32")],
    "UpSampling2D": [((5, 7, 3), "float32")],
    "ReLU": [((6,), "float32")],
    "LeakyReLU": [((6,), "float32")],
    "PReLU": [((4, 5, 3), "float32")],
    "ELU": [((6,), "float32")],
    "Rescaling": [((8, 8, 3), "float32")],
    "Normalization": [((8, 8, 3), "float32")],
    "GroupNorm": [((6, 6, 16), "float32")],
    "UnitNorm": [((5, 6), "float32")],
    "Multiply": [((4, 6), "float32")] * 2,
    "Subtract": [((4, 6), "float32")] * 2,
    "Average": [((4, 6), "float32")] * 3,
    "Maximum": [((4, 6), "float32")] * 2,
    "Minimum": [((4, 6), "float32")] * 2,
    "Permute": [((4, 6), "float32")],
    "RepeatVector": [((6,), "float32")],
    "SpatialDropout1D": [((5, 6), "float32")],
    "SpatialDropout2D": [((5, 5, 6), "float32")],
    "GaussianNoise": [((6,), "float32")],
    "SimpleRNN": [((7, 5), "float32")],
    "GRU": [((7, 5), "float32")],
    "LSTM": [((7, 5), "float32")],
    "Bidirectional": [((7, 5), "float32")],
    "RandomFlip": [((28, 28, 3), "float32")],
    "RandomRotation": [((28, 28, 3), "float32")],
    "RandomZoom": [((28, 28, 3), "float32")],
    "RandomTranslation": [((28, 28, 3), "float32")],
    "RandomCrop": [((28, 28, 3), "float32")],
    "RandomContrast": [((28, 28, 3), "float32")],
    "KerasLayer": [((5, 6), "float32")],
    "Subnetwork": [((5, 6), "float32")],
}

# Parameter values beyond the defaults whose shape or count formulas differ.
VARIANTS = [
    ("Conv2D", {"dilation_rate": (2, 1), "padding": 2}),
    ("Conv2D", {"filters": 6, "groups": 3, "strides": (2, 1)}),
    ("Conv2D", {"padding": "same", "strides": 2, "use_bias": False}),
    ("Conv1D", {"padding": "causal", "dilation_rate": 2, "strides": 1}),
    ("Conv1D", {"padding": "same", "strides": 2, "filters": 6, "groups": 3}),
    ("Conv2DTranspose", {"strides": 2, "padding": "same", "kernel_size": (3, 2)}),
    ("Conv2DTranspose", {"strides": (2, 3), "use_bias": False}),
    ("Conv2DTranspose", {"strides": 3, "kernel_size": 2}),
    ("DepthwiseConv2D", {"depth_multiplier": 2, "strides": 2, "padding": "same"}),
    ("DepthwiseConv2D", {"dilation_rate": 2}),
    ("SeparableConv2D", {"depth_multiplier": 3, "filters": 5, "use_bias": False}),
    ("SeparableConv2D", {"strides": 2, "padding": "same"}),
    ("MaxPool1D", {"pool_size": 3, "strides": 2, "padding": "same"}),
    ("AvgPool1D", {"pool_size": 4}),
    ("GlobalMaxPool2D", {"keepdims": True}),
    ("GlobalAvgPool1D", {"keepdims": True}),
    ("ZeroPadding2D", {"padding": ((1, 2), (0, 3))}),
    ("ZeroPadding2D", {"padding": (2, 1)}),
    ("Cropping2D", {"cropping": ((2, 1), (0, 3))}),
    ("UpSampling2D", {"size": (3, 2), "interpolation": "bilinear"}),
    ("PReLU", {"shared_axes": (1, 2)}),
    ("ReLU", {"max_value": 6.0}),
    ("Normalization", {"invert": True}),
    ("Normalization", {"axis": 1}),
    ("GroupNorm", {"groups": 3, "axis": 2}),
    ("UnitNorm", {"axis": -2}),
    ("Softmax", {"axis": -1}),
    ("GroupNorm", {"groups": 4, "center": False}),
    ("GroupNorm", {"groups": 16, "scale": False}),
    ("UnitNorm", {"axis": 1}),
    ("Permute", {"dims": (1, 2)}),
    ("Softmax", {"axis": 1}),
    ("BatchNorm", {"axis": 1, "center": False}),
    ("BatchNorm", {"scale": False}),
    ("SimpleRNN", {"return_sequences": True, "use_bias": False}),
    ("GRU", {"reset_after": False, "return_sequences": True}),
    ("GRU", {"use_bias": False}),
    ("LSTM", {"return_sequences": True, "units": 3}),
    ("Bidirectional", {"cell": "GRU", "merge_mode": "sum"}),
    ("Bidirectional", {"cell": "SimpleRNN", "return_sequences": True, "merge_mode": "concat"}),
    ("Bidirectional", {"cell": "LSTM", "merge_mode": "mul", "units": 4}),
    ("RandomCrop", {"height": 20, "width": 16}),
    ("RandomZoom", {"width_factor": 0.3, "fill_mode": "constant"}),
    ("RandomFlip", {"mode": "horizontal_and_vertical", "seed": 3}),
    ("Subnetwork", {"network": {"layers": [
        {"name": "dense", "type": "Dense", "params": {"units": 6}, "inputs": ["<input>"]},
        {"name": "norm", "type": "BatchNorm", "params": {}, "inputs": ["dense"]},
        {"name": "gen", "type": "KerasLayer", "inputs": ["norm"], "params": {"layer": {
            "module": "keras.layers", "class_name": "Dense", "config": {"units": 6},
            "registered_name": None}}},
        {"name": "sum", "type": "Add", "params": {}, "inputs": ["gen", "<input>"]},
        {"name": "inner", "type": "Subnetwork", "inputs": ["sum"], "params": {"network": {
            "layers": [{"name": "d", "type": "Dense", "params": {"units": 2},
                        "inputs": ["<input>"]}]}}},
    ]}}),
    ("KerasLayer", {"layer": {"module": "keras.layers", "class_name": "Dense",
                              "config": {"units": 3, "use_bias": False}, "registered_name": None}}),
    ("KerasLayer", {"layer": {"module": "keras.layers", "class_name": "Conv1DTranspose",
                              "config": {"filters": 4, "kernel_size": 3, "strides": 2},
                              "registered_name": None}}),
]
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
    if spec.keras_class is not None:  # the generic node is whichever class it holds
        assert keras.saving.get_registered_name(type(layer)) == spec.keras_class


@pytest.mark.parametrize(("key", "params"), VARIANTS, ids=lambda v: v if isinstance(v, str) else "")
def test_parameter_variants_match_keras(key, params):
    assert_matches_keras(single_layer_graph(key, params))


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
