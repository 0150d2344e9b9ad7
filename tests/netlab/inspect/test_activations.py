"""Every layer's output in one pass against one sub-model per layer; the previews."""

import gc
import weakref

import keras
import numpy as np
import pytest

from netlab.errors import InspectError
from netlab.graph.builder import build_model
from netlab.graph.model import Edge, Graph, Node
from netlab.inspect import activations
from netlab.inspect._common import run_to
from netlab.inspect.activations import batch_outputs, layer_outputs, preview
from netlab.inspect.images import channel_grid, to_image
from netlab.templates import cnn


def _residual_graph():
    """Conv, two ResidualBlocks, an explicit skip (Add) and batch norm: a small ResNet.

    Few kernel shapes: JAX compiles an initializer for each one, seconds apiece.
    """
    graph = Graph()
    nodes = [
        ("image", "Input", {"shape": (8, 8, 3), "dtype": "float32"}, []),
        ("stem", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": 1}, ["image"]),
        ("block1", "ResidualBlock", {"filters": 4}, ["stem"]),
        ("block2", "ResidualBlock", {"filters": 4, "strides": 2}, ["block1"]),
        ("conv", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": 1}, ["block2"]),
        ("skip", "Add", {}, ["block2", "conv"]),
        ("bn", "BatchNorm", {}, ["skip"]),
        ("pool", "GlobalAvgPool2D", {}, ["bn"]),
        ("fc", "Dense", {"units": 3, "activation": "softmax"}, ["pool"]),
        ("prediction", "Output", {}, ["fc"]),
    ]
    from netlab import catalog

    for name, key, params, inputs in nodes:
        graph.insert_node(Node(name, name, key, {**catalog.get(key).defaults(), **params}))
        for port, src in enumerate(inputs):
            graph.insert_edge(Edge(src, name, port))
    return graph


def _check_against_sub_models(model, sample):
    outputs = layer_outputs(model, sample)
    names = [layer.name for layer in model.layers]
    assert list(outputs) == names  # the input first, then every layer in order
    np.testing.assert_array_equal(outputs[names[0]], sample)
    batch = sample[None]
    for layer in model.layers[1:]:
        want = run_to(model, [layer.output], batch)[0][0]
        assert outputs[layer.name].shape == want.shape, layer.name
        np.testing.assert_allclose(outputs[layer.name], want, atol=1e-5, err_msg=layer.name)
    return outputs


@pytest.fixture(scope="module")
def cnn_model():
    return build_model(cnn())


def test_cnn_outputs_equal_per_layer_sub_models(cnn_model):
    model = cnn_model
    sample = np.random.default_rng(0).normal(size=(8, 8, 1)).astype("float32")
    outputs = _check_against_sub_models(model, sample)
    assert outputs["conv1"].shape == (8, 8, 16)
    np.testing.assert_array_equal(outputs["dropout"], outputs["hidden"])  # inference mode
    cached = activations._ALL_OUTPUTS[model]
    layer_outputs(model, sample)
    assert activations._ALL_OUTPUTS[model] is cached


def test_residual_outputs_equal_per_layer_sub_models():
    model = build_model(_residual_graph())
    bn = model.get_layer("bn")  # statistics away from 0 and 1, so inference mode shows
    bn.set_weights([w + 0.5 for w in bn.get_weights()])
    sample = np.random.default_rng(1).normal(size=(8, 8, 3)).astype("float32")
    outputs = _check_against_sub_models(model, sample)
    np.testing.assert_allclose(outputs["skip"], outputs["block2"] + outputs["conv"], atol=1e-5)
    assert outputs["block2"].shape == (4, 4, 4)


def test_batch_outputs_keep_the_batch_axis(cnn_model):
    model = cnn_model
    batch = np.random.default_rng(2).normal(size=(5, 8, 8, 1))
    outputs = batch_outputs(model, batch)
    assert outputs["digits"].dtype == np.float32
    assert outputs["pool2"].shape == (5, 2, 2, 32)
    one = layer_outputs(model, batch[3])
    np.testing.assert_allclose(outputs["classifier"][3], one["classifier"], atol=1e-6)
    with pytest.raises(InspectError, match=r"shape \(8, 8\) but the model's input takes"):
        batch_outputs(model, np.zeros((2, 8, 8)))
    with pytest.raises(InspectError, match="holds no examples"):
        batch_outputs(model, np.zeros((0, 8, 8, 1)))


def test_the_cache_lets_the_model_go():
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name="d")(inputs))
    assert set(layer_outputs(model, np.zeros(3))) == {"x", "d"}
    assert model in activations._ALL_OUTPUTS
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_two_inputs_are_refused():
    a, b = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([a, b], keras.layers.Add()([a, b]))
    with pytest.raises(InspectError, match="2 inputs; inspection needs one"):
        layer_outputs(model, np.zeros(2))


def test_previews_of_every_kind():
    rng = np.random.default_rng(3)
    grey = rng.normal(size=(5, 6, 1))
    shown = preview(grey)
    assert (shown.kind, shown.shape) == ("image", (5, 6, 1))
    np.testing.assert_array_equal(shown.pixels, to_image(grey[..., 0]))
    rgb = preview(rng.normal(size=(5, 6, 3)))
    assert rgb.kind == "image"
    assert rgb.pixels.shape == (5, 6, 3)
    assert rgb.pixels.min() == 0
    assert rgb.pixels.max() == 255
    maps = rng.normal(size=(4, 4, 20))
    grid = preview(maps, max_channels=9)
    assert grid.kind == "channels"
    np.testing.assert_array_equal(grid.pixels, channel_grid(maps[..., :9]))
    assert preview(np.float32(-2.0)).pixels.tolist() == [[0]]
    assert preview(np.float32(-2.0)).kind == "value"


def test_bars_average_groups_and_scale_around_zero():
    bars = preview(np.array([1.0, -2.0, 0.0, 4.0]))
    assert bars.kind == "bars"
    np.testing.assert_array_equal(bars.pixels, [[159, 64, 128, 255]])  # 128 + 127.5 * v / 4
    values = np.arange(10, dtype="float64")
    grouped = preview(values, max_bars=4).pixels  # groups of 3: means 1, 4, 7 and 9
    np.testing.assert_array_equal(grouped, to_image([[1.0, 4.0, 7.0, 9.0]], symmetric=True))
    assert preview(np.ones(200)).pixels.shape == (1, 50)  # groups of 4 fit under 64


def test_tokens_rows_with_capped_width():
    tokens = np.random.default_rng(4).normal(size=(7, 130))
    shown = preview(tokens, max_bars=64)
    assert shown.kind == "tokens"
    assert shown.pixels.shape == (7, 44)  # groups of 3
    np.testing.assert_array_equal(preview(tokens[:, :5]).pixels, to_image(tokens[:, :5], True))
    with pytest.raises(InspectError, match="has nothing to show"):
        preview(np.zeros((3, 0)))
