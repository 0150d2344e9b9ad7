"""Catalog entry of :class:`netlab.layers.LayerNorm` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import ours
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, known, same_shape


def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """Scale (gamma) and shift (beta) over the last axis."""
    width = (known(ins[0][-1], "last dimension"),)
    return [WeightSpec("gamma", width), WeightSpec("beta", width)]


ENTRIES = (
    LayerSpec("LayerNorm", "Layer normalisation", "Normalisation",
              "Normalises each example over its last axis (not across the batch), then scales "
              "and shifts it.",
              (Param("epsilon", "float", 1e-6, "added to the variance", 1e-12, 1.0),),
              ("input",), same_shape, weights, ours("LayerNorm"), "netlab>LayerNorm"),
)  # fmt: skip
