"""Attention maps against softmax(Q K^T / sqrt(d)) computed in NumPy from the weights."""

import keras
import numpy as np
import pytest

from netlab.graph.builder import build_model
from netlab.inspect import (
    InspectError,
    attention_maps,
    class_token_attention,
    patch_grid,
    patch_grid_shape,
)
from netlab.layers import MultiHeadAttention, ScaledDotProductAttention, TransformerBlock
from netlab.templates import transformer, vit

T, D = 5, 8


def softmax(scores):
    e = np.exp(scores - scores.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def numpy_attention(x, query_kernel, query_bias, key_kernel, key_bias, causal=False):
    q = np.einsum("td,dhk->thk", x, query_kernel) + query_bias
    k = np.einsum("td,dhk->thk", x, key_kernel) + key_bias
    scores = np.einsum("thk,shk->hts", q, k) / np.sqrt(q.shape[-1])
    if causal:
        scores = np.where(np.tril(np.ones((len(x), len(x)), bool)), scores, -np.inf)
    return softmax(scores)


def layer_norm(x, gamma, beta, epsilon):
    centred = x - x.mean(-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(-1, keepdims=True) + epsilon) * gamma + beta


def _randomize(layer, seed):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(values)
    return values


def _model(attention, call=lambda layer, x: layer(x)):
    """Input -> Dense "proj" -> the attention layer; returns the model and proj's weights."""
    inputs = keras.Input((T, D), name="x")
    proj = keras.layers.Dense(D, name="proj")
    model = keras.Model(inputs, call(attention, proj(inputs)))
    return model, _randomize(proj, 0)


@pytest.fixture(scope="module")
def sample():
    return np.random.default_rng(5).normal(size=(T, D)).astype("float32")


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_matches_numpy(sample, causal):
    model, (w, b) = _model(MultiHeadAttention(2, key_dim=3, causal=causal, name="mha"))
    qk, qb, kk, kb, *_ = _randomize(model.get_layer("mha"), 1)
    maps = attention_maps(model, "mha", sample)
    assert maps.shape == (2, T, T)
    assert maps.dtype == np.float32
    want = numpy_attention(sample @ w + b, qk, qb, kk, kb, causal)
    np.testing.assert_allclose(maps, want, atol=1e-5)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    if causal:
        assert np.all(maps[:, np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] < 1e-6)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_matches_numpy(sample, norm_first):
    block = TransformerBlock(4, key_dim=None, ff_dim=16, norm_first=norm_first, name="block")
    model, (w, b) = _model(block)
    _randomize(block, 2)
    x = sample @ w + b
    if norm_first:
        gamma, beta = (keras.ops.convert_to_numpy(v) for v in block.norm1.weights)
        x = layer_norm(x, gamma, beta, block.epsilon)
    qk, qb, kk, kb, *_ = (keras.ops.convert_to_numpy(v) for v in block.attention.weights)
    maps = attention_maps(model, "block", sample)
    assert maps.shape == (4, T, T)
    np.testing.assert_allclose(maps, numpy_attention(x, qk, qb, kk, kb), atol=1e-5)


def test_keras_multi_head_attention_keeps_its_causal_mask(sample):
    mha = keras.layers.MultiHeadAttention(2, 3, name="mha")
    model, (w, b) = _model(mha, lambda layer, x: layer(x, x, use_causal_mask=True))
    qk, qb, kk, kb, *_ = _randomize(mha, 3)
    maps = attention_maps(model, "mha", sample)
    np.testing.assert_allclose(
        maps, numpy_attention(sample @ w + b, qk, qb, kk, kb, causal=True), atol=1e-5
    )


def test_scaled_dot_product_attention_is_one_head(sample):
    model, (w, b) = _model(ScaledDotProductAttention(name="sdpa"), lambda sdpa, x: sdpa([x, x, x]))
    x = sample.astype("float64") @ w + b
    maps = attention_maps(model, "sdpa", sample)
    assert maps.shape == (1, T, T)
    np.testing.assert_allclose(maps[0], softmax(x @ x.T / np.sqrt(D)), atol=1e-5)


def test_token_transformer_template():
    model = build_model(transformer())
    tokens = np.arange(16) % 16
    maps = attention_maps(model, "block2", tokens)
    assert maps.shape == (4, 16, 16)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    with pytest.raises(InspectError, match="^positions: SinusoidalPositionEmbedding has no"):
        attention_maps(model, "positions", tokens)
    with pytest.raises(InspectError, match="^block9: the model has no layer"):
        attention_maps(model, "block9", tokens)
    with pytest.raises(InspectError, match=r"sample has shape \(15,\)"):
        attention_maps(model, "block1", tokens[:15])
    with pytest.raises(InspectError, match="^block1: no PatchEmbedding layer comes before it"):
        patch_grid_shape(model, "block1")


def test_vit_class_token_attention_on_the_patch_grid():
    model = build_model(vit(8, 1, 2, 32, 2, 4, 64, 10))
    image = np.random.default_rng(6).normal(size=(8, 8, 1)).astype("float32")
    assert patch_grid_shape(model, "block2") == (4, 4)
    maps = attention_maps(model, "block2", image)
    assert maps.shape == (4, 17, 17)
    grid = class_token_attention(model, "block2", image)
    assert grid.shape == (4, 4, 4)
    np.testing.assert_allclose(grid, maps[:, 0, 1:].reshape(4, 4, 4), atol=1e-6)
    with pytest.raises(InspectError, match="token 17 is outside the 17 positions"):
        class_token_attention(model, "block2", image, token=17)


def test_patch_grid_reads_patches_row_by_row():
    row = np.arange(7.0)
    np.testing.assert_array_equal(patch_grid(row, 2, 3), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(patch_grid(row[1:], 3, 2), [[1, 2], [3, 4], [5, 6]])
    with pytest.raises(InspectError, match="7 attention weights do not fit a 2x2 patch grid"):
        patch_grid(row, 2, 2)
