"""Catalog entry of :class:`netlab.layers.SelectToken` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import SEQUENCE, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, need_rank, no_weights
from netlab.errors import ShapeError


def _shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, dim = need_rank(ins, 2, SEQUENCE)
    if length is not None and params["index"] >= length:
        raise ShapeError("index", f"index {params['index']} is outside a sequence of length "
                                  f"{length}")  # fmt: skip
    return (dim,)


ENTRIES = (
    LayerSpec("SelectToken", "Select token", "Reshaping",
              "Takes the vector at one position of a sequence (index 0: ViT's class token).",
              (Param("index", "int", 0, "position to take", 0, 1_000_000),),
              ("input",), _shape, no_weights, ours("SelectToken"), "netlab>SelectToken",
              key_params=("index",)),
)  # fmt: skip
