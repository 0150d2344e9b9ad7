"""Histograms against np.histogram; which weights count; outputs of one forward pass."""

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netlab.errors import InspectError
from netlab.graph.builder import build_model
from netlab.inspect._common import run_to
from netlab.inspect.histograms import (
    activation_histograms,
    histogram,
    parameters,
    weight_histograms,
)
from netlab.templates import cnn

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(finite, min_size=1, max_size=60), bins=st.integers(1, 12))
def test_counts_equal_numpy(values, bins):
    found = histogram(np.array(values), bins)
    counts, edges = np.histogram(np.array(values, "float64"), bins=bins)
    np.testing.assert_array_equal(found.counts, counts)
    np.testing.assert_array_equal(found.edges, edges)
    assert found.counts.dtype == np.int64
    assert found.total == len(values)
    assert found.min == min(values)
    assert found.max == max(values)
    assert found.mean == pytest.approx(np.mean(values))
    assert found.std == pytest.approx(np.std(values), abs=1e-6)


def test_float32_and_integer_values():
    values = np.random.default_rng(5).normal(size=1000).astype("float32")
    counts, edges = np.histogram(values, bins=9)
    found = histogram(values, bins=9)
    np.testing.assert_array_equal(found.counts, counts)
    np.testing.assert_array_equal(found.edges, edges)
    assert found.edges.dtype == np.float64
    tokens = histogram(np.array([[1, 2], [2, 7]]), bins=3)
    np.testing.assert_array_equal(tokens.counts, np.histogram([1, 2, 2, 7], bins=3)[0])


def test_nonfinite_constant_and_empty_values():
    mixed = histogram([1.0, np.nan, 3.0, np.inf, -np.inf, 2.0], bins=4)
    np.testing.assert_array_equal(mixed.counts, np.histogram([1.0, 3.0, 2.0], bins=4)[0])
    assert mixed.nonfinite == 3
    constant = histogram(np.full((3, 4), 2.5), bins=5)
    assert constant.counts.tolist() == [0, 0, 12, 0, 0]
    assert (constant.edges[0], constant.edges[-1]) == (2.0, 3.0)
    assert (constant.min, constant.max, constant.std) == (2.5, 2.5, 0.0)
    empty = histogram([np.nan], bins=3)
    assert empty.counts.tolist() == [0, 0, 0]
    assert np.isnan(empty.mean)
    assert empty.nonfinite == 1
    with pytest.raises(InspectError, match="bins must be >= 1"):
        histogram([1.0], bins=0)


def _dense_bn_model():
    inputs = keras.Input((3,), name="x")
    dense = keras.layers.Dense(4, name="dense")
    bn = keras.layers.BatchNormalization(name="bn")
    drop = keras.layers.Dropout(0.5, name="drop")
    model = keras.Model(inputs, drop(bn(dense(inputs))))
    rng = np.random.default_rng(0)
    for layer in (dense, bn):
        layer.set_weights([rng.uniform(0.1, 1.0, w.shape).astype("float32")
                           for w in layer.get_weights()])  # fmt: skip
    return model


def test_weights_are_the_parameters_not_the_statistics():
    model = _dense_bn_model()
    found = weight_histograms(model, bins=7)
    assert list(found) == ["dense", "bn"]  # the input and dropout have none
    dense = model.get_layer("dense")
    values = np.concatenate([w.reshape(-1) for w in dense.get_weights()])
    np.testing.assert_array_equal(found["dense"].counts, np.histogram(values, bins=7)[0])
    bn = model.get_layer("bn")
    assert [v.name for v in parameters(bn)] == ["gamma", "beta"]
    gamma, beta = bn.get_weights()[:2]
    want = np.histogram(np.concatenate([gamma, beta]), bins=7)[0]
    np.testing.assert_array_equal(found["bn"].counts, want)
    bn.trainable = False  # a frozen layer keeps its parameters in the picture
    assert weight_histograms(model, bins=7)["bn"].total == 8


def test_parameters_of_nested_layers():
    model = build_model(cnn())
    found = weight_histograms(model)
    assert list(found) == ["conv1", "conv2", "hidden", "classifier"]
    assert found["conv1"].total == 3 * 3 * 16 + 16
    outer = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="inner")])
    inputs = keras.Input((3,), name="x")
    wrapped = keras.Model(inputs, outer(inputs))
    assert weight_histograms(wrapped)[outer.name].total == 8


def test_activation_histograms_equal_numpy():
    model = _dense_bn_model()
    batch = np.random.default_rng(1).normal(size=(6, 3)).astype("float32")
    found = activation_histograms(model, batch, bins=5)
    assert list(found) == ["x", "dense", "bn", "drop"]
    np.testing.assert_array_equal(found["x"].counts, np.histogram(batch, bins=5)[0])
    for name in ("dense", "bn", "drop"):
        want = run_to(model, [model.get_layer(name).output], batch)[0]
        np.testing.assert_array_equal(found[name].counts, np.histogram(want, bins=5)[0])
    np.testing.assert_array_equal(found["drop"].counts, found["bn"].counts)  # inference mode


def test_a_diverging_layer_still_has_a_histogram():
    from netlab.inspect.histograms import histogram as histogram_of

    values = np.array([3e38, -3e38, 1e38, np.inf], "float32")
    found = histogram_of(values, bins=30)
    assert found.counts.sum() == 3
    assert found.nonfinite == 1
    assert found.edges[0] == pytest.approx(-3e38, rel=1e-6)
