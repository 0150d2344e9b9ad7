"""Catalog entries of NetLab's own layers (``netlab.layers``)."""

from __future__ import annotations

from typing import Any

from netlab.catalog.spec import (
    ACTIVATIONS,
    LayerSpec,
    Param,
    Shape,
    format_shape,
    layer_maker,
    need_rank,
    no_params,
    same_shape,
)
from netlab.errors import LayerArgumentError, ShapeError
from netlab.shapes import conv_output_length

IMAGE = "an image (height, width, channels)"


def _ours(class_name: str) -> Any:
    return layer_maker(class_name, "netlab")


SEQUENCE = "a sequence (length, features)"


def _conv_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, _ = need_rank(ins, 3, IMAGE)
    padding = params["padding"]
    out = []
    for axis, size in enumerate((height, width)):
        pad = padding if isinstance(padding, str) else padding[axis]
        k, s = params["kernel_size"][axis], params["strides"][axis]
        try:
            out.append(None if size is None else conv_output_length(size, k, s, pad))
        except LayerArgumentError as err:
            raise ShapeError("kernel_size", f"the {err}") from None
    return (*out, params["filters"])


def _conv_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    kh, kw = params["kernel_size"]
    filters = params["filters"]
    return kh * kw * ins[0][-1] * filters + (filters if params["use_bias"] else 0), 0


def _residual_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    conv = {"kernel_size": (3, 3), "padding": (1, 1), "strides": (params["strides"],) * 2}
    return _conv_shape({**conv, "filters": params["filters"]}, ins)


def _residual_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    channels, filters = ins[0][-1], params["filters"]
    trainable = 9 * channels * filters + 9 * filters * filters + 4 * filters
    frozen = 4 * filters
    if params["strides"] != 1 or channels != filters:
        trainable += channels * filters + 2 * filters
        frozen += 2 * filters
    return trainable, frozen


def _head_widths(params: dict[str, Any], width: int) -> tuple[int, int]:
    key_dim, heads = params["key_dim"], params["num_heads"]
    if key_dim is None:
        if width % heads:
            raise ShapeError(
                "num_heads",
                f"{heads} heads do not divide the model width {width}; choose a divisor of "
                f"{width} or set key_dim",
            )
        key_dim = width // heads
    return key_dim, params.get("value_dim") or key_dim


def _sdpa_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    query, key, value = (need_rank(ins, 2, SEQUENCE, port) for port in range(3))
    if query[-1] != key[-1]:
        raise ShapeError("input", f"query {format_shape(query)} and key {format_shape(key)} "
                                  "need the same width")  # fmt: skip
    if key[0] != value[0]:
        raise ShapeError("input", f"key {format_shape(key)} and value {format_shape(value)} "
                                  "need the same length")  # fmt: skip
    return (query[0], value[-1])


def _mha_inputs(ins: list[Shape]) -> tuple[Shape, Shape, Shape]:
    query = need_rank(ins, 2, SEQUENCE, 0)
    value = need_rank(ins, 2, SEQUENCE, 1) if len(ins) > 1 else query
    key = need_rank(ins, 2, SEQUENCE, 2) if len(ins) > 2 else value
    if key[0] != value[0]:
        raise ShapeError("input", f"key {format_shape(key)} and value {format_shape(value)} "
                                  "need the same length")  # fmt: skip
    return query, value, key


def _mha_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    query, _, _ = _mha_inputs(ins)
    _head_widths(params, query[-1])
    return query


def _mha_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    query, value, key = _mha_inputs(ins)
    heads = params["num_heads"]
    kw, vw = _head_widths(params, query[-1])
    q, v, k = query[-1], value[-1], key[-1]
    return (q + k + 2) * heads * kw + (v + 1) * heads * vw + heads * vw * q + q, 0


def _sequence(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return need_rank(ins, 2, SEQUENCE)


def _learned_pos_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, _ = need_rank(ins, 2, SEQUENCE)
    if length is not None and length > params["max_length"]:
        raise ShapeError("max_length", f"the sequence has {length} positions but max_length is "
                                       f"{params['max_length']}")  # fmt: skip
    return ins[0]


def _ff_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    dim, hidden = ins[0][-1], params["hidden_dim"]
    return 2 * dim * hidden + hidden + dim, 0


def _transformer_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    attention, _ = _mha_count({**params, "value_dim": None}, ins, out)
    feed_forward, _ = _ff_count({"hidden_dim": params["ff_dim"]}, ins, out)
    return attention + feed_forward + 4 * ins[0][-1], 0


def _transformer_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    _head_widths(params, need_rank(ins, 2, SEQUENCE)[-1])
    return ins[0]


def _patch_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, _ = need_rank(ins, 3, IMAGE)
    p = params["patch_size"]
    for label, size in (("height", height), ("width", width)):
        if size is not None and (size < p or size % p):
            raise ShapeError("patch_size", f"image {label} {size} is not a multiple of "
                                           f"patch_size {p}")  # fmt: skip
    return (None if None in (height, width) else (height // p) * (width // p), params["dim"])


def _patch_count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
    p, dim = params["patch_size"], params["dim"]
    return p * p * ins[0][-1] * dim + dim, 0


def _class_token_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, dim = need_rank(ins, 2, SEQUENCE)
    return (None if length is None else length + 1, dim)


def _select_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, dim = need_rank(ins, 2, SEQUENCE)
    if length is not None and params["index"] >= length:
        raise ShapeError("index", f"index {params['index']} is outside a sequence of length "
                                  f"{length}")  # fmt: skip
    return (dim,)


def _last_dim_times(factor: int, param: str | None = None):
    def count(params: dict[str, Any], ins: list[Shape], out: Shape) -> tuple[int, int]:
        return factor * ins[0][-1] * (params[param] if param else 1), 0

    return count


def _dropout() -> Param:
    return Param("dropout", "float", 0.0, "dropout rate in training", 0.0, 1.0,
                 exclusive_max=True)  # fmt: skip


def _heads() -> tuple[Param, Param]:
    return (
        Param("num_heads", "int", 4, "number of attention heads", 1, 1024),
        Param("key_dim", "optional_int", None, "width of each head; empty: width / heads",
              1, 65536),
    )  # fmt: skip


NETLAB_ENTRIES = (
    LayerSpec("Conv2D", "Convolution 2D", "Convolution",
              "Slides filters over the image: each output channel is a dot product of its "
              "kernel with every window of all input channels. Output size "
              "floor((H + 2*padding - kernel) / stride) + 1.",
              (Param("filters", "int", 16, "number of output channels", 1, 65536),
               Param("kernel_size", "int_pair", 3, "kernel height and width", 1, 1024),
               Param("strides", "int_pair", 1, "step of the window", 1, 1024),
               Param("padding", "padding", 0, "zeros on each side, or valid / same", 0, 1024),
               Param("activation", "choice", "linear", "function applied to the output",
                     choices=ACTIVATIONS),
               Param("use_bias", "bool", True, "add a learned bias per channel")),
              ("input",), _conv_shape, _conv_count, _ours("Conv2D"), "netlab>Conv2D",
              key_params=("filters", "kernel_size", "strides", "padding")),
    LayerSpec("ResidualBlock", "Residual block", "Convolution",
              "ResNet's basic block: two 3x3 convolutions with batch norm and ReLU, plus a "
              "shortcut (identity, or a 1x1 convolution when size or channels change); "
              "output relu(F(x) + x).",
              (Param("filters", "int", 64, "output channels", 1, 65536),
               Param("strides", "int", 1, "stride of the first convolution", 1, 64),
               Param("zero_init", "bool", True, "start the block as the identity")),
              ("input",), _residual_shape, _residual_count, _ours("ResidualBlock"),
              "netlab>ResidualBlock", composite=True, key_params=("filters", "strides")),
    LayerSpec("ScaledDotProductAttention", "Scaled dot-product attention", "Attention",
              "softmax(Q K^T / sqrt(d)) V: every query position averages the values, weighted "
              "by how well its query matches each key.",
              (Param("causal", "bool", False, "hide later positions"), _dropout()),
              ("query", "key", "value"), _sdpa_shape, no_params,
              _ours("ScaledDotProductAttention"), "netlab>ScaledDotProductAttention",
              call_style="list"),
    LayerSpec("MultiHeadAttention", "Multi-head attention", "Attention",
              "Projects query, key and value into several heads, attends in each, joins the "
              "heads and projects back. With one input it is self-attention.",
              (*_heads(),
               Param("value_dim", "optional_int", None, "width of each head's values", 1, 65536),
               _dropout(), Param("causal", "bool", False, "hide later positions")),
              ("query", "value", "key"), _mha_shape, _mha_count,
              _ours("MultiHeadAttention"), "netlab>MultiHeadAttention", min_inputs=1,
              key_params=("num_heads",), call_style="args"),
    LayerSpec("LayerNorm", "Layer normalisation", "Normalisation",
              "Normalises each example over its last axis (not across the batch), then scales "
              "and shifts it.",
              (Param("epsilon", "float", 1e-6, "added to the variance", 1e-12, 1.0),),
              ("input",), same_shape, _last_dim_times(2), _ours("LayerNorm"),
              "netlab>LayerNorm"),
    LayerSpec("SinusoidalPositionEmbedding", "Sin/cos position embedding", "Embedding",
              "Adds the fixed table sin(pos / 10000^(2i/d)), cos(...) so the model knows each "
              "token's position; works for any length.",
              (), ("input",), _sequence, no_params, _ours("SinusoidalPositionEmbedding"),
              "netlab>SinusoidalPositionEmbedding"),
    LayerSpec("LearnedPositionEmbedding", "Learned position embedding", "Embedding",
              "Adds a learned vector for each position, up to max_length positions.",
              (Param("max_length", "int", 128, "most positions", 1, 1_000_000),),
              ("input",), _learned_pos_shape, _last_dim_times(1, "max_length"),
              _ours("LearnedPositionEmbedding"), "netlab>LearnedPositionEmbedding",
              key_params=("max_length",)),
    LayerSpec("FeedForward", "Feed-forward", "Attention",
              "Two dense layers applied to each position: act(x W1 + b1) W2 + b2.",
              (Param("hidden_dim", "int", 256, "hidden width", 1, 1_000_000),
               Param("activation", "choice", "relu", "hidden activation", choices=ACTIVATIONS),
               _dropout()),
              ("input",), same_shape, _ff_count, _ours("FeedForward"),
              "netlab>FeedForward", key_params=("hidden_dim",)),
    LayerSpec("TransformerBlock", "Transformer block", "Attention",
              "Self-attention then feed-forward, each with a residual connection and layer "
              "norm (after the addition, or before each part with norm_first).",
              (*_heads(), Param("ff_dim", "int", 256, "feed-forward hidden width", 1, 1_000_000),
               _dropout(), Param("norm_first", "bool", False, "pre-norm (ViT, GPT-2)"),
               Param("causal", "bool", False, "hide later positions"),
               Param("activation", "choice", "relu", "feed-forward activation",
                     choices=ACTIVATIONS)),
              ("input",), _transformer_shape, _transformer_count,
              _ours("TransformerBlock"), "netlab>TransformerBlock", composite=True,
              key_params=("num_heads", "ff_dim")),
    LayerSpec("PatchEmbedding", "Patch embedding", "Embedding",
              "Cuts the image into patch_size x patch_size squares and projects each to a "
              "vector: 224x224 with 16x16 patches gives 196 tokens.",
              (Param("patch_size", "int", 16, "side of each patch", 1, 4096),
               Param("dim", "int", 64, "width of each token", 1, 1_000_000)),
              ("input",), _patch_shape, _patch_count, _ours("PatchEmbedding"),
              "netlab>PatchEmbedding", key_params=("patch_size", "dim")),
    LayerSpec("ClassToken", "Class token", "Embedding",
              "Puts one learned token in front of the sequence; its output feeds the "
              "classifier (ViT).",
              (), ("input",), _class_token_shape, _last_dim_times(1), _ours("ClassToken"),
              "netlab>ClassToken"),
    LayerSpec("SelectToken", "Select token", "Reshaping",
              "Takes the vector at one position of a sequence (index 0: ViT's class token).",
              (Param("index", "int", 0, "position to take", 0, 1_000_000),),
              ("input",), _select_shape, no_params, _ours("SelectToken"),
              "netlab>SelectToken", key_params=("index",)),
)  # fmt: skip
