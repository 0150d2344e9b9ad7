"""Catalog entry of :class:`netlab.layers.FeedForward` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import activation, dropout, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, known, same_shape


def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """The hidden and the projection Dense layers' kernels and biases."""
    dim, hidden = known(ins[0][-1], "width"), params["hidden_dim"]
    return [WeightSpec("hidden/kernel", (dim, hidden)), WeightSpec("hidden/bias", (hidden,)),
            WeightSpec("projection/kernel", (hidden, dim)),
            WeightSpec("projection/bias", (dim,))]  # fmt: skip


ENTRIES = (
    LayerSpec("FeedForward", "Feed-forward", "Attention",
              "Two dense layers applied to each position: act(x W1 + b1) W2 + b2.",
              (Param("hidden_dim", "int", 256, "hidden width", 1, 1_000_000),
               activation("relu", "hidden activation"), dropout()),
              ("input",), same_shape, weights, ours("FeedForward"),
              "netlab>FeedForward", key_params=("hidden_dim",)),
)  # fmt: skip
