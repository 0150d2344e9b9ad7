import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlab.errors import LayerArgumentError
from netlab.layers import Conv2D, conv_output_length
from tests.netlab.layers.helper import random_inputs, run_layer_test


def numpy_conv2d(x, kernel, bias, strides, padding):
    """The course's definition: a sliding-window dot product, in float64."""
    (sh, sw), (ph, pw) = strides, padding
    x = np.pad(x.astype("float64"), ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    kh, kw, _, filters = kernel.shape
    out_h = (x.shape[1] - kh) // sh + 1
    out_w = (x.shape[2] - kw) // sw + 1
    out = np.empty((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * sh : i * sh + kh, j * sw : j * sw + kw, :]
            out[:, i, j, :] = np.tensordot(window, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return out


def test_layer_contract(tmp_path):
    run_layer_test(
        Conv2D,
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": 1, "activation": "relu"},
        (2, 9, 8, 3),
        tmp_path,
        expected_output_shape=(2, 5, 4, 4),
    )


def test_layer_contract_same_without_bias(tmp_path):
    run_layer_test(
        Conv2D,
        {"filters": 3, "kernel_size": (3, 1), "padding": "same", "use_bias": False},
        (2, 6, 6, 2),
        tmp_path,
    )


def test_weights_have_keras_layout():
    layer = Conv2D(5, (3, 2))
    layer.build((None, 8, 8, 3))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 2, 3, 5), (5,)]
    assert [w.name for w in layer.weights] == ["kernel", "bias"]


@pytest.mark.parametrize(
    ("size", "kernel", "strides", "padding", "channels", "filters"),
    [
        ((7, 7), (3, 3), (1, 1), (1, 1), 1, 1),
        ((8, 8), (3, 3), (2, 2), (1, 1), 3, 4),
        ((9, 6), (3, 2), (2, 1), (0, 2), 2, 5),
        ((5, 5), (5, 5), (3, 3), (2, 2), 4, 2),
        ((6, 7), (1, 1), (2, 3), (3, 0), 3, 3),
    ],
)
def test_matches_sliding_window_reference(size, kernel, strides, padding, channels, filters):
    layer = Conv2D(filters, kernel, strides=strides, padding=padding, bias_initializer="uniform")
    x = random_inputs((2, *size, channels))
    got = keras.ops.convert_to_numpy(layer(x))
    kernel_value, bias_value = layer.get_weights()
    want = numpy_conv2d(x, kernel_value, bias_value, strides, padding)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("size", [8, 9])
def test_same_and_valid_match_keras(padding, strides, size):
    ours = Conv2D(6, 3, strides=strides, padding=padding)
    theirs = keras.layers.Conv2D(6, 3, strides=strides, padding=padding)
    x = random_inputs((2, size, size, 3))
    ours(x), theirs(x)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-6
    )


@pytest.mark.parametrize(("dilation", "groups", "padding"), [(2, 1, "valid"), ((2, 1), 1, "same"),
                                                         (1, 3, "valid"), (2, 3, "same")])
def test_dilation_and_groups_match_keras(dilation, groups, padding):
    ours = Conv2D(6, 3, padding=padding, dilation_rate=dilation, groups=groups)
    theirs = keras.layers.Conv2D(6, 3, padding=padding, dilation_rate=dilation, groups=groups)
    x = random_inputs((2, 9, 9, 3))
    ours(x), theirs(x)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(theirs(x)), atol=1e-5
    )


def test_dilated_integer_padding_matches_the_sliding_window_of_the_spread_kernel():
    layer = Conv2D(2, 3, padding=2, dilation_rate=2)
    x = random_inputs((1, 7, 7, 2))
    got = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    spread = np.zeros((5, 5, 2, 2), kernel.dtype)
    spread[::2, ::2] = kernel  # dilation 2: the taps two pixels apart
    want = numpy_conv2d(keras.ops.convert_to_numpy(x), spread, bias, (1, 1), (2, 2))
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_integer_padding_is_symmetric_unlike_keras_same_at_stride_2():
    # Keras pads 0 before and 1 after here; padding=1 pads 1 on both sides.
    x = random_inputs((1, 8, 8, 1))
    sym = Conv2D(1, 3, strides=2, padding=1, use_bias=False)
    same = Conv2D(1, 3, strides=2, padding="same", use_bias=False)
    sym(x), same(x)
    same.set_weights(sym.get_weights())
    kernel = sym.get_weights()[0]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(sym(x)), numpy_conv2d(x, kernel, 0, (2, 2), (1, 1)), atol=1e-5
    )
    shifted = numpy_conv2d(np.pad(x, ((0, 0), (0, 1), (0, 1), (0, 0))), kernel, 0, (2, 2), (0, 0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(same(x)), shifted, atol=1e-5)
    assert not np.allclose(keras.ops.convert_to_numpy(sym(x)), shifted)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 20),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    pad=st.integers(0, 4),
)
def test_output_size_formula(size, kernel, stride, pad):
    layer = Conv2D(2, (kernel, 1), strides=(stride, 1), padding=(pad, 0))
    if size + 2 * pad < kernel:
        with pytest.raises(ValueError, match="larger than the padded input"):
            layer.compute_output_shape((None, size, 3, 1))
        return
    expected = (size + 2 * pad - kernel) // stride + 1
    assert conv_output_length(size, kernel, stride, pad) == expected
    assert layer.compute_output_shape((None, size, 3, 1)) == (None, expected, 3, 2)
    assert tuple(layer(random_inputs((1, size, 3, 1))).shape) == (1, expected, 3, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"filters": 0, "kernel_size": 3},
            "`filters` must be a positive integer. Received: filters=0",
        ),
        ({"filters": 2.5, "kernel_size": 3}, "Received: filters=2.5"),
        ({"filters": 4, "kernel_size": 0}, "Received: kernel_size=0"),
        ({"filters": 4, "kernel_size": (3, 3, 3)}, "Received: kernel_size=(3, 3, 3)"),
        ({"filters": 4, "kernel_size": 3, "strides": 0}, "Received: strides=0"),
        ({"filters": 4, "kernel_size": 3, "padding": -1}, "Received: padding=-1"),
        ({"filters": 4, "kernel_size": 3, "padding": "full"}, "Received: padding='full'"),
        ({"filters": 4, "kernel_size": 3, "use_bias": "yes"}, "Received: use_bias='yes'"),
    ],
)
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Conv2D(**kwargs)


def test_kernel_larger_than_padded_input():
    with pytest.raises(
        LayerArgumentError, match=r"kernel of size 7 is larger than the padded input"
    ):
        Conv2D(2, 7, padding=1)(random_inputs((1, 4, 4, 1)))


def test_wrong_rank_is_refused():
    with pytest.raises(ValueError, match="4-D input"):
        Conv2D(2, 3).compute_output_shape((None, 8, 3))
