"""Catalog entry of :class:`netlab.layers.MultiHeadAttention` (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog import flops
from netlab.catalog.netlab_layers._common import SEQUENCE, dropout, heads, ours
from netlab.catalog.spec import (
    LayerSpec,
    Param,
    Shape,
    WeightSpec,
    format_shape,
    known,
    need_rank,
)
from netlab.errors import LayerArgumentError, ShapeError


def head_widths(num_heads: int, key_dim: int | None, value_dim: int | None,
                model_width: int) -> tuple[int, int]:  # fmt: skip
    """Each head's key and value width for a query of ``model_width``.

    Raises:
        LayerArgumentError: If ``key_dim`` is ``None`` and ``num_heads`` does not
            divide ``model_width``.
    """
    if key_dim is None:
        if model_width % num_heads:
            raise LayerArgumentError(
                f"`num_heads`={num_heads} does not divide the model width {model_width}; "
                "choose a divisor or set `key_dim`"
            )
        key_dim = model_width // num_heads
    return key_dim, value_dim or key_dim


def _widths(params: dict[str, Any], width: int) -> tuple[int, int]:
    try:
        return head_widths(params["num_heads"], params["key_dim"], params.get("value_dim"), width)
    except LayerArgumentError:
        raise ShapeError(
            "num_heads",
            f"{params['num_heads']} heads do not divide the model width {width}; choose a "
            f"divisor of {width} or set key_dim",
        ) from None


def _inputs(ins: list[Shape]) -> tuple[Shape, Shape, Shape]:
    query = need_rank(ins, 2, SEQUENCE, 0)
    value = need_rank(ins, 2, SEQUENCE, 1) if len(ins) > 1 else query
    key = need_rank(ins, 2, SEQUENCE, 2) if len(ins) > 2 else value
    if key[0] != value[0]:
        raise ShapeError("input", f"key {format_shape(key)} and value {format_shape(value)} "
                                  "need the same length")  # fmt: skip
    return query, value, key


def output_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    """The query's shape."""
    query, _, _ = _inputs(ins)
    _widths(params, known(query[-1], "model width"))
    return query


def weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    """Query, key and value projections per head, and the output projection."""
    query, value, key = _inputs(ins)
    q, v, k = (known(s[-1], "width") for s in (query, value, key))
    h = params["num_heads"]
    kw, vw = _widths(params, q)
    return [
        WeightSpec("query_kernel", (q, h, kw)), WeightSpec("query_bias", (h, kw)),
        WeightSpec("key_kernel", (k, h, kw)), WeightSpec("key_bias", (h, kw)),
        WeightSpec("value_kernel", (v, h, vw)), WeightSpec("value_bias", (h, vw)),
        WeightSpec("output_kernel", (h, vw, q)), WeightSpec("output_bias", (q,)),
    ]  # fmt: skip


ENTRIES = (
    LayerSpec("MultiHeadAttention", "Multi-head attention", "Attention",
              "Projects query, key and value into several heads, attends in each, joins the "
              "heads and projects back. With one input it is self-attention.",
              (*heads(),
               Param("value_dim", "optional_int", None, "width of each head's values", 1, 65536),
               dropout(), Param("causal", "bool", False, "hide later positions")),
              ("query", "value", "key"), output_shape, weights,
              ours("MultiHeadAttention"), "netlab>MultiHeadAttention", min_inputs=1,
              key_params=("num_heads",), call_style="args",
              capabilities=frozenset({"attention"}), macs=flops.multi_head_attention_macs),
)  # fmt: skip
