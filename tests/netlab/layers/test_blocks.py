"""FeedForward, TransformerBlock, PatchEmbedding and ClassToken."""

import keras
import numpy as np
import pytest

from netlab.layers import ClassToken, FeedForward, PatchEmbedding, SelectToken, TransformerBlock
from tests.netlab.layers.helper import random_inputs, run_layer_test


def test_feed_forward_contract(tmp_path):
    run_layer_test(FeedForward, {"hidden_dim": 12, "dropout": 0.1}, (2, 5, 4), tmp_path)


def test_feed_forward_is_relu_mlp_per_position():
    layer = FeedForward(6)
    x = random_inputs((2, 3, 4))
    y = keras.ops.convert_to_numpy(layer(x))
    w1, b1, w2, b2 = layer.get_weights()
    np.testing.assert_allclose(y, np.maximum(0, x @ w1 + b1) @ w2 + b2, atol=1e-5)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_contract(tmp_path, norm_first):
    run_layer_test(
        TransformerBlock,
        {"num_heads": 2, "key_dim": None, "ff_dim": 16, "dropout": 0.1, "norm_first": norm_first},
        (2, 5, 8),
        tmp_path,
    )


def test_transformer_block_post_and_pre_norm_wiring():
    x = random_inputs((2, 5, 8))
    for norm_first in (False, True):
        block = TransformerBlock(2, None, 16, norm_first=norm_first)
        y, scores = block(x, return_attention_scores=True)
        attn, norm1, ff, norm2 = block.attention, block.norm1, block.feed_forward, block.norm2
        if norm_first:
            h = x + attn(norm1(x))
            want = h + ff(norm2(h))
        else:
            h = norm1(x + attn(x))
            want = norm2(h + ff(h))
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(y), keras.ops.convert_to_numpy(want), atol=1e-5
        )
        assert tuple(scores.shape) == (2, 2, 5, 5)


def test_transformer_block_causal_hides_the_future():
    block = TransformerBlock(2, 4, 16, causal=True)
    x = random_inputs((1, 6, 8))
    changed = x.copy()
    changed[:, 4:] += 5.0
    y0, y1 = (keras.ops.convert_to_numpy(block(v)) for v in (x, changed))
    np.testing.assert_allclose(y0[:, :4], y1[:, :4], atol=1e-5)
    assert not np.allclose(y0[:, 4:], y1[:, 4:])


def test_transformer_block_invalid_arguments():
    with pytest.raises(ValueError, match="Received: ff_dim=0"):
        TransformerBlock(2, None, 0)
    with pytest.raises(ValueError, match=r"`num_heads`=3 does not divide the model width 8"):
        TransformerBlock(3, None, 8).compute_output_shape((None, 5, 8))


def test_patch_embedding_contract(tmp_path):
    run_layer_test(
        PatchEmbedding,
        {"patch_size": 4, "dim": 6},
        (2, 8, 12, 3),
        tmp_path,
        expected_output_shape=(2, 6, 6),
    )


def test_patch_embedding_vit_sizes_and_patch_order():
    assert PatchEmbedding(16, 768).compute_output_shape((None, 224, 224, 3)) == (None, 196, 768)
    layer = PatchEmbedding(2, 5)
    x = random_inputs((1, 4, 6, 3))
    y = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    flat = kernel.reshape(-1, 5)
    for row in range(2):
        for col in range(3):
            patch = x[0, 2 * row : 2 * row + 2, 2 * col : 2 * col + 2, :].reshape(-1)
            np.testing.assert_allclose(y[0, row * 3 + col], patch @ flat + bias, atol=1e-5)


def test_patch_embedding_refuses_indivisible_image():
    with pytest.raises(ValueError, match="image width 30 is not a multiple of `patch_size`=16"):
        PatchEmbedding(16, 8).compute_output_shape((None, 32, 30, 3))


def test_class_token_contract(tmp_path):
    run_layer_test(
        ClassToken,
        {"initializer": "random_normal"},
        (2, 4, 3),
        tmp_path,
        expected_output_shape=(2, 5, 3),
    )


def test_class_token_prepends_the_same_token_to_every_example():
    layer = ClassToken(initializer="random_normal")
    x = random_inputs((3, 4, 5))
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(y[:, 1:], x)
    np.testing.assert_allclose(y[:, 0], np.broadcast_to(layer.get_weights()[0][0], (3, 5)))


def test_select_token_contract(tmp_path):
    run_layer_test(SelectToken, {"index": 2}, (2, 4, 3), tmp_path, expected_output_shape=(2, 3))


def test_select_token_takes_that_position_and_checks_it():
    x = random_inputs((2, 4, 3))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(SelectToken(1)(x)), x[:, 1])
    with pytest.raises(ValueError, match="`index`=4 is outside a sequence of length 4"):
        SelectToken(4).compute_output_shape((None, 4, 3))
    with pytest.raises(ValueError, match="Received: index=-1"):
        SelectToken(-1)
