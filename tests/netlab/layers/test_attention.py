import keras
import numpy as np
import pytest

from netlab.layers import MultiHeadAttention, ScaledDotProductAttention
from tests.netlab.layers.helper import random_inputs, run_layer_test


def numpy_attention(q, k, v, mask=None, scaled=True):
    scores = q.astype("float64") @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1] if scaled else 1)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v, weights


def test_sdpa_contract(tmp_path):
    run_layer_test(
        ScaledDotProductAttention,
        {"causal": True},
        [(2, 5, 8), (2, 7, 8), (2, 7, 6)],
        tmp_path,
        expected_output_shape=(2, 5, 6),
    )


def test_sdpa_matches_formula_with_mask_and_causal():
    q, k, v = random_inputs([(2, 6, 8), (2, 6, 8), (2, 6, 4)])
    mask = np.random.default_rng(3).random((2, 6, 6)) > 0.3
    mask[:, :, 0] = True  # every row keeps at least one key
    causal = np.tril(np.ones((6, 6), bool))
    out, weights = ScaledDotProductAttention(causal=True)(
        [q, k, v], attention_mask=mask, return_attention_scores=True
    )
    want_out, want_weights = numpy_attention(q, k, v, mask & causal)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weights), want_weights, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), want_out, atol=1e-5)


def test_sdpa_unscaled_leaves_the_logits_as_they_are(tmp_path):
    q, k, v = random_inputs([(2, 4, 16), (2, 5, 16), (2, 5, 3)])
    layer = ScaledDotProductAttention(scaled=False)
    out, weights = layer([q, k, v], return_attention_scores=True)
    want_out, want_weights = numpy_attention(q, k, v, scaled=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weights), want_weights, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), want_out, atol=1e-5)
    run_layer_test(ScaledDotProductAttention, {"scaled": False},
                   [(2, 5, 8), (2, 7, 8), (2, 7, 6)], tmp_path)  # fmt: skip
    with pytest.raises(ValueError, match="scaled"):
        ScaledDotProductAttention(scaled="no")


def test_sdpa_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="same last dimension"):
        ScaledDotProductAttention().compute_output_shape([(None, 5, 8), (None, 5, 4), (None, 5, 4)])
    with pytest.raises(ValueError, match="list of 3 inputs"):
        ScaledDotProductAttention().compute_output_shape([(None, 5, 8), (None, 5, 8)])
    with pytest.raises(ValueError, match="Received: dropout=1.5"):
        ScaledDotProductAttention(dropout=1.5)


def test_mha_contract(tmp_path):
    run_layer_test(
        MultiHeadAttention, {"num_heads": 2, "key_dim": 3, "value_dim": 5}, (2, 6, 8), tmp_path
    )


def test_mha_contract_causal_with_dropout(tmp_path):
    run_layer_test(
        MultiHeadAttention, {"num_heads": 4, "causal": True, "dropout": 0.1}, (2, 6, 8), tmp_path
    )


def _paired(num_heads, key_dim, value_dim=None, causal=False, shapes=((2, 6, 16),)):
    ours = MultiHeadAttention(num_heads, key_dim, value_dim, causal=causal)
    theirs = keras.layers.MultiHeadAttention(num_heads, key_dim, value_dim)
    inputs = random_inputs(list(shapes))
    ours(*inputs), theirs(*inputs if len(inputs) > 1 else inputs * 2)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    return ours, theirs, inputs


@pytest.mark.parametrize("causal", [False, True])
def test_mha_agrees_with_keras_self_attention(causal):
    ours, theirs, (x,) = _paired(4, 4, causal=causal)
    out, weights = ours(x, return_attention_scores=True)
    want, want_weights = theirs(x, x, return_attention_scores=True, use_causal_mask=causal)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), want, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weights), want_weights, atol=1e-5)
    # The fused path (no scores asked for) gives the same output.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x)), want, atol=1e-5)


def numpy_mha(query, value, key, weights, mask=None):
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    q = np.einsum("btd,dhk->bhtk", query, wq) + bq[:, None]
    k = np.einsum("btd,dhk->bhtk", key, wk) + bk[:, None]
    v = np.einsum("btd,dhk->bhtk", value, wv) + bv[:, None]
    heads, scores = numpy_attention(q, k, v, None if mask is None else mask[:, None])
    return np.einsum("bhtv,hvd->btd", heads, wo) + bo, scores


def test_mha_matches_formula_with_value_dim_and_mask():
    q, v, k = random_inputs([(2, 5, 16), (2, 7, 12), (2, 7, 10)])
    mask = np.random.default_rng(1).random((2, 5, 7)) > 0.4
    mask[..., 0] = True
    layer = MultiHeadAttention(3, 4, value_dim=6, bias_initializer="uniform")
    out, scores = layer(q, v, k, attention_mask=mask, return_attention_scores=True)
    want, want_scores = numpy_mha(q, v, k, layer.get_weights(), mask)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(scores), want_scores, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), want, atol=1e-5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(q, v, k, attention_mask=mask)), want, atol=1e-5
    )


def test_mha_agrees_with_keras_cross_attention_with_mask():
    # Keras's own layer fails on JAX when value_dim != key_dim, so widths agree here.
    shapes = ((2, 5, 16), (2, 7, 12), (2, 7, 10))
    ours, theirs, (q, v, k) = _paired(2, 6, 6, shapes=shapes)
    mask = np.random.default_rng(1).random((2, 5, 7)) > 0.4
    mask[..., 0] = True
    want = theirs(q, v, k, attention_mask=mask)
    got = ours(q, v, k, attention_mask=mask)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), want, atol=1e-5)


def test_mha_weights_copy_back_from_keras():
    theirs = keras.layers.MultiHeadAttention(2, 8)
    x = random_inputs((1, 4, 16))
    want = theirs(x, x)
    ours = MultiHeadAttention(2, 8)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x)), want, atol=1e-5)


def test_mha_heads_must_divide_width_without_key_dim():
    with pytest.raises(ValueError, match=r"`num_heads`=3 does not divide the model width 16"):
        MultiHeadAttention(3).compute_output_shape((None, 4, 16))
    with pytest.raises(ValueError, match="Received: num_heads=0"):
        MultiHeadAttention(0)
    with pytest.raises(ValueError, match="Received: key_dim=-2"):
        MultiHeadAttention(2, -2)


def test_mha_symbolic_scores_shape():
    inputs = keras.Input((6, 16))
    out, scores = MultiHeadAttention(4)(inputs, return_attention_scores=True)
    assert tuple(out.shape) == (None, 6, 16)
    assert tuple(scores.shape) == (None, 4, 6, 6)


@pytest.mark.parametrize("causal", [False, True])
def test_mha_fused_kernel_path_agrees(monkeypatch, causal):
    # TensorFlow takes the einsum path by default; force the fused one here.
    from netlab.layers import multi_head_attention

    monkeypatch.setattr(multi_head_attention, "_FUSED_BACKENDS", (keras.backend.backend(),))
    q, v = random_inputs([(2, 5, 16), (2, 7, 16)])
    mask = np.random.default_rng(4).random((2, 5, 7)) > 0.3
    mask[..., 0] = True
    layer = MultiHeadAttention(4, causal=causal)
    slow, _ = layer(q, v, attention_mask=mask, return_attention_scores=True)
    fast = layer(q, v, attention_mask=mask)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(fast), keras.ops.convert_to_numpy(slow), atol=1e-5
    )
