"""Catalog entry of :class:`netlab.layers.ScaledDotProductAttention` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog import flops
from netlab.catalog.netlab_layers._common import SEQUENCE, dropout, ours
from netlab.catalog.spec import LayerSpec, Param, Shape, format_shape, need_rank, no_weights
from netlab.errors import ShapeError


def output_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """``(query length, value width)``."""
    query, key, value = (need_rank(ins, 2, SEQUENCE, port) for port in range(3))
    if query[-1] != key[-1]:
        raise ShapeError("input", f"query {format_shape(query)} and key {format_shape(key)} "
                                  "need the same width")  # fmt: skip
    if key[0] != value[0]:
        raise ShapeError("input", f"key {format_shape(key)} and value {format_shape(value)} "
                                  "need the same length")  # fmt: skip
    return (query[0], value[-1])


ENTRIES = (
    LayerSpec("ScaledDotProductAttention", "Scaled dot-product attention", "Attention",
              "softmax(Q K^T / sqrt(d)) V: every query position averages the values, weighted "
              "by how well its query matches each key.",
              (Param("causal", "bool", False, "hide later positions"), dropout(),
               Param("scaled", "bool", True, "divide the logits by sqrt(d_k) (off: to see why)")),
              ("query", "key", "value"), output_shape, no_weights,
              ours("ScaledDotProductAttention"), "netlab>ScaledDotProductAttention",
              call_style="list", capabilities=frozenset({"attention"}),
              macs=flops.dot_product_attention_macs),
)  # fmt: skip
