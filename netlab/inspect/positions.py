"""Positional embeddings: the table of position vectors and how alike they are."""

from __future__ import annotations

from typing import Any

import numpy as np

from netlab.errors import InspectError
from netlab.inspect._common import find_layer, to_numpy


def _sequence_length(layer: Any, length: int | None) -> int:
    if length is not None:
        if int(length) < 1:
            raise InspectError(layer.name, f"length must be positive, not {length}")
        return int(length)
    known = layer.input.shape[1]
    if known is None:
        raise InspectError(layer.name, "the sequence length is not fixed; pass `length`")
    return int(known)


def position_table(model: Any, layer_name: str, length: int | None = None) -> np.ndarray:
    """The position vectors a positional-embedding layer adds, one row per position.

    Args:
        model: The model (``TrainingRun.model``).
        layer_name: A ``SinusoidalPositionEmbedding`` (its table is computed)
            or ``LearnedPositionEmbedding`` (its trained weights).
        length: Number of positions; defaults to the layer's input length.

    Returns:
        Float32 ``(length, dim)``.

    Raises:
        InspectError: If there is no such layer, it is not a positional
            embedding, or ``length`` is unknown or longer than a learned table.
    """
    from netlab.layers import (
        LearnedPositionEmbedding,
        SinusoidalPositionEmbedding,
        sinusoidal_table,
    )

    layer = find_layer(model, layer_name)
    if isinstance(layer, SinusoidalPositionEmbedding):
        count = _sequence_length(layer, length)
        table = sinusoidal_table(count, int(layer.input.shape[-1]), layer.max_wavelength)
        return to_numpy(table).astype("float32")
    if isinstance(layer, LearnedPositionEmbedding):
        count = _sequence_length(layer, length)
        if count > layer.max_length:
            raise InspectError(
                layer_name, f"length {count} is longer than the table "
                f"(max_length={layer.max_length})"
            )  # fmt: skip
        return to_numpy(layer.embeddings)[:count].astype("float32")
    raise InspectError(
        layer_name, f"{type(layer).__name__} is not a positional embedding; choose a "
        "SinusoidalPositionEmbedding or LearnedPositionEmbedding"
    )  # fmt: skip


def cosine_similarity(table: Any) -> np.ndarray:
    """Cosine similarity of every pair of rows: ``(L, d) -> (L, L)``, symmetric.

    A zero row is similar to nothing (its row and column are 0).
    """
    rows = np.asarray(table, dtype="float64")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def position_similarity(model: Any, layer_name: str, length: int | None = None) -> np.ndarray:
    """How alike the position vectors are: their cosine similarity, ``(L, L)``.

    Nearby positions of a good embedding are alike, far ones less so; the
    diagonal is 1.

    Args:
        model: The model.
        layer_name: A ``SinusoidalPositionEmbedding`` or ``LearnedPositionEmbedding``.
        length: Number of positions; defaults to the layer's input length.

    Raises:
        InspectError: As :func:`position_table`.
    """
    return cosine_similarity(position_table(model, layer_name, length))
