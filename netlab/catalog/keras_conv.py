"""Catalog entries of Keras's convolution, pooling, padding and resizing layers.

Parameters carry Keras's names, so a layer imported from a Keras model maps onto
them key by key; the shapes and weights are NetLab's own pure-Python arithmetic,
checked against Keras for every entry by the catalog test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netlab.catalog import flops
from netlab.catalog.spec import (
    ACTIVATIONS,
    LayerSpec,
    Param,
    Shape,
    WeightSpec,
    known,
    layer_maker,
    need_rank,
    no_weights,
)
from netlab.errors import ShapeError

IMAGE = "an image (height, width, channels)"
SEQUENCE = "a sequence (length, features)"
Fn = Callable[[dict[str, Any], list[Shape]], Shape]


def conv_length(size: int | None, kernel: int, stride: int, padding: str, dilation: int = 1,
                field: str = "kernel_size") -> int | None:  # fmt: skip
    """Keras's output length of a convolution or pooling along one axis.

    ``valid``: ``floor((size - span) / stride) + 1`` with ``span = dilation * (kernel - 1) + 1``;
    ``same`` and ``causal``: ``ceil(size / stride)``.
    """
    if size is None:
        return None
    if padding in ("same", "causal"):
        return -(-size // stride)
    span = dilation * (kernel - 1) + 1
    if size < span:
        raise ShapeError(field, f"the window spans {span} but the input is only {size} long")
    return (size - span) // stride + 1


def transposed_length(size: int | None, kernel: int, stride: int, padding: str) -> int | None:
    """Keras's output length of a transposed convolution: ``size * stride`` (same), plus
    ``max(kernel - stride, 0)`` (valid)."""
    if size is None:
        return None
    return size * stride + (0 if padding == "same" else max(kernel - stride, 0))


def _pair(params: dict[str, Any], name: str) -> tuple[int, int]:
    value = params[name]
    return (value, value) if isinstance(value, int) else value


def _conv_padding(causal: bool = False) -> Param:
    choices = ("valid", "same", "causal") if causal else ("valid", "same")
    return Param("padding", "choice", "valid", "valid: no padding; same: ceil(size / stride) "
                 "outputs" + ("; causal: only past positions" if causal else ""),
                 choices=choices)  # fmt: skip


def _activation() -> Param:
    return Param("activation", "choice", "linear", "function applied to the output",
                 choices=ACTIVATIONS)  # fmt: skip


def _use_bias() -> Param:
    return Param("use_bias", "bool", True, "add a learned bias per output channel")


def _bias(params: dict[str, Any], size: int) -> list[WeightSpec]:
    return [WeightSpec("bias", (size,))] if params["use_bias"] else []


def _groups_ok(channels: int, params: dict[str, Any]) -> None:
    groups = params.get("groups", 1)
    if channels % groups or params["filters"] % groups:
        raise ShapeError("groups", f"groups ({groups}) must divide the input channels "
                         f"({channels}) and the filters ({params['filters']})")  # fmt: skip


def _conv1d_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, channels = need_rank(ins, 2, SEQUENCE)
    if channels is not None:
        _groups_ok(channels, params)
    out = conv_length(length, params["kernel_size"], params["strides"], params["padding"],
                      params["dilation_rate"])  # fmt: skip
    return (out, params["filters"])


def _conv1d_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    channels = known(ins[0][-1], "number of input channels") // params["groups"]
    kernel = WeightSpec("kernel", (params["kernel_size"], channels, params["filters"]))
    return [kernel, *_bias(params, params["filters"])]


def _spatial(params: dict[str, Any], ins: list[Shape], depth: int, length: Any) -> Shape:
    height, width, _ = need_rank(ins, 3, IMAGE)
    kernel, strides = _pair(params, "kernel_size"), _pair(params, "strides")
    dilation = _pair(params, "dilation_rate") if "dilation_rate" in params else (1, 1)
    sizes = [length(size, k, s, params["padding"], d)
             for size, k, s, d in zip((height, width), kernel, strides, dilation, strict=True)]
    return (*sizes, depth)


def _conv_length4(size: int | None, k: int, s: int, padding: str, d: int) -> int | None:
    return conv_length(size, k, s, padding, d)


def _transposed4(size: int | None, k: int, s: int, padding: str, d: int) -> int | None:
    return transposed_length(size, k, s, padding)


def _transpose_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return _spatial(params, ins, params["filters"], _transposed4)


def _transpose_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    channels = known(ins[0][-1], "number of input channels")
    kernel = WeightSpec("kernel", (*_pair(params, "kernel_size"), params["filters"], channels))
    return [kernel, *_bias(params, params["filters"])]


def _depthwise_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    channels = need_rank(ins, 3, IMAGE)[-1]
    depth = None if channels is None else channels * params["depth_multiplier"]
    return _spatial(params, ins, depth, _conv_length4)  # type: ignore[arg-type]


def _depthwise_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    channels = known(ins[0][-1], "number of input channels")
    multiplier = params["depth_multiplier"]
    kernel = WeightSpec("kernel", (*_pair(params, "kernel_size"), channels, multiplier))
    return [kernel, *_bias(params, channels * multiplier)]


def _separable_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    return _spatial(params, ins, params["filters"], _conv_length4)


def _separable_weights(params: dict[str, Any], ins: list[Shape], out: Shape) -> list[WeightSpec]:
    channels = known(ins[0][-1], "number of input channels")
    multiplier = params["depth_multiplier"]
    return [WeightSpec("depthwise_kernel", (*_pair(params, "kernel_size"), channels, multiplier)),
            WeightSpec("pointwise_kernel", (1, 1, channels * multiplier, params["filters"])),
            *_bias(params, params["filters"])]  # fmt: skip


def _pool1d_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    length, channels = need_rank(ins, 2, SEQUENCE)
    stride = params["pool_size"] if params["strides"] is None else params["strides"]
    return (conv_length(length, params["pool_size"], stride, params["padding"], field="pool_size"),
            channels)  # fmt: skip


def _global_max(rank: int, what: str) -> Fn:
    def shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
        channels = need_rank(ins, rank, what)[-1]
        return (*(1,) * (rank - 1), channels) if params["keepdims"] else (channels,)

    return shape


def _zero_padding_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, channels = need_rank(ins, 3, IMAGE)
    (top, bottom), (left, right) = params["padding"]
    return (None if height is None else height + top + bottom,
            None if width is None else width + left + right, channels)  # fmt: skip


def _cropping_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, channels = need_rank(ins, 3, IMAGE)
    out = []
    for size, (before, after) in zip((height, width), params["cropping"], strict=True):
        if size is not None and before + after >= size:
            raise ShapeError("cropping", f"cropping {before + after} of {size} rows or columns "
                             "leaves nothing")  # fmt: skip
        out.append(None if size is None else size - before - after)
    return (*out, channels)


def _upsampling_shape(params: dict[str, Any], ins: list[Shape]) -> Shape:
    height, width, channels = need_rank(ins, 3, IMAGE)
    rows, cols = params["size"]
    return (None if height is None else height * rows, None if width is None else width * cols,
            channels)  # fmt: skip


def _conv_params(filters: bool, dilation: bool = True, multiplier: bool = False,
                 groups: bool = False) -> tuple[Param, ...]:  # fmt: skip
    found = []
    if filters:
        found.append(Param("filters", "int", 16, "number of output channels", 1, 65536))
    found += [Param("kernel_size", "int_pair", 3, "kernel height and width", 1, 1024),
              Param("strides", "int_pair", 1, "step of the window", 1, 1024), _conv_padding()]
    if multiplier:
        found.append(Param("depth_multiplier", "int", 1, "output channels per input channel",
                           1, 4096))  # fmt: skip
    if dilation:
        found.append(Param("dilation_rate", "int_pair", 1, "gap between kernel taps (1: none)",
                           1, 1024))  # fmt: skip
    if groups:
        found.append(Param("groups", "int", 1, "independent channel groups", 1, 65536))
    return (*found, _activation(), _use_bias())


def _pool_1d(key: str, title: str, what: str, cls: str) -> LayerSpec:
    return LayerSpec(
        key, title, "Pooling",
        f"Slides a window along the sequence and keeps the {what} of each window, per feature.",
        (Param("pool_size", "int", 2, "window length", 1, 1_000_000),
         Param("strides", "optional_int", None, "step; empty means the pool size", 1, 1_000_000),
         Param("padding", "choice", "valid", "valid: no padding; same: ceil(length / stride) "
               "outputs", choices=("valid", "same"))),
        ("input",), _pool1d_shape, no_weights, layer_maker(cls), cls, key_params=("pool_size",))


def _global_max_pool(key: str, rank: int, what: str, cls: str, title: str, text: str) -> LayerSpec:
    return LayerSpec(key, title, "Pooling", text,
                     (Param("keepdims", "bool", False, "keep the pooled axes with size 1"),),
                     ("input",), _global_max(rank, what), no_weights, layer_maker(cls), cls)


ENTRIES = (
    LayerSpec("Conv1D", "Convolution 1D", "Convolution",
              "Slides filters along a sequence (text, audio, a time series): each output channel "
              "is a dot product of its kernel with every window of all input features.",
              (Param("filters", "int", 16, "number of output channels", 1, 65536),
               Param("kernel_size", "int", 3, "kernel length", 1, 1_000_000),
               Param("strides", "int", 1, "step of the window", 1, 1_000_000),
               _conv_padding(causal=True),
               Param("dilation_rate", "int", 1, "gap between kernel taps (1: none)", 1, 1_000_000),
               Param("groups", "int", 1, "independent channel groups", 1, 65536),
               _activation(), _use_bias()),
              ("input",), _conv1d_shape, _conv1d_weights, layer_maker("Conv1D"), "Conv1D",
              key_params=("filters", "kernel_size", "strides")),
    LayerSpec("Conv2DTranspose", "Transposed convolution 2D", "Convolution",
              "Upsamples an image with learned filters (the gradient of a convolution): each input "
              "value stamps a scaled kernel onto the output. Output size H * stride (same) or "
              "H * stride + max(kernel - stride, 0) (valid).",
              _conv_params(filters=True, dilation=False),
              ("input",), _transpose_shape, _transpose_weights, layer_maker("Conv2DTranspose"),
              "Conv2DTranspose", key_params=("filters", "kernel_size", "strides"),
              macs=flops.input_kernel_macs),
    LayerSpec("DepthwiseConv2D", "Depthwise convolution 2D", "Convolution",
              "Convolves each input channel with its own kernel (no mixing of channels): "
              "MobileNet's cheap spatial filtering. Output channels = channels * depth_multiplier.",
              _conv_params(filters=False, multiplier=True),
              ("input",), _depthwise_shape, _depthwise_weights, layer_maker("DepthwiseConv2D"),
              "DepthwiseConv2D", key_params=("kernel_size", "strides")),
    LayerSpec("SeparableConv2D", "Separable convolution 2D", "Convolution",
              "A depthwise convolution followed by a 1x1 convolution that mixes the channels: "
              "nearly the effect of a full convolution with far fewer weights (Xception).",
              _conv_params(filters=True, multiplier=True),
              ("input",), _separable_shape, _separable_weights, layer_maker("SeparableConv2D"),
              "SeparableConv2D", key_params=("filters", "kernel_size", "strides")),
    _pool_1d("MaxPool1D", "Max pooling 1D", "largest value", "MaxPooling1D"),
    _pool_1d("AvgPool1D", "Average pooling 1D", "average", "AveragePooling1D"),
    _global_max_pool("GlobalMaxPool1D", 2, SEQUENCE, "GlobalMaxPooling1D",
                     "Global max pooling 1D",
                     "Keeps the largest value of each feature over the whole sequence: "
                     "(T, D) -> (D,)."),
    _global_max_pool("GlobalMaxPool2D", 3, IMAGE, "GlobalMaxPooling2D",
                     "Global max pooling 2D",
                     "Keeps the largest value of each channel over the whole image: "
                     "(H, W, C) -> (C,)."),
    LayerSpec("ZeroPadding2D", "Zero padding 2D", "Reshaping",
              "Adds rows and columns of zeros around the image: 1 adds one on every side, "
              "((0, 1), (0, 1)) one at the bottom and one on the right.",
              (Param("padding", "pads2d", 1, "zeros on each side: n, (rows, columns) or "
                     "((top, bottom), (left, right))", 0, 65536),),
              ("input",), _zero_padding_shape, no_weights, layer_maker("ZeroPadding2D"),
              "ZeroPadding2D", key_params=("padding",)),
    LayerSpec("Cropping2D", "Cropping 2D", "Reshaping",
              "Cuts rows and columns off the image's edges: 1 cuts one on every side.",
              (Param("cropping", "pads2d", 1, "rows and columns cut: n, (rows, columns) or "
                     "((top, bottom), (left, right))", 0, 65536),),
              ("input",), _cropping_shape, no_weights, layer_maker("Cropping2D"), "Cropping2D",
              key_params=("cropping",)),
    LayerSpec("UpSampling2D", "Upsampling 2D", "Reshaping",
              "Enlarges the image by repeating each row and column (nearest) or interpolating "
              "(bilinear): size 2 doubles height and width.",
              (Param("size", "int_pair", 2, "factor for the height and the width", 1, 1024),
               Param("interpolation", "choice", "nearest", "how new pixels are filled",
                     choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"))),
              ("input",), _upsampling_shape, no_weights, layer_maker("UpSampling2D"),
              "UpSampling2D", key_params=("size",)),
)  # fmt: skip
