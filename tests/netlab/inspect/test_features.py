"""Feature maps against a NumPy sliding window."""

import keras
import numpy as np
import pytest

from netlab.graph.builder import build_model
from netlab.inspect import InspectError, feature_maps
from netlab.layers import Conv2D, PatchEmbedding
from netlab.templates import cnn


def numpy_conv(image, kernel, bias, strides, pads, dilation=(1, 1)):
    """Direct sliding window: each output is sum(kernel * window) + bias."""
    padded = np.pad(image.astype("float64"), (pads[0], pads[1], (0, 0)))
    kh, kw, _, c_out = kernel.shape
    (sh, sw), (dh, dw) = strides, dilation
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    out_h = (padded.shape[0] - span_h) // sh + 1
    out_w = (padded.shape[1] - span_w) // sw + 1
    out = np.zeros((out_h, out_w, c_out))
    for i in range(out_h):
        for j in range(out_w):
            window = padded[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw]
            for c in range(c_out):
                out[i, j, c] = np.sum(window * kernel[..., c]) + bias[c]
    return out


def _model(shape, *layers):
    inputs = keras.Input(shape, name="image")
    x = inputs
    for layer in layers:
        x = layer(x)
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(0)
    for layer in layers:  # random biases too, so they are checked
        layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return model


CASES = [
    # layer, expected ((top, bottom), (left, right)) padding on a 7x6 input
    (Conv2D(3, (3, 2), strides=(2, 1), padding=1, name="conv"), ((1, 1), (1, 1))),
    (Conv2D(2, 3, strides=2, padding="same", name="conv"), ((1, 1), (0, 1))),
    (Conv2D(2, (2, 3), padding="valid", name="conv"), ((0, 0), (0, 0))),
    (keras.layers.Conv2D(2, 3, padding="same", dilation_rate=2, name="conv"), ((2, 2), (2, 2))),
    (keras.layers.Conv2D(4, 3, strides=2, padding="valid", name="conv"), ((0, 0), (0, 0))),
]


@pytest.mark.parametrize(("layer", "pads"), CASES)
def test_convolution_output_is_the_sliding_window(layer, pads):
    model = _model((7, 6, 2), layer)
    sample = np.random.default_rng(1).normal(size=(7, 6, 2)).astype("float32")
    maps = feature_maps(model, "conv", sample)
    assert maps.is_convolution
    assert maps.padding == pads
    np.testing.assert_allclose(maps.input, sample)
    np.testing.assert_allclose(maps.kernel, keras.ops.convert_to_numpy(layer.kernel))
    want = numpy_conv(sample, maps.kernel, maps.bias, maps.strides, pads, maps.dilation)
    assert maps.output.shape == want.shape
    np.testing.assert_allclose(maps.output, want, atol=1e-4)
    assert maps.activation == "linear"
    i, j = want.shape[0] - 1, want.shape[1] - 1
    assert maps.window_value(i, j, 1) == pytest.approx(want[i, j, 1], abs=1e-4)
    rows, cols = maps.window(i, j)
    assert maps.padded_input()[rows, cols].shape == (*maps.kernel_size, 2)


def test_second_layer_sees_the_first_layers_output_and_activation():
    first = Conv2D(4, 3, padding=1, activation="relu", name="conv1")
    second = Conv2D(3, 3, strides=2, padding=1, activation="relu", name="conv2")
    model = _model((6, 6, 1), first, second)
    sample = np.random.default_rng(2).normal(size=(6, 6, 1)).astype("float32")
    one, two = feature_maps(model, "conv1", sample), feature_maps(model, "conv2", sample)
    np.testing.assert_allclose(two.input, one.output, atol=1e-6)
    assert two.activation == "relu"
    want = np.maximum(numpy_conv(two.input, two.kernel, two.bias, (2, 2), two.padding), 0)
    np.testing.assert_allclose(two.output, want, atol=1e-4)
    assert two.output.shape == (3, 3, 3)


def test_pooling_has_maps_but_no_kernel():
    model = _model((4, 4, 2), keras.layers.MaxPooling2D(2, name="pool"))
    sample = np.arange(32, dtype="float32").reshape(4, 4, 2)
    maps = feature_maps(model, "pool", sample)
    assert maps.kernel is None
    assert not maps.is_convolution
    np.testing.assert_array_equal(maps.output, sample.reshape(2, 2, 2, 2, 2).max(axis=(1, 3)))
    with pytest.raises(InspectError, match="pool: MaxPooling2D is not a convolution"):
        maps.window(0, 0)


def test_patch_embedding_on_its_grid():
    layer = PatchEmbedding(2, 5, name="patches")
    model = _model((4, 6, 3), layer)
    sample = np.random.default_rng(3).normal(size=(4, 6, 3)).astype("float32")
    maps = feature_maps(model, "patches", sample)
    assert maps.output.shape == (2, 3, 5)
    assert maps.kernel.shape == (2, 2, 3, 5)
    assert maps.strides == (2, 2)
    want = numpy_conv(sample, maps.kernel, maps.bias, (2, 2), ((0, 0), (0, 0)))
    np.testing.assert_allclose(maps.output, want, atol=1e-4)


@pytest.fixture(scope="module")
def digits_cnn():
    return build_model(cnn())


def test_clear_errors_name_the_node(digits_cnn):
    sample = np.zeros((8, 8, 1), "float32")
    with pytest.raises(InspectError, match="^conv9: the model has no layer") as err:
        feature_maps(digits_cnn, "conv9", sample)
    assert err.value.node == "conv9"
    with pytest.raises(InspectError, match=r"^hidden: Dense has no \(height, width, channels\)"):
        feature_maps(digits_cnn, "hidden", sample)
    with pytest.raises(InspectError, match="^digits: this is the model's input"):
        feature_maps(digits_cnn, "digits", sample)
    with pytest.raises(InspectError, match=r"sample has shape \(8, 8\) but .* takes \(8, 8, 1\)"):
        feature_maps(digits_cnn, "conv1", np.zeros((8, 8)))
    with pytest.raises(InspectError, match="outside 8x8"):
        feature_maps(digits_cnn, "conv1", sample).window(8, 0)
    assert "\n" not in str(err.value)


def test_cnn_template_maps(digits_cnn):
    sample = np.random.default_rng(4).normal(size=(8, 8, 1)).astype("float32")
    maps = feature_maps(digits_cnn, "conv2", sample)
    assert maps.input.shape == (4, 4, 16)
    assert maps.output.shape == (4, 4, 32)
    assert maps.kernel.shape == (3, 3, 16, 32)
    assert maps.padding == ((1, 1), (1, 1))
    assert maps.strides == (1, 1)
    assert feature_maps(digits_cnn, "pool2", sample).output.shape == (2, 2, 32)


def test_half_precision_maps_come_back_as_float32():
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        model = build_model(cnn())
    finally:
        keras.config.set_dtype_policy("float32")
    maps = feature_maps(model, "conv1", np.ones((8, 8, 1), "float32"))
    assert maps.output.dtype == np.float32
    assert maps.kernel.dtype == np.float32
