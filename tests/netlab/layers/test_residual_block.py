import keras
import numpy as np
import pytest

from netlab.layers import ResidualBlock
from tests.netlab.layers.helper import random_inputs, run_layer_test


def test_contract_identity_shortcut(tmp_path):
    # With zero_init the second conv gets no gradient until gamma moves: 2 steps.
    run_layer_test(ResidualBlock, {"filters": 4}, (2, 6, 6, 4), tmp_path, train_steps=2)


def test_contract_projection_shortcut(tmp_path):
    run_layer_test(
        ResidualBlock,
        {"filters": 6, "strides": 2, "zero_init": False},
        (2, 8, 8, 3),
        tmp_path,
        expected_output_shape=(2, 4, 4, 6),
    )


def _sublayers(block):
    return {layer.name for layer in block._layers}


def test_shortcut_is_identity_when_shapes_agree_and_projection_otherwise():
    same = ResidualBlock(4)
    same.build((None, 8, 8, 4))
    assert not same.has_projection
    assert "shortcut_conv" not in _sublayers(same)
    for block, shape in (
        (ResidualBlock(8), (None, 8, 8, 4)),
        (ResidualBlock(4, 2), (None, 8, 8, 4)),
    ):
        block.build(shape)
        assert block.has_projection
        kernel = block.shortcut_conv.kernel
        assert tuple(kernel.shape) == (1, 1, 4, block.filters)


def test_zero_init_starts_as_identity():
    x = np.abs(random_inputs((2, 6, 6, 4)))  # non-negative, as after a ReLU
    block = ResidualBlock(4)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(block(x, training=False)), x)
    plain = ResidualBlock(4, zero_init=False)
    assert not np.allclose(keras.ops.convert_to_numpy(plain(x, training=False)), x)


def test_output_is_relu_of_residual_plus_shortcut():
    block = ResidualBlock(4, zero_init=False)
    x = random_inputs((1, 5, 5, 4))
    y = keras.ops.convert_to_numpy(block(x, training=False))
    f = block.norm2(block.conv2(keras.ops.relu(block.norm1(block.conv1(x)))))
    np.testing.assert_allclose(y, np.maximum(keras.ops.convert_to_numpy(f) + x, 0), atol=1e-5)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Received: filters=0"):
        ResidualBlock(0)
    with pytest.raises(ValueError, match="Received: strides=-1"):
        ResidualBlock(4, strides=-1)
