"""Multiply-adds of a layer, counted as the papers count FLOPs.

He et al. (ResNet, "3.6 billion FLOPs") and Dosovitskiy et al. (ViT-B/16, 17.6
GFLOPs) count one multiply-add as one FLOP and count only the products of
weights and activations: convolutions, dense layers, attention's projections
and its two matrix products (scores and the weighted sum). Additions of biases,
normalisation, activations, pooling and merges are elementwise and left out, as
there.

A catalog entry says how its layer counts (``LayerSpec.macs``); the default,
:func:`kernel_macs`, fits every layer that applies a kernel at each position of
its output. ``None`` means the count depends on a dimension that is unknown
(a sequence of any length).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from netlab.catalog.spec import Shape, WeightSpec

MacsFn = Callable[[dict[str, Any], list[Shape], Shape, list[WeightSpec]], "int | None"]
"""``(params, input_shapes, output_shape, weights) -> multiply-adds`` for one example."""


def positions(shape: Shape) -> int | None:
    """The number of places a kernel is applied: every axis of ``shape`` but the channels."""
    if any(dim is None for dim in shape[:-1]):
        return None
    return math.prod(dim for dim in shape[:-1] if dim is not None)


def _kernels(weights: list[WeightSpec]) -> int:
    return sum(w.size for w in weights if w.name.rsplit("/", 1)[-1].endswith("kernel"))


def kernel_macs(params: dict[str, Any], ins: list[Shape], out: Shape,
                weights: list[WeightSpec]) -> int | None:  # fmt: skip
    """Each kernel applied once at every position of the output (dense, convolutions).

    A convolution's kernel ``(kh, kw, c_in, c_out)`` at ``H x W`` output places is
    ``H W kh kw c_in c_out``; a dense kernel ``(d_in, d_out)`` on a sequence of ``n``
    tokens is ``n d_in d_out``; a depthwise kernel ``(kh, kw, c, m)`` gives
    ``H W kh kw c m``.
    """
    size = _kernels(weights)
    if size == 0:
        return 0
    count = positions(out)
    return None if count is None else count * size


def input_kernel_macs(params: dict[str, Any], ins: list[Shape], out: Shape,
                      weights: list[WeightSpec]) -> int | None:  # fmt: skip
    """Each kernel applied once at every position of the input (transposed convolutions)."""
    count = positions(ins[0])
    return None if count is None else count * _kernels(weights)


def recurrent_macs(params: dict[str, Any], ins: list[Shape], out: Shape,
                   weights: list[WeightSpec]) -> int | None:  # fmt: skip
    """The input and recurrent kernels once per time step (both directions when bidirectional)."""
    steps = ins[0][0]
    return None if steps is None else steps * _kernels(weights)


def attention_products(queries: int | None, keys: int | None, key_width: int,
                       value_width: int) -> int | None:  # fmt: skip
    """``Q K^T`` and ``softmax(.) V`` for one head: ``n_q n_k (d_k + d_v)``."""
    if queries is None or keys is None:
        return None
    return queries * keys * (key_width + value_width)


def _add(*counts: int | None) -> int | None:
    return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)


def multi_head_attention_macs(params: dict[str, Any], ins: list[Shape], out: Shape,
                              weights: list[WeightSpec]) -> int | None:  # fmt: skip
    """Projections of query, key and value at their positions, both products in every head,
    and the output projection at the query's positions."""
    query = ins[0]
    value = ins[1] if len(ins) > 1 else query
    key = ins[2] if len(ins) > 2 else value
    sizes = {w.name: w.size for w in weights}
    _, heads, key_width = next(w.shape for w in weights if w.name == "query_kernel")
    value_width = next(w.shape for w in weights if w.name == "value_kernel")[2]
    products = attention_products(query[0], key[0], key_width, value_width)
    return _add(
        _times(query[0], sizes["query_kernel"] + sizes["output_kernel"]),
        _times(key[0], sizes["key_kernel"]),
        _times(value[0], sizes["value_kernel"]),
        None if products is None else heads * products,
    )


def _times(count: int | None, size: int) -> int | None:
    return None if count is None else count * size


def dot_product_attention_macs(params: dict[str, Any], ins: list[Shape], out: Shape,
                               weights: list[WeightSpec]) -> int | None:  # fmt: skip
    """``Q K^T`` and the weighted sum of the values, one head, no weights."""
    query, key, value = ins[:3]
    if query[-1] is None or value[-1] is None:
        return None
    return attention_products(query[0], key[0], query[-1], value[-1])


def format_flops(count: int | None, unit: str = "") -> str:
    """``3.66 G``, ``17.6 M``, ``912`` (or ``3.66 GFLOPs`` with ``unit="FLOPs"``): counts
    for people; ``?`` when unknown."""
    if count is None:
        return "?"
    for size, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= size:
            return f"{count / size:.3g} {prefix}{unit}"
    return f"{count} {unit}".strip()
