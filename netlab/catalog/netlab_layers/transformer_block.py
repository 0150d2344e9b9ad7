"""Catalog entry of :class:`netlab.layers.TransformerBlock`, with its recipe (no Keras here)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.netlab_layers._common import SEQUENCE, activation, dropout, heads, ours
from netlab.catalog.recipes import INPUT, Recipe, Step, composite_shape, composite_weights
from netlab.catalog.spec import LayerSpec, Param, Shape, WeightSpec, need_rank

WEIGHT_ORDER = ("attention", "norm1", "feed_forward", "norm2")  # as the layer holds them


def recipe(params: dict[str, Any], input_shape: Shape) -> Recipe:
    """Attention / dropout / Add / LayerNorm / FeedForward steps, post- or pre-norm."""
    attention = {k: params[k] for k in ("num_heads", "key_dim", "dropout", "causal")}
    ff = {"hidden_dim": params["ff_dim"], "activation": params["activation"],
          "dropout": params["dropout"]}  # fmt: skip
    drop = {"rate": params["dropout"]}
    if params["norm_first"]:
        steps = (
            Step("norm1", "LayerNorm", {}, (INPUT,)),
            Step("attention", "MultiHeadAttention", attention, ("norm1",)),
            Step("drop1", "Dropout", drop, ("attention",)),
            Step("add1", "Add", {}, (INPUT, "drop1")),
            Step("norm2", "LayerNorm", {}, ("add1",)),
            Step("feed_forward", "FeedForward", ff, ("norm2",)),
            Step("drop2", "Dropout", drop, ("feed_forward",)),
            Step("add2", "Add", {}, ("add1", "drop2")),
        )
    else:
        steps = (
            Step("attention", "MultiHeadAttention", attention, (INPUT,)),
            Step("drop1", "Dropout", drop, ("attention",)),
            Step("add1", "Add", {}, (INPUT, "drop1")),
            Step("norm1", "LayerNorm", {}, ("add1",)),
            Step("feed_forward", "FeedForward", ff, ("norm1",)),
            Step("drop2", "Dropout", drop, ("feed_forward",)),
            Step("add2", "Add", {}, ("norm1", "drop2")),
            Step("norm2", "LayerNorm", {}, ("add2",)),
        )
    return Recipe(steps, WEIGHT_ORDER)


def _shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return composite_shape(recipe(params, need_rank(ins, 2, SEQUENCE)), ins[0])


def _weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    return composite_weights(recipe(params, ins[0]), ins[0])


def _guesses(nodes: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    attention = [p for key, p in nodes if key == "MultiHeadAttention"]
    forward = [p for key, p in nodes if key == "FeedForward"]
    if len(attention) != 1 or len(forward) != 1:
        return []
    a, f = attention[0], forward[0]
    return [{"num_heads": a["num_heads"], "key_dim": a["key_dim"], "ff_dim": f["hidden_dim"],
             "dropout": a["dropout"], "norm_first": norm_first, "causal": a["causal"],
             "activation": f["activation"]} for norm_first in (False, True)]  # fmt: skip


ENTRIES = (
    LayerSpec("TransformerBlock", "Transformer block", "Attention",
              "Self-attention then feed-forward, each with a residual connection and layer "
              "norm (after the addition, or before each part with norm_first).",
              (*heads(), Param("ff_dim", "int", 256, "feed-forward hidden width", 1, 1_000_000),
               dropout(), Param("norm_first", "bool", False, "pre-norm (ViT, GPT-2)"),
               Param("causal", "bool", False, "hide later positions"),
               activation("relu", "feed-forward activation")),
              ("input",), _shape, _weights, ours("TransformerBlock"), "netlab>TransformerBlock",
              key_params=("num_heads", "ff_dim"), recipe=recipe, collapse_guesses=_guesses,
              capabilities=frozenset({"attention"})),
)  # fmt: skip
