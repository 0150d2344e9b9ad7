import keras
import numpy as np
import pytest

from netlab.layers import LayerNorm
from tests.netlab.layers.helper import random_inputs, run_layer_test


def test_contract(tmp_path):
    run_layer_test(LayerNorm, {"epsilon": 1e-5}, (2, 5, 8), tmp_path)


def test_contract_without_scale_and_center(tmp_path):
    run_layer_test(LayerNorm, {"center": False, "scale": False}, (3, 4), tmp_path)


@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_matches_formula_and_keras_far_from_zero(offset):
    x = random_inputs((4, 6, 32), offset=offset)
    ours = LayerNorm(epsilon=1e-6)
    theirs = keras.layers.LayerNormalization(epsilon=1e-6)
    ours(x), theirs(x)
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(32).astype("float32") for _ in range(2)]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    x64 = x.astype("float64")
    mean = x64.mean(-1, keepdims=True)
    var = ((x64 - mean) ** 2).mean(-1, keepdims=True)
    want = (x64 - mean) / np.sqrt(var + 1e-6) * weights[0] + weights[1]
    got = keras.ops.convert_to_numpy(ours(x))
    # float32 rounding of a mean near 1e3 alone costs ~1e-4.
    tolerance = 1e-5 if offset == 0 else 1e-3
    np.testing.assert_allclose(got, want, atol=tolerance)
    np.testing.assert_allclose(got, keras.ops.convert_to_numpy(theirs(x)), atol=tolerance)
    if offset:
        # A one-pass E[x^2] - E[x]^2 variance in float32 is far off here.
        one_pass_var = (x * x).mean(-1, keepdims=True) - x.mean(-1, keepdims=True) ** 2
        one_pass = (x - x.mean(-1, keepdims=True)) / np.sqrt(np.maximum(one_pass_var, 0) + 1e-6)
        one_pass = one_pass * weights[0] + weights[1]
        assert np.abs(one_pass - want).max() > 10 * np.abs(got - want).max()


def test_normalises_each_example_separately():
    x = random_inputs((2, 16))
    x[1] *= 100.0
    y = keras.ops.convert_to_numpy(LayerNorm(epsilon=1e-9)(x))
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(-1), 1, atol=1e-4)


def test_half_precision_stays_finite():
    x = random_inputs((2, 8), offset=300.0).astype("float16")
    y = keras.ops.convert_to_numpy(LayerNorm(dtype="float16")(x))
    assert y.dtype == np.float16
    assert np.isfinite(y).all()


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Received: epsilon=0"):
        LayerNorm(epsilon=0)
    with pytest.raises(ValueError, match="Received: center=1"):
        LayerNorm(center=1)
