"""Catalog entries of NetLab's positional embeddings (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import SEQUENCE, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, known, need_rank, no_weights
from netlab.errors import ShapeError


def _sequence(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return need_rank(ins, 2, SEQUENCE)


def _learned_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, _ = need_rank(ins, 2, SEQUENCE)
    if length is not None and length > params["max_length"]:
        raise ShapeError("max_length", f"the sequence has {length} positions but max_length is "
                                       f"{params['max_length']}")  # fmt: skip
    return ins[0]


def _learned_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    return [WeightSpec("embeddings", (params["max_length"], known(ins[0][-1], "width")))]


ENTRIES = (
    LayerSpec("SinusoidalPositionEmbedding", "Sin/cos position embedding", "Embedding",
              "Adds the fixed table sin(pos / 10000^(2i/d)), cos(...) so the model knows each "
              "token's position; works for any length.",
              (), ("input",), _sequence, no_weights, ours("SinusoidalPositionEmbedding"),
              "netlab>SinusoidalPositionEmbedding", capabilities=frozenset({"positions"})),
    LayerSpec("LearnedPositionEmbedding", "Learned position embedding", "Embedding",
              "Adds a learned vector for each position, up to max_length positions.",
              (Param("max_length", "int", 128, "most positions", 1, 1_000_000),),
              ("input",), _learned_shape, _learned_weights,
              ours("LearnedPositionEmbedding"), "netlab>LearnedPositionEmbedding",
              key_params=("max_length",), capabilities=frozenset({"positions"})),
)  # fmt: skip
