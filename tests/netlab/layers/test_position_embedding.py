import math

import keras
import numpy as np
import pytest

from netlab.layers import LearnedPositionEmbedding, SinusoidalPositionEmbedding, sinusoidal_table
from tests.netlab.layers.helper import random_inputs, run_layer_test


def test_sinusoidal_contract(tmp_path):
    run_layer_test(SinusoidalPositionEmbedding, {}, (2, 7, 6), tmp_path)


@pytest.mark.parametrize("dim", [6, 7])
def test_sinusoidal_table_matches_formula(dim):
    table = keras.ops.convert_to_numpy(sinusoidal_table(50, dim))
    for pos in (0, 1, 17, 49):
        for j in range(dim):
            angle = pos / 10000 ** ((j - j % 2) / dim)
            want = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert table[pos, j] == pytest.approx(want, abs=1e-5)


def test_sinusoidal_adds_table_for_any_length():
    for length in (1, 3, 300):
        x = random_inputs((2, length, 8))
        y = keras.ops.convert_to_numpy(SinusoidalPositionEmbedding()(x))
        np.testing.assert_allclose(
            y - x, np.broadcast_to(sinusoidal_table(length, 8), x.shape), atol=1e-5
        )


def test_learned_contract(tmp_path):
    run_layer_test(LearnedPositionEmbedding, {"max_length": 9}, (2, 7, 4), tmp_path)


def test_learned_adds_its_table_rows():
    layer = LearnedPositionEmbedding(10)
    x = random_inputs((2, 4, 3))
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(
        y - x, np.broadcast_to(layer.get_weights()[0][:4], x.shape), atol=1e-6
    )


def test_learned_refuses_longer_sequence():
    layer = LearnedPositionEmbedding(4, name="pos")
    with pytest.raises(
        ValueError,
        match=r"'pos': the input sequence has 5 positions but "
        r"`max_length`=4",
    ):
        layer(random_inputs((1, 5, 3)))
    with pytest.raises(ValueError, match="Received: max_length=0"):
        LearnedPositionEmbedding(0)
