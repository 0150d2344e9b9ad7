"""Position tables and their cosine similarity."""

import keras
import numpy as np
import pytest

from netlab.graph.builder import build_model
from netlab.inspect import InspectError, cosine_similarity, position_similarity, position_table
from netlab.layers import SinusoidalPositionEmbedding
from netlab.templates import transformer


def sinusoid(length, dim, base=10000.0):
    table = np.zeros((length, dim))
    for pos in range(length):
        for i in range(dim):
            angle = pos / base ** (2 * (i // 2) / dim)
            table[pos, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)
    return table


def _check_similarity(sim, length):
    assert sim.shape == (length, length)
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-6)
    np.testing.assert_allclose(sim, sim.T, atol=1e-12)
    assert sim.min() >= -1.0
    assert sim.max() <= 1.0


def test_sinusoidal_table_and_similarity():
    model = build_model(transformer(length=12, width=10, heads=2))
    table = position_table(model, "positions")
    np.testing.assert_allclose(table, sinusoid(12, 10), atol=1e-5)
    sim = position_similarity(model, "positions")
    _check_similarity(sim, 12)
    rows = sinusoid(12, 10) / np.linalg.norm(sinusoid(12, 10), axis=1, keepdims=True)
    np.testing.assert_allclose(sim, rows @ rows.T, atol=1e-5)
    assert position_table(model, "positions", length=30).shape == (30, 10)


def test_learned_table_is_its_weights():
    model = build_model(transformer(positions="learned"))
    layer = model.get_layer("positions")
    weights = keras.ops.convert_to_numpy(layer.embeddings)
    np.testing.assert_allclose(position_table(model, "positions"), weights[:16])
    sim = position_similarity(model, "positions")
    _check_similarity(sim, 16)
    unit = weights / np.linalg.norm(weights, axis=1, keepdims=True)
    np.testing.assert_allclose(sim, unit @ unit.T, atol=1e-5)
    with pytest.raises(InspectError, match="length 17 is longer than the table"):
        position_table(model, "positions", length=17)


def test_errors_for_other_layers_and_unknown_lengths():
    model = build_model(transformer())
    with pytest.raises(InspectError, match="^block1: TransformerBlock is not a positional"):
        position_similarity(model, "block1")
    with pytest.raises(InspectError, match="^nothing: the model has no layer"):
        position_similarity(model, "nothing")
    inputs = keras.Input((None, 6), name="x")
    free = keras.Model(inputs, SinusoidalPositionEmbedding(name="pos")(inputs))
    with pytest.raises(InspectError, match="^pos: the sequence length is not fixed"):
        position_table(free, "pos")
    assert position_similarity(free, "pos", length=5).shape == (5, 5)


def test_cosine_similarity_of_a_zero_row_is_zero():
    sim = cosine_similarity([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(sim[1], 0.0)
    assert sim[0, 2] == pytest.approx(np.sqrt(0.5))
